#!/usr/bin/env bash
# 02 — unknown buyer: 404 at ValidadorDatos, nothing to compensate, nothing changed, and
# nothing stored: an attempt refused before any side effect leaves no reservation behind.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "02-usuario-inexistente" "Booking for a buyer who does not exist (by id, then by email) fails with 404 at ValidadorDatos; no lock, no hold, no change, no stored reservation."

new_event 02
availability
BEFORE=$(availability_snapshot)
GHOST_ID=$(python3 -c 'import uuid; print(uuid.uuid4())')

step "book for an unknown usuario_id ($GHOST_ID)"
reservar "$(reserva_body Campo 1 "$CARD_OK" "$GHOST_ID")"
expect_status 404 "unknown buyer"
expect_problem no-encontrado
expect_json 'd["paso"]' ValidadorDatos "paso"
expect_json 'd["compensaciones"]' '[]' "compensaciones"
expect_json '"usuario" in d["detail"].lower()' true "detail names the user"
RID=$(jget "$RESP" 'd["reserva_id"]')

step "book for an unknown email"
reservar "$(printf '{"email":"nadie-%s@example.com","evento_id":"%s","zona":"Campo"}' "$(rand_hex 10)" "$EVENTO_ID")"
expect_status 404 "unknown email"
expect_problem no-encontrado
expect_json 'd["paso"]' ValidadorDatos "paso"

show_state
expect_eq "$(availability_snapshot)" "$BEFORE" "availability unchanged"
step "nothing was stored for the refused attempt"
http GET "$RESERVAS_URL/api/reservas/$RID" "" "${COMO_ADMIN[@]}"
expect_status 404 "no reservation is kept for an attempt refused before any side effect"
