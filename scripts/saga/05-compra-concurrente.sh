#!/usr/bin/env bash
# 05 — the same buyer checks out concurrently, without Idempotency-Key (the seed's own
# lock test): the per-buyer lock (SET NX PX) lets one SAGA run at a time; the others get
# 409 compra-en-curso, or, arriving after the first finished, that same reservation back
# (a double submission within 10 s, `Idempotent-Replayed: true`). Exactly one purchase.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N=${SAGA_CONCURRENCIA:-10}
ROUNDS=${SAGA_RONDAS:-3}
scenario "05-compra-concurrente" "One buyer fires $N identical checkouts at once (no Idempotency-Key): every 201 is the same reservation, the rest 409 compra-en-curso; nothing else; one ticket sold per round."

CAPACIDAD=$((N * ROUNDS + 10))
new_event 05 "[{\"nombre\":\"Campo\",\"precio\":8000,\"capacidad\":$CAPACIDAD}]"
availability

TOTAL_201=0
OVERLAP=0
for ((round = 1; round <= ROUNDS; round++)); do
    new_buyer "05-r$round"
    body=$(reserva_body Campo 1)
    d="$SAGA_TMP/round$round"
    mkdir -p "$d"
    mkfifo "$d/go"
    step "round $round: $N concurrent checkouts by one buyer"
    printf '>>> %s x POST %s/api/reservar (background curls released together)\n' "$N" "$RESERVAS_URL"
    printf '%s' "$body" >"$d/req.json"
    pretty "$d/req.json" | indent
    pids=()
    for ((i = 1; i <= N; i++)); do
        (
            # Each curl waits on the FIFO: opening its write end releases them all at once.
            : <"$d/go"
            touch "$d/$i.started"
            curl -sS --max-time "$CURL_MAX_TIME" -o "$d/$i.json" -w '%{http_code}' \
                -X POST -H 'Content-Type: application/json' --data-binary "$body" \
                "$RESERVAS_URL/api/reservar" >"$d/$i.code" 2>"$d/$i.err" || true
        ) &
        pids+=($!)
    done
    sleep 0.3
    exec 3>"$d/go"
    # Keep the write end open until every curl passed the barrier (else a late one blocks).
    for ((w = 0; w < 100; w++)); do
        started=$(find "$d" -name '*.started' | wc -l)
        ((started >= N)) && break
        sleep 0.1
    done
    exec 3>&-
    for p in "${pids[@]}"; do wait "$p" || true; done

    n201=0
    n409=0
    otros=()
    rids=()
    printf '<<< responses:\n'
    for ((i = 1; i <= N; i++)); do
        code=$(cat "$d/$i.code" 2>/dev/null || echo 000)
        tipo=$(jget "$d/$i.json" 'd.get("type", d.get("estado", ""))' 2>/dev/null || echo "?")
        rid=$(jget "$d/$i.json" 'd.get("id") or d.get("reserva_id") or ""' 2>/dev/null || echo "")
        printf '    #%-2s HTTP %s %-45s %s\n' "$i" "$code" "$tipo" "$rid"
        case "$code $tipo" in
        "201 CONFIRMADA")
            n201=$((n201 + 1))
            rids+=("$rid")
            ;;
        "409 urn:eventflow:problem:compra-en-curso") n409=$((n409 + 1)) ;;
        *) otros+=("#$i: HTTP $code $tipo $(head -c 300 "$d/$i.json" 2>/dev/null) $(cat "$d/$i.err" 2>/dev/null)") ;;
        esac
    done
    info "round $round: $n201 x 201, $n409 x 409 compra-en-curso, ${#otros[@]} other"
    if ((${#otros[@]})); then
        fail "unexpected outcomes: ${otros[*]}"
    fi
    ((n201 >= 1)) || fail "round $round: no checkout succeeded"
    distintas=$(printf '%s\n' "${rids[@]}" | sort -u | wc -l)
    [[ "$distintas" == 1 ]] || fail "round $round: $distintas different reservations among the 201s: ${rids[*]}"
    ok "round $round: the $n201 x 201 are one and the same reservation (${rids[0]})"
    TOTAL_201=$((TOTAL_201 + 1))
    expect_zona Campo $((CAPACIDAD - TOTAL_201)) "$TOTAL_201"
    ok "vendidas = one per round so far ($TOTAL_201): one purchase, one charge"
    expect_lock_released "$EVENTO_ID" "$USUARIO_ID"
    if ((n409 >= 1)); then
        OVERLAP=1
        break
    fi
    info "no checkout overlapped in this round (all $N ran one after another); trying again"
done

((OVERLAP)) || fail "in $ROUNDS rounds of $N concurrent checkouts none got 409 compra-en-curso"
ok "at least one 201 and at least one 409 compra-en-curso"
show_state
expect_zona Campo $((CAPACIDAD - TOTAL_201)) "$TOTAL_201"
