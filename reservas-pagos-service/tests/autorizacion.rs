//! The authorization matrices of reservas-pagos and eventos, walked on both backends with
//! real sessions: every documented route (read from each service's OpenAPI document, so
//! a new route missing here fails) against every kind of caller. eventos' matrix lives
//! here because its organizer routes need the whole stack: usuarios for sessions and
//! reservas for the reconciliation.

mod common;

use std::collections::BTreeSet;

use common::{Backend, Stack};
use eventflow_shared::config::{DEV_ADMIN_TOKEN, DEV_SERVICE_TOKEN};
use reqwest::{Client, Method};
use serde_json::{json, Value};

const CLAVE: &str = "quena-charango-1984";

/// Who calls: a bearer token and/or a reservation secret.
struct Llamante {
    nombre: &'static str,
    token: Option<String>,
    secreto: Option<String>,
}

/// (method, documented path, concrete path, body, one status per caller).
type Fila = (&'static str, &'static str, String, Option<Value>, Vec<u16>);

struct Mundo {
    s: Stack,
    /// A client with no default credentials.
    http: Client,
    ana: String,
    t_ana: String,
    t_beto: String,
    t_org: String,
    t_otro_org: String,
    evento: String,
    reserva: String,
    secreto: String,
}

async fn cuenta(s: &Stack, http: &Client, email: &str, doc: &str) -> (String, String) {
    let r = http
        .post(format!("{}/api/usuarios", s.usuarios))
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
    (id, iniciar(s, http, email, "comprador").await)
}

async fn iniciar(s: &Stack, http: &Client, email: &str, rol: &str) -> String {
    let r = http
        .post(format!("{}/api/sesiones", s.usuarios))
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

async fn organizador(s: &Stack, http: &Client, email: &str) -> String {
    let r = http
        .post(format!("{}/api/organizadores", s.usuarios))
        .bearer_auth(DEV_ADMIN_TOKEN)
        .json(&json!({"nombre": "Producciones Andinas", "email": email, "password": CLAVE}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    iniciar(s, http, email, "organizador").await
}

fn cuerpo_evento() -> Value {
    json!({"nombre": "Festival", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
           "zonas": [{"nombre": "General", "precio": 2500, "capacidad": 100}]})
}

/// Two buyers, two organizers; the first organizer's event; Ana's reservation for it.
async fn mundo(backend: Backend) -> Mundo {
    let s = common::stack(backend).await;
    let http = Client::new();
    let (ana, t_ana) = cuenta(&s, &http, "ana@example.com", "10000001").await;
    let (_, t_beto) = cuenta(&s, &http, "beto@example.com", "10000002").await;
    let t_org = organizador(&s, &http, "org@example.com").await;
    let t_otro_org = organizador(&s, &http, "otro@example.com").await;
    let r = http
        .post(format!("{}/api/eventos", s.eventos))
        .bearer_auth(&t_org)
        .json(&cuerpo_evento())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let ev: Value = r.json().await.unwrap();
    let evento = ev["id"].as_str().unwrap().to_owned();
    // Ana buys with her session, naming nobody: the reservation is hers.
    let r = http
        .post(format!("{}/api/reservar", s.reservas))
        .bearer_auth(&t_ana)
        .header("Idempotency-Key", "matriz-1")
        .json(&json!({"evento_id": evento}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let rsv: Value = r.json().await.unwrap();
    assert_eq!(rsv["usuario_id"], json!(ana), "{rsv}");
    let secreto = rsv["secreto"].as_str().expect("the 201 carries the secret");
    assert_eq!(secreto.len(), 22, "128 bits in base64url: {secreto}");
    Mundo {
        reserva: rsv["id"].as_str().unwrap().to_owned(),
        secreto: secreto.to_owned(),
        s,
        http,
        ana,
        t_ana,
        t_beto,
        t_org,
        t_otro_org,
        evento,
    }
}

impl Mundo {
    fn llamantes(&self) -> Vec<Llamante> {
        let l = |nombre, token: Option<&str>, secreto: Option<&str>| Llamante {
            nombre,
            token: token.map(str::to_owned),
            secreto: secreto.map(str::to_owned),
        };
        vec![
            l("anonimo", None, None),
            l("invitado con el secreto", None, Some(&self.secreto)),
            l("secreto ajeno", None, Some("AAAAAAAAAAAAAAAAAAAAAA")),
            l("ana (compradora)", Some(&self.t_ana), None),
            l("beto (otro comprador)", Some(&self.t_beto), None),
            l("organizador del evento", Some(&self.t_org), None),
            l("otro organizador", Some(&self.t_otro_org), None),
            l("admin", Some(DEV_ADMIN_TOKEN), None),
            l("servicio", Some(DEV_SERVICE_TOKEN), None),
        ]
    }

    async fn recorrer(&self, base: &str, doc: utoipa::openapi::OpenApi, filas: Vec<Fila>) {
        let llamantes = self.llamantes();
        let documentadas = eventflow_shared::testing::rutas_documentadas(&doc);
        let en_tabla: BTreeSet<(String, String)> = filas
            .iter()
            .map(|(m, p, ..)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        assert_eq!(
            documentadas, en_tabla,
            "every documented route is in the matrix, and only those"
        );
        for (m, _, path, body, esperados) in &filas {
            assert_eq!(esperados.len(), llamantes.len(), "{m} {path}");
            for (quien, esperado) in llamantes.iter().zip(esperados) {
                let mut req = self.http.request(
                    m.to_uppercase().parse::<Method>().unwrap(),
                    format!("{base}{path}"),
                );
                if let Some(t) = &quien.token {
                    req = req.bearer_auth(t);
                }
                if let Some(sec) = &quien.secreto {
                    req = req.header("X-Reserva-Secreto", sec);
                }
                if let Some(b) = body {
                    req = req.json(b);
                }
                let r = req.send().await.unwrap();
                let status = r.status().as_u16();
                let texto = r.text().await.unwrap();
                assert_eq!(status, *esperado, "{m} {path} as {}: {texto}", quien.nombre);
                if status >= 400 {
                    let p: Value = serde_json::from_str(&texto)
                        .unwrap_or_else(|_| panic!("{m} {path}: not a problem: {texto}"));
                    assert!(p["detail"].is_string(), "{m} {path}: {p}");
                }
            }
        }
    }
}

async fn matriz_reservas(backend: Backend) {
    let w = mundo(backend).await;
    let (r, e, ana) = (&w.reserva, &w.evento, &w.ana);
    // Columns: anonimo, invitado, secreto ajeno, ana, beto, org del evento, otro org,
    // admin, servicio.
    let filas: Vec<Fila> = vec![
        (
            // Buying *for Ana*: anyone may as a guest (the seed's body); a signed-in buyer
            // only for themselves; an organizer account does not buy.
            "post",
            "/api/reservar",
            "/api/reservar".into(),
            Some(json!({"evento_id": e, "usuario_id": ana})),
            vec![201, 201, 201, 201, 403, 403, 403, 201, 401],
        ),
        (
            "get",
            "/api/reservas",
            format!("/api/reservas?usuario_id={ana}"),
            None,
            vec![401, 401, 401, 200, 404, 200, 404, 200, 401],
        ),
        (
            "get",
            "/api/reservas/{id}",
            format!("/api/reservas/{r}"),
            None,
            vec![401, 200, 404, 200, 404, 200, 404, 200, 401],
        ),
        (
            "get",
            "/api/reservas/{id}/eventos",
            format!("/api/reservas/{r}/eventos"),
            None,
            vec![401, 200, 404, 200, 404, 200, 404, 200, 401],
        ),
        (
            "get",
            "/internal/conciliacion/{evento_id}",
            format!("/internal/conciliacion/{e}"),
            None,
            vec![401, 401, 401, 401, 401, 401, 401, 401, 200],
        ),
        // Public by decision: Prometheus scrapes without credentials; probes too.
        ("get", "/metrics", "/metrics".into(), None, vec![200; 9]),
        ("get", "/health", "/health".into(), None, vec![200; 9]),
        ("get", "/ready", "/ready".into(), None, vec![200; 9]),
        // Last: it changes the reservation (cancelling again is idempotent, so each
        // allowed caller gets 200).
        (
            "post",
            "/api/reservas/{id}/cancelar",
            format!("/api/reservas/{r}/cancelar"),
            None,
            vec![401, 200, 404, 200, 404, 200, 404, 200, 401],
        ),
    ];
    w.recorrer(
        &w.s.reservas,
        reservas_pagos_service::http::openapi(),
        filas,
    )
    .await;
    // What the refused callers tried left nothing behind: Ana's reservation was cancelled
    // once, and no one else's purchase was made for her.
    let v: Value = w
        .http
        .get(format!("{}/api/reservas/{r}", w.s.reservas))
        .bearer_auth(&w.t_ana)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["estado"], "CANCELADA", "{v}");
    assert!(v.get("secreto").is_none(), "the secret is shown once: {v}");
}

async fn matriz_eventos(backend: Backend) {
    let w = mundo(backend).await;
    let e = &w.evento;
    let r = &w.reserva;
    let filas: Vec<Fila> = vec![
        (
            "post",
            "/api/eventos",
            "/api/eventos".into(),
            Some(cuerpo_evento()),
            vec![401, 401, 401, 403, 403, 201, 201, 201, 401],
        ),
        // Public by decision: the catalogue.
        (
            "get",
            "/api/eventos",
            "/api/eventos".into(),
            None,
            vec![200; 9],
        ),
        (
            "get",
            "/api/eventos/{id}",
            format!("/api/eventos/{e}"),
            None,
            vec![200; 9],
        ),
        (
            "patch",
            "/api/eventos/{id}",
            format!("/api/eventos/{e}"),
            Some(json!({"lugar": "Arequipa"})),
            vec![401, 401, 401, 403, 403, 200, 404, 200, 401],
        ),
        (
            "get",
            "/api/eventos/{id}/conciliacion",
            format!("/api/eventos/{e}/conciliacion"),
            None,
            vec![401, 401, 401, 403, 403, 200, 404, 200, 401],
        ),
        // The inventory is reservas-pagos' alone.
        (
            "post",
            "/internal/eventos/{id}/retenciones",
            format!("/internal/eventos/{e}/retenciones"),
            Some(json!({})),
            vec![401, 401, 401, 401, 401, 401, 401, 401, 422],
        ),
        (
            "post",
            "/internal/eventos/{id}/retenciones/{reserva_id}/confirmar",
            format!("/internal/eventos/{e}/retenciones/no-existe/confirmar"),
            None,
            vec![401, 401, 401, 401, 401, 401, 401, 401, 409],
        ),
        (
            "delete",
            "/internal/eventos/{id}/retenciones/{reserva_id}",
            format!("/internal/eventos/{e}/retenciones/no-existe"),
            None,
            vec![401, 401, 401, 401, 401, 401, 401, 401, 200],
        ),
        (
            "post",
            "/internal/eventos/{id}/ventas/{reserva_id}/devolver",
            format!("/internal/eventos/{e}/ventas/no-existe/devolver"),
            None,
            vec![401, 401, 401, 401, 401, 401, 401, 401, 200],
        ),
        (
            "get",
            "/internal/eventos/{id}/inventario",
            format!("/internal/eventos/{e}/inventario"),
            None,
            vec![401, 401, 401, 401, 401, 401, 401, 401, 200],
        ),
        ("get", "/health", "/health".into(), None, vec![200; 9]),
        ("get", "/ready", "/ready".into(), None, vec![200; 9]),
    ];
    w.recorrer(&w.s.eventos, eventos_service::http::openapi(), filas)
        .await;
    // Only the organizer's and the admin's PATCH landed; the event is still theirs, and
    // the sale the other callers could not touch is still there.
    let ev = w.s.get_evento(e).await;
    assert_eq!(ev["lugar"], "Arequipa", "{ev}");
    assert!(ev["organizador_id"].is_string(), "{ev}");
    assert_eq!(ev["zonas"][0]["vendidas"], 1, "{ev}");
    let _ = r;
}

/// The organizer's view of a buyer: only reservations for its own events.
async fn organizador_ve_solo_lo_suyo(backend: Backend) {
    let w = mundo(backend).await;
    // Ana also buys for an event the admin published (no organizer).
    let ajeno = w.s.evento(&[("General", 1000, 10)]).await;
    let r = w
        .http
        .post(format!("{}/api/reservar", w.s.reservas))
        .bearer_auth(&w.t_ana)
        .json(&json!({"evento_id": ajeno}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let lista = |t: String| {
        let url = format!("{}/api/reservas?usuario_id={}", w.s.reservas, w.ana);
        let http = w.http.clone();
        async move {
            let v: Value = http
                .get(url)
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        }
    };
    let de_ana = lista(w.t_ana.clone()).await;
    assert_eq!(de_ana["total"], 2, "{de_ana}");
    let del_org = lista(w.t_org.clone()).await;
    assert_eq!(del_org["total"], 1, "{del_org}");
    assert_eq!(
        del_org["items"][0]["evento_id"],
        json!(w.evento),
        "{del_org}"
    );
    // Ana without usuario_id reads her own list.
    let propia: Value = w
        .http
        .get(format!("{}/api/reservas", w.s.reservas))
        .bearer_auth(&w.t_ana)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(propia["total"], 2, "{propia}");
    // A signed-in buyer cannot buy for someone else by email either.
    let r = w
        .http
        .post(format!("{}/api/reservar", w.s.reservas))
        .bearer_auth(&w.t_beto)
        .json(&json!({"evento_id": w.evento, "email": "ana@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A signed-out session is refused everywhere once the 2 s cache has passed.
    let r = w
        .http
        .delete(format!("{}/api/sesiones/actual", w.s.usuarios))
        .bearer_auth(&w.t_ana)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let r = w
        .http
        .get(format!("{}/api/reservas/{}", w.s.reservas, w.reserva))
        .bearer_auth(&w.t_ana)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The secret still opens it, and a wrong one is the same 404 as a missing one.
    let con = |s: &str| {
        w.http
            .get(format!("{}/api/reservas/{}", w.s.reservas, w.reserva))
            .header("X-Reserva-Secreto", s.to_owned())
            .send()
    };
    assert_eq!(con(&w.secreto).await.unwrap().status(), 200);
    assert_eq!(con(&"x".repeat(10_000)).await.unwrap().status(), 404);
}

macro_rules! ambos {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embebido() {
                super::$name(Backend::Embedded).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn real() {
                let Some(b) = Backend::real().await else {
                    return;
                };
                super::$name(b).await;
            }
        }
    };
}

ambos!(matriz_reservas);
ambos!(matriz_eventos);
ambos!(organizador_ve_solo_lo_suyo);
