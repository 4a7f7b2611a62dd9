//! Bodies that do not fit, as a client sends them: each class of serde failure (missing
//! field, wrong type, out of range, unknown field, unknown value, broken JSON) comes
//! back as a Spanish problem naming the field, with none of serde's English, on every
//! service's create route. Unknown fields are refused; the seeds' bodies still pass.

use super::common;

use common::Backend;
use serde_json::{json, Value};

/// What serde or serde_json would have said, in any of its words.
const INGLES: &[&str] = &[
    "missing field",
    "invalid type",
    "invalid value",
    "unknown field",
    "unknown variant",
    "expected",
    "at line",
    " column ",
    "out of range",
    "EOF",
    "floating point",
];

async fn mandar(url: &str, cuerpo: &str, admin: bool) -> (u16, Value) {
    let r = crate::comun::post_crudo(url, cuerpo, admin).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// `cuerpo` answers `status` with `errors[0].campo == campo`, and no English anywhere.
async fn en_castellano(url: &str, cuerpo: &str, admin: bool, status: u16, campo: &str) -> String {
    let (st, p) = mandar(url, cuerpo, admin).await;
    assert_eq!(st, status, "{cuerpo} → {p}");
    let texto = p.to_string();
    for w in INGLES {
        assert!(!texto.contains(w), "{cuerpo} → serde's English ({w}): {p}");
    }
    if status == 422 {
        assert_eq!(p["errors"][0]["campo"], campo, "{cuerpo} → {p}");
        p["errors"][0]["mensaje"].as_str().unwrap().to_owned()
    } else {
        p["detail"].as_str().unwrap().to_owned()
    }
}

async fn cada_clase(backend: Backend) {
    let s = common::stack(backend).await;
    let evento = s.evento(&[("General", 1000, 10)]).await;
    let reservar = format!("{}/api/reservar", s.reservas);
    let eventos = format!("{}/api/eventos", s.eventos);
    let usuarios = format!("{}/api/usuarios", s.usuarios);
    let tabla: Vec<(&str, String, bool, u16, &str, &str)> = vec![
        // (route, body, as admin, status, field, message)
        (
            &reservar,
            json!({"email": "a@example.com"}).to_string(),
            false,
            422,
            "evento_id",
            "es obligatorio",
        ),
        (
            &reservar,
            json!({"evento_id": evento, "email": "a@example.com", "cantidad": "tres"}).to_string(),
            false,
            422,
            "cantidad",
            "debe ser un número entero",
        ),
        (
            &reservar,
            json!({"evento_id": evento, "email": "a@example.com", "cantidad": 1e40}).to_string(),
            false,
            422,
            "cantidad",
            "debe ser un número entero",
        ),
        (
            // The misspelt field is no longer ignored (it used to book 1 ticket).
            &reservar,
            json!({"evento_id": evento, "email": "a@example.com", "cantdad": 3}).to_string(),
            false,
            422,
            "cantdad",
            "no es un campo admitido (se admiten: usuario_id, email, evento_id, zona, cantidad, pago)",
        ),
        (
            &reservar,
            json!({"evento_id": evento, "email": "a@example.com",
                   "pago": {"metodo": "tarjeta", "numero_tarjeta": "4242424242424242", "cvv": "123"}})
            .to_string(),
            false,
            422,
            "pago.cvv",
            "no es un campo admitido (se admiten: metodo, numero_tarjeta, titular)",
        ),
        (
            &reservar,
            json!({"evento_id": evento, "email": "a@example.com", "pago": "tarjeta"}).to_string(),
            false,
            422,
            "pago",
            "debe ser un objeto",
        ),
        (
            &eventos,
            json!({"fecha": "2099-01-01T20:00:00Z", "lugar": "Lima",
                   "zonas": [{"nombre": "VIP", "precio": 150, "capacidad": 10}]})
            .to_string(),
            true,
            422,
            "nombre",
            "es obligatorio",
        ),
        (
            &eventos,
            json!({"nombre": "N", "fecha": "2099-01-01T20:00:00Z", "lugar": "Lima",
                   "zonas": [{"nombre": "VIP", "precio": 150.5, "capacidad": 10}]})
            .to_string(),
            true,
            422,
            "zonas[0].precio",
            "debe ser un número entero",
        ),
        (
            &eventos,
            json!({"nombre": "N", "fecha": "2099-01-01T20:00:00Z", "lugar": "Lima", "zonas": "VIP"})
                .to_string(),
            true,
            422,
            "zonas",
            "debe ser una lista",
        ),
        (
            &usuarios,
            json!({"tipo_documento": "DNI", "nro_documento": "12345678", "nombre": "A",
                   "apellido": "B", "email": "b@example.com", "clave": "x"})
            .to_string(),
            false,
            422,
            "clave",
            "no es un campo admitido (se admiten: tipo_documento, nro_documento, nombre, apellido, email, password, historial_compras)",
        ),
        (
            &usuarios,
            json!({"tipo_documento": "DNI", "nro_documento": 12345678, "nombre": "A",
                   "apellido": "B", "email": "b@example.com"})
            .to_string(),
            false,
            422,
            "nro_documento",
            "debe ser un texto",
        ),
    ];
    for (url, cuerpo, admin, status, campo, mensaje) in tabla {
        let m = en_castellano(url, &cuerpo, admin, status, campo).await;
        assert_eq!(m, mensaje, "{cuerpo}");
    }
    // Broken JSON: where it broke, in Spanish.
    let m = en_castellano(&reservar, "{\"evento_id\": ", false, 400, "").await;
    assert!(m.starts_with("JSON mal formado"), "{m}");
    let m = en_castellano(&reservar, "{\"evento_id\": \"x\",}", false, 400, "").await;
    assert_eq!(m, "JSON mal formado (línea 1, columna 19)");

    // The seeds' bodies still pass: FastAPI's user (with its empty history), its
    // reservation, and its event.
    let (st, u) = mandar(
        &usuarios,
        &json!({"tipo_documento": "DNI", "nro_documento": "87654321", "nombre": "Semilla",
                "apellido": "Cero", "email": "semilla@example.com", "historial_compras": []})
        .to_string(),
        false,
    )
    .await;
    assert_eq!(st, 201, "{u}");
    let (st, r) = mandar(
        &reservar,
        &json!({"evento_id": evento, "email": "semilla@example.com"}).to_string(),
        false,
    )
    .await;
    assert_eq!(st, 201, "{r}");
    let (st, e) = mandar(
        &eventos,
        &json!({"id": "semilla-1", "nombre": "Semilla", "fecha": "2099-11-10T20:00:00Z",
                "lugar": "Lima", "aforo_total": 100, "entradas_disponibles": 100})
        .to_string(),
        true,
    )
    .await;
    assert_eq!(st, 201, "{e}");
}

ambos!(cada_clase);
