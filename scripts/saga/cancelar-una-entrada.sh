#!/usr/bin/env bash
# cancelar-una-entrada — cancel one ticket of three: exactly its price refunded, one seat
# back on sale, the reservation still CONFIRMADA with two; again is 409; the door refuses
# the cancelled code and admits another, which then cannot be cancelled (USADA).
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "cancelar-una-entrada" "Cancelling one ticket of a confirmed reservation refunds exactly its price, returns exactly one seat and keeps the reservation CONFIRMADA with the rest; the door refuses that code."

new_event 11
new_buyer 11

step "book 3 tickets in Platea (15000 each)"
reservar "$(reserva_body Platea 3)"
expect_status 201 "confirmed"
RID=$(jget "$RESP" 'd["id"]')
C0=$(jget "$RESP" 'd["entradas"][0]["codigo"]')
C1=$(jget "$RESP" 'd["entradas"][1]["codigo"]')
C2=$(jget "$RESP" 'd["entradas"][2]["codigo"]')
info "tickets: $C0 $C1 $C2"
expect_zona Platea 17 3

step "a stranger cannot cancel it: 401 without credentials"
http POST "$RESERVAS_URL/api/entradas/$C0/cancelar"
expect_status 401 "no session, no secret"

step "the guest cancels one ticket with the reservation's secret"
http POST "$RESERVAS_URL/api/entradas/$C0/cancelar" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 200 "cancelled"
expect_json 'd["entrada"]["estado"]' ANULADA "entrada.estado"
expect_json 'd["entrada"]["motivo"]' cancelada "entrada.motivo"
expect_json 'd["reembolsado"]' 15000 "reembolsado: exactly one price"
expect_json 'd["entradas_validas"]' 2 "entradas_validas"
expect_zona Platea 18 2
http_quiet GET "$RESERVAS_URL/api/reservas/$RID" "" "${COMO_ADMIN[@]}"
expect_json 'd["estado"]' CONFIRMADA "the reservation stays CONFIRMADA"
expect_json 'd["pago"]["estado"]' APROBADO "the payment stays APROBADO (refunded in part)"
expect_log_has "$RID" CancelacionEntradaSolicitada EntradaReembolsada EntradaDevuelta EntradaCancelada
show_log "$RID"

step "cancel it again: 409, nothing more refunded or returned"
http POST "$RESERVAS_URL/api/entradas/$C0/cancelar" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 409 "already annulled"
expect_problem entrada-anulada
expect_zona Platea 18 2
fetch_log "$RID"
expect_eq "$(jget "$LOG_FILE" '[e["tipo"] for e in d["eventos"]].count("EntradaReembolsada")')" 1 "refunded once"

step "the door refuses the cancelled code and admits another"
http POST "$EVENTOS_URL/api/eventos/$EVENTO_ID/ingresos" "{\"codigo\":\"$C0\"}" "${COMO_ADMIN[@]}"
expect_status 409 "cancelled code"
expect_json 'd["anulacion"]' cancelada "anulacion"
http POST "$EVENTOS_URL/api/eventos/$EVENTO_ID/ingresos" "{\"codigo\":\"$C1\"}" "${COMO_ADMIN[@]}"
expect_status 200 "admitted"

step "a used ticket cannot be cancelled"
http POST "$RESERVAS_URL/api/entradas/$C1/cancelar" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 409 "USADA"
expect_problem entrada-usada

step "the reconciliation counts tickets: 2 sold, clean"
http GET "$EVENTOS_URL/api/eventos/$EVENTO_ID/conciliacion" "" "${COMO_ADMIN[@]}"
expect_status 200 "reconciled"
expect_json 'd["vendidas"]' 2 "vendidas"
expect_json 'd["confirmadas"]' 2 "confirmadas (tickets)"
expect_json 'len(d["discrepancias"])' 0 "no discrepancies"
info "still valid: $C2"
