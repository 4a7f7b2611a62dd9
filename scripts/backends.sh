#!/usr/bin/env bash
# scripts/backends.sh — make sure the *real* test backends are installed and
# running on this machine, idempotently, then hand out their connection URLs.
#
#   Redis      127.0.0.1:6379   (apt: redis-server, redis-tools)
#   RabbitMQ   127.0.0.1:5672   guest/guest (apt: rabbitmq-server)
#   SecantusDB 127.0.0.1:27017  MongoDB-wire-compatible server (GPL), run as a
#              separate process; built once per machine with
#              `cargo install secantus-mdb` into ~/.cargo/bin (outside the clone).
#
# Usage:
#   scripts/backends.sh                 ensure all backends, print `export ...` lines on stdout
#   source scripts/backends.sh          ensure all backends, export the variables into this shell
#   eval "$(scripts/backends.sh)"       same as sourcing
#   scripts/backends.sh stop-secantus   stop the SecantusDB process this script started
#
# Environment:
#   EVENTFLOW_SECANTUS_DIR   SecantusDB storage dir (default ~/.cache/eventflow/secantus-data).
#                            Its parent holds secantusd.pid, secantusd.log and the install lock.
#
# Progress goes to stderr (prefixed "[backends]"); stdout carries only the export
# lines, so the output can be eval'ed. Any failure names what failed and exits non-zero.

# ---------------------------------------------------------------------------
# Sourced mode. Everything below uses `set -euo pipefail`, helper functions and
# `exit`; none of that may leak into (or kill) the caller's shell. So when
# sourced we run ourselves as a child bash and eval the export lines it prints.
# Arguments are deliberately not forwarded: `source` without arguments would
# otherwise hand us the *caller's* "$@" (e.g. test.sh's test-runner args).
# ---------------------------------------------------------------------------
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    if __ef_backends_out="$(bash "${BASH_SOURCE[0]}" ensure)"; then
        eval "$__ef_backends_out"
        unset __ef_backends_out
        return 0
    else
        __ef_backends_rc=$?
        unset __ef_backends_out
        printf '[backends] ERROR: backends are not ready (exit %s), see messages above\n' "$__ef_backends_rc" >&2
        return "$__ef_backends_rc"
    fi
fi

set -euo pipefail
# apt-get must never prompt (debconf, service restarts): we may run in CI with no tty.
export DEBIAN_FRONTEND=noninteractive

# rabbitmq-server & co. live in /usr/sbin, which is missing from PATH in some
# CI/non-login shells; without it we would wrongly conclude "not installed".
case ":$PATH:" in
*:/usr/sbin:*) ;;
*) PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" ;;
esac

# HOME can be unset under some CI runners / `env -i`; `set -u` would then abort obscurely.
if [[ -z "${HOME:-}" ]]; then
    HOME="$(getent passwd "$(id -u)" | cut -d: -f6)"
    export HOME
fi

readonly SECANTUS_VERSION="0.5.3-beta.196"
readonly REDIS_PORT=6379
readonly AMQP_PORT=5672
readonly MONGO_PORT=27017
# Absolute, because the server is started from its state dir (see below).
SECANTUS_DIR="$(realpath -m "${EVENTFLOW_SECANTUS_DIR:-$HOME/.cache/eventflow/secantus-data}")"
SECANTUS_STATE_DIR="$(dirname "$SECANTUS_DIR")"
SECANTUS_PID_FILE="$SECANTUS_STATE_DIR/secantusd.pid"
SECANTUS_LOG="$SECANTUS_STATE_DIR/secantusd.log"
SECANTUS_LOCK="$SECANTUS_STATE_DIR/backends.lock"
SECANTUS_CONFIG="$SECANTUS_STATE_DIR/secantusd.toml"

log() { printf '[backends] %s\n' "$*" >&2; }
die() {
    printf '[backends] ERROR: %s\n' "$*" >&2
    exit 1
}

# apt-get and the system daemons need root. Use sudo (non-interactively) when
# we are not root; fail clearly rather than hang on a password prompt.
as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        die "need root (or passwordless sudo) to run: $*"
    fi
}

# True if something accepts TCP connections on host:port. Uses bash's /dev/tcp
# so no extra tools (nc, python) are required; `timeout` guards against a
# filtered port hanging the connect.
port_open() {
    # shellcheck disable=SC2016 # $0/$1 are expanded by the inner bash, on purpose
    timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# wait_for SECONDS CMD...: poll CMD once a second until it succeeds or time runs out.
wait_for() {
    local limit=$1
    shift
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            return 1
        fi
        sleep 1
    done
}

# Run `apt-get update` at most once per invocation, and only if we actually
# need to install something (it is slow and needs the network).
APT_UPDATED=0
apt_install() {
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: $*"
    if [[ "$APT_UPDATED" -eq 0 ]]; then
        log "apt-get update"
        as_root apt-get update </dev/null >&2 || die "apt-get update failed"
        APT_UPDATED=1
    fi
    log "apt-get install -y $*"
    as_root apt-get install -y "$@" </dev/null >&2 || die "apt-get install -y $* failed"
}

# ---------------------------------------------------------------------------
# Redis
# ---------------------------------------------------------------------------
redis_ping() {
    [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]
}

ensure_redis() {
    if command -v redis-cli >/dev/null 2>&1 && redis_ping; then
        log "Redis: already running on 127.0.0.1:$REDIS_PORT"
        return 0
    fi
    if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-cli >/dev/null 2>&1; then
        log "Redis: not installed, installing via apt"
        apt_install redis-server redis-tools
        # On machines with an init system the package starts its own Redis on
        # 6379; use it instead of starting a second one that would fail to bind.
        if wait_for 5 redis_ping; then
            log "Redis: the freshly installed package started it on 127.0.0.1:$REDIS_PORT"
            return 0
        fi
    fi
    if port_open 127.0.0.1 "$REDIS_PORT"; then
        die "Redis: something listens on 127.0.0.1:$REDIS_PORT but does not answer PING with PONG (password set? not Redis?)"
    fi

    log "Redis: starting redis-server on 127.0.0.1:$REDIS_PORT"
    as_root mkdir -p /var/lib/redis /var/log/redis
    # No persistence (--save "", --appendonly no): test data is throwaway, and
    # RDB snapshots would only cost I/O. `-::1` = bind IPv6 loopback if available.
    as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" \
        --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log \
        </dev/null >&2 || die "Redis: redis-server failed to start (see /var/log/redis/ci.log)"
    if ! wait_for 30 redis_ping; then
        tail -n 20 /var/log/redis/ci.log >&2 2>/dev/null || true
        die "Redis: no PONG from 127.0.0.1:$REDIS_PORT within 30s (log: /var/log/redis/ci.log)"
    fi
    log "Redis: up on 127.0.0.1:$REDIS_PORT"
}

# ---------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------
rabbit_node_up() {
    # Quiet: when the node is down this prints a scary (and expected) error.
    command -v rabbitmq-diagnostics >/dev/null 2>&1 &&
        rabbitmq-diagnostics -q ping </dev/null >/dev/null 2>&1
}

rabbit_ready() {
    port_open 127.0.0.1 "$AMQP_PORT"
}

# Debian's package ships no /etc/rabbitmq/*.conf. On a fresh install we pin the
# node name to rabbit@localhost (container hostnames often do not resolve, which
# breaks Erlang distribution and hence rabbitmq-server/rabbitmqctl) and keep
# Erlang distribution, epmd and AMQP on loopback. Written *before* `apt-get
# install` so that a node auto-started by the package already uses it; never
# overwrites existing files.
write_rabbit_config() {
    as_root mkdir -p /etc/rabbitmq
    if [[ ! -e /etc/rabbitmq/rabbitmq-env.conf ]]; then
        log "RabbitMQ: writing /etc/rabbitmq/rabbitmq-env.conf (node rabbit@localhost, loopback only)"
        printf '%s\n' \
            'NODENAME=rabbit@localhost' \
            'ERL_EPMD_ADDRESS=127.0.0.1' \
            'export ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"' |
            as_root tee /etc/rabbitmq/rabbitmq-env.conf >/dev/null
    fi
    if [[ ! -e /etc/rabbitmq/rabbitmq.conf ]]; then
        log "RabbitMQ: writing /etc/rabbitmq/rabbitmq.conf (AMQP on 127.0.0.1:$AMQP_PORT)"
        printf 'listeners.tcp.local = 127.0.0.1:%s\n' "$AMQP_PORT" |
            as_root tee /etc/rabbitmq/rabbitmq.conf >/dev/null
    fi
}

ensure_rabbitmq() {
    if rabbit_ready; then
        log "RabbitMQ: already listening on 127.0.0.1:$AMQP_PORT"
        return 0
    fi
    if ! command -v rabbitmq-server >/dev/null 2>&1; then
        log "RabbitMQ: not installed, installing via apt"
        write_rabbit_config
        apt_install rabbitmq-server
    fi

    # A node may already be booting (package postinst, a concurrent run):
    # starting a second node with the same name would fail, so just wait then.
    if rabbit_node_up; then
        log "RabbitMQ: node is up but AMQP port not open yet, waiting"
    else
        log "RabbitMQ: starting rabbitmq-server -detached"
        # Run as root, the Debian wrapper switches to the rabbitmq user itself.
        as_root rabbitmq-server -detached </dev/null >&2 ||
            die "RabbitMQ: 'rabbitmq-server -detached' failed (logs: /var/log/rabbitmq/)"
    fi
    if ! wait_for 90 rabbit_ready; then
        tail -n 30 /var/log/rabbitmq/*.log >&2 2>/dev/null || true
        die "RabbitMQ: port 127.0.0.1:$AMQP_PORT not open within 90s (logs: /var/log/rabbitmq/)"
    fi
    # The port opens at the end of boot; confirm with RabbitMQ's own check.
    rabbitmq-diagnostics -q check_port_connectivity </dev/null >&2 ||
        die "RabbitMQ: 'rabbitmq-diagnostics -q check_port_connectivity' failed"
    log "RabbitMQ: up on 127.0.0.1:$AMQP_PORT"
}

# ---------------------------------------------------------------------------
# SecantusDB
# ---------------------------------------------------------------------------
find_secantus() {
    local candidate
    for candidate in "$(command -v secantusd-rs 2>/dev/null || true)" \
        "${CARGO_HOME:-$HOME/.cargo}/bin/secantusd-rs" "$HOME/.cargo/bin/secantusd-rs"; do
        if [[ -n "$candidate" && -x "$candidate" ]]; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

find_cargo() {
    command -v cargo 2>/dev/null && return 0
    local candidate="${CARGO_HOME:-$HOME/.cargo}/bin/cargo"
    [[ -x "$candidate" ]] && printf '%s\n' "$candidate"
}

# A `cargo install secantus-mdb` not started by us (e.g. launched by hand) is
# still building: wait rather than compile the same ~5 minute build twice.
wait_for_foreign_install() {
    command -v pgrep >/dev/null 2>&1 || return 0
    if pgrep -f 'cargo install secantus-mdb' >/dev/null 2>&1; then
        log "SecantusDB: another 'cargo install secantus-mdb' is running, waiting for it to finish"
        while pgrep -f 'cargo install secantus-mdb' >/dev/null 2>&1; do
            sleep 5
        done
    fi
}

install_secantus() {
    local cargo
    cargo="$(find_cargo)" ||
        die "SecantusDB: secantusd-rs is not installed and cargo is not available to build it (install Rust via https://rustup.rs)"
    # WiredTiger is compiled from bundled C sources: needs CMake and a C compiler.
    if ! command -v cmake >/dev/null 2>&1; then
        apt_install cmake
    fi
    if ! command -v cc >/dev/null 2>&1; then
        apt_install build-essential
    fi
    log "SecantusDB: building secantusd-rs with 'cargo install secantus-mdb --version $SECANTUS_VERSION'"
    log "SecantusDB: this takes ~5 minutes (once per machine; installs into ~/.cargo/bin)..."
    # --ignore-rust-version: the crate declares a newer rust-version than it needs.
    "$cargo" install secantus-mdb --version "$SECANTUS_VERSION" --locked --ignore-rust-version \
        </dev/null >&2 || die "SecantusDB: 'cargo install secantus-mdb --version $SECANTUS_VERSION' failed"
}

# kill -0 also succeeds for a zombie: a server that crashed while we are still
# its parent. Look at the process state too.
pid_running() {
    kill -0 "$1" 2>/dev/null || return 1
    local state
    state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
    [[ "$state" != "Z" ]]
}

secantus_pid_alive() {
    local pid
    [[ -f "$SECANTUS_PID_FILE" ]] || return 1
    pid="$(cat "$SECANTUS_PID_FILE" 2>/dev/null)" || return 1
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    pid_running "$pid" || return 1
    # Guard against pid reuse: only trust the pid if it still is secantusd-rs.
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == secantusd-rs* ]] || return 1
    printf '%s\n' "$pid"
}

ensure_secantus() {
    # Reuse whatever already serves 27017 (our earlier SecantusDB, a local
    # mongod...). Checked first so we never build the binary needlessly.
    if port_open 127.0.0.1 "$MONGO_PORT"; then
        log "SecantusDB: 127.0.0.1:$MONGO_PORT already accepting connections, reusing it"
        return 0
    fi

    mkdir -p "$SECANTUS_DIR" || die "SecantusDB: cannot create storage dir $SECANTUS_DIR"
    # Serialise install + start across concurrent runs (e.g. two test.sh in
    # parallel): one builds/starts, the other waits and then reuses the result.
    exec 9>"$SECANTUS_LOCK" || die "SecantusDB: cannot open lock file $SECANTUS_LOCK"
    flock 9 || die "SecantusDB: cannot lock $SECANTUS_LOCK"
    if port_open 127.0.0.1 "$MONGO_PORT"; then
        log "SecantusDB: started by a concurrent run, reusing it"
        exec 9>&-
        return 0
    fi

    local bin pid
    if ! bin="$(find_secantus)"; then
        wait_for_foreign_install
        if ! bin="$(find_secantus)"; then
            install_secantus
            bin="$(find_secantus)" || die "SecantusDB: cargo install succeeded but secantusd-rs is not in PATH or ~/.cargo/bin"
        fi
    fi

    if pid="$(secantus_pid_alive)"; then
        log "SecantusDB: pid $pid (ours) is alive but not listening yet, waiting for it"
    else
        log "SecantusDB: starting $bin on 127.0.0.1:$MONGO_PORT (data: $SECANTUS_DIR, log: $SECANTUS_LOG)"
        # secantusd-rs auto-discovers ./secantusd.toml, ~/.secantus/secantusd.toml
        # and /etc/secantus/secantusd.toml unless --config is given. Pin an
        # (empty) config of our own so a stray file cannot change the test server.
        [[ -e "$SECANTUS_CONFIG" ]] ||
            printf '# Managed by scripts/backends.sh: empty on purpose (disables config auto-discovery).\n' >"$SECANTUS_CONFIG"
        # nohup + setsid: the server must outlive this script and its process
        # group (Ctrl-C in the terminal, CI killing the job's group).
        # The inner `bash -c` writes its own pid then execs the server, so the
        # pid file holds the server's real pid whether or not setsid forks; it
        # also cds to the state dir so the server does not pin the caller's cwd.
        # `9>&-`: the server must not inherit the lock fd, or it would hold the
        # lock for its whole lifetime.
        rm -f "$SECANTUS_PID_FILE" # stale from a dead server; we wait for the new one below
        # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
        nohup setsid bash -c 'echo $$ > "$0" && cd "${0%/*}" && exec "$@"' "$SECANTUS_PID_FILE" \
            "$bin" --config "$SECANTUS_CONFIG" --host 127.0.0.1 --port "$MONGO_PORT" \
            --storage-path "$SECANTUS_DIR" --standalone \
            </dev/null >>"$SECANTUS_LOG" 2>&1 9>&- &
        # Give the wrapper a moment to write the pid file.
        wait_for 5 test -s "$SECANTUS_PID_FILE" || true
        pid="$(cat "$SECANTUS_PID_FILE" 2>/dev/null || true)"
    fi

    local deadline=$((SECONDS + 60))
    until port_open 127.0.0.1 "$MONGO_PORT"; do
        if [[ -n "$pid" ]] && ! pid_running "$pid"; then
            tail -n 30 "$SECANTUS_LOG" >&2 2>/dev/null || true
            die "SecantusDB: secantusd-rs (pid $pid) exited before listening on 127.0.0.1:$MONGO_PORT (log: $SECANTUS_LOG)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$SECANTUS_LOG" >&2 2>/dev/null || true
            # Do not leave a hung server behind: the next run would only wait on it again.
            if [[ -n "$pid" ]]; then
                kill -TERM "$pid" 2>/dev/null || true
                rm -f "$SECANTUS_PID_FILE"
            fi
            die "SecantusDB: 127.0.0.1:$MONGO_PORT not accepting connections within 60s (log: $SECANTUS_LOG)"
        fi
        sleep 1
    done
    exec 9>&-
    log "SecantusDB: up on 127.0.0.1:$MONGO_PORT (pid ${pid:-?})"
}

stop_secantus() {
    local pid
    if ! pid="$(secantus_pid_alive)"; then
        log "SecantusDB: no running secantusd-rs started by this script (pid file: $SECANTUS_PID_FILE)"
        rm -f "$SECANTUS_PID_FILE"
        return 0
    fi
    log "SecantusDB: stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    # shellcheck disable=SC2016 # expanded by the inner bash, on purpose
    if ! wait_for 15 bash -c '! kill -0 "$0" 2>/dev/null' "$pid"; then
        log "SecantusDB: pid $pid ignored SIGTERM for 15s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$SECANTUS_PID_FILE"
    log "SecantusDB: stopped"
}

print_exports() {
    cat <<EOF
export MONGODB_URI=mongodb://127.0.0.1:$MONGO_PORT
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT
export AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2f
export EVENTFLOW_REAL_BACKENDS=1
EOF
}

usage() {
    sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
}

main() {
    case "${1:-ensure}" in
    ensure)
        ensure_redis
        ensure_rabbitmq
        ensure_secantus
        log "all backends ready"
        print_exports
        ;;
    stop-secantus)
        stop_secantus
        ;;
    -h | --help | help)
        usage
        ;;
    *)
        usage
        die "unknown command: $1"
        ;;
    esac
}

main "$@"
