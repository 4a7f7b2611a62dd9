//! Seed 001's reservation replies (the FastAPI design): a client of it posts
//! `{evento_id, email}`, treats any 2xx as success and reads `status` / `reason` on failure.
//!
//! - Every 201 of `POST /api/reservar` carries `status: "ok"`; it is one more field. A
//!   confirmation writes it as it is built ([`ConOk`]); the rarer answers (replays, a
//!   double submission, a problem) get theirs here, read back and written again.
//! - Every problem of that route carries `reason` (its `detail`).
//! - A problem's `status` becomes `"error"` only when the request came in seed 001's own
//!   shape: RFC 9457 defines `status` as the HTTP status number, and typed problem
//!   readers (.NET's `ProblemDetails`, seed 000's world) fail on a string there, so
//!   every other client keeps the number.

use axum::body::{to_bytes, Body};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use eventflow_shared::{ApiError, FieldError};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use crate::domain::SolicitudReserva;

/// The body of a booking is never near this; it bounds what is re-read.
const MAX_BODY: usize = 256 * 1024;

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

/// Marks a 201 whose body already has `status: "ok"`: [`responder`] passes it on unread.
#[derive(Debug, Clone, Copy)]
pub struct ConOk;

/// A confirmation's body: the reservation, with seed 001's `status: "ok"` beside it.
#[derive(Serialize)]
pub struct Confirmacion<'a, T: Serialize> {
    #[serde(flatten)]
    vista: &'a T,
    status: &'static str,
}

impl ConOk {
    pub fn cuerpo<T: Serialize>(vista: &T) -> Confirmacion<'_, T> {
        Confirmacion {
            vista,
            status: "ok",
        }
    }
}

/// Adds seed 001's fields to the route's answer, whichever way it ended.
pub async fn responder(resultado: Result<Response, ApiError>, semilla: bool) -> Response {
    let res = match resultado {
        Ok(res) if res.extensions().get::<ConOk>().is_some() => return res,
        Ok(res) => res,
        Err(mut e) => {
            e.extra.insert("reason".into(), e.detail.clone().into());
            if semilla {
                e.extra.insert("status".into(), "error".into());
            }
            return e.into_response();
        }
    };
    let status = res.status();
    if status != StatusCode::CREATED && !status.is_client_error() && !status.is_server_error() {
        return res;
    }
    let (mut partes, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return ApiError::internal("respuesta ilegible").into_response();
    };
    let Ok(Value::Object(mut cuerpo)) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(partes, Body::from(bytes));
    };
    anadir(&mut cuerpo, status, semilla);
    let Ok(nuevo) = serde_json::to_vec(&cuerpo) else {
        return Response::from_parts(partes, Body::from(bytes));
    };
    partes.headers.remove(header::CONTENT_LENGTH);
    if let Ok(v) = HeaderValue::from_str(&nuevo.len().to_string()) {
        partes.headers.insert(header::CONTENT_LENGTH, v);
    }
    Response::from_parts(partes, Body::from(nuevo))
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

    /// Written as it was built, it reads the same as the body `anadir` makes.
    #[tokio::test]
    async fn una_confirmacion_ya_lleva_su_ok() {
        let vista = json!({"id": "r", "estado": "CONFIRMADA"});
        let body = serde_json::to_string(&ConOk::cuerpo(&vista)).unwrap();
        let mut res = Response::new(Body::from(body));
        *res.status_mut() = StatusCode::CREATED;
        res.extensions_mut().insert(ConOk);
        let res = responder(Ok(res), true).await;
        let bytes = to_bytes(res.into_body(), MAX_BODY).await.unwrap();
        let leido: Value = serde_json::from_slice(&bytes).unwrap();
        let mut rehecho = cuerpo(vista);
        anadir(&mut rehecho, StatusCode::CREATED, true);
        assert_eq!(leido, Value::Object(rehecho));
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
