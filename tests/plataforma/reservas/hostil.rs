//! Hostile input on every reservas write route (POST /api/reservar, POST
//! /api/reservas/{id}/cancelar) and its reads: each gets a 4xx problem+json, never a 5xx
//! or a panic, and sells, holds, locks or cancels nothing. MongoDB operators in bodies,
//! paths and query strings never become query operators. Runs on the embedded backends and
//! on MongoDB + Redis.

use super::common;

use common::*;
use eventflow_testkit::hostil::{self, enviar};
use eventflow_testkit::respuestas::json_de;
use serde_json::{json, Value};

macro_rules! en_ambos_backends {
    ($name:ident) => {
        con_ambos_backends!($name, |b| stack(b).await);
    };
}

const JSON: (&str, &str) = ("content-type", "application/json");

/// `POST /api/reservar` of the raw bytes `cuerpo`, declared as JSON: how every hostile
/// body below reaches the SAGA.
async fn reservar_crudo(s: &Stack, cuerpo: &[u8]) -> hostil::Respuesta {
    enviar(&s.reservas, "POST", "/api/reservar", &[JSON], cuerpo).await
}
/// The platform admin may read and cancel any reservation: these tests are about input.
const ADMIN: (&str, &str) = ("authorization", "Bearer eventflow-dev-admin");

struct Semilla {
    usuario: String,
    evento: String,
    /// A CONFIRMADA reservation.
    reserva: String,
}

async fn sembrar(s: &Stack) -> Semilla {
    let evento = s.evento(&[("Campo", 8000, 100)]).await;
    let usuario = s.usuario(1).await;
    let res = s.reservar(plantilla(&usuario, &evento)).await;
    assert_eq!(res.status(), 201);
    let reserva = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Semilla {
        usuario,
        evento,
        reserva,
    }
}

/// `GET /api/reservas?{q}` as the platform admin.
async fn listar_como_admin(s: &Stack, q: &str) -> hostil::Respuesta {
    let target = format!("/api/reservas?{q}");
    enviar(&s.reservas, "GET", &target, &[ADMIN], b"").await
}

/// The seed and the state every hostile test compares with once it is done.
async fn sembrado(s: &Stack) -> (Semilla, Value) {
    let sem = sembrar(s).await;
    let antes = estado(s, &sem).await;
    (sem, antes)
}

fn plantilla(usuario: &str, evento: &str) -> Value {
    json!({
        "usuario_id": usuario,
        "evento_id": evento,
        "zona": "Campo",
        "cantidad": 1,
        "pago": {"metodo": "tarjeta", "numero_tarjeta": "4242424242424242", "titular": "Ana Quispe"},
    })
}

/// What any write could change: availability, the buyer's history and confirmed
/// reservations, the seeded reservation, and the checkout locks.
async fn estado(s: &Stack, sem: &Semilla) -> Value {
    let e = s.get_evento(&sem.evento).await;
    let r = s.get_reserva(&sem.reserva).await;
    let lista: Value = json_de(s.http.get(format!(
        "{}/api/reservas?usuario_id={}&limit=100",
        s.reservas, sem.usuario
    )))
    .await;
    let confirmadas: Vec<Value> = lista["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["estado"] != "FALLIDA")
        .map(|r| r["id"].clone())
        .collect();
    json!({
        "zonas": e["zonas"],
        "historial": s.historial(&sem.usuario).await,
        "reserva": [r["estado"], r["pago"]],
        "confirmadas": confirmadas,
        "locks": s.lock_keys().await,
    })
}

async fn sin_cambios(s: &Stack, sem: &Semilla, antes: &Value, que: &str) {
    assert_eq!(&estado(s, sem).await, antes, "{que} changed something");
}

en_ambos_backends!(cuerpos_hostiles_son_4xx_problem);
async fn cuerpos_hostiles_son_4xx_problem(s: Stack) {
    let (sem, antes) = sembrado(&s).await;
    let p = plantilla(&sem.usuario, &sem.evento);
    let r = reservar_crudo(&s, &hostil::cuerpo_enorme(&p)).await;
    r.assert_problema_4xx("> 64 KiB");
    assert_eq!(r.status, 413);
    let r = enviar(
        &s.reservas,
        "POST",
        "/api/reservar",
        &[],
        &serde_json::to_vec(&p).unwrap(),
    )
    .await;
    r.assert_problema_4xx("without content-type");
    assert_eq!(r.status, 415);
    for (que, body) in hostil::cuerpos_malformados(&p)
        .into_iter()
        .chain(hostil::cuerpos_malformados(&p["pago"]))
    {
        let r = reservar_crudo(&s, &body).await;
        r.assert_problema_4xx(&que);
    }
    // Bodies on cancelar are ignored; hostile ones change nothing either.
    for (que, body) in hostil::cuerpos_malformados(&p) {
        let path = "/api/reservas/no-existe/cancelar";
        let r = enviar(&s.reservas, "POST", path, &[JSON, ADMIN], &body).await;
        r.assert_problema_4xx(&format!("cancelar: {que}"));
        assert_eq!(r.status, 404, "{}", r.body);
    }
    sin_cambios(&s, &sem, &antes, "hostile bodies").await;
}

en_ambos_backends!(anidado_en_campo_desconocido_no_es_5xx);
async fn anidado_en_campo_desconocido_no_es_5xx(s: Stack) {
    let (sem, antes) = sembrado(&s).await;
    let p = plantilla(&sem.usuario, &sem.evento);
    // Unknown fields are refused at the key, before the nested value is read (no
    // recursion): a 422 naming it, and nothing bought or held.
    for (que, body) in hostil::anidado_en_campo_desconocido(&p) {
        let r = reservar_crudo(&s, &body).await;
        assert_eq!(r.status, 422, "{que}: {}", r.body);
        assert!(
            r.body.contains("\"campo\":\"campo_desconocido\""),
            "{que}: {}",
            r.body
        );
    }
    assert!(s.lock_keys().await.is_empty());
    sin_cambios(&s, &sem, &antes, "unknown fields").await;
}

en_ambos_backends!(numeros_fuera_de_rango_y_cantidades_no_positivas);
async fn numeros_fuera_de_rango_y_cantidades_no_positivas(s: Stack) {
    let (sem, antes) = sembrado(&s).await;
    let p = plantilla(&sem.usuario, &sem.evento);
    for n in hostil::numeros_enormes().into_iter().chain([
        "0",
        "-1",
        "-9223372036854775808",
        "11",
        "2147483648",
    ]) {
        let texto = p
            .to_string()
            .replace("\"cantidad\":1", &format!("\"cantidad\":{n}"));
        assert!(texto.contains(&format!("\"cantidad\":{n}")), "{texto}");
        let r = reservar_crudo(&s, texto.as_bytes()).await;
        let b = r.assert_problema_4xx(&format!("cantidad = {n}"));
        assert!([400, 422].contains(&r.status), "cantidad = {n}: {b}");
    }
    // Numbers where strings go.
    for campo in ["/usuario_id", "/evento_id", "/zona", "/pago/numero_tarjeta"] {
        for n in ["9223372036854775808", "1e400", "0", "-1"] {
            let mut v = p.clone();
            *v.pointer_mut(campo).unwrap() = json!("MARCA");
            let texto = v.to_string().replace("\"MARCA\"", n);
            let r = reservar_crudo(&s, texto.as_bytes()).await;
            r.assert_problema_4xx(&format!("{campo} = {n}"));
        }
    }
    sin_cambios(&s, &sem, &antes, "out-of-range numbers").await;
}

en_ambos_backends!(operadores_mongo_en_el_cuerpo_no_son_consultas);
async fn operadores_mongo_en_el_cuerpo_no_son_consultas(s: Stack) {
    let (sem, antes) = sembrado(&s).await;
    let mut p = plantilla(&sem.usuario, &sem.evento);
    for (que, body) in hostil::con_operadores(&p) {
        let r = reservar_crudo(&s, &serde_json::to_vec(&body).unwrap()).await;
        let b = r.assert_problema_4xx(&que);
        assert_eq!(r.status, 422, "{que}: {b}");
    }
    // The buyer by email, with operators in `email`.
    p.as_object_mut().unwrap().remove("usuario_id");
    p["email"] = json!("c1@example.com");
    for (que, body) in hostil::con_operadores(&json!({"email": p["email"]})) {
        let mut v = p.clone();
        v["email"] = body["email"].clone();
        let r = reservar_crudo(&s, &serde_json::to_vec(&v).unwrap()).await;
        let b = r.assert_problema_4xx(&que);
        assert_eq!(r.status, 422, "{que}: {b}");
    }
    // Hostile ids in the JSON id fields: refused before any lookup, lock or hold.
    let p = plantilla(&sem.usuario, &sem.evento);
    for raro in hostil::ids_hostiles() {
        for campo in ["usuario_id", "evento_id"] {
            let mut v = p.clone();
            v[campo] = json!(raro);
            let r = reservar_crudo(&s, &serde_json::to_vec(&v).unwrap()).await;
            let b = r.assert_problema_4xx(&format!("{campo} = {raro:?}"));
            assert_eq!(r.status, 422, "{campo} = {raro:?}: {b}");
        }
    }
    sin_cambios(&s, &sem, &antes, "operator bodies").await;
}

en_ambos_backends!(ids_hostiles_en_rutas);
async fn ids_hostiles_en_rutas(s: Stack) {
    let (sem, antes) = sembrado(&s).await;
    for seg in hostil::segmentos_hostiles() {
        for (method, path) in [
            ("POST", format!("/api/reservas/{seg}/cancelar")),
            ("GET", format!("/api/reservas/{seg}")),
            ("GET", format!("/api/reservas/{seg}/eventos")),
        ] {
            let r = enviar(&s.reservas, method, &path, &[ADMIN], b"").await;
            let b = r.assert_problema_4xx(&format!("{method} {path}"));
            assert!([404, 422].contains(&r.status), "{method} {path}: {b}");
        }
    }
    sin_cambios(&s, &sem, &antes, "hostile ids").await;
}

en_ambos_backends!(operadores_en_la_query_no_filtran);
async fn operadores_en_la_query_no_filtran(s: Stack) {
    let sem = sembrar(&s).await;
    // A second buyer with a reservation: a `$ne` obeyed would return it.
    let otro = s.usuario(2).await;
    assert_eq!(
        s.reservar(plantilla(&otro, &sem.evento)).await.status(),
        201
    );
    for q in [
        "usuario_id[$ne]=x".to_owned(),
        "usuario_id[$gt]=".to_owned(),
        "usuario_id=%7B%22%24ne%22%3Anull%7D".to_owned(),
        "usuario_id=%24ne".to_owned(),
        format!("usuario_id={}%00", sem.usuario),
        format!("usuario_id={}&usuario_id={otro}", sem.usuario),
        format!("usuario_id={}&limit=%24ne", sem.usuario),
        format!("usuario_id={}&limit=0", sem.usuario),
        format!("usuario_id={}&offset=-1", sem.usuario),
    ] {
        let r = listar_como_admin(&s, &q).await;
        let b = r.assert_problema_4xx(&format!("?{q}"));
        assert_eq!(r.status, 422, "?{q}: {b}");
    }
    // A bracketed operator next to a real filter is ignored: only that buyer's one.
    let q = format!("usuario_id={}&usuario_id[$ne]={}", sem.usuario, sem.usuario);
    let r = listar_como_admin(&s, &q).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let page: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(page["total"], 1, "?{q}: {page}");
    assert_eq!(page["items"][0]["usuario_id"], json!(sem.usuario), "{page}");
}
