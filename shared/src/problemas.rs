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

/// An `/internal/*` route called without a service token, or with one this service does
/// not know.
#[derive(IntoResponses)]
pub enum ServiceCredential {
    #[response(
        status = 401,
        description = "Credencial de servicio ausente o inválida",
        content_type = "application/problem+json"
    )]
    Missing(Problem),
}

/// An `/internal/*` route called with the token of a service this one knows (it accepts
/// it elsewhere) but that this route does not accept.
#[derive(IntoResponses)]
pub enum ServiceNotAllowed {
    #[response(
        status = 403,
        description = "`prohibido`: la credencial es de un servicio que no puede llamar a esta ruta",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
}

/// A route that needs a session, called without one or with an expired or closed one.
#[derive(IntoResponses)]
pub enum SessionRequired {
    #[response(
        status = 401,
        description = "Sin sesión, o sesión caducada o cerrada",
        content_type = "application/problem+json"
    )]
    Missing(Problem),
}

/// A route about one event, when there is no such event.
#[derive(IntoResponses)]
pub enum EventNotFound {
    #[response(
        status = 404,
        description = "No existe el evento",
        content_type = "application/problem+json"
    )]
    Missing(Problem),
}

/// A route with an id in its path that is not 1 to 64 letters, digits, `-` or `_`.
#[derive(IntoResponses)]
pub enum InvalidId {
    #[response(
        status = 422,
        description = "Id con caracteres no permitidos",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// A route with two ids in its path, when one is not a safe id.
#[derive(IntoResponses)]
pub enum InvalidIds {
    #[response(
        status = 422,
        description = "Ids con caracteres no permitidos",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}

/// A route whose query parameters do not parse or are out of range (each named in `errors`).
#[derive(IntoResponses)]
pub enum InvalidParams {
    #[response(
        status = 422,
        description = "Parámetros inválidos",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}
