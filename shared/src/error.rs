//! The one error envelope every service answers with: RFC 9457 `application/problem+json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// One invalid input field, named the way the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    #[schema(example = "email")]
    pub campo: String,
    #[schema(example = "no es un email válido")]
    pub mensaje: String,
}

impl FieldError {
    pub fn new(campo: impl Into<String>, mensaje: impl Into<String>) -> Self {
        Self {
            campo: campo.into(),
            mensaje: mensaje.into(),
        }
    }
}

/// The documented shape of every error body (used only for OpenAPI).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "urn:eventflow:problem:validacion")]
    pub kind: String,
    #[schema(example = "Datos inválidos")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "La solicitud tiene campos inválidos")]
    pub detail: String,
    /// Present on validation errors: one entry per invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

/// An error that renders as problem+json. Handlers return `Result<_, ApiError>`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Short machine-readable slug; the `type` is `urn:eventflow:problem:<kind>`.
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Extension members (e.g. `reserva_id`, `dependencia`).
    pub extra: Map<String, Value>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        kind: &'static str,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            kind,
            title: title.into(),
            detail: detail.into(),
            errors: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let campos: Vec<&str> = errors.iter().map(|e| e.campo.as_str()).collect();
        let detail = format!("Campos inválidos: {}", campos.join(", "));
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validacion",
            "Datos inválidos",
            detail,
        );
        e.errors = errors;
        e
    }

    pub fn field(campo: &str, mensaje: &str) -> Self {
        Self::validation(vec![FieldError::new(campo, mensaje)])
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "solicitud-invalida",
            "Solicitud inválida",
            detail,
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no-encontrado",
            "No encontrado",
            detail,
        )
    }

    pub fn conflict(kind: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, kind, "Conflicto", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "no-autorizado",
            "No autorizado",
            detail,
        )
    }

    /// A dependency is down. Names it, so an operator knows where to look.
    pub fn unavailable(dependencia: &str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "servicio-no-disponible",
            "Servicio no disponible",
            detail,
        )
        .with("dependencia", dependencia)
    }

    /// An unexpected failure. The detail is logged, never shown: no internals leak.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "error-interno",
            "Error interno",
            "Ocurrió un error inesperado",
        )
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    /// 429/503 with `Retry-After`: the seconds also travel as `reintentar_en_s`.
    pub fn retry_after(self, secs: u64) -> Self {
        self.with("reintentar_en_s", secs)
    }

    pub fn body(&self) -> Value {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            format!("urn:eventflow:problem:{}", self.kind).into(),
        );
        body.insert("title".into(), self.title.clone().into());
        body.insert("status".into(), self.status.as_u16().into());
        body.insert("detail".into(), self.detail.clone().into());
        if !self.errors.is_empty() {
            body.insert(
                "errors".into(),
                serde_json::to_value(&self.errors).unwrap_or_default(),
            );
        }
        for (k, v) in &self.extra {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.kind, self.detail)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body())).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(secs) = self.extra.get("reintentar_en_s").and_then(Value::as_u64) {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
