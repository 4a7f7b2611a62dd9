#!/usr/bin/env bash
# transferir-entrada — hand one ticket to someone else: the old code annulled
# (transferida), a new code for the new holder, opened with its own secret; the door
# refuses the old code and admits the new one; the organizer can forbid transfers.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "transferir-entrada" "Transferring a ticket annuls its code and issues a new one to the new holder, who opens it with its own secret; the door refuses the old code and admits the new one; an event can forbid transfers."

new_event 12
new_buyer 12

step "book 2 tickets in Campo"
reservar "$(reserva_body Campo 2)"
expect_status 201 "confirmed"
RID=$(jget "$RESP" 'd["id"]')
C0=$(jget "$RESP" 'd["entradas"][0]["codigo"]')
C1=$(jget "$RESP" 'd["entradas"][1]["codigo"]')

step "transfer the first one to Beto"
http POST "$RESERVAS_URL/api/entradas/$C0/transferir" '{"email":"beto@example.com","nombre":"Beto Ríos"}' \
    -H "X-Reserva-Secreto: $SECRETO"
expect_status 201 "transferred"
expect_json 'd["anterior"]' "$C0" "anterior"
expect_json 'd["entrada"]["titular"]' "Beto Ríos" "titular"
expect_json 'd["entrada"]["estado"]' VALIDA "the new ticket is VALIDA"
NUEVO=$(jget "$RESP" 'd["entrada"]["codigo"]')
ENLACE=$(jget "$RESP" 'd["enlace"]')
SECRETO_ENTRADA=${ENLACE#*\?s=}
info "new code $NUEVO, link $ENLACE"
expect_eq "${ENLACE%%\?*}" "/entradas/$NUEVO" "the link opens the new ticket"

step "Beto opens his ticket and its QR with the ticket's own secret"
http GET "$RESERVAS_URL/api/entradas/$NUEVO" "" -H "X-Entrada-Secreto: $SECRETO_ENTRADA"
expect_status 200 "his ticket"
expect_json 'd["titular"]' "Beto Ríos" "titular"
http_quiet GET "$RESERVAS_URL/api/entradas/$NUEVO/qr.svg" "" -H "X-Entrada-Secreto: $SECRETO_ENTRADA"
expect_status 200 "its QR"
http GET "$RESERVAS_URL/api/entradas/$C1" "" -H "X-Entrada-Secreto: $SECRETO_ENTRADA"
expect_status 404 "that secret opens nothing else"

step "the old code is annulled (transferida)"
http GET "$RESERVAS_URL/api/entradas/$C0" "" -H "X-Reserva-Secreto: $SECRETO"
expect_json 'd["estado"]' ANULADA "estado"
expect_json 'd["motivo"]' transferida "motivo"
expect_log_has "$RID" EntradaTransferida

step "the door: a screenshot of the old QR is refused, the new code admitted"
http POST "$EVENTOS_URL/api/eventos/$EVENTO_ID/ingresos" "{\"codigo\":\"$C0\"}" "${COMO_ADMIN[@]}"
expect_status 409 "old code"
expect_json 'd["anulacion"]' transferida "anulacion"
http POST "$EVENTOS_URL/api/eventos/$EVENTO_ID/ingresos" "{\"codigo\":\"$NUEVO\"}" "${COMO_ADMIN[@]}"
expect_status 200 "new code admitted"
expect_json 'd["titular"]' "Beto Ríos" "titular at the door"

step "the organizer forbids transfers: 409, nothing changes"
http PUT "$EVENTOS_URL/api/eventos/$EVENTO_ID/transferencias" '{"permitidas":false}' "${COMO_ADMIN[@]}"
expect_status 200 "forbidden"
expect_json 'd["transferencias_permitidas"]' false "transferencias_permitidas"
http POST "$RESERVAS_URL/api/entradas/$C1/transferir" '{"email":"carla@example.com","nombre":"Carla"}' \
    -H "X-Reserva-Secreto: $SECRETO"
expect_status 409 "not allowed"
expect_problem transferencias-no-permitidas
http GET "$RESERVAS_URL/api/entradas/$C1" "" -H "X-Reserva-Secreto: $SECRETO"
expect_json 'd["estado"]' VALIDA "the ticket is still valid"
expect_zona Campo 98 2
