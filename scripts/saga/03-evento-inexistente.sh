#!/usr/bin/env bash
# 03 — unknown event: 404 at ValidadorDatos, nothing to compensate.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "03-evento-inexistente" "Booking for an event that does not exist fails with 404 at ValidadorDatos; no lock is taken, nothing is charged."

new_buyer 03
GHOST_EVENT=$(python3 -c 'import uuid; print(uuid.uuid4())')

step "book in an unknown event ($GHOST_EVENT)"
reservar "$(reserva_body Campo 1 "$CARD_OK" "$USUARIO_ID" "$GHOST_EVENT")"
expect_status 404 "unknown event"
expect_problem no-encontrado
expect_json 'd["paso"]' ValidadorDatos "paso"
expect_json 'd["compensaciones"]' '[]' "compensaciones"
expect_json '"evento" in d["detail"].lower()' true "detail names the event"
RID=$(jget "$RESP" 'd["reserva_id"]')

step "state: nothing stored for an attempt refused before any side effect"
http GET "$RESERVAS_URL/api/reservas/$RID" "" "${COMO_ADMIN[@]}"
expect_status 404 "no reservation kept"

step "the buyer's history is still empty"
expect_history "$USUARIO_ID" 'd["historial_compras"]' '[]' "historial_compras"
