#!/usr/bin/env bash
# bench/ops-por-reserva.sh — what one confirmed reservation costs MongoDB, command by
# command: starts the release launcher on real backends with EVENTFLOW_MONGO_TRAZA=1,
# runs a small flash sale (N buyers for N tickets, one at a time, so nothing is refused),
# waits for the relay and the consumers, and prints each (database, command, collection)
# with how many times it ran per confirmation. Background work (the reaper, the
# archiver, the relay's idle polls) counts too: it is part of what a sale costs.
#
#   bench/ops-por-reserva.sh [N]        (default 50; needs scripts/backends.sh's URLs)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
: "${MONGODB_URI:?run scripts/backends.sh first (eval its output)}"
LAUNCHER=target/release/eventflow
BENCH=target/release/eventflow-bench
[[ -x $LAUNCHER && -x $BENCH ]] || { cargo build --release -q -p eventflow --bin eventflow && cargo build --release -q -p eventflow-bench; }
export EVENTFLOW_BACKENDS=real EVENTFLOW_MONGO_TRAZA=1 RUST_LOG=warn,mongo_traza=info
export EVENTFLOW_ADMIN_TOKEN=${EVENTFLOW_ADMIN_TOKEN:-ops-admin-$RANDOM$RANDOM}
# shellcheck source=bench/launcher.sh
source bench/launcher.sh
ef_service_tokens ops
EF_LOG=$(mktemp)
export EF_LOG
ef_start_launcher "$LAUNCHER"
trap ef_stop_launcher EXIT
# The bench marks where the reservation phase starts and ends (plus 1 s for the relay)
# in the launcher's own log.
EVENTFLOW_BENCH_MARCA="$EF_LOG" "$BENCH" flash-sale "${EF_TARGET[@]}" \
    --admin-token "$EVENTFLOW_ADMIN_TOKEN" --buyers "$N" --tickets "$N" --concurrency 1 \
    --timeout-secs 120 --mongo-uri "$MONGODB_URI" >&2
python3 - "$EF_LOG" "$N" <<'PY'
import collections, re, sys
log, n = sys.argv[1], int(sys.argv[2])
lines = open(log, errors="replace").read().splitlines()
marks = {l.split()[-1]: i for i, l in enumerate(lines) if l.startswith("EVENTFLOW-BENCH-FASE")}
pat = re.compile(r"db=(\S+) comando=(\S+) coleccion=(\S+)")
c = collections.Counter()
for l in lines[marks["reservas"]:marks["fin"]]:
    m = pat.search(re.sub(r"\x1b\[[0-9;]*m", "", l))
    if m:
        c[m.groups()] += 1
total = sum(c.values())
print(f"{'database':<16}{'command':<16}{'collection':<22}per confirmation")
for (db, cmd, col), k in sorted(c.items(), key=lambda x: -x[1]):
    print(f"{db:<16}{cmd:<16}{col:<22}{k / n:.2f}")
print(f"{'total':<54}{total / n:.2f}")
PY
