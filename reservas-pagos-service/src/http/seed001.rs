//! Seed 001's reservation replies (the FastAPI design): a client of it posts
//! `{evento_id, email}`, treats any 2xx as success and reads `status` / `reason` on failure.
//!
//! - Every 201 of `POST /api/reservar` carries `status: "ok"`; it is one more field,
//!   written as the body is built ([`con_ok`]).
//! - Every problem of that route carries `reason` (its `detail`), added to the problem
//!   before it is written ([`problema`]); a problem recorded on an `Idempotency-Key`
//!   gets it when replayed ([`grabada`]).
//! - A problem's `status` becomes `"error"` only when the request came in seed 001's own
//!   shape: RFC 9457 defines `status` as the HTTP status number, and typed problem
//!   readers (.NET's `ProblemDetails`, seed 000's world) fail on a string there, so
//!   every other client keeps the number.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use eventflow_shared::{ApiError, FieldError};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use crate::domain::SolicitudReserva;

/// A problem of `POST /api/reservar`: RFC 9457 plus seed 001's `reason`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemaReserva {
    #[serde(rename = "type")]
    #[schema(example = "urn:eventflow:problem:agotado")]
    pub kind: String,
    #[schema(example = "Agotado")]
    pub title: String,
    /// The HTTP status; `"error"` when the request was seed 001's `{evento_id, email}`.
    #[schema(schema_with = status_numero_o_error)]
    pub status: Value,
    #[schema(example = "La zona General está agotada")]
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The same as `detail`, where seed 001's clients read it. Absent only when the body
    /// could not be read as a booking at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "La zona General está agotada")]
    pub reason: Option<String>,
}

fn status_numero_o_error() -> impl Into<RefOr<Schema>> {
    OneOfBuilder::new()
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .examples([409]),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["error"])),
        )
}

/// Whether the request is seed 001's own: an email and an event, nothing of ours.
pub fn forma_semilla(s: &SolicitudReserva) -> bool {
    s.email.is_some()
        && s.usuario_id.is_none()
        && s.zona.is_none()
        && s.cantidad.is_none()
        && s.pago.is_none()
}

/// A confirmation's body: the reservation, with seed 001's `status: "ok"` beside it.
#[derive(Serialize)]
pub struct Confirmacion<'a, T: Serialize> {
    #[serde(flatten)]
    vista: &'a T,
    status: &'static str,
}

pub fn con_ok<T: Serialize>(vista: &T) -> Confirmacion<'_, T> {
    Confirmacion {
        vista,
        status: "ok",
    }
}

/// A problem of the route, with seed 001's fields.
pub fn problema(mut e: ApiError, semilla: bool) -> Response {
    e.extra.insert("reason".into(), e.detail.clone().into());
    if semilla {
        e.extra.insert("status".into(), "error".into());
    }
    e.into_response()
}

/// An answer recorded on an `Idempotency-Key` (a problem; a 201 from older versions),
/// with seed 001's fields, as [`problema`] and [`con_ok`] add them.
pub fn grabada(status: u16, cuerpo: String, semilla: bool) -> String {
    let Ok(Value::Object(mut c)) = serde_json::from_str::<Value>(&cuerpo) else {
        return cuerpo;
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    anadir(&mut c, status, semilla);
    serde_json::to_string(&c).unwrap_or(cuerpo)
}

fn anadir(cuerpo: &mut Map<String, Value>, status: StatusCode, semilla: bool) {
    if status == StatusCode::CREATED {
        cuerpo.insert("status".into(), "ok".into());
        return;
    }
    let detail = cuerpo.get("detail").cloned().unwrap_or(Value::Null);
    cuerpo.insert("reason".into(), detail);
    if semilla {
        cuerpo.insert("status".into(), "error".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cuerpo(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    /// Built with its fields, a problem reads as a recorded one replayed: the same
    /// answer either way.
    #[tokio::test]
    async fn un_problema_y_su_repeticion_dicen_lo_mismo() {
        for semilla in [false, true] {
            let e = ApiError::conflict("agotado", "La zona General está agotada");
            let grabado = grabada(409, e.body().to_string(), semilla);
            let res = problema(e, semilla);
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 16)
                .await
                .unwrap();
            let directo: Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(directo, serde_json::from_str::<Value>(&grabado).unwrap());
            assert_eq!(directo["reason"], "La zona General está agotada");
        }
        let vista = json!({"id": "r", "estado": "CONFIRMADA"});
        let directo = serde_json::to_value(con_ok(&vista)).unwrap();
        let grabado = grabada(201, vista.to_string(), false);
        assert_eq!(directo, serde_json::from_str::<Value>(&grabado).unwrap());
    }

    #[test]
    fn ok_en_201_y_razon_en_problemas() {
        let mut c = cuerpo(json!({"id": "r"}));
        anadir(&mut c, StatusCode::CREATED, false);
        assert_eq!(Value::Object(c), json!({"id": "r", "status": "ok"}));
        let mut p = cuerpo(json!({"status": 409, "detail": "Agotado"}));
        anadir(&mut p, StatusCode::CONFLICT, false);
        assert_eq!(
            Value::Object(p),
            json!({"status": 409, "detail": "Agotado", "reason": "Agotado"})
        );
        let mut s = cuerpo(json!({"status": 409, "detail": "Agotado"}));
        anadir(&mut s, StatusCode::CONFLICT, true);
        assert_eq!(
            Value::Object(s),
            json!({"status": "error", "detail": "Agotado", "reason": "Agotado"})
        );
    }
}
