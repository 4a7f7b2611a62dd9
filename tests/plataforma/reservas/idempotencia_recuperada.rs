//! A request that dies mid-SAGA leaves its Idempotency-Key "in progress". Once recovery
//! finishes the reservation, a retry with that key gets the final outcome, not a 409.

use super::common;

use std::time::Duration;

use common::{stack_with, Backend};
use serde_json::{json, Value};

async fn reintento_tras_recuperacion(backend: Backend) {
    let s = stack_with(backend, |c| {
        c.lock_ttl = Duration::from_millis(500);
        c.recuperacion_intervalo = Duration::from_secs(1);
    })
    .await;
    let evento = s.evento(&[("General", 5000, 10)]).await;
    let u = s.usuario(1).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embebido() {
    reintento_tras_recuperacion(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real() {
    let Some(b) = Backend::real().await else {
        return;
    };
    reintento_tras_recuperacion(b).await;
}
