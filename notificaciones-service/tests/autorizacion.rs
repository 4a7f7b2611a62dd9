//! notificaciones' authorization matrix, on both backends with real sessions: every
//! documented route (read from the OpenAPI document, so a new route missing here fails)
//! against every kind of caller. A guest's confirmation carries the secret link that
//! opens the reservation without an account.

mod common;

use std::collections::BTreeSet;

use common::*;
use eventflow_shared::config::{DEV_ADMIN_TOKEN, DEV_SERVICE_TOKEN};
use serde_json::{json, Value};

const CLAVE: &str = "quena-charango-1984";

async fn sesion(p: &Plataforma, email: &str, rol: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("{}/api/sesiones", p.usuarios))
        .json(&json!({"email": email, "password": CLAVE, "rol": rol}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn cuenta(p: &Plataforma, email: &str, doc: &str) -> (String, String) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/usuarios", p.usuarios))
        .json(
            &json!({"tipo_documento": "DNI", "nro_documento": doc, "nombre": "Ana",
                      "apellido": "Quispe", "email": email, "password": CLAVE}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, sesion(p, email, "comprador").await)
}

async fn matriz(backend: Backend) {
    let p = plataforma(&backend, backend.bus(), true).await;
    // No default credentials (the platform's client acts as the admin).
    let http = reqwest::Client::new();
    let (ana, t_ana) = cuenta(&p, "ana@example.com", "10000001").await;
    let (_, t_beto) = cuenta(&p, "beto@example.com", "10000002").await;
    let r = http
        .post(format!("{}/api/organizadores", p.usuarios))
        .bearer_auth(DEV_ADMIN_TOKEN)
        .json(&json!({"nombre": "Org", "email": "org@example.com", "password": CLAVE}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let t_org = sesion(&p, "org@example.com", "organizador").await;
    let evento = p.evento(10, "corr-matriz").await;
    // A guest purchase (no session) for Ana: her notification carries the secret link.
    let r = http
        .post(format!("{}/api/reservar", p.reservas))
        .json(&json!({"evento_id": evento, "email": "ana@example.com"}))
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

    let llamantes: [(&str, Option<&str>); 6] = [
        ("anonimo", None),
        ("ana", Some(&t_ana)),
        ("beto", Some(&t_beto)),
        ("organizador", Some(&t_org)),
        ("admin", Some(DEV_ADMIN_TOKEN)),
        ("servicio", Some(DEV_SERVICE_TOKEN)),
    ];
    type Fila<'a> = (&'a str, &'a str, String, [u16; 6]);
    let filas: Vec<Fila> = vec![
        (
            "get",
            "/api/notificaciones",
            format!("/api/notificaciones?usuario_id={ana}"),
            [401, 200, 404, 403, 200, 401],
        ),
        ("get", "/health", "/health".into(), [200; 6]),
        ("get", "/ready", "/ready".into(), [200; 6]),
    ];
    let documentadas =
        eventflow_shared::testing::rutas_documentadas(&notificaciones_service::http::openapi());
    let en_tabla: BTreeSet<(String, String)> = filas
        .iter()
        .map(|(m, ruta, ..)| ((*m).to_owned(), (*ruta).to_owned()))
        .collect();
    assert_eq!(
        documentadas, en_tabla,
        "every documented route is in the matrix"
    );
    for (m, _, ruta, esperados) in &filas {
        for ((quien, token), esperado) in llamantes.iter().zip(esperados) {
            let mut req = http.request(
                m.to_uppercase().parse().unwrap(),
                format!("{}{ruta}", p.notificaciones),
            );
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status().as_u16(), *esperado, "{m} {ruta} as {quien}");
        }
    }
    // Ana without usuario_id reads her own; her list holds only hers.
    let v: Value = http
        .get(format!("{}/api/notificaciones", p.notificaciones))
        .bearer_auth(&t_ana)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["total"], 1, "{v}");
    assert_eq!(v["items"][0]["usuario_id"], json!(ana), "{v}");
}

mod matriz {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn embebido() {
        super::matriz(Backend::Embedded).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn real() {
        let Some(b) = Backend::real().await else {
            return;
        };
        super::matriz(b).await;
    }
}
