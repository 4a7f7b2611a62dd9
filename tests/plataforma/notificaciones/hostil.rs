//! Hostile input on notificaciones. It has no write route: every write method on its API
//! is a 405 problem+json whatever the body (oversized, 10,000 levels deep, not UTF-8), and
//! hostile query strings on GET /api/notificaciones are a 422 problem+json or ignored, never
//! a query operator: a `$ne` never returns "everyone else's" notifications. Runs on the
//! embedded backends and on MongoDB + RabbitMQ.

use super::common;

use common::*;
use eventflow_testkit::hostil::{self, enviar};
use serde_json::{json, Value};

macro_rules! en_ambos_backends {
    ($name:ident) => {
        con_ambos_backends!($name, |b| plataforma(&b, b.bus(), true).await);
    };
}

const JSON: (&str, &str) = ("content-type", "application/json");
/// The platform admin reads every buyer's notifications.
const ADMIN: (&str, &str) = ("authorization", "Bearer eventflow-dev-admin");

/// Two buyers with one confirmed reservation each; returns their ids once both
/// `reserva-confirmada` notifications are listed.
async fn sembrar(p: &Plataforma) -> (String, String) {
    let evento = p.evento(10, "corr-hostil").await;
    let a = p.usuario(1).await;
    let b = p.usuario(2).await;
    p.reservar(&a, &evento, "corr-a").await;
    p.reservar(&b, &evento, "corr-b").await;
    assert_eq!(p.esperar(&format!("usuario_id={a}"), 1).await.len(), 1);
    assert_eq!(p.esperar(&format!("usuario_id={b}"), 1).await.len(), 1);
    (a, b)
}

async fn pagina(p: &Plataforma, q: &str) -> hostil::Respuesta {
    enviar(
        &p.notificaciones,
        "GET",
        &format!("/api/notificaciones?{q}"),
        &[ADMIN],
        b"",
    )
    .await
}

en_ambos_backends!(metodos_de_escritura_son_405_problem);
async fn metodos_de_escritura_son_405_problem(p: Plataforma) {
    let plantilla = json!({"usuario_id": "u", "tipo": "reserva-confirmada", "reserva_id": "r"});
    let mut cuerpos = vec![
        ("vacío".to_owned(), Vec::new()),
        ("> 64 KiB".to_owned(), hostil::cuerpo_enorme(&plantilla)),
        (
            "operador".to_owned(),
            br#"{"usuario_id": {"$ne": null}}"#.to_vec(),
        ),
    ];
    cuerpos.extend(hostil::cuerpos_malformados(&plantilla));
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        for (que, body) in &cuerpos {
            for path in ["/api/notificaciones", "/api/notificaciones/x"] {
                let r = enviar(&p.notificaciones, method, path, &[JSON], body).await;
                let b = r.assert_problema_4xx(&format!("{method} {path}: {que}"));
                assert!([404, 405, 413].contains(&r.status), "{method} {path}: {b}");
            }
        }
    }
    // Hostile path segments under the API: 404 problem.
    for seg in hostil::segmentos_hostiles() {
        let path = format!("/api/notificaciones/{seg}");
        let r = enviar(&p.notificaciones, "GET", &path, &[], b"").await;
        r.assert_problema_4xx(&path);
    }
}

en_ambos_backends!(operadores_en_la_query_no_filtran);
async fn operadores_en_la_query_no_filtran(p: Plataforma) {
    let (a, b) = sembrar(&p).await;
    let todas: Value = serde_json::from_str(&pagina(&p, "limit=100").await.body).unwrap();
    let total = todas["total"].as_u64().unwrap();
    assert!(total >= 2, "{todas}");
    // Operators and traversal as values: refused by the id check.
    for q in [
        "usuario_id=%24ne",
        "usuario_id=%7B%22%24ne%22%3Anull%7D",
        "usuario_id=a%2Fb",
        "usuario_id=..",
        "usuario_id=a%00b",
        "usuario_id=",
        "reserva_id=%24gt",
        "reserva_id=..%2F..",
        "tipo=%24regex",
        "tipo=%7B%22%24ne%22%3A%22%22%7D",
        "limit=%24ne",
        "limit=0",
        "limit=1&limit=2",
        "limit=99999999999999999999",
        "offset=-1",
    ] {
        let r = pagina(&p, q).await;
        let body = r.assert_problema_4xx(&format!("?{q}"));
        assert_eq!(r.status, 422, "?{q}: {body}");
    }
    // Bracketed operators are unknown parameters: ignored. Alone they leave the list
    // unfiltered (the same page as no filter at all), never "everyone but A"...
    for q in [
        format!("usuario_id[$ne]={a}&limit=100"),
        format!("usuario_id[$nin][]={a}&limit=100"),
        "tipo[$ne]=nuevo-evento&limit=100".to_owned(),
    ] {
        let r = pagina(&p, &q).await;
        assert_eq!(r.status, 200, "?{q}: {}", r.body);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["total"], total, "?{q} acted as a filter: {v}");
    }
    // ...and next to a real filter they do not widen or invert it.
    let q = format!("usuario_id={a}&usuario_id[$ne]={a}&limit=100");
    let r = pagina(&p, &q).await;
    assert_eq!(r.status, 200, "?{q}: {}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "?{q}: {v}");
    assert!(items.iter().all(|n| n["usuario_id"] == json!(a)), "{v}");
    assert!(items.iter().all(|n| n["usuario_id"] != json!(b)), "{v}");
}
