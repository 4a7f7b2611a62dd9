//! The authorization matrices of reservas-pagos and eventos, walked on both backends with
//! real sessions: every documented route (read from each service's OpenAPI document, so
//! a new route missing here fails) against every kind of caller. eventos' matrix lives
//! here because its organizer routes need the whole stack: usuarios for sessions and
//! reservas for the reconciliation.

use super::common;

use common::{Backend, Stack};
use eventflow_shared::auth::Servicio;
use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_testkit::matriz::{self, Fila, Llamante};
use reqwest::Client;
use serde_json::{json, Value};

const CLAVE: &str = "quena-charango-1984";

struct Mundo {
    s: Stack,
    /// A client with no default credentials.
    http: Client,
    ana: String,
    /// A buyer without a password with only a declined booking on the organizer's event.
    dora: String,
    t_ana: String,
    t_beto: String,
    t_org: String,
    org_id: String,
    t_otro_org: String,
    /// Door staff of the event's organizer, and of the other organizer.
    t_staff: String,
    t_staff_otro: String,
    evento: String,
    reserva: String,
    secreto: String,
    /// The code of Ana's ticket.
    codigo: String,
}

fn cuerpo_evento() -> Value {
    json!({"nombre": "Festival", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
           "zonas": [{"nombre": "General", "precio": 2500, "capacidad": 100}]})
}

/// Two buyers, two organizers; the first organizer's event; Ana's reservation for it.
async fn mundo(backend: Backend) -> Mundo {
    // Every caller re-sends Ana's links: above the hourly limit of a real email.
    let s = common::stack_with(backend, |c| c.reenvios.por_email = 1000).await;
    let http = Client::new();
    let u = &s.usuarios;
    let (ana, t_ana) = matriz::comprador(&http, u, "ana@example.com", "10000001", CLAVE).await;
    let (_, t_beto) = matriz::comprador(&http, u, "beto@example.com", "10000002", CLAVE).await;
    let (org_id, t_org) = matriz::organizador_con_id(&http, u, "org@example.com", CLAVE).await;
    let t_otro_org = matriz::organizador(&http, u, "otro@example.com", CLAVE).await;
    let t_staff = matriz::staff(&http, u, &t_org, "puerta@example.com", CLAVE).await;
    let t_staff_otro = matriz::staff(&http, u, &t_otro_org, "puerta-otro@example.com", CLAVE).await;
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
    // Two buyers of the seed's kind, without a password: Carla, for whom guests buy, and
    // Dora, in whose name a stranger plants a declined booking on the organizer's event.
    let sin_password = |email: &str, dni: &str| {
        json!({"tipo_documento": "DNI", "nro_documento": dni, "nombre": "Sin",
               "apellido": "Clave", "email": email})
    };
    crate::comun::registrar_comprador(&http, u, sin_password("carla@example.com", "10000003"))
        .await;
    let dora =
        crate::comun::registrar_comprador(&http, u, sin_password("dora@example.com", "10000004"))
            .await;
    let r = http
        .post(format!("{}/api/reservar", s.reservas))
        .json(&json!({"evento_id": evento, "email": "dora@example.com",
                      "pago": {"metodo": "tarjeta", "numero_tarjeta": "4000000000000002"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 402, "{:?}", r.text().await);
    Mundo {
        codigo: rsv["entradas"][0]["codigo"].as_str().unwrap().to_owned(),
        dora,
        reserva: rsv["id"].as_str().unwrap().to_owned(),
        secreto: secreto.to_owned(),
        s,
        http,
        ana,
        t_ana,
        t_beto,
        t_org,
        org_id,
        t_otro_org,
        t_staff,
        t_staff_otro,
        evento,
    }
}

impl Mundo {
    fn llamantes(&self) -> Vec<Llamante> {
        let mut v = vec![
            Llamante::new("anonimo", None, None),
            Llamante::new("invitado con el secreto", None, Some(&self.secreto)),
            Llamante::new("secreto ajeno", None, Some("AAAAAAAAAAAAAAAAAAAAAA")),
            Llamante::new("ana (compradora)", Some(&self.t_ana), None),
            Llamante::new("beto (otro comprador)", Some(&self.t_beto), None),
            Llamante::new("organizador del evento", Some(&self.t_org), None),
            Llamante::new("otro organizador", Some(&self.t_otro_org), None),
            Llamante::new("admin", Some(DEV_ADMIN_TOKEN), None),
        ];
        // One caller per service credential, each with its development token.
        v.extend(Llamante::servicios());
        // Last, the door staff: its organizer's doors and nothing else.
        v.push(Llamante::new(
            "staff del organizador",
            Some(&self.t_staff),
            None,
        ));
        v.push(Llamante::new(
            "staff de otro organizador",
            Some(&self.t_staff_otro),
            None,
        ));
        v
    }

    async fn recorrer(&self, base: &str, doc: utoipa::openapi::OpenApi, filas: Vec<Fila>) {
        matriz::recorrer(&self.http, base, &doc, &self.llamantes(), &filas).await;
    }

    /// `GET /api/usuarios/{quien}` on usuarios with `token`.
    async fn perfil(&self, quien: &str, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}/api/usuarios/{quien}", self.s.usuarios))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// `GET url` with `token`, as JSON.
    async fn leer(&self, url: String, token: &str) -> Value {
        eventflow_testkit::respuestas::json_de(self.http.get(url).bearer_auth(token)).await
    }
}

async fn matriz_reservas(backend: Backend) {
    let w = mundo(backend).await;
    let (r, e, ana) = (&w.reserva, &w.evento, &w.ana);
    // Columns: anonimo, invitado, secreto ajeno, ana, beto, org del evento, otro org,
    // admin, the services usuarios, eventos, reservas, notificaciones, and the door staff
    // of the event's organizer and of the other one. A service
    // reservas does not know (itself, notificaciones) gets 401; one it knows but the
    // route does not accept, 403.
    let filas: Vec<Fila> = vec![
        (
            // Buying *for Ana*, who has a password: only her own session (and the admin)
            // may; a guest is told to sign in (409), another buyer is refused, and an
            // organizer account does not buy.
            "post",
            "/api/reservar",
            "/api/reservar".into(),
            Some(json!({"evento_id": e, "usuario_id": ana})),
            vec![
                409, 409, 409, 201, 403, 403, 403, 201, 401, 401, 401, 401, 403, 403,
            ],
        ),
        (
            // Buying for Carla, a buyer of the seed's kind (no password): anyone may as
            // a guest (the seed's body).
            "post",
            "/api/reservar",
            "/api/reservar".into(),
            Some(json!({"evento_id": e, "email": "carla@example.com"})),
            vec![
                201, 201, 201, 403, 403, 403, 403, 201, 401, 401, 401, 401, 403, 403,
            ],
        ),
        (
            "get",
            "/api/reservas",
            format!("/api/reservas?usuario_id={ana}"),
            None,
            vec![
                401, 401, 401, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "get",
            "/api/reservas/{id}",
            format!("/api/reservas/{r}"),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "get",
            "/api/reservas/{id}/eventos",
            format!("/api/reservas/{r}/eventos"),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "get",
            "/api/reservas/{id}/evento.ics",
            format!("/api/reservas/{r}/evento.ics"),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "get",
            "/api/reservas/{id}/entradas.pdf",
            format!("/api/reservas/{r}/entradas.pdf"),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "get",
            "/internal/conciliacion/{evento_id}",
            format!("/internal/conciliacion/{e}"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            // usuarios asks it whether Ana bought from this organizer: she did.
            "get",
            "/internal/organizadores/{organizador_id}/compradores/{usuario_id}",
            format!("/internal/organizadores/{}/compradores/{ana}", w.org_id),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 204, 403, 401, 401, 401, 401,
            ],
        ),
        (
            // The planted booking: a declined guest checkout in Dora's name on the
            // organizer's event. A failed attempt does not make her its buyer.
            "get",
            "/internal/organizadores/{organizador_id}/compradores/{usuario_id}",
            format!(
                "/internal/organizadores/{}/compradores/{}",
                w.org_id, w.dora
            ),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 404, 403, 401, 401, 401, 401,
            ],
        ),
        // Ana's ticket: who sees her reservation sees it and its QR.
        (
            "get",
            "/api/entradas/{codigo}",
            format!("/api/entradas/{}", w.codigo),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "get",
            "/api/entradas/{codigo}/qr.svg",
            format!("/api/entradas/{}/qr.svg", w.codigo),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        // Keys and the door: eventos' alone, which decides who asks.
        (
            "get",
            "/internal/claves/{evento_id}",
            format!("/internal/claves/{e}"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            "post",
            "/internal/claves/{evento_id}/rotar",
            format!("/internal/claves/{e}/rotar"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            "get",
            "/internal/ingresos/{evento_id}/resumen",
            format!("/internal/ingresos/{e}/resumen"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            "post",
            "/internal/ingresos/{evento_id}",
            format!("/internal/ingresos/{e}"),
            Some(json!({"codigo": w.codigo, "puerta": "matriz"})),
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            "get",
            "/internal/ingresos/{evento_id}/lista",
            format!("/internal/ingresos/{e}/lista"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            "post",
            "/internal/ingresos/{evento_id}/lote",
            format!("/internal/ingresos/{e}/lote"),
            Some(json!({"escaneos": []})),
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        (
            "get",
            "/internal/ingresos/{evento_id}/conflictos",
            format!("/internal/ingresos/{e}/conflictos"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 403, 200, 401, 401, 401, 401,
            ],
        ),
        // Public by decision: Prometheus scrapes without credentials; probes too.
        ("get", "/metrics", "/metrics".into(), None, vec![200; 14]),
        ("get", "/health", "/health".into(), None, vec![200; 14]),
        ("get", "/ready", "/ready".into(), None, vec![200; 14]),
        // Ana's only ticket, let in at the door above: only its owner may hand it on
        // (told it is used, 409; the admin and the organizer own no ticket, 404), and
        // only its owner or the admin may cancel it alone (409 too). What each allows
        // with a valid ticket: tests/plataforma/reservas/una_entrada.rs.
        (
            "post",
            "/api/entradas/{codigo}/transferir",
            format!("/api/entradas/{}/transferir", w.codigo),
            Some(json!({"email": "carla@example.com", "nombre": "Carla"})),
            vec![
                401, 409, 404, 409, 404, 404, 404, 404, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            "post",
            "/api/entradas/{codigo}/cancelar",
            format!("/api/entradas/{}/cancelar", w.codigo),
            None,
            vec![
                401, 409, 404, 409, 404, 404, 404, 409, 401, 401, 401, 401, 404, 404,
            ],
        ),
        // Last: it changes the reservation (cancelling again is idempotent, so each
        // allowed caller gets 200).
        (
            "post",
            "/api/reservas/{id}/cancelar",
            format!("/api/reservas/{r}/cancelar"),
            None,
            vec![
                401, 200, 404, 200, 404, 200, 404, 200, 401, 401, 401, 401, 404, 404,
            ],
        ),
        (
            // Public by decision: a guest who lost the link has nothing else. The same
            // 202 for everyone and every email (the limits are raised for this walk).
            // Last of all: it gives Ana's reservation a new secret, so the guest's
            // secret above stops opening it.
            "post",
            "/api/reservas/reenviar",
            "/api/reservas/reenviar".into(),
            Some(json!({"email": "ana@example.com"})),
            vec![202; 14],
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
    let v = w
        .leer(format!("{}/api/reservas/{r}", w.s.reservas), &w.t_ana)
        .await;
    assert_eq!(v["estado"], "CANCELADA", "{v}");
    assert!(v.get("secreto").is_none(), "the secret is shown once: {v}");
}

async fn matriz_eventos(backend: Backend) {
    let w = mundo(backend).await;
    let e = &w.evento;
    let filas: Vec<Fila> = vec![
        (
            "post",
            "/api/eventos",
            "/api/eventos".into(),
            Some(cuerpo_evento()),
            vec![
                401, 401, 401, 403, 403, 201, 201, 201, 401, 401, 401, 401, 403, 403,
            ],
        ),
        // Public by decision: the catalogue.
        (
            "get",
            "/api/eventos",
            "/api/eventos".into(),
            None,
            vec![200; 14],
        ),
        (
            "get",
            "/api/eventos/{id}",
            format!("/api/eventos/{e}"),
            None,
            vec![200; 14],
        ),
        (
            "patch",
            "/api/eventos/{id}",
            format!("/api/eventos/{e}"),
            Some(json!({"lugar": "Arequipa"})),
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 403, 403,
            ],
        ),
        (
            "put",
            "/api/eventos/{id}/transferencias",
            format!("/api/eventos/{e}/transferencias"),
            Some(json!({"permitidas": true})),
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 403, 403,
            ],
        ),
        (
            "get",
            "/api/eventos/{id}/conciliacion",
            format!("/api/eventos/{e}/conciliacion"),
            None,
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 403, 403,
            ],
        ),
        // Public by decision: a scanner verifies tickets offline with these keys.
        (
            "get",
            "/api/eventos/{id}/claves",
            format!("/api/eventos/{e}/claves"),
            None,
            vec![200; 14],
        ),
        (
            "post",
            "/api/eventos/{id}/claves/rotar",
            format!("/api/eventos/{e}/claves/rotar"),
            None,
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 403, 403,
            ],
        ),
        (
            "get",
            "/api/eventos/{id}/ingresos/resumen",
            format!("/api/eventos/{e}/ingresos/resumen"),
            None,
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 200, 404,
            ],
        ),
        // The scanner's offline list, its queue and the forced admissions.
        (
            "get",
            "/api/eventos/{id}/ingresos/lista",
            format!("/api/eventos/{e}/ingresos/lista"),
            None,
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 200, 404,
            ],
        ),
        (
            "post",
            "/api/eventos/{id}/ingresos/lote",
            format!("/api/eventos/{e}/ingresos/lote"),
            Some(json!({"escaneos": []})),
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 200, 404,
            ],
        ),
        (
            "get",
            "/api/eventos/{id}/ingresos/conflictos",
            format!("/api/eventos/{e}/ingresos/conflictos"),
            None,
            vec![
                401, 401, 401, 403, 403, 200, 404, 200, 401, 401, 401, 401, 200, 404,
            ],
        ),
        // Ana's ticket: the organizer lets it in, then the admin is told it is used.
        (
            "post",
            "/api/eventos/{id}/ingresos",
            format!("/api/eventos/{e}/ingresos"),
            Some(json!({"codigo": w.codigo})),
            vec![
                401, 401, 401, 403, 403, 200, 404, 409, 401, 401, 401, 401, 409, 404,
            ],
        ),
        // Seed 000's API: the same rules as /api/eventos.
        (
            "post",
            "/events",
            "/events".into(),
            Some(
                json!({"name": "Rock Festival", "date": "2031-02-14T20:00:00", "place": "Arena Lima",
                "zones": [{"name": "VIP", "price": 150.5, "capacity": 100}]}),
            ),
            vec![
                401, 401, 401, 403, 403, 201, 201, 201, 401, 401, 401, 401, 403, 403,
            ],
        ),
        ("get", "/events", "/events".into(), None, vec![200; 14]),
        (
            "get",
            "/events/{id}",
            format!("/events/{e}"),
            None,
            vec![200; 14],
        ),
        // The inventory is reservas-pagos' alone.
        (
            "post",
            "/internal/eventos/{id}/retenciones",
            format!("/internal/eventos/{e}/retenciones"),
            Some(json!({})),
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 422, 401, 401, 401,
            ],
        ),
        (
            "post",
            "/internal/eventos/{id}/retenciones/{reserva_id}/confirmar",
            format!("/internal/eventos/{e}/retenciones/no-existe/confirmar"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 409, 401, 401, 401,
            ],
        ),
        (
            "delete",
            "/internal/eventos/{id}/retenciones/{reserva_id}",
            format!("/internal/eventos/{e}/retenciones/no-existe"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401,
            ],
        ),
        (
            "post",
            "/internal/eventos/{id}/ventas/{reserva_id}/devolver",
            format!("/internal/eventos/{e}/ventas/no-existe/devolver"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401,
            ],
        ),
        (
            // One ticket given back alone: nothing sold under that id, so `sin_venta`.
            "post",
            "/internal/eventos/{id}/ventas/{reserva_id}/devolver-una",
            format!("/internal/eventos/{e}/ventas/no-existe/devolver-una"),
            Some(json!({"codigo": "AAAAAAAAAA"})),
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401,
            ],
        ),
        (
            "get",
            "/internal/eventos/{id}/inventario",
            format!("/internal/eventos/{e}/inventario"),
            None,
            vec![
                401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 200, 401, 401, 401,
            ],
        ),
        // Public by decision, as on reservas: Prometheus scrapes without credentials.
        ("get", "/metrics", "/metrics".into(), None, vec![200; 14]),
        ("get", "/health", "/health".into(), None, vec![200; 14]),
        ("get", "/ready", "/ready".into(), None, vec![200; 14]),
    ];
    w.recorrer(&w.s.eventos, eventos_service::http::openapi(), filas)
        .await;
    // Only the organizer's and the admin's PATCH landed; the event is still theirs, and
    // the sale the other callers could not touch is still there.
    let ev = w.s.get_evento(e).await;
    assert_eq!(ev["lugar"], "Arequipa", "{ev}");
    assert!(ev["organizador_id"].is_string(), "{ev}");
    assert_eq!(ev["zonas"][0]["vendidas"], 1, "{ev}");
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
    // The catalogue filtered to the organizer: its event, not the admin's.
    let suyos = w
        .leer(
            format!("{}/api/eventos?organizador_id={}", w.s.eventos, w.org_id),
            &w.t_org,
        )
        .await;
    assert_eq!(suyos["total"], 1, "{suyos}");
    assert_eq!(suyos["items"][0]["id"], json!(w.evento), "{suyos}");
    let r = w
        .http
        .get(format!("{}/api/eventos?organizador_id=yo", w.s.eventos))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let lista = format!("{}/api/reservas?usuario_id={}", w.s.reservas, w.ana);
    let de_ana = w.leer(lista.clone(), &w.t_ana).await;
    assert_eq!(de_ana["total"], 2, "{de_ana}");
    let del_org = w.leer(lista, &w.t_org).await;
    assert_eq!(del_org["total"], 1, "{del_org}");
    assert_eq!(
        del_org["items"][0]["evento_id"],
        json!(w.evento),
        "{del_org}"
    );
    // The organizer sees the profile of Ana, who bought for its event; not Beto's, who
    // did not, and the other organizer sees neither.
    let r = w.perfil(&w.ana, &w.t_org).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["email"], "ana@example.com");
    let r = w.perfil("ana@example.com", &w.t_org).await;
    assert_eq!(r.status(), 200, "by email too");
    assert_eq!(w.perfil(&w.ana, &w.t_otro_org).await.status(), 404);
    assert_eq!(w.perfil("beto@example.com", &w.t_org).await.status(), 404);
    // Dora's declined booking on its event does not open her profile to it.
    assert_eq!(w.perfil(&w.dora, &w.t_org).await.status(), 404);
    assert_eq!(w.perfil("dora@example.com", &w.t_org).await.status(), 404);
    let r = w
        .http
        .patch(format!("{}/api/usuarios/{}", w.s.usuarios, w.ana))
        .bearer_auth(&w.t_org)
        .json(&json!({"nombre": "Otra"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "seeing is not changing");
    // Ana without usuario_id reads her own list.
    let propia = w
        .leer(format!("{}/api/reservas", w.s.reservas), &w.t_ana)
        .await;
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

/// A leaked service credential opens only what its service may call: notificaciones' (or
/// usuarios', or eventos' own) token cannot return Ana's sale to eventos' stock, while
/// reservas' does; usuarios' token, which reservas knows, is told it may not reconcile.
async fn solo_reservas_devuelve_una_venta(backend: Backend) {
    let w = mundo(backend).await;
    let url = format!(
        "{}/internal/eventos/{}/ventas/{}/devolver",
        w.s.eventos, w.evento, w.reserva
    );
    let vendidas = |ev: &Value| ev["zonas"][0]["vendidas"].as_u64().expect("vendidas");
    assert_eq!(vendidas(&w.s.get_evento(&w.evento).await), 1);
    for quien in [
        Servicio::Notificaciones,
        Servicio::Usuarios,
        Servicio::Eventos,
    ] {
        let r = w
            .http
            .post(&url)
            .bearer_auth(quien.token_dev())
            .send()
            .await
            .unwrap();
        // eventos holds reservas' token alone: any other is unknown to it.
        assert_eq!(r.status(), 401, "{quien}");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["detail"], "Credencial de servicio inválida", "{p}");
    }
    // The sale is still sold: in the zone and in eventos' own inventory.
    assert_eq!(vendidas(&w.s.get_evento(&w.evento).await), 1);
    let inventario = w
        .leer(
            format!("{}/internal/eventos/{}/inventario", w.s.eventos, w.evento),
            Servicio::Reservas.token_dev(),
        )
        .await;
    assert!(
        inventario.to_string().contains(&w.reserva),
        "the sale is still there: {inventario}"
    );
    // A service reservas knows, on a route it does not accept: 403 naming it.
    let r = w
        .http
        .get(format!(
            "{}/internal/conciliacion/{}",
            w.s.reservas, w.evento
        ))
        .bearer_auth(Servicio::Usuarios.token_dev())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let p: Value = r.json().await.unwrap();
    assert_eq!(
        p["type"].as_str().map(|t| t.ends_with("prohibido")),
        Some(true),
        "{p}"
    );
    assert_eq!(
        p["detail"], "El servicio usuarios no puede llamar a esta ruta",
        "{p}"
    );
    // reservas' own credential returns it.
    let r = w
        .http
        .post(&url)
        .bearer_auth(Servicio::Reservas.token_dev())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    assert_eq!(vendidas(&w.s.get_evento(&w.evento).await), 0);
}

ambos!(matriz_reservas);
ambos!(solo_reservas_devuelve_una_venta);
ambos!(matriz_eventos);
ambos!(organizador_ve_solo_lo_suyo);
