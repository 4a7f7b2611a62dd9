#!/usr/bin/env bash
# bench/compare-seed.sh — issue 13: the same flash sale, with the same client
# (`eventflow-bench flash-sale --api seed001`), against seed 001 (the Python/FastAPI
# design "CrisNorte1/eventflow-nosql-2025") and against EventFlow, in one run, on the
# same local backends; then both reports side by side with the ratios.
#
#   bench/compare-seed.sh [BUYERS [TICKETS [CONCURRENCY]]]     (defaults 1000 1000 50)
#
# Environment:
#   B, T, K           the same three figures (arguments win).
#   SEED_DIR          a checkout of the seed to use. Otherwise it is taken from the fetch
#                     mirror's bare repository, SEED_MIRROR (default
#                     /work/.mirror/CrisNorte1+eventflow-nosql-2025/repo), at its HEAD.
#   RONDA3=1          also the rest of issue 13's round-3 table, in the same run: with
#                     EventFlow's own API (`--api eventflow`, the default client), the
#                     same sale on the launcher and on the four service processes, and a
#                     10,000-buyer sale for 10,000 tickets on the launcher; then one table
#                     of every figure the issue names, the seed's column first.
#   SEED_SCRATCH      the scratch directory (default: a new one under /tmp). The seed is
#                     copied there, its venv built there; it must be outside this repo.
#                     Nothing of the seed is ever copied into the repo or committed.
#                     Kept when given (its venv is then reused), removed otherwise.
#
# What it does:
#   1. Copies the seed into the scratch directory. The seed hardcodes MongoDB database
#      `eventflow` (usuarios_service/database.py, eventos_service/database.py,
#      reservas_pagos_service/infra.py) and reads no environment, so the copy gets one
#      substitution: a database name unique to this run (`seed001_bench_<time>_<pid>`),
#      which cannot collide with EventFlow's (usuarios, eventos, reservas,
#      notificaciones) nor with an earlier run; it is dropped at the end. Nothing else is
#      changed. Redis is used as the seed has it (db 0): its only keys are
#      `lock:evt:<event id>`, and the event id is new on every run.
#   2. Installs the seed's Python dependencies from PyPI into a venv in the scratch dir.
#      The seed ships no requirements file; the list below is its imports, pinned.
#   3. Starts its three services as its README does (uvicorn, one worker each, ports
#      8001-8003, which the seed also hardcodes for its own calls between services), but
#      without `--reload`, a development file watcher that would put the worker in a
#      child process. Runs the sale, stops them.
#   4. Starts the EventFlow release launcher on real backends (bench/launcher.sh, free
#      ports, throwaway tokens), runs the same sale, stops it.
#   5. Prints both reports and the ratios.
# One system is up at a time, so neither's idle work (EventFlow's outbox relay and
# recovery) lands in the other's CPU or MongoDB opcounters. The opcounters are the
# server's: measure on a MongoDB nothing else is using.
#
# Backends: SecantusDB (MongoDB wire) at 127.0.0.1:27017 and Redis at 127.0.0.1:6379, as
# scripts/backends.sh provides them. Only processes started here are signalled, by PID.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$(pwd -P)

# shellcheck source=scripts/common.sh
source scripts/common.sh

B=${1:-${B:-1000}}
T=${2:-${T:-1000}}
K=${3:-${K:-50}}
for v in "$B" "$T" "$K"; do
    [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [BUYERS [TICKETS [CONCURRENCY]]]" >&2; exit 2; }
done

# shellcheck source=bench/launcher.sh
source bench/launcher.sh

SEED_MIRROR=${SEED_MIRROR:-/work/.mirror/CrisNorte1+eventflow-nosql-2025/repo}
# The seed's imports, pinned (it has no requirements file). EmailStr needs email-validator.
SEED_REQUIREMENTS=(fastapi==0.165.0 uvicorn==0.55.0 "pydantic[email]==2.14.4"
    pymongo==4.20.1 redis==8.2.0 requests==2.34.2)
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

KEEP_SCRATCH=0
if [[ -n "${SEED_SCRATCH:-}" ]]; then
    KEEP_SCRATCH=1
    mkdir -p "$SEED_SCRATCH"
else
    SEED_SCRATCH=$(mktemp -d -t eventflow-seed001.XXXXXX)
fi
SEED_SCRATCH=$(cd "$SEED_SCRATCH" && pwd -P)
case "$SEED_SCRATCH/" in
"$REPO"/*)
    echo "SEED_SCRATCH ($SEED_SCRATCH) is inside the repository: the seed is never copied into it" >&2
    exit 2
    ;;
esac

SEED_DB="seed001_bench_$(date +%s)_$$"
SEED_PIDS=()
VENV="$SEED_SCRATCH/venv"
OUT="$SEED_SCRATCH/out"
mkdir -p "$OUT"

stop_seed() {
    ef_stop_pids "${SEED_PIDS[@]}"
    SEED_PIDS=()
}

cleanup() {
    local rc=$?
    stop_seed
    ef_stop_launcher
    # The seed's database is this run's alone.
    if [[ -x "$VENV/bin/python" ]]; then
        "$VENV/bin/python" -c 'import sys, pymongo
pymongo.MongoClient(sys.argv[1], serverSelectionTimeoutMS=3000).drop_database(sys.argv[2])' \
            "${MONGODB_URI:-mongodb://127.0.0.1:27017}" "$SEED_DB" 2>/dev/null || true
    fi
    rm -f "${EF_LOG:-}"
    if [[ $KEEP_SCRATCH == 0 ]]; then
        rm -rf "$SEED_SCRATCH"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. the seed, in the scratch directory --------------------------------------------
rm -rf "$SEED_SCRATCH/seed"
mkdir -p "$SEED_SCRATCH/seed"
if [[ -n "${SEED_DIR:-}" ]]; then
    cp -a "$SEED_DIR/." "$SEED_SCRATCH/seed/"
    rm -rf "$SEED_SCRATCH/seed/.git"
    SEED_COMMIT=$(git -C "$SEED_DIR" rev-parse HEAD 2>/dev/null || echo "unknown (SEED_DIR is not a git checkout)")
    SEED_FROM=$SEED_DIR
else
    [[ -d "$SEED_MIRROR" ]] || {
        echo "no seed: set SEED_DIR, or fetch github:CrisNorte1/eventflow-nosql-2025 (mirror $SEED_MIRROR)" >&2
        exit 2
    }
    git --git-dir="$SEED_MIRROR" archive HEAD | tar -x -C "$SEED_SCRATCH/seed"
    SEED_COMMIT=$(git --git-dir="$SEED_MIRROR" rev-parse HEAD)
    SEED_FROM=$SEED_MIRROR
fi
ef_log "seed 001 from $SEED_FROM at $SEED_COMMIT, in $SEED_SCRATCH/seed; database $SEED_DB"
n=0
for f in usuarios_service/database.py eventos_service/database.py reservas_pagos_service/infra.py; do
    c=$(grep -c '\["eventflow"\]' "$SEED_SCRATCH/seed/$f" || true)
    [[ $c == 1 ]] || { echo "seed 001's $f no longer names database \"eventflow\" once; refusing to guess" >&2; exit 3; }
    sed -i "s/\[\"eventflow\"\]/[\"$SEED_DB\"]/" "$SEED_SCRATCH/seed/$f"
    n=$((n + 1))
done
ef_log "database name substituted in $n files (the only change to the seed)"

# --- 2. its venv ----------------------------------------------------------------------
if [[ ! -x "$VENV/bin/uvicorn" ]]; then
    ef_log "installing the seed's dependencies from PyPI into $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${SEED_REQUIREMENTS[@]}"
fi

# --- the bench and the launcher -------------------------------------------------------
eval "$(bash scripts/backends.sh)"
# The backends' CPU counts too: the issue's figure is the server CPU of all processes.
BACKEND_PIDS="secantusd=$(pgrep -f secantusd | head -1),redis=$(pgrep -x redis-server | head -1),rabbitmq=$(pgrep -f beam.smp | head -1)"
ef_log "building eventflow-bench and the launcher (release)"
cargo build -q --release -p eventflow-bench
[[ -x target/release/eventflow ]] || cargo build -q --release --bin eventflow
if [[ ${RONDA3:-0} == 1 ]]; then
    for svc in usuarios eventos reservas-pagos notificaciones; do
        [[ -x target/release/$svc-service ]] || {
            ef_log "building the four services (release)"
            cargo build -q --release -p usuarios-service -p eventos-service \
                -p reservas-pagos-service -p notificaciones-service --bins
            break
        }
    done
fi
BENCH=target/release/eventflow-bench
SALE=(flash-sale --api seed001 --buyers "$B" --tickets "$T" --concurrency "$K"
    --mongo-uri "$MONGODB_URI")

ef_log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 3. seed 001 ----------------------------------------------------------------------
for p in 8001 8002 8003; do
    ef_port_free "$p" || { echo "port $p is taken: seed 001 needs 8001-8003 (it hardcodes them)" >&2; exit 3; }
done
SEED_LOG="$OUT/seed001-services.log"
: >"$SEED_LOG"
SEED_PIDS_ARG=""
for svc in usuarios:8001 eventos:8002 reservas_pagos:8003; do
    name=${svc%%:*} port=${svc##*:}
    # exec: the PID is uvicorn's own process, the one that serves (and uses the CPU).
    (cd "$SEED_SCRATCH/seed" && exec "$VENV/bin/python" -m uvicorn "${name}_service.main:app" \
        --host 127.0.0.1 --port "$port" >>"$SEED_LOG" 2>&1) &
    SEED_PIDS+=("$!")
    SEED_PIDS_ARG+="${SEED_PIDS_ARG:+,}${name%_pagos}=$!"
done
up=0
for _ in $(seq 1 150); do
    for pid in "${SEED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null || { tail -n 30 "$SEED_LOG" >&2; exit 3; }; done
    if ef_healthy 8001 8002 8003; then up=1; break; fi
    sleep 0.2
done
[[ $up == 1 ]] || { echo "seed 001 did not come up; its log:" >&2; tail -n 30 "$SEED_LOG" >&2; exit 3; }
ef_log "seed 001 up: $SEED_PIDS_ARG"
ef_log "seed 001: ${SALE[*]}"
rc_seed=0
"$BENCH" "${SALE[@]}" --usuarios http://127.0.0.1:8001 --eventos http://127.0.0.1:8002 \
    --reservas http://127.0.0.1:8003 --pids "$SEED_PIDS_ARG,$BACKEND_PIDS" \
    --json-out "$OUT/seed001.json" >"$OUT/seed001.txt" || rc_seed=$?
stop_seed
# 1 = a correctness check failed: a finding to report, not a reason to stop.
[[ $rc_seed == 0 || $rc_seed == 1 ]] || { cat "$OUT/seed001.txt"; echo "the bench could not run against seed 001 (exit $rc_seed)" >&2; exit 3; }

# --- 4. EventFlow ---------------------------------------------------------------------
export EVENTFLOW_BACKENDS=real RUST_LOG=${RUST_LOG:-warn}
export EVENTFLOW_ADMIN_TOKEN="bench-admin-$RANDOM$RANDOM$RANDOM"
ef_service_tokens bench
EF_LOG="$(mktemp -t eventflow-compare-seed.XXXXXX)"
ef_start_launcher target/release/eventflow
ef_log "EventFlow launcher pid $EF_PID on ports $EF_BASE-$((EF_BASE + 4)) (real backends)"
ef_log "EventFlow: ${SALE[*]}"
rc_ef=0
"$BENCH" "${SALE[@]}" "${EF_TARGET[@]}" --admin-token "$EVENTFLOW_ADMIN_TOKEN" \
    --pids "eventflow=$EF_PID,$BACKEND_PIDS" --json-out "$OUT/eventflow.json" >"$OUT/eventflow.txt" || rc_ef=$?
ef_stop_launcher
[[ $rc_ef == 0 || $rc_ef == 1 ]] || { cat "$OUT/eventflow.txt"; tail -n 30 "$EF_LOG" >&2; echo "the bench could not run against EventFlow (exit $rc_ef)" >&2; exit 3; }

# --- 4b. round 3: EventFlow's own API, launcher and four processes, and 10,000 tickets --
# Each on a fresh start, one at a time: launcher, four processes, launcher at 10,000.
if [[ ${RONDA3:-0} == 1 ]]; then
    PROPIA=(flash-sale --buyers "$B" --tickets "$T" --concurrency "$K" --mongo-uri "$MONGODB_URI")
    DIEZ_MIL=(flash-sale --buyers 10000 --tickets 10000 --concurrency "$K" --mongo-uri "$MONGODB_URI")
    ronda() { # NAME PIDS SALE...
        local nombre=$1 pids=$2 rc=0
        shift 2
        ef_log "round 3, $nombre: $*"
        "$BENCH" "$@" "${EF_TARGET[@]}" --admin-token "$EVENTFLOW_ADMIN_TOKEN" \
            --pids "$pids,$BACKEND_PIDS" --json-out "$OUT/$nombre.json" >"$OUT/$nombre.txt" || rc=$?
        [[ $rc == 0 || $rc == 1 ]] || { cat "$OUT/$nombre.txt"; tail -n 30 "$EF_LOG" >&2; echo "round 3, $nombre: the bench could not run (exit $rc)" >&2; exit 3; }
    }
    ef_start_launcher target/release/eventflow
    ronda launcher "eventflow=$EF_PID" "${PROPIA[@]}"
    ef_stop_launcher
    ef_start_services target/release
    ronda servicios "$EF_PIDS" "${PROPIA[@]}"
    ef_stop_services
    ef_start_launcher target/release/eventflow
    ronda diez-mil "eventflow=$EF_PID" "${DIEZ_MIL[@]}"
    ef_stop_launcher
fi

# --- 5. side by side ------------------------------------------------------------------
echo "== seed 001 $SEED_COMMIT (uvicorn x3) =="
sed '$d' "$OUT/seed001.txt" # the last line is the JSON report
echo
echo "== EventFlow $(git rev-parse --short HEAD) (release launcher, real backends) =="
sed '$d' "$OUT/eventflow.txt"
echo
python3 - "$OUT/seed001.json" "$OUT/eventflow.json" "$B" "$T" "$K" <<'PY'
import json, sys

seed, ef = (json.load(open(p)) for p in sys.argv[1:3])
b, t, k = sys.argv[3:6]

BACKENDS = {"secantusd", "redis", "rabbitmq"}

def server_cpu(r):
    # Every --pids process, the backends included; the bench's own line is the client's.
    return sum(c["cpu_secs"] for c in r["cpu"] if c["name"] != "eventflow-bench")

def services_cpu(r):
    return sum(c["cpu_secs"] for c in r["cpu"] if c["name"] not in BACKENDS | {"eventflow-bench"})

def per_conf(x, r):
    return x / r["confirmed"] if r["confirmed"] else None

def mongo(r, k):
    m = r.get("mongo")
    return None if m is None else (m["ops_per_confirmation"] if k == "per" else sum(m["ops"].values()))

rows = [
    ("confirmed", lambda r: r["confirmed"], None),
    ("rejected: agotado", lambda r: r["rejections"]["agotado"], None),
    ("rejected: lock", lambda r: r["rejections"]["lock"], None),
    ("rejected: other", lambda r: r["rejections"]["other"], None),
    ("final disponibles", lambda r: r["final"]["disponibles"], None),
    ("final vendidas", lambda r: r["final"]["vendidas"], None),
    ("oversold", lambda r: r["oversold"], None),
    ("turned away while tickets remained", lambda r: r["turned_away_while_tickets_remained"], None),
    ("CORRECT", lambda r: r["correct"], None),
    ("reservation phase (s)", lambda r: r["phase_secs"], None),
    ("confirmations/s", lambda r: r["confirmations_per_sec"], "hi"),
    ("requests/s", lambda r: r["requests_per_sec"], "hi"),
    ("latency p50 (ms)", lambda r: r["latency_ms"]["p50_ms"], "lo"),
    ("latency p99 (ms)", lambda r: r["latency_ms"]["p99_ms"], "lo"),
    ("latency p99, confirmed (ms)", lambda r: r["latency_confirmed_ms"]["p99_ms"], "lo"),
    ("server CPU, all processes (s)", server_cpu, None),
    ("  of which the services (s)", services_cpu, None),
    ("server CPU per confirmation (ms)", lambda r: None if per_conf(server_cpu(r), r) is None else round(1000 * per_conf(server_cpu(r), r), 3), "lo"),
    ("server CPU per request (ms)", lambda r: round(1000 * server_cpu(r) / max(r["responses"], 1), 3), "lo"),
    ("MongoDB ops (phase)", lambda r: mongo(r, "total"), None),
    ("MongoDB ops per confirmation", lambda r: mongo(r, "per"), "lo"),
]

def show(v):
    if v is None:
        return "absent"
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)

print(f"== side by side: flash-sale --api seed001 --buyers {b} --tickets {t} --concurrency {k} ==")
print(f"  {'':<38} {'seed 001':>12} {'EventFlow':>12} {'EF / seed':>10}")
for name, f, better in rows:
    a, e = f(seed), f(ef)
    ratio = ""
    if better and isinstance(a, (int, float)) and isinstance(e, (int, float)) and not isinstance(a, bool) and a:
        ratio = f"{e / a:.2f}x"
    elif better:
        ratio = "n/a"
    print(f"  {name:<38} {show(a):>12} {show(e):>12} {ratio:>10}")
print("  (ratios: EventFlow's figure over the seed's; confirmations/s and requests/s higher is")
print("   better, latency, CPU and MongoDB ops lower is better; n/a where a side is 0 or absent)")
PY
echo "seed 001 bench exit $rc_seed, EventFlow bench exit $rc_ef (1 = a correctness check failed)"

[[ ${RONDA3:-0} == 1 ]] || exit 0
python3 - "$OUT" "$B" "$T" "$K" <<'PY'
import json, os, sys

out, b, t, k = sys.argv[1:5]
cols = [
    ("seed 001", "seed001", "seed API, uvicorn x3"),
    ("EF seed-API", "eventflow", "seed API, launcher"),
    ("EF launcher", "launcher", "own API, launcher"),
    ("EF 4 procs", "servicios", "own API, four processes"),
    ("EF 10k", "diez-mil", "own API, launcher, 10,000"),
]
rep = {c[1]: json.load(open(os.path.join(out, c[1] + ".json"))) for c in cols}

def cpu(r):
    return sum(c["cpu_secs"] for c in r["cpu"] if c["name"] != "eventflow-bench")

def fila(nombre, f, fmt="{:.2f}"):
    celdas = []
    for _, k_, _ in cols:
        try:
            v = f(rep[k_])
        except (KeyError, TypeError, ZeroDivisionError):
            v = None
        celdas.append("absent" if v is None else (fmt.format(v) if isinstance(v, float) else str(v)))
    print(f"| {nombre} | " + " | ".join(celdas) + " |")

print()
print(f"== round 3 (issue 13): same client, one run; sales of {b} buyers / {t} tickets at {k}, and 10,000 / 10,000 ==")
print("| figure | " + " | ".join(c[0] for c in cols) + " |")
print("|---|" + "---|" * len(cols))
print("| client, server | " + " | ".join(c[2] for c in cols) + " |")
fila("confirmations/s", lambda r: r["confirmations_per_sec"], "{:.1f}")
fila("p99 (ms)", lambda r: r["latency_ms"]["p99_ms"], "{:.0f}")
fila("server CPU per confirmation, all processes (ms)", lambda r: 1000 * cpu(r) / r["confirmed"])
fila("MongoDB operations per confirmation", lambda r: r["mongo"]["ops_per_confirmation"])
fila("event document after the sale (B)", lambda r: r["mongo"]["event_doc_bytes"])
fila("confirmed", lambda r: r["confirmed"])
fila("turned away while tickets remained", lambda r: r["turned_away_while_tickets_remained"])
fila("oversold", lambda r: r["oversold"])
fila("correct", lambda r: r["correct"])
l, d = rep["launcher"]["confirmations_per_sec"], rep["diez-mil"]["confirmations_per_sec"]
print(f"10,000-ticket rate against {t}-ticket rate (launcher): {d / l:.3f}")
PY
