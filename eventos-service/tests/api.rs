//! HTTP tests of eventos-service against the real router on an ephemeral port.
//!
//! Every behavioural test is written once as `async fn name(app: &TestApp)` and runs twice
//! through `en_ambos_backends!`: `name::embebido` on `Config::embedded()`, and `name::real`
//! on MongoDB (a fresh database) and Redis (a fresh key prefix). The real variants skip
//! loudly when the servers are absent, and fail under `EVENTFLOW_REAL_BACKENDS=1`.

#[macro_use]
mod common;

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{FixedOffset, SecondsFormat, Utc};
use common::*;
use eventflow_shared::config::{RedisConfig, StoreConfig};
use eventflow_testkit as testing;
use eventos_service::Config;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::Method;
use serde_json::{json, Value};

fn evento(id: &str, nombre: &str, fecha: &str, lugar: &str) -> Value {
    json!({
        "id": id,
        "nombre": nombre,
        "fecha": fecha,
        "lugar": lugar,
        "zonas": [{"nombre": "General", "precio": 5000, "capacidad": 100}],
    })
}

/// A valid body with zones, for tests that only need some event.
fn valido() -> Value {
    json!({
        "nombre": "Rock en el Parque",
        "fecha": rfc3339(en_dias(60)),
        "lugar": "Estadio Nacional",
        "zonas": [
            {"nombre": "Campo", "precio": 8000, "capacidad": 1000},
            {"nombre": "Platea", "precio": 15000, "capacidad": 500},
        ],
    })
}

fn con(mut body: Value, campo: &str, valor: Value) -> Value {
    body[campo] = valor;
    body
}

// 1. Creating an event with zones, and reading it back.

en_ambos_backends!(crear_con_zonas_y_leerlo);
async fn crear_con_zonas_y_leerlo(app: &TestApp) {
    // A non-UTC offset and microseconds: the API answers in UTC, at millisecond precision.
    let instante = Utc::now() + chrono::Duration::days(90);
    let fecha = instante
        .with_timezone(&FixedOffset::east_opt(2 * 3600).unwrap())
        .to_rfc3339_opts(SecondsFormat::Micros, false);
    let antes = Utc::now() - chrono::Duration::seconds(1);
    let res = app
        .crear_evento(&json!({
            "nombre": "Rock en el Parque",
            "fecha": fecha,
            "lugar": "Estadio Nacional",
            "zonas": [
                {"nombre": "Campo", "precio": 8000, "capacidad": 1000},
                {"nombre": "Platea", "precio": 15000, "capacidad": 500},
            ],
        }))
        .await;
    let location = res
        .headers()
        .get(LOCATION)
        .expect("201 has a Location header")
        .to_str()
        .unwrap()
        .to_owned();
    let creado = assert_json(res, 201).await;

    let id = creado["id"].as_str().expect("id").to_owned();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "default id is a UUID: {id}"
    );
    assert_eq!(location, format!("/api/eventos/{id}"));
    let claves = eventflow_testkit::respuestas::claves(&creado);
    assert_eq!(
        claves,
        BTreeSet::from([
            "id",
            "nombre",
            "fecha",
            "zona_horaria",
            "lugar",
            "aforo_total",
            "entradas_disponibles",
            "zonas",
            "max_por_comprador",
            "transferencias_permitidas",
            "creado_en"
        ]),
        "no internal fields leak: {creado}"
    );
    assert_eq!(
        creado["max_por_comprador"], 10,
        "the default limit per buyer"
    );
    assert_eq!(creado["nombre"], "Rock en el Parque");
    assert_eq!(creado["lugar"], "Estadio Nacional");
    let ms = chrono::DateTime::from_timestamp_millis(instante.timestamp_millis()).unwrap();
    assert_eq!(
        parse_fecha(&creado["fecha"]),
        ms,
        "fecha {fecha} -> {creado}"
    );
    assert!(
        creado["fecha"].as_str().unwrap().ends_with("-05:00"),
        "shown with the venue's offset (America/Lima): {creado}"
    );
    assert_eq!(creado["aforo_total"], 1500);
    assert_eq!(creado["entradas_disponibles"], 1500);
    assert_eq!(
        creado["zonas"],
        json!([
            {"nombre": "Campo", "precio": 8000, "capacidad": 1000, "disponibles": 1000, "vendidas": 0},
            {"nombre": "Platea", "precio": 15000, "capacidad": 500, "disponibles": 500, "vendidas": 0},
        ])
    );
    let creado_en = parse_fecha(&creado["creado_en"]);
    assert!(
        creado_en >= antes && creado_en <= Utc::now(),
        "creado_en {creado_en} is now"
    );

    // What was stored reads back identically, by id and through the Location header.
    assert_eq!(
        assert_json(app.obtener_evento(&id).await, 200).await,
        creado
    );
    assert_eq!(assert_json(app.get(&location).await, 200).await, creado);
    let lista = assert_json(app.listar(&[]).await, 200).await;
    assert_eq!(lista["total"], 1);
    assert_eq!(lista["items"], json!([creado]));
}

// 2. The seed format and client-chosen ids.

en_ambos_backends!(formato_semilla_e_ids);
async fn formato_semilla_e_ids(app: &TestApp) {
    let fecha = rfc3339(en_dias(30));
    let semilla = json!({
        "id": "concierto-2031_a",
        "nombre": "Semilla",
        "fecha": fecha,
        "lugar": "Arena Lima",
        "aforo_total": 100,
        "entradas_disponibles": 80,
    });
    let res = app.crear_evento(&semilla).await;
    assert_eq!(
        res.headers().get(LOCATION).unwrap(),
        "/api/eventos/concierto-2031_a"
    );
    let creado = assert_json(res, 201).await;
    assert_eq!(creado["id"], "concierto-2031_a");
    assert_eq!(creado["aforo_total"], 100);
    assert_eq!(creado["entradas_disponibles"], 80);
    assert_eq!(
        creado["zonas"],
        json!([{"nombre": "General", "precio": 0, "capacidad": 100, "disponibles": 80, "vendidas": 20}])
    );
    assert_eq!(
        assert_json(app.obtener_evento("concierto-2031_a").await, 200).await,
        creado
    );

    // The same id again is a conflict, and the original is untouched.
    let otra = con(semilla.clone(), "nombre", json!("Impostor"));
    let p = assert_problem(app.crear_evento(&otra).await, 409).await;
    assert_eq!(p["type"], "urn:eventflow:problem:evento-duplicado", "{p}");
    assert_eq!(
        assert_json(app.obtener_evento("concierto-2031_a").await, 200).await,
        creado
    );

    // Without entradas_disponibles every ticket is available; without id it is a UUID.
    let sin_id = json!({"nombre": "Sin id", "fecha": fecha, "lugar": "Cusco", "aforo_total": 10});
    let b = app.crear_evento_ok(&sin_id).await;
    assert!(
        uuid::Uuid::parse_str(b["id"].as_str().unwrap()).is_ok(),
        "{b}"
    );
    assert_eq!(
        (&b["aforo_total"], &b["entradas_disponibles"]),
        (&json!(10), &json!(10))
    );
    assert_eq!(
        b["zonas"],
        json!([{"nombre": "General", "precio": 0, "capacidad": 10, "disponibles": 10, "vendidas": 0}])
    );

    // More available than capacity.
    let excede = json!({
        "id": "excede", "nombre": "X", "fecha": fecha, "lugar": "Lima",
        "aforo_total": 100, "entradas_disponibles": 101,
    });
    let campos = assert_invalid(app.crear_evento(&excede).await).await;
    assert_eq!(campos, ["entradas_disponibles"]);
    assert_problem(app.obtener_evento("excede").await, 404).await;

    // Ids that could become a path, a traversal or an operator.
    for id in [
        "a/b",
        "..",
        "../x",
        "a$b",
        "$where",
        "a.b",
        "",
        &"x".repeat(65),
    ] {
        let body = con(semilla.clone(), "id", json!(id));
        let campos = assert_invalid(app.crear_evento(&body).await).await;
        assert_eq!(campos, ["id"], "id {id:?}");
    }
    assert_eq!(app.ids(&[]).await.0, 2, "nothing invalid was stored");
}

// 3. Authentication comes first: 401 whatever the body.

en_ambos_backends!(escrituras_sin_credencial_401);
async fn escrituras_sin_credencial_401(app: &TestApp) {
    let original = app.crear_evento_ok(&valido()).await;
    let id = original["id"].as_str().unwrap();
    let patch_path = format!("/api/eventos/{id}");

    let credenciales: [Option<&str>; 5] = [
        None,
        Some("Bearer nope"),
        Some("Bearer eventflow-dev-admin-x"),
        Some(ADMIN_TOKEN), // no "Bearer " scheme
        Some("Basic ZXZlbnRmbG93LWRldi1hZG1pbg=="),
    ];
    let cuerpos: [(&str, String); 4] = [
        ("application/json", valido().to_string()),
        (
            "application/json",
            r#"{"nombre": "", "fecha": "ayer"}"#.into(),
        ),
        ("application/json", "{not json".into()),
        ("text/plain", valido().to_string()),
    ];
    for cred in credenciales {
        for (ct, cuerpo) in &cuerpos {
            for (method, path) in [
                (Method::POST, "/api/eventos".to_owned()),
                (Method::PATCH, patch_path.clone()),
                (Method::PATCH, "/api/eventos/no-existe".to_owned()),
            ] {
                let mut req = app
                    .client
                    .request(method.clone(), app.url(&path))
                    .header(CONTENT_TYPE, *ct)
                    .body(cuerpo.clone());
                if let Some(c) = cred {
                    req = req.header(AUTHORIZATION, c);
                }
                let res = req.send().await.unwrap();
                let p = assert_problem(res, 401).await;
                assert!(
                    [
                        "urn:eventflow:problem:no-autorizado",
                        "urn:eventflow:problem:sesion-requerida"
                    ]
                    .contains(&p["type"].as_str().unwrap_or_default()),
                    "{method} {path} {cred:?} {cuerpo}: {p}"
                );
            }
        }
    }
    // Nothing was created or changed.
    let (total, ids) = app.ids(&[]).await;
    assert_eq!((total, ids), (1, vec![id.to_owned()]));
    assert_eq!(
        assert_json(app.obtener_evento(id).await, 200).await,
        original
    );
}

// 4. Validation: each invalid field is named; malformed requests get the right 4xx.

en_ambos_backends!(validacion_al_crear);
async fn validacion_al_crear(app: &TestApp) {
    let zonas = |z: Value| con(valido(), "zonas", z);
    let casos: Vec<(&str, Value, &str)> = vec![
        (
            "fecha pasada",
            con(valido(), "fecha", json!("2001-01-01T00:00:00Z")),
            "fecha",
        ),
        (
            "fecha de hace un minuto",
            con(
                valido(),
                "fecha",
                json!(rfc3339(Utc::now() - chrono::Duration::minutes(1))),
            ),
            "fecha",
        ),
        (
            "fecha no RFC 3339",
            con(valido(), "fecha", json!("14/03/2031 21:00")),
            "fecha",
        ),
        (
            "fecha local que no existe (30 de febrero)",
            con(valido(), "fecha", json!("2031-02-30T21:00:00")),
            "fecha",
        ),
        ("nombre vacío", con(valido(), "nombre", json!("")), "nombre"),
        (
            "nombre en blanco",
            con(valido(), "nombre", json!("   ")),
            "nombre",
        ),
        ("lugar vacío", con(valido(), "lugar", json!("")), "lugar"),
        (
            "zonas duplicadas sin distinguir mayúsculas",
            zonas(json!([
                {"nombre": "VIP", "precio": 1, "capacidad": 1},
                {"nombre": "vip", "precio": 1, "capacidad": 1},
            ])),
            "zonas[1].nombre",
        ),
        (
            "precio negativo",
            zonas(json!([{"nombre": "A", "precio": -1, "capacidad": 1}])),
            "zonas[0].precio",
        ),
        (
            "capacidad 0",
            zonas(json!([
                {"nombre": "A", "precio": 0, "capacidad": 1},
                {"nombre": "B", "precio": 0, "capacidad": 0},
            ])),
            "zonas[1].capacidad",
        ),
        ("zonas vacías", zonas(json!([])), "zonas"),
        (
            "zona sin nombre",
            zonas(json!([{"nombre": "", "precio": 0, "capacidad": 1}])),
            "zonas[0].nombre",
        ),
        (
            "ni zonas ni aforo",
            json!({"nombre": "X", "fecha": rfc3339(en_dias(5)), "lugar": "Lima"}),
            "zonas",
        ),
        (
            "aforo_total que no suma las zonas",
            con(valido(), "aforo_total", json!(10)),
            "aforo_total",
        ),
        (
            "operador de MongoDB en lugar de texto",
            con(valido(), "nombre", json!({"$ne": null})),
            "nombre",
        ),
        (
            "nombre con caracteres de control",
            con(valido(), "nombre", json!("Rock\u{0007}")),
            "nombre",
        ),
        (
            "nombre de 201 caracteres",
            con(valido(), "nombre", json!("n".repeat(201))),
            "nombre",
        ),
        (
            "precio por encima del máximo",
            zonas(json!([{"nombre": "A", "precio": 100_000_000_001_i64, "capacidad": 1}])),
            "zonas[0].precio",
        ),
        (
            "capacidad por encima del máximo",
            zonas(json!([{"nombre": "A", "precio": 0, "capacidad": 1_000_001}])),
            "zonas[0].capacidad",
        ),
        (
            "51 zonas",
            zonas(Value::Array(
                (0..51)
                    .map(|i| json!({"nombre": format!("Z{i}"), "precio": 0, "capacidad": 1}))
                    .collect(),
            )),
            "zonas",
        ),
        (
            "precio decimal",
            zonas(json!([{"nombre": "A", "precio": 10.5, "capacidad": 1}])),
            "zonas[0].precio",
        ),
        (
            "semilla con aforo 0",
            json!({"nombre": "X", "fecha": rfc3339(en_dias(5)), "lugar": "L", "aforo_total": 0}),
            "aforo_total",
        ),
        (
            "semilla con disponibles negativas",
            json!({"nombre": "X", "fecha": rfc3339(en_dias(5)), "lugar": "L",
                   "aforo_total": 5, "entradas_disponibles": -1}),
            "entradas_disponibles",
        ),
        (
            "aforo_total como texto",
            json!({"nombre": "X", "fecha": rfc3339(en_dias(5)), "lugar": "L", "aforo_total": "100"}),
            "aforo_total",
        ),
        (
            "falta nombre",
            json!({"fecha": rfc3339(en_dias(5)), "lugar": "Lima", "aforo_total": 1}),
            "nombre",
        ),
        (
            "límite por comprador 0",
            con(valido(), "max_por_comprador", json!(0)),
            "max_por_comprador",
        ),
        (
            "límite por comprador enorme",
            con(valido(), "max_por_comprador", json!(5000)),
            "max_por_comprador",
        ),
    ];
    for (caso, body, campo) in &casos {
        let campos = assert_invalid(app.crear_evento(body).await).await;
        assert!(
            campos.iter().any(|c| c == campo),
            "{caso}: expected {campo} in {campos:?}"
        );
    }

    // Several invalid fields at once: every one is named.
    let varios = json!({
        "nombre": "", "fecha": "2001-01-01T00:00:00Z", "lugar": "Lima",
        "zonas": [{"nombre": "A", "precio": -5, "capacidad": 0}],
    });
    let campos = assert_invalid(app.crear_evento(&varios).await).await;
    for campo in ["nombre", "fecha", "zonas[0].precio", "zonas[0].capacidad"] {
        assert!(campos.iter().any(|c| c == campo), "{campo} in {campos:?}");
    }

    let raw = |ct: Option<&str>, body: String| {
        let mut req = app.admin(Method::POST, "/api/eventos").body(body);
        if let Some(ct) = ct {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.send()
    };
    let json_ct = Some("application/json");

    let p = assert_problem(raw(json_ct, "{\"nombre\": ".into()).await.unwrap(), 400).await;
    assert_eq!(p["type"], "urn:eventflow:problem:solicitud-invalida");
    assert_problem(raw(json_ct, "".into()).await.unwrap(), 400).await;
    let p = assert_problem(
        raw(Some("text/plain"), valido().to_string()).await.unwrap(),
        415,
    )
    .await;
    assert_eq!(p["type"], "urn:eventflow:problem:tipo-de-contenido");
    assert_problem(raw(None, valido().to_string()).await.unwrap(), 415).await;

    // Over 64 KiB, even if it would otherwise be valid JSON.
    let grande = con(valido(), "nombre", json!("x".repeat(70 * 1024))).to_string();
    let p = assert_problem(raw(json_ct, grande).await.unwrap(), 413).await;
    assert_eq!(p["type"], "urn:eventflow:problem:cuerpo-demasiado-grande");

    // A price beyond i64 is the client's mistake, never a 5xx.
    let enorme = r#"{"nombre": "X", "fecha": "2031-01-01T00:00:00Z", "lugar": "L",
        "zonas": [{"nombre": "A", "precio": 99999999999999999999, "capacidad": 1}]}"#;
    let res = raw(json_ct, enorme.into()).await.unwrap();
    assert!(res.status().is_client_error(), "status {}", res.status());
    let campos = assert_invalid(res).await;
    assert_eq!(campos, ["zonas[0].precio"]);

    assert_eq!(app.ids(&[]).await.0, 0, "nothing invalid was stored");
}

// 5. Listing: order, filters, pagination and parameter validation.

en_ambos_backends!(listar_filtrar_paginar);
async fn listar_filtrar_paginar(app: &TestApp) {
    let (a, b, c, d, e) = (
        en_dias(30),
        en_dias(10),
        en_dias(20),
        en_dias(40),
        en_dias(50),
    );
    for (id, f, lugar) in [
        ("a", a, "Lima"),
        ("b", b, "Cusco"),
        ("c", c, "Lima"),
        ("d", d, "Arequipa"),
        ("e", e, "Lima"),
    ] {
        app.crear_evento_ok(&evento(id, &format!("Evento {id}"), &rfc3339(f), lugar))
            .await;
    }
    let todos = assert_json(app.listar(&[]).await, 200).await;
    assert_eq!(ids_of(&todos), ["b", "c", "a", "d", "e"], "sorted by fecha");
    assert_eq!(
        (&todos["total"], &todos["limit"], &todos["offset"]),
        (&json!(5), &json!(20), &json!(0))
    );
    let fechas: Vec<_> = todos["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| parse_fecha(&e["fecha"]))
        .collect();
    assert!(fechas.windows(2).all(|w| w[0] <= w[1]));

    // Bounds are inclusive and honour the offset: `+05:00` and `-03:00` need URL-encoding.
    let lima_hora = FixedOffset::east_opt(5 * 3600).unwrap();
    let desde_c = c.with_timezone(&lima_hora).to_rfc3339();
    let hasta_d = d
        .with_timezone(&FixedOffset::west_opt(3 * 3600).unwrap())
        .to_rfc3339();
    assert!(desde_c.contains('+') && hasta_d.contains("-03:00"));
    let ids = |total: u64, ids: &[&str]| -> (u64, Vec<String>) {
        (total, ids.iter().map(|s| s.to_string()).collect())
    };
    assert_eq!(
        app.ids(&[("desde", &desde_c)]).await,
        ids(4, &["c", "a", "d", "e"])
    );
    assert_eq!(
        app.ids(&[("hasta", &hasta_d)]).await,
        ids(4, &["b", "c", "a", "d"])
    );
    assert_eq!(
        app.ids(&[("desde", &desde_c), ("hasta", &hasta_d)]).await,
        ids(3, &["c", "a", "d"])
    );
    let justo_despues = rfc3339(e + chrono::Duration::seconds(1));
    assert_eq!(app.ids(&[("desde", &justo_despues)]).await, ids(0, &[]));
    // Sub-millisecond bounds: half a millisecond after c excludes c, on both backends.
    let micros = |f: chrono::DateTime<Utc>| f.to_rfc3339_opts(SecondsFormat::Micros, true);
    let tras_c = micros(c + chrono::Duration::microseconds(500));
    let antes_d = micros(d - chrono::Duration::microseconds(500));
    assert_eq!(
        app.ids(&[("desde", &tras_c)]).await,
        ids(3, &["a", "d", "e"])
    );
    assert_eq!(
        app.ids(&[("hasta", &antes_d)]).await,
        ids(3, &["b", "c", "a"])
    );

    // Exact place.
    assert_eq!(
        app.ids(&[("lugar", "Lima")]).await,
        ids(3, &["c", "a", "e"])
    );
    assert_eq!(app.ids(&[("lugar", "Lim")]).await, ids(0, &[]));
    assert_eq!(app.ids(&[("lugar", "lima")]).await, ids(0, &[]));
    assert_eq!(app.ids(&[("lugar", r#"{"$ne": null}"#)]).await, ids(0, &[]));
    assert_eq!(
        app.ids(&[("lugar[$ne]", "x")]).await.0,
        5,
        "unknown params ignored"
    );
    assert_eq!(
        app.ids(&[("lugar", "Lima"), ("desde", &rfc3339(a))]).await,
        ids(2, &["a", "e"])
    );

    // Pages partition the list.
    let mut vistos = Vec::new();
    for offset in ["0", "2", "4"] {
        let page = assert_json(app.listar(&[("limit", "2"), ("offset", offset)]).await, 200).await;
        assert_eq!(page["total"], 5);
        assert_eq!(page["limit"], 2);
        assert_eq!(page["offset"].to_string(), offset);
        vistos.extend(ids_of(&page));
    }
    assert_eq!(
        vistos,
        ["b", "c", "a", "d", "e"],
        "no overlap, nothing missing"
    );
    assert_eq!(
        app.ids(&[("limit", "2"), ("offset", "6")]).await,
        ids(5, &[])
    );
    assert_eq!(app.ids(&[("limit", "100")]).await.1.len(), 5);

    // Invalid parameters name themselves.
    for (q, campo) in [
        (vec![("limit", "0")], "limit"),
        (vec![("limit", "101")], "limit"),
        (vec![("limit", "abc")], "limit"),
        (vec![("offset", "-1")], "offset"),
        (vec![("desde", "mañana")], "desde"),
        (vec![("hasta", "2031-13-01T00:00:00Z")], "hasta"),
        (vec![("desde", "2031-02-30")], "desde"),
    ] {
        let campos = assert_invalid(app.listar(&q).await).await;
        assert_eq!(campos, [campo], "{q:?}");
    }
    let campos = assert_invalid(
        app.listar(&[("desde", &rfc3339(d)), ("hasta", &rfc3339(c))])
            .await,
    )
    .await;
    assert!(
        campos.iter().all(|c| c == "desde" || c == "hasta"),
        "{campos:?}"
    );
}

en_ambos_backends!(orden_estable_con_fechas_iguales);
async fn orden_estable_con_fechas_iguales(app: &TestApp) {
    let misma = rfc3339(en_dias(20));
    for id in ["t2", "t3", "t1"] {
        app.crear_evento_ok(&evento(id, id, &misma, "Lima")).await;
    }
    app.crear_evento_ok(&evento("z0", "z0", &rfc3339(en_dias(10)), "Lima"))
        .await;
    // Same date: ordered by id, so pages never repeat or skip an event.
    assert_eq!(app.ids(&[]).await.1, ["z0", "t1", "t2", "t3"]);
    let mut vistos = Vec::new();
    for offset in ["0", "1", "2", "3"] {
        vistos.extend(app.ids(&[("limit", "1"), ("offset", offset)]).await.1);
    }
    assert_eq!(vistos, ["z0", "t1", "t2", "t3"]);
}

// Exactly one of several simultaneous creations with the same id wins.

en_ambos_backends!(id_duplicado_concurrente);
async fn id_duplicado_concurrente(app: &TestApp) {
    let intentos = (0..8).map(|i| async move {
        let body = evento(
            "unico",
            &format!("Intento {i}"),
            &rfc3339(en_dias(9)),
            "Lima",
        );
        let res = app.crear_evento(&body).await;
        (i, res.status().as_u16(), res)
    });
    let mut ganadores = Vec::new();
    for (i, status, res) in futures::future::join_all(intentos).await {
        match status {
            201 => ganadores.push(i),
            _ => {
                let p = assert_problem(res, 409).await;
                assert_eq!(p["type"], "urn:eventflow:problem:evento-duplicado");
            }
        }
    }
    assert_eq!(ganadores.len(), 1, "winners: {ganadores:?}");
    let guardado = assert_json(app.obtener_evento("unico").await, 200).await;
    assert_eq!(guardado["nombre"], format!("Intento {}", ganadores[0]));
    assert_eq!(app.ids(&[]).await.0, 1);
}

// 6. Not found.

en_ambos_backends!(no_encontrado);
async fn no_encontrado(app: &TestApp) {
    let p = assert_problem(app.obtener_evento("no-existe").await, 404).await;
    assert_eq!(p["type"], "urn:eventflow:problem:no-encontrado");
    assert!(p["detail"].as_str().unwrap().contains("no-existe"), "{p}");
    for path in ["/api/nada", "/api/eventos/x/y", "/api/eventos/", "/"] {
        let p = assert_problem(app.get(path).await, 404).await;
        assert_eq!(p["type"], "urn:eventflow:problem:no-encontrado", "{path}");
    }
    // A path id that is not a safe id never reaches the store or the cache.
    for raw in ["a$b", "%24ne", "a.b", "..%2F..%2Fx"] {
        let campos = assert_invalid(app.obtener_evento(raw).await).await;
        assert_eq!(campos, ["id"], "{raw}");
    }
    let res = app
        .client
        .delete(app.url("/api/eventos/x"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 405).await;
}

// 7. Updating an event.

en_ambos_backends!(actualizar_evento);
async fn actualizar_evento(app: &TestApp) {
    let original = app.crear_evento_ok(&valido()).await;
    let id = original["id"].as_str().unwrap().to_owned();

    let nueva = Utc::now() + chrono::Duration::days(120);
    let nueva_txt = nueva
        .with_timezone(&FixedOffset::west_opt(5 * 3600).unwrap())
        .to_rfc3339_opts(SecondsFormat::Millis, false);
    let res = app
        .actualizar_evento(
            &id,
            &json!({"nombre": "Rock 2", "fecha": nueva_txt, "lugar": "Arena Lima"}),
        )
        .await;
    let actualizado = assert_json(res, 200).await;
    let mut esperado = original.clone();
    esperado["nombre"] = json!("Rock 2");
    esperado["lugar"] = json!("Arena Lima");
    esperado["fecha"] = actualizado["fecha"].clone();
    assert_eq!(actualizado, esperado, "only the three fields change");
    assert_eq!(
        parse_fecha(&actualizado["fecha"]).timestamp_millis(),
        nueva.timestamp_millis()
    );
    assert_eq!(
        assert_json(app.obtener_evento(&id).await, 200).await,
        actualizado,
        "persisted"
    );
    assert_eq!(app.ids(&[("lugar", "Arena Lima")]).await.1, [id.as_str()]);
    assert_eq!(app.ids(&[("lugar", "Estadio Nacional")]).await.0, 0);

    // One field at a time; an empty body changes nothing.
    let solo_lugar = assert_json(
        app.actualizar_evento(&id, &json!({"lugar": "Cusco"})).await,
        200,
    )
    .await;
    esperado["lugar"] = json!("Cusco");
    assert_eq!(solo_lugar, esperado);
    assert_eq!(
        assert_json(app.actualizar_evento(&id, &json!({})).await, 200).await,
        esperado
    );

    // The organizer sets the tickets-per-buyer limit.
    let limitado = assert_json(
        app.actualizar_evento(&id, &json!({"max_por_comprador": 4}))
            .await,
        200,
    )
    .await;
    esperado["max_por_comprador"] = json!(4);
    assert_eq!(limitado, esperado);

    // Refused changes leave the event as it was.
    for (body, campo) in [
        (json!({"max_por_comprador": 0}), "max_por_comprador"),
        (json!({"max_por_comprador": 1001}), "max_por_comprador"),
        (json!({"zonas": []}), "zonas"),
        (json!({"aforo_total": 5}), "aforo_total"),
        (json!({"entradas_disponibles": 5}), "entradas_disponibles"),
        (json!({"fecha": "2001-01-01T00:00:00Z"}), "fecha"),
        (json!({"fecha": "pronto"}), "fecha"),
        (json!({"nombre": ""}), "nombre"),
        (json!({"lugar": "  "}), "lugar"),
        (json!({"nombre": {"$set": "x"}}), "nombre"),
    ] {
        let campos = assert_invalid(app.actualizar_evento(&id, &body).await).await;
        assert!(campos.iter().any(|c| c == campo), "{body}: {campos:?}");
    }
    let p = assert_problem(
        app.admin(Method::PATCH, &format!("/api/eventos/{id}"))
            .header(CONTENT_TYPE, "application/json")
            .body("{")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(p["type"], "urn:eventflow:problem:solicitud-invalida");
    let res = app
        .admin(Method::PATCH, &format!("/api/eventos/{id}"))
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"nombre": "X"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(res, 415).await;
    let grande = json!({"nombre": "x".repeat(70 * 1024)});
    assert_problem(app.actualizar_evento(&id, &grande).await, 413).await;
    assert_eq!(
        assert_json(app.obtener_evento(&id).await, 200).await,
        esperado
    );

    let p = assert_problem(
        app.actualizar_evento("no-existe", &json!({"nombre": "X"}))
            .await,
        404,
    )
    .await;
    assert_eq!(p["type"], "urn:eventflow:problem:no-encontrado");
    assert_problem(app.obtener_evento("no-existe").await, 404).await;
    assert_eq!(
        assert_invalid(app.actualizar_evento("a$b", &json!({"nombre": "X"})).await).await,
        ["id"]
    );
}

// 8. The read cache: MISS then HIT, invalidation on writes, TTL.

en_ambos_backends!(cache_de_evento);
async fn cache_de_evento(app: &TestApp) {
    let creado = app.crear_evento_ok(&valido()).await;
    let id = creado["id"].as_str().unwrap().to_owned();
    let clave = format!("eventos:evento:{id}");
    if let Some(r) = &app.redis {
        assert!(!r.exists(&clave).await, "creating does not fill the cache");
    }

    let primera = app.obtener_evento(&id).await;
    assert_eq!(x_cache(&primera), "MISS");
    let primera = primera.text().await.unwrap();
    if let Some(r) = &app.redis {
        assert!(r.exists(&clave).await, "{clave} cached after a read");
        let ttl = r.pttl(&clave).await;
        assert!(ttl > 0 && ttl <= 60_000, "pttl {ttl}");
    }
    let segunda = app.obtener_evento(&id).await;
    assert_eq!(x_cache(&segunda), "HIT");
    assert_eq!(
        segunda.headers().get(CONTENT_TYPE).unwrap(),
        "application/json"
    );
    assert_eq!(segunda.text().await.unwrap(), primera, "same body");
    let v: Value = serde_json::from_str(&primera).unwrap();
    assert_eq!(v, creado);

    // A PATCH drops the entry: the next read shows the change.
    let res = app
        .actualizar_evento(&id, &json!({"nombre": "Cambiado"}))
        .await;
    assert_json(res, 200).await;
    if let Some(r) = &app.redis {
        assert!(!r.exists(&clave).await, "{clave} dropped by the PATCH");
    }
    let tras = app.obtener_evento(&id).await;
    assert_eq!(x_cache(&tras), "MISS");
    assert_eq!(assert_json(tras, 200).await["nombre"], "Cambiado");
    let tras = app.obtener_evento(&id).await;
    assert_eq!(x_cache(&tras), "HIT");
    assert_eq!(assert_json(tras, 200).await["nombre"], "Cambiado");

    // Misses are not cached: an unknown id stays 404 and becomes visible once created.
    assert_problem(app.obtener_evento("luego").await, 404).await;
    app.crear_evento_ok(&con(valido(), "id", json!("luego")))
        .await;
    let res = app.obtener_evento("luego").await;
    assert_eq!(x_cache(&res), "MISS");
    assert_json(res, 200).await;
}

en_ambos_backends!(inventario_interno);
/// The inventory routes answer with the counters the store left, from the same step:
/// the zone they touched, or the whole event when they touched none. A refused hold says
/// how many tickets are only held, and leaves the cached event alone; a hold drops it.
async fn inventario_interno(app: &TestApp) {
    let body = con(
        valido(),
        "zonas",
        json!([
            {"nombre": "VIP", "precio": 20000, "capacidad": 5},
            {"nombre": "Campo", "precio": 5000, "capacidad": 50}
        ]),
    );
    let id = app.crear_evento_ok(&body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let servicio = |m: Method, path: String| {
        app.client.request(m, app.url(&path)).header(
            AUTHORIZATION,
            format!(
                "Bearer {}",
                eventflow_shared::auth::Servicio::Reservas.token_dev()
            ),
        )
    };
    let retener = |rid: &str, zona: &str, n: u32| {
        servicio(Method::POST, format!("/internal/eventos/{id}/retenciones"))
            .json(&json!({"reserva_id": rid, "zona": zona, "cantidad": n}))
            .send()
    };
    let v = assert_json(retener("r1", "vip", 3).await.unwrap(), 200).await;
    assert_eq!(v, json!({"resultado": "retenida", "disponibles": 2}));
    let v = assert_json(retener("r1", "VIP", 3).await.unwrap(), 200).await;
    assert_eq!(v, json!({"resultado": "ya_retenida", "disponibles": 2}));

    // Cache the event, then get refused: the entry survives (nothing changed).
    app.obtener_evento(&id).await;
    let p = assert_problem(retener("r2", "VIP", 3).await.unwrap(), 409).await;
    assert_eq!(
        (&p["disponibles"], &p["retenidas"]),
        (&json!(2), &json!(3)),
        "{p}"
    );
    assert_eq!(x_cache(&app.obtener_evento(&id).await), "HIT");

    let ok = |res: reqwest::Response| assert_json(res, 200);
    let confirmar = format!("/internal/eventos/{id}/retenciones/r1/confirmar");
    let v = ok(servicio(Method::POST, confirmar.clone())
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(v, json!({"resultado": "confirmada", "disponibles": 2}));
    let tras = app.obtener_evento(&id).await;
    assert_eq!(x_cache(&tras), "MISS", "a sale drops the cached event");
    assert_eq!(assert_json(tras, 200).await["zonas"][0]["vendidas"], 3);
    let v = ok(servicio(Method::POST, confirmar).send().await.unwrap()).await;
    assert_eq!(v, json!({"resultado": "ya_confirmada", "disponibles": 2}));
    // Sold out for good in VIP now: nothing is held.
    let p = assert_problem(retener("r2", "VIP", 3).await.unwrap(), 409).await;
    assert_eq!(
        (&p["disponibles"], &p["retenidas"]),
        (&json!(2), &json!(0)),
        "{p}"
    );

    let v = ok(servicio(
        Method::DELETE,
        format!("/internal/eventos/{id}/retenciones/r9"),
    )
    .send()
    .await
    .unwrap())
    .await;
    assert_eq!(v, json!({"resultado": "sin_retencion", "disponibles": 52}));
    let devolver = format!("/internal/eventos/{id}/ventas/r1/devolver");
    let v = ok(servicio(Method::POST, devolver.clone())
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(v, json!({"resultado": "devuelta", "disponibles": 5}));
    let v = ok(servicio(Method::POST, devolver).send().await.unwrap()).await;
    assert_eq!(v, json!({"resultado": "sin_venta", "disponibles": 55}));

    // Compensation undoes whatever exists: releasing a reservation whose hold was
    // already confirmed (its answer lost on the way) returns the sale, once.
    let v = assert_json(retener("r3", "Campo", 4).await.unwrap(), 200).await;
    assert_eq!(v, json!({"resultado": "retenida", "disponibles": 46}));
    let confirmar = format!("/internal/eventos/{id}/retenciones/r3/confirmar");
    ok(servicio(Method::POST, confirmar).send().await.unwrap()).await;
    let liberar = format!("/internal/eventos/{id}/retenciones/r3");
    let v = ok(servicio(Method::DELETE, liberar.clone())
        .send()
        .await
        .unwrap())
    .await;
    assert_eq!(v, json!({"resultado": "devuelta", "disponibles": 50}));
    let v = ok(servicio(Method::DELETE, liberar).send().await.unwrap()).await;
    assert_eq!(v, json!({"resultado": "sin_retencion", "disponibles": 55}));
    let e = assert_json(app.obtener_evento(&id).await, 200).await;
    assert_eq!(e["zonas"][1]["vendidas"], 0, "{e}");
}

en_ambos_backends!(cache_de_lista);
async fn cache_de_lista(app: &TestApp) {
    let a = app
        .crear_evento_ok(&evento("a", "A", &rfc3339(en_dias(10)), "Lima"))
        .await;
    let primera = app.listar(&[]).await;
    assert_eq!(x_cache(&primera), "MISS");
    let primera = primera.text().await.unwrap();
    if let Some(r) = &app.redis {
        assert!(r.exists("eventos:listas").await, "list page cached");
    }
    let segunda = app.listar(&[]).await;
    assert_eq!(x_cache(&segunda), "HIT");
    assert_eq!(segunda.text().await.unwrap(), primera);
    let v: Value = serde_json::from_str(&primera).unwrap();
    assert_eq!((&v["total"], &v["items"]), (&json!(1), &json!([a])));

    // Other parameters are another page, cached on their own.
    let res = app.listar(&[("lugar", "Lima")]).await;
    assert_eq!(x_cache(&res), "MISS");
    let res = app.listar(&[("lugar", "Lima")]).await;
    assert_eq!(x_cache(&res), "HIT");

    // A new event shows up at once, in every cached page.
    app.crear_evento_ok(&evento("b", "B", &rfc3339(en_dias(5)), "Lima"))
        .await;
    if let Some(r) = &app.redis {
        assert!(
            !r.exists("eventos:listas").await,
            "pages dropped by the POST"
        );
    }
    let res = app.listar(&[]).await;
    assert_eq!(x_cache(&res), "MISS");
    let v = assert_json(res, 200).await;
    assert_eq!(
        (v["total"].as_u64(), ids_of(&v)),
        (Some(2), vec!["b".into(), "a".into()])
    );
    let res = app.listar(&[("lugar", "Lima")]).await;
    assert_eq!(x_cache(&res), "MISS");
    assert_eq!(ids_of(&assert_json(res, 200).await), ["b", "a"]);
    assert_eq!(x_cache(&app.listar(&[]).await), "HIT");

    // So does a change to one.
    assert_json(
        app.actualizar_evento("a", &json!({"nombre": "A2", "lugar": "Cusco"}))
            .await,
        200,
    )
    .await;
    let res = app.listar(&[]).await;
    assert_eq!(x_cache(&res), "MISS");
    assert_eq!(assert_json(res, 200).await["items"][1]["nombre"], "A2");
    assert_eq!(app.ids(&[("lugar", "Lima")]).await.1, ["b"]);
}

en_ambos_backends!(cache_caduca, |c: &mut Config| c.cache_ttl =
    Duration::from_secs(1));
async fn cache_caduca(app: &TestApp) {
    let id = app.crear_evento_ok(&valido()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(x_cache(&app.obtener_evento(&id).await), "MISS");
    assert_eq!(x_cache(&app.listar(&[]).await), "MISS");
    if let Some(r) = &app.redis {
        let ttl = r.pttl(&format!("eventos:evento:{id}")).await;
        assert!(ttl > 0 && ttl <= 1000, "pttl {ttl}");
        let ttl = r.pttl("eventos:listas").await;
        assert!(ttl > 0 && ttl <= 1000, "pttl {ttl}");
    }
    assert_eq!(x_cache(&app.obtener_evento(&id).await), "HIT");
    assert_eq!(x_cache(&app.listar(&[]).await), "HIT");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    if let Some(r) = &app.redis {
        assert!(!r.exists(&format!("eventos:evento:{id}")).await);
    }
    assert_eq!(x_cache(&app.obtener_evento(&id).await), "MISS");
    assert_eq!(x_cache(&app.listar(&[]).await), "MISS");
    assert_eq!(x_cache(&app.obtener_evento(&id).await), "HIT");
}

// 11. Health, readiness, docs and the served OpenAPI document.

en_ambos_backends!(salud_y_documentacion);
async fn salud_y_documentacion(app: &TestApp) {
    assert_eq!(
        assert_json(app.get("/health").await, 200).await,
        json!({"status": "ok"})
    );
    let ready = assert_json(app.get("/ready").await, 200).await;
    assert_eq!(ready["status"], "ready");
    let esperadas = if app.is_real() {
        json!({"mongodb": "ok", "redis": "ok"})
    } else {
        json!({"embebido": "ok"})
    };
    assert_eq!(ready["dependencias"], esperadas, "{ready}");

    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), 200);
    let ct = docs
        .headers()
        .get(CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(ct.starts_with("text/html"), "{ct}");
    assert!(docs
        .text()
        .await
        .unwrap()
        .to_lowercase()
        .contains("swagger"));

    let doc = assert_json(app.get("/api-docs/openapi.json").await, 200).await;
    assert_eq!(
        doc,
        serde_json::to_value(eventos_service::http::openapi()).unwrap(),
        "served document is the one the snapshot checks"
    );
    let mut documentadas = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documentadas.insert((method.clone(), path.clone()));
            }
        }
    }
    for (m, p) in [
        ("get", "/api/eventos"),
        ("post", "/api/eventos"),
        ("get", "/api/eventos/{id}"),
        ("patch", "/api/eventos/{id}"),
        ("get", "/health"),
        ("get", "/ready"),
    ] {
        assert!(
            documentadas.contains(&(m.to_owned(), p.to_owned())),
            "{m} {p} missing from {documentadas:?}"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    // Every status these tests see an operation answer is documented for it, and only
    // the operations that can answer 401 declare the bearer scheme.
    for (m, p, statuses) in [
        (
            "post",
            "/api/eventos",
            &["201", "400", "401", "409", "413", "415", "422", "503"][..],
        ),
        ("get", "/api/eventos", &["200", "422", "503"]),
        ("get", "/api/eventos/{id}", &["200", "404", "422", "503"]),
        (
            "patch",
            "/api/eventos/{id}",
            &["200", "400", "401", "404", "413", "415", "422", "503"],
        ),
        ("get", "/ready", &["200", "503"]),
    ] {
        let op = &doc["paths"][p][m];
        let documentados = op["responses"].as_object().unwrap();
        for s in statuses {
            assert!(
                documentados.contains_key(*s),
                "{m} {p} answers {s} but does not document it"
            );
        }
        // A credential is required (a non-empty requirement, not only the public `{}`)
        // exactly where a 401 is documented.
        let exige = op["security"].as_array().is_some_and(|r| {
            r.iter()
                .any(|req| req.as_object().is_some_and(|o| !o.is_empty()))
        });
        assert_eq!(exige, statuses.contains(&"401"), "{m} {p}");
    }
    // And every documented operation is routed (no 404 "no such route", no 405).
    for (method, path) in &documentadas {
        let concreto = path
            .replace("{id}", "doc-check")
            .replace("{reserva_id}", "doc-check");
        let res = app
            .client
            .request(method.to_uppercase().parse().unwrap(), app.url(&concreto))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap();
        assert_ne!(status, 405, "{method} {path}: {body}");
        assert!(
            !(status == 404 && body.contains("No existe esa ruta")),
            "{method} {path} is documented but not routed"
        );
    }
}

// 9. A Redis outage does not fail reads.

/// A private `redis-server` that the test can stop or kill. Killed on drop, so it never
/// outlives the test, even a failing one.
struct RedisHijo {
    child: Option<Child>,
    port: u16,
}

impl RedisHijo {
    fn start(port: u16) -> Self {
        let child = Command::new(REDIS_SERVER)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        Self {
            child: Some(child),
            port,
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ping = async {
                let mut c = redis::Client::open(self.url())
                    .ok()?
                    .get_multiplexed_async_connection()
                    .await
                    .ok()?;
                redis::cmd("PING").query_async::<String>(&mut c).await.ok()
            };
            if ping.await.is_some() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on {} never answered",
                self.port
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Freezes the process: connections stay open and nothing answers (a hung Redis).
    fn stop(&self) {
        let pid = self.child.as_ref().expect("running").id().to_string();
        let ok = Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .expect("kill -STOP");
        assert!(ok.success());
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for RedisHijo {
    fn drop(&mut self) {
        self.kill();
    }
}

const REDIS_SERVER: &str = "/usr/bin/redis-server";

fn puerto_libre() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs `f`, asserting it answers within `limite`.
async fn a_tiempo<T>(que: &str, limite: Duration, f: impl std::future::Future<Output = T>) -> T {
    let t = Instant::now();
    let out = f.await;
    assert!(
        t.elapsed() <= limite,
        "{que} took {:?} with Redis out (limit {limite:?})",
        t.elapsed()
    );
    out
}

/// MongoDB plus a private Redis, with one event read twice (so both reads are cached).
/// `None` when MongoDB or redis-server are absent and real backends are not required.
async fn app_con_redis_propio() -> Option<(RedisHijo, TestApp, Value)> {
    let uri = testing::mongo_uri().await?;
    if !std::path::Path::new(REDIS_SERVER).exists() {
        assert!(
            !testing::real_backends_required(),
            "EVENTFLOW_REAL_BACKENDS=1 but {REDIS_SERVER} is missing"
        );
        eprintln!("SKIPPED: {REDIS_SERVER} is missing");
        return None;
    }
    let hijo = RedisHijo::start(puerto_libre());
    hijo.wait_ready().await;
    let app = spawn_app(Config {
        store: StoreConfig::Mongo {
            uri: uri.into(),
            database: testing::unique_name("evt"),
        },
        redis: RedisConfig::Redis {
            url: hijo.url().into(),
            prefix: format!("{}:", testing::unique_name("evt")),
        },
        ..Config::embedded()
    })
    .await;
    let creado = app.crear_evento_ok(&valido()).await;
    let id = creado["id"].as_str().unwrap();
    assert_eq!(x_cache(&app.obtener_evento(id).await), "MISS");
    let res = app.obtener_evento(id).await;
    assert_eq!(x_cache(&res), "HIT");
    assert_eq!(assert_json(res, 200).await, creado);
    assert_eq!(x_cache(&app.listar(&[]).await), "MISS");
    assert_eq!(x_cache(&app.listar(&[]).await), "HIT");
    Some((hijo, app, creado))
}

/// With the cache out, reads and writes are served by MongoDB within `limite`, and
/// `/ready` says Redis is the problem.
async fn sirve_sin_redis(app: &TestApp, creado: &Value, limite: Duration) {
    let id = creado["id"].as_str().unwrap();
    for _ in 0..3 {
        let res = a_tiempo("GET /api/eventos/{id}", limite, app.obtener_evento(id)).await;
        assert_eq!(x_cache(&res), "MISS", "served from MongoDB");
        assert_eq!(&assert_json(res, 200).await, creado);
        let res = a_tiempo("GET /api/eventos", limite, app.listar(&[])).await;
        assert_eq!(x_cache(&res), "MISS");
        let page = assert_json(res, 200).await;
        assert_eq!(
            (&page["total"], &page["items"]),
            (&json!(1), &json!([creado]))
        );
    }
    let res = a_tiempo(
        "PATCH",
        limite,
        app.actualizar_evento(id, &json!({"nombre": "Sin caché"})),
    )
    .await;
    assert_eq!(assert_json(res, 200).await["nombre"], "Sin caché");
    let res = a_tiempo("GET after PATCH", limite, app.obtener_evento(id)).await;
    assert_eq!(assert_json(res, 200).await["nombre"], "Sin caché");

    let res = a_tiempo("GET /ready", Duration::from_secs(5), app.get("/ready")).await;
    let p = assert_problem(res, 503).await;
    assert_eq!(p["dependencia"], "redis", "{p}");
    assert_eq!(p["dependencias"]["mongodb"], "ok", "{p}");
    assert!(
        p["dependencias"]["redis"]
            .as_str()
            .is_some_and(|s| s.starts_with("error")),
        "{p}"
    );
}

#[tokio::test]
async fn redis_caido_no_rompe_lecturas() {
    let Some((mut hijo, app, creado)) = app_con_redis_propio().await else {
        return;
    };
    hijo.kill();
    sirve_sin_redis(&app, &creado, Duration::from_secs(2)).await;

    // Redis comes back (empty): the service uses it again without a restart.
    let hijo = RedisHijo::start(hijo.port);
    hijo.wait_ready().await;
    let id = creado["id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.get("/ready").await.status() != 200 {
        assert!(Instant::now() < deadline, "/ready never recovered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert_eq!(app.obtener_evento(id).await.status(), 200);
        let res = app.obtener_evento(id).await;
        if x_cache(&res) == "HIT" {
            assert_eq!(assert_json(res, 200).await["nombre"], "Sin caché");
            break;
        }
        assert!(Instant::now() < deadline, "the cache was never used again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn redis_colgado_no_rompe_lecturas() {
    let Some((hijo, app, creado)) = app_con_redis_propio().await else {
        return;
    };
    hijo.stop();
    // Each cache call gives up after the 800 ms response timeout; a read makes two.
    sirve_sin_redis(&app, &creado, Duration::from_secs(3)).await;
}

// MongoDB going away mid-flight: 503 naming it, never a hang or a 500.

/// A TCP proxy in front of MongoDB that the test can cut: it stops accepting and drops
/// every open connection, as a crashed server would.
struct ProxyMongo {
    port: u16,
    tareas: tokio::task::JoinSet<()>,
}

impl ProxyMongo {
    async fn start(destino: std::net::SocketAddr) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mut tareas = tokio::task::JoinSet::new();
        tareas.spawn(async move {
            let mut conexiones = tokio::task::JoinSet::new();
            while let Ok((mut cliente, _)) = listener.accept().await {
                conexiones.spawn(async move {
                    if let Ok(mut servidor) = tokio::net::TcpStream::connect(destino).await {
                        let _ = tokio::io::copy_bidirectional(&mut cliente, &mut servidor).await;
                    }
                });
            }
        });
        Self { port, tareas }
    }

    /// Closes the listener and every proxied connection (the accept task owns them all).
    async fn cortar(&mut self) {
        self.tareas.shutdown().await;
    }
}

#[tokio::test]
async fn mongodb_caido_responde_503() {
    let Some(uri) = testing::mongo_uri().await else {
        return;
    };
    let destino = uri
        .trim_start_matches("mongodb://")
        .split(['/', '?'])
        .next()
        .and_then(|hosts| hosts.rsplit('@').next()) // after any credentials
        .and_then(|hosts| hosts.split(',').next()) // the first seed
        .unwrap()
        .to_owned();
    let destino = tokio::net::lookup_host(destino.as_str())
        .await
        .unwrap()
        .next()
        .unwrap();
    let mut proxy = ProxyMongo::start(destino).await;
    let app = spawn_app(Config {
        store: StoreConfig::Mongo {
            uri: format!("mongodb://127.0.0.1:{}/?directConnection=true", proxy.port).into(),
            database: testing::unique_name("evt"),
        },
        ..Config::embedded()
    })
    .await;
    let creado = app.crear_evento_ok(&valido()).await;
    let id = creado["id"].as_str().unwrap().to_owned();
    assert_eq!(x_cache(&app.obtener_evento(&id).await), "MISS");

    proxy.cortar().await;
    let limite = Duration::from_secs(5);
    // Already cached: still served.
    let res = a_tiempo("cached GET", limite, app.obtener_evento(&id)).await;
    assert_eq!(x_cache(&res), "HIT");
    assert_eq!(assert_json(res, 200).await, creado);
    // Anything that needs MongoDB: 503 naming it.
    for res in [
        a_tiempo("GET unknown", limite, app.obtener_evento("otro")).await,
        a_tiempo("GET list", limite, app.listar(&[])).await,
        a_tiempo("POST", limite, app.crear_evento(&valido())).await,
        a_tiempo(
            "PATCH",
            limite,
            app.actualizar_evento(&id, &json!({"nombre": "X"})),
        )
        .await,
    ] {
        let p = assert_problem(res, 503).await;
        assert_eq!(p["type"], "urn:eventflow:problem:servicio-no-disponible");
        assert_eq!(p["dependencia"], "mongodb", "{p}");
    }
    let p = assert_problem(a_tiempo("ready", limite, app.get("/ready")).await, 503).await;
    assert_eq!(p["dependencia"], "mongodb", "{p}");
}

// 10. Configured backends that are unreachable fail start-up, naming them.

async fn build_error(config: Config) -> String {
    let t = Instant::now();
    let err = match eventos_service::build(config).await {
        Ok(_) => panic!("build succeeded with an unreachable backend"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        t.elapsed() < Duration::from_secs(15),
        "fails fast: {:?}",
        t.elapsed()
    );
    err
}

#[tokio::test]
async fn mongodb_inalcanzable_falla_al_arrancar() {
    let err = build_error(Config {
        store: StoreConfig::Mongo {
            uri: "mongodb://127.0.0.1:1".into(),
            database: "eventos".into(),
        },
        ..Config::embedded()
    })
    .await;
    assert!(err.contains("mongodb://127.0.0.1:1"), "{err}");
}

#[tokio::test]
async fn redis_inalcanzable_falla_al_arrancar() {
    let err = build_error(Config {
        redis: RedisConfig::Redis {
            url: "redis://127.0.0.1:1".into(),
            prefix: String::new(),
        },
        ..Config::embedded()
    })
    .await;
    assert!(err.contains("redis://127.0.0.1:1"), "{err}");
}
