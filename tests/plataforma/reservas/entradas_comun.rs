//! What the ticket tests share: buying tickets for a new buyer, reading their codes, and
//! scanning one at the door as the admin.

use serde_json::{json, Value};

use super::common::Stack;

/// Buys `cantidad` tickets of `evento` as the admin for buyer number `i`; returns the
/// reservation's answer (with its tickets and its guest secret).
pub async fn comprar(s: &Stack, evento: &str, cantidad: u32, i: usize) -> Value {
    let u = s.usuario(i).await;
    let r = s
        .reservar(json!({"usuario_id": u, "evento_id": evento, "cantidad": cantidad,
            "pago": {"metodo": "tarjeta", "numero_tarjeta": "4242424242424242", "titular": "Ana Quispe"}}))
        .await;
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

/// The ticket codes of a reservation's answer, in order.
pub fn codigos(reserva: &Value) -> Vec<String> {
    reserva["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["codigo"].as_str().unwrap().to_owned())
        .collect()
}

/// `POST /api/eventos/{evento}/ingresos` as the admin: (status, body).
pub async fn ingresar(s: &Stack, evento: &str, cuerpo: Value) -> (u16, Value) {
    let r = s
        .http
        .post(format!("{}/api/eventos/{evento}/ingresos", s.eventos))
        .json(&cuerpo)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}
