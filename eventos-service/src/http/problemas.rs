//! The problems of eventos' routes about one organizer's event that it answers with
//! reservas-pagos' help (the cuadre, the keys, the door), declared once for OpenAPI:
//! who may ask (401, 403), which event (404, 422) and the peer (503).
#![allow(dead_code)] // The variants only describe responses; nothing builds them.

use eventflow_shared::Problem;
use utoipa::IntoResponses;

#[derive(IntoResponses)]
pub enum DelOrganizador {
    #[response(
        status = 401,
        description = "Sin sesión, o sesión caducada o cerrada",
        content_type = "application/problem+json"
    )]
    SinSesion(Problem),
    #[response(
        status = 403,
        description = "Una cuenta de comprador no gestiona eventos",
        content_type = "application/problem+json"
    )]
    Comprador(Problem),
    #[response(
        status = 404,
        description = "No existe el evento, o es de otro organizador",
        content_type = "application/problem+json"
    )]
    NoEsSuyo(Problem),
    #[response(
        status = 422,
        description = "Id con caracteres no permitidos",
        content_type = "application/problem+json"
    )]
    IdInvalido(Problem),
    #[response(
        status = 503,
        description = "reservas-pagos o MongoDB no responde",
        content_type = "application/problem+json"
    )]
    SinReservas(Problem),
}
