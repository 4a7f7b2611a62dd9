//! A request that dies mid-SAGA leaves its Idempotency-Key "in progress". Once recovery
//! finishes the reservation, a retry with that key gets the final outcome, not a 409.
//! A request answered 202 (its confirmation's outcome unknown) is replayed, once
//! recovery has sold it, as the sale, with the guest secret the 202 gave.

use super::common;

use std::time::Duration;

use common::{stack_with, Backend, Stack};
use serde_json::{json, Value};

/// A stack whose recovery finishes a stopped SAGA within about a second (lock TTL 0.5 s,
/// a sweep every second), one event of 10 tickets and one buyer.
async fn montaje(backend: Backend) -> (Stack, String, String) {
    let s = stack_with(backend, |c| {
        c.lock_ttl = Duration::from_millis(500);
        c.recuperacion_intervalo = Duration::from_secs(1);
    })
    .await;
    let evento = s.evento(&[("General", 5000, 10)]).await;
    let u = s.usuario(1).await;
    (s, evento, u)
}

async fn reintento_tras_recuperacion(backend: Backend) {
    let (s, evento, u) = montaje(backend).await;
    let body = json!({"usuario_id": u, "evento_id": evento, "cantidad": 2});
    let post = |simular: bool| {
        let mut req = s
            .http
            .post(format!("{}/api/reservar", s.reservas))
            .header("Idempotency-Key", "k-1")
            .json(&body);
        if simular {
            req = req.header("X-Simular-Fallo", "colgar-tras-pago");
        }
        req
    };

    // The first attempt hangs for good after paying, like a process that died there.
    let colgada = tokio::spawn(post(true).send());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = post(false).send().await.unwrap();
    assert_eq!(res.status(), 409, "still running: the retry must wait");

    // Recovery completes it forward (it was paid); then the retry gets that outcome.
    let mut replay = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let res = post(false).send().await.unwrap();
        if res.status() == 201 {
            assert_eq!(res.headers()["idempotent-replayed"], "true");
            replay = Some(res.json::<Value>().await.unwrap());
            break;
        }
        assert_eq!(res.status(), 409);
    }
    colgada.abort();
    let replay = replay.expect("recovery finished the reservation within 10 s");
    assert_eq!(replay["estado"], "CONFIRMADA");
    let e = s.get_evento(&evento).await;
    assert_eq!(e["zonas"][0]["vendidas"], 2, "sold once, not twice");
    assert_eq!(s.historial(&u).await, [replay["id"].as_str().unwrap()]);
    s.sin_retenciones(&evento).await;
}

/// The 202's secret is the reservation's for good: the replay after recovery shows it
/// again (it is derived, never stored), and it opens the reservation without a session.
async fn repeticion_de_una_pendiente(backend: Backend) {
    let (s, evento, u) = montaje(backend).await;
    let body = json!({"usuario_id": u, "evento_id": evento, "cantidad": 1});
    let post = || {
        s.http
            .post(format!("{}/api/reservar", s.reservas))
            .header("Idempotency-Key", "k-incierta")
            .json(&body)
    };
    let res = post()
        .header("X-Simular-Fallo", "incierto")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let pendiente: Value = res.json().await.unwrap();
    assert_eq!(pendiente["estado"], "EN_CURSO");
    assert_eq!(pendiente["pasos"][3]["handler"], "ConfirmadorReserva");
    assert_eq!(pendiente["pasos"][3]["resultado"], "incierto");
    let secreto = pendiente["secreto"]
        .as_str()
        .expect("a 202 gives the secret");

    let mut replay = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let res = post().send().await.unwrap();
        if res.status() == 201 {
            assert_eq!(res.headers()["idempotent-replayed"], "true");
            replay = Some(res.json::<Value>().await.unwrap());
            break;
        }
        assert_eq!(res.status(), 409, "running until recovery sells it");
    }
    let replay = replay.expect("recovery confirmed it within 10 s");
    assert_eq!(replay["id"], pendiente["id"]);
    assert_eq!(replay["estado"], "CONFIRMADA");
    assert_eq!(replay["status"], "ok");
    assert_eq!(replay["secreto"], secreto, "the 202's secret, shown again");
    let id = replay["id"].as_str().unwrap();
    let sin_sesion = reqwest::Client::new()
        .get(format!("{}/api/reservas/{id}", s.reservas))
        .header("X-Reserva-Secreto", secreto)
        .send()
        .await
        .unwrap();
    assert_eq!(sin_sesion.status(), 200, "the secret opens it");
    let e = s.get_evento(&evento).await;
    assert_eq!(e["zonas"][0]["vendidas"], 1, "sold once");
}

ambos!(reintento_tras_recuperacion);
ambos!(repeticion_de_una_pendiente);
