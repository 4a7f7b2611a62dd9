//! The seeds' clients, unchanged, against the whole platform (usuarios, eventos,
//! reservas-pagos) on both backends. Each request is the seed's documented one, byte for
//! byte (its README, its JMeter plan, the .NET design's body); only the dates moved to
//! the future, since the seeds' own dates have passed. Each answer is checked the way a
//! client of that seed reads it: seed 001 treats any 2xx as success and reads `status`
//! and `reason` otherwise; seed 000 reads `/events` with decimal prices.

use super::common;

use common::Backend;
use serde_json::{json, Value};

/// Seed 001's user, as its README's data model has it (`historial_compras` included).
const USUARIO_SEED001: &str = r#"{
  "tipo_documento": "DNI",
  "nro_documento": "51234567",
  "nombre": "Cristian",
  "apellido": "Norte",
  "email": "cnorte@example.com",
  "historial_compras": []
}"#;

/// Seed 001's event (README), with `fecha` a date alone, as the seed writes it.
const EVENTO_SEED001: &str = r#"{
  "id": "evt123",
  "nombre": "Concierto Arctic Monkeys",
  "fecha": "2031-11-10",
  "lugar": "Antel Arena",
  "aforo_total": 12000,
  "entradas_disponibles": 8500
}"#;

/// Seed 001's JMeter plan body, CRLFs included.
const RESERVA_SEED001: &str =
    "{\r\n  \"evento_id\": \"evt123\",\r\n  \"email\": \"cnorte@example.com\"\r\n}";

/// Seed 000's `POST /events` body.
const EVENTO_SEED000: &str = r#"{"name":"Rock Festival","date":"2031-02-14T20:00:00","place":"Arena Lima","zones":[{"name":"VIP","price":150,"capacity":100},{"name":"General","price":50,"capacity":500}]}"#;

async fn enviar(url: String, cuerpo: &str, admin: bool) -> (u16, String, Value) {
    let r = crate::comun::post_crudo(url, cuerpo, admin).await;
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, r.json().await.unwrap())
}

async fn leer(url: String) -> Value {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

ambos!(cliente_de_la_semilla_001);
async fn cliente_de_la_semilla_001(backend: Backend) {
    let s = common::stack(backend).await;
    let (st, _, u) = enviar(
        format!("{}/api/usuarios", s.usuarios),
        USUARIO_SEED001,
        false,
    )
    .await;
    assert_eq!(st, 201, "{u}");
    let (st, _, e) = enviar(format!("{}/api/eventos", s.eventos), EVENTO_SEED001, true).await;
    assert_eq!(st, 201, "{e}");
    assert_eq!(
        (&e["fecha"], &e["entradas_disponibles"]),
        (&json!("2031-11-10T00:00:00-05:00"), &json!(8500)),
        "a date alone is 00:00 at the venue: {e}"
    );

    // The JMeter body books one ticket: a 2xx, `status: "ok"`, as the seed answered.
    let (st, ct, r) = enviar(
        format!("{}/api/reservar", s.reservas),
        RESERVA_SEED001,
        false,
    )
    .await;
    assert_eq!((st, ct.as_str()), (201, "application/json"), "{r}");
    assert_eq!(r["status"], "ok", "{r}");
    assert_eq!(r["estado"], "CONFIRMADA", "{r}");
    let e = leer(format!("{}/api/eventos/evt123", s.eventos)).await;
    assert_eq!(e["entradas_disponibles"], 8499, "{e}");
    let u = s.get_usuario("cnorte@example.com").await;
    let historial = s.historial(u["id"].as_str().unwrap()).await;
    assert_eq!(historial, [r["id"].as_str().unwrap()], "{u}");

    // Failures: a non-2xx whose `status` is "error" and whose `reason` says why.
    for (cuerpo, http, motivo) in [
        (
            RESERVA_SEED001.replace("evt123", "no-existe"),
            404,
            "El evento no existe",
        ),
        (
            RESERVA_SEED001.replace("cnorte@", "nadie@"),
            404,
            "El usuario no existe",
        ),
        (
            RESERVA_SEED001.replace("cnorte@example.com", "cnorte-example.com"),
            422,
            "Campos inválidos: email",
        ),
    ] {
        let (st, _, p) = enviar(format!("{}/api/reservar", s.reservas), &cuerpo, false).await;
        assert_eq!(st, http, "{p}");
        assert_eq!(p["status"], "error", "{p}");
        let reason = p["reason"]
            .as_str()
            .unwrap_or_else(|| panic!("no reason: {p}"));
        assert!(reason.contains(motivo), "{reason}");
        assert_eq!(p["reason"], p["detail"], "{p}");
    }
    // Sold out, as the seed's "Sin disponibilidad".
    let (st, _, _) = enviar(
        format!("{}/api/eventos", s.eventos),
        r#"{"id":"evt1","nombre":"Unplugged","fecha":"2031-11-11","lugar":"Sala","aforo_total":1,"entradas_disponibles":1}"#,
        true,
    )
    .await;
    assert_eq!(st, 201);
    let jmeter = RESERVA_SEED001.replace("evt123", "evt1");
    let (st, _, _) = enviar(format!("{}/api/reservar", s.reservas), &jmeter, false).await;
    assert_eq!(st, 201);
    // Another buyer (the same one again within 10 s would get their own reservation
    // back, the double-submit guard).
    s.usuario(2).await;
    let otro = jmeter.replace("cnorte@example.com", "c2@example.com");
    let (st, _, p) = enviar(format!("{}/api/reservar", s.reservas), &otro, false).await;
    assert_eq!((st, &p["status"]), (409, &json!("error")), "{p}");
    assert!(p["reason"].as_str().unwrap().contains("agotad"), "{p}");

    // A client of ours, naming a zone or a quantity, keeps RFC 9457's numeric status,
    // with `reason` beside it.
    let (st, ct, p) = enviar(
        format!("{}/api/reservar", s.reservas),
        r#"{"evento_id":"evt1","email":"c2@example.com","cantidad":1}"#,
        false,
    )
    .await;
    assert_eq!((st, ct.as_str()), (409, "application/problem+json"), "{p}");
    assert_eq!(p["status"], 409, "{p}");
    assert_eq!(p["reason"], p["detail"], "{p}");
}

ambos!(cliente_de_la_semilla_000);
async fn cliente_de_la_semilla_000(backend: Backend) {
    let s = common::stack(backend).await;
    let (st, _, e) = enviar(format!("{}/events", s.eventos), EVENTO_SEED000, true).await;
    assert_eq!(st, 201, "{e}");
    let id = e["id"].as_str().unwrap().to_owned();
    assert_eq!(
        e["zones"],
        json!([{"name":"VIP","price":150.0,"capacity":100,"available":100},
               {"name":"General","price":50.0,"capacity":500,"available":500}])
    );
    let lista = leer(format!("{}/events", s.eventos)).await;
    assert_eq!(lista, json!([e.clone()]));

    // Sold through reservas, as any event: 2 VIP at 150.00 each.
    let u = s.usuario(1).await;
    let r = s
        .reservar(
            json!({"usuario_id": u, "evento_id": id, "zona": "VIP", "cantidad": 2,
            "pago": {"metodo": "tarjeta", "numero_tarjeta": "4242424242424242", "titular": "Ana"}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let r: Value = r.json().await.unwrap();
    assert_eq!(
        (&r["total"], &r["status"]),
        (&json!(30000), &json!("ok")),
        "{r}"
    );
    let e = leer(format!("{}/events/{id}", s.eventos)).await;
    assert_eq!(e["zones"][0]["available"], 98, "{e}");
    let nuestro = leer(format!("{}/api/eventos/{id}", s.eventos)).await;
    assert_eq!(nuestro["zonas"][0]["vendidas"], 2, "{nuestro}");
    s.conciliado(&id).await;
}
