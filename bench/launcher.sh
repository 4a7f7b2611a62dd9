# shellcheck shell=bash
# bench/launcher.sh — sourced by scripts/bench-smoke.sh and bench/measure.sh.
#
#   ef_start_launcher BINARY   starts BINARY (the `eventflow` launcher) on five free
#                              consecutive loopback ports, waits for /health, and sets
#                              EF_PID, EF_BASE and EF_TARGET (the bench's URL flags).
#                              The environment passes through (EVENTFLOW_BACKENDS, ...).
#                              Its output goes to $EF_LOG (a temp file unless set).
#   ef_stop_launcher           stops that process (SIGINT, then SIGKILL after 10 s).
#   ef_start_services DIR      the same with the four service binaries from DIR
#                              (usuarios-service, eventos-service, reservas-pagos-service,
#                              notificaciones-service), one process each, so each one's
#                              memory and CPU can be read apart; sets EF_PIDS
#                              ("usuarios=PID,eventos=PID,...", for the bench's --pids).
#   ef_stop_services           stops them.
#   ef_stop_pids PID...        stops other processes this shell started (same way).
#   ef_service_tokens PREFIX   exports EVENTFLOW_TOKEN_<SERVICE> for the four services,
#                              each one kept if set, else PREFIX-<service>-<random>.
#
# Only the process started here is ever signalled, by its PID.

# Read by the scripts that source this file.
# shellcheck disable=SC2034
EF_PID="" EF_BASE="" EF_TARGET=() EF_PIDS="" EF_SERVICE_PIDS=()

ef_log() { printf '[bench] %s\n' "$*" >&2; }

# One credential per service (EVENTFLOW_SERVICE_TOKEN is no longer read).
ef_service_tokens() {
    local prefix=$1 s v
    for s in USUARIOS EVENTOS RESERVAS NOTIFICACIONES; do
        v=EVENTFLOW_TOKEN_$s
        export "$v=${!v:-$prefix-${s,,}-$RANDOM$RANDOM}"
    done
}

ef_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

ef_healthy() {
    local p
    for p in "$@"; do
        curl -fsS --max-time 2 "http://127.0.0.1:$p/health" >/dev/null 2>&1 || return 1
    done
}

# Sets EF_BASE to the first of N free consecutive loopback ports. Below Linux's ephemeral
# range (32768-60999): a port held by some outgoing connection is not "listening", so the
# probe would miss it.
ef_free_ports() {
    local n=$1 base p all_free
    for _ in $(seq 1 30); do
        base=$((15000 + RANDOM % 15000))
        all_free=1
        for p in $(seq "$base" $((base + n - 1))); do
            ef_port_free "$p" || { all_free=0; break; }
        done
        if [[ $all_free == 1 ]]; then
            EF_BASE=$base
            return 0
        fi
    done
    return 1
}

# Waits until every given PID is alive and ports EF_BASE..+2 (+3 with a fourth argument
# "notificaciones") answer /health; then sets EF_TARGET. Fails if a process dies first.
ef_wait_healthy() {
    local ports=("$EF_BASE" $((EF_BASE + 1)) $((EF_BASE + 2))) pid up
    [[ ${1:-} == notificaciones ]] && { ports+=($((EF_BASE + 3))); shift; }
    for _ in $(seq 1 300); do
        up=1
        for pid in "$@"; do kill -0 "$pid" 2>/dev/null || up=0; done
        [[ $up == 1 ]] || return 1
        if ef_healthy "${ports[@]}"; then
            # shellcheck disable=SC2034
            EF_TARGET=(--usuarios "http://127.0.0.1:$EF_BASE" --eventos "http://127.0.0.1:$((EF_BASE + 1))"
                --reservas "http://127.0.0.1:$((EF_BASE + 2))")
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# The bench's buyers are guests from one address: lift the per-IP limit on checkouts
# without a session (RESERVAS_ANONIMAS_POR_IP, 60 a minute by default), unless the
# caller chose a value.
EF_ANONIMAS_POR_IP="${RESERVAS_ANONIMAS_POR_IP:-100000000}"

ef_start_launcher() {
    local bin=$1 base
    : "${EF_LOG:=$(mktemp -t eventflow-launcher.XXXXXX)}"
    # Appended to (after emptying it), so other writers' lines land whole: the bench
    # marks its phases in it (EVENTFLOW_BENCH_MARCA).
    : >"$EF_LOG"
    for _ in $(seq 1 30); do
        ef_free_ports 5 || break
        base=$EF_BASE
        USUARIOS_PORT=$base EVENTOS_PORT=$((base + 1)) RESERVAS_PORT=$((base + 2)) \
            NOTIFICACIONES_PORT=$((base + 3)) UI_PORT=$((base + 4)) EVENTFLOW_BIND=127.0.0.1 \
            RESERVAS_ANONIMAS_POR_IP="$EF_ANONIMAS_POR_IP" \
            "$bin" >>"$EF_LOG" 2>&1 &
        EF_PID=$!
        ef_wait_healthy "$EF_PID" && return 0
        ef_log "the launcher did not come up on ports $base-$((base + 4)); last log lines:"
        tail -n 15 "$EF_LOG" >&2 || true
        ef_stop_launcher
    done
    ef_log "could not start $bin"
    return 1
}

ef_stop_launcher() {
    if [[ -n "$EF_PID" ]] && kill -0 "$EF_PID" 2>/dev/null; then
        kill -INT "$EF_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$EF_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$EF_PID" 2>/dev/null || true
    fi
    if [[ -n "$EF_PID" ]]; then
        wait "$EF_PID" 2>/dev/null || true
    fi
    EF_PID=""
}

ef_start_services() {
    local dir=$1 base name
    : "${EF_LOG:=$(mktemp -t eventflow-services.XXXXXX)}"
    for _ in $(seq 1 30); do
        ef_free_ports 4 || break
        base=$EF_BASE
        EF_SERVICE_PIDS=() EF_PIDS=""
        for name in usuarios eventos reservas-pagos notificaciones; do
            USUARIOS_PORT=$base EVENTOS_PORT=$((base + 1)) RESERVAS_PORT=$((base + 2)) \
                NOTIFICACIONES_PORT=$((base + 3)) EVENTFLOW_BIND=127.0.0.1 \
                USUARIOS_URL="http://127.0.0.1:$base" EVENTOS_URL="http://127.0.0.1:$((base + 1))" \
                RESERVAS_URL="http://127.0.0.1:$((base + 2))" \
                RESERVAS_ANONIMAS_POR_IP="$EF_ANONIMAS_POR_IP" \
                "$dir/$name-service" >>"$EF_LOG" 2>&1 &
            EF_SERVICE_PIDS+=("$!")
            EF_PIDS+="${EF_PIDS:+,}${name%-pagos}=$!"
        done
        ef_wait_healthy notificaciones "${EF_SERVICE_PIDS[@]}" && return 0
        ef_log "the services did not come up on ports $base-$((base + 3)); last log lines:"
        tail -n 15 "$EF_LOG" >&2 || true
        ef_stop_services
    done
    ef_log "could not start the services from $dir"
    return 1
}

# Stops the given PIDs (children of this shell): SIGINT to all, then SIGKILL to any still
# alive after 10 s.
ef_stop_pids() {
    local pid
    for pid in "$@"; do
        kill -INT "$pid" 2>/dev/null || true
    done
    for pid in "$@"; do
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
}

ef_stop_services() {
    ef_stop_pids "${EF_SERVICE_PIDS[@]}"
    EF_SERVICE_PIDS=() EF_PIDS=""
}
