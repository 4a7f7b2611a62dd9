//! Hostile input on every eventos write route: POST /api/eventos and PATCH
//! /api/eventos/{id} (organizer), and the inventory routes under /internal/eventos (service).
//! Each gets a 4xx problem+json, never a 5xx or a panic, and changes nothing: not the
//! catalogue, not the availability. MongoDB operators in bodies, paths and query strings
//! never become query operators; protected routes refuse missing, empty, prefix and wrong
//! credentials, and each other's token. Runs on the embedded backends and on MongoDB + Redis.

#[allow(dead_code)]
#[macro_use]
mod common;

use common::*;
use eventflow_shared::auth::Servicio;
use eventflow_testkit::hostil::{self, enviar};
use serde_json::{json, Value};

const JSON: (&str, &str) = ("content-type", "application/json");
const ADMIN: (&str, &str) = ("authorization", "Bearer eventflow-dev-admin");
const SERVICIO: (&str, &str) = ("authorization", "Bearer eventflow-dev-reservas");

fn plantilla_evento() -> Value {
    json!({
        "id": "evento-nuevo",
        "nombre": "Rock en el Parque",
        "fecha": rfc3339(en_dias(30)),
        "lugar": "Estadio Nacional",
        "zonas": [{"nombre": "Campo", "precio": 8000, "capacidad": 100}],
    })
}

fn plantilla_cambio() -> Value {
    json!({"nombre": "Otro nombre", "fecha": rfc3339(en_dias(40)), "lugar": "Arena Lima"})
}

fn plantilla_retencion() -> Value {
    json!({"reserva_id": "reserva-2", "zona": "Campo", "cantidad": 1})
}

/// One event, with one hold (`reserva-1`, 2 tickets); returns (its id, its state).
async fn sembrar(app: &TestApp) -> (String, Value) {
    let mut e = plantilla_evento();
    e["id"] = json!("evento-1");
    app.crear_evento_ok(&e).await;
    let r = enviar(
        &app.address,
        "POST",
        "/internal/eventos/evento-1/retenciones",
        &[JSON, SERVICIO],
        br#"{"reserva_id": "reserva-1", "zona": "Campo", "cantidad": 2}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    ("evento-1".into(), estado(app).await)
}

/// Everything a write could change: the whole catalogue with availability per zone.
async fn estado(app: &TestApp) -> Value {
    assert_json(app.listar(&[("limit", "100")]).await, 200).await
}

async fn sin_cambios(app: &TestApp, antes: &Value, que: &str) {
    assert_eq!(&estado(app).await, antes, "{que} changed the catalogue");
}

/// A write route: method, path, credentials, a valid body or none.
type Ruta = (
    &'static str,
    String,
    (&'static str, &'static str),
    Option<Value>,
);

/// Every protected route: the authorization matrix (writes, and the reads that are not
/// public: the inventory by reservation and the organizer's reconciliation).
fn rutas(id: &str) -> Vec<Ruta> {
    vec![
        (
            "POST",
            "/api/eventos".into(),
            ADMIN,
            Some(plantilla_evento()),
        ),
        (
            "PATCH",
            format!("/api/eventos/{id}"),
            ADMIN,
            Some(plantilla_cambio()),
        ),
        (
            "PUT",
            format!("/api/eventos/{id}/transferencias"),
            ADMIN,
            Some(json!({"permitidas": false})),
        ),
        (
            "POST",
            format!("/internal/eventos/{id}/retenciones"),
            SERVICIO,
            Some(plantilla_retencion()),
        ),
        (
            "POST",
            format!("/internal/eventos/{id}/retenciones/reserva-1/confirmar"),
            SERVICIO,
            None,
        ),
        (
            "DELETE",
            format!("/internal/eventos/{id}/retenciones/reserva-1"),
            SERVICIO,
            None,
        ),
        (
            "POST",
            format!("/internal/eventos/{id}/ventas/reserva-1/devolver"),
            SERVICIO,
            None,
        ),
        (
            "GET",
            format!("/internal/eventos/{id}/inventario"),
            SERVICIO,
            None,
        ),
        (
            "GET",
            format!("/api/eventos/{id}/conciliacion"),
            ADMIN,
            None,
        ),
    ]
}

en_ambos_backends!(cuerpos_hostiles_son_4xx_problem);
async fn cuerpos_hostiles_son_4xx_problem(app: &TestApp) {
    let (id, antes) = sembrar(app).await;
    for (method, path, auth, plantilla) in rutas(&id) {
        let Some(plantilla) = plantilla else { continue };
        let r = enviar(
            &app.address,
            method,
            &path,
            &[JSON, auth],
            &hostil::cuerpo_enorme(&plantilla),
        )
        .await;
        r.assert_problema_4xx(&format!("{method} {path} > 64 KiB"));
        assert_eq!(r.status, 413);
        let ok = serde_json::to_vec(&plantilla).unwrap();
        let r = enviar(&app.address, method, &path, &[auth], &ok).await;
        r.assert_problema_4xx(&format!("{method} {path} without content-type"));
        assert_eq!(r.status, 415);
        for (que, body) in hostil::cuerpos_malformados(&plantilla) {
            let r = enviar(&app.address, method, &path, &[JSON, auth], &body).await;
            r.assert_problema_4xx(&format!("{method} {path}: {que}"));
        }
    }
    // PATCH denies unknown fields, so nesting there is refused too.
    for (que, body) in hostil::anidado_en_campo_desconocido(&plantilla_cambio()) {
        let path = format!("/api/eventos/{id}");
        let r = enviar(&app.address, "PATCH", &path, &[JSON, ADMIN], &body).await;
        r.assert_problema_4xx(&format!("PATCH: {que}"));
    }
    sin_cambios(app, &antes, "hostile bodies").await;
}

en_ambos_backends!(anidado_en_campo_desconocido_no_es_5xx);
async fn anidado_en_campo_desconocido_no_es_5xx(app: &TestApp) {
    let (id, _) = sembrar(app).await;
    // POST bodies refuse unknown fields at the key, before reading the nested value, so
    // even 10,000 levels are harmless: a 422 naming the field, never a 5xx.
    for (que, body) in hostil::anidado_en_campo_desconocido(&plantilla_evento()) {
        let r = enviar(&app.address, "POST", "/api/eventos", &[JSON, ADMIN], &body).await;
        assert_eq!(r.status, 422, "POST /api/eventos: {que}: {}", r.body);
        assert!(r.body.contains("campo_desconocido"), "{que}: {}", r.body);
    }
    for (que, body) in hostil::anidado_en_campo_desconocido(&plantilla_retencion()) {
        let path = format!("/internal/eventos/{id}/retenciones");
        let r = enviar(&app.address, "POST", &path, &[JSON, SERVICIO], &body).await;
        assert_eq!(r.status, 200, "POST {path}: {que}: {}", r.body);
    }
}

en_ambos_backends!(numeros_fuera_de_rango_y_cantidades_no_positivas);
async fn numeros_fuera_de_rango_y_cantidades_no_positivas(app: &TestApp) {
    let (id, antes) = sembrar(app).await;
    let mut casos: Vec<(String, &str, String, Value, &str)> = Vec::new();
    let evento = plantilla_evento();
    let retencion = plantilla_retencion();
    let seed = json!({"id": "semilla", "nombre": "S", "fecha": rfc3339(en_dias(9)), "lugar": "L",
                      "aforo_total": 10, "entradas_disponibles": 5});
    for n in hostil::numeros_enormes()
        .into_iter()
        .chain(["0", "-1", "-9223372036854775808"])
    {
        for (campo, plantilla, puntero, path, auth) in [
            (
                "precio",
                &evento,
                "/zonas/0/precio",
                "/api/eventos".to_owned(),
                ADMIN,
            ),
            (
                "capacidad",
                &evento,
                "/zonas/0/capacidad",
                "/api/eventos".to_owned(),
                ADMIN,
            ),
            (
                "aforo_total",
                &seed,
                "/aforo_total",
                "/api/eventos".to_owned(),
                ADMIN,
            ),
            (
                "entradas_disponibles",
                &seed,
                "/entradas_disponibles",
                "/api/eventos".to_owned(),
                ADMIN,
            ),
            (
                "cantidad",
                &retencion,
                "/cantidad",
                format!("/internal/eventos/{id}/retenciones"),
                SERVICIO,
            ),
        ] {
            // 0 is a valid price and a valid seed `entradas_disponibles`; 2^32 minor units
            // is a valid (i64) price, under MAX_PRECIO.
            if (n == "0" && ["precio", "entradas_disponibles"].contains(&campo))
                || (n == "4294967296" && campo == "precio")
            {
                continue;
            }
            let mut v = plantilla.clone();
            *v.pointer_mut(puntero).unwrap() = json!("MARCA");
            let texto = v.to_string().replace("\"MARCA\"", n);
            casos.push((format!("{campo} = {n}"), "POST", path, json!(texto), auth.1));
        }
    }
    for (que, method, path, texto, auth) in casos {
        let r = enviar(
            &app.address,
            method,
            &path,
            &[JSON, ("authorization", auth)],
            texto.as_str().unwrap().as_bytes(),
        )
        .await;
        let p = r.assert_problema_4xx(&format!("{method} {path}: {que}"));
        assert!([400, 422].contains(&r.status), "{que}: {p}");
    }
    sin_cambios(app, &antes, "out-of-range numbers").await;
}

en_ambos_backends!(operadores_mongo_en_el_cuerpo_no_son_consultas);
async fn operadores_mongo_en_el_cuerpo_no_son_consultas(app: &TestApp) {
    let (id, antes) = sembrar(app).await;
    for (method, path, auth, plantilla) in rutas(&id) {
        let Some(plantilla) = plantilla else { continue };
        for (que, body) in hostil::con_operadores(&plantilla) {
            let bytes = serde_json::to_vec(&body).unwrap();
            let r = enviar(&app.address, method, &path, &[JSON, auth], &bytes).await;
            let p = r.assert_problema_4xx(&format!("{method} {path}: {que}"));
            assert_eq!(r.status, 422, "{method} {path}: {que}: {p}");
        }
    }
    // Hostile ids in JSON fields: the event's own id and the hold's reserva_id.
    for raro in hostil::ids_hostiles() {
        let mut e = plantilla_evento();
        e["id"] = json!(raro);
        let r = enviar(
            &app.address,
            "POST",
            "/api/eventos",
            &[JSON, ADMIN],
            &serde_json::to_vec(&e).unwrap(),
        )
        .await;
        r.assert_problema_4xx(&format!("POST /api/eventos id={raro:?}"));
        let mut h = plantilla_retencion();
        h["reserva_id"] = json!(raro);
        let path = format!("/internal/eventos/{id}/retenciones");
        let r = enviar(
            &app.address,
            "POST",
            &path,
            &[JSON, SERVICIO],
            &serde_json::to_vec(&h).unwrap(),
        )
        .await;
        r.assert_problema_4xx(&format!("POST {path} reserva_id={raro:?}"));
    }
    sin_cambios(app, &antes, "operator bodies").await;
}

en_ambos_backends!(ids_hostiles_en_rutas);
async fn ids_hostiles_en_rutas(app: &TestApp) {
    let (id, antes) = sembrar(app).await;
    for seg in hostil::segmentos_hostiles() {
        let mut intentos = Vec::new();
        for (method, path, auth, body) in rutas(seg) {
            if path == "/api/eventos" {
                continue;
            }
            intentos.push((method, path, auth, body));
        }
        for (method, path, auth, body) in rutas(&id) {
            // The reservation id segment, for the three routes that take one.
            if path.contains("reserva-1") {
                intentos.push((method, path.replace("reserva-1", seg), auth, body));
            }
        }
        intentos.push(("GET", format!("/api/eventos/{seg}"), ADMIN, None));
        for (method, path, auth, body) in intentos {
            let bytes = body
                .map(|b| serde_json::to_vec(&b).unwrap())
                .unwrap_or_default();
            let r = enviar(&app.address, method, &path, &[JSON, auth], &bytes).await;
            let p = r.assert_problema_4xx(&format!("{method} {path}"));
            // 422 from the id check, or 404 when a decoded `/` no longer matches a route.
            assert!([404, 422].contains(&r.status), "{method} {path}: {p}");
        }
    }
    sin_cambios(app, &antes, "hostile ids").await;
}

en_ambos_backends!(operadores_en_la_query_no_filtran);
async fn operadores_en_la_query_no_filtran(app: &TestApp) {
    sembrar(app).await;
    let mut otro = plantilla_evento();
    otro["id"] = json!("evento-2");
    otro["lugar"] = json!("Arena Lima");
    app.crear_evento_ok(&otro).await;
    let todos = estado(app).await;
    assert_eq!(todos["total"], 2, "{todos}");
    for (q, total) in [
        // Bracketed operators are unknown parameters: ignored, so the answer is the whole
        // list, never "every event whose lugar is not X".
        ("lugar[$ne]=Arena%20Lima&limit=100", 2),
        ("lugar[$regex]=.*&limit=100", 2),
        ("desde[$gt]=&limit=100", 2),
        ("id[$ne]=evento-1&limit=100", 2),
        // An operator as a value is a literal: no event is at a place called "$ne".
        ("lugar=%24ne", 0),
        ("lugar=%7B%22%24ne%22%3Anull%7D", 0),
        ("lugar=%24regex", 0),
    ] {
        let page = listado(app, q).await;
        assert_eq!(page["total"], total, "?{q}: {page}");
    }
    for q in [
        "desde=%24gt",
        "desde=%7B%22%24gt%22%3A%22%22%7D",
        "limit=%24ne",
        "limit=1&limit=2",
        "limit=99999999999999999999",
        "offset=-1",
    ] {
        let r = enviar(&app.address, "GET", &format!("/api/eventos?{q}"), &[], b"").await;
        assert_eq!(r.status, 422, "?{q}: {}", r.body);
        r.assert_problema_4xx(&format!("?{q}"));
    }
}

/// `GET /api/eventos?{q}`, which must answer 200: the page.
async fn listado(app: &TestApp, q: &str) -> Value {
    let r = enviar(&app.address, "GET", &format!("/api/eventos?{q}"), &[], b"").await;
    assert_eq!(r.status, 200, "?{q}: {}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

en_ambos_backends!(rutas_protegidas_rechazan_credenciales_malas);
async fn rutas_protegidas_rechazan_credenciales_malas(app: &TestApp) {
    let (id, antes) = sembrar(app).await;
    for (method, path, auth, body) in rutas(&id) {
        let token = auth.1.trim_start_matches("Bearer ");
        let otro = if auth == ADMIN { SERVICIO } else { ADMIN };
        let bytes = body
            .map(|b| serde_json::to_vec(&b).unwrap())
            .unwrap_or_default();
        let mut malas = hostil::credenciales_malas(token);
        malas.push(("el token del otro ámbito".into(), Some(otro.1.to_owned())));
        for (que, cred) in malas {
            let mut headers = vec![JSON];
            if let Some(c) = cred.as_deref() {
                headers.push(("authorization", c));
            }
            let r = enviar(&app.address, method, &path, &headers, &bytes).await;
            let p = r.assert_problema_4xx(&format!("{method} {path}: {que}"));
            assert_eq!(r.status, 401, "{method} {path}: {que}: {p}");
            // No credential: "sign in"; a wrong one: "not authorised". Both are 401.
            assert!(
                [
                    "urn:eventflow:problem:no-autorizado",
                    "urn:eventflow:problem:sesion-requerida"
                ]
                .contains(&p["type"].as_str().unwrap_or_default()),
                "{p}"
            );
        }
    }
    assert_eq!(
        Servicio::Reservas.token_dev(),
        SERVICIO.1.trim_start_matches("Bearer ")
    );
    sin_cambios(app, &antes, "bad credentials").await;
}
