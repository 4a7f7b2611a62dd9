#!/usr/bin/env bash
# 04 — sold out: 409 agotado at ValidadorInventario; the lock is released and the
# availability does not move.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "04-agotado" "A zone with 3 tickets: asking for 4 gets 409 agotado; after selling all 3, asking for 1 gets 409 agotado (disponibles 0). Availability never moves on a 409 and the lock is released."

new_event 04 '[{"nombre":"Palco","precio":50000,"capacidad":3},{"nombre":"Campo","precio":8000,"capacidad":10}]'
new_buyer 04
availability
BEFORE=$(availability_snapshot)

step "ask for 4 tickets in Palco (only 3 exist)"
reservar "$(reserva_body Palco 4)"
expect_status 409 "more than the zone has"
expect_problem agotado
expect_json 'd["paso"]' ValidadorInventario "paso"
expect_json 'd["disponibles"]' 3 "disponibles"
expect_json 'd["retenidas"]' 0 "retenidas"
expect_json '[c["accion"] for c in d["compensaciones"]]' '["bloqueo de compra liberado"]' "compensaciones"
RID=$(jget "$RESP" 'd["reserva_id"]')
show_state
expect_eq "$(availability_snapshot)" "$BEFORE" "availability unchanged"
# Refused before anything outlived it: no reservation is kept (the answer says it all).
http GET "$RESERVAS_URL/api/reservas/$RID" "" "${COMO_ADMIN[@]}"
expect_status 404 "no reservation kept for a sold-out attempt"
expect_lock_released "$EVENTO_ID" "$USUARIO_ID"

step "sell the 3 tickets of Palco"
reservar "$(reserva_body Palco 3)"
expect_status 201 "sold out the zone"
expect_zona Palco 0 3
SOLD=$(availability_snapshot)

step "ask for 1 more ticket in Palco"
reservar "$(reserva_body Palco 1)"
expect_status 409 "zone sold out"
expect_problem agotado
expect_json 'd["disponibles"]' 0 "disponibles"
show_state
expect_eq "$(availability_snapshot)" "$SOLD" "availability unchanged by the 409"
expect_zona Palco 0 3
expect_lock_released "$EVENTO_ID" "$USUARIO_ID"
