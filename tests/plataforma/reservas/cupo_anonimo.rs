//! Guest checkouts are limited per client IP (`RESERVAS_ANONIMAS_POR_IP`): a rush of
//! anonymous requests from one address gets exactly its allowance through and 429 with
//! `Retry-After` for the rest, before any side effect; another address, and a signed-in
//! buyer at the same address, are not held back by it.

use super::common;

use common::{Backend, Stack};
use eventflow_shared::identidad::ProxiesConfiables;
use eventflow_testkit::matriz;
use eventflow_testkit::respuestas::json_de;
use futures::future::join_all;
use reqwest::Client;
use serde_json::{json, Value};

const CUPO: u32 = 10;

async fn anonima(http: &Client, s: &Stack, ip: &str, body: &Value) -> reqwest::Response {
    http.post(format!("{}/api/reservar", s.reservas))
        // The test talks to the service over loopback, as a local proxy would; with
        // loopback trusted, the right-most X-Forwarded-For entry names the client.
        .header("x-forwarded-for", ip)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn rafaga_desde_una_ip(backend: Backend) {
    let s = common::stack_with(backend, |c| {
        c.anonimas_por_ip = CUPO;
        c.proxies = ProxiesConfiables::loopback();
    })
    .await;
    let http = Client::new();
    let evento = s.evento(&[("General", 1000, 100)]).await;
    let mut compradores = Vec::new();
    for i in 0..40 {
        compradores.push(s.usuario(i).await);
    }
    let respuestas = join_all(compradores.iter().map(|u| {
        let body = json!({"usuario_id": u, "evento_id": evento});
        let (http, s) = (&http, &s);
        async move { anonima(http, s, "203.0.113.7", &body).await }
    }))
    .await;
    let mut creadas = 0;
    let mut limitadas = 0;
    for r in respuestas {
        match r.status().as_u16() {
            201 => creadas += 1,
            429 => {
                let espera: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=60).contains(&espera), "Retry-After {espera}");
                let p: Value = r.json().await.unwrap();
                assert_eq!(
                    p["type"], "urn:eventflow:problem:demasiadas-reservas",
                    "{p}"
                );
                assert!(
                    p["detail"].as_str().unwrap().contains("inicia sesión"),
                    "{p}"
                );
                limitadas += 1;
            }
            otro => panic!("unexpected {otro}: {:?}", r.text().await),
        }
    }
    println!("40 guest checkouts from one IP, allowance {CUPO}: {creadas} confirmed, {limitadas} got 429");
    assert_eq!((creadas, limitadas), (CUPO, 40 - CUPO));
    // The 429s started nothing: the sold tickets and the stored reservations are the
    // allowance's, and no lock or hold is left.
    let e = s.get_evento(&evento).await;
    assert_eq!(e["zonas"][0]["vendidas"], CUPO, "{e}");
    let mut guardadas = 0;
    for u in &compradores {
        let v: Value = json_de(
            s.http
                .get(format!("{}/api/reservas?usuario_id={u}", s.reservas)),
        )
        .await;
        guardadas += v["total"].as_u64().unwrap();
    }
    assert_eq!(guardadas, u64::from(CUPO));
    assert!(s.lock_keys().await.is_empty());
    s.sin_retenciones(&evento).await;

    // Spent, the allowance also turns away a malformed body, before it is read.
    let r = http
        .post(format!("{}/api/reservar", s.reservas))
        .header("x-forwarded-for", "203.0.113.7")
        .header("content-type", "application/json")
        .body("{no es json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    // Another address has its own allowance.
    let body = json!({"usuario_id": compradores[0], "evento_id": evento});
    assert_eq!(
        anonima(&http, &s, "198.51.100.9", &body).await.status(),
        201
    );
    // A signed-in buyer at the limited address is not counted against it.
    let (_, token) = matriz::comprador(
        &http,
        &s.usuarios,
        "ana@example.com",
        "10000001",
        "quena-charango-1984",
    )
    .await;
    let r = http
        .post(format!("{}/api/reservar", s.reservas))
        .header("x-forwarded-for", "203.0.113.7")
        .bearer_auth(&token)
        .json(&json!({"evento_id": evento}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
}

ambos!(rafaga_desde_una_ip);

/// Five guest checkouts, each from a different claimed address, then two more from the
/// first one: the statuses in order.
async fn cinco_direcciones_y_una_repetida(s: &Stack) -> Vec<u16> {
    let http = Client::new();
    let evento = s.evento(&[("General", 1000, 100)]).await;
    let mut estados = Vec::new();
    for (i, ip) in [
        "198.51.100.1",
        "198.51.100.2",
        "198.51.100.3",
        "198.51.100.4",
        "198.51.100.5",
        "198.51.100.1",
        "198.51.100.1",
    ]
    .iter()
    .enumerate()
    {
        let body = json!({"usuario_id": s.usuario(100 + i).await, "evento_id": evento});
        estados.push(anonima(&http, s, ip, &body).await.status().as_u16());
    }
    estados
}

/// `X-Forwarded-For` counts only from a peer in `EVENTFLOW_PROXIES_CONFIABLES`. By
/// default nobody is trusted, loopback included: the test's claimed addresses are
/// ignored and all its guests share its real one, so the allowance of 2 runs out. With
/// loopback trusted, each claimed address has its own allowance.
async fn reenviado_solo_desde_proxies_confiables(backend: Backend) {
    let s = common::stack_with(backend.clone(), |c| c.anonimas_por_ip = 2).await;
    assert_eq!(
        cinco_direcciones_y_una_repetida(&s).await,
        [201, 201, 429, 429, 429, 429, 429],
        "untrusted peer: limited by its real address"
    );
    let s = common::stack_with(backend, |c| {
        c.anonimas_por_ip = 2;
        c.proxies = ProxiesConfiables::parse("127.0.0.1, ::1").unwrap();
    })
    .await;
    assert_eq!(
        cinco_direcciones_y_una_repetida(&s).await,
        [201, 201, 201, 201, 201, 201, 429],
        "trusted peer: limited by the forwarded address"
    );
}

ambos!(reenviado_solo_desde_proxies_confiables);
