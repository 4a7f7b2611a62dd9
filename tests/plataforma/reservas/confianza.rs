//! Trust around the authorization matrix (issue 26), on both backends: a booking planted
//! in a stranger's name opens no profile, a guest cannot buy with an account that has a
//! password, an anonymous caller learns no buyer's count, a keyless replay reaches only
//! its own sender, and no card number is kept anywhere after a sale.

use super::common;

use common::{Backend, Stack};
use eventflow_testkit::matriz;
use eventflow_testkit::respuestas::json_de;
use reqwest::{Client, StatusCode};
use reservas_pagos_service::domain::tarjeta;
use serde_json::{json, Value};

const CLAVE: &str = "quena-charango-1984";

/// A client with no credentials, from `ip` (a loopback address): a guest at one address.
fn invitado(ip: [u8; 4]) -> Client {
    Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .build()
        .unwrap()
}

/// An event of organizer `t_org` (or the admin's, with `None`), with `max_por_comprador`.
async fn evento(s: &Stack, t_org: Option<&str>, max: u32) -> String {
    let cuerpo = json!({"nombre": "Festival", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
                        "max_por_comprador": max,
                        "zonas": [{"nombre": "General", "precio": 2500, "capacidad": 100}]});
    let token = t_org.unwrap_or(eventflow_shared::config::DEV_ADMIN_TOKEN);
    eventflow_testkit::respuestas::id_creado(
        Client::new()
            .post(format!("{}/api/eventos", s.eventos))
            .bearer_auth(token)
            .json(&cuerpo)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn reservar(http: &Client, s: &Stack, cuerpo: &Value) -> (StatusCode, Value) {
    let r = http
        .post(format!("{}/api/reservar", s.reservas))
        .json(cuerpo)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let replay = r.headers().get("idempotent-replayed").is_some();
    let mut v: Value = r.json().await.unwrap();
    if replay {
        v["_replay"] = json!(true);
    }
    (status, v)
}

async fn disponibles(s: &Stack, evento: &str) -> i64 {
    let e = json_de(Client::new().get(format!("{}/api/eventos/{evento}", s.eventos))).await;
    e["zonas"][0]["disponibles"]
        .as_i64()
        .unwrap_or_else(|| panic!("{e}"))
}

/// The organizer plants a declined booking in a buyer's name on its own event: the
/// failed attempt opens nothing. Only a purchase does, and it stays open after a
/// cancellation.
async fn reserva_plantada(backend: Backend) {
    let s = common::stack(backend).await;
    let http = Client::new();
    let (_, t_org) = matriz::organizador_con_id(&http, &s.usuarios, "org@example.com", CLAVE).await;
    let ev = evento(&s, Some(&t_org), 10).await;
    // A buyer of the seed's kind (no password), whom a guest may name by email.
    let victima = s.usuario(7).await;
    let perfil = || {
        http.get(format!("{}/api/usuarios/{victima}", s.usuarios))
            .bearer_auth(&t_org)
            .send()
    };
    let plantada = json!({"evento_id": ev, "email": "c7@example.com",
                          "pago": {"metodo": "tarjeta", "numero_tarjeta": tarjeta::RECHAZADA}});
    let (st, v) = reservar(&invitado([127, 0, 0, 1]), &s, &plantada).await;
    assert_eq!(st, 402, "{v}");
    let r = perfil().await.unwrap();
    assert_eq!(
        r.status(),
        404,
        "a failed attempt exposed the profile: {:?}",
        r.text().await
    );

    let compra = json!({"evento_id": ev, "email": "c7@example.com"});
    let (st, v) = reservar(&invitado([127, 0, 0, 1]), &s, &compra).await;
    assert_eq!(st, 201, "{v}");
    let r = perfil().await.unwrap();
    assert_eq!(r.status(), 200);
    let u: Value = r.json().await.unwrap();
    assert_eq!(u["nro_documento"], "00000007", "{u}");

    let rid = v["id"].as_str().unwrap();
    let c = s
        .http
        .post(format!("{}/api/reservas/{rid}/cancelar", s.reservas))
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200, "{:?}", c.text().await);
    assert_eq!(
        perfil().await.unwrap().status(),
        200,
        "a buyer stays the organizer's after a cancellation"
    );
}

con_ambos_backends!(reserva_plantada, |b| b);

/// A guest naming an account that signs in gets 409 `inicia-sesion`, before anything is
/// held, charged or stored, and learns nothing of the account; its owner (and the admin)
/// still buy.
async fn invitado_con_cuenta_con_contrasena(backend: Backend) {
    let s = common::stack(backend).await;
    let http = Client::new();
    let (ana, t_ana) =
        matriz::comprador(&http, &s.usuarios, "ana@example.com", "10000001", CLAVE).await;
    let ev = evento(&s, None, 4).await;
    // She already holds 3: a stranger must not learn it.
    let r = http
        .post(format!("{}/api/reservar", s.reservas))
        .bearer_auth(&t_ana)
        .json(&json!({"evento_id": ev, "cantidad": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    let antes = disponibles(&s, &ev).await;
    assert_eq!(antes, 97);

    let guest = invitado([127, 0, 0, 1]);
    for cuerpo in [
        json!({"evento_id": ev, "email": "ana@example.com", "cantidad": 2}),
        json!({"evento_id": ev, "email": "ANA@Example.com"}),
        json!({"evento_id": ev, "usuario_id": ana}),
    ] {
        for _ in 0..2 {
            let (st, v) = reservar(&guest, &s, &cuerpo).await;
            assert_eq!(st, 409, "{cuerpo} → {v}");
            assert_eq!(v["type"], "urn:eventflow:problem:inicia-sesion", "{v}");
            assert_eq!(
                v["detail"],
                "Esa cuenta tiene contraseña: inicia sesión para comprar con ella"
            );
            assert!(v.get("_replay").is_none(), "never a replay of hers: {v}");
            let texto = v.to_string();
            for nada in ["usuario_id", "ya_tienes", "maximo", &ana, "tienes"] {
                assert!(!texto.contains(nada), "{nada:?} revealed: {texto}");
            }
        }
    }
    // Nothing was held or stored: her reservations are her one purchase.
    assert_eq!(disponibles(&s, &ev).await, antes);
    let suyas = json_de(
        http.get(format!("{}/api/reservas", s.reservas))
            .bearer_auth(&t_ana),
    )
    .await;
    assert_eq!(suyas["total"], 1, "{suyas}");

    // The admin may still book in her name (support), and sees her count.
    let (st, v) = reservar(
        &s.http,
        &s,
        &json!({"evento_id": ev, "usuario_id": ana, "cantidad": 2}),
    )
    .await;
    assert_eq!(st, 409, "{v}");
    assert_eq!(v["type"], "urn:eventflow:problem:limite-por-comprador");
    assert_eq!(v["ya_tienes"], 3, "{v}");
    let (st, v) = reservar(&s.http, &s, &json!({"evento_id": ev, "usuario_id": ana})).await;
    assert_eq!(st, 201, "{v}");
}

con_ambos_backends!(invitado_con_cuenta_con_contrasena, |b| b);

/// A guest buying for a buyer without a password (the seed's kind) is told the limit,
/// never how many that buyer already holds.
async fn invitado_no_sabe_cuantas_tiene(backend: Backend) {
    let s = common::stack(backend).await;
    let ev = evento(&s, None, 4).await;
    s.usuario(8).await;
    let guest = invitado([127, 0, 0, 1]);
    let (st, v) = reservar(
        &guest,
        &s,
        &json!({"evento_id": ev, "email": "c8@example.com", "cantidad": 3}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = reservar(
        &guest,
        &s,
        &json!({"evento_id": ev, "email": "c8@example.com", "cantidad": 2}),
    )
    .await;
    assert_eq!(st, 409, "{v}");
    assert_eq!(v["type"], "urn:eventflow:problem:limite-por-comprador");
    assert_eq!(v["maximo"], 4, "{v}");
    assert!(v.get("ya_tienes").is_none(), "{v}");
    let detalle = v["detail"].as_str().unwrap();
    assert!(
        !detalle.contains('3') && !detalle.contains("tienes"),
        "{detalle}"
    );
}

con_ambos_backends!(invitado_no_sabe_cuantas_tiene, |b| b);

/// Without a key, a repeat within seconds is answered with the earlier reservation only
/// for the same guest (same client, same body). Another client sending the same body
/// gets a purchase of its own, never the first one's reservation.
async fn repeticion_sin_clave(backend: Backend) {
    let s = common::stack(backend).await;
    let ev = evento(&s, None, 10).await;
    s.usuario(9).await;
    let cuerpo = json!({"evento_id": ev, "email": "c9@example.com", "cantidad": 1});
    let a = invitado([127, 0, 0, 1]);
    let b = invitado([127, 0, 0, 2]);
    let (st, primera) = reservar(&a, &s, &cuerpo).await;
    assert_eq!(st, 201, "{primera}");
    let (st, ajena) = reservar(&b, &s, &cuerpo).await;
    assert_eq!(st, 201, "{ajena}");
    assert!(ajena.get("_replay").is_none(), "{ajena}");
    assert_ne!(
        ajena["id"], primera["id"],
        "a stranger got the first reservation"
    );
    assert!(
        ajena["secreto"].is_string(),
        "a purchase of its own: {ajena}"
    );
    let (st, otra_vez) = reservar(&a, &s, &cuerpo).await;
    assert_eq!(st, 201, "{otra_vez}");
    assert_eq!(otra_vez["_replay"], true, "{otra_vez}");
    assert_eq!(otra_vez["id"], primera["id"]);
    assert!(
        otra_vez.get("secreto").is_none(),
        "a replay never hands the secret out again: {otra_vez}"
    );
    // A different body from the same client is a new purchase.
    let (st, v) = reservar(
        &a,
        &s,
        &json!({"evento_id": ev, "email": "c9@example.com", "cantidad": 2}),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    assert!(v.get("_replay").is_none(), "{v}");
}

con_ambos_backends!(repeticion_sin_clave, |b| b);

/// The same Idempotency-Key and body from another caller is not a replay of the first
/// caller's answer (which carries the guest secret): 422.
async fn clave_de_otro_llamante(backend: Backend) {
    let s = common::stack(backend).await;
    let http = Client::new();
    let (_, t_ana) =
        matriz::comprador(&http, &s.usuarios, "ana@example.com", "10000001", CLAVE).await;
    let ev = evento(&s, None, 10).await;
    s.usuario(10).await;
    let cuerpo = &json!({"evento_id": ev, "email": "c10@example.com"});
    let enviar = |req: reqwest::RequestBuilder| async move {
        let r = req
            .header("Idempotency-Key", "clave-compartida-1")
            .json(cuerpo)
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    let url = format!("{}/api/reservar", s.reservas);
    let (st, primera) = enviar(http.post(&url)).await;
    assert_eq!(st, 201, "{primera}");
    let (st, v) = enviar(http.post(&url).bearer_auth(&t_ana)).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        v["type"],
        "urn:eventflow:problem:idempotency-key-reutilizada"
    );
    assert!(!v.to_string().contains(primera["secreto"].as_str().unwrap()));
    // The guest retrying (even from another address) gets its own answer back.
    let (st, v) = enviar(invitado([127, 0, 0, 3]).post(&url)).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v, primera);
}

con_ambos_backends!(clave_de_otro_llamante, |b| b);

/// After keyed sales (approved and declined), no store holds a full card number, nor
/// the plain SHA-256 of a request body that carried one (what the key's record used to
/// keep, which anyone with the store could test card guesses against).
async fn sin_numeros_de_tarjeta(backend: Backend) {
    let real = matches!(backend, Backend::Real { .. });
    let mut db_reservas = None;
    let s = common::stack_with(backend.clone(), |r| {
        if let eventflow_shared::config::StoreConfig::Mongo { database, .. } = &r.store {
            db_reservas = Some(database.clone());
        }
    })
    .await;
    let ev = evento(&s, None, 10).await;
    let u = s.usuario(11).await;
    let mut prohibidos = Vec::new();
    let mut ids = Vec::new();
    for (i, numero) in [tarjeta::APROBADA, "4000 0000 0000 0002"]
        .iter()
        .enumerate()
    {
        let cuerpo = json!({"evento_id": ev, "usuario_id": u,
                            "pago": {"metodo": "tarjeta", "numero_tarjeta": numero, "titular": "Ana"}});
        let r = Client::new()
            .post(format!("{}/api/reservar", s.reservas))
            .header("Idempotency-Key", format!("tarjeta-{i}"))
            .json(&cuerpo)
            .send()
            .await
            .unwrap();
        assert!([201, 402].contains(&r.status().as_u16()));
        let v: Value = r.json().await.unwrap();
        ids.push(
            v["id"]
                .as_str()
                .or(v["reserva_id"].as_str())
                .unwrap()
                .to_owned(),
        );
        let canon = serde_json::to_string(&cuerpo).unwrap();
        use sha2::Digest;
        prohibidos.push(format!("{:x}", sha2::Sha256::digest(canon.as_bytes())));
        prohibidos.push(numero.replace(' ', ""));
        prohibidos.push(numero.to_string());
    }
    // What the embedded store keeps of each reservation.
    for id in &ids {
        let r = s.deps.reservas.get(id).await.unwrap().expect("stored");
        let texto = format!("{r:?}");
        for p in &prohibidos {
            assert!(!texto.contains(p.as_str()), "{p} in {texto}");
        }
        // The payment keeps the last 4 digits only, which is what the buyer sees.
        let pago = s
            .deps
            .pasarela
            .consultar(&eventflow_shared::ids::ReservaId::parse("id", id).unwrap())
            .await
            .unwrap()
            .expect("a charge was recorded");
        assert!(
            ["4242", "0002"].contains(&pago.ultimos4.as_str()),
            "{pago:?}"
        );
        let texto = format!("{pago:?}");
        for p in &prohibidos {
            assert!(!texto.contains(p.as_str()), "{p} in {texto}");
        }
    }
    if !real {
        return;
    }
    // Every document of every collection of reservas' database, as extended JSON.
    let uri = eventflow_testkit::mongo_uri().await.unwrap();
    let db = mongodb::Client::with_uri_str(&uri)
        .await
        .unwrap()
        .database(&db_reservas.expect("a real store has a database"));
    let mut documentos = 0;
    for nombre in db.list_collection_names().await.unwrap() {
        let col = db.collection::<bson::Document>(&nombre);
        let mut cursor = col.find(bson::doc! {}).await.unwrap();
        use futures::TryStreamExt;
        while let Some(d) = cursor.try_next().await.unwrap() {
            documentos += 1;
            let texto = serde_json::to_string(&d).unwrap();
            for p in &prohibidos {
                assert!(!texto.contains(p.as_str()), "{p} in {nombre}: {texto}");
            }
        }
    }
    assert!(
        documentos >= 4,
        "reservations, payments and keys: {documentos}"
    );
}

con_ambos_backends!(sin_numeros_de_tarjeta, |b| b);
