#!/usr/bin/env bash
# 07 — ConfirmadorReserva fails after the payment (X-Simular-Fallo: confirmacion): 503;
# the compensations refund the payment, release the hold and delete the lock.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "07-fallo-confirmacion" "With 'X-Simular-Fallo: confirmacion' the SAGA fails at ConfirmadorReserva after charging: 503, payment REEMBOLSADO, tickets back on sale, lock deleted. Needs the fault switch (default on the embedded launcher; RESERVAS_SIMULAR_FALLOS=1 on real backends)."

new_event 07
new_buyer 07
availability
BEFORE=$(availability_snapshot)

step "book 2 tickets in Platea, failing the confirmation on purpose"
reservar "$(reserva_body Platea 2)" -H 'X-Simular-Fallo: confirmacion'
if [[ "$HTTP_STATUS" == 201 ]]; then
    fail "got 201: the fault switch is off (start the launcher with RESERVAS_SIMULAR_FALLOS=1)"
fi
expect_status 503 "confirmation failed"
expect_problem servicio-no-disponible
expect_json 'd["paso"]' ConfirmadorReserva "paso"
expect_json 'd["dependencia"]' simulada "dependencia"
expect_json '[c["handler"] + ": " + c["accion"] for c in d["compensaciones"]]' \
    '["ProcesadorPago: pago de S/ 300.00 reembolsado", "ValidadorInventario: retención de 2 entradas liberada", "ValidadorInventario: bloqueo de compra liberado"]' \
    "compensaciones (refund, release, unlock; in reverse order)"
RID=$(jget "$RESP" 'd["reserva_id"]')

step "the reservation: FALLIDA, payment refunded"
http GET "$RESERVAS_URL/api/reservas/$RID" "" "${COMO_ADMIN[@]}"
expect_status 200
expect_json 'd["estado"]' FALLIDA "estado"
expect_json 'd["pago"]["estado"]' REEMBOLSADO "pago.estado"
expect_json 'd["fallo"]["paso"]' ConfirmadorReserva "fallo.paso"

show_state "$RID"
expect_eq "$(availability_snapshot)" "$BEFORE" "availability back to where it was"
expect_zona Platea 20 0
expect_log_has "$RID" LockAdquirido InventarioRetenido PagoAprobado PasoFallido PagoReembolsado \
    CompensacionEjecutada ReservaFallida
expect_log_lacks "$RID" InventarioConfirmado ReservaConfirmada
expect_lock_released "$EVENTO_ID" "$USUARIO_ID" "$RID"

step "the buyer's history does not list it"
expect_history "$USUARIO_ID" "'$RID' in d['historial_compras']" false "reservation in historial_compras"
