#!/usr/bin/env bash
# scripts/soak.sh [--duration SECS] — a bounded soak of the whole platform.
#
# Starts the launcher (target/debug/eventflow; built when missing) on free ports with
# embedded backends, drives mixed traffic for SECS seconds (default 60) from a python3
# stdlib driver (browse events, book, cancel; 8 workers), then checks:
#   - every reservation is terminal (CONFIRMADA, FALLIDA or CANCELADA);
#   - per event and zone: capacidad = disponibles + vendidas, and
#     vendidas = tickets of reservations still CONFIRMADA (confirmed − cancelled);
#   - every reservation that was ever confirmed has exactly one reserva-confirmada
#     notification (GET /api/notificaciones?tipo=reserva-confirmada&reserva_id=...);
#   - the launcher's memory: VmHWM (peak RSS) under SOAK_MAX_RSS_MB (default 512) and
#     the final VmRSS no more than SOAK_MAX_GROWTH_MB (default 256) above the RSS after
#     warm-up. Why 512: the debug launcher idles at well under 100 MB; the embedded
#     stores of a 60 s soak hold a few thousand small documents (a few MB). 512 MB leaves
#     room for allocator slack and 2 cores' worth of tokio workers, yet catches a leak
#     that grows with traffic.
# Prints the figures; exits non-zero on any violation; always stops the launcher.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=60
while [[ $# -gt 0 ]]; do
    case "$1" in
        --duration) DURATION="$2"; shift 2 ;;
        --duration=*) DURATION="${1#*=}"; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
[[ "$DURATION" =~ ^[0-9]+$ ]] || { echo "--duration needs whole seconds" >&2; exit 2; }

# shellcheck source=scripts/common.sh
source scripts/common.sh
BIN=target/debug/eventflow
if [[ ! -x "$BIN" ]]; then
    echo "building the launcher ($BIN)"
    cargo build --bin eventflow
fi

read -r P_USU P_EVE P_RES P_NOT P_UI <<<"$(python3 -c '
import socket
s=[socket.socket() for _ in range(5)]
for x in s: x.bind(("127.0.0.1",0))
print(" ".join(str(x.getsockname()[1]) for x in s))
for x in s: x.close()')"
TMP="$(mktemp -d)"
LOG="$TMP/launcher.log"
LPID=""
cleanup() {
    if [[ -n "$LPID" ]] && kill -0 "$LPID" 2>/dev/null; then
        kill "$LPID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$LPID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$LPID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

env -u MONGODB_URI -u REDIS_URL -u AMQP_URL EVENTFLOW_BACKENDS=embedded \
    USUARIOS_PORT="$P_USU" EVENTOS_PORT="$P_EVE" RESERVAS_PORT="$P_RES" \
    NOTIFICACIONES_PORT="$P_NOT" UI_PORT="$P_UI" EVENTFLOW_BIND=127.0.0.1 \
    RESERVAS_ANONIMAS_POR_IP=100000000 \
    RUST_LOG="${RUST_LOG:-warn}" "$BIN" >"$LOG" 2>&1 </dev/null &
LPID=$!
echo "launcher pid $LPID: usuarios :$P_USU eventos :$P_EVE reservas :$P_RES notificaciones :$P_NOT ui :$P_UI"

set +e
python3 - "$LPID" "$DURATION" "$P_USU" "$P_EVE" "$P_RES" "$P_NOT" \
    "${SOAK_MAX_RSS_MB:-512}" "${SOAK_MAX_GROWTH_MB:-256}" <<'PY'
import json, random, sys, threading, time, urllib.request, urllib.error, uuid

pid, dur, pu, pe, pr, pn, max_rss, max_growth = sys.argv[1:]
dur, max_rss, max_growth = int(dur), int(max_rss), int(max_growth)
U, E, R, N = (f"http://127.0.0.1:{p}" for p in (pu, pe, pr, pn))
ADMIN = "eventflow-dev-admin"
fallos = []

def req(method, url, body=None, token=None, timeout=15, headers=None):
    data = None if body is None else json.dumps(body).encode()
    r = urllib.request.Request(url, data=data, method=method)
    for k, v in (headers or {}).items():
        r.add_header(k, v)
    if data is not None:
        r.add_header("Content-Type", "application/json")
    if token:
        r.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(r, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, raw.decode(errors="replace")
    except Exception as e:  # connection refused, timeout
        return 0, str(e)

def rss():
    kb = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                kb[k] = int(v.split()[0]) // 1024
    return kb

# Wait for health (60 s max).
fin = time.time() + 60
for base in (U, E, R, N):
    while req("GET", base + "/health", timeout=2)[0] != 200:
        if time.time() > fin:
            print("FAIL: the launcher never became healthy"); sys.exit(1)
        time.sleep(0.2)

eventos = []
for i in range(4):
    st, ev = req("POST", E + "/api/eventos", {"nombre": f"Soak {i}", "fecha": "2099-06-01T21:00:00Z",
        "lugar": "Lima", "max_por_comprador": 1000, "zonas": [{"nombre": "General", "precio": 2500, "capacidad": 150},
                                   {"nombre": "VIP", "precio": 9000, "capacidad": 40}]}, ADMIN)
    assert st == 201, (st, ev)
    eventos.append(ev["id"])
usuarios = []
for i in range(40):
    st, u = req("POST", U + "/api/usuarios", {"tipo_documento": "DNI", "nro_documento": f"{30000000+i:08d}",
        "nombre": "Soak", "apellido": f"N{i}", "email": f"soak{i}@example.com"})
    assert st == 201, (st, u)
    usuarios.append(u["id"])

lock = threading.Lock()
cuentas = {}
confirmadas = []          # ids that got a 201
def contar(k):
    with lock:
        cuentas[k] = cuentas.get(k, 0) + 1

base_rss = None
muestras = []
parar = threading.Event()
def trabajador(semilla):
    rnd = random.Random(semilla)
    while not parar.is_set():
        x = rnd.random()
        if x < 0.35:
            st, _ = req("GET", E + "/api/eventos")
            contar(f"list {st}")
            st, _ = req("GET", E + "/api/eventos/" + rnd.choice(eventos))
            contar(f"get {st}")
        elif x < 0.85:
            body = {"usuario_id": rnd.choice(usuarios), "evento_id": rnd.choice(eventos),
                    "cantidad": rnd.randint(1, 3), "zona": rnd.choice(["General", "General", "VIP"])}
            # Every booking a deliberate one, with its own key, as the UI sends them.
            st, r = req("POST", R + "/api/reservar", body,
                        headers={"Idempotency-Key": str(uuid.uuid4())})
            contar(f"book {st}")
            if st == 201:
                with lock:
                    # The guest's secret: only it (or the admin) may cancel.
                    confirmadas.append((r["id"], r["secreto"]))
            elif st == 0 or st >= 500 and (not isinstance(r, dict) or r.get("type") != "urn:eventflow:problem:sobrecarga"):
                fallos.append(f"book -> {st} {r}")
        else:
            with lock:
                elegible = list(confirmadas)
            if elegible:
                rid, secreto = rnd.choice(elegible)
                st, r = req("POST", f"{R}/api/reservas/{rid}/cancelar",
                            headers={"X-Reserva-Secreto": secreto})
                contar(f"cancel {st}")
                if st == 0 or st >= 500:
                    fallos.append(f"cancel -> {st} {r}")
        time.sleep(rnd.random() * 0.02)

hilos = [threading.Thread(target=trabajador, args=(i,)) for i in range(8)]
t0 = time.time()
for h in hilos: h.start()
while time.time() - t0 < dur:
    time.sleep(1)
    m = rss(); muestras.append(m)
    if base_rss is None and time.time() - t0 >= min(5, dur / 4):
        base_rss = m["VmRSS"]
parar.set()
for h in hilos: h.join(30)
if base_rss is None:
    base_rss = muestras[0]["VmRSS"] if muestras else rss()["VmRSS"]

# Every reservation of every buyer, until all are terminal (30 s max).
def todas():
    out = []
    for u in usuarios:
        off = 0
        while True:
            st, p = req("GET", f"{R}/api/reservas?usuario_id={u}&limit=100&offset={off}", token=ADMIN)
            assert st == 200, (st, p)
            out += p["items"]
            if len(p["items"]) < 100: break
            off += 100
    return out
fin = time.time() + 30
while True:
    rs = todas()
    abiertas = [r for r in rs if r["estado"] not in ("CONFIRMADA", "FALLIDA", "CANCELADA")]
    if not abiertas or time.time() > fin: break
    time.sleep(0.5)
for r in abiertas:
    fallos.append(f"not terminal: {r['id']} {r['estado']}")

# Inventory per event and zone.
vendidas_esperadas = {}
for r in rs:
    if r["estado"] == "CONFIRMADA":
        k = (r["evento_id"], r["zona"])
        vendidas_esperadas[k] = vendidas_esperadas.get(k, 0) + r["cantidad"]
for ev in eventos:
    st, e = req("GET", E + "/api/eventos/" + ev)
    for z in e["zonas"]:
        if z["capacidad"] != z["disponibles"] + z["vendidas"]:
            fallos.append(f"hold left: {ev} {z}")
        if z["vendidas"] != vendidas_esperadas.get((ev, z["nombre"]), 0):
            fallos.append(f"sold != confirmed - cancelled: {ev} {z} expected {vendidas_esperadas.get((ev, z['nombre']), 0)}")

# Reconciliation, as the organizer sees it: sales, reservations and payments agree.
discrepancias = 0
for ev in eventos:
    st, inf = req("GET", E + "/api/eventos/" + ev + "/conciliacion", token=ADMIN, timeout=60)
    if st != 200:
        fallos.append(f"reconciliation of {ev}: HTTP {st} {inf}")
        continue
    discrepancias += len(inf["discrepancias"])
    for d in inf["discrepancias"]:
        fallos.append(f"reconciliation of {ev}: {d}")

# Exactly one confirmation notification per reservation that was ever confirmed (20 s).
alguna_vez = [r["id"] for r in rs if r["estado"] in ("CONFIRMADA", "CANCELADA")]
def notifs(rid):
    st, p = req("GET", f"{N}/api/notificaciones?tipo=reserva-confirmada&reserva_id={rid}&limit=100",
                token=ADMIN)
    return len(p["items"]) if st == 200 else -1
fin = time.time() + 20
pendientes = list(alguna_vez)
while pendientes and time.time() < fin:
    pendientes = [rid for rid in pendientes if notifs(rid) == 0]
    if pendientes: time.sleep(0.5)
time.sleep(1)
for rid in alguna_vez:
    n = notifs(rid)
    if n != 1:
        fallos.append(f"reservation {rid}: {n} reserva-confirmada notifications")

final = rss()
hwm = max([m["VmHWM"] for m in muestras] + [final["VmHWM"]])
if hwm > max_rss:
    fallos.append(f"VmHWM {hwm} MB > {max_rss} MB")
if final["VmRSS"] - base_rss > max_growth:
    fallos.append(f"RSS grew {final['VmRSS'] - base_rss} MB > {max_growth} MB")

estados = {}
for r in rs: estados[r["estado"]] = estados.get(r["estado"], 0) + 1
total = sum(cuentas.values())
print(f"SOAK {dur} s: {total} requests ({total/dur:.0f}/s) {dict(sorted(cuentas.items()))}")
print(f"SOAK reservations {len(rs)} {estados}; ever confirmed {len(alguna_vez)}, each with one notification: {not any('notification' in f for f in fallos)}")
print(f"SOAK inventory: {len(eventos)} events x 2 zones checked; sold per zone {dict((k[0][:8]+'/'+k[1], v) for k, v in vendidas_esperadas.items())}")
print(f"SOAK reconciliation: {len(eventos)} events, {discrepancias} discrepancies")
print(f"SOAK memory: RSS after warm-up {base_rss} MB, final VmRSS {final['VmRSS']} MB, VmHWM {hwm} MB (bounds {max_rss} MB peak, +{max_growth} MB growth)")
if fallos:
    print(f"SOAK FAILED: {len(fallos)} violations")
    for f in fallos[:30]: print("  -", f)
    sys.exit(1)
print("SOAK OK: 0 violations")
PY
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    echo "--- launcher log (last 40 lines) ---"; tail -n 40 "$LOG" || true
fi
exit $rc
