//! Extractors whose rejections are problem+json instead of axum's plain-text bodies.

use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Like `axum::Json`, but malformed JSON, wrong types, missing fields, a wrong content type
/// and oversized bodies all become a 4xx problem that says what was wrong.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // serde's message names the offending field by its path; the client gets
            // that field and what is wrong with it, in Spanish (crate::serde_es).
            let detail = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.body_text());
            let f = crate::serde_es::traducir(&detail);
            let mut err = ApiError::validation(vec![f.clone()]);
            err.detail = format!(
                "El cuerpo no tiene la forma esperada: {} {}",
                f.campo, f.mensaje
            );
            err
        }
        JsonRejection::JsonSyntaxError(e) => {
            // Where, not serde's English about what: "línea 1, columna 12".
            let detail = std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_else(|| e.body_text());
            ApiError::bad_request(format!("JSON mal formado{}", posicion(&detail)))
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "tipo-de-contenido",
            "Tipo de contenido no soportado",
            "Se esperaba 'Content-Type: application/json'",
        ),
        JsonRejection::BytesRejection(e) => {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "cuerpo-demasiado-grande",
                    "Cuerpo demasiado grande",
                    "El cuerpo supera el límite de 64 KiB",
                )
            } else {
                ApiError::bad_request(format!("No se pudo leer el cuerpo: {}", e.body_text()))
            }
        }
        other => ApiError::bad_request(other.body_text()),
    }
}

/// " (línea 1, columna 12)" from serde_json's "… at line 1 column 12", or nothing.
fn posicion(msg: &str) -> String {
    let Some((_, lc)) = msg.rsplit_once(" at line ") else {
        return String::new();
    };
    match lc.split_once(" column ") {
        Some((l, c)) => format!(" (línea {l}, columna {c})"),
        None => String::new(),
    }
}

/// Like `axum::extract::Query`, with problem+json rejections naming the bad parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let detail = std::error::Error::source(&e)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| e.body_text());
                Err(ApiError::validation(vec![crate::serde_es::traducir(
                    &detail,
                )]))
            }
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

/// Like `axum::extract::Path`, with problem+json rejections: a segment that is not UTF-8
/// once percent-decoded (`%FF`) or does not parse is a 422 naming the parameter, instead of
/// axum's plain-text 400.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(PathRejection::FailedToDeserializePathParams(e))
                if !e.status().is_server_error() =>
            {
                let (campo, mensaje) = match e.kind() {
                    ErrorKind::InvalidUtf8InPathParam { key } => {
                        (key.clone(), "no es UTF-8 válido".to_owned())
                    }
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::DeserializeError { key, .. } => {
                        (key.clone(), "tiene un formato no válido".to_owned())
                    }
                    _ => ("path".to_owned(), "tiene un formato no válido".to_owned()),
                };
                Err(ApiError::validation(vec![FieldError::new(campo, mensaje)]))
            }
            // A route whose parameters do not match its extractor: a bug, not bad input.
            Err(other) => Err(ApiError::internal(other.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::posicion;

    #[test]
    fn says_where_the_json_broke() {
        assert_eq!(
            posicion("expected `,` or `}` at line 1 column 12"),
            " (línea 1, columna 12)"
        );
        assert_eq!(posicion("EOF while parsing"), "");
    }
}
