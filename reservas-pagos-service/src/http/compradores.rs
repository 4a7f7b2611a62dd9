//! `/internal/organizadores/{organizador_id}/compradores/{usuario_id}`: whether a buyer
//! bought from an organizer, so usuarios can show that organizer the buyer's profile.

use axum::extract::State;
use axum::http::StatusCode;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::problemas::{ServiceCredential, ServiceNotAllowed};
use eventflow_shared::{ApiError, ApiPath, Problem};

use super::{acceso, AppState};
use crate::domain::Estado;

/// 204 when the buyer bought tickets for one of the organizer's events (a CONFIRMADA
/// reservation, or one cancelled after it), else 404.
#[utoipa::path(get, path = "/internal/organizadores/{organizador_id}/compradores/{usuario_id}", tag = "interno",
    summary = "Comprobar si es comprador de un organizador",
    description = "Responde 204 si el comprador compró entradas para alguno de los eventos del organizador (una reserva CONFIRMADA, o cancelada después de confirmarse), y 404 si no: un intento fallido o en curso no cuenta. Solo la llama usuarios-service, con su credencial (`EVENTFLOW_TOKEN_USUARIOS`); otro servicio recibe 401 o 403.",
    params(("organizador_id" = uuid::Uuid, Path), ("usuario_id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Es comprador de ese organizador"),
        ServiceCredential,
        ServiceNotAllowed,
        (status = 404, description = "No compró entradas para eventos de ese organizador", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ids que no son UUID", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "eventos o MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn es_comprador(
    State(st): State<AppState>,
    _: eventflow_shared::auth::Interno<eventflow_shared::auth::DeUsuarios>,
    CorrelationId(corr): CorrelationId,
    ApiPath((organizador, usuario)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let uuid = |campo: &str, v: &str| {
        uuid::Uuid::parse_str(v).map_err(|_| ApiError::field(campo, "debe ser un UUID"))
    };
    let o = uuid("organizador_id", &organizador)?;
    let u = uuid("usuario_id", &usuario)?.to_string();
    // Only a purchase makes a buyer the organizer's: a confirmed reservation, or one
    // cancelled after it was confirmed. A failed or running attempt does not, or anyone
    // could plant a declined booking in a stranger's name on their own event and read
    // that stranger's profile.
    let compro = acceso::del_organizador(&st, o, &u, &corr)
        .await?
        .iter()
        .any(|r| {
            matches!(
                r.estado,
                Estado::Confirmada | Estado::Cancelando | Estado::Cancelada
            )
        });
    if !compro {
        Err(ApiError::not_found(
            "Ese comprador no tiene reservas en tus eventos",
        ))
    } else {
        Ok(StatusCode::NO_CONTENT)
    }
}
