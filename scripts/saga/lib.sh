#!/usr/bin/env bash
# scripts/saga/lib.sh — shared helpers for the SAGA curl scenarios. Sourced, never run.
#
# Environment (all optional):
#   USUARIOS_URL  EVENTOS_URL  RESERVAS_URL   base URLs (default http://127.0.0.1:8001/8002/8003)
#   ADMIN_TOKEN        organizer token for POST /api/eventos (default eventflow-dev-admin)
#   SAGA_LOCKS         where the checkout locks live: "redis" or "embedded". Default: "redis"
#                      when EVENTFLOW_BACKENDS=real, else "embedded" (the in-process lock
#                      store cannot be seen from outside; the reservation's log is shown).
#   SAGA_REDIS_URL     Redis to scan for lock keys (default $REDIS_URL, else redis://127.0.0.1:6379)
#   CURL_MAX_TIME      seconds per request (default 20)
#
# A scenario script does:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   scenario "01-exito" "what it shows"
#   ... http / reservar / expect_status / expect_json / show_state ...
# and ends with PASS (exit 0) or FAIL (exit 1, with the reason) printed as its last line.

set -euo pipefail

SAGA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SAGA_DIR/../.." && pwd)"

USUARIOS_URL="${USUARIOS_URL:-http://127.0.0.1:8001}"
EVENTOS_URL="${EVENTOS_URL:-http://127.0.0.1:8002}"
RESERVAS_URL="${RESERVAS_URL:-http://127.0.0.1:8003}"
USUARIOS_URL="${USUARIOS_URL%/}"
EVENTOS_URL="${EVENTOS_URL%/}"
RESERVAS_URL="${RESERVAS_URL%/}"
ADMIN_TOKEN="${ADMIN_TOKEN:-eventflow-dev-admin}"
CURL_MAX_TIME="${CURL_MAX_TIME:-20}"
if [[ -z "${SAGA_LOCKS:-}" ]]; then
    if [[ "${EVENTFLOW_BACKENDS:-embedded}" == real ]]; then SAGA_LOCKS=redis; else SAGA_LOCKS=embedded; fi
fi
SAGA_REDIS_URL="${SAGA_REDIS_URL:-${REDIS_URL:-redis://127.0.0.1:6379}}"

# Test cards (see README). Used by the scenarios that source this file.
# shellcheck disable=SC2034
CARD_OK=4242424242424242 CARD_DECLINED=4000000000000002 \
    CARD_NO_FUNDS=4000000000009995 CARD_PROCESSING_ERROR=4000000000000119

SAGA_NAME="$(basename "$0" .sh)"
SAGA_SCENARIO=0

for _tool in curl python3; do
    command -v "$_tool" >/dev/null 2>&1 || {
        printf 'FAIL [%s]: %s is required but not installed\n' "$SAGA_NAME" "$_tool" >&2
        exit 1
    }
done
unset _tool

rand_hex() { # rand_hex N: N random hex digits
    od -An -N"$(((${1:-8} + 1) / 2))" -tx1 /dev/urandom | tr -d ' \n' | cut -c1-"${1:-8}"
}

# Unique per run: names of events and buyers carry it, so runs never collide (even on a
# shared MongoDB, whose database names are fixed).
RUN_ID="${SAGA_RUN_ID:-$(date -u +%Y%m%d%H%M%S)-$(rand_hex 4)}"

SAGA_TMP="$(mktemp -d "${TMPDIR:-/tmp}/saga.XXXXXX")"

# ---------------------------------------------------------------------------
# Exit handling: cleanups registered with on_exit run in reverse order, always.
# ---------------------------------------------------------------------------
_SAGA_CLEANUPS=()
on_exit() { _SAGA_CLEANUPS+=("$*"); }

_saga_exit() {
    local rc=$? i
    set +e
    for ((i = ${#_SAGA_CLEANUPS[@]} - 1; i >= 0; i--)); do
        eval "${_SAGA_CLEANUPS[i]}"
    done
    rm -rf "$SAGA_TMP"
    if ((SAGA_SCENARIO)); then
        if ((rc == 0)); then
            printf '\nPASS %s\n' "$SAGA_NAME"
        else
            printf '\nFAIL %s (exit %d)\n' "$SAGA_NAME" "$rc"
        fi
    fi
    exit "$rc"
}
trap _saga_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------
# Printing
# ---------------------------------------------------------------------------
scenario() { # scenario NAME DESCRIPTION
    SAGA_SCENARIO=1
    SAGA_NAME="$1"
    printf '\n==================== %s ====================\n' "$1"
    printf '%s\n' "$2"
    printf 'usuarios=%s eventos=%s reservas=%s locks=%s run=%s\n' \
        "$USUARIOS_URL" "$EVENTOS_URL" "$RESERVAS_URL" "$SAGA_LOCKS" "$RUN_ID"
}
step() { printf '\n--- %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
ok() { printf '  ok: %s\n' "$*"; }
fail() {
    printf '\nFAIL [%s]: %s\n' "$SAGA_NAME" "$*" >&2
    exit 1
}

indent() { sed 's/^/    /'; }

# pretty FILE: the body as indented JSON (jq if present, else python3), raw otherwise.
pretty() {
    local f=$1
    if [[ ! -s "$f" ]]; then
        echo "(empty body)"
    elif command -v jq >/dev/null 2>&1 && jq . "$f" 2>/dev/null; then
        :
    elif python3 -m json.tool --no-ensure-ascii "$f" 2>/dev/null; then
        :
    else
        cat "$f"
        echo
    fi
}

# ---------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------
_SAGA_N=0
HTTP_STATUS=""
RESP=""
RESP_HEADERS=""

# http METHOD URL [BODY [curl args...]]: prints the request and the response.
# BODY "" means no body. Extra args go to curl, e.g. -H 'Idempotency-Key: k'.
# Sets HTTP_STATUS (000 when curl could not connect), HTTP_MS, RESP (body file) and
# RESP_HEADERS (header file). Never fails on an HTTP error: check with expect_status.
http() { _http 1 "$@"; }
# Same, silently (for state reads).
http_quiet() { _http 0 "$@"; }

_http() {
    local verbose=$1 method=$2 url=$3 body=${4:-}
    shift 3
    (($#)) && shift
    _SAGA_N=$((_SAGA_N + 1))
    RESP="$SAGA_TMP/resp-$_SAGA_N.body"
    RESP_HEADERS="$SAGA_TMP/resp-$_SAGA_N.headers"
    : >"$RESP"
    : >"$RESP_HEADERS"
    local args=(-sS -X "$method" -o "$RESP" -D "$RESP_HEADERS" -w '%{http_code} %{time_total}'
        --max-time "$CURL_MAX_TIME")
    if [[ -n "$body" ]]; then
        args+=(-H 'Content-Type: application/json' --data-binary "$body")
    fi
    args+=("$@")
    if ((verbose)); then
        printf '>>> %s %s\n' "$method" "$url"
        local a prev=""
        for a in "$@"; do
            if [[ "$prev" == -H ]]; then
                if [[ "$a" == Authorization:* && "$a" != *eventflow-dev-admin ]]; then
                    a="Authorization: Bearer (redacted)"
                fi
                printf '    %s\n' "$a"
            fi
            prev=$a
        done
        if [[ -n "$body" ]]; then
            printf '%s' "$body" >"$SAGA_TMP/req.json"
            pretty "$SAGA_TMP/req.json" | indent
        fi
    fi
    local out rc=0
    out=$(curl "${args[@]}" "$url" 2>"$SAGA_TMP/curl.err") || rc=$?
    HTTP_STATUS=${out%% *}
    HTTP_MS=$(awk -v t="${out#* }" 'BEGIN { printf "%d", t * 1000 }')
    if ((rc != 0)); then
        HTTP_STATUS=000
        if ((verbose)); then
            printf '<<< no response: curl exit %d: %s\n' "$rc" "$(tr '\n' ' ' <"$SAGA_TMP/curl.err")"
        fi
        return 0
    fi
    if ((verbose)); then
        printf '<<< HTTP %s (%s ms)\n' "$HTTP_STATUS" "$HTTP_MS"
        grep -iE '^(idempotent-replayed|location|x-cache):' "$RESP_HEADERS" | tr -d '\r' | indent || true
        pretty "$RESP" | indent
    fi
}

# header NAME: the value of a response header of the last request ("" if absent).
header() {
    grep -i "^$1:" "$RESP_HEADERS" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//' || true
}

# jget FILE EXPR: evaluates the Python expression EXPR with the JSON document bound to d.
# Strings print raw, anything else as compact JSON (true/false/null, numbers, lists).
jget() {
    python3 - "$1" "$2" <<'PY'
import json, sys
path, expr = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as fh:
        d = json.load(fh)
except Exception as e:
    sys.exit(f"the body is not JSON ({e})")
try:
    # Everything in globals, so comprehensions inside EXPR see d and json too.
    v = eval(expr, {"d": d, "json": json})
except Exception as e:
    sys.exit(f"{expr} -> {type(e).__name__}: {e}")
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True))
PY
}

# ---------------------------------------------------------------------------
# Expectations: each exits non-zero with a clear message when not met.
# ---------------------------------------------------------------------------
_last_body_excerpt() { head -c 800 "$RESP" 2>/dev/null | tr '\n' ' '; }

# expect_status CODE [what]: the last response's status must be CODE.
expect_status() {
    local want=$1 what=${2:-}
    if [[ "$HTTP_STATUS" != "$want" ]]; then
        fail "expected HTTP $want${what:+ ($what)} but got $HTTP_STATUS; body: $(_last_body_excerpt)"
    fi
    ok "HTTP $want${what:+ — $what}"
}

# expect_json [-f FILE] EXPR EXPECTED [what]: EXPR (Python, document in d) evaluated on
# FILE (default: the last response body) must print exactly EXPECTED.
expect_json() {
    local file=$RESP
    if [[ "${1:-}" == -f ]]; then
        file=$2
        shift 2
    fi
    local expr=$1 want=$2 what=${3:-$1} got
    if ! got=$(jget "$file" "$expr" 2>"$SAGA_TMP/jget.err"); then
        fail "$what: cannot evaluate $expr: $(cat "$SAGA_TMP/jget.err"); body: $(head -c 800 "$file" | tr '\n' ' ')"
    fi
    if [[ "$got" != "$want" ]]; then
        fail "$what: expected $want, got $got"
    fi
    ok "$what = $want"
}

# expect_history USUARIO_ID EXPR WANT what: reads the buyer's profile as the platform
# admin (a profile is private, and a guest has no session) until EXPR gives WANT, for up
# to 5 s. The purchase history follows the bus: it lands a moment after the 201.
expect_history() {
    local usuario=$1 expr=$2 want=$3 what=$4 i
    for i in $(seq 50); do
        http_quiet GET "$USUARIOS_URL/api/usuarios/$usuario" "" -H "Authorization: Bearer $ADMIN_TOKEN"
        [[ "$(jget "$RESP" "$expr" 2>/dev/null)" == "$want" ]] && break
        sleep 0.1
    done
    expect_status 200
    expect_json "$expr" "$want" "$what"
}

# expect_eq ACTUAL EXPECTED what
expect_eq() {
    if [[ "$1" != "$2" ]]; then
        fail "$3: expected ${2:-(empty)}, got ${1:-(empty)}"
    fi
    ok "$3 = ${2:-(empty)}"
}

# expect_problem SLUG: the last response is problem+json of type urn:eventflow:problem:SLUG.
expect_problem() {
    expect_json 'd["type"]' "urn:eventflow:problem:$1" "problem type"
}

# ---------------------------------------------------------------------------
# Domain helpers
# ---------------------------------------------------------------------------
EVENTO_ID=""
USUARIO_ID=""
USUARIO_EMAIL=""

future_date() { # an RFC 3339 instant about a year ahead
    date -u -d '+365 days' +%Y-%m-%dT21:00:00Z 2>/dev/null || echo "2099-12-31T21:00:00Z"
}

# new_event TAG [ZONES_JSON]: creates a fresh event (unique name) and sets EVENTO_ID.
# Default zones: Campo (8000, 100 tickets) and Platea (15000, 20 tickets).
new_event() {
    local tag=$1
    local zonas=${2:-'[{"nombre":"Campo","precio":8000,"capacidad":100},{"nombre":"Platea","precio":15000,"capacidad":20}]'}
    step "create a fresh event (organizer)"
    local body
    body=$(printf '{"nombre":"SAGA %s %s","fecha":"%s","lugar":"Sala SAGA %s","zonas":%s}' \
        "$tag" "$RUN_ID" "$(future_date)" "$RUN_ID" "$zonas")
    http POST "$EVENTOS_URL/api/eventos" "$body" -H "Authorization: Bearer $ADMIN_TOKEN"
    expect_status 201 "event created"
    EVENTO_ID=$(jget "$RESP" 'd["id"]')
    info "EVENTO_ID=$EVENTO_ID"
}

# new_buyer TAG: registers a fresh buyer (unique email and document) and sets USUARIO_ID
# and USUARIO_EMAIL.
new_buyer() {
    local tag=$1 suf
    suf=$(rand_hex 12)
    USUARIO_EMAIL="saga-$tag-$suf@example.com"
    step "register a fresh buyer"
    http POST "$USUARIOS_URL/api/usuarios" \
        "$(printf '{"tipo_documento":"DNI","nro_documento":"SG-%s","nombre":"Saga","apellido":"Prueba","email":"%s"}' \
            "$suf" "$USUARIO_EMAIL")"
    expect_status 201 "buyer registered"
    USUARIO_ID=$(jget "$RESP" 'd["id"]')
    info "USUARIO_ID=$USUARIO_ID"
}

# reserva_body [ZONA [CANTIDAD [CARD [USUARIO_ID [EVENTO_ID]]]]]: a POST /api/reservar body.
reserva_body() {
    local zona=${1:-Campo} cantidad=${2:-1} card=${3:-$CARD_OK}
    local usuario=${4:-$USUARIO_ID} evento=${5:-$EVENTO_ID}
    printf '{"usuario_id":"%s","evento_id":"%s","zona":"%s","cantidad":%s,"pago":{"metodo":"tarjeta","numero_tarjeta":"%s"}}' \
        "$usuario" "$evento" "$zona" "$cantidad" "$card"
}

# reservar BODY [curl args...]: POST /api/reservar (printed).
reservar() {
    local body=$1
    shift
    # Every purchase is a deliberate attempt with a key of its own, as the UI sends it:
    # without one, an identical request within 10 s counts as a double submission and
    # gets the first reservation back. Pass -H 'Idempotency-Key: …' to choose it.
    if [[ " $* " != *"Idempotency-Key"* ]]; then
        set -- "$@" -H "Idempotency-Key: $(nueva_clave)"
    fi
    http POST "$RESERVAS_URL/api/reservar" "$body" "$@"
    # A guest (no session) opens the reservation later with its secret, shown once.
    SECRETO=$(jget "$RESP" 'd.get("secreto") or ""' 2>/dev/null || true)
}

# The platform admin's credential, for the operator's state reads (reservations are
# private: their buyer, its secret, the event's organizer or the admin).
COMO_ADMIN=(-H "Authorization: Bearer $ADMIN_TOKEN")

# nueva_clave: a fresh UUID for an Idempotency-Key.
nueva_clave() {
    python3 -c 'import uuid; print(uuid.uuid4())'
}

# fetch_event [EVENTO_ID]: GET the event quietly into EVENT_FILE (fails if not 200).
EVENT_FILE=""
fetch_event() {
    local id=${1:-$EVENTO_ID}
    http_quiet GET "$EVENTOS_URL/api/eventos/$id"
    [[ "$HTTP_STATUS" == 200 ]] || fail "GET /api/eventos/$id answered $HTTP_STATUS: $(_last_body_excerpt)"
    EVENT_FILE="$SAGA_TMP/event-$_SAGA_N.json"
    cp "$RESP" "$EVENT_FILE"
}

# zona_field ZONA FIELD: a zone's field from the last fetch_event (disponibles, vendidas...).
zona_field() {
    jget "$EVENT_FILE" "[z for z in d['zonas'] if z['nombre'] == '$1'][0]['$2']"
}

# availability [EVENTO_ID]: prints each zone's availability, from a fresh GET.
# shellcheck disable=SC2120 # the argument is optional
availability() {
    fetch_event "${1:-}"
    info "availability of event ${1:-$EVENTO_ID}:"
    jget "$EVENT_FILE" '"\n".join("  %-10s disponibles=%-4s vendidas=%-4s capacidad=%s" % (z["nombre"], z["disponibles"], z["vendidas"], z["capacidad"]) for z in d["zonas"])' | indent
}

# availability_snapshot [EVENTO_ID]: one comparable line, [[zona, disponibles, vendidas], ...].
availability_snapshot() {
    fetch_event "${1:-}"
    jget "$EVENT_FILE" '[[z["nombre"], z["disponibles"], z["vendidas"]] for z in d["zonas"]]'
}

# expect_zona ZONA DISPONIBLES VENDIDAS: fresh GET of the event, then checks one zone.
expect_zona() {
    fetch_event
    local disp vend
    disp=$(zona_field "$1" disponibles)
    vend=$(zona_field "$1" vendidas)
    if [[ "$disp/$vend" != "$2/$3" ]]; then
        fail "zone $1: expected disponibles=$2 vendidas=$3, got disponibles=$disp vendidas=$vend"
    fi
    ok "zone $1: disponibles=$2 vendidas=$3"
}

# fetch_log RESERVA_ID: GET the reservation's event log quietly into LOG_FILE; sets
# LOG_TIPOS (space-separated tipo list).
LOG_FILE=""
LOG_TIPOS=""
fetch_log() {
    http_quiet GET "$RESERVAS_URL/api/reservas/$1/eventos" "" "${COMO_ADMIN[@]}"
    [[ "$HTTP_STATUS" == 200 ]] || fail "GET /api/reservas/$1/eventos answered $HTTP_STATUS: $(_last_body_excerpt)"
    LOG_FILE="$SAGA_TMP/log-$_SAGA_N.json"
    cp "$RESP" "$LOG_FILE"
    LOG_TIPOS=$(jget "$LOG_FILE" '" ".join(e["tipo"] for e in d["eventos"])')
}

# show_log RESERVA_ID: prints the event log, one line per entry.
show_log() {
    fetch_log "$1"
    info "event log of reservation $1 (tipo list): $LOG_TIPOS"
    jget "$LOG_FILE" '"\n".join("  #%-2s %-22s %s" % (e["seq"], e["tipo"], json.dumps(e["datos"], ensure_ascii=False)) for e in d["eventos"])' | indent
}

# expect_log_has RESERVA_ID TIPO...: every TIPO is in the log.
expect_log_has() {
    local rid=$1 t
    shift
    fetch_log "$rid"
    for t in "$@"; do
        [[ " $LOG_TIPOS " == *" $t "* ]] || fail "log of $rid lacks $t; it has: $LOG_TIPOS"
    done
    ok "log has $*"
}

# expect_log_lacks RESERVA_ID TIPO...: no TIPO is in the log.
expect_log_lacks() {
    local rid=$1 t
    shift
    fetch_log "$rid"
    for t in "$@"; do
        [[ " $LOG_TIPOS " != *" $t "* ]] || fail "log of $rid unexpectedly has $t: $LOG_TIPOS"
    done
    ok "log has none of $*"
}

# log_mentions RESERVA_ID TEXT: true when some log entry's datos contain TEXT.
log_mentions() {
    fetch_log "$1"
    [[ "$(jget "$LOG_FILE" "any('''$2''' in str(e['datos']) for e in d['eventos'])")" == true ]]
}

lock_key() { # lock_key EVENTO_ID USUARIO_ID: the checkout lock's Redis key
    printf 'lock:evento:%s:usuario:%s' "$1" "$2"
}

redis_cli() {
    command -v redis-cli >/dev/null 2>&1 || fail "SAGA_LOCKS=redis but redis-cli is not installed"
    redis-cli -u "$SAGA_REDIS_URL" "$@"
}

# show_locks [RESERVA_ID]: the lock keys (Redis), or on embedded backends the lock lines
# of the reservation's log.
show_locks() {
    if [[ "$SAGA_LOCKS" == redis ]]; then
        local keys n
        keys=$(redis_cli --scan --pattern 'lock:*' 2>&1) || fail "redis-cli --scan on $SAGA_REDIS_URL failed: $keys"
        n=$(grep -c . <<<"$keys" || true)
        info "lock keys in $SAGA_REDIS_URL (redis-cli --scan --pattern 'lock:*'): $n"
        if [[ -n "$keys" ]]; then head -n 20 <<<"$keys" | indent; fi
        if [[ -n "$EVENTO_ID" ]]; then
            info "of them for this event: $(grep -c -- "$EVENTO_ID" <<<"$keys" || true)"
        fi
    elif [[ -n "${1:-}" ]]; then
        fetch_log "$1"
        info "locks: embedded lock store (in-process, not visible from outside); from the log of $1:"
        jget "$LOG_FILE" '"\n".join("  #%s %s %s" % (e["seq"], e["tipo"], e["datos"].get("clave") or e["datos"].get("accion")) for e in d["eventos"] if e["tipo"] == "LockAdquirido" or "bloqueo" in str(e["datos"].get("accion", ""))) or "  (no lock lines)"' | indent
    else
        info "locks: embedded lock store (in-process, not visible from outside)"
    fi
}

# show_state [RESERVA_ID]: availability per zone, the reservation (if any), its log and locks.
show_state() {
    step "state"
    availability
    if [[ -n "${1:-}" ]]; then
        http_quiet GET "$RESERVAS_URL/api/reservas/$1" "" "${COMO_ADMIN[@]}"
        if [[ "$HTTP_STATUS" == 200 ]]; then
            info "reservation $1: $(jget "$RESP" '"estado=%s zona=%s cantidad=%s total=%s pago=%s" % (d["estado"], d["zona"], d["cantidad"], d["total"], d["pago"] and d["pago"]["estado"])')"
        else
            info "reservation $1: GET answered $HTTP_STATUS"
        fi
        show_log "$1"
    fi
    show_locks "${1:-}"
}

# expect_lock_released EVENTO_ID USUARIO_ID [RESERVA_ID]: the buyer's checkout lock for the
# event is gone. Redis: the key does not exist. Embedded: the log shows "bloqueo de compra
# liberado", or the log never took one; otherwise (a confirmed SAGA releases without a log
# entry) a probe booking with the declined card must reach the payment (402), not 409
# compra-en-curso. The probe leaves availability unchanged.
expect_lock_released() {
    local evento=$1 usuario=$2 rid=${3:-}
    local key
    key=$(lock_key "$evento" "$usuario")
    if [[ "$SAGA_LOCKS" == redis ]]; then
        local n
        n=$(redis_cli EXISTS "$key") || fail "redis-cli EXISTS failed: $n"
        [[ "$n" == 0 ]] || fail "lock $key still exists in $SAGA_REDIS_URL (owner $(redis_cli GET "$key"))"
        ok "lock $key deleted (redis EXISTS = 0)"
        return 0
    fi
    if [[ -n "$rid" ]]; then
        fetch_log "$rid"
        if [[ " $LOG_TIPOS " != *" LockAdquirido "* ]]; then
            ok "no lock was ever taken (no LockAdquirido in the log)"
            return 0
        fi
        if log_mentions "$rid" "bloqueo de compra liberado"; then
            ok "lock released (log: CompensacionEjecutada \"bloqueo de compra liberado\")"
            return 0
        fi
    fi
    # A zone to probe: the reservation's, else the event's first.
    local zona=""
    if [[ -n "$rid" ]]; then
        http_quiet GET "$RESERVAS_URL/api/reservas/$rid" "" "${COMO_ADMIN[@]}"
        [[ "$HTTP_STATUS" != 200 ]] || zona=$(jget "$RESP" 'd["zona"] or ""')
    fi
    if [[ -z "$zona" ]]; then
        fetch_event "$evento"
        zona=$(jget "$EVENT_FILE" 'd["zonas"][0]["nombre"]')
    fi
    info "embedded locks are invisible: probing with a declined card (402, or 409 agotado = lock free; 409 compra-en-curso = still held)"
    local saved_status=$HTTP_STATUS saved_resp=$RESP saved_headers=$RESP_HEADERS type
    http POST "$RESERVAS_URL/api/reservar" "$(reserva_body "$zona" 1 "$CARD_DECLINED" "$usuario" "$evento")" \
        -H "Idempotency-Key: $(nueva_clave)"
    type=$(jget "$RESP" 'd.get("type", "")' 2>/dev/null || true)
    case "$HTTP_STATUS $type" in
    "409 urn:eventflow:problem:compra-en-curso")
        fail "lock $key is still held: the probe got 409 compra-en-curso" ;;
    "402 "* | "409 urn:eventflow:problem:agotado")
        ok "lock free: the probe took it and released it ($HTTP_STATUS ${type##*:})" ;;
    *)
        fail "lock probe: expected 402 (lock free, card declined), got $HTTP_STATUS: $(_last_body_excerpt)" ;;
    esac
    HTTP_STATUS=$saved_status RESP=$saved_resp RESP_HEADERS=$saved_headers
}

# ---------------------------------------------------------------------------
# Launcher management (run-all.sh --start, 08-redis-caido.sh)
# ---------------------------------------------------------------------------

# free_ports N (scripts/common.sh): N distinct free TCP ports on 127.0.0.1.
# shellcheck source=scripts/common.sh
source "$REPO_ROOT/scripts/common.sh"

# launcher_bin: path of the launcher binary, built with cargo if missing.
launcher_bin() {
    local bin=${EVENTFLOW_BIN:-$REPO_ROOT/target/debug/eventflow}
    if [[ ! -x "$bin" ]]; then
        printf '%s not found: cargo build --bin eventflow\n' "$bin" >&2
        (cd "$REPO_ROOT" && cargo build --bin eventflow >&2) || {
            printf 'cargo build --bin eventflow failed\n' >&2
            return 1
        }
    fi
    printf '%s\n' "$bin"
}

# stop_pid PID NAME: SIGTERM, up to 10 s, then SIGKILL. Only for processes we started.
stop_pid() {
    local pid=$1 name=$2 i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    printf '    stopping %s (pid %s)\n' "$name" "$pid"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        printf '    %s did not stop in 10 s: SIGKILL\n' "$name"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# start_launcher LOGFILE: starts the launcher with the current environment (ports and
# backends already exported) and sets LAUNCHER_PID. The caller registers stop_launcher.
LAUNCHER_PID=""
LAUNCHER_LOG=""
start_launcher() {
    LAUNCHER_LOG=$1
    local bin
    bin=$(launcher_bin)
    printf '    starting %s (log: %s)\n' "$bin" "$LAUNCHER_LOG"
    (cd "$REPO_ROOT" && exec "$bin") >"$LAUNCHER_LOG" 2>&1 </dev/null &
    LAUNCHER_PID=$!
}

stop_launcher() {
    stop_pid "$LAUNCHER_PID" launcher
    LAUNCHER_PID=""
}

# launcher_log_tail [N]: the launcher log's last N lines (default 40), without colours or
# backtrace frames.
# shellcheck disable=SC2120 # the argument is optional
launcher_log_tail() {
    [[ -n "$LAUNCHER_LOG" && -s "$LAUNCHER_LOG" ]] || return 0
    sed 's/\x1b\[[0-9;]*m//g' "$LAUNCHER_LOG" | grep -vE '^ +[0-9]+: |^ +at ' | tail -n "${1:-40}" || true
}

# wait_healthy SECONDS: until /health answers 200 on usuarios, eventos and reservas.
wait_healthy() {
    local limit=$1 url deadline=$((SECONDS + $1))
    for url in "$USUARIOS_URL" "$EVENTOS_URL" "$RESERVAS_URL"; do
        until curl -fsS --max-time 2 "$url/health" >/dev/null 2>&1; do
            if [[ -n "$LAUNCHER_PID" ]] && ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then
                printf 'the launcher exited before %s/health answered; its log:\n' "$url" >&2
                launcher_log_tail >&2
                return 1
            fi
            if ((SECONDS >= deadline)); then
                printf '%s/health did not answer within %s s; launcher log:\n' "$url" "$limit" >&2
                launcher_log_tail >&2
                return 1
            fi
            sleep 0.3
        done
    done
}
