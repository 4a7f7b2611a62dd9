#!/usr/bin/env bash
# 06 — the payment is declined: 402 at ProcesadorPago; the compensations release the
# hold and delete the lock. Also the insufficient-funds card (402) and the provider's
# processing error (503, nothing charged), which compensate the same way.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "06-pago-rechazado" "Declined card: 402 pago-rechazado; the hold is released (availability back), the lock deleted, and the log shows PagoRechazado and CompensacionEjecutada. Same for insufficient funds (402) and a processing error (503)."

new_event 06
new_buyer 06
availability
BEFORE=$(availability_snapshot)

check_compensated() { # check_compensated RID: hold released, lock deleted, nothing sold
    local rid=$1
    show_state "$rid"
    expect_eq "$(availability_snapshot)" "$BEFORE" "availability back to where it was"
    expect_lock_released "$EVENTO_ID" "$USUARIO_ID" "$rid"
    http_quiet GET "$RESERVAS_URL/api/reservas/$rid" "" "${COMO_ADMIN[@]}"
    expect_json 'd["estado"]' FALLIDA "estado"
}

step "book 3 tickets in Campo with the declined card ($CARD_DECLINED)"
reservar "$(reserva_body Campo 3 "$CARD_DECLINED")"
expect_status 402 "payment declined"
expect_problem pago-rechazado
expect_json 'd["paso"]' ProcesadorPago "paso"
expect_json '[c["accion"] for c in d["compensaciones"]]' \
    '["retención de 3 entradas liberada", "bloqueo de compra liberado"]' "compensaciones"
RID=$(jget "$RESP" 'd["reserva_id"]')
check_compensated "$RID"
expect_log_has "$RID" LockAdquirido InventarioRetenido PagoRechazado PasoFallido CompensacionEjecutada ReservaFallida
expect_log_lacks "$RID" PagoAprobado InventarioConfirmado
http_quiet GET "$RESERVAS_URL/api/reservas/$RID" "" "${COMO_ADMIN[@]}"
expect_json 'd["pago"]["estado"]' RECHAZADO "pago.estado"

step "book 1 ticket in Platea with the insufficient-funds card ($CARD_NO_FUNDS)"
reservar "$(reserva_body Platea 1 "$CARD_NO_FUNDS")"
expect_status 402 "insufficient funds"
expect_problem pago-rechazado
expect_json 'd["paso"]' ProcesadorPago "paso"
RID2=$(jget "$RESP" 'd["reserva_id"]')
check_compensated "$RID2"
expect_log_has "$RID2" PagoRechazado CompensacionEjecutada

step "book 1 ticket in Campo with the processing-error card ($CARD_PROCESSING_ERROR)"
reservar "$(reserva_body Campo 1 "$CARD_PROCESSING_ERROR")"
expect_status 503 "payment provider failed"
expect_problem servicio-no-disponible
expect_json 'd["dependencia"]' pasarela-pagos "dependencia"
expect_json 'd["paso"]' ProcesadorPago "paso"
RID3=$(jget "$RESP" 'd["reserva_id"]')
check_compensated "$RID3"
expect_log_has "$RID3" CompensacionEjecutada
expect_log_lacks "$RID3" PagoAprobado PagoReembolsado

step "the buyer's history is still empty"
expect_history "$USUARIO_ID" 'd["historial_compras"]' '[]' "historial_compras"
