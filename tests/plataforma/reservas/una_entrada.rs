//! One ticket at a time, on both backends: cancelling one ticket of a reservation
//! (exactly its price refunded, exactly one seat back on sale, the rest still
//! CONFIRMADA, the cuadre clean), the last one taking its reservation with it, many
//! cancels of one reservation at once, recovery settling one cut off half-way;
//! transferring one (the old code refused at the door, the new one admitted, opened by
//! its own secret, forbidden by the organizer), and 50 cancels and transfers at once.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::ids::ReservaId;
use eventflow_testkit::respuestas::json_de;
use reqwest::Client;
use serde_json::{json, Value};

use super::common::{self, Backend, Stack};
use super::entradas_comun::{codigos, comprar};

const PRECIO: i64 = 2_500;

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

/// `POST /api/entradas/{codigo}/transferir` with `cabecera: valor`: (status, body).
async fn transferir(s: &Stack, codigo: &str, cabecera: (&str, &str), nombre: &str) -> (u16, Value) {
    let r = Client::new()
        .post(format!("{}/api/entradas/{codigo}/transferir", s.reservas))
        .header(cabecera.0, cabecera.1)
        .json(&json!({"email": "nuevo@example.com", "nombre": nombre}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The door, as the admin: (status, body).
async fn puerta(s: &Stack, evento: &str, codigo: &str) -> (u16, Value) {
    let r = s
        .http
        .post(format!("{}/api/eventos/{evento}/ingresos", s.eventos))
        .json(&json!({"codigo": codigo}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn permitir(s: &Stack, evento: &str, permitidas: bool) {
    let r = s
        .http
        .put(format!("{}/api/eventos/{evento}/transferencias", s.eventos))
        .json(&json!({ "permitidas": permitidas }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["transferencias_permitidas"], permitidas, "{v}");
}

async fn transferida(backend: Backend) {
    let s = common::stack(backend).await;
    let e = s.evento(&[("Platea", PRECIO, 10)]).await;
    assert_eq!(s.get_evento(&e).await["transferencias_permitidas"], true);
    let r = comprar(&s, &e, 2, 1).await;
    let (id, secreto) = (r["id"].as_str().unwrap(), r["secreto"].as_str().unwrap());
    let c = codigos(&r);

    let (st, v) = transferir(&s, &c[0], ("X-Reserva-Secreto", secreto), "Beto Ríos").await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["anterior"], json!(c[0]), "{v}");
    let nuevo = v["entrada"]["codigo"].as_str().unwrap().to_owned();
    assert_ne!(nuevo, c[0]);
    assert_eq!(
        (&v["entrada"]["estado"], &v["entrada"]["titular"]),
        (&json!("VALIDA"), &json!("Beto Ríos")),
        "{v}"
    );
    let enlace = v["enlace"].as_str().unwrap();
    let (ruta, sec) = enlace.split_once("?s=").expect("a link with its secret");
    assert_eq!(ruta, format!("/entradas/{nuevo}"));

    // The new holder opens their ticket, and its QR, with its own secret: that one only.
    let con_secreto = |codigo: &str, ruta: &str| {
        Client::new()
            .get(format!("{}/api/entradas/{codigo}{ruta}", s.reservas))
            .header("X-Entrada-Secreto", sec)
            .send()
    };
    let t = con_secreto(&nuevo, "").await.unwrap();
    assert_eq!(t.status(), 200);
    let t: Value = t.json().await.unwrap();
    assert_eq!(
        (&t["titular"], &t["reserva_id"]),
        (&json!("Beto Ríos"), &json!(id))
    );
    assert!(t["qr"].is_string(), "{t}");
    assert_eq!(con_secreto(&nuevo, "/qr.svg").await.unwrap().status(), 200);
    assert_eq!(con_secreto(&c[1], "").await.unwrap().status(), 404);
    let falso = Client::new()
        .get(format!("{}/api/entradas/{nuevo}", s.reservas))
        .header("X-Entrada-Secreto", "AAAAAAAAAAAAAAAAAAAAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(falso.status(), 404);
    let rv = s.get_reserva(id).await;
    assert_eq!(estado_de(&rv, &c[0]), "ANULADA");
    assert_eq!(estado_de(&rv, &nuevo), "VALIDA");

    // The door: the old code (a screenshot) is refused, the new one admitted once.
    let (st, p) = puerta(&s, &e, &c[0]).await;
    assert_eq!((st, &p["anulacion"]), (409, &json!("transferida")), "{p}");
    let (st, p) = puerta(&s, &e, &nuevo).await;
    assert_eq!((st, &p["titular"]), (200, &json!("Beto Ríos")), "{p}");
    // Neither can change hands again: one is annulled, the other used.
    let (st, p) = transferir(&s, &c[0], ("X-Reserva-Secreto", secreto), "Otro").await;
    assert_eq!(
        (st, p["type"].as_str()),
        (409, Some("urn:eventflow:problem:entrada-anulada")),
        "{p}"
    );
    let (st, p) = transferir(&s, &nuevo, ("X-Entrada-Secreto", sec), "Otro").await;
    assert_eq!(
        (st, p["type"].as_str()),
        (409, Some("urn:eventflow:problem:entrada-usada")),
        "{p}"
    );
    // Not the caller's: 404; no credential: 401.
    assert_eq!(
        transferir(&s, &c[1], ("X-Entrada-Secreto", sec), "X")
            .await
            .0,
        404
    );
    assert_eq!(transferir(&s, &c[1], ("X-Nada", "x"), "X").await.0, 401);

    // The organizer forbids transfers: refused, nothing changed; allowed again: done.
    permitir(&s, &e, false).await;
    let (st, p) = transferir(&s, &c[1], ("X-Reserva-Secreto", secreto), "Carla").await;
    assert_eq!(
        (st, p["type"].as_str()),
        (
            409,
            Some("urn:eventflow:problem:transferencias-no-permitidas")
        ),
        "{p}"
    );
    assert_eq!(estado_de(&s.get_reserva(id).await, &c[1]), "VALIDA");
    permitir(&s, &e, true).await;
    let (st, _) = transferir(&s, &c[1], ("X-Reserva-Secreto", secreto), "Carla").await;
    assert_eq!(st, 201);
    // Transfers sell nothing and free nothing: still two tickets sold, two live.
    assert_eq!(vendidas(&s, &e).await, (2, 8));
    let informe = s.conciliado(&e).await;
    assert_eq!((informe.vendidas, informe.confirmadas), (2, 2));
}

/// 50 cancels and transfers at once on one reservation's 6 tickets: each old code is
/// annulled once (by one cancel or one transfer), nothing is refunded twice (refunds =
/// price x cancelled), seats freed = cancelled, each transfer yields one new valid code
/// that the door admits while the old one is refused, and the cuadre is clean.
async fn cincuenta_a_la_vez(backend: Backend) {
    let s = Arc::new(common::stack(backend).await);
    let e = s.evento(&[("General", PRECIO, 20)]).await;
    let r = comprar(&s, &e, 6, 1).await;
    let (id, secreto) = (
        r["id"].as_str().unwrap().to_owned(),
        r["secreto"].as_str().unwrap().to_owned(),
    );
    let c = codigos(&r);
    let mut tareas = Vec::new();
    for i in 0..50 {
        let (s, codigo, secreto) = (s.clone(), c[i % 6].clone(), secreto.clone());
        tareas.push(tokio::spawn(async move {
            let (st, v) = if i % 2 == 0 {
                cancelar(&s, &codigo, &secreto).await
            } else {
                let quien = format!("Titular {i}");
                transferir(&s, &codigo, ("X-Reserva-Secreto", &secreto), &quien).await
            };
            (codigo, st, v)
        }));
    }
    let res: Vec<(String, u16, Value)> = futures::future::join_all(tareas)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    for (codigo, st, v) in &res {
        assert!(matches!(st, 200 | 201 | 409), "{codigo}: {st} {v}");
    }
    let canceladas: Vec<&String> = res.iter().filter(|x| x.1 == 200).map(|x| &x.0).collect();
    let transferidas: Vec<(&String, String)> = res
        .iter()
        .filter(|x| x.1 == 201)
        .map(|x| (&x.0, x.2["entrada"]["codigo"].as_str().unwrap().to_owned()))
        .collect();
    for x in &c {
        let veces = canceladas.iter().filter(|k| **k == x).count()
            + transferidas.iter().filter(|(k, _)| *k == x).count();
        assert!(veces <= 1, "{x} annulled {veces} times: {res:?}");
    }
    let rv = s.get_reserva(&id).await;
    assert_eq!(rv["estado"], "CONFIRMADA", "{rv}");
    let entradas = rv["entradas"].as_array().unwrap();
    assert_eq!(entradas.len(), 6 + transferidas.len(), "{rv}");
    let motivo = |m: &str| {
        entradas
            .iter()
            .filter(|t| t["estado"] == "ANULADA" && t["motivo"] == m)
            .count()
    };
    assert_eq!(motivo("cancelada"), canceladas.len(), "{rv}");
    assert_eq!(motivo("transferida"), transferidas.len(), "{rv}");
    let refunds = parciales(&s, &id).await;
    assert_eq!(refunds.len(), canceladas.len(), "{refunds:?}");
    assert_eq!(
        refunds.iter().map(|(_, m)| m).sum::<i64>(),
        PRECIO * canceladas.len() as i64,
        "nothing refunded twice"
    );
    let n = canceladas.len() as u64;
    assert_eq!(vendidas(&s, &e).await, (6 - n, 14 + n));
    for (viejo, nuevo) in &transferidas {
        assert_eq!(estado_de(&rv, nuevo), "VALIDA");
        assert_eq!(puerta(&s, &e, viejo).await.0, 409);
        assert_eq!(puerta(&s, &e, nuevo).await.0, 200);
    }
    let informe = s.conciliado(&e).await;
    assert_eq!((informe.vendidas, informe.confirmadas), (6 - n, 6 - n));
}

/// One ticket cancelled alone, then the whole reservation: the whole refund and return
/// take only the rest (two prices, two seats), so nothing is refunded or freed twice.
async fn luego_entera(backend: Backend) {
    let s = common::stack(backend).await;
    let e = s.evento(&[("General", PRECIO, 10)]).await;
    let r = comprar(&s, &e, 3, 1).await;
    let (id, secreto) = (r["id"].as_str().unwrap(), r["secreto"].as_str().unwrap());
    let c = codigos(&r);
    assert_eq!(cancelar(&s, &c[0], secreto).await.0, 200);
    let res = s
        .http
        .post(format!("{}/api/reservas/{id}/cancelar", s.reservas))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rv: Value = res.json().await.unwrap();
    assert_eq!(rv["estado"], "CANCELADA", "{rv}");
    assert_eq!(vendidas(&s, &e).await, (0, 10), "each seat back once");
    let log = json_de(
        s.http
            .get(format!("{}/api/reservas/{id}/eventos", s.reservas)),
    )
    .await;
    let monto = |tipo: &str| -> i64 {
        log["eventos"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["tipo"] == tipo)
            .map(|x| x["datos"]["monto"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(monto("EntradaReembolsada"), PRECIO);
    assert_eq!(monto("PagoReembolsado"), 2 * PRECIO, "only the rest: {log}");
    s.conciliado(&e).await;
}

ambos!(una_de_tres);
ambos!(luego_entera);
ambos!(transferida);
ambos!(cincuenta_a_la_vez, 4);
ambos!(muchas_a_la_vez, 4);
ambos!(recuperada);
