#!/usr/bin/env bash
# 10 — cancel a confirmed reservation: refund, tickets back, out of the history.
# Cancelling again is idempotent (200, nothing returned twice).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "10-cancelacion" "Cancelling a confirmed reservation makes it CANCELADA, refunds it and returns its tickets; cancelling it again answers the same and changes nothing."

new_event 10
new_buyer 10

step "book 2 tickets in Platea"
reservar "$(reserva_body Platea 2)"
expect_status 201 "confirmed"
RID=$(jget "$RESP" 'd["id"]')
expect_zona Platea 18 2

step "a stranger cannot cancel it: 401 without credentials"
http POST "$RESERVAS_URL/api/reservas/$RID/cancelar"
expect_status 401 "no session, no secret"
expect_zona Platea 18 2

step "the guest cancels it with the reservation's secret"
http POST "$RESERVAS_URL/api/reservas/$RID/cancelar" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 200 "cancelled"
expect_json 'd["estado"]' CANCELADA "estado"
expect_json 'd["pago"]["estado"]' REEMBOLSADO "pago.estado"
show_state "$RID"
expect_zona Platea 20 0
expect_log_has "$RID" ReservaConfirmada CancelacionSolicitada PagoReembolsado InventarioDevuelto ReservaCancelada
LOG_LEN=$(jget "$LOG_FILE" 'len(d["eventos"])')

step "the buyer's history no longer lists it"
expect_history "$USUARIO_ID" "'$RID' in d['historial_compras']" false "reservation in historial_compras"

step "cancel it again (idempotent)"
http POST "$RESERVAS_URL/api/reservas/$RID/cancelar" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 200 "second cancel"
expect_json 'd["estado"]' CANCELADA "estado"
expect_zona Platea 20 0
fetch_log "$RID"
expect_eq "$(jget "$LOG_FILE" 'len(d["eventos"])')" "$LOG_LEN" "log length (nothing new recorded)"
expect_eq "$(jget "$LOG_FILE" '[e["tipo"] for e in d["eventos"]].count("InventarioDevuelto")')" 1 "tickets returned once"
expect_eq "$(jget "$LOG_FILE" '[e["tipo"] for e in d["eventos"]].count("PagoReembolsado")')" 1 "refunded once"

step "cancelling what cannot be cancelled"
http POST "$RESERVAS_URL/api/reservas/$(python3 -c 'import uuid; print(uuid.uuid4())')/cancelar" "" "${COMO_ADMIN[@]}"
expect_status 404 "unknown reservation"
reservar "$(reserva_body Campo 1 "$CARD_DECLINED")"
expect_status 402 "a failed booking"
FALLIDA=$(jget "$RESP" 'd["reserva_id"]')
http POST "$RESERVAS_URL/api/reservas/$FALLIDA/cancelar" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 409 "a FALLIDA reservation cannot be cancelled"
expect_problem reserva-fallida
expect_zona Campo 100 0
