//! One-time codes, as a buyer meets them: ask for one, read it from the message
//! notificaciones would send, set a password or confirm a new email with it. Single use,
//! bounded tries even under concurrent guessing, and limited per email.

mod common;

use common::{json_body, nuevo_usuario, problem, spawn_app_with, validation, TestApp};
use eventflow_shared::config::StoreConfig;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CLAVE: &str = "caballo-bateria-grapa";
const NUEVA: &str = "quena-charango-1984";

async fn pedir(app: &TestApp, email: &str) -> reqwest::Response {
    app.post_json("/api/usuarios/codigo", &json!({"email": email}))
        .await
}

async fn fijar(app: &TestApp, email: &str, codigo: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/usuarios/password",
        &json!({"email": email, "codigo": codigo, "password": password}),
    )
    .await
}

/// A wrong code: the 422 names `codigo` and says how many tries are left.
async fn rechazado(res: reqwest::Response) -> u64 {
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["campo"], "codigo", "{p}");
    p["intentos_restantes"].as_u64().unwrap()
}

/// Any code but `codigo`.
fn otro(codigo: &str) -> String {
    format!("{:06}", (codigo.parse::<u32>().unwrap() + 1) % 1_000_000)
}

both_backends!(primera_password_con_codigo);
async fn primera_password_con_codigo(app: &TestApp) {
    // The seed's body: a guest buyer, with no password to sign in with.
    let u = app
        .crear(&nuevo_usuario("invitada@example.com", "20000001"))
        .await;
    assert_eq!(u["tiene_password"], false);
    let entrar = |p: &'static str| async move {
        app.post_json(
            "/api/sesiones",
            &json!({"email": "invitada@example.com", "password": p}),
        )
        .await
    };
    assert_eq!(entrar(NUEVA).await.status(), StatusCode::UNAUTHORIZED);

    // Asking: the same 202 whether or not the email has an account; only the real one
    // gets a message.
    let r = json_body(
        pedir(app, "invitada@example.com").await,
        StatusCode::ACCEPTED,
    )
    .await;
    let nadie = json_body(pedir(app, "nadie@example.com").await, StatusCode::ACCEPTED).await;
    assert_eq!(r, nadie);
    assert_eq!(r["vigencia_minutos"], 10);
    let codigo = app.buzon.codigo("invitada@example.com", 1).await;
    let m = &app.buzon.codigos("invitada@example.com")[0];
    assert_eq!(
        (m["usuarioId"].clone(), m["proposito"].clone()),
        (u["id"].clone(), json!("password"))
    );
    assert!(app.buzon.codigos("nadie@example.com").is_empty());

    // A weak password is refused before the code is spent; a wrong code takes a try.
    let r = fijar(app, "invitada@example.com", &codigo, "corta").await;
    assert_eq!(validation(r).await, ["password"]);
    let r = fijar(app, "invitada@example.com", &otro(&codigo), NUEVA).await;
    assert_eq!(rechazado(r).await, 4);
    let r = fijar(app, "invitada@example.com", "12a456", NUEVA).await;
    assert_eq!(validation(r).await, ["codigo"]);
    // Someone else's email with this code: nothing.
    let r = fijar(app, "nadie@example.com", &codigo, NUEVA).await;
    assert_eq!(rechazado(r).await, 0);

    let r = fijar(app, "invitada@example.com", &codigo, NUEVA).await;
    let ok = json_body(r, StatusCode::OK).await;
    assert!(
        ok["mensaje"]
            .as_str()
            .unwrap()
            .contains("Contraseña guardada"),
        "{ok}"
    );
    assert_eq!(entrar(NUEVA).await.status(), StatusCode::CREATED);
    assert_eq!(
        app.usuario(u["id"].as_str().unwrap()).await["tiene_password"],
        true
    );
    // Single use.
    let r = fijar(app, "invitada@example.com", &codigo, "otra-clave-larga-77").await;
    assert_eq!(rechazado(r).await, 0);
    assert_eq!(entrar(NUEVA).await.status(), StatusCode::CREATED);
}

both_backends!(reinicio_cierra_las_sesiones);
async fn reinicio_cierra_las_sesiones(app: &TestApp) {
    let (_, token) = app.cuenta("ana@example.com", "10000001", CLAVE).await;
    let yo = || {
        app.como(Method::GET, "/api/sesiones/actual", Some(&token))
            .send()
    };
    assert_eq!(yo().await.unwrap().status(), StatusCode::OK);
    // A second code replaces the first.
    json_body(pedir(app, "ana@example.com").await, StatusCode::ACCEPTED).await;
    json_body(pedir(app, "ana@example.com").await, StatusCode::ACCEPTED).await;
    let viejo = app.buzon.codigo("ana@example.com", 1).await;
    let nuevo = app.buzon.codigo("ana@example.com", 2).await;
    if viejo != nuevo {
        let r = fijar(app, "ana@example.com", &viejo, NUEVA).await;
        assert_eq!(rechazado(r).await, 4);
    }
    let r = fijar(app, "ana@example.com", &nuevo, NUEVA).await;
    json_body(r, StatusCode::OK).await;
    // Every session of the account ends with the reset; the old password is gone.
    assert_eq!(yo().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let r = app
        .post_json(
            "/api/sesiones",
            &json!({"email": "ana@example.com", "password": CLAVE}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.iniciar("ana@example.com", NUEVA, None).await;
}

both_backends!(cambiar_password_o_email_cierra_las_otras_sesiones);
/// A new password or a new email ends every other session of the account at once on
/// usuarios; the session that made the change stays. Without a session of the account
/// (a reset by code alone, the admin), every session ends.
async fn cambiar_password_o_email_cierra_las_otras_sesiones(app: &TestApp) {
    let (u, t1) = app.cuenta("ana@example.com", "10000001", CLAVE).await;
    let id = u["id"].as_str().unwrap().to_owned();
    let t2 = app.iniciar("ana@example.com", CLAVE, None).await;
    let (_, t_beto) = app.cuenta("beto@example.com", "10000002", CLAVE).await;
    let yo = |t: &str| {
        let req = app.como(Method::GET, "/api/sesiones/actual", Some(t));
        async move { req.send().await.unwrap().status() }
    };
    // What the other services ask (and then cache for EVENTFLOW_SESION_CACHE_MS).
    let verificada = |t: &str| {
        let req = app
            .client
            .post(app.url("/internal/sesiones/verificar"))
            .bearer_auth(&app.service_token)
            .json(&json!({"token_hash": eventflow_shared::identidad::hash_hex(t)}));
        async move { req.send().await.unwrap().status() }
    };

    // The password, with a code, from session 1.
    json_body(pedir(app, "ana@example.com").await, StatusCode::ACCEPTED).await;
    let codigo = app.buzon.codigo("ana@example.com", 1).await;
    let r = app
        .como(Method::POST, "/api/usuarios/password", Some(&t1))
        .json(&json!({"email": "ana@example.com", "codigo": codigo, "password": NUEVA}))
        .send()
        .await
        .unwrap();
    let m = json_body(r, StatusCode::OK).await;
    assert!(
        m["mensaje"]
            .as_str()
            .unwrap()
            .contains("esta sigue abierta"),
        "{m}"
    );
    assert_eq!(yo(&t1).await, StatusCode::OK);
    assert_eq!(yo(&t2).await, StatusCode::UNAUTHORIZED);
    assert_eq!(verificada(&t2).await, StatusCode::NOT_FOUND);
    assert_eq!(
        yo(&t_beto).await,
        StatusCode::OK,
        "another account's session stays"
    );

    // The email, from session 1, with the (new) current password.
    let t3 = app.iniciar("ana@example.com", NUEVA, None).await;
    let r = app
        .como(Method::PATCH, &format!("/api/usuarios/{id}"), Some(&t1))
        .json(&json!({"email": "ana.nueva@example.com", "password_actual": NUEVA}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        json_body(r, StatusCode::OK).await["email"],
        "ana.nueva@example.com"
    );
    assert_eq!(yo(&t1).await, StatusCode::OK);
    assert_eq!(yo(&t3).await, StatusCode::UNAUTHORIZED);
    assert_eq!(verificada(&t3).await, StatusCode::NOT_FOUND);

    // A name change ends nothing.
    let t4 = app.iniciar("ana.nueva@example.com", NUEVA, None).await;
    let r = app
        .como(Method::PATCH, &format!("/api/usuarios/{id}"), Some(&t1))
        .json(&json!({"nombre": "Ana María"}))
        .send()
        .await
        .unwrap();
    json_body(r, StatusCode::OK).await;
    assert_eq!(
        (yo(&t1).await, yo(&t4).await),
        (StatusCode::OK, StatusCode::OK)
    );

    // The admin changing the email is no session of hers: every session ends.
    let r = app
        .patch_json(
            &format!("/api/usuarios/{id}"),
            &json!({"email": "ana.otra@example.com"}),
        )
        .await;
    json_body(r, StatusCode::OK).await;
    assert_eq!(
        (yo(&t1).await, yo(&t4).await, yo(&t_beto).await),
        (
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
            StatusCode::OK
        )
    );
}

both_backends!(intentos_acotados_bajo_concurrencia, multi_thread);
/// 40 guessers at once against one code: exactly 5 tries are answered (4, 3, 2, 1, 0
/// left, each once), the rest find no code, and the right code is then spent too. Then
/// 20 right answers at once to a fresh code: exactly one sets the password.
async fn intentos_acotados_bajo_concurrencia(app: &TestApp) {
    app.crear(&nuevo_usuario("blanco@example.com", "20000002"))
        .await;
    json_body(pedir(app, "blanco@example.com").await, StatusCode::ACCEPTED).await;
    let codigo = app.buzon.codigo("blanco@example.com", 1).await;
    let malos: Vec<String> = (1..=40)
        .map(|i| format!("{:06}", (codigo.parse::<u32>().unwrap() + i) % 1_000_000))
        .collect();
    let restantes =
        join_all(malos.iter().map(|c| async move {
            rechazado(fijar(app, "blanco@example.com", c, NUEVA).await).await
        }))
        .await;
    let mut contados = [0usize; 5];
    for r in &restantes {
        contados[*r as usize] += 1;
    }
    // 4..1 once each; 0 once from the last real try plus 35 with no code left.
    assert_eq!(contados, [36, 1, 1, 1, 1], "{restantes:?}");
    let r = fijar(app, "blanco@example.com", &codigo, NUEVA).await;
    assert_eq!(
        rechazado(r).await,
        0,
        "out of tries: even the right code is spent"
    );

    json_body(pedir(app, "blanco@example.com").await, StatusCode::ACCEPTED).await;
    let codigo = app.buzon.codigo("blanco@example.com", 2).await;
    let claves: Vec<String> = (0..20)
        .map(|i| format!("clave-numero-{i:02}-xyz"))
        .collect();
    let res = join_all(claves.iter().map(|p| {
        let codigo = codigo.clone();
        async move { fijar(app, "blanco@example.com", &codigo, p).await.status() }
    }))
    .await;
    let ganadoras: Vec<&String> = claves
        .iter()
        .zip(&res)
        .filter(|(_, s)| **s == StatusCode::OK)
        .map(|(p, _)| p)
        .collect();
    assert_eq!(ganadoras.len(), 1, "{res:?}");
    assert!(res
        .iter()
        .all(|s| *s == StatusCode::OK || *s == StatusCode::UNPROCESSABLE_ENTITY));
    // The password that won is the one that works.
    app.iniciar("blanco@example.com", ganadoras[0], None).await;
}

both_backends!(email_nuevo_confirmado_con_codigo);
async fn email_nuevo_confirmado_con_codigo(app: &TestApp) {
    let (u, token) = app.cuenta("ana@example.com", "10000001", CLAVE).await;
    app.cuenta("beto@example.com", "10000002", CLAVE).await;
    let path = format!("/api/usuarios/{}", u["id"].as_str().unwrap());
    let pedir_email = |email: &'static str, t: Option<&str>| {
        app.como(Method::POST, "/api/usuarios/codigo", t)
            .json(&json!({"email": email, "proposito": "email"}))
            .send()
    };
    // A session is needed, the address must be free and new.
    let r = pedir_email("ana.nueva@example.com", None).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = pedir_email("beto@example.com", Some(&token)).await.unwrap();
    assert_eq!(problem(r, StatusCode::CONFLICT).await["campo"], "email");
    let r = pedir_email("ana@example.com", Some(&token)).await.unwrap();
    assert_eq!(validation(r).await, ["email"]);
    assert!(app.buzon.codigos("beto@example.com").is_empty());

    let r = pedir_email("ana.nueva@example.com", Some(&token))
        .await
        .unwrap();
    json_body(r, StatusCode::ACCEPTED).await;
    // Sent to the new address, for Ana.
    let codigo = app.buzon.codigo("ana.nueva@example.com", 1).await;
    let m = &app.buzon.codigos("ana.nueva@example.com")[0];
    assert_eq!(
        (m["usuarioId"].clone(), m["proposito"].clone()),
        (u["id"].clone(), json!("email"))
    );
    let patch = |b: Value| app.como(Method::PATCH, &path, Some(&token)).json(&b).send();
    // The code confirms only the address it was sent to: elsewhere it is a wrong try.
    let r = patch(json!({"email": "ana.otra@example.com", "codigo": codigo}))
        .await
        .unwrap();
    assert_eq!(rechazado(r).await, 4);
    let r = patch(json!({"email": "ana.nueva@example.com", "codigo": otro(&codigo)}))
        .await
        .unwrap();
    assert_eq!(rechazado(r).await, 3);
    // Without a code, the current password is still the other way.
    let r = patch(json!({"email": "ana.nueva@example.com"}))
        .await
        .unwrap();
    assert_eq!(validation(r).await, ["password_actual"]);
    let r = patch(json!({"email": "ana.nueva@example.com", "codigo": codigo}))
        .await
        .unwrap();
    assert_eq!(
        json_body(r, StatusCode::OK).await["email"],
        "ana.nueva@example.com"
    );
    app.iniciar("ana.nueva@example.com", CLAVE, None).await;
}

#[tokio::test]
async fn codigos_limitados_por_email() {
    let app = spawn_app_with(StoreConfig::Embedded, |c| {
        c.limites.codigos_por_email = 3;
    })
    .await;
    app.crear(&nuevo_usuario("ana@example.com", "10000001"))
        .await;
    for _ in 0..3 {
        json_body(pedir(&app, "ana@example.com").await, StatusCode::ACCEPTED).await;
    }
    let r = pedir(&app, "ana@example.com").await;
    let retry = r.headers()["retry-after"].to_str().unwrap().to_owned();
    let p = problem(r, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(p["type"], "urn:eventflow:problem:demasiados-intentos");
    assert!(retry.parse::<u64>().unwrap() >= 1, "{retry}");
    // Another email is not held back; only 3 codes went out to Ana.
    json_body(pedir(&app, "beto@example.com").await, StatusCode::ACCEPTED).await;
    app.buzon.codigo("ana@example.com", 3).await;
    assert_eq!(app.buzon.codigos("ana@example.com").len(), 3);
}
