#!/usr/bin/env bash
# scripts/saga/run-all.sh — runs the SAGA curl scenarios 01–07, 09, 10 and the one-ticket
# ones (cancelar-una-entrada, transferir-entrada) and the door's (ingreso), and prints
# "N passed, M failed" as its last line; exits non-zero if any failed.
#
#   scripts/saga/run-all.sh            against a running launcher (USUARIOS_URL, EVENTOS_URL,
#                                      RESERVAS_URL; default 127.0.0.1:8001/8002/8003)
#   scripts/saga/run-all.sh --start    starts its own launcher on embedded backends and free
#                                      ports (target/debug/eventflow, built if missing, or
#                                      $EVENTFLOW_BIN), runs the scenarios, always stops it
#
# 08-redis-caido.sh is not run here: it needs real backends and starts its own launcher.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START=0
for arg in "$@"; do
    case "$arg" in
    --start) START=1 ;;
    -h | --help)
        sed -n '2,12p' "$0"
        exit 0
        ;;
    *)
        echo "run-all.sh: unknown argument '$arg' (only --start)" >&2
        exit 2
        ;;
    esac
done

SCENARIOS=(
    01-exito.sh
    02-usuario-inexistente.sh
    03-evento-inexistente.sh
    04-agotado.sh
    05-compra-concurrente.sh
    06-pago-rechazado.sh
    07-fallo-confirmacion.sh
    09-reintento-idempotente.sh
    10-cancelacion.sh
    cancelar-una-entrada.sh
    transferir-entrada.sh
    ingreso.sh
)

if ((START)); then
    echo "== starting a launcher on embedded backends"
    read -r p_usu p_eve p_res p_not p_ui <<<"$(free_ports 5)"
    export USUARIOS_PORT=$p_usu EVENTOS_PORT=$p_eve RESERVAS_PORT=$p_res
    export NOTIFICACIONES_PORT=$p_not UI_PORT=$p_ui EVENTFLOW_BIND=127.0.0.1
    export USUARIOS_URL="http://127.0.0.1:$p_usu" EVENTOS_URL="http://127.0.0.1:$p_eve"
    export RESERVAS_URL="http://127.0.0.1:$p_res"
    # Embedded, whatever the caller's environment says (scripts/test.sh exports real URLs).
    export EVENTFLOW_BACKENDS=embedded RESERVAS_SIMULAR_FALLOS=1 SAGA_LOCKS=embedded
    # Every scenario's guests come from this one address, within seconds.
    export RESERVAS_ANONIMAS_POR_IP=100000
    export EVENTFLOW_ADMIN_TOKEN="$ADMIN_TOKEN" ADMIN_TOKEN
    echo "    ports: usuarios=$p_usu eventos=$p_eve reservas=$p_res notificaciones=$p_not ui=$p_ui"
    on_exit stop_launcher
    start_launcher "$SAGA_TMP/launcher.log"
    if ! wait_healthy 120; then
        stop_launcher
        echo "run-all.sh: the launcher did not start; no scenario ran" >&2
        echo "0 passed, ${#SCENARIOS[@]} failed"
        exit 1
    fi
    echo "    launcher ready (pid $LAUNCHER_PID)"
else
    for url in "$USUARIOS_URL" "$EVENTOS_URL" "$RESERVAS_URL"; do
        if ! curl -fsS --max-time 5 "$url/health" >/dev/null 2>&1; then
            echo "run-all.sh: nothing answers $url/health. Start the launcher (cargo run), set" \
                "USUARIOS_URL/EVENTOS_URL/RESERVAS_URL, or use --start." >&2
            echo "0 passed, ${#SCENARIOS[@]} failed"
            exit 1
        fi
    done
fi

passed=0
failed=0
results=()
i=0
for s in "${SCENARIOS[@]}"; do
    i=$((i + 1))
    printf '\n################ [%d/%d] %s ################\n' "$i" "${#SCENARIOS[@]}" "$s"
    t0=$SECONDS
    if bash "$SAGA_DIR/$s" </dev/null; then
        passed=$((passed + 1))
        results+=("PASS  $s ($((SECONDS - t0)) s)")
    else
        failed=$((failed + 1))
        results+=("FAIL  $s ($((SECONDS - t0)) s)")
    fi
done

if ((START)); then
    if ((failed)) && [[ -s "$LAUNCHER_LOG" ]]; then
        echo
        echo "== last 40 lines of the launcher log"
        launcher_log_tail 40
    fi
    echo
    stop_launcher
fi

echo
echo "== SAGA scenarios"
printf '    %s\n' "${results[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
