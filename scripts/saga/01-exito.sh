#!/usr/bin/env bash
# 01 — happy path: 201 CONFIRMADA, four handlers ok, payment APROBADO, tickets sold,
# purchase in the buyer's history, lock released.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "01-exito" "A buyer books 2 tickets in Platea with the approved card: the SAGA runs all four handlers and confirms."

new_event 01
new_buyer 01
availability

step "book 2 tickets in Platea (approved card)"
reservar "$(reserva_body Platea 2 "$CARD_OK")"
expect_status 201 "reservation confirmed"
expect_json 'd["estado"]' CONFIRMADA "estado"
expect_json '[p["handler"] + ":" + p["resultado"] for p in d["pasos"]]' \
    '["ValidadorDatos:ok", "ValidadorInventario:ok", "ProcesadorPago:ok", "ConfirmadorReserva:ok"]' "pasos"
expect_json 'd["pago"]["estado"]' APROBADO "pago.estado"
expect_json 'd["total"]' 30000 "total (2 x 15000)"
expect_json 'd["compensaciones"]' '[]' "compensaciones"
RID=$(jget "$RESP" 'd["id"]')
expect_eq "$(header Location)" "/api/reservas/$RID" "Location header"

step "the guest reads the reservation back with its secret (X-Reserva-Secreto), shown once"
[[ -n "$SECRETO" ]] || fail "the 201 carries no secreto"
http GET "$RESERVAS_URL/api/reservas/$RID" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 200
expect_json 'd["estado"]' CONFIRMADA "estado"
expect_json '"secreto" in d' false "the secret is not shown again"
step "without the secret: 401; with a wrong one: the same 404 as a missing reservation"
http GET "$RESERVAS_URL/api/reservas/$RID"
expect_status 401
http GET "$RESERVAS_URL/api/reservas/$RID" "" -H "X-Reserva-Secreto: AAAAAAAAAAAAAAAAAAAAAA"
expect_status 404

show_state "$RID"
expect_zona Platea 18 2
expect_zona Campo 100 0
expect_log_has "$RID" ReservaIniciada LockAdquirido InventarioRetenido PagoAprobado \
    InventarioConfirmado ReservaConfirmada
expect_log_lacks "$RID" PasoFallido CompensacionEjecutada

step "the purchase is in the buyer's history"
expect_history "$USUARIO_ID" "'$RID' in d['historial_compras']" true "reservation in historial_compras"

step "the checkout lock was released"
expect_lock_released "$EVENTO_ID" "$USUARIO_ID" "$RID"
expect_zona Platea 18 2
