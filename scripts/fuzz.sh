#!/usr/bin/env bash
# scripts/fuzz.sh — property-based API fuzzing with schemathesis against the OpenAPI
# document of every service (/api-docs/openapi.json).
#
#   scripts/fuzz.sh
#
# 1. a Python venv outside the repo, reused between runs:
#    ${XDG_CACHE_HOME:-$HOME/.cache}/eventflow/venv-schemathesis, with a pinned
#    schemathesis (SCHEMATHESIS_VERSION);
# 2. the launcher (target/debug/eventflow, built when missing, or $EVENTFLOW_BIN) on
#    embedded backends and free ports, always stopped on exit;
# 3. seeds a buyer and an event, so the fuzzer also hits ids that exist;
# 4. `schemathesis run` on every operation of each service, with the checks
#    not_a_server_error, status_code_conformance, response_schema_conformance,
#    content_type_conformance, negative_data_rejection and requeridos_documentados
#    (the OpenAPI's `required` lists agree with what handlers refuse; FUZZ_CHECKS
#    replaces the list), FUZZ_MAX_EXAMPLES examples per operation (default 100)
#    and a fixed seed (FUZZ_SEED, default 20240601). Runs:
#      anonymous       every service, every route, plus sin_fuga_anonima
#                      (scripts/fuzz_hooks.py): no private route answers 2xx
#      admin, internal usuarios and eventos with the platform admin token, and their
#                      /internal/* routes with the service token
#      a buyer         every service with a buyer's session: no 5xx past the session check
#
# Prints one line per run and exits non-zero when any run found a failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO_ROOT=$PWD

SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
FUZZ_MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-100}"
FUZZ_SEED="${FUZZ_SEED:-20240601}"
ADMIN_TOKEN="eventflow-dev-admin"
# Each service's development credential: an internal route accepts only its callers'.
TOKEN_USUARIOS="eventflow-dev-usuarios"
TOKEN_EVENTOS="eventflow-dev-eventos"
TOKEN_RESERVAS="eventflow-dev-reservas"

# shellcheck source=scripts/common.sh
source scripts/common.sh
for tool in python3 curl; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "fuzz.sh: $tool is required" >&2
        exit 1
    }
done

# ---------------------------------------------------------------------------
# 1. schemathesis in a reusable venv
# ---------------------------------------------------------------------------
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/eventflow/venv-schemathesis"
ST="$VENV/bin/schemathesis"
if [[ ! -x "$VENV/bin/python" ]]; then
    echo "== creating $VENV"
    mkdir -p "$(dirname "$VENV")"
    python3 -m venv "$VENV"
fi
if [[ "$("$ST" --version 2>/dev/null || true)" != *" $SCHEMATHESIS_VERSION" ]]; then
    echo "== pip install schemathesis==$SCHEMATHESIS_VERSION"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
echo "== $("$ST" --version)"

# ---------------------------------------------------------------------------
# 2. the launcher, on embedded backends and free ports
# ---------------------------------------------------------------------------
BIN="${EVENTFLOW_BIN:-$REPO_ROOT/target/debug/eventflow}"
if [[ ! -x "$BIN" ]]; then
    echo "== $BIN not found: cargo build --bin eventflow"
    cargo build --bin eventflow
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")"
LAUNCHER_PID=""
LAUNCHER_LOG="$TMP/launcher.log"

cleanup() {
    local rc=$?
    set +e
    if [[ -n "$LAUNCHER_PID" ]] && kill -0 "$LAUNCHER_PID" 2>/dev/null; then
        kill -TERM "$LAUNCHER_PID" 2>/dev/null
        for _ in $(seq 1 50); do
            kill -0 "$LAUNCHER_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$LAUNCHER_PID" 2>/dev/null
        wait "$LAUNCHER_PID" 2>/dev/null
    fi
    rm -rf "$TMP"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

read -r P_USU P_EVE P_RES P_NOT P_UI <<<"$(free_ports 5)"
USU="http://127.0.0.1:$P_USU"
EVE="http://127.0.0.1:$P_EVE"
RES="http://127.0.0.1:$P_RES"
NOT="http://127.0.0.1:$P_NOT"

echo "== starting $BIN (embedded backends; usuarios=$P_USU eventos=$P_EVE reservas=$P_RES notificaciones=$P_NOT ui=$P_UI)"
(
    export USUARIOS_PORT=$P_USU EVENTOS_PORT=$P_EVE RESERVAS_PORT=$P_RES
    export NOTIFICACIONES_PORT=$P_NOT UI_PORT=$P_UI EVENTFLOW_BIND=127.0.0.1
    # Embedded whatever the caller exported (scripts/test.sh exports real backends).
    export EVENTFLOW_BACKENDS=embedded
    # Hundreds of guest checkouts from one address: fuzz the SAGA, not the 429.
    export RESERVAS_ANONIMAS_POR_IP=100000000
    export EVENTFLOW_ADMIN_TOKEN=$ADMIN_TOKEN EVENTFLOW_TOKEN_USUARIOS=$TOKEN_USUARIOS
    export EVENTFLOW_TOKEN_EVENTOS=$TOKEN_EVENTOS EVENTFLOW_TOKEN_RESERVAS=$TOKEN_RESERVAS
    export RUST_LOG="${RUST_LOG:-warn}"
    cd "$REPO_ROOT" && exec "$BIN"
) >"$LAUNCHER_LOG" 2>&1 </dev/null &
LAUNCHER_PID=$!

deadline=$((SECONDS + 120))
for url in "$USU" "$EVE" "$RES" "$NOT"; do
    until curl -fsS --max-time 2 "$url/health" >/dev/null 2>&1; do
        if ! kill -0 "$LAUNCHER_PID" 2>/dev/null || ((SECONDS >= deadline)); then
            echo "fuzz.sh: the launcher did not answer $url/health; its log:" >&2
            tail -n 40 "$LAUNCHER_LOG" >&2
            exit 1
        fi
        sleep 0.3
    done
done
echo "    launcher ready (pid $LAUNCHER_PID)"

# ---------------------------------------------------------------------------
# 3. seed data: a buyer and an event
# ---------------------------------------------------------------------------
seed() { # seed URL BODY [curl args...]: POST, expects 201, prints the id
    local url=$1 body=$2 out
    shift 2
    out=$(curl -fsS --max-time 10 -X POST "$url" -H 'content-type: application/json' "$@" -d "$body") || {
        echo "fuzz.sh: seeding $url failed" >&2
        exit 1
    }
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$out"
}
# The ids and the email are the OpenAPI documents' own examples, so the examples and the
# generated cases reach existing resources too (GET /api/usuarios/{id} by email, the
# event behind GET /api/eventos/{id}, and a bookable POST /api/reservar).
USUARIO_ID=$(seed "$USU/api/usuarios" \
    '{"tipo_documento":"DNI","nro_documento":"45678912","nombre":"Ana","apellido":"Quispe","email":"ana.quispe@example.com"}')
FECHA=$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)+d.timedelta(days=400)).strftime("%Y-%m-%dT21:00:00Z"))')
EVENTO_ID=$(seed "$EVE/api/eventos" \
    "{\"id\":\"5b0c3f6e-8f0a-4b8e-9a3e-0c1d2e3f4a5b\",\"nombre\":\"Rock en el Parque\",\"fecha\":\"$FECHA\",\"lugar\":\"Estadio Nacional\",\"zonas\":[{\"nombre\":\"Campo\",\"precio\":8000,\"capacidad\":1000},{\"nombre\":\"Platea\",\"precio\":15000,\"capacidad\":500}]}" \
    -H "Authorization: Bearer $ADMIN_TOKEN")
echo "    seeded usuario $USUARIO_ID and evento $EVENTO_ID"

# ---------------------------------------------------------------------------
# 4. schemathesis, one run per service (two for eventos)
# ---------------------------------------------------------------------------
# negative_data_rejection: a request the schema forbids (a required field left out, a
# value past its maximum) must not get a 2xx; requeridos_documentados (fuzz_hooks.py):
# a field the handler refuses as missing must be `required` in the schema.
CHECKS=${FUZZ_CHECKS:-not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,negative_data_rejection,requeridos_documentados}
RESULTS=()
FAILED=0

# fuzz NAME BASE_URL [extra schemathesis args...]
fuzz() {
    local name=$1 base=$2 rc t0=$SECONDS log="$TMP/$1.log"
    shift 2
    printf '\n==== schemathesis: %s (%s)\n' "$name" "$base"
    set +e
    # From $TMP: schemathesis keeps a per-project cache (.schemathesis/) in its working
    # directory, which must not land in the repo.
    (cd "$TMP" && PYTHONPATH="$REPO_ROOT/scripts" SCHEMATHESIS_HOOKS=fuzz_hooks \
        "$ST" run "$base/api-docs/openapi.json" \
        --url "$base" \
        --checks "$CHECKS" \
        --max-examples "$FUZZ_MAX_EXAMPLES" \
        --seed "$FUZZ_SEED" \
        --workers 1 \
        --phases examples,coverage,fuzzing \
        --request-timeout 20 \
        --generation-with-security-parameters false \
        --generation-database none \
        --suppress-health-check all \
        --no-color \
        "$@") 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    set -e
    local summary ops cases
    ops=$(grep -m1 -oE 'Operations: +[0-9]+ selected' "$log" | grep -oE '[0-9]+' || echo '?')
    cases=$(grep -A1 '^Test cases:' "$log" | tail -n1 | sed 's/^ *//' || true)
    summary="$ops operations; test cases: ${cases:-?}"
    if ((rc == 0)); then
        RESULTS+=("PASS  $name ($((SECONDS - t0)) s): $summary")
    else
        RESULTS+=("FAIL  $name ($((SECONDS - t0)) s, exit $rc): $summary")
        FAILED=$((FAILED + 1))
    fi
}

# 4a. Anonymously, every service, every route: besides the checks above, no operation
#     that is not public by decision (`security` with `{}`) may answer 2xx to a request
#     that carried no credential (scripts/fuzz_hooks.py: sin_fuga_anonima).
for svc in "usuarios:$USU" "eventos:$EVE" "reservas-pagos:$RES" "notificaciones:$NOT"; do
    fuzz "${svc%%:*} (anonymous: no private route answers 2xx)" "${svc#*:}" \
        --checks "$CHECKS,sin_fuga_anonima"
done
# fuzz_as TOKEN NAME BASE_URL [extra schemathesis args...]: with that bearer credential.
fuzz_as() {
    local token=$1
    shift
    fuzz "$@" -H "Authorization: Bearer $token"
}

# 4b. With privileged credentials, to reach deep into the admin and internal routes.
fuzz_as "$ADMIN_TOKEN" "usuarios (the platform admin)" "$USU" --exclude-path-regex '^/internal/'
# reservas' credential opens every internal route of usuarios (and eventos' inventory).
fuzz_as "$TOKEN_RESERVAS" "usuarios (internal, as reservas)" "$USU" --include-path-regex '^/internal/'
fuzz_as "$ADMIN_TOKEN" "eventos (the platform admin)" "$EVE" --exclude-path-regex '^/internal/'
fuzz_as "$TOKEN_RESERVAS" "eventos (internal, as reservas)" "$EVE" --include-path-regex '^/internal/'
# reservas' internal routes, each with the one service it accepts.
fuzz_as "$TOKEN_EVENTOS" "reservas-pagos (internal, as eventos)" "$RES" --include-path-regex '^/internal/conciliacion/'
fuzz_as "$TOKEN_USUARIOS" "reservas-pagos (internal, as usuarios)" "$RES" --include-path-regex '^/internal/organizadores/'
# 4c. As a signed-in buyer: the routes past the session check must not 5xx either.
curl -fsS --max-time 10 -X POST "$USU/api/usuarios" -H 'content-type: application/json' \
    -d '{"tipo_documento":"DNI","nro_documento":"45678913","nombre":"Beto","apellido":"Quispe","email":"beto.fuzz@example.com","password":"quena-charango-1984"}' >/dev/null
SESION=$(curl -fsS --max-time 10 -X POST "$USU/api/sesiones" -H 'content-type: application/json' \
    -d '{"email":"beto.fuzz@example.com","password":"quena-charango-1984"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
fuzz_as "$SESION" "eventos (a buyer's session)" "$EVE" --exclude-path-regex '^/internal/'
fuzz_as "$SESION" "reservas-pagos (a buyer's session)" "$RES"
fuzz_as "$SESION" "notificaciones (a buyer's session)" "$NOT"
# Last: DELETE /api/sesiones/actual ends the session this run uses.
fuzz_as "$SESION" "usuarios (a buyer's session)" "$USU" --exclude-path-regex '^/internal/'

if ! kill -0 "$LAUNCHER_PID" 2>/dev/null; then
    echo "fuzz.sh: the launcher died during the run; its log:" >&2
    tail -n 40 "$LAUNCHER_LOG" >&2
    FAILED=$((FAILED + 1))
    RESULTS+=("FAIL  launcher exited during fuzzing")
fi
if grep -q 'panicked' "$LAUNCHER_LOG"; then
    echo "fuzz.sh: a handler panicked; see:" >&2
    grep -m5 -A3 'panicked' "$LAUNCHER_LOG" >&2
    FAILED=$((FAILED + 1))
    RESULTS+=("FAIL  a handler panicked")
fi

echo
echo "== API fuzzing summary (max $FUZZ_MAX_EXAMPLES examples per operation, seed $FUZZ_SEED)"
printf '    %s\n' "${RESULTS[@]}"
if ((FAILED)); then
    echo "$FAILED run(s) failed"
    exit 1
fi
echo "all runs passed"
