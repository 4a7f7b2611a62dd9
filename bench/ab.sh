#!/usr/bin/env bash
# bench/ab.sh — two launcher builds, A and B, in alternating flash sales on one freshly
# restarted SecantusDB, so that the server's drift (BENCHMARKS.md, "run-to-run spread")
# falls on both alike: the order is A B B A B A A B, 20 s apart.
#
#   bench/ab.sh LAUNCHER_A LAUNCHER_B [OUT_DIR]
#
# e.g. for the commit before a change, built beside this checkout:
#   git worktree add /work/base <rev>
#   (cd /work/base && CARGO_TARGET_DIR=/work/base-target cargo build --release --bin eventflow)
#   bench/ab.sh /work/base-target/release/eventflow target/release/eventflow
#
# Each sale: `eventflow-bench flash-sale --buyers 1000 --tickets 1000 --concurrency 50
# --mongo-uri …` with the launcher and the backends in --pids (B, T, K override the three
# figures). Each run gets an AMQP prefix of its own: with a shared one, messages one build
# left in a queue (the purchase history's, say) are worked off inside the next run's
# phase. Reports go to OUT_DIR (default: a new temp dir) as a-1.json, b-2.json, …, and a
# summary line per run is printed at the end.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
A=${1:?usage: bench/ab.sh LAUNCHER_A LAUNCHER_B [OUT_DIR]}
B_BIN=${2:?usage: bench/ab.sh LAUNCHER_A LAUNCHER_B [OUT_DIR]}
OUT=${3:-$(mktemp -d -t eventflow-ab.XXXXXX)}
mkdir -p "$OUT"
BUYERS=${B:-1000} TICKETS=${T:-1000} CONC=${K:-50}
BENCH=target/release/eventflow-bench
for b in "$A" "$B_BIN" "$BENCH"; do
    [[ -x $b ]] || { echo "missing $b: build it first" >&2; exit 3; }
done
# shellcheck source=bench/launcher.sh
source bench/launcher.sh
bash scripts/backends.sh stop-secantus >/dev/null 2>&1 || true
eval "$(bash scripts/backends.sh 2>/dev/null)"
export EVENTFLOW_BACKENDS=real RUST_LOG=${RUST_LOG:-warn}
export EVENTFLOW_ADMIN_TOKEN="bench-admin-$RANDOM$RANDOM"
ef_service_tokens bench
BACKEND_PIDS="secantusd=$(pgrep -f secantusd | head -1),redis=$(pgrep -x redis-server | head -1),rabbitmq=$(pgrep -f beam.smp | head -1)"
EF_LOG=$(mktemp -t eventflow-ab.XXXXXX)
trap 'ef_stop_launcher; rm -f "$EF_LOG"' EXIT
trap 'exit 130' INT TERM
n=0
for lado in a b b a b a a b; do
    n=$((n + 1))
    bin=$A
    [[ $lado == b ]] && bin=$B_BIN
    export AMQP_PREFIX="ab-$lado-$n-$RANDOM-" AMQP_QUEUE_EXPIRES_MS=120000
    ef_start_launcher "$bin"
    ef_log "run $n: $lado ($bin), load average $(cut -d' ' -f1 /proc/loadavg)"
    "$BENCH" flash-sale "${EF_TARGET[@]}" --admin-token "$EVENTFLOW_ADMIN_TOKEN" \
        --buyers "$BUYERS" --tickets "$TICKETS" --concurrency "$CONC" --mongo-uri "$MONGODB_URI" \
        --pids "eventflow=$EF_PID,$BACKEND_PIDS" --json-out "$OUT/$lado-$n.json" >"$OUT/$lado-$n.txt" || true
    ef_stop_launcher
    sleep 20
done
python3 - "$OUT" <<'PY'
import json, os, sys
out = sys.argv[1]
runs = sorted((f for f in os.listdir(out) if f.endswith(".json")), key=lambda f: int(f.split("-")[1].split(".")[0]))
print(f"{'run':<8} {'conf/s':>8} {'p99 ms':>8} {'CPU ms/conf':>12} {'Mongo ops/conf':>15} {'correct':>8}")
for f in runs:
    r = json.load(open(os.path.join(out, f)))
    c = max(r["confirmed"], 1)
    cpu = sum(x["cpu_secs"] for x in r["cpu"] if x["name"] != "eventflow-bench") * 1000 / c
    ops = (r.get("mongo") or {}).get("ops_per_confirmation")
    print(f"{f[:-5]:<8} {r['confirmations_per_sec']:>8.1f} {r['latency_ms']['p99_ms']:>8.0f} {cpu:>12.2f} {ops if ops is not None else 'absent':>15} {str(r['correct']):>8}")
PY
echo "reports in $OUT"
