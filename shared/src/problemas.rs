//! The problems many routes share, declared once for OpenAPI (utoipa's `IntoResponses`):
//! a route lists `BodyProblems` or `MongoUnavailable` in its `responses(...)` instead of
//! repeating each status, description and `application/problem+json`.
#![allow(dead_code)] // The variants only describe responses; nothing builds them.

use utoipa::IntoResponses;

use crate::error::Problem;

/// What a route with a JSON body answers before its handler runs (`ApiJson`).
#[derive(IntoResponses)]
pub enum BodyProblems {
    #[response(
        status = 400,
        description = "JSON mal formado",
        content_type = "application/problem+json"
    )]
    Malformed(Problem),
    #[response(
        status = 413,
        description = "Cuerpo de más de 64 KiB",
        content_type = "application/problem+json"
    )]
    TooLarge(Problem),
    #[response(
        status = 415,
        description = "Falta Content-Type: application/json",
        content_type = "application/problem+json"
    )]
    NotJson(Problem),
}

/// A route that reads or writes MongoDB, when it does not answer.
#[derive(IntoResponses)]
pub enum MongoUnavailable {
    #[response(
        status = 503,
        description = "MongoDB no disponible",
        content_type = "application/problem+json"
    )]
    Unavailable(Problem),
}

/// An `/internal/*` route called without the service token, or with a wrong one.
#[derive(IntoResponses)]
pub enum ServiceCredential {
    #[response(
        status = 401,
        description = "Credencial de servicio ausente o inválida",
        content_type = "application/problem+json"
    )]
    Missing(Problem),
}
