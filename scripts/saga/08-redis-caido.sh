#!/usr/bin/env bash
# 08 — Redis goes down mid-sale (REAL backends). Self-contained: it starts a private
# redis-server on a free port (no persistence) and its own launcher with
# EVENTFLOW_BACKENDS=real pointed at it, so the shared Redis is never touched.
#
#   sells once (201) → kills the private Redis → a checkout gets 503 naming redis within
#   2 s and the availability (read from eventos, which falls back to MongoDB) does not
#   move → restarts Redis on the same port → checkouts succeed again (201).
#
# Needs redis-server and redis-cli, a MongoDB at MONGODB_URI (default
# mongodb://127.0.0.1:27017) and RabbitMQ at AMQP_URL (default amqp://guest:guest@127.0.0.1:5672/%2f),
# as scripts/backends.sh provides. The launcher uses the fixed databases usuarios/eventos/
# reservas; events and buyers get unique names. Its exchange and queues get the prefix
# $SAGA08_AMQP_PREFIX (default "eventflow-saga08.") and expire when unused.
# Always stops the launcher and the private Redis.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Configuration first, so the scenario header shows it.
read -r P_REDIS P_USU P_EVE P_RES P_NOT P_UI <<<"$(free_ports 6)"
export EVENTFLOW_BACKENDS=real
export MONGODB_URI="${MONGODB_URI:-mongodb://127.0.0.1:27017}"
export AMQP_URL="${AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
export AMQP_PREFIX="${SAGA08_AMQP_PREFIX:-eventflow-saga08.}"
export AMQP_QUEUE_EXPIRES_MS="${SAGA08_AMQP_QUEUE_EXPIRES_MS:-600000}"
export REDIS_URL="redis://127.0.0.1:$P_REDIS"
export SAGA_LOCKS=redis SAGA_REDIS_URL="$REDIS_URL"
ADMIN_TOKEN="saga08-admin-$(rand_hex 16)"
export ADMIN_TOKEN EVENTFLOW_ADMIN_TOKEN="$ADMIN_TOKEN"
COMO_ADMIN=(-H "Authorization: Bearer $ADMIN_TOKEN")
# One credential per service, each its own.
for s in USUARIOS EVENTOS RESERVAS NOTIFICACIONES; do
    export "EVENTFLOW_TOKEN_$s=saga08-${s,,}-$(rand_hex 16)"
done
export RESERVAS_SIMULAR_FALLOS=1
# The databases are shared: keep this short-lived launcher's recovery sweep (one at start)
# from running again while the test is under way.
export RESERVAS_RECUPERACION_INTERVALO_SECS="${RESERVAS_RECUPERACION_INTERVALO_SECS:-3600}"
export USUARIOS_PORT=$P_USU EVENTOS_PORT=$P_EVE RESERVAS_PORT=$P_RES
export NOTIFICACIONES_PORT=$P_NOT UI_PORT=$P_UI EVENTFLOW_BIND=127.0.0.1
export USUARIOS_URL="http://127.0.0.1:$P_USU" EVENTOS_URL="http://127.0.0.1:$P_EVE"
export RESERVAS_URL="http://127.0.0.1:$P_RES"

scenario "08-redis-caido" "Real backends with a private Redis: book (201), kill Redis, book (503 naming redis, < 2 s, nothing changed), restart Redis, book (201)."
for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool is required (apt-get install redis-server redis-tools)"
done
MAX_MS=${SAGA08_MAX_MS:-2000}

step "private Redis and launcher on free ports"
info "redis=$REDIS_URL mongodb=$MONGODB_URI amqp prefix=$AMQP_PREFIX"
info "usuarios=$USUARIOS_URL eventos=$EVENTOS_URL reservas=$RESERVAS_URL"

REDIS_PID=""
start_redis() {
    redis-server --port "$P_REDIS" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --dir "$SAGA_TMP" >>"$SAGA_TMP/redis.log" 2>&1 </dev/null &
    REDIS_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        [[ "$(redis-cli -p "$P_REDIS" ping 2>/dev/null)" == PONG ]] && {
            info "private redis-server up on port $P_REDIS (pid $REDIS_PID)"
            return 0
        }
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.1
    done
    tail -n 20 "$SAGA_TMP/redis.log" >&2
    fail "the private redis-server did not start on port $P_REDIS"
}
stop_redis() {
    stop_pid "$REDIS_PID" "private redis-server"
    REDIS_PID=""
}
# Cleanups run in reverse: the launcher stops first, then Redis.
on_exit stop_redis
on_exit stop_launcher

start_redis
start_launcher "$SAGA_TMP/launcher.log"
if ! wait_healthy 120; then
    fail "the launcher did not start on real backends (is MongoDB at $MONGODB_URI and RabbitMQ at $AMQP_URL up?)"
fi
info "launcher ready on REAL backends (pid $LAUNCHER_PID)"
http GET "$RESERVAS_URL/ready"
expect_status 200 "reservas ready (mongodb, redis)"

new_event 08 '[{"nombre":"Campo","precio":8000,"capacidad":50}]'
new_buyer 08

step "book 1 ticket with Redis up"
reservar "$(reserva_body Campo 1)"
expect_status 201 "sale with Redis up"
RID_OK=$(jget "$RESP" 'd["id"]')
show_state "$RID_OK"
expect_zona Campo 49 1
expect_lock_released "$EVENTO_ID" "$USUARIO_ID" "$RID_OK"
BEFORE=$(availability_snapshot)

step "kill the private Redis (SIGKILL)"
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
REDIS_PID=""
if [[ "$(redis-cli -p "$P_REDIS" ping 2>/dev/null)" == PONG ]]; then
    fail "Redis on port $P_REDIS still answers"
fi
ok "Redis on port $P_REDIS is down"

step "book 1 ticket with Redis down"
reservar "$(reserva_body Campo 1)"
expect_status 503 "no lock store, no sale"
expect_problem servicio-no-disponible
expect_json 'd["dependencia"]' redis "dependencia"
expect_json 'd["paso"]' ValidadorInventario "paso"
((HTTP_MS < MAX_MS)) || fail "the 503 took $HTTP_MS ms (limit $MAX_MS ms)"
ok "answered in $HTTP_MS ms (< $MAX_MS ms)"
RID_DOWN=$(jget "$RESP" 'd["reserva_id"]')

step "nothing changed (eventos reads still work with Redis down)"
availability
expect_eq "$(availability_snapshot)" "$BEFORE" "availability unchanged"
# Refused at the lock, before any side effect: no reservation is kept for it.
http GET "$RESERVAS_URL/api/reservas/$RID_DOWN" "" "${COMO_ADMIN[@]}"
expect_status 404 "no reservation stored for an attempt refused with Redis down"
expect_history "$USUARIO_ID" 'd["historial_compras"]' "[\"$RID_OK\"]" "historial_compras (only the first sale)"
http GET "$RESERVAS_URL/ready"
expect_status 503 "reservas not ready"
expect_json '"redis" in json.dumps(d)' true "/ready names redis"

step "restart the private Redis on the same port"
start_redis
show_locks

# reservas' Redis connection (redis-rs ConnectionManager) reconnects lazily: the first
# command after Redis is back still gets the error of the reconnect attempt made while it
# was down, and starts a new one. So wait for /ready, as a load balancer would, before
# selling. SAGA08_STRICT=1 books at once instead (and then fails on that first command).
if [[ "${SAGA08_STRICT:-0}" != 1 ]]; then
    step "wait until reservas /ready answers 200 (at most 10 s)"
    deadline=$((SECONDS + 10))
    polls=0
    while :; do
        polls=$((polls + 1))
        http_quiet GET "$RESERVAS_URL/ready"
        info "GET /ready #$polls: HTTP $HTTP_STATUS $(tr -d '\n' <"$RESP" | head -c 300)"
        [[ "$HTTP_STATUS" == 200 ]] && break
        ((SECONDS < deadline)) || fail "reservas did not become ready within 10 s of Redis coming back"
        sleep 0.2
    done
    ok "reservas ready again after $polls /ready poll(s)"
fi

step "book 1 ticket with Redis back"
reservar "$(reserva_body Campo 1)"
expect_status 201 "sales resume"
RID_BACK=$(jget "$RESP" 'd["id"]')
show_state "$RID_BACK"
expect_zona Campo 48 2
expect_lock_released "$EVENTO_ID" "$USUARIO_ID" "$RID_BACK"
