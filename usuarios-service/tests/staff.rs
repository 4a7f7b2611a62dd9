//! Door staff accounts: an organizer creates, lists and removes its own; staff sign in
//! with `rol: staff` and their verified session names their organizer; a removed staff
//! member's sessions stop verifying at once. On both backends.

mod common;

use common::{json_body, problem, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CLAVE: &str = "quena-charango-1984";

/// `POST /api/staff` as `token`.
async fn crear(app: &TestApp, token: &str, cuerpo: Value) -> reqwest::Response {
    app.como(Method::POST, "/api/staff", Some(token))
        .json(&cuerpo)
        .send()
        .await
        .unwrap()
}

both_backends!(personal_de_puerta);
async fn personal_de_puerta(app: &TestApp) {
    let (org, t_org) = app.organizador("org@example.com", CLAVE).await;
    let (_, t_otro) = app.organizador("otro@example.com", CLAVE).await;
    let r = crear(
        app,
        &t_org,
        json!({"email": "Puerta@Example.com", "nombre": "Rosa Mamani", "password": CLAVE}),
    )
    .await;
    let s = json_body(r, StatusCode::CREATED).await;
    assert_eq!(
        (&s["email"], &s["nombre"], &s["rol"], &s["organizador_id"]),
        (
            &json!("puerta@example.com"),
            &json!("Rosa Mamani"),
            &json!("staff"),
            &org["id"]
        ),
        "{s}"
    );
    assert!(s.get("password_hash").is_none() && s.get("password").is_none());
    // The same email again, by anyone: 409. Bad fields: 422, in Spanish.
    let r = crear(
        app,
        &t_otro,
        json!({"email": "puerta@example.com", "nombre": "Otra", "password": CLAVE}),
    )
    .await;
    let p = problem(r, StatusCode::CONFLICT).await;
    assert_eq!(p["type"], "urn:eventflow:problem:staff-duplicado", "{p}");
    let r = crear(
        app,
        &t_org,
        json!({"email": "no-es-email", "nombre": " ", "password": "corta"}),
    )
    .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let campos: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["campo"].as_str().unwrap())
        .collect();
    assert_eq!(campos, ["nombre", "email", "password"], "{p}");

    // Staff sign in like everyone, with rol staff; the session names its organizer.
    let t_staff = app
        .iniciar("puerta@example.com", CLAVE, Some("staff"))
        .await;
    let actual = json_body(
        app.como(Method::GET, "/api/sesiones/actual", Some(&t_staff))
            .send()
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(actual["rol"], "staff", "{actual}");
    assert_eq!(actual["usuario"]["organizador_id"], org["id"], "{actual}");
    let verificar = |t: String| async move {
        app.client
            .post(app.url("/internal/sesiones/verificar"))
            .bearer_auth(&app.service_token)
            .json(&json!({"token_hash": eventflow_shared::identidad::hash_hex(&t)}))
            .send()
            .await
            .unwrap()
    };
    let v = json_body(verificar(t_staff.clone()).await, StatusCode::OK).await;
    assert_eq!(
        (&v["rol"], &v["organizador_id"]),
        (&json!("staff"), &org["id"]),
        "{v}"
    );
    // The organizer's password does not open the staff account, nor the reverse.
    let r = app
        .client
        .post(app.url("/api/sesiones"))
        .json(&json!({"email": "org@example.com", "password": CLAVE, "rol": "staff"}))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;

    // Each organizer lists only its own.
    let lista = |t: String| async move {
        json_body(
            app.como(Method::GET, "/api/staff", Some(&t))
                .send()
                .await
                .unwrap(),
            StatusCode::OK,
        )
        .await
    };
    assert_eq!(lista(t_org.clone()).await["items"], json!([s]));
    assert_eq!(lista(t_otro.clone()).await["items"], json!([]));

    // Another organizer cannot remove it; its own can, and its sessions end.
    let borrar = |t: String| {
        let id = s["id"].as_str().unwrap().to_owned();
        async move {
            app.como(Method::DELETE, &format!("/api/staff/{id}"), Some(&t))
                .send()
                .await
                .unwrap()
        }
    };
    problem(borrar(t_otro.clone()).await, StatusCode::NOT_FOUND).await;
    problem(borrar(t_staff.clone()).await, StatusCode::FORBIDDEN).await;
    assert_eq!(borrar(t_org.clone()).await.status(), StatusCode::NO_CONTENT);
    problem(borrar(t_org.clone()).await, StatusCode::NOT_FOUND).await;
    problem(verificar(t_staff.clone()).await, StatusCode::NOT_FOUND).await;
    let r = app
        .como(Method::GET, "/api/sesiones/actual", Some(&t_staff))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;
    assert_eq!(lista(t_org).await["items"], json!([]));
}
