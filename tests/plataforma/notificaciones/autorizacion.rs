//! notificaciones' authorization matrix, on both backends with real sessions: every
//! documented route (read from the OpenAPI document, so a new route missing here fails)
//! against every kind of caller. A guest's confirmation carries the secret link that
//! opens the reservation without an account.

use super::common;

use common::*;
use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_testkit::matriz as kit;
use eventflow_testkit::matriz::{Fila, Llamante};
use eventflow_testkit::respuestas::json_de;
use serde_json::{json, Value};

const CLAVE: &str = "quena-charango-1984";

async fn matriz(backend: Backend) {
    let p = plataforma(&backend, backend.bus(), true).await;
    // No default credentials (the platform's client acts as the admin).
    let http = reqwest::Client::new();
    let u = &p.usuarios;
    let (ana, t_ana) = kit::comprador(&http, u, "ana@example.com", "10000001", CLAVE).await;
    let (_, t_beto) = kit::comprador(&http, u, "beto@example.com", "10000002", CLAVE).await;
    let t_org = kit::organizador(&http, u, "org@example.com", CLAVE).await;
    let t_staff = kit::staff(&http, u, &t_org, "puerta@example.com", CLAVE).await;
    let evento = p.evento(10, "corr-matriz").await;
    // Ana's purchase with her session (a guest cannot buy for an account with a
    // password): her notification carries the secret link.
    let r = http
        .post(format!("{}/api/reservar", p.reservas))
        .bearer_auth(&t_ana)
        .json(&json!({"evento_id": evento}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let rsv: Value = r.json().await.unwrap();
    let (rid, secreto) = (
        rsv["id"].as_str().unwrap(),
        rsv["secreto"].as_str().unwrap(),
    );
    let n = p.esperar(&format!("usuario_id={ana}"), 1).await;
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(
        n[0]["enlace"],
        json!(format!("/reservas/{rid}?s={secreto}")),
        "{}",
        n[0]
    );
    // The link's secret opens the reservation.
    let abierta = http
        .get(format!("{}/api/reservas/{rid}", p.reservas))
        .header("X-Reserva-Secreto", secreto)
        .send()
        .await
        .unwrap();
    assert_eq!(abierta.status(), 200);

    let mut llamantes = vec![
        Llamante::new("anonimo", None, None),
        Llamante::new("ana", Some(&t_ana), None),
        Llamante::new("beto", Some(&t_beto), None),
        Llamante::new("organizador", Some(&t_org), None),
        Llamante::new("admin", Some(DEV_ADMIN_TOKEN), None),
    ];
    // One caller per service credential: none is a session, none reads here.
    llamantes.extend(Llamante::servicios());
    // Door staff: notifications are buyers', so refused as an organizer is.
    llamantes.push(Llamante::new("staff", Some(&t_staff), None));
    let filas: Vec<Fila> = vec![
        (
            "get",
            "/api/notificaciones",
            format!("/api/notificaciones?usuario_id={ana}"),
            None,
            vec![401, 200, 404, 403, 200, 401, 401, 401, 401, 403],
        ),
        ("get", "/health", "/health".into(), None, vec![200; 10]),
        ("get", "/ready", "/ready".into(), None, vec![200; 10]),
    ];
    kit::recorrer(
        &http,
        &p.notificaciones,
        &notificaciones_service::http::openapi(),
        &llamantes,
        &filas,
    )
    .await;
    // Ana without usuario_id reads her own; her list holds only hers.
    let v: Value = json_de(
        http.get(format!("{}/api/notificaciones", p.notificaciones))
            .bearer_auth(&t_ana),
    )
    .await;
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["usuario_id"], json!(ana), "{v}");
}

eventflow_testkit::en_ambos_backends!(
    matriz(flavor = "multi_thread", worker_threads = 2),
    embebido: Backend::Embedded,
    real: Backend::real().await,
    |b| super::matriz(b),
);
