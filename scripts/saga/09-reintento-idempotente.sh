#!/usr/bin/env bash
# 09 — retries with an Idempotency-Key: the same key and body replays the first answer
# (same reservation, Idempotent-Replayed: true) and sells once; the same key with another
# body is 422; a 4xx is replayed too; a 5xx frees the key so a retry runs again.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
scenario "09-reintento-idempotente" "The same Idempotency-Key twice returns the same reservation with 'Idempotent-Replayed: true' and the tickets drop once; the same key with another body gets 422."

new_event 09
new_buyer 09
availability
KEY="saga-09-$RUN_ID-$(rand_hex 8)"
BODY=$(reserva_body Campo 2)

step "first request: 2 tickets in Campo, Idempotency-Key: $KEY"
reservar "$BODY" -H "Idempotency-Key: $KEY"
expect_status 201 "first request confirmed"
expect_eq "$(header Idempotent-Replayed)" "" "Idempotent-Replayed on the first answer (absent)"
RID=$(jget "$RESP" 'd["id"]')
expect_zona Campo 98 2

step "retry: same key, same body"
reservar "$BODY" -H "Idempotency-Key: $KEY"
expect_status 201 "replayed"
expect_json 'd["id"]' "$RID" "same reservation id"
expect_eq "$(header Idempotent-Replayed)" true "Idempotent-Replayed header"
expect_zona Campo 98 2
ok "availability dropped once (2 tickets), not twice"

step "same key, another body (3 tickets)"
reservar "$(reserva_body Campo 3)" -H "Idempotency-Key: $KEY"
expect_status 422 "key reused with another body"
expect_problem idempotency-key-reutilizada
expect_zona Campo 98 2

step "a new key is a new purchase"
reservar "$BODY" -H "Idempotency-Key: $KEY-b"
expect_status 201 "new key, new reservation"
RID_B=$(jget "$RESP" 'd["id"]')
[[ "$RID_B" != "$RID" ]] || fail "a new key returned the old reservation $RID"
ok "new reservation $RID_B"
expect_zona Campo 96 4

step "a declined payment (402) is replayed as well, without charging again"
KEY_402="$KEY-402"
reservar "$(reserva_body Campo 1 "$CARD_DECLINED")" -H "Idempotency-Key: $KEY_402"
expect_status 402 "declined"
RID_402=$(jget "$RESP" 'd["reserva_id"]')
reservar "$(reserva_body Campo 1 "$CARD_DECLINED")" -H "Idempotency-Key: $KEY_402"
expect_status 402 "declined, replayed"
expect_json 'd["reserva_id"]' "$RID_402" "same failed reservation"
expect_eq "$(header Idempotent-Replayed)" true "Idempotent-Replayed header"
expect_zona Campo 96 4

step "a 5xx frees the key: the retry runs again"
KEY_503="$KEY-503"
reservar "$(reserva_body Platea 1)" -H "Idempotency-Key: $KEY_503" -H 'X-Simular-Fallo: confirmacion'
if [[ "$HTTP_STATUS" == 201 ]]; then
    info "the fault switch is off on this launcher (201): part skipped"
else
    expect_status 503 "simulated failure after payment"
    RID_503=$(jget "$RESP" 'd["reserva_id"]')
    reservar "$(reserva_body Platea 1)" -H "Idempotency-Key: $KEY_503"
    expect_status 201 "retry with the same key ran again and confirmed"
    expect_eq "$(header Idempotent-Replayed)" "" "Idempotent-Replayed (absent: it ran)"
    RID_RETRY=$(jget "$RESP" 'd["id"]')
    [[ "$RID_RETRY" != "$RID_503" ]] || fail "the retry returned the failed reservation"
    ok "the retry is a new reservation ($RID_RETRY)"
    expect_zona Platea 19 1
fi

show_state "$RID"
