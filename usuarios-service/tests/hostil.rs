//! Hostile input on every usuarios write route (POST /api/usuarios, PATCH
//! /api/usuarios/{id}, PUT and DELETE /internal/usuarios/{id}/historial/{reserva_id}):
//! each gets a 4xx problem+json, never a 5xx or a panic, and changes nothing. MongoDB
//! operators in bodies, paths and query strings never become query operators; protected
//! routes refuse missing, empty, prefix and wrong credentials. Runs on the embedded store
//! and on MongoDB (`both_backends!`).

mod common;

use common::*;
use eventflow_testkit::hostil::{self, enviar};
use reqwest::StatusCode;
use serde_json::{json, Value};

const JSON: (&str, &str) = ("content-type", "application/json");

/// One registered buyer; returns (the user as stored, a snapshot of the whole list).
async fn sembrar(app: &TestApp) -> (Value, Value) {
    let u = app
        .crear(&nuevo_usuario("ana@example.com", "45678912"))
        .await;
    let id = u["id"].as_str().unwrap();
    let res = app
        .historial(reqwest::Method::PUT, id, "reserva-1", Some(&app.bearer()))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let u = app.usuario(id).await;
    (u, app.pagina("limit=100").await)
}

/// Nothing changed: the same single buyer, with the same history.
async fn sin_cambios(app: &TestApp, antes: &Value, que: &str) {
    let ahora = app.pagina("limit=100").await;
    assert_eq!(&ahora, antes, "{que} changed the stored buyers");
}

fn plantilla_alta() -> Value {
    nuevo_usuario("nuevo@example.com", "87654321")
}

fn plantilla_cambio() -> Value {
    json!({"nombre": "Beatriz", "apellido": "Rojas", "email": "bea@example.com"})
}

both_backends!(cuerpos_hostiles_son_4xx_problem);
async fn cuerpos_hostiles_son_4xx_problem(app: &TestApp) {
    let (u, antes) = sembrar(app).await;
    let id = u["id"].as_str().unwrap();
    // As the admin, so PATCH reaches its body checks (POST ignores the credential).
    let admin = format!("Bearer {}", app.admin_token);
    let auth = ("authorization", admin.as_str());
    let rutas = [
        ("POST", "/api/usuarios".to_owned(), plantilla_alta()),
        ("PATCH", format!("/api/usuarios/{id}"), plantilla_cambio()),
    ];
    for (method, path, plantilla) in &rutas {
        // Over 64 KiB: 413.
        let r = enviar(
            &app.address,
            method,
            path,
            &[JSON, auth],
            &hostil::cuerpo_enorme(plantilla),
        )
        .await;
        r.assert_problema_4xx(&format!("{method} {path} > 64 KiB"));
        assert_eq!(r.status, 413);
        // No content type: 415.
        let ok = serde_json::to_vec(plantilla).unwrap();
        let r = enviar(&app.address, method, path, &[auth], &ok).await;
        r.assert_problema_4xx(&format!("{method} {path} without content-type"));
        assert_eq!(r.status, 415);
        // Nested 10,000 deep (the whole body, a field, an unknown field), invalid UTF-8.
        for (que, body) in hostil::cuerpos_malformados(plantilla) {
            let r = enviar(&app.address, method, path, &[JSON, auth], &body).await;
            r.assert_problema_4xx(&format!("{method} {path}: {que}"));
        }
        // Numbers, arrays and objects where strings go.
        for campo in plantilla.as_object().unwrap().keys() {
            for n in hostil::numeros_enormes() {
                let mut v = plantilla.as_object().unwrap().clone();
                v.insert(campo.clone(), Value::Null);
                let texto = serde_json::to_string(&v).unwrap().replacen(
                    &format!("\"{campo}\":null"),
                    &format!("\"{campo}\":{n}"),
                    1,
                );
                let r = enviar(&app.address, method, path, &[JSON, auth], texto.as_bytes()).await;
                let p = r.assert_problema_4xx(&format!("{method} {path}: {campo}={n}"));
                // 422 for a number where a string goes; 400 for one no f64 holds (1e400).
                assert!([400, 422].contains(&r.status), "{p}");
            }
        }
    }
    sin_cambios(app, &antes, "hostile bodies").await;
}

both_backends!(anidado_en_campo_desconocido_no_es_5xx);
async fn anidado_en_campo_desconocido_no_es_5xx(app: &TestApp) {
    let (u, antes) = sembrar(app).await;
    let id = u["id"].as_str().unwrap();
    // PATCH denies unknown fields: 422, nothing changed.
    for (que, body) in hostil::anidado_en_campo_desconocido(&plantilla_cambio()) {
        let path = format!("/api/usuarios/{id}");
        let r = enviar(&app.address, "PATCH", &path, &[JSON], &body).await;
        r.assert_problema_4xx(&format!("PATCH: {que}"));
    }
    sin_cambios(app, &antes, "PATCH with a nested unknown field").await;
    // POST refuses unknown fields too, at the key, before reading the nested value (no
    // recursion, no stack to blow): a 422 naming it, and nobody registered.
    let total = app.total().await;
    for (que, body) in hostil::anidado_en_campo_desconocido(&plantilla_alta()) {
        let r = enviar(&app.address, "POST", "/api/usuarios", &[JSON], &body).await;
        assert_eq!(r.status, 422, "POST: {que}: {}", r.body);
        let p: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(p["errors"][0]["campo"], "campo_desconocido", "{que}: {p}");
    }
    assert_eq!(app.total().await, total);
}

both_backends!(operadores_mongo_en_el_cuerpo_no_son_consultas);
async fn operadores_mongo_en_el_cuerpo_no_son_consultas(app: &TestApp) {
    let (u, antes) = sembrar(app).await;
    let id = u["id"].as_str().unwrap();
    for (que, body) in hostil::con_operadores(&plantilla_alta()) {
        let res = app.post_json("/api/usuarios", &body).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["type"], "urn:eventflow:problem:validacion", "{que}: {p}");
    }
    for (que, body) in hostil::con_operadores(&plantilla_cambio()) {
        let res = app.patch_json(&format!("/api/usuarios/{id}"), &body).await;
        let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["type"], "urn:eventflow:problem:validacion", "{que}: {p}");
    }
    // An email equal to the stored one but written as an operator must not match it (a
    // `$ne` turned into a query would find "someone else" and answer 409).
    let res = app
        .post_json(
            "/api/usuarios",
            &json!({"tipo_documento": "DNI", "nro_documento": {"$ne": "x"}, "nombre": "E",
                    "apellido": "V", "email": {"$ne": "nadie@example.com"}}),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    sin_cambios(app, &antes, "operator bodies").await;
}

both_backends!(operadores_en_rutas_y_query_no_son_consultas);
async fn operadores_en_rutas_y_query_no_son_consultas(app: &TestApp) {
    let (u, antes) = sembrar(app).await;
    // As the platform admin, who may read any buyer: still, an operator finds no one.
    let admin = format!("Bearer {}", app.admin_token);
    let admin = [("authorization", admin.as_str())];
    // Reads: an operator-looking id is refused or finds nothing; it never returns Ana.
    for seg in hostil::segmentos_hostiles().into_iter().chain([
        "%7B%22%24ne%22%3Anull%7D%40example.com",
        "%24ne%40example.com",
        "ana%40example.com%00",
    ]) {
        let r = enviar(
            &app.address,
            "GET",
            &format!("/api/usuarios/{seg}"),
            &admin,
            b"",
        )
        .await;
        let p = r.assert_problema_4xx(&format!("GET /api/usuarios/{seg}"));
        assert!(
            [404, 422].contains(&r.status),
            "GET /api/usuarios/{seg}: {p}"
        );
    }
    // Query operators are not filters: they are ignored or refused, never obeyed.
    for q in [
        "email[$ne]=x",
        "id[$ne]=x",
        "limit[$gt]=0",
        "offset[$gt]=0",
        "email=%7B%22%24ne%22%3Anull%7D",
        "limit[]=1&limit[]=2",
    ] {
        let r = enviar(
            &app.address,
            "GET",
            &format!("/api/usuarios?{q}&limit=100"),
            &admin,
            b"",
        )
        .await;
        if r.status == 200 {
            let page: Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(page, antes, "?{q} acted as a filter");
        } else {
            r.assert_problema_4xx(&format!("?{q}"));
        }
    }
    for q in [
        "limit=%24ne",
        "limit=1&limit=2",
        "offset=-1",
        "limit=99999999999999999999",
    ] {
        let r = enviar(&app.address, "GET", &format!("/api/usuarios?{q}"), &[], b"").await;
        assert_eq!(r.status, 422, "?{q}: {}", r.body);
        r.assert_problema_4xx(&format!("?{q}"));
    }
    assert_eq!(app.usuario(u["id"].as_str().unwrap()).await, u);
}

both_backends!(ids_hostiles_en_rutas_de_escritura);
async fn ids_hostiles_en_rutas_de_escritura(app: &TestApp) {
    let (u, antes) = sembrar(app).await;
    let id = u["id"].as_str().unwrap();
    let auth = app.bearer();
    let auth = [("authorization", auth.as_str()), JSON];
    let admin = format!("Bearer {}", app.admin_token);
    let admin = [("authorization", admin.as_str()), JSON];
    let cambio = serde_json::to_vec(&plantilla_cambio()).unwrap();
    for seg in hostil::segmentos_hostiles() {
        for (method, path, body) in [
            ("PATCH", format!("/api/usuarios/{seg}"), &cambio[..]),
            (
                "PUT",
                format!("/internal/usuarios/{seg}/historial/reserva-2"),
                b"",
            ),
            (
                "DELETE",
                format!("/internal/usuarios/{seg}/historial/reserva-1"),
                b"",
            ),
            (
                "PUT",
                format!("/internal/usuarios/{id}/historial/{seg}"),
                b"",
            ),
            (
                "DELETE",
                format!("/internal/usuarios/{id}/historial/{seg}"),
                b"",
            ),
        ] {
            // The public PATCH takes the admin's credential, the internal routes the service's.
            let cred = if method == "PATCH" { &admin } else { &auth };
            let r = enviar(&app.address, method, &path, cred, body).await;
            let p = r.assert_problema_4xx(&format!("{method} {path}"));
            // 422 from the id check, or 404 when the decoded `/` no longer matches a route.
            assert!([404, 422].contains(&r.status), "{method} {path}: {p}");
        }
    }
    sin_cambios(app, &antes, "hostile ids").await;
    assert_eq!(
        app.usuario(id).await["historial_compras"],
        json!(["reserva-1"])
    );
}

both_backends!(rutas_internas_rechazan_credenciales_malas);
async fn rutas_internas_rechazan_credenciales_malas(app: &TestApp) {
    let (u, antes) = sembrar(app).await;
    let id = u["id"].as_str().unwrap();
    for (que, auth) in hostil::credenciales_malas(&app.service_token) {
        for method in [reqwest::Method::PUT, reqwest::Method::DELETE] {
            let reserva = if method == reqwest::Method::PUT {
                "reserva-2"
            } else {
                "reserva-1"
            };
            let res = app
                .historial(method.clone(), id, reserva, auth.as_deref())
                .await;
            let p = problem(res, StatusCode::UNAUTHORIZED).await;
            assert_eq!(
                p["type"], "urn:eventflow:problem:no-autorizado",
                "{que}: {p}"
            );
        }
    }
    // The development default is not this instance's token either.
    let res = app
        .historial(
            reqwest::Method::PUT,
            id,
            "reserva-2",
            Some("Bearer eventflow-dev-reservas"),
        )
        .await;
    problem(res, StatusCode::UNAUTHORIZED).await;
    sin_cambios(app, &antes, "bad credentials").await;
}
