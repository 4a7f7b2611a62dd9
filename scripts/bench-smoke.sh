#!/usr/bin/env bash
# scripts/bench-smoke.sh — CI smoke test of eventflow-bench (see BENCHMARKS.md).
#
# Starts the debug launcher (target/debug/eventflow, built if missing) on EMBEDDED
# backends and free loopback ports, then asserts correctness only, through exit codes:
#   1. flash-sale --buyers 200 --tickets 100 --concurrency 20
#   2. the same with --declined-pct 20
#   3. flash-sale --buyers 100 --tickets 50 --concurrency 20 --api seed000 (the event
#      made through seed 000's POST /events; the sale itself is the same)
#   4. reads --duration 3 (cached), and checkin --tickets 100 --gates 4 (every ticket
#      admitted once, every rescan refused)
#   5. on a second launcher with RESERVAS_HTTP_TIMEOUT_MS=50: flash-sale --buyers 2000
#      --tickets 3000 --concurrency 500 --consistency-only. Timeouts everywhere: every
#      answer that comes late is "unknown", never a failure, so nothing may be oversold
#      or sold to nobody, and no hold may be left once recovery has settled.
# The launcher is always stopped, also on failure or Ctrl-C. No figure is checked: a
# debug build on a shared 2-core machine says nothing about performance.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/common.sh
source scripts/common.sh

# shellcheck source=bench/launcher.sh
source bench/launcher.sh

LAUNCHER=target/debug/eventflow
if [[ ! -x "$LAUNCHER" ]]; then
    ef_log "building the launcher (cargo build --bin eventflow)"
    cargo build --bin eventflow
fi
ef_log "building eventflow-bench"
cargo build -q -p eventflow-bench

EF_LOG="$(mktemp -t eventflow-bench-smoke.XXXXXX)"
cleanup() {
    local rc=$?
    ef_stop_launcher
    if [[ $rc -ne 0 ]]; then
        ef_log "bench smoke FAILED (exit $rc); last launcher log lines:"
        tail -n 40 "$EF_LOG" >&2 || true
    fi
    rm -f "$EF_LOG"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Embedded backends whatever the caller's shell says (scripts/test.sh exports real URLs).
export EVENTFLOW_BACKENDS=embedded RUST_LOG=warn
ef_start_launcher "$LAUNCHER"
ef_log "launcher pid $EF_PID on ports $EF_BASE-$((EF_BASE + 4)) (embedded backends)"

# The launcher's organizer token: EVENTFLOW_ADMIN_TOKEN when set, else the dev token.
ARGS=("${EF_TARGET[@]}" --admin-token "${EVENTFLOW_ADMIN_TOKEN:-eventflow-dev-admin}"
    --pids "eventflow=$EF_PID")

ef_log "1/5 flash-sale --buyers 200 --tickets 100 --concurrency 20"
cargo run -q -p eventflow-bench -- flash-sale "${ARGS[@]}" \
    --buyers 200 --tickets 100 --concurrency 20 --timeout-secs 120

# 300 buyers, so the sale sells out long before the queue ends: a declined buyer's hold
# that comes back late still finds a buyer, and "turned away while tickets remained"
# measures the platform, not the order in which the last requests happened to finish.
ef_log "2/5 flash-sale --buyers 300 --tickets 100 --concurrency 20 --declined-pct 20"
cargo run -q -p eventflow-bench -- flash-sale "${ARGS[@]}" \
    --buyers 300 --tickets 100 --concurrency 20 --declined-pct 20 --timeout-secs 120

# The event through seed 000's API (POST /events, decimal prices); buyers and
# reservations as always, and the inventory read back through /api/eventos.
ef_log "3/5 flash-sale --buyers 100 --tickets 50 --concurrency 20 --api seed000"
cargo run -q -p eventflow-bench -- flash-sale "${ARGS[@]}" \
    --buyers 100 --tickets 50 --concurrency 20 --api seed000 --timeout-secs 120

# The whole sale through seed 001's API, as its client sends it (POST /api/usuarios, the
# seed's event body, POST /api/reservar {evento_id, email}): what bench/compare-seed.sh
# runs against both systems must stay correct against EventFlow.
ef_log "3b/5 flash-sale --buyers 100 --tickets 50 --concurrency 20 --api seed001"
cargo run -q -p eventflow-bench -- flash-sale "${ARGS[@]}" \
    --buyers 100 --tickets 50 --concurrency 20 --api seed001 --timeout-secs 120

ef_log "4/5 reads --connections 10 --duration 3"
cargo run -q -p eventflow-bench -- reads "${ARGS[@]}" --connections 10 --duration 3

# The door: 4 gates scan 100 sold tickets, then rescan them; each admitted exactly once.
ef_log "4b/5 checkin --tickets 100 --gates 4"
cargo run -q -p eventflow-bench -- checkin "${ARGS[@]}" --tickets 100 --gates 4

ef_stop_launcher
ef_log "5/5 flash-sale --buyers 2000 --tickets 3000 --concurrency 500, RESERVAS_HTTP_TIMEOUT_MS=50"
RESERVAS_HTTP_TIMEOUT_MS=50 RESERVAS_LOCK_TTL_MS=2000 RESERVAS_RECUPERACION_INTERVALO_SECS=1 \
    ef_start_launcher "$LAUNCHER"
ARGS=("${EF_TARGET[@]}" --admin-token "${EVENTFLOW_ADMIN_TOKEN:-eventflow-dev-admin}"
    --pids "eventflow=$EF_PID")
cargo run -q -p eventflow-bench -- flash-sale "${ARGS[@]}" \
    --buyers 2000 --tickets 3000 --concurrency 500 --consistency-only --timeout-secs 300

ef_stop_launcher

# 6: real backends, with MongoDB's side of the sale (--mongo-uri): the report must carry
# the opcounters per confirmation and the event document's size. Only where real backends
# are required (scripts/test.sh); elsewhere it says so instead of passing quietly.
if [[ "${EVENTFLOW_REAL_BACKENDS:-}" == 1 ]]; then
    ef_log "6/6 flash-sale --buyers 100 --tickets 100 --concurrency 10 --mongo-uri, real backends"
    ef_service_tokens bench
    EVENTFLOW_BACKENDS=real \
        EVENTFLOW_ADMIN_TOKEN="${EVENTFLOW_ADMIN_TOKEN:-bench-admin-$RANDOM$RANDOM}" \
        bash -c '
            source bench/launcher.sh
            ef_start_launcher "$0" || exit 1
            trap ef_stop_launcher EXIT
            out=$(mktemp)
            cargo run -q -p eventflow-bench -- flash-sale "${EF_TARGET[@]}" \
                --admin-token "$EVENTFLOW_ADMIN_TOKEN" --buyers 100 --tickets 100 \
                --concurrency 10 --timeout-secs 120 --mongo-uri "$MONGODB_URI" \
                --json-out "$out" || exit 1
            python3 - "$out" <<"PY"
import json, sys
r = json.load(open(sys.argv[1]))
m = r.get("mongo") or sys.exit("no mongo section in the report")
assert r["correct"], "the sale was not correct"
assert m["ops_per_confirmation"] > 0, m
assert (m["event_doc_bytes"] or 0) > 0, m
print("[bench] MongoDB: %s ops per confirmation, event document %s B"
      % (m["ops_per_confirmation"], m["event_doc_bytes"]))
PY
        ' "$LAUNCHER"
    ef_log "bench smoke passed (6 checks)"
else
    ef_log "SKIPPED 6/6 (real backends, --mongo-uri): EVENTFLOW_REAL_BACKENDS is not 1"
    ef_log "bench smoke passed (5 checks)"
fi
