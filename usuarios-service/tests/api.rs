//! HTTP tests of usuarios-service: the real router on an ephemeral port, driven with
//! reqwest the way a client would, against the embedded store and against MongoDB.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{json_body, nuevo_usuario, problem, validation, TestApp};
use reqwest::header::{CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// 1. Registration and lookup
// ---------------------------------------------------------------------------------------

both_backends!(registra_y_consulta_por_id_y_por_email);
async fn registra_y_consulta_por_id_y_por_email(app: &TestApp) {
    let antes = chrono::Utc::now() - chrono::Duration::seconds(5);
    let res = app
        .post_json(
            "/api/usuarios",
            &json!({
                "tipo_documento": "DNI", "nro_documento": "45678912",
                "nombre": "Ana", "apellido": "Quispe", "email": "Ana.Quispe@Example.COM",
            }),
        )
        .await;
    let location = res
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let creado = json_body(res, StatusCode::CREATED).await;

    let id = creado["id"].as_str().expect("id is a string");
    let uuid = Uuid::parse_str(id).expect("id is a UUID");
    assert_eq!(
        location.as_deref(),
        Some(format!("/api/usuarios/{uuid}").as_str())
    );
    assert_eq!(creado["tipo_documento"], "DNI");
    assert_eq!(creado["nro_documento"], "45678912");
    assert_eq!(creado["nombre"], "Ana");
    assert_eq!(creado["apellido"], "Quispe");
    assert_eq!(creado["email"], "ana.quispe@example.com");
    assert_eq!(creado["historial_compras"], json!([]));
    let creado_en = creado["creado_en"].as_str().expect("creado_en is a string");
    let creado_en = chrono::DateTime::parse_from_rfc3339(creado_en)
        .unwrap_or_else(|e| panic!("creado_en {creado_en:?} is not RFC 3339: {e}"));
    assert!(
        creado_en >= antes && creado_en <= chrono::Utc::now() + chrono::Duration::seconds(5),
        "creado_en {creado_en} is not the registration time"
    );
    let campos = eventflow_testkit::respuestas::claves(&creado);
    assert_eq!(
        campos,
        std::collections::BTreeSet::from([
            "id",
            "tipo_documento",
            "nro_documento",
            "nombre",
            "apellido",
            "email",
            "historial_compras",
            "creado_en",
            "tiene_password"
        ])
    );
    assert_eq!(
        creado["tiene_password"], false,
        "the seed's body registers a guest"
    );

    // The Location, the id and the email in any case all find the same user.
    assert_eq!(app.usuario(id).await, creado);
    assert_eq!(app.usuario(&id.to_uppercase()).await, creado);
    assert_eq!(app.usuario("ana.quispe@example.com").await, creado);
    assert_eq!(app.usuario("ANA.QUISPE@EXAMPLE.COM").await, creado);
    assert_eq!(app.usuario("Ana.Quispe@example.Com").await, creado);
    let via_location = json_body(
        app.get_json(location.as_deref().unwrap()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(via_location, creado);

    // And it is in the list.
    let pagina = app.pagina("").await;
    assert_eq!(pagina["total"], 1);
    assert_eq!(pagina["items"], json!([creado]));
}

both_backends!(normaliza_la_entrada);
async fn normaliza_la_entrada(app: &TestApp) {
    let creado = app
        .crear(&json!({
            "tipo_documento": " pasaporte ", "nro_documento": " ab-12345 ",
            "nombre": "  María José ", "apellido": " Huamán\t", "email": "  MJ@Example.PE ",
        }))
        .await;
    assert_eq!(creado["tipo_documento"], "PASAPORTE");
    assert_eq!(creado["nro_documento"], "AB-12345");
    assert_eq!(creado["nombre"], "María José");
    assert_eq!(creado["apellido"], "Huamán");
    assert_eq!(creado["email"], "mj@example.pe");
    assert_eq!(app.usuario(creado["id"].as_str().unwrap()).await, creado);
}

both_backends!(ignora_id_e_historial_enviados_al_registrar);
async fn ignora_id_e_historial_enviados_al_registrar(app: &TestApp) {
    // The server picks the id and the registration time: a body naming them is refused,
    // by field.
    let elegido = Uuid::new_v4().to_string();
    for (campo, valor) in [
        ("id", json!(elegido)),
        ("creado_en", json!("2000-01-01T00:00:00Z")),
    ] {
        let mut body = nuevo_usuario("colado@example.com", "77777777");
        body[campo] = valor;
        let p = problem(
            app.post_json("/api/usuarios", &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(p["errors"][0]["campo"], campo, "{p}");
    }
    // The seed's `historial_compras` is accepted and ignored: the history is purchases.
    let mut body = nuevo_usuario("colado@example.com", "77777777");
    body["historial_compras"] = json!(["reserva-regalada"]);
    let creado = app.crear(&body).await;
    assert_eq!(creado["historial_compras"], json!([]));
    let leido = app.usuario(creado["id"].as_str().unwrap()).await;
    assert_eq!(leido, creado);
    problem(
        app.get_json(&format!("/api/usuarios/{elegido}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// 2. Unique rules
// ---------------------------------------------------------------------------------------

both_backends!(rechaza_email_duplicado_con_409);
async fn rechaza_email_duplicado_con_409(app: &TestApp) {
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    // Same address in another case, different document.
    let body = problem(
        app.post_json(
            "/api/usuarios",
            &nuevo_usuario("ANA@Example.com", "22222222"),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(body["campo"], "email", "{body}");
    assert_eq!(body["type"], "urn:eventflow:problem:usuario-duplicado");
    // Nothing was stored, and the original is intact.
    assert_eq!(app.total().await, 1);
    assert_eq!(app.usuario("ana@example.com").await, ana);
}

both_backends!(rechaza_documento_duplicado_con_409);
async fn rechaza_documento_duplicado_con_409(app: &TestApp) {
    app.crear(&nuevo_usuario("ana@example.com", "AB-1234"))
        .await;
    // Same type and number (normalised), different email.
    let mut otra = nuevo_usuario("otra@example.com", "ab-1234");
    otra["tipo_documento"] = json!("dni");
    let body = problem(
        app.post_json("/api/usuarios", &otra).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(body["campo"], "documento", "{body}");
    assert_eq!(app.total().await, 1);
    problem(
        app.get_json("/api/usuarios/otra@example.com").await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The same number under another document type is a different document.
    otra["tipo_documento"] = json!("CE");
    let ce = app.crear(&otra).await;
    assert_eq!(ce["tipo_documento"], "CE");
    assert_eq!(app.total().await, 2);
}

// ---------------------------------------------------------------------------------------
// 3. Field validation
// ---------------------------------------------------------------------------------------

both_backends!(valida_todos_los_campos_a_la_vez);
async fn valida_todos_los_campos_a_la_vez(app: &TestApp) {
    let res = app
        .post_json(
            "/api/usuarios",
            &json!({
                "tipo_documento": "LIBRETA", "nro_documento": "1",
                "nombre": "   ", "apellido": "", "email": "ana.example.com",
            }),
        )
        .await;
    let campos = validation(res).await;
    assert_eq!(
        campos,
        [
            "tipo_documento",
            "nro_documento",
            "nombre",
            "apellido",
            "email"
        ]
    );

    // Each rule on its own, with everything else valid.
    for (campo, valor) in [
        ("email", json!("ana@")),
        ("email", json!("ana@example")),
        ("email", json!("a na@example.com")),
        ("email", json!("")),
        ("nombre", json!("")),
        ("nombre", json!("x".repeat(101))),
        ("nombre", json!("Ana\u{0}")),
        ("apellido", json!("Quispe\nDROP")),
        ("apellido", json!("  ")),
        ("tipo_documento", json!("")),
        ("tipo_documento", json!("LICENCIA")),
        ("nro_documento", json!("12/45678")),
        ("nro_documento", json!("1".repeat(21))),
    ] {
        let mut body = nuevo_usuario("valida@example.com", "99999999");
        body[campo] = valor.clone();
        let campos = validation(app.post_json("/api/usuarios", &body).await).await;
        assert_eq!(campos, [campo], "{campo} = {valor}");
    }
    assert_eq!(app.total().await, 0, "an invalid request stored a user");
}

// ---------------------------------------------------------------------------------------
// 4. Malformed input is a 4xx problem, never a 5xx
// ---------------------------------------------------------------------------------------

both_backends!(json_mal_formado_es_400);
async fn json_mal_formado_es_400(app: &TestApp) {
    for raw in [
        r#"{"tipo_documento": "DNI", "nro_documento": "#,
        r#"{"email": "a@b.com",}"#,
        "not json at all",
        "",
    ] {
        let body = problem(
            app.post_raw("/api/usuarios", raw, Some("application/json"))
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert_eq!(
            body["type"], "urn:eventflow:problem:solicitud-invalida",
            "{raw:?}"
        );
    }
    assert_eq!(app.total().await, 0);
}

both_backends!(tipos_incorrectos_son_422_nombrando_el_campo);
async fn tipos_incorrectos_son_422_nombrando_el_campo(app: &TestApp) {
    for (campo, valor) in [
        ("nombre", json!(42)),
        ("apellido", json!(true)),
        ("nro_documento", json!(["1234"])),
        ("tipo_documento", json!(null)),
        // Operator injection: an object where a string belongs never reaches a query.
        ("email", json!({"$ne": null})),
        ("email", json!({"$regex": ".*"})),
        // Beyond i64 (and u64) in a string field.
        ("nro_documento", json!(u64::MAX)),
    ] {
        let mut body = nuevo_usuario("tipos@example.com", "12345678");
        body[campo] = valor.clone();
        let campos = validation(app.post_json("/api/usuarios", &body).await).await;
        assert_eq!(campos, [campo], "{campo} = {valor}");
    }
    // A literal that does not fit any integer type.
    let raw = r#"{"tipo_documento": "DNI", "nro_documento": 123456789012345678901234567890,
                  "nombre": "Ana", "apellido": "Quispe", "email": "big@example.com"}"#;
    let campos = validation(
        app.post_raw("/api/usuarios", raw, Some("application/json"))
            .await,
    )
    .await;
    assert_eq!(campos, ["nro_documento"]);
    // Not an object at all.
    for raw in ["[]", "null", "\"ana@example.com\"", "12"] {
        let res = app
            .post_raw("/api/usuarios", raw, Some("application/json"))
            .await;
        validation(res).await;
    }
    assert_eq!(app.total().await, 0);
    // The injection did not match anybody either.
    problem(
        app.get_json("/api/usuarios/tipos@example.com").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

both_backends!(campo_faltante_es_422_nombrandolo);
async fn campo_faltante_es_422_nombrandolo(app: &TestApp) {
    for campo in [
        "tipo_documento",
        "nro_documento",
        "nombre",
        "apellido",
        "email",
    ] {
        let mut body = nuevo_usuario("falta@example.com", "12345678");
        body.as_object_mut().unwrap().remove(campo);
        let campos = validation(app.post_json("/api/usuarios", &body).await).await;
        assert_eq!(campos, [campo]);
    }
    assert_eq!(app.total().await, 0);
}

both_backends!(content_type_incorrecto_es_415);
async fn content_type_incorrecto_es_415(app: &TestApp) {
    let json = nuevo_usuario("ct@example.com", "12345678").to_string();
    for ct in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let body = problem(
            app.post_raw("/api/usuarios", json.clone(), ct).await,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
        assert_eq!(
            body["type"], "urn:eventflow:problem:tipo-de-contenido",
            "{ct:?}"
        );
    }
    assert_eq!(app.total().await, 0);
    // With the right content type the same body is accepted.
    let res = app
        .post_raw(
            "/api/usuarios",
            json,
            Some("application/json; charset=utf-8"),
        )
        .await;
    json_body(res, StatusCode::CREATED).await;
}

both_backends!(cuerpo_de_mas_de_64_kib_es_413);
async fn cuerpo_de_mas_de_64_kib_es_413(app: &TestApp) {
    let mut body = nuevo_usuario("grande@example.com", "12345678");
    body["nombre"] = json!("a".repeat(64 * 1024));
    let raw = body.to_string();
    assert!(raw.len() > 64 * 1024);
    let res = app
        .post_raw("/api/usuarios", raw, Some("application/json"))
        .await;
    let body = problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(
        body["type"],
        "urn:eventflow:problem:cuerpo-demasiado-grande"
    );
    assert_eq!(app.total().await, 0);
    // The same on PATCH.
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    let id = ana["id"].as_str().unwrap();
    let res = app
        .patch_json(
            &format!("/api/usuarios/{id}"),
            &json!({ "nombre": "a".repeat(70_000) }),
        )
        .await;
    problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
    assert_eq!(app.usuario(id).await, ana);
}

// ---------------------------------------------------------------------------------------
// 5. Lookups that find nothing, unknown routes, wrong methods
// ---------------------------------------------------------------------------------------

both_backends!(lo_que_no_existe_es_404_y_lo_invalido_422);
async fn lo_que_no_existe_es_404_y_lo_invalido_422(app: &TestApp) {
    app.crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;

    let body = problem(
        app.get_json(&format!("/api/usuarios/{}", Uuid::new_v4()))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["type"], "urn:eventflow:problem:no-encontrado");
    problem(
        app.get_json("/api/usuarios/nadie@example.com").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for raw in ["not-a-uuid", "12345", "ana@example", "%24ne"] {
        let campos = validation(app.get_json(&format!("/api/usuarios/{raw}")).await).await;
        assert_eq!(campos, ["id"], "{raw}");
    }

    for path in ["/api/nada", "/api/usuarios/x/y", "/", "/internal/usuarios"] {
        let body = problem(app.get_json(path).await, StatusCode::NOT_FOUND).await;
        assert_eq!(
            body["type"], "urn:eventflow:problem:no-encontrado",
            "{path}"
        );
    }

    let id = Uuid::new_v4();
    for (method, path) in [
        (Method::DELETE, "/api/usuarios".to_owned()),
        (Method::PUT, "/api/usuarios".to_owned()),
        (Method::DELETE, format!("/api/usuarios/{id}")),
        (Method::POST, format!("/api/usuarios/{id}")),
        (Method::GET, format!("/internal/usuarios/{id}/historial/r1")),
        (Method::POST, "/health".to_owned()),
    ] {
        let res = app
            .client
            .request(method.clone(), app.url(&path))
            .send()
            .await
            .unwrap();
        let body = problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
        assert_eq!(
            body["type"], "urn:eventflow:problem:metodo-no-permitido",
            "{method} {path}"
        );
    }
    // The wrong method changed nothing.
    assert_eq!(app.total().await, 1);
}

// ---------------------------------------------------------------------------------------
// 6. Pagination
// ---------------------------------------------------------------------------------------

both_backends!(pagina_en_orden_de_registro_sin_solaparse);
async fn pagina_en_orden_de_registro_sin_solaparse(app: &TestApp) {
    let mut ids = Vec::new();
    for i in 0..7 {
        // The list orders by registration time (milliseconds), then id.
        tokio::time::sleep(Duration::from_millis(3)).await;
        let u = app
            .crear(&nuevo_usuario(
                &format!("u{i}@example.com"),
                &format!("3000000{i}"),
            ))
            .await;
        ids.push(u["id"].as_str().unwrap().to_owned());
    }

    let mut listados = Vec::new();
    for (offset, esperados) in [(0, 3), (3, 3), (6, 1)] {
        let p = app.pagina(&format!("limit=3&offset={offset}")).await;
        assert_eq!(p["total"], 7);
        assert_eq!(p["limit"], 3);
        assert_eq!(p["offset"], offset);
        let items = p["items"].as_array().unwrap();
        assert_eq!(items.len(), esperados, "offset {offset}: {p}");
        listados.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
    }
    assert_eq!(listados, ids, "pages overlap or are out of order");

    // Past the end: empty page, same total.
    let p = app.pagina("limit=3&offset=7").await;
    assert_eq!(p["items"], json!([]));
    assert_eq!(p["total"], 7);
    // Defaults: limit 20, offset 0.
    let p = app.pagina("").await;
    assert_eq!(
        (p["limit"].clone(), p["offset"].clone()),
        (json!(20), json!(0))
    );
    let todos: Vec<&str> = p["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert_eq!(todos, ids);
    // The bounds are inclusive.
    assert_eq!(
        app.pagina("limit=1").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.pagina("limit=100").await["items"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    for (query, campo) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("limit=", "limit"),
        ("offset=-1", "offset"),
        ("offset=uno", "offset"),
    ] {
        let campos = validation(app.get_json(&format!("/api/usuarios?{query}")).await).await;
        assert_eq!(campos, [campo], "{query}");
    }
}

// ---------------------------------------------------------------------------------------
// 7. PATCH
// ---------------------------------------------------------------------------------------

both_backends!(patch_cambia_nombre_apellido_y_email);
async fn patch_cambia_nombre_apellido_y_email(app: &TestApp) {
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    let id = ana["id"].as_str().unwrap();
    let path = format!("/api/usuarios/{id}");

    let res = app
        .patch_json(
            &path,
            &json!({"nombre": " Ana María ", "apellido": "Quispe Mamani", "email": "Ana.Maria@Example.com"}),
        )
        .await;
    let cambiado = json_body(res, StatusCode::OK).await;
    let mut esperado = ana.clone();
    esperado["nombre"] = json!("Ana María");
    esperado["apellido"] = json!("Quispe Mamani");
    esperado["email"] = json!("ana.maria@example.com");
    assert_eq!(cambiado, esperado);
    assert_eq!(app.usuario(id).await, esperado);
    assert_eq!(app.usuario("ana.maria@example.com").await, esperado);
    problem(
        app.get_json("/api/usuarios/ana@example.com").await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Only what is sent changes; `{}` and nulls change nothing.
    let res = app.patch_json(&path, &json!({"apellido": "Mamani"})).await;
    esperado["apellido"] = json!("Mamani");
    assert_eq!(json_body(res, StatusCode::OK).await, esperado);
    let res = app.patch_json(&path, &json!({})).await;
    assert_eq!(json_body(res, StatusCode::OK).await, esperado);
    let res = app
        .patch_json(&path, &json!({"nombre": null, "email": null}))
        .await;
    assert_eq!(json_body(res, StatusCode::OK).await, esperado);
    // Re-sending one's own email (in any case) is not a conflict.
    let res = app
        .patch_json(&path, &json!({"email": "ANA.MARIA@example.com"}))
        .await;
    assert_eq!(json_body(res, StatusCode::OK).await, esperado);
    assert_eq!(app.usuario(id).await, esperado);

    // The replaced email is free for someone else.
    if common::on_secantus(app).await {
        eprintln!(
            "NOTE: SecantusDB keeps a unique-index entry for a value replaced by $set \
             (mongod frees it); not checking that the old email is reusable"
        );
    } else {
        let otra = app
            .crear(&nuevo_usuario("ana@example.com", "22222222"))
            .await;
        assert_eq!(app.usuario("ana@example.com").await, otra);
    }
}

both_backends!(patch_rechaza_lo_invalido_sin_cambiar_nada);
async fn patch_rechaza_lo_invalido_sin_cambiar_nada(app: &TestApp) {
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    let beto = app
        .crear(&nuevo_usuario("beto@example.com", "22222222"))
        .await;
    let id = ana["id"].as_str().unwrap();
    let path = format!("/api/usuarios/{id}");

    for (body, esperados) in [
        (json!({"email": "no-es-email"}), vec!["email"]),
        (json!({"email": ""}), vec!["email"]),
        (
            json!({"nombre": "", "apellido": " "}),
            vec!["nombre", "apellido"],
        ),
        (json!({"nombre": "x".repeat(101)}), vec!["nombre"]),
        (json!({"nombre": 7}), vec!["nombre"]),
        (json!({"email": {"$ne": null}}), vec!["email"]),
        (
            json!({"historial_compras": ["r1"]}),
            vec!["historial_compras"],
        ),
        (json!({"id": Uuid::new_v4()}), vec!["id"]),
        (
            json!({"nombre": "Ana", "tipo_documento": "CE"}),
            vec!["tipo_documento"],
        ),
    ] {
        let campos = validation(app.patch_json(&path, &body).await).await;
        assert_eq!(campos, esperados, "{body}");
    }

    // Another user's email, in any case.
    for email in ["beto@example.com", "BETO@example.com"] {
        let body = problem(
            app.patch_json(&path, &json!({"nombre": "Ana María", "email": email}))
                .await,
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(body["campo"], "email", "{body}");
    }

    // Nothing changed for either user.
    assert_eq!(app.usuario(id).await, ana);
    assert_eq!(app.usuario(beto["id"].as_str().unwrap()).await, beto);
    assert_eq!(app.usuario("beto@example.com").await, beto);

    // Unknown and malformed ids.
    let res = app
        .patch_json(
            &format!("/api/usuarios/{}", Uuid::new_v4()),
            &json!({"nombre": "Nadie"}),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
    for raw in ["not-a-uuid", "ana@example.com"] {
        let res = app
            .patch_json(&format!("/api/usuarios/{raw}"), &json!({"nombre": "X"}))
            .await;
        assert_eq!(validation(res).await, ["id"], "{raw}");
    }
    // Malformed JSON and a missing content type on PATCH, too.
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.admin_token)
        .header(CONTENT_TYPE, "application/json")
        .body("{\"nombre\": ")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::BAD_REQUEST).await;
    let res = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&app.admin_token)
        .body("{\"nombre\": \"X\"}")
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert_eq!(app.usuario(id).await, ana);
    assert_eq!(app.total().await, 2);
}

// ---------------------------------------------------------------------------------------
// 8. Concurrency
// ---------------------------------------------------------------------------------------

both_backends!(registros_concurrentes_del_mismo_email, multi_thread);
async fn registros_concurrentes_del_mismo_email(app: &TestApp) {
    let intentos = (0..20).map(|i| {
        let req = app
            .client
            .post(app.url("/api/usuarios"))
            .json(&nuevo_usuario(
                "carrera@example.com",
                &format!("5000{i:04}"),
            ));
        async move { req.send().await.expect("POST") }
    });
    let respuestas = futures::future::join_all(intentos).await;

    let mut ganadores = Vec::new();
    let mut conflictos = 0;
    for res in respuestas {
        match res.status() {
            StatusCode::CREATED => ganadores.push(json_body(res, StatusCode::CREATED).await),
            StatusCode::CONFLICT => {
                let body = problem(res, StatusCode::CONFLICT).await;
                assert_eq!(body["campo"], "email", "{body}");
                conflictos += 1;
            }
            other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
        }
    }
    assert_eq!(ganadores.len(), 1, "exactly one registration must win");
    assert_eq!(conflictos, 19);

    let pagina = app.pagina("limit=100").await;
    assert_eq!(pagina["total"], 1, "{pagina}");
    assert_eq!(pagina["items"], json!([ganadores[0]]));
    assert_eq!(app.usuario("carrera@example.com").await, ganadores[0]);
}

// ---------------------------------------------------------------------------------------
// 9. Internal purchase-history routes
// ---------------------------------------------------------------------------------------

both_backends!(historial_exige_la_credencial_de_servicio);
async fn historial_exige_la_credencial_de_servicio(app: &TestApp) {
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    let id = ana["id"].as_str().unwrap();
    let otro_token = format!("Bearer {}x", app.service_token);
    let sin_esquema = app.service_token.clone();
    for method in [Method::PUT, Method::DELETE] {
        for auth in [
            None,
            Some("Bearer equivocado"),
            Some("Bearer "),
            Some(otro_token.as_str()),
            Some(sin_esquema.as_str()),
            // The development default is not accepted when another token is configured.
            Some("Bearer eventflow-dev-reservas"),
        ] {
            let res = app.historial(method.clone(), id, "r-1", auth).await;
            let body = problem(res, StatusCode::UNAUTHORIZED).await;
            assert_eq!(
                body["type"], "urn:eventflow:problem:no-autorizado",
                "{method} {auth:?}"
            );
        }
        // Credentials are checked before anything else, even for an unknown user.
        let res = app
            .historial(method.clone(), &Uuid::new_v4().to_string(), "r-1", None)
            .await;
        problem(res, StatusCode::UNAUTHORIZED).await;
    }
    assert_eq!(
        app.usuario(id).await,
        ana,
        "an anonymous call changed the user"
    );
}

both_backends!(historial_es_idempotente_y_visible_en_el_usuario);
async fn historial_es_idempotente_y_visible_en_el_usuario(app: &TestApp) {
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    let beto = app
        .crear(&nuevo_usuario("beto@example.com", "22222222"))
        .await;
    let id = ana["id"].as_str().unwrap();
    let auth = app.bearer();
    let historial = |u: Value| u["historial_compras"].clone();

    for _ in 0..2 {
        let res = app.historial(Method::PUT, id, "r-1", Some(&auth)).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert!(res.text().await.unwrap().is_empty());
    }
    assert_eq!(historial(app.usuario(id).await), json!(["r-1"]));
    let res = app.historial(Method::PUT, id, "R_2-abc", Some(&auth)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(historial(app.usuario(id).await), json!(["r-1", "R_2-abc"]));
    assert_eq!(
        historial(app.usuario("ana@example.com").await),
        json!(["r-1", "R_2-abc"])
    );

    for _ in 0..2 {
        let res = app.historial(Method::DELETE, id, "r-1", Some(&auth)).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
    }
    assert_eq!(historial(app.usuario(id).await), json!(["R_2-abc"]));
    // Removing what was never there is fine too.
    let res = app
        .historial(Method::DELETE, id, "nunca", Some(&auth))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(historial(app.usuario(id).await), json!(["R_2-abc"]));

    // Only this user's history changed, and nothing else of hers.
    let beto_id = beto["id"].as_str().unwrap();
    assert_eq!(app.usuario(beto_id).await, beto);
    let mut esperado = ana.clone();
    esperado["historial_compras"] = json!(["R_2-abc"]);
    assert_eq!(app.usuario(id).await, esperado);
}

both_backends!(historial_rechaza_usuarios_e_ids_invalidos);
async fn historial_rechaza_usuarios_e_ids_invalidos(app: &TestApp) {
    let ana = app
        .crear(&nuevo_usuario("ana@example.com", "11111111"))
        .await;
    let id = ana["id"].as_str().unwrap();
    let auth = app.bearer();
    let nadie = Uuid::new_v4().to_string();

    for method in [Method::PUT, Method::DELETE] {
        let res = app
            .historial(method.clone(), &nadie, "r-1", Some(&auth))
            .await;
        let body = problem(res, StatusCode::NOT_FOUND).await;
        assert_eq!(
            body["type"], "urn:eventflow:problem:no-encontrado",
            "{method}"
        );

        let res = app
            .historial(method.clone(), "no-es-uuid", "r-1", Some(&auth))
            .await;
        assert_eq!(validation(res).await, ["id"], "{method}");

        // Percent-encoded: `$where`, `$ne`, `../admin`, `r..1`, `a.b`, `a b`, NUL, and 65 chars.
        let largo = "r".repeat(65);
        for reserva in [
            "%24where",
            "%24ne",
            "%2E%2E%2Fadmin",
            "r%2E%2E1",
            "a.b",
            "a%20b",
            "r%001",
            largo.as_str(),
        ] {
            let res = app
                .historial(method.clone(), id, reserva, Some(&auth))
                .await;
            assert_eq!(validation(res).await, ["reserva_id"], "{method} {reserva}");
        }
    }
    assert_eq!(
        app.usuario(id).await,
        ana,
        "a rejected call changed the user"
    );
    problem(
        app.get_json(&format!("/api/usuarios/{nadie}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// 10. Plumbing
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn health_responde_ok() {
    let app = common::spawn_embedded().await;
    let body = json_body(app.get_json("/health").await, StatusCode::OK).await;
    assert_eq!(body, json!({"status": "ok"}));
}

both_backends!(ready_nombra_sus_dependencias);
async fn ready_nombra_sus_dependencias(app: &TestApp) {
    let body = json_body(app.get_json("/ready").await, StatusCode::OK).await;
    assert_eq!(body["status"], "ready", "{body}");
    let mut esperado = serde_json::Map::new();
    esperado.insert(app.backend.to_owned(), json!("ok"));
    assert_eq!(body["dependencias"], Value::Object(esperado), "{body}");
}

#[tokio::test]
async fn docs_sirve_swagger_ui_sin_cdn() {
    let app = common::spawn_embedded().await;
    let res = app.get_json("/docs/").await;
    assert_eq!(res.status(), StatusCode::OK);
    let ct = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Vendored: the page loads its assets from this server, not from a CDN.
    assert!(!html.contains("://"), "{html}");
    for asset in ["/docs/swagger-ui-bundle.js", "/docs/swagger-initializer.js"] {
        let res = app.get_json(asset).await;
        assert_eq!(res.status(), StatusCode::OK, "{asset}");
        let text = res.text().await.unwrap();
        assert!(!text.is_empty(), "{asset}");
        if asset.ends_with("initializer.js") {
            assert!(text.contains("/api-docs/openapi.json"), "{text}");
        }
    }
}

/// Every route and method of the API, with the statuses the tests above observe.
const OPERACIONES: &[(&str, &str, &[&str])] = &[
    (
        "/api/usuarios",
        "post",
        &["201", "400", "409", "413", "415", "422", "429", "503"],
    ),
    ("/api/usuarios", "get", &["200", "401", "403", "422", "503"]),
    (
        "/api/usuarios/{id}",
        "get",
        &["200", "401", "404", "422", "503"],
    ),
    (
        "/api/usuarios/{id}",
        "patch",
        &[
            "200", "400", "401", "403", "404", "409", "413", "415", "422", "503",
        ],
    ),
    (
        "/api/sesiones",
        "post",
        &[
            "201", "400", "401", "403", "413", "415", "422", "429", "503",
        ],
    ),
    ("/api/sesiones/actual", "get", &["200", "401", "403", "503"]),
    (
        "/api/sesiones/actual",
        "delete",
        &["204", "401", "403", "503"],
    ),
    (
        "/api/organizadores",
        "post",
        &[
            "201", "400", "401", "403", "409", "413", "415", "422", "503",
        ],
    ),
    (
        "/api/staff",
        "post",
        &[
            "201", "400", "401", "403", "409", "413", "415", "422", "503",
        ],
    ),
    ("/api/staff", "get", &["200", "401", "403", "503"]),
    (
        "/api/staff/{id}",
        "delete",
        &["204", "401", "403", "404", "503"],
    ),
    (
        "/internal/usuarios/{id}/historial/{reserva_id}",
        "put",
        &["204", "401", "403", "404", "422", "503"],
    ),
    (
        "/internal/usuarios/{id}/historial/{reserva_id}",
        "delete",
        &["204", "401", "403", "404", "422", "503"],
    ),
    (
        "/internal/usuarios/{id_o_email}",
        "get",
        &["200", "401", "403", "404", "422", "503"],
    ),
    (
        "/internal/sesiones/verificar",
        "post",
        &["200", "400", "401", "404", "413", "415", "422", "503"],
    ),
    (
        "/api/usuarios/codigo",
        "post",
        &[
            "202", "400", "401", "403", "409", "413", "415", "422", "429", "503",
        ],
    ),
    (
        "/api/usuarios/password",
        "post",
        &["200", "400", "413", "415", "422", "429", "503"],
    ),
    ("/health", "get", &["200"]),
    ("/ready", "get", &["200", "503"]),
];

#[tokio::test]
async fn openapi_documenta_cada_operacion_y_sus_errores() {
    let app = common::spawn_embedded().await;
    let doc = json_body(app.get_json("/api-docs/openapi.json").await, StatusCode::OK).await;
    // What is served is the document the crate exposes (and snapshots).
    let exported = serde_json::to_value(usuarios_service::http::openapi()).unwrap();
    assert_eq!(doc, exported);

    let paths = doc["paths"].as_object().expect("paths");
    let mut documentadas = HashSet::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options"]
                .contains(&method.as_str())
            {
                documentadas.insert((path.as_str(), method.as_str()));
            }
        }
    }
    let esperadas: HashSet<(&str, &str)> = OPERACIONES.iter().map(|(p, m, _)| (*p, *m)).collect();
    assert_eq!(documentadas, esperadas);

    for (path, method, statuses) in OPERACIONES {
        let op = &doc["paths"][path][method];
        let responses = op["responses"].as_object().expect("responses");
        let got: HashSet<&str> = responses.keys().map(String::as_str).collect();
        let want: HashSet<&str> = statuses.iter().copied().collect();
        assert_eq!(got, want, "{method} {path}");
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let content = &response["content"];
                assert!(
                    content["application/problem+json"]["schema"]["$ref"]
                        .as_str()
                        .is_some_and(|r| r.ends_with("/Problem")),
                    "{method} {path} {status} is not documented as a problem: {response}"
                );
            }
        }
        if path.starts_with("/internal") {
            assert_eq!(op["security"], json!([{"bearer": []}]), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn correlation_id_vuelve_y_cada_respuesta_lleva_request_id() {
    let app = common::spawn_embedded().await;
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };

    let res = app
        .get("/health")
        .header("X-Correlation-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "x-correlation-id").as_deref(), Some("abc-123"));
    let primera = header(&res, "x-request-id").expect("x-request-id");
    Uuid::parse_str(&primera).expect("x-request-id is a UUID");

    // Errors carry them too, and every request gets its own id.
    let res = app
        .get("/api/usuarios/not-a-uuid")
        .header("X-Correlation-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&res, "x-correlation-id").as_deref(), Some("abc-123"));
    let segunda = header(&res, "x-request-id").expect("x-request-id on an error");
    assert_ne!(primera, segunda);
    validation(res).await;

    // Without one (or with an unsafe one) the request id doubles as correlation id.
    for correlation in [None, Some("con espacios"), Some("x".repeat(200).as_str())] {
        let mut req = app.get("/nada");
        if let Some(c) = correlation {
            req = req.header("X-Correlation-Id", c);
        }
        let res = req.send().await.unwrap();
        let request_id = header(&res, "x-request-id").expect("x-request-id");
        assert_eq!(
            header(&res, "x-correlation-id"),
            Some(request_id),
            "{correlation:?}"
        );
        problem(res, StatusCode::NOT_FOUND).await;
    }
}
