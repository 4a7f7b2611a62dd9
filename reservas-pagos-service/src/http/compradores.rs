//! `/internal/organizadores/{organizador_id}/compradores/{usuario_id}`: whether a buyer
//! bought from an organizer, so usuarios can show that organizer the buyer's profile.

use axum::extract::State;
use axum::http::StatusCode;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::problemas::ServiceCredential;
use eventflow_shared::{ApiError, ApiPath, Problem};

use super::{acceso, AppState};

/// 204 when the buyer has a reservation for one of the organizer's events, else 404.
#[utoipa::path(get, path = "/internal/organizadores/{organizador_id}/compradores/{usuario_id}", tag = "interno",
    summary = "Comprobar si es comprador de un organizador",
    description = "Responde 204 si el comprador tiene una reserva para alguno de los eventos del organizador, y 404 si no.",
    params(("organizador_id" = uuid::Uuid, Path), ("usuario_id" = uuid::Uuid, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Es comprador de ese organizador"),
        ServiceCredential,
        (status = 404, description = "No tiene reservas en eventos de ese organizador", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ids que no son UUID", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "eventos o MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn es_comprador(
    State(st): State<AppState>,
    _: eventflow_shared::auth::Servicio,
    CorrelationId(corr): CorrelationId,
    ApiPath((organizador, usuario)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let uuid = |campo: &str, v: &str| {
        uuid::Uuid::parse_str(v).map_err(|_| ApiError::field(campo, "debe ser un UUID"))
    };
    let o = uuid("organizador_id", &organizador)?;
    let u = uuid("usuario_id", &usuario)?.to_string();
    if acceso::del_organizador(&st, o, &u, &corr).await?.is_empty() {
        Err(ApiError::not_found(
            "Ese comprador no tiene reservas en tus eventos",
        ))
    } else {
        Ok(StatusCode::NO_CONTENT)
    }
}
