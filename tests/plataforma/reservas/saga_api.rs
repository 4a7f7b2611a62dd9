//! The reservation API as a buyer uses it, on embedded and real backends: what the
//! response says, and what it left behind (availability in eventos, the buyer's history
//! in usuarios, checkout locks, the stored reservation and its event log).

use super::common;
use eventflow_shared::ids::ReservaId;

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use common::{stack, stack_with, Backend, Stack};
use eventflow_shared::config::RedisConfig;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use reqwest::RequestBuilder;
use reservas_pagos_service::domain::tarjeta;
use reservas_pagos_service::store::EstadoPago;
use serde_json::{json, Value};

// ---- helpers ----

/// A response, read once: status, headers and the body as JSON (`Null` when it is not).
struct Resp {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn id(&self) -> String {
        self.body["reserva_id"]
            .as_str()
            .or_else(|| self.body["id"].as_str())
            .unwrap_or_else(|| panic!("no reservation id in {}", self.body))
            .to_owned()
    }

    /// Asserts a problem+json answer with this status and `type` slug.
    fn problem(&self, status: u16, slug: &str) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        assert_eq!(
            self.body["type"],
            format!("urn:eventflow:problem:{slug}"),
            "{}",
            self.body
        );
        assert_eq!(self.body["status"], status, "{}", self.body);
        assert!(self.body["title"].is_string(), "{}", self.body);
        assert!(self.body["detail"].is_string(), "{}", self.body);
        self
    }

    /// Asserts a SAGA failure: the failing step and what was compensated.
    fn saga(&self, paso: &str, compensaciones: Value) -> &Self {
        assert_eq!(self.body["paso"], paso, "{}", self.body);
        assert!(self.body["reserva_id"].is_string(), "{}", self.body);
        assert_eq!(self.body["compensaciones"], compensaciones, "{}", self.body);
        self
    }

    /// Asserts a 422 naming `campo` in `errors`.
    fn campo(&self, campo: &str) -> &Self {
        self.problem(422, "validacion");
        let campos: Vec<&str> = self.body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no errors in {}", self.body))
            .iter()
            .filter_map(|e| e["campo"].as_str())
            .collect();
        assert!(campos.contains(&campo), "{campo} not in {}", self.body);
        self
    }
}

async fn enviar(req: RequestBuilder) -> Resp {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    Resp {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
    }
}

fn post_reservar(s: &Stack) -> RequestBuilder {
    s.http.post(format!("{}/api/reservar", s.reservas))
}

/// One deliberate purchase, with a fresh Idempotency-Key as the UI sends it: without
/// one, an identical request within 10 s is taken for a double submission.
async fn reservar(s: &Stack, body: &Value) -> Resp {
    let clave = uuid::Uuid::new_v4().to_string();
    enviar(post_reservar(s).header("Idempotency-Key", clave).json(body)).await
}

async fn reservar_con(s: &Stack, body: &Value, headers: &[(&str, &str)]) -> Resp {
    let mut req = post_reservar(s).json(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    enviar(req).await
}

async fn reservar_raw(s: &Stack, raw: &str, content_type: &str) -> Resp {
    enviar(
        post_reservar(s)
            .header(CONTENT_TYPE, content_type)
            .body(raw.to_owned()),
    )
    .await
}

async fn get(s: &Stack, path: &str) -> Resp {
    enviar(s.http.get(format!("{}{path}", s.reservas))).await
}

async fn cancelar(s: &Stack, id: &str) -> Resp {
    enviar(
        s.http
            .post(format!("{}/api/reservas/{id}/cancelar", s.reservas)),
    )
    .await
}

fn pedido(u: &str, e: &str, zona: &str, cantidad: i64, numero: &str) -> Value {
    json!({"usuario_id": u, "evento_id": e, "zona": zona, "cantidad": cantidad,
           "pago": {"metodo": "tarjeta", "numero_tarjeta": numero, "titular": "Ana Quispe"}})
}

fn compensacion(handler: &str, accion: &str) -> Value {
    json!({"handler": handler, "accion": accion})
}

/// Creates an event from a raw body (seed format, a chosen date, …); returns its id.
async fn evento_raw(s: &Stack, body: Value) -> String {
    crate::comun::crear_evento(&s.http, &s.eventos, body, None).await
}

/// `(disponibles, vendidas)` of one zone, as buyers see it.
async fn zona(s: &Stack, evento: &str, nombre: &str) -> (u64, u64) {
    let e = s.get_evento(evento).await;
    let z = e["zonas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["nombre"] == nombre)
        .unwrap_or_else(|| panic!("no zone {nombre} in {e}"));
    (
        z["disponibles"].as_u64().unwrap(),
        z["vendidas"].as_u64().unwrap(),
    )
}

/// The reservation's log types, after checking `seq` runs 1..n without gaps.
async fn bitacora(s: &Stack, id: &str) -> Vec<String> {
    let r = get(s, &format!("/api/reservas/{id}/eventos")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["reserva_id"], id);
    let eventos = r.body["eventos"].as_array().unwrap();
    let seqs: Vec<u64> = eventos.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=eventos.len() as u64).collect::<Vec<_>>(),
        "seq from 1 without gaps"
    );
    eventos
        .iter()
        .map(|e| e["tipo"].as_str().unwrap().to_owned())
        .collect()
}

/// Everything a failed request must leave as it was.
#[derive(Debug, PartialEq)]
struct Foto {
    zonas: Value,
    historial: Vec<String>,
    locks: Vec<String>,
}

async fn foto(s: &Stack, evento: &str, usuario: &str) -> Foto {
    s.sin_retenciones(evento).await;
    Foto {
        zonas: s.get_evento(evento).await["zonas"].clone(),
        historial: s.historial(usuario).await,
        locks: s.lock_keys().await,
    }
}

fn pasos(r: &Value) -> Vec<(String, String)> {
    r["pasos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p["duracion_ms"].is_u64(), "{p}");
            (
                p["handler"].as_str().unwrap().to_owned(),
                p["resultado"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pasos_esperados(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(h, r)| ((*h).to_owned(), (*r).to_owned()))
        .collect()
}

const HANDLERS: [&str; 4] = [
    "ValidadorDatos",
    "ValidadorInventario",
    "ProcesadorPago",
    "ConfirmadorReserva",
];

// ---- the SAGA ----

/// The happy path: every documented field, and every side effect, exactly once.
async fn reserva_exitosa(b: Backend) {
    let s = stack(b).await;
    let e = s
        .evento(&[("Platea", 15_000, 10), ("Campo", 8_000, 20)])
        .await;
    let u = s.usuario(1).await;
    let t0 = Utc::now() - chrono::Duration::seconds(1);

    let r = reservar(&s, &pedido(&u, &e, "Platea", 2, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let b = &r.body;
    let id = b["id"].as_str().unwrap().to_owned();
    uuid::Uuid::parse_str(&id).expect("the id is a UUID");
    assert_eq!(
        r.header("location"),
        Some(format!("/api/reservas/{id}").as_str())
    );
    assert_eq!(b["estado"], "CONFIRMADA");
    assert_eq!(b["usuario_id"], u.as_str());
    assert_eq!(b["evento_id"], e.as_str());
    assert_eq!(b["zona"], "Platea");
    assert_eq!(b["cantidad"], 2);
    assert_eq!(b["precio_unitario"], 15_000);
    assert_eq!(b["total"], 30_000, "total = precio_unitario * cantidad");
    assert_eq!(b["pago"]["estado"], "APROBADO");
    assert!(b["pago"]["id"].as_str().unwrap().starts_with("pay_"), "{b}");
    let creada: DateTime<Utc> = b["creada_en"].as_str().unwrap().parse().unwrap();
    let actualizada: DateTime<Utc> = b["actualizada_en"].as_str().unwrap().parse().unwrap();
    assert!(t0 <= creada && creada <= actualizada && actualizada <= Utc::now());
    assert_eq!(
        pasos(b),
        pasos_esperados(&HANDLERS.map(|h| (h, "ok"))),
        "the four handlers, in order"
    );
    assert_eq!(b["compensaciones"], json!([]));
    assert!(b.get("fallo").is_none(), "{b}");
    // One ticket per seat, each with its own short code for the door.
    let entradas = b["entradas"].as_array().expect("tickets");
    assert_eq!(entradas.len(), 2, "{b}");
    assert_ne!(entradas[0]["codigo"], entradas[1]["codigo"]);
    for t in entradas {
        let codigo = t["codigo"].as_str().unwrap();
        assert_eq!(codigo.len(), 10, "{t}");
        assert!(
            codigo
                .bytes()
                .all(|c| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&c)),
            "Crockford base32: {t}"
        );
        assert_eq!(
            (&t["zona"], &t["estado"]),
            (&json!("Platea"), &json!("VALIDA"))
        );
    }
    let leida = get(&s, &format!("/api/reservas/{id}")).await;
    assert_eq!(
        leida.body["entradas"], b["entradas"],
        "stored with the sale"
    );

    assert_eq!(zona(&s, &e, "Platea").await, (8, 2));
    assert_eq!(
        zona(&s, &e, "Campo").await,
        (20, 0),
        "other zones untouched"
    );
    s.sin_retenciones(&e).await;
    assert_eq!(s.historial(&u).await, [id.as_str()]);
    assert!(s.lock_keys().await.is_empty(), "{:?}", s.lock_keys().await);
    assert_eq!(
        s.deps
            .pasarela
            .consultar(&ReservaId::confiable(&id))
            .await
            .unwrap()
            .unwrap()
            .estado,
        EstadoPago::Aprobado
    );

    // The answer carries the guest's secret once; the stored reservation only its hash.
    let mut respondida = r.body.clone();
    let secreto = respondida
        .as_object_mut()
        .unwrap()
        .remove("secreto")
        .expect("the 201 carries the secret");
    assert_eq!(secreto.as_str().unwrap().len(), 22, "128 bits: {secreto}");
    // And seed 001's `status: "ok"`, which is the answer's, not the reservation's.
    let ok = respondida.as_object_mut().unwrap().remove("status");
    assert_eq!(ok, Some(json!("ok")));
    let leida = get(&s, &format!("/api/reservas/{id}")).await;
    assert_eq!(leida.status, 200);
    assert_eq!(
        leida.body, respondida,
        "what was answered is what was stored"
    );
    assert_eq!(
        bitacora(&s, &id).await,
        [
            "ReservaIniciada",
            "LockAdquirido",
            "InventarioRetenido",
            "PagoAprobado",
            "InventarioConfirmado",
            "ReservaConfirmada",
        ]
    );
}

/// The seed's `{evento_id, email}`: one ticket in the only zone with the approved card.
async fn cuerpo_minimo(b: Backend) {
    let s = stack(b).await;
    let u = s.usuario(1).await;
    let una_zona = s.evento(&[("General", 4_500, 5)]).await;
    let seed = evento_raw(
        &s,
        json!({"nombre": "Seed", "fecha": "2099-01-01T20:00:00Z", "lugar": "Lima",
               "aforo_total": 100, "entradas_disponibles": 80}),
    )
    .await;
    let otra_zona = s.evento(&[("Platea", 7_000, 5)]).await;

    for (evento, zona_esperada, precio, antes) in [
        (&una_zona, "General", 4_500, (5, 0)),
        (&seed, "General", 0, (80, 20)),
        (&otra_zona, "Platea", 7_000, (5, 0)),
    ] {
        assert_eq!(zona(&s, evento, zona_esperada).await, antes);
        // The email as a person types it: case and spaces do not matter.
        let r = reservar(
            &s,
            &json!({"evento_id": evento, "email": " C1@Example.com "}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["estado"], "CONFIRMADA");
        assert_eq!(
            r.body["usuario_id"],
            u.as_str(),
            "email resolved to the buyer"
        );
        assert_eq!(r.body["zona"], zona_esperada);
        assert_eq!(r.body["cantidad"], 1);
        assert_eq!(r.body["precio_unitario"], precio);
        assert_eq!(r.body["total"], precio);
        assert_eq!(r.body["pago"]["estado"], "APROBADO");
        assert_eq!(
            zona(&s, evento, zona_esperada).await,
            (antes.0 - 1, antes.1 + 1)
        );
        s.sin_retenciones(evento).await;
    }
    assert_eq!(s.historial(&u).await.len(), 3);
    assert!(s.lock_keys().await.is_empty());
}

/// Unknown buyer or event: 404 from ValidadorDatos, and nothing anywhere changed.
async fn no_encontrado(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("General", 5_000, 10)]).await;
    let u = s.usuario(1).await;
    let antes = foto(&s, &e, &u).await;

    let casos = [
        json!({"usuario_id": uuid::Uuid::new_v4().to_string(), "evento_id": e}),
        // With `cantidad`, not seed 001's own shape, whose answers semillas.rs pins.
        json!({"email": "nadie@example.com", "evento_id": e, "cantidad": 1}),
        json!({"usuario_id": u, "evento_id": "no-existe"}),
        json!({"email": "c1@example.com", "evento_id": uuid::Uuid::new_v4().to_string(), "cantidad": 1}),
    ];
    for body in &casos {
        let r = reservar(&s, body).await;
        r.problem(404, "no-encontrado")
            .saga("ValidadorDatos", json!([]));
        // Refused before any side effect: nothing is stored, so nothing piles up.
        let guardada = get(&s, &format!("/api/reservas/{}", r.id())).await;
        assert_eq!(guardada.status, 404, "{}", guardada.body);
        assert_eq!(
            s.deps
                .pasarela
                .consultar(&ReservaId::confiable(r.id()))
                .await
                .unwrap(),
            None,
            "nothing charged"
        );
    }
    assert_eq!(foto(&s, &e, &u).await, antes);
}

/// Bad input: 422 (400 for broken JSON, 415 for another content type), nothing changed.
async fn validacion(b: Backend) {
    let s = stack(b).await;
    let e = s
        .evento(&[("Platea", 15_000, 20), ("Campo", 8_000, 20)])
        .await;
    let u = s.usuario(1).await;
    let antes = foto(&s, &e, &u).await;
    let ok = tarjeta::APROBADA;

    // Rejected by ValidadorDatos: the SAGA ran and says where it stopped.
    let saga = [
        ("cantidad", pedido(&u, &e, "Platea", 0, ok)),
        ("cantidad", pedido(&u, &e, "Platea", -1, ok)),
        ("cantidad", pedido(&u, &e, "Platea", 11, ok)),
        ("cantidad", pedido(&u, &e, "Platea", i64::MAX, ok)),
        ("zona", pedido(&u, &e, "Palco", 1, ok)),
        (
            "zona",
            json!({"usuario_id": u, "evento_id": e, "cantidad": 1}),
        ),
        (
            "pago.numero_tarjeta",
            pedido(&u, &e, "Platea", 1, "4242424242424241"),
        ),
        ("pago.numero_tarjeta", pedido(&u, &e, "Platea", 1, "4242")),
        (
            "pago.metodo",
            json!({"usuario_id": u, "evento_id": e, "zona": "Platea",
                   "pago": {"metodo": "efectivo", "numero_tarjeta": ok}}),
        ),
        ("usuario_id", json!({"evento_id": e, "zona": "Platea"})),
        (
            "usuario_id",
            json!({"usuario_id": "no-es-uuid", "evento_id": e, "zona": "Platea"}),
        ),
        (
            "email",
            json!({"email": "sin-arroba", "evento_id": e, "zona": "Platea"}),
        ),
        ("evento_id", json!({"usuario_id": u, "evento_id": "$where"})),
        (
            "evento_id",
            json!({"usuario_id": u, "evento_id": "../usuarios"}),
        ),
        ("evento_id", json!({"usuario_id": u, "evento_id": ""})),
    ];
    for (campo, body) in &saga {
        let r = reservar(&s, body).await;
        r.campo(campo).saga("ValidadorDatos", json!([]));
    }

    // Rejected before the SAGA: wrong JSON types, injection attempts, huge numbers.
    let tipos = [
        json!({"email": {"$ne": null}, "evento_id": e}),
        json!({"usuario_id": {"$gt": ""}, "evento_id": e}),
        json!({"usuario_id": u, "evento_id": {"$ne": null}}),
        json!({"usuario_id": u, "evento_id": e, "cantidad": "2"}),
        json!({"usuario_id": u, "evento_id": e, "cantidad": 1.5}),
        json!({"usuario_id": u, "zona": "Platea"}),
    ];
    for body in &tipos {
        let r = reservar(&s, body).await;
        r.problem(422, "validacion");
        assert!(r.body.get("reserva_id").is_none(), "{}", r.body);
    }
    let grande = format!(
        r#"{{"usuario_id": "{u}", "evento_id": "{e}", "zona": "Platea", "cantidad": 99999999999999999999}}"#
    );
    reservar_raw(&s, &grande, "application/json")
        .await
        .problem(422, "validacion");
    let bien = format!(r#"{{"usuario_id": "{u}", "evento_id": "{e}", "zona": "Platea"}}"#);
    reservar_raw(&s, r#"{"evento_id": "#, "application/json")
        .await
        .problem(400, "solicitud-invalida");
    reservar_raw(&s, &bien, "text/plain")
        .await
        .problem(415, "tipo-de-contenido");
    reservar_raw(&s, &bien, "application/x-www-form-urlencoded")
        .await
        .problem(415, "tipo-de-contenido");

    assert_eq!(
        foto(&s, &e, &u).await,
        antes,
        "no invalid request changed anything"
    );

    // The limits are inclusive: 10 is accepted, and the zone name is case-insensitive.
    let r = reservar(&s, &pedido(&u, &e, "platea", 10, ok)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["zona"], "Platea");
    assert_eq!(zona(&s, &e, "Platea").await, (10, 10));
}

/// Not enough tickets: 409 agotado with what is left; the lock is released.
async fn agotado(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("General", 5_000, 3)]).await;
    let (u1, u2) = (s.usuario(1).await, s.usuario(2).await);
    let r = reservar(&s, &pedido(&u1, &e, "General", 2, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let antes = foto(&s, &e, &u2).await;

    let r = reservar(&s, &pedido(&u2, &e, "General", 2, tarjeta::APROBADA)).await;
    r.problem(409, "agotado").saga(
        "ValidadorInventario",
        json!([compensacion(
            "ValidadorInventario",
            "bloqueo de compra liberado"
        )]),
    );
    assert_eq!(r.body["disponibles"], 1, "{}", r.body);
    assert_eq!(
        r.body["retenidas"], 0,
        "the first buyer's hold is a sale: {}",
        r.body
    );
    assert_eq!(foto(&s, &e, &u2).await, antes);
    assert_eq!(zona(&s, &e, "General").await, (1, 2));
    // Sold out before anything was held: not stored (the buyer's list stays clean).
    let guardada = get(&s, &format!("/api/reservas/{}", r.id())).await;
    assert_eq!(guardada.status, 404, "{}", guardada.body);

    // What is left can still be bought.
    let r = reservar(&s, &pedido(&u2, &e, "General", 1, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(zona(&s, &e, "General").await, (0, 3));
}

/// Someone else holds the buyer's checkout lock: 409, and the lock is not touched.
async fn compra_en_curso(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("General", 5_000, 10)]).await;
    let u = s.usuario(1).await;
    let clave = format!("lock:evento:{e}:usuario:{u}");
    assert!(s
        .deps
        .lock
        .acquire(&clave, "otro", Duration::from_secs(60))
        .await
        .unwrap());
    let antes = foto(&s, &e, &u).await;

    let r = reservar(&s, &pedido(&u, &e, "General", 2, tarjeta::APROBADA)).await;
    r.problem(409, "compra-en-curso")
        .saga("ValidadorInventario", json!([]));
    assert_eq!(
        foto(&s, &e, &u).await,
        antes,
        "inventory and history unchanged"
    );
    assert_eq!(
        s.deps.lock.owner(&clave).await.unwrap().as_deref(),
        Some("otro"),
        "compensation never deletes a lock it does not own"
    );
    assert_eq!(s.lock_keys().await, [clave.as_str()]);

    // Once the other checkout ends, the buyer gets through.
    assert!(s.deps.lock.release(&clave, "otro").await.unwrap());
    let r = reservar(&s, &pedido(&u, &e, "General", 2, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(s.lock_keys().await.is_empty());
}

/// Declined cards: 402; the hold and the lock are released, nothing stays charged.
async fn pago_rechazado(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let antes = foto(&s, &e, &u).await;

    for (numero, motivo) in [
        (tarjeta::RECHAZADA, "tarjeta rechazada"),
        (tarjeta::SIN_FONDOS, "fondos insuficientes"),
    ] {
        let r = reservar(&s, &pedido(&u, &e, "Platea", 2, numero)).await;
        r.problem(402, "pago-rechazado").saga(
            "ProcesadorPago",
            json!([
                compensacion("ValidadorInventario", "retención de 2 entradas liberada"),
                compensacion("ValidadorInventario", "bloqueo de compra liberado"),
            ]),
        );
        assert_eq!(r.body["motivo"], motivo);
        assert_eq!(foto(&s, &e, &u).await, antes, "availability back, no locks");

        let id = r.id();
        let guardada = get(&s, &format!("/api/reservas/{id}")).await;
        assert_eq!(guardada.body["estado"], "FALLIDA");
        assert_eq!(guardada.body["pago"]["estado"], "RECHAZADO");
        assert_eq!(guardada.body["fallo"]["paso"], "ProcesadorPago");
        assert_eq!(guardada.body["fallo"]["status"], 402);
        assert_eq!(guardada.body["compensaciones"], r.body["compensaciones"]);
        assert_eq!(
            pasos(&guardada.body),
            pasos_esperados(&[
                ("ValidadorDatos", "ok"),
                ("ValidadorInventario", "ok"),
                ("ProcesadorPago", "fallido"),
            ])
        );
        let cobro = s
            .deps
            .pasarela
            .consultar(&ReservaId::confiable(&id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            cobro.estado,
            EstadoPago::Rechazado,
            "no charge stays APROBADO"
        );
        assert_eq!(
            bitacora(&s, &id).await,
            [
                "ReservaIniciada",
                "LockAdquirido",
                "InventarioRetenido",
                "PagoRechazado",
                "PasoFallido",
                "CompensacionEjecutada",
                "CompensacionEjecutada",
                "ReservaFallida",
            ]
        );
    }
}

/// The provider fails while processing: 503, compensated, nothing charged.
async fn error_pasarela(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let antes = foto(&s, &e, &u).await;

    let r = reservar(&s, &pedido(&u, &e, "Platea", 3, tarjeta::ERROR_PROCESO)).await;
    r.problem(503, "servicio-no-disponible").saga(
        "ProcesadorPago",
        json!([
            compensacion("ValidadorInventario", "retención de 3 entradas liberada"),
            compensacion("ValidadorInventario", "bloqueo de compra liberado"),
        ]),
    );
    assert_eq!(r.body["dependencia"], "pasarela-pagos");
    assert_eq!(foto(&s, &e, &u).await, antes);
    let guardada = get(&s, &format!("/api/reservas/{}", r.id())).await;
    assert_eq!(guardada.body["estado"], "FALLIDA");
    assert_eq!(guardada.body["pago"], Value::Null);
    assert_eq!(
        s.deps
            .pasarela
            .consultar(&ReservaId::confiable(r.id()))
            .await
            .unwrap(),
        None
    );
}

/// `X-Simular-Fallo: confirmacion` fails after the charge: refund, release, unlock.
async fn fallo_en_confirmacion(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let antes = foto(&s, &e, &u).await;

    let r = reservar_con(
        &s,
        &pedido(&u, &e, "Platea", 2, tarjeta::APROBADA),
        &[("X-Simular-Fallo", "confirmacion")],
    )
    .await;
    r.problem(503, "servicio-no-disponible").saga(
        "ConfirmadorReserva",
        json!([
            compensacion("ProcesadorPago", "pago de S/ 300.00 reembolsado"),
            compensacion("ValidadorInventario", "retención de 2 entradas liberada"),
            compensacion("ValidadorInventario", "bloqueo de compra liberado"),
        ]),
    );
    assert_eq!(
        foto(&s, &e, &u).await,
        antes,
        "inventory and history unchanged"
    );
    let id = r.id();
    let guardada = get(&s, &format!("/api/reservas/{id}")).await;
    assert_eq!(guardada.body["estado"], "FALLIDA");
    assert_eq!(guardada.body["pago"]["estado"], "REEMBOLSADO");
    assert_eq!(guardada.body["fallo"]["paso"], "ConfirmadorReserva");
    assert_eq!(
        s.deps
            .pasarela
            .consultar(&ReservaId::confiable(&id))
            .await
            .unwrap()
            .unwrap()
            .estado,
        EstadoPago::Reembolsado
    );
    let log = bitacora(&s, &id).await;
    assert!(log.contains(&"PagoAprobado".to_owned()), "{log:?}");
    assert!(log.contains(&"PagoReembolsado".to_owned()), "{log:?}");
    assert!(!log.contains(&"ReservaConfirmada".to_owned()), "{log:?}");
    assert_eq!(log.last().map(String::as_str), Some("ReservaFallida"));
}

/// With the fault switch off, the header is ignored.
async fn fallo_simulado_desactivado(b: Backend) {
    let s = stack_with(b, |c| c.simular_fallos = false).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let r = reservar_con(
        &s,
        &pedido(&u, &e, "Platea", 2, tarjeta::APROBADA),
        &[("X-Simular-Fallo", "confirmacion")],
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["estado"], "CONFIRMADA");
    assert_eq!(zona(&s, &e, "Platea").await, (8, 2));
}

// ---- Idempotency-Key ----

async fn idempotencia(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let body = pedido(&u, &e, "Platea", 2, tarjeta::APROBADA);

    let primera = reservar_con(&s, &body, &[("Idempotency-Key", "k-ok")]).await;
    assert_eq!(primera.status, 201, "{}", primera.body);
    assert_eq!(primera.header("idempotent-replayed"), None);
    let segunda = reservar_con(&s, &body, &[("Idempotency-Key", "k-ok")]).await;
    assert_eq!(segunda.status, 201, "{}", segunda.body);
    assert_eq!(segunda.header("idempotent-replayed"), Some("true"));
    assert_eq!(segunda.body, primera.body, "the first answer, replayed");
    // The same body written differently is the same request.
    let reordenado = format!(
        r#"{{ "pago": {{"titular": "Ana Quispe", "numero_tarjeta": "{}", "metodo": "tarjeta"}},
             "cantidad": 2, "zona": "Platea", "evento_id": "{e}", "usuario_id": "{u}" }}"#,
        tarjeta::APROBADA
    );
    let tercera = enviar(
        post_reservar(&s)
            .header("Idempotency-Key", "k-ok")
            .header(CONTENT_TYPE, "application/json")
            .body(reordenado),
    )
    .await;
    assert_eq!(tercera.status, 201);
    assert_eq!(tercera.header("idempotent-replayed"), Some("true"));
    assert_eq!(tercera.body, primera.body);
    assert_eq!(zona(&s, &e, "Platea").await, (8, 2), "bought once");
    assert_eq!(s.historial(&u).await, [primera.id()]);

    // Same key, another body: 422, and nothing bought.
    let otra = pedido(&u, &e, "Platea", 3, tarjeta::APROBADA);
    reservar_con(&s, &otra, &[("Idempotency-Key", "k-ok")])
        .await
        .problem(422, "idempotency-key-reutilizada");
    assert_eq!(zona(&s, &e, "Platea").await, (8, 2));

    // A declined first attempt is final too: the 402 is replayed, not retried.
    let rechazo = pedido(&u, &e, "Platea", 1, tarjeta::RECHAZADA);
    let r1 = reservar_con(&s, &rechazo, &[("Idempotency-Key", "k-402")]).await;
    r1.problem(402, "pago-rechazado");
    let r2 = reservar_con(&s, &rechazo, &[("Idempotency-Key", "k-402")]).await;
    r2.problem(402, "pago-rechazado");
    assert_eq!(r2.header("idempotent-replayed"), Some("true"));
    assert_eq!(r2.body, r1.body);

    // A transient failure (5xx) frees the key: the retry runs again.
    let caida = pedido(&u, &e, "Platea", 1, tarjeta::ERROR_PROCESO);
    let r1 = reservar_con(&s, &caida, &[("Idempotency-Key", "k-503")]).await;
    r1.problem(503, "servicio-no-disponible");
    let r2 = reservar_con(&s, &caida, &[("Idempotency-Key", "k-503")]).await;
    r2.problem(503, "servicio-no-disponible");
    assert_eq!(r2.header("idempotent-replayed"), None);
    assert_ne!(r2.id(), r1.id(), "a new attempt, not a replay");

    // A malformed key is refused before anything runs.
    for clave in ["x".repeat(256), "con espacio".to_owned()] {
        reservar_con(&s, &body, &[("Idempotency-Key", clave.as_str())])
            .await
            .campo("Idempotency-Key");
    }
    assert_eq!(zona(&s, &e, "Platea").await, (8, 2));
    assert!(s.lock_keys().await.is_empty());

    // The replay is the first answer, guest secret included, even after a cancellation:
    // not the reservation as it stands now.
    assert!(primera.body["secreto"].is_string(), "{}", primera.body);
    assert_eq!(cancelar(&s, &primera.id()).await.status, 200);
    let tras_cancelar = reservar_con(&s, &body, &[("Idempotency-Key", "k-ok")]).await;
    assert_eq!(tras_cancelar.status, 201, "{}", tras_cancelar.body);
    assert_eq!(tras_cancelar.header("idempotent-replayed"), Some("true"));
    assert_eq!(tras_cancelar.body, primera.body);
    assert_eq!(
        zona(&s, &e, "Platea").await,
        (10, 0),
        "nothing bought again"
    );
}

// ---- reading ----

async fn consultas(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("General", 5_000, 10)]).await;
    let (u, otro) = (s.usuario(1).await, s.usuario(2).await);
    let mut ids = Vec::new();
    for numero in [tarjeta::APROBADA, tarjeta::RECHAZADA, tarjeta::APROBADA] {
        ids.push(
            reservar(&s, &pedido(&u, &e, "General", 1, numero))
                .await
                .id(),
        );
    }
    let ajena = reservar(&s, &pedido(&otro, &e, "General", 1, tarjeta::APROBADA))
        .await
        .id();

    let r = get(&s, &format!("/api/reservas/{}", ids[0])).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        (r.body["id"].as_str(), &r.body["estado"]),
        (Some(ids[0].as_str()), &json!("CONFIRMADA"))
    );
    assert_eq!(
        get(&s, &format!("/api/reservas/{}", ids[1])).await.body["estado"],
        "FALLIDA"
    );
    let desconocida = uuid::Uuid::new_v4();
    get(&s, &format!("/api/reservas/{desconocida}"))
        .await
        .problem(404, "no-encontrado");
    get(&s, &format!("/api/reservas/{desconocida}/eventos"))
        .await
        .problem(404, "no-encontrado");
    for malo in ["a$b", "x.y", &"a".repeat(65)] {
        get(&s, &format!("/api/reservas/{malo}")).await.campo("id");
        get(&s, &format!("/api/reservas/{malo}/eventos"))
            .await
            .campo("id");
    }

    let ids_de = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let lista = get(&s, &format!("/api/reservas?usuario_id={u}")).await;
    assert_eq!(lista.status, 200, "{}", lista.body);
    let nuevas_primero: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(
        ids_de(&lista),
        nuevas_primero,
        "the buyer's own, newest first"
    );
    assert_eq!(
        (
            &lista.body["total"],
            &lista.body["limit"],
            &lista.body["offset"]
        ),
        (&json!(3), &json!(20), &json!(0))
    );
    assert_eq!(
        lista.body["items"][0],
        get(&s, &format!("/api/reservas/{}", ids[2])).await.body
    );
    let pagina = get(
        &s,
        &format!("/api/reservas?usuario_id={u}&limit=2&offset=1"),
    )
    .await;
    assert_eq!(ids_de(&pagina), [ids[1].clone(), ids[0].clone()]);
    assert_eq!(pagina.body["total"], 3);
    let mayusculas = get(
        &s,
        &format!("/api/reservas?usuario_id={}", u.to_uppercase()),
    )
    .await;
    assert_eq!(
        ids_de(&mayusculas),
        nuevas_primero,
        "a UUID is the same UUID in upper case: {}",
        mayusculas.body
    );
    let suya = get(&s, &format!("/api/reservas?usuario_id={otro}")).await;
    assert_eq!(ids_de(&suya), [ajena]);
    let nadie = get(&s, &format!("/api/reservas?usuario_id={desconocida}")).await;
    assert_eq!((ids_de(&nadie).len(), &nadie.body["total"]), (0, &json!(0)));

    get(&s, "/api/reservas").await.campo("usuario_id");
    get(&s, "/api/reservas?usuario_id=no-es-uuid")
        .await
        .campo("usuario_id");
    get(&s, &format!("/api/reservas?usuario_id={u}&limit=0"))
        .await
        .campo("limit");
    get(&s, &format!("/api/reservas?usuario_id={u}&limit=101"))
        .await
        .campo("limit");
}

// ---- cancelling ----

async fn cancelacion(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let r = reservar(&s, &pedido(&u, &e, "Platea", 2, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.id();
    assert_eq!(zona(&s, &e, "Platea").await, (8, 2));

    let c = cancelar(&s, &id).await;
    assert_eq!(c.status, 200, "{}", c.body);
    assert_eq!(c.body["id"], id.as_str());
    assert_eq!(c.body["estado"], "CANCELADA");
    assert_eq!(c.body["pago"]["estado"], "REEMBOLSADO");
    assert_eq!(c.body["pago"]["id"], r.body["pago"]["id"]);
    // The same tickets, none of which lets anyone in now.
    let codigos = |v: &Value| -> Vec<Value> {
        v["entradas"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["codigo"].clone())
            .collect()
    };
    assert_eq!(codigos(&c.body), codigos(&r.body));
    for t in c.body["entradas"].as_array().unwrap() {
        assert_eq!(
            (&t["estado"], &t["motivo"]),
            (&json!("ANULADA"), &json!("cancelada")),
            "{t}"
        );
    }
    assert_eq!(
        zona(&s, &e, "Platea").await,
        (10, 0),
        "tickets back on sale"
    );
    s.sin_retenciones(&e).await;
    assert!(s.historial(&u).await.is_empty(), "gone from the history");
    assert_eq!(
        s.deps
            .pasarela
            .consultar(&ReservaId::confiable(&id))
            .await
            .unwrap()
            .unwrap()
            .estado,
        EstadoPago::Reembolsado
    );
    assert_eq!(get(&s, &format!("/api/reservas/{id}")).await.body, c.body);
    let log = bitacora(&s, &id).await;
    assert_eq!(
        log[6..],
        [
            "CancelacionSolicitada",
            "PagoReembolsado",
            "InventarioDevuelto",
            "ReservaCancelada",
        ],
        "{log:?}"
    );

    // Again: same answer, nothing returned twice.
    let otra_vez = cancelar(&s, &id).await;
    assert_eq!(otra_vez.status, 200, "{}", otra_vez.body);
    assert_eq!(otra_vez.body, c.body);
    assert_eq!(zona(&s, &e, "Platea").await, (10, 0));
    assert_eq!(bitacora(&s, &id).await, log, "the repeat logged nothing");

    // Nothing to cancel: a reservation whose payment was declined.
    let fallida = reservar(&s, &pedido(&u, &e, "Platea", 1, tarjeta::RECHAZADA)).await;
    fallida.problem(402, "pago-rechazado");
    assert_eq!(
        get(&s, &format!("/api/reservas/{}", fallida.id()))
            .await
            .body["entradas"],
        json!([]),
        "no sale, no tickets"
    );
    cancelar(&s, &fallida.id())
        .await
        .problem(409, "reserva-fallida");
    assert_eq!(
        get(&s, &format!("/api/reservas/{}", fallida.id()))
            .await
            .body["estado"],
        "FALLIDA"
    );

    // The returned tickets can be bought again.
    let r = reservar(&s, &pedido(&u, &e, "Platea", 10, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(zona(&s, &e, "Platea").await, (0, 10));
    cancelar(&s, &uuid::Uuid::new_v4().to_string())
        .await
        .problem(404, "no-encontrado");
    cancelar(&s, "a$b").await.campo("id");
    assert_eq!(zona(&s, &e, "Platea").await, (0, 10));
}

/// Once the event has happened, a reservation can no longer be cancelled (or made).
async fn cancelar_evento_pasado(b: Backend) {
    let s = stack(b).await;
    let u = s.usuario(1).await;
    let fecha = Utc::now() + chrono::Duration::seconds(3);
    let e = evento_raw(
        &s,
        json!({"nombre": "Pronto", "fecha": fecha.to_rfc3339(), "lugar": "Lima",
               "zonas": [{"nombre": "General", "precio": 5_000, "capacidad": 10}]}),
    )
    .await;
    let r = reservar(&s, &pedido(&u, &e, "General", 1, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.id();

    let espera = (fecha - Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(200);
    tokio::time::sleep(espera).await;
    cancelar(&s, &id).await.problem(409, "evento-finalizado");
    let guardada = get(&s, &format!("/api/reservas/{id}")).await;
    assert_eq!(guardada.body["estado"], "CONFIRMADA");
    assert_eq!(guardada.body["pago"]["estado"], "APROBADO");
    assert_eq!(zona(&s, &e, "General").await, (9, 1));
    assert_eq!(s.historial(&u).await, [id]);

    reservar(&s, &pedido(&u, &e, "General", 1, tarjeta::APROBADA))
        .await
        .problem(409, "evento-finalizado")
        .saga("ValidadorDatos", json!([]));
    assert_eq!(zona(&s, &e, "General").await, (9, 1));
}

/// What the proxy does with `POST .../devolver`.
const DEVOLVER_OK: u8 = 0;
/// Answers 503 without forwarding: the tickets are not returned.
const DEVOLVER_CAIDO: u8 = 1;
/// Forwards, then answers 503: the tickets are returned but reservas never hears so.
const DEVOLVER_RESPUESTA_PERDIDA: u8 = 2;

/// A proxy in front of eventos that can break `POST .../devolver` or slow reads down.
#[derive(Clone)]
struct ProxyEventos {
    destino: Arc<Mutex<String>>,
    devolver: Arc<AtomicU8>,
    /// Milliseconds to hold every `GET /api/eventos/...` before forwarding it.
    retraso_lecturas: Arc<AtomicU64>,
    http: reqwest::Client,
    url: String,
}

impl ProxyEventos {
    async fn arrancar() -> Self {
        let mut p = Self {
            destino: Arc::default(),
            devolver: Arc::default(),
            retraso_lecturas: Arc::default(),
            http: reqwest::Client::new(),
            url: String::new(),
        };
        let router = axum::Router::new()
            .fallback(Self::reenviar)
            .with_state(p.clone());
        p.url = eventflow_testkit::spawn(router).await;
        p
    }

    async fn reenviar(
        State(p): State<ProxyEventos>,
        req: axum::extract::Request,
    ) -> axum::response::Response {
        let devolver = if req.uri().path().ends_with("/devolver") {
            p.devolver.load(Ordering::SeqCst)
        } else {
            DEVOLVER_OK
        };
        let caido = || (axum::http::StatusCode::SERVICE_UNAVAILABLE, "caído").into_response();
        if devolver == DEVOLVER_CAIDO {
            return caido();
        }
        let retraso = p.retraso_lecturas.load(Ordering::SeqCst);
        if retraso > 0 && req.method() == axum::http::Method::GET {
            tokio::time::sleep(Duration::from_millis(retraso)).await;
        }
        let url = format!(
            "{}{}",
            p.destino.lock().unwrap(),
            req.uri().path_and_query().map_or("", |x| x.as_str())
        );
        let (method, headers) = (req.method().clone(), req.headers().clone());
        let body = axum::body::to_bytes(req.into_body(), 1 << 20)
            .await
            .unwrap();
        let mut out = p.http.request(method, url).body(body);
        for (k, v) in &headers {
            if k != reqwest::header::HOST {
                out = out.header(k, v);
            }
        }
        let res = out.send().await.unwrap();
        if devolver == DEVOLVER_RESPUESTA_PERDIDA {
            return caido();
        }
        let (status, headers) = (res.status(), res.headers().clone());
        let mut back = (status, res.bytes().await.unwrap()).into_response();
        if let Some(ct) = headers.get(CONTENT_TYPE) {
            back.headers_mut().insert(CONTENT_TYPE, ct.clone());
        }
        back
    }
}

/// A cancellation cut off half-way (eventos fails to take the tickets back, or takes
/// them back but the answer is lost) is finished by the retry, and the reservation and
/// its log still record the refund and the return, once each.
async fn cancelacion_interrumpida(b: Backend) {
    let proxy = ProxyEventos::arrancar().await;
    let (destino, url) = (proxy.destino.clone(), proxy.url.clone());
    let s = stack_with(b, move |c| {
        *destino.lock().unwrap() = c.eventos_url.clone();
        c.eventos_url = url;
    })
    .await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;

    for (modo, tras_el_corte) in [
        (DEVOLVER_CAIDO, (8, 2)),
        (DEVOLVER_RESPUESTA_PERDIDA, (10, 0)),
    ] {
        let r = reservar(&s, &pedido(&u, &e, "Platea", 2, tarjeta::APROBADA)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.id();

        proxy.devolver.store(modo, Ordering::SeqCst);
        let c = cancelar(&s, &id).await;
        c.problem(503, "servicio-no-disponible");
        assert_eq!(c.body["reserva_id"], id.as_str());
        assert_eq!(
            get(&s, &format!("/api/reservas/{id}")).await.body["estado"],
            "CANCELANDO"
        );
        assert_eq!(zona(&s, &e, "Platea").await, tras_el_corte);

        proxy.devolver.store(DEVOLVER_OK, Ordering::SeqCst);
        let c = cancelar(&s, &id).await;
        assert_eq!(c.status, 200, "{}", c.body);
        assert_eq!(c.body["estado"], "CANCELADA");
        assert_eq!(
            s.deps
                .pasarela
                .consultar(&ReservaId::confiable(&id))
                .await
                .unwrap()
                .unwrap()
                .estado,
            EstadoPago::Reembolsado
        );
        assert_eq!(
            c.body["pago"]["estado"], "REEMBOLSADO",
            "the reservation must say what the ledger says: {}",
            c.body
        );
        let log = bitacora(&s, &id).await;
        for tipo in ["PagoReembolsado", "InventarioDevuelto", "ReservaCancelada"] {
            assert_eq!(
                log.iter().filter(|t| *t == tipo).count(),
                1,
                "{tipo} in the audit trail, once: {log:?}"
            );
        }
        assert_eq!(zona(&s, &e, "Platea").await, (10, 0), "returned once");
        assert!(s.historial(&u).await.is_empty());
    }
}

/// Many cancellations of one reservation at once: all answer CANCELADA; the money and
/// the tickets go back once, and the log says so once.
async fn cancelacion_concurrente(b: Backend) {
    let s = std::sync::Arc::new(stack(b).await);
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let r = reservar(&s, &pedido(&u, &e, "Platea", 2, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.id();
    let mut tareas = Vec::new();
    for _ in 0..10 {
        let (s, id) = (s.clone(), id.clone());
        tareas.push(tokio::spawn(async move { cancelar(&s, &id).await }));
    }
    for t in tareas {
        let c = t.await.unwrap();
        assert_eq!(c.status, 200, "{}", c.body);
        assert_eq!(c.body["estado"], "CANCELADA");
        assert_eq!(c.body["pago"]["estado"], "REEMBOLSADO", "{}", c.body);
    }
    assert_eq!(zona(&s, &e, "Platea").await, (10, 0));
    assert!(s.historial(&u).await.is_empty());
    let log = bitacora(&s, &id).await;
    for tipo in [
        "CancelacionSolicitada",
        "PagoReembolsado",
        "InventarioDevuelto",
        "ReservaCancelada",
    ] {
        assert_eq!(
            log.iter().filter(|t| *t == tipo).count(),
            1,
            "{tipo} once: {log:?}"
        );
    }
}

/// A buyer whose connection drops mid-checkout (a client timeout, a closed tab) must
/// not cut the SAGA off: it runs to its end, and a retry with the same key gets that end.
async fn cliente_desconectado(b: Backend) {
    let proxy = ProxyEventos::arrancar().await;
    let (destino, url) = (proxy.destino.clone(), proxy.url.clone());
    let s = stack_with(b, move |c| {
        *destino.lock().unwrap() = c.eventos_url.clone();
        c.eventos_url = url;
    })
    .await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let u = s.usuario(1).await;
    let body = pedido(&u, &e, "Platea", 2, tarjeta::APROBADA);

    // ValidadorDatos' event lookup takes 600 ms; the client gives up after 200 ms.
    proxy.retraso_lecturas.store(600, Ordering::SeqCst);
    // The same caller as the retry below (the stack's client acts as the admin): a key
    // is bound to its caller, and another caller's retry would be a 422.
    let impaciente = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .default_headers(eventflow_testkit::cabeceras_admin())
        .build()
        .unwrap();
    let res = impaciente
        .post(format!("{}/api/reservar", s.reservas))
        .header("Idempotency-Key", "k-cortada")
        .json(&body)
        .send()
        .await;
    assert!(res.is_err(), "the client timed out");
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    proxy.retraso_lecturas.store(0, Ordering::SeqCst);

    let r = reservar_con(&s, &body, &[("Idempotency-Key", "k-cortada")]).await;
    assert_eq!(
        r.status, 201,
        "the SAGA ran to its end without the client: {}",
        r.body
    );
    assert_eq!(r.header("idempotent-replayed"), Some("true"));
    assert_eq!(s.historial(&u).await, [r.id()]);
    assert_eq!(zona(&s, &e, "Platea").await, (8, 2), "bought once");
    assert!(s.lock_keys().await.is_empty());
}

// ---- operations ----

async fn metricas(b: Backend) {
    let s = stack(b).await;
    let e = s.evento(&[("General", 5_000, 10)]).await;
    let (u1, u2) = (s.usuario(1).await, s.usuario(2).await);
    for (u, numero) in [
        (&u1, tarjeta::APROBADA),
        (&u2, tarjeta::APROBADA),
        (&u1, tarjeta::RECHAZADA),
    ] {
        reservar(&s, &pedido(u, &e, "General", 1, numero)).await;
    }
    let res = s
        .http
        .get(format!("{}/metrics", s.reservas))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = res.text().await.unwrap();
    let lineas: Vec<&str> = text.lines().collect();
    for want in [
        "eventflow_sagas_total{resultado=\"confirmada\"} 2",
        "eventflow_sagas_total{resultado=\"pago-rechazado\"} 1",
        "eventflow_saga_step_seconds_bucket{handler=\"ProcesadorPago\",le=\"+Inf\"} 3",
        "eventflow_saga_step_seconds_count{handler=\"ProcesadorPago\"} 3",
        "eventflow_saga_step_seconds_count{handler=\"ConfirmadorReserva\"} 2",
    ] {
        assert!(lineas.contains(&want), "{want} not in:\n{text}");
    }
    assert!(
        text.contains(
            "eventflow_saga_step_seconds_bucket{handler=\"ProcesadorPago\",le=\"0.005\"}"
        ),
        "{text}"
    );
}

async fn salud(b: Backend) {
    let real = matches!(b, Backend::Real { .. });
    let s = stack(b).await;
    let h = get(&s, "/health").await;
    assert_eq!((h.status, &h.body), (200, &json!({"status": "ok"})));
    let r = get(&s, "/ready").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "ready");
    let want = if real {
        json!({"mongodb": "ok", "redis": "ok"})
    } else {
        json!({"embebido": "ok"})
    };
    assert_eq!(r.body["dependencias"], want);

    let docs = s
        .http
        .get(format!("{}/docs/", s.reservas))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let doc = get(&s, "/api-docs/openapi.json").await;
    assert_eq!(doc.status, 200);
    assert_eq!(
        doc.body,
        serde_json::to_value(reservas_pagos_service::http::openapi()).unwrap(),
        "the served document is the snapshotted one"
    );
}

// ---- Redis down (real backends only) ----

/// A private `redis-server`, killed on drop.
struct RedisPrivado {
    hijo: std::process::Child,
    url: String,
}

impl RedisPrivado {
    async fn arrancar() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let hijo = std::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        let yo = Self {
            hijo,
            url: format!("redis://127.0.0.1:{port}"),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return yo;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the private redis-server on port {port} did not start");
    }

    fn matar(&mut self) {
        let _ = self.hijo.kill();
        let _ = self.hijo.wait();
    }
}

impl Drop for RedisPrivado {
    fn drop(&mut self) {
        self.matar();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_caido_real() {
    let Some(b) = Backend::real().await else {
        return;
    };
    let mut redis = RedisPrivado::arrancar().await;
    let url = redis.url.clone();
    let s = stack_with(b, move |c| {
        c.redis = RedisConfig::Redis {
            url: url.into(),
            prefix: "rsv:".into(),
        }
    })
    .await;
    let e = s.evento(&[("General", 5_000, 10)]).await;
    let u = s.usuario(1).await;
    let r = reservar(&s, &pedido(&u, &e, "General", 1, tarjeta::APROBADA)).await;
    assert_eq!(r.status, 201, "works while Redis is up: {}", r.body);
    assert_eq!(zona(&s, &e, "General").await, (9, 1));

    redis.matar();
    let t = Instant::now();
    let r = reservar(&s, &pedido(&u, &e, "General", 2, tarjeta::APROBADA)).await;
    let tardo = t.elapsed();
    r.problem(503, "servicio-no-disponible")
        .saga("ValidadorInventario", json!([]));
    assert_eq!(r.body["dependencia"], "redis", "{}", r.body);
    assert!(tardo < Duration::from_secs(2), "answered in {tardo:?}");
    assert_eq!(
        zona(&s, &e, "General").await,
        (9, 1),
        "availability unchanged"
    );
    s.sin_retenciones(&e).await;
    assert_eq!(s.historial(&u).await.len(), 1);

    let listo = get(&s, "/ready").await;
    listo.problem(503, "servicio-no-disponible");
    assert_eq!(listo.body["dependencia"], "redis", "{}", listo.body);
    assert_eq!(listo.body["dependencias"]["mongodb"], "ok");
}

ambos!(reserva_exitosa);
ambos!(cuerpo_minimo);
ambos!(no_encontrado);
ambos!(validacion);
ambos!(agotado);
ambos!(compra_en_curso);
ambos!(pago_rechazado);
ambos!(error_pasarela);
ambos!(fallo_en_confirmacion);
ambos!(fallo_simulado_desactivado);
ambos!(idempotencia);
ambos!(consultas);
ambos!(cancelacion);
ambos!(cancelar_evento_pasado);
ambos!(cancelacion_interrumpida);
ambos!(cancelacion_concurrente);
ambos!(cliente_desconectado);
ambos!(metricas);
ambos!(salud);
