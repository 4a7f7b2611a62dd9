//! One ticket at a time, on both backends: cancelling one ticket of a reservation
//! (exactly its price refunded, exactly one seat back on sale, the rest still
//! CONFIRMADA, the cuadre clean), the last one taking its reservation with it, many
//! cancels of one reservation at once, and recovery settling one cut off half-way.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::ids::ReservaId;
use eventflow_testkit::respuestas::json_de;
use reqwest::Client;
use serde_json::{json, Value};

use super::common::{self, Backend, Stack};

const PRECIO: i64 = 2_500;

/// Buys `cantidad` tickets of `evento` for buyer number `i` (as the admin); returns
/// the reservation's answer, with its tickets and its guest secret.
async fn comprar(s: &Stack, evento: &str, cantidad: u32, i: usize) -> Value {
    let u = s.usuario(i).await;
    let r = s
        .reservar(
            json!({"usuario_id": u, "evento_id": evento, "cantidad": cantidad,
            "pago": {"metodo": "tarjeta", "numero_tarjeta": "4242424242424242"}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

fn codigos(reserva: &Value) -> Vec<String> {
    reserva["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["codigo"].as_str().unwrap().to_owned())
        .collect()
}

/// `POST /api/entradas/{codigo}/cancelar` with the guest secret: (status, body).
async fn cancelar(s: &Stack, codigo: &str, secreto: &str) -> (u16, Value) {
    let r = Client::new()
        .post(format!("{}/api/entradas/{codigo}/cancelar", s.reservas))
        .header("X-Reserva-Secreto", secreto)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// What the provider refunded ticket by ticket for reservation `id`: (code, amount).
async fn parciales(s: &Stack, id: &str) -> Vec<(String, i64)> {
    s.deps
        .pasarela
        .reembolsos_parciales(&ReservaId::confiable(id))
        .await
        .unwrap()
}

async fn vendidas(s: &Stack, evento: &str) -> (u64, u64) {
    let e = s.get_evento(evento).await;
    (
        e["zonas"][0]["vendidas"].as_u64().unwrap(),
        e["zonas"][0]["disponibles"].as_u64().unwrap(),
    )
}

fn estado_de(reserva: &Value, codigo: &str) -> String {
    reserva["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["codigo"] == codigo)
        .map(|e| e["estado"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

async fn una_de_tres(backend: Backend) {
    let s = common::stack(backend).await;
    let e = s.evento(&[("Platea", PRECIO, 10)]).await;
    let r = comprar(&s, &e, 3, 1).await;
    let (id, secreto) = (r["id"].as_str().unwrap(), r["secreto"].as_str().unwrap());
    let c = codigos(&r);
    assert_eq!(vendidas(&s, &e).await, (3, 7));

    // Cancel one, typed in lower case with a dash: exactly its price, exactly one seat.
    let escrito = format!("{}-{}", &c[0][..5], &c[0][5..]).to_lowercase();
    let (st, v) = cancelar(&s, &escrito, secreto).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["reserva_id"], json!(id), "{v}");
    assert_eq!(v["reembolsado"], PRECIO, "{v}");
    assert_eq!(v["entradas_validas"], 2, "{v}");
    assert_eq!(
        (
            &v["entrada"]["codigo"],
            &v["entrada"]["estado"],
            &v["entrada"]["motivo"]
        ),
        (&json!(c[0]), &json!("ANULADA"), &json!("cancelada")),
        "{v}"
    );
    assert_eq!(vendidas(&s, &e).await, (2, 8), "one seat back on sale");
    assert_eq!(parciales(&s, id).await, [(c[0].clone(), PRECIO)]);
    let rv = s.get_reserva(id).await;
    assert_eq!(rv["estado"], "CONFIRMADA", "{rv}");
    assert_eq!(rv["pago"]["estado"], "APROBADO", "{rv}");
    assert_eq!(
        [&c[0], &c[1], &c[2]].map(|x| estado_de(&rv, x)),
        ["ANULADA", "VALIDA", "VALIDA"]
    );
    // Each step in the audit trail, once.
    let log = json_de(
        s.http
            .get(format!("{}/api/reservas/{id}/eventos", s.reservas)),
    )
    .await;
    let tipos: Vec<&str> = log["eventos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["tipo"].as_str().unwrap())
        .collect();
    for t in [
        "CancelacionEntradaSolicitada",
        "EntradaReembolsada",
        "EntradaDevuelta",
        "EntradaCancelada",
    ] {
        assert_eq!(
            tipos.iter().filter(|x| **x == t).count(),
            1,
            "{t}: {tipos:?}"
        );
    }
    // Again: already annulled, nothing more refunded or returned.
    let (st, p) = cancelar(&s, &c[0], secreto).await;
    assert_eq!(
        (st, p["type"].as_str()),
        (409, Some("urn:eventflow:problem:entrada-anulada")),
        "{p}"
    );
    assert_eq!(vendidas(&s, &e).await, (2, 8));
    assert_eq!(parciales(&s, id).await.len(), 1);
    let informe = s.conciliado(&e).await;
    assert_eq!((informe.vendidas, informe.confirmadas), (2, 2));

    // The door: the cancelled code is refused, another admitted; a used one stays used.
    let puerta = |codigo: String| {
        let (s, e) = (&s, &e);
        async move {
            let r = s
                .http
                .post(format!("{}/api/eventos/{e}/ingresos", s.eventos))
                .json(&json!({"codigo": codigo}))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (st, p) = puerta(c[0].clone()).await;
    assert_eq!((st, &p["anulacion"]), (409, &json!("cancelada")), "{p}");
    assert_eq!(puerta(c[1].clone()).await.0, 200);
    let (st, p) = cancelar(&s, &c[1], secreto).await;
    assert_eq!(
        (st, p["type"].as_str()),
        (409, Some("urn:eventflow:problem:entrada-usada")),
        "{p}"
    );
    // The last valid one, with a used one beside it: the reservation stays CONFIRMADA.
    let (st, v) = cancelar(&s, &c[2], secreto).await;
    assert_eq!((st, &v["entradas_validas"]), (200, &json!(0)), "{v}");
    assert_eq!(s.get_reserva(id).await["estado"], "CONFIRMADA");
    assert_eq!(vendidas(&s, &e).await, (1, 9));
    s.conciliado(&e).await;

    // Unknown, and not the caller's: the same 404.
    assert_eq!(cancelar(&s, "0000000000", secreto).await.0, 404);
    let otra = comprar(&s, &e, 2, 2).await;
    let d = codigos(&otra);
    assert_eq!(cancelar(&s, &d[0], secreto).await.0, 404);
    let anonimo = Client::new()
        .post(format!("{}/api/entradas/{}/cancelar", s.reservas, d[0]))
        .send()
        .await
        .unwrap();
    assert_eq!(anonimo.status(), 401);

    // Both tickets of the other one, one by one: the last takes the reservation.
    let sec2 = otra["secreto"].as_str().unwrap();
    assert_eq!(cancelar(&s, &d[0], sec2).await.0, 200);
    let (st, v) = cancelar(&s, &d[1], sec2).await;
    assert_eq!(
        (st, &v["reembolsado"], &v["entradas_validas"]),
        (200, &json!(PRECIO), &json!(0)),
        "{v}"
    );
    let rv = s.get_reserva(otra["id"].as_str().unwrap()).await;
    assert_eq!(
        (&rv["estado"], &rv["pago"]["estado"]),
        (&json!("CANCELADA"), &json!("REEMBOLSADO")),
        "{rv}"
    );
    assert_eq!(vendidas(&s, &e).await, (1, 9));
    s.conciliado(&e).await;
}

/// 40 cancels at once over 5 of a reservation's 6 tickets (each code 8 times): each
/// code cancelled once, refunded once, one seat each; one ticket left, CONFIRMADA.
async fn muchas_a_la_vez(backend: Backend) {
    let s = Arc::new(common::stack(backend).await);
    let e = s.evento(&[("General", PRECIO, 20)]).await;
    let r = comprar(&s, &e, 6, 1).await;
    let (id, secreto) = (
        r["id"].as_str().unwrap().to_owned(),
        r["secreto"].as_str().unwrap().to_owned(),
    );
    let c = codigos(&r);
    let mut tareas = Vec::new();
    for i in 0..40 {
        let (s, codigo, secreto) = (s.clone(), c[i % 5].clone(), secreto.clone());
        tareas.push(tokio::spawn(async move {
            let (st, v) = cancelar(&s, &codigo, &secreto).await;
            (codigo, st, v)
        }));
    }
    let res: Vec<(String, u16, Value)> = futures::future::join_all(tareas)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for (codigo, st, v) in &res {
        assert!(
            *st == 200 || (*st == 409 && v["type"] == "urn:eventflow:problem:entrada-anulada"),
            "{codigo}: {st} {v}"
        );
    }
    for x in &c[..5] {
        let ok = res.iter().filter(|(k, st, _)| k == x && *st == 200).count();
        assert_eq!(ok, 1, "{x} cancelled exactly once: {res:?}");
    }
    let refunds = parciales(&s, &id).await;
    assert_eq!(refunds.len(), 5, "{refunds:?}");
    assert_eq!(refunds.iter().map(|(_, m)| m).sum::<i64>(), 5 * PRECIO);
    assert_eq!(vendidas(&s, &e).await, (1, 19));
    let rv = s.get_reserva(&id).await;
    assert_eq!(rv["estado"], "CONFIRMADA", "{rv}");
    assert_eq!(estado_de(&rv, &c[5]), "VALIDA");
    let informe = s.conciliado(&e).await;
    assert_eq!((informe.vendidas, informe.confirmadas), (1, 1));
}

/// A cancellation cut off after the write that accepted it (a crash): the ticket is
/// annulled and listed, nothing refunded or returned yet. Recovery settles it, once.
async fn recuperada(backend: Backend) {
    let s = common::stack(backend).await;
    let e = s.evento(&[("General", PRECIO, 10)]).await;
    let r = comprar(&s, &e, 2, 1).await;
    let id = ReservaId::confiable(r["id"].as_str().unwrap());
    let c = codigos(&r);
    let mut guardada = s.deps.reservas.get(&id).await.unwrap().unwrap();
    for t in guardada.entradas.iter_mut().filter(|t| t.codigo == c[0]) {
        t.anular(reservas_pagos_service::domain::MotivoAnulacion::Cancelada);
    }
    guardada
        .anulaciones
        .push(reservas_pagos_service::domain::AnulacionEntrada {
            codigo: c[0].clone(),
            zona: Some("General".into()),
            monto: PRECIO,
            correlation_id: "corte".into(),
            desde: eventflow_shared::now(),
        });
    assert!(s.deps.reservas.guardar(&mut guardada).await.unwrap());
    assert_eq!(vendidas(&s, &e).await, (2, 8), "nothing returned yet");
    let cadena = reservas_pagos_service::saga::Cadena::estandar();
    for _ in 0..2 {
        reservas_pagos_service::saga::recuperacion::barrer(&s.deps, &cadena, Duration::ZERO).await;
    }
    let tras = s.deps.reservas.get(&id).await.unwrap().unwrap();
    assert!(tras.anulaciones.is_empty(), "{:?}", tras.anulaciones);
    assert_eq!(parciales(&s, &id).await, [(c[0].clone(), PRECIO)]);
    assert_eq!(vendidas(&s, &e).await, (1, 9));
    let rv = s.get_reserva(&id).await;
    assert_eq!(rv["estado"], "CONFIRMADA", "{rv}");
    s.conciliado(&e).await;
}

ambos!(una_de_tres);
ambos!(muchas_a_la_vez, 4);
ambos!(recuperada);
