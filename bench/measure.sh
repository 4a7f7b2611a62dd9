#!/usr/bin/env bash
# bench/measure.sh — the measurements behind BENCHMARKS.md, on release builds.
#
#   bench/measure.sh embedded|real|services [scenario ...]
#
# Scenarios (default: all, in this order): sale-1000 sale-5000 sale-1000-d20 sale-5000-d20
# reads-cached reads-uncached sweep. Each starts a FRESH release launcher on free loopback
# ports (so its peak RSS, VmHWM, belongs to that scenario alone), runs one bench command,
# and stops the launcher. Reports land in bench/results/<backend>/<scenario>.json, the
# sweep charts in bench/results/sweep-<backend>.svg, and the load before each scenario in
# bench/results/<backend>/load.txt.
#
# real: EVENTFLOW_BACKENDS=real with MONGODB_URI, REDIS_URL and AMQP_URL (default: the
# local SecantusDB, Redis and RabbitMQ), and throwaway admin/service tokens. Queues get
# the prefix `bench-` and expire when unused, so a broker shared with tests is left clean.
#
# services: real backends as above, but the four service binaries run as four processes
# (as docker-compose runs them) instead of the launcher, so the reports give each
# service's own peak RSS and CPU. Reports go to bench/results/services/.
#
# Build first:
#   cargo build --release --bin eventflow
#   cargo build --release -p usuarios-service -p eventos-service -p reservas-pagos-service \
#       -p notificaciones-service                                  (for `services`)
#   cargo build --release -p eventflow-bench --bin eventflow-bench
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=bench/launcher.sh
source bench/launcher.sh

backend=${1:?usage: bench/measure.sh embedded|real|services [scenario ...]}
shift
scenarios=("$@")
if [[ ${#scenarios[@]} -eq 0 ]]; then
    scenarios=(sale-1000 sale-5000 sale-1000-d20 sale-5000-d20 reads-cached reads-uncached sweep)
fi

LAUNCHER=target/release/eventflow
BENCH=target/release/eventflow-bench
needed=("$LAUNCHER" "$BENCH")
if [[ $backend == services ]]; then
    needed=("$BENCH" target/release/{usuarios,eventos,reservas-pagos,notificaciones}-service)
fi
for b in "${needed[@]}"; do
    [[ -x $b ]] || { ef_log "missing $b: build it first (see the header)"; exit 3; }
done

case "$backend" in
embedded)
    export EVENTFLOW_BACKENDS=embedded
    unset EVENTFLOW_ADMIN_TOKEN EVENTFLOW_TOKEN_USUARIOS EVENTFLOW_TOKEN_EVENTOS \
        EVENTFLOW_TOKEN_RESERVAS EVENTFLOW_TOKEN_NOTIFICACIONES
    TOKEN=eventflow-dev-admin
    ;;
real | services)
    export EVENTFLOW_BACKENDS=real
    export MONGODB_URI="${MONGODB_URI:-mongodb://127.0.0.1:27017}"
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
    export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
    export EVENTFLOW_ADMIN_TOKEN="${EVENTFLOW_ADMIN_TOKEN:-bench-admin-$RANDOM$RANDOM}"
    ef_service_tokens bench
    export AMQP_PREFIX="${AMQP_PREFIX:-bench-}" AMQP_QUEUE_EXPIRES_MS="${AMQP_QUEUE_EXPIRES_MS:-600000}"
    TOKEN=$EVENTFLOW_ADMIN_TOKEN
    ;;
*)
    ef_log "unknown backend $backend (embedded or real)"
    exit 2
    ;;
esac
export RUST_LOG="${RUST_LOG:-warn}"

# On real backends also report the backends' memory and CPU (found by process name).
BACKEND_PIDS=""
if [[ $backend != embedded ]]; then
    for pair in secantusd:secantusd-rs redis:redis-server rabbitmq:beam.smp; do
        pid=$(pgrep -x "${pair#*:}" | head -n 1 || true)
        [[ -n $pid ]] && BACKEND_PIDS+=",${pair%%:*}=$pid"
    done
fi

OUT=bench/results/$backend
mkdir -p "$OUT"
EF_LOG="$(mktemp -t eventflow-measure.XXXXXX)"
trap 'ef_stop_launcher; ef_stop_services; rm -f "$EF_LOG"' EXIT
trap 'exit 130' INT TERM

failed=0
for s in "${scenarios[@]}"; do
    case "$s" in
    sale-1000) cmd=(flash-sale --buyers 1000 --tickets 1000 --concurrency 50) ;;
    sale-5000) cmd=(flash-sale --buyers 5000 --tickets 500 --concurrency 100) ;;
    sale-1000-d20) cmd=(flash-sale --buyers 1000 --tickets 1000 --concurrency 50 --declined-pct 20) ;;
    sale-5000-d20) cmd=(flash-sale --buyers 5000 --tickets 500 --concurrency 100 --declined-pct 20) ;;
    reads-cached) cmd=(reads --connections 50 --duration 10) ;;
    reads-uncached) cmd=(reads --connections 50 --duration 10 --uncached --events 20000) ;;
    sweep) cmd=(sweep --buyers 1000 --levels "1,10,50,100,200" --out "bench/results/sweep-$backend.svg"
        --title "$backend backends, release build") ;;
    *)
        ef_log "unknown scenario $s"
        exit 2
        ;;
    esac
    {
        echo "== $s ($backend) $(date -u +%FT%TZ)"
        uptime
        ps aux --sort=-%cpu | head -6 | cut -c1-160
    } >>"$OUT/load.txt"
    if [[ $backend == services ]]; then
        ef_start_services target/release
        pids=$EF_PIDS
        ef_log "$s: services $pids; $BENCH ${cmd[*]}"
        echo "   command: eventflow-bench ${cmd[*]} --pids usuarios=<pid>,eventos=<pid>,reservas=<pid>,notificaciones=<pid>$BACKEND_PIDS" >>"$OUT/load.txt"
    else
        ef_start_launcher "$LAUNCHER"
        pids="eventflow=$EF_PID"
        ef_log "$s: launcher pid $EF_PID; $BENCH ${cmd[*]}"
        echo "   command: eventflow-bench ${cmd[*]} --pids eventflow=<launcher pid>$BACKEND_PIDS" >>"$OUT/load.txt"
    fi
    rc=0
    "$BENCH" "${cmd[@]}" "${EF_TARGET[@]}" --admin-token "$TOKEN" \
        --pids "$pids$BACKEND_PIDS" --json-out "$OUT/$s.json" | tee "$OUT/$s.txt" || rc=$?
    ef_stop_launcher
    ef_stop_services
    if [[ $rc -ne 0 ]]; then
        ef_log "$s failed (exit $rc); last launcher log lines:"
        tail -n 20 "$EF_LOG" >&2 || true
    fi
    echo "   exit code: $rc" >>"$OUT/load.txt"
    [[ $rc -eq 0 ]] || failed=1
done
exit "$failed"
