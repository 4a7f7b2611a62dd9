#!/usr/bin/env bash
# ingreso — the door: a ticket is admitted once by its typed code; the same scan again
# (its answer lost, same nonce) gets the same 200, another gate's scan 409 ya-usada with
# where and when; the signed QR of another ticket is admitted and a tampered one is 422;
# an offline scanner's list carries the tickets, and its batch upload of an earlier scan
# of the first ticket at another gate wins and lists the conflict with both gates.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "ingreso" "Each ticket lets one person in: once by code or QR, idempotent by the scan's nonce, refused when used or tampered, and offline scans uploaded later with the earliest one winning."

new_event 12
new_buyer 12

step "book 2 tickets in Campo"
reservar "$(reserva_body Campo 2)"
expect_status 201 "confirmed"
C0=$(jget "$RESP" 'd["entradas"][0]["codigo"]')
C1=$(jget "$RESP" 'd["entradas"][1]["codigo"]')
info "tickets: $C0 $C1"
NONCE="saga-$(rand_hex 12)"
INGRESOS="$EVENTOS_URL/api/eventos/$EVENTO_ID/ingresos"

step "nobody may open the door without a credential: 401"
http POST "$INGRESOS" "{\"codigo\":\"$C0\"}"
expect_status 401 "no credential"

step "gate 1 admits the first ticket by its typed code (lower case, dashes: the same code)"
TYPED=$(printf '%s' "$C0" | tr '[:upper:]' '[:lower:]' | sed -E 's/^(....)(....)/\1-\2-/')
http POST "$INGRESOS" "{\"codigo\":\"$TYPED\",\"puerta\":\"Puerta 1\",\"nonce\":\"$NONCE\"}" "${COMO_ADMIN[@]}"
expect_status 200 "admitted"
expect_json 'd["admitido"]' true "admitido"
expect_json 'd["entrada"]' "$C0" "entrada"

step "the same scan again (its answer was lost): the same 200, never ya-usada"
http POST "$INGRESOS" "{\"codigo\":\"$C0\",\"puerta\":\"Puerta 1\",\"nonce\":\"$NONCE\"}" "${COMO_ADMIN[@]}"
expect_status 200 "same nonce, same answer"

step "gate 2 scans it: 409 ya-usada, saying where and when"
http POST "$INGRESOS" "{\"codigo\":\"$C0\",\"puerta\":\"Puerta 2\"}" "${COMO_ADMIN[@]}"
expect_status 409 "used"
expect_problem ya-usada
expect_json 'd["admitido"]' false "admitido"
expect_json 'd["puerta"]' "Puerta 1" "puerta"

step "the second ticket's signed QR is admitted; the same QR tampered is 422"
http GET "$RESERVAS_URL/api/entradas/$C1" "" -H "X-Reserva-Secreto: $SECRETO"
expect_status 200 "the ticket, with its QR payload"
QR=$(jget "$RESP" 'd["qr"]')
MALO=$(jget "$RESP" 'd["qr"][:-2] + ("AA" if d["qr"][-2:] != "AA" else "BB")')
http POST "$INGRESOS" "{\"qr\":\"$MALO\"}" "${COMO_ADMIN[@]}"
expect_status 422 "tampered"
expect_problem firma-invalida
http POST "$INGRESOS" "{\"qr\":\"$QR\",\"puerta\":\"Puerta 2\"}" "${COMO_ADMIN[@]}"
expect_status 200 "admitted by QR"

step "an offline scanner's list: the event's keys and both tickets"
http GET "$INGRESOS/lista" "" "${COMO_ADMIN[@]}"
expect_status 200 "the list"
expect_json 'sorted(e["codigo"] for e in d["entradas"]) == sorted(["'"$C0"'", "'"$C1"'"])' true "both tickets"
expect_json 'len(d["claves"]) >= 1' true "the public keys"

step "gate 3 was offline and let the first ticket in a minute earlier: its upload wins, the online admission is the conflict"
ANTES=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)
LOTE="{\"puerta\":\"Puerta 3\",\"escaneos\":[{\"nonce\":\"saga-off-$(rand_hex 8)\",\"codigo\":\"$C0\",\"escaneado_en\":\"$ANTES\"}]}"
http POST "$INGRESOS/lote" "$LOTE" "${COMO_ADMIN[@]}"
expect_status 200 "uploaded"
expect_json 'd["aceptados"]' 1 "aceptados"
expect_json 'len(d["forzados"])' 1 "one forced admission"
http POST "$INGRESOS/lote" "$LOTE" "${COMO_ADMIN[@]}"
expect_status 200 "the same batch again"
expect_json 'd["repetidos"]' 1 "idempotent by nonce"

step "the organizer's conflicts list the ticket with both gates"
http GET "$INGRESOS/conflictos" "" "${COMO_ADMIN[@]}"
expect_status 200 "conflicts"
expect_json '",".join(c["codigo"] for c in d["conflictos"])' "$C0" "the ticket let in twice"
expect_json '" y ".join(sorted(e["puerta"] for e in d["conflictos"][0]["escaneos"]))' "Puerta 1 y Puerta 3" "both gates"

step "the summary counts 2 admitted of 2 expected"
http GET "$INGRESOS/resumen" "" "${COMO_ADMIN[@]}"
expect_status 200 "summary"
expect_json 'd["admitidas"]' 2 "admitidas"
expect_json 'd["esperadas"]' 2 "esperadas"
