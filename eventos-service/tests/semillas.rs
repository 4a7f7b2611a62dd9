//! The two seed designs' event clients against eventos, on both backends: the date forms
//! they write (a date alone, a local date-time) read in the venue's time zone, and seed
//! 000's `/events` API over the same events as `/api/eventos`, with decimal prices.

#[allow(dead_code)]
#[macro_use]
mod common;

use std::collections::BTreeSet;

use common::*;
use reqwest::header::{AUTHORIZATION, LOCATION};
use reqwest::Method;
use serde_json::{json, Value};

fn evento(fecha: &str, zona: Option<&str>) -> Value {
    let mut e = json!({
        "nombre": "Rock en el Parque", "fecha": fecha, "lugar": "Estadio Nacional",
        "zonas": [{"nombre": "General", "precio": 5000, "capacidad": 100}],
    });
    if let Some(z) = zona {
        e["zona_horaria"] = json!(z);
    }
    e
}

/// Seed 000's body, as its README has it (with a date that stays in the future).
fn evento_seed000() -> Value {
    json!({"name":"Rock Festival","date":"2031-02-14T20:00:00","place":"Arena Lima",
        "zones":[{"name":"VIP","price":150,"capacity":100},{"name":"General","price":50,"capacity":500}]})
}

async fn post_events(app: &TestApp, body: &Value) -> reqwest::Response {
    app.admin(Method::POST, "/events")
        .json(body)
        .send()
        .await
        .unwrap()
}

en_ambos_backends!(cada_forma_de_fecha_en_la_zona_del_lugar);
async fn cada_forma_de_fecha_en_la_zona_del_lugar(app: &TestApp) {
    // (sent fecha, zone, what responses show)
    for (fecha, zona, muestra) in [
        ("2031-11-10", None, "2031-11-10T00:00:00-05:00"),
        ("2031-11-10T20:00:00", None, "2031-11-10T20:00:00-05:00"),
        ("2031-11-10T20:00", None, "2031-11-10T20:00:00-05:00"),
        ("2031-11-10T20:00:00Z", None, "2031-11-10T15:00:00-05:00"),
        (
            "2031-11-10T20:00:00+01:00",
            Some("Europe/Madrid"),
            "2031-11-10T20:00:00+01:00",
        ),
        // Summer in Madrid: the offset is the zone's on that date, not today's.
        (
            "2031-07-10T20:00:00",
            Some("Europe/Madrid"),
            "2031-07-10T20:00:00+02:00",
        ),
    ] {
        let creado = app.crear_evento_ok(&evento(fecha, zona)).await;
        assert_eq!(creado["fecha"], muestra, "{fecha} {zona:?}: {creado}");
        assert_eq!(
            creado["zona_horaria"],
            zona.unwrap_or("America/Lima"),
            "{creado}"
        );
        let id = creado["id"].as_str().unwrap();
        let leido = assert_json(app.obtener_evento(id).await, 200).await;
        assert_eq!(
            (&leido["fecha"], &leido["zona_horaria"]),
            (&creado["fecha"], &creado["zona_horaria"])
        );
    }

    // 02:30 on the night Madrid moves its clocks forward does not exist there.
    let campos = assert_invalid(
        app.crear_evento(&evento("2031-03-30T02:30:00", Some("Europe/Madrid")))
            .await,
    )
    .await;
    assert_eq!(campos, ["fecha"]);
    let p = assert_problem(
        app.crear_evento(&evento("2031-03-30T02:30:00", Some("Europe/Madrid")))
            .await,
        422,
    )
    .await;
    assert!(
        p["errors"][0]["mensaje"]
            .as_str()
            .unwrap()
            .contains("no existe en Europe/Madrid"),
        "{p}"
    );
    // The same wall time in Lima (no DST) is fine.
    app.crear_evento_ok(&evento("2031-03-30T02:30:00", None))
        .await;
    for (zona, campo) in [("Lima/Peru", "zona_horaria"), ("", "zona_horaria")] {
        let campos =
            assert_invalid(app.crear_evento(&evento("2031-11-10", Some(zona))).await).await;
        assert_eq!(campos, [campo], "{zona:?}");
    }
}

en_ambos_backends!(cambiar_fecha_y_zona);
async fn cambiar_fecha_y_zona(app: &TestApp) {
    let creado = app
        .crear_evento_ok(&evento("2031-11-10T20:00:00", None))
        .await;
    let id = creado["id"].as_str().unwrap();
    // A local date in a PATCH is read in the event's own zone.
    let v = assert_json(
        app.actualizar_evento(id, &json!({"fecha": "2031-11-11T21:30"}))
            .await,
        200,
    )
    .await;
    assert_eq!(v["fecha"], "2031-11-11T21:30:00-05:00", "{v}");
    // A new zone alone keeps the instant: the same moment, shown in the new zone.
    let v = assert_json(
        app.actualizar_evento(id, &json!({"zona_horaria": "America/Bogota"}))
            .await,
        200,
    )
    .await;
    assert_eq!(
        (&v["fecha"], &v["zona_horaria"]),
        (
            &json!("2031-11-11T21:30:00-05:00"),
            &json!("America/Bogota")
        )
    );
    let v = assert_json(
        app.actualizar_evento(
            id,
            &json!({"zona_horaria": "Europe/Madrid", "fecha": "2031-11-12T19:00:00"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(v["fecha"], "2031-11-12T19:00:00+01:00", "{v}");
    let leido = assert_json(app.obtener_evento(id).await, 200).await;
    assert_eq!(
        (&leido["fecha"], &leido["zona_horaria"]),
        (&json!("2031-11-12T19:00:00+01:00"), &json!("Europe/Madrid"))
    );
    let campos = assert_invalid(
        app.actualizar_evento(id, &json!({"fecha": "2031-03-30T02:30:00"}))
            .await,
    )
    .await;
    assert_eq!(campos, ["fecha"], "the DST gap of the event's own zone");
}

en_ambos_backends!(filtros_con_fechas_locales);
async fn filtros_con_fechas_locales(app: &TestApp) {
    // 23:30 in Lima on the 10th is already the 11th in UTC.
    let tarde = app
        .crear_evento_ok(&evento("2031-11-10T23:30:00", None))
        .await;
    let otro = app
        .crear_evento_ok(&evento("2031-11-11T10:00:00", None))
        .await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.ids(&[("desde", "2031-11-10"), ("hasta", "2031-11-10T23:59:59")])
            .await,
        (1, vec![id(&tarde)]),
        "local bounds are Lima's (EVENTFLOW_ZONA_HORARIA)"
    );
    assert_eq!(
        app.ids(&[("desde", "2031-11-11")]).await,
        (1, vec![id(&otro)])
    );
}

en_ambos_backends!(api_seed000);
async fn api_seed000(app: &TestApp) {
    let res = post_events(app, &evento_seed000()).await;
    let location = res
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned());
    let creado = assert_json(res, 201).await;
    let id = creado["id"].as_str().unwrap().to_owned();
    assert_eq!(location.as_deref(), Some(format!("/events/{id}").as_str()));
    let claves = eventflow_testkit::respuestas::claves(&creado);
    assert_eq!(
        claves,
        BTreeSet::from(["id", "name", "date", "place", "zones"]),
        "{creado}"
    );
    assert_eq!(
        creado,
        json!({"id": id, "name": "Rock Festival", "date": "2031-02-14T20:00:00-05:00",
            "place": "Arena Lima", "zones": [
                {"name": "VIP", "price": 150.0, "capacity": 100, "available": 100},
                {"name": "General", "price": 50.0, "capacity": 500, "available": 500}]})
    );

    // GET /events/{id}: the same, then from the cache.
    let res = app.get(&format!("/events/{id}")).await;
    assert_eq!(x_cache(&res), "MISS");
    assert_eq!(assert_json(res, 200).await, creado);
    let res = app.get(&format!("/events/{id}")).await;
    if app.is_real() {
        assert_eq!(x_cache(&res), "HIT");
    }
    assert_eq!(assert_json(res, 200).await, creado);
    assert_problem(app.get("/events/no-existe").await, 404).await;
    assert_problem(app.get("/events/a%20b").await, 422).await;

    // GET /events: an array, cached like /api/eventos's list and dropped by any write.
    let res = app.get("/events").await;
    assert_eq!(x_cache(&res), "MISS");
    assert_eq!(assert_json(res, 200).await, json!([creado.clone()]));
    let res = app.get("/events").await;
    if app.is_real() {
        assert_eq!(x_cache(&res), "HIT");
    }
    assert_json(res, 200).await;
    let segundo = assert_json(
        post_events(
            app,
            &json!({"name": "Jazz", "date": "2031-01-20", "place": "Lima",
            "zones": [{"name": "General", "price": 0.01, "capacity": 1}]}),
        )
        .await,
        201,
    )
    .await;
    let res = app.get("/events").await;
    assert_eq!(x_cache(&res), "MISS", "a new event drops the cached list");
    let lista = assert_json(res, 200).await;
    let nombres: Vec<&str> = lista
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(nombres, ["Jazz", "Rock Festival"], "by date");
    assert_eq!(segundo["date"], "2031-01-20T00:00:00-05:00");
    let pagina = assert_json(app.get("/events?limit=1&offset=1").await, 200).await;
    assert_eq!(pagina[0]["id"], creado["id"]);
    for q in ["limit=0", "limit=101", "limit=x", "offset=-1"] {
        assert_problem(app.get(&format!("/events?{q}")).await, 422).await;
    }

    // Credentials: as on /api/eventos.
    let sin = app
        .client
        .post(app.url("/events"))
        .json(&evento_seed000())
        .send()
        .await
        .unwrap();
    assert_problem(sin, 401).await;
    let ajeno = app
        .client
        .post(app.url("/events"))
        .header(AUTHORIZATION, "Bearer eventflow-dev-reservas")
        .json(&evento_seed000())
        .send()
        .await
        .unwrap();
    assert!(ajeno.status().is_client_error(), "{}", ajeno.status());
}

en_ambos_backends!(validacion_seed000);
async fn validacion_seed000(app: &TestApp) {
    let con = |f: &dyn Fn(&mut Value)| {
        let mut b = evento_seed000();
        f(&mut b);
        b
    };
    let casos: Vec<(&str, Value, &str)> = vec![
        (
            "precio negativo",
            con(&|b| b["zones"][0]["price"] = json!(-1)),
            "zones[0].price",
        ),
        (
            "3 decimales",
            con(&|b| b["zones"][1]["price"] = json!(150.555)),
            "zones[1].price",
        ),
        (
            "NaN como texto",
            con(&|b| b["zones"][0]["price"] = json!("NaN")),
            "zones[0].price",
        ),
        (
            "capacidad 0",
            con(&|b| b["zones"][0]["capacity"] = json!(0)),
            "zones[0].capacity",
        ),
        ("sin zonas", con(&|b| b["zones"] = json!([])), "zones"),
        (
            "fecha pasada",
            con(&|b| b["date"] = json!("2001-01-01")),
            "date",
        ),
        (
            "fecha ilegible",
            con(&|b| b["date"] = json!("14/02/2031")),
            "date",
        ),
        ("nombre vacío", con(&|b| b["name"] = json!(" ")), "name"),
        (
            "zona repetida",
            con(&|b| b["zones"][1]["name"] = json!("vip")),
            "zones[1].name",
        ),
        (
            "campo desconocido",
            con(&|b| b["descripcion"] = json!("x")),
            "descripcion",
        ),
        (
            "falta place",
            con(&|b| {
                b.as_object_mut().unwrap().remove("place");
            }),
            "place",
        ),
    ];
    for (caso, body, campo) in casos {
        let p = assert_problem(post_events(app, &body).await, 422).await;
        let campos: Vec<&str> = p["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{caso}: {p}"))
            .iter()
            .map(|e| e["campo"].as_str().unwrap())
            .collect();
        assert_eq!(campos, [campo], "{caso}: {p}");
        let texto = p.to_string();
        assert!(
            !texto.contains("invalid type") && !texto.contains("missing field"),
            "{caso}: {p}"
        );
    }
    assert_eq!(app.ids(&[]).await.0, 0, "nothing was published");
}

en_ambos_backends!(precios_decimales_ida_y_vuelta);
async fn precios_decimales_ida_y_vuelta(app: &TestApp) {
    let precios = [0.0, 0.01, 150.0, 150.5, 99999.99];
    let centimos = [0, 1, 15000, 15050, 9999999];
    let zonas: Vec<Value> = precios
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"name": format!("Z{i}"), "price": p, "capacity": 10}))
        .collect();
    let creado = assert_json(
        post_events(
            app,
            &json!({"name": "Precios", "date": "2031-05-01T20:00:00",
            "place": "Lima", "zones": zonas}),
        )
        .await,
        201,
    )
    .await;
    let id = creado["id"].as_str().unwrap();
    let nuestro = assert_json(app.obtener_evento(id).await, 200).await;
    for (i, (p, c)) in precios.iter().zip(centimos).enumerate() {
        assert_eq!(nuestro["zonas"][i]["precio"], c, "{p} → céntimos");
        assert_eq!(creado["zones"][i]["price"].as_f64(), Some(*p), "{p} back");
    }
    let leido = assert_json(app.get(&format!("/events/{id}")).await, 200).await;
    assert_eq!(leido, creado);
}

en_ambos_backends!(visibles_y_vendibles_por_ambas_apis);
async fn visibles_y_vendibles_por_ambas_apis(app: &TestApp) {
    // Made through seed 000's API, read and held through ours.
    let del_seed = assert_json(post_events(app, &evento_seed000()).await, 201).await;
    let id = del_seed["id"].as_str().unwrap();
    let nuestro = assert_json(app.obtener_evento(id).await, 200).await;
    assert_eq!(
        (
            &nuestro["nombre"],
            &nuestro["lugar"],
            &nuestro["zonas"][0]["precio"]
        ),
        (&json!("Rock Festival"), &json!("Arena Lima"), &json!(15000))
    );
    assert_eq!(nuestro["zona_horaria"], "America/Lima");
    // Cache both shapes, then sell: a hold drops both.
    assert_json(app.get(&format!("/events/{id}")).await, 200).await;
    assert_json(app.get("/events").await, 200).await;
    let retenida = app
        .client
        .post(app.url(&format!("/internal/eventos/{id}/retenciones")))
        .header(AUTHORIZATION, "Bearer eventflow-dev-reservas")
        .json(&json!({"reserva_id": "r1", "zona": "VIP", "cantidad": 3}))
        .send()
        .await
        .unwrap();
    assert_json(retenida, 200).await;
    let res = app.get(&format!("/events/{id}")).await;
    assert_eq!(x_cache(&res), "MISS", "the hold dropped the cached copy");
    assert_eq!(assert_json(res, 200).await["zones"][0]["available"], 97);
    assert_eq!(
        assert_json(app.get("/events").await, 200).await[0]["zones"][0]["available"],
        97
    );

    // Made through ours, read through seed 000's.
    let nuestro = app
        .crear_evento_ok(&json!({"nombre": "Salsa", "fecha": "2031-06-01T21:00:00",
            "lugar": "Callao", "zonas": [{"nombre": "Pista", "precio": 8050, "capacidad": 40}]}))
        .await;
    let id = nuestro["id"].as_str().unwrap();
    let suyo = assert_json(app.get(&format!("/events/{id}")).await, 200).await;
    assert_eq!(
        suyo,
        json!({"id": id, "name": "Salsa", "date": "2031-06-01T21:00:00-05:00", "place": "Callao",
            "zones": [{"name": "Pista", "price": 80.5, "capacity": 40, "available": 40}]})
    );
}
