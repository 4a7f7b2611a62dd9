//! `POST /api/reservas/reenviar` end to end, on the embedded bus and on real backends
//! (MongoDB, RabbitMQ): the buyer's reservation goes out again as a notification with a
//! new link, the old link stops opening it, a keyed replay of the checkout answers the
//! link that works, an unknown email gets the same 202 and nothing is sent, and the
//! limits per email and per IP answer 429 with Retry-After.

use std::time::Duration;

use reqwest::Client;
use serde_json::{json, Value};

use eventflow_shared::config::StoreConfig;

use super::common::{plataforma, Backend, Plataforma};

macro_rules! ambos {
    ($name:ident) => {
        eventflow_testkit::en_ambos_backends!(
            $name(flavor = "multi_thread", worker_threads = 2),
            embebido: Backend::Embedded,
            rabbitmq: Backend::real().await,
            |b| super::$name(b),
        );
    };
}

async fn reenviar(p: &Plataforma, email: &str) -> reqwest::Response {
    reenviar_en(&p.reservas, email).await
}

async fn con_secreto(p: &Plataforma, id: &str, secreto: &str) -> u16 {
    Client::new()
        .get(format!("{}/api/reservas/{id}", p.reservas))
        .header("X-Reserva-Secreto", secreto)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A guest's checkout by email with an Idempotency-Key: the answer.
async fn compra_invitada(
    p: &Plataforma,
    evento: &str,
    email: &str,
    clave: &str,
) -> reqwest::Response {
    Client::new()
        .post(format!("{}/api/reservar", p.reservas))
        .header("Idempotency-Key", clave)
        .json(&json!({"evento_id": evento, "email": email}))
        .send()
        .await
        .unwrap()
}

async fn enlaces_reenviados(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let evento = p.evento(5, "corr-evento").await;
    let u = p.usuario(1).await;
    let res = compra_invitada(&p, &evento, "n1@example.com", "reenvio-1").await;
    assert_eq!(res.status(), 201);
    let r: Value = res.json().await.unwrap();
    let (id, viejo) = (
        r["id"].as_str().unwrap().to_owned(),
        r["secreto"].as_str().unwrap().to_owned(),
    );
    assert_eq!(con_secreto(&p, &id, &viejo).await, 200);

    let res = Client::new()
        .post(format!("{}/api/reservas/reenviar", p.reservas))
        .header("X-Correlation-Id", "corr-reenvio")
        .json(&json!({ "email": "N1@Example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let cuerpo: Value = res.json().await.unwrap();
    let reenvios = p
        .esperar(&format!("usuario_id={u}&tipo=reserva-reenviada"), 1)
        .await;
    assert_eq!(reenvios.len(), 1, "{reenvios:?}");
    assert_eq!(reenvios[0]["reserva_id"], id.as_str());
    assert_eq!(reenvios[0]["correlation_id"], "corr-reenvio");
    let enlace = reenvios[0]["enlace"].as_str().unwrap();
    let prefijo = format!("/reservas/{id}?s=");
    let nuevo = enlace
        .strip_prefix(&prefijo)
        .unwrap_or_else(|| panic!("{enlace}"));
    assert_ne!(nuevo, viejo);
    assert!(reenvios[0]["mensaje"].as_str().unwrap().contains(enlace));

    // The old link is dead, the new one opens it, as the ticket routes do.
    assert_eq!(con_secreto(&p, &id, &viejo).await, 404);
    assert_eq!(con_secreto(&p, &id, nuevo).await, 200);
    let pdf = Client::new()
        .get(format!("{}/api/reservas/{id}/entradas.pdf", p.reservas))
        .header("X-Reserva-Secreto", nuevo)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);

    // A replay of the keyed checkout answers the secret that works now, not the dead one.
    let replay = compra_invitada(&p, &evento, "n1@example.com", "reenvio-1").await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["id"], id.as_str());
    assert_eq!(replay["secreto"], nuevo);

    // An email that bought nothing: the same answer, and nothing is sent.
    let res = reenviar(&p, "nadie@example.com").await;
    assert_eq!(res.status(), 202);
    assert_eq!(res.json::<Value>().await.unwrap(), cuerpo);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let todos = p.notificaciones_de("tipo=reserva-reenviada").await;
    assert_eq!(todos.len(), 1, "{todos:?}");

    // A malformed email is a 422 that names the field.
    let res = reenviar(&p, "no es un email").await;
    assert_eq!(res.status(), 422);
}

ambos!(enlaces_reenviados);

/// A reservas instance on `store`, beside `p`'s usuarios and eventos, on its bus.
async fn otra_reservas(p: &Plataforma, store: StoreConfig) -> String {
    otra_reservas_con(p, store, |_| {}).await
}

async fn otra_reservas_con(
    p: &Plataforma,
    store: StoreConfig,
    tweak: impl FnOnce(&mut reservas_pagos_service::Config),
) -> String {
    let mut r = reservas_pagos_service::Config::embedded(&p.usuarios, &p.eventos);
    r.store = store;
    r.bus = p.bus.clone();
    tweak(&mut r);
    eventflow_testkit::spawn(reservas_pagos_service::build(r).await.unwrap()).await
}

async fn reenviar_en(base: &str, email: &str) -> reqwest::Response {
    Client::new()
        .post(format!("{base}/api/reservas/reenviar"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap()
}

/// 3 an hour per email, 20 an hour per IP (every request counts against its IP),
/// answered 429 with Retry-After and a Spanish problem; on real backends the counts
/// are in MongoDB, so two instances share them.
async fn limites_de_reenvio(b: Backend) {
    let p = plataforma(&b, b.bus(), false).await;
    let store = b.store("rsv-lim");
    let a = otra_reservas(&p, store.clone()).await;
    // On real backends a second instance on the same database; embedded, the same one.
    let otra = match b {
        Backend::Real { .. } => otra_reservas(&p, store).await,
        Backend::Embedded => a.clone(),
    };
    for _ in 0..3 {
        assert_eq!(reenviar_en(&a, "ana@example.com").await.status(), 202);
    }
    let res = reenviar_en(&otra, "ana@example.com").await;
    assert_eq!(res.status(), 429);
    let espera: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&espera), "{espera}");
    let problema: Value = res.json().await.unwrap();
    assert_eq!(
        problema["type"],
        "urn:eventflow:problem:demasiados-reenvios"
    );
    assert!(
        problema["detail"].as_str().unwrap().contains("email"),
        "{problema}"
    );

    // 4 requests from this address so far: 16 more pass, the 21st is refused.
    for i in 0..16 {
        let res = reenviar_en(&otra, &format!("otro{i}@example.com")).await;
        assert_eq!(res.status(), 202, "request {i}");
    }
    let res = reenviar_en(&a, "otro-mas@example.com").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let problema: Value = res.json().await.unwrap();
    assert!(
        problema["detail"].as_str().unwrap().contains("conexión"),
        "{problema}"
    );
}

ambos!(limites_de_reenvio);

/// 12 re-sends of one email at once (limits raised), each racing the others' writes of
/// the same two reservations: every write that lands sends its own link, none is lost
/// or doubled, and of each reservation's links exactly one, the last, opens it.
async fn reenvios_a_la_vez(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let r = otra_reservas_con(&p, b.store("rsv-conc"), |c| {
        c.reenvios.por_email = 100;
        c.reenvios.por_ip = 100;
    })
    .await;
    let evento = p.evento(10, "corr-evento").await;
    let u = p.usuario(4).await;
    let mut ids = Vec::new();
    for clave in ["conc-1", "conc-2"] {
        let res = Client::new()
            .post(format!("{r}/api/reservar"))
            .header("Idempotency-Key", clave)
            .json(&json!({"evento_id": evento, "email": "n4@example.com"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        let v: Value = res.json().await.unwrap();
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let n = 12;
    let respuestas =
        futures::future::join_all((0..n).map(|_| reenviar_en(&r, "n4@example.com"))).await;
    assert!(respuestas.iter().all(|x| x.status() == 202));
    let enviados = p
        .esperar(&format!("usuario_id={u}&tipo=reserva-reenviada"), 2 * n)
        .await;
    assert_eq!(
        enviados.len(),
        2 * n,
        "one message per write, none lost or doubled"
    );
    for id in &ids {
        let enlaces: Vec<&str> = enviados
            .iter()
            .filter(|x| x["reserva_id"] == id.as_str())
            .map(|x| x["enlace"].as_str().unwrap())
            .collect();
        assert_eq!(enlaces.len(), n, "{id}");
        let mut distintos = enlaces.clone();
        distintos.sort_unstable();
        distintos.dedup();
        assert_eq!(distintos.len(), n, "each write its own secret");
        let mut abren = 0;
        for e in &enlaces {
            let s = e.rsplit_once("?s=").unwrap().1;
            let st = Client::new()
                .get(format!("{r}/api/reservas/{id}"))
                .header("X-Reserva-Secreto", s)
                .send()
                .await
                .unwrap()
                .status();
            if st == 200 {
                abren += 1;
            } else {
                assert_eq!(st, 404);
            }
        }
        assert_eq!(abren, 1, "only the last link of {id} opens it");
    }
}

ambos!(reenvios_a_la_vez);
