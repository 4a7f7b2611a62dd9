//! Service-to-service routes (`/internal/*`): purchase history, behind the service token.

use axum::extract::State;
use axum::http::StatusCode;
use eventflow_shared::auth::Servicio;
use eventflow_shared::{safe_id, ApiError, ApiPath, Problem};

use super::handlers::parse_uuid;
use super::AppState;

/// Add a reservation to a buyer's history. Idempotent: adding it twice keeps one entry.
#[utoipa::path(put, path = "/internal/usuarios/{id}/historial/{reserva_id}", tag = "interno",
    params(("id" = Uuid, Path), ("reserva_id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "En el historial"),
        (status = 401, description = "Falta o es inválida la credencial de servicio", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe el usuario", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ids inválidos", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn agregar_compra(
    State(state): State<AppState>,
    _: Servicio,
    ApiPath((id, reserva_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let uuid = parse_uuid(&id)?;
    let reserva_id = safe_id("reserva_id", &reserva_id)?;
    if state.store.add_compra(uuid, reserva_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("No existe el usuario {id}")))
    }
}

/// Remove a reservation from a buyer's history. Idempotent.
#[utoipa::path(delete, path = "/internal/usuarios/{id}/historial/{reserva_id}", tag = "interno",
    params(("id" = Uuid, Path), ("reserva_id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ya no está en el historial"),
        (status = 401, description = "Falta o es inválida la credencial de servicio", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe el usuario", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ids inválidos", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn quitar_compra(
    State(state): State<AppState>,
    _: Servicio,
    ApiPath((id, reserva_id)): ApiPath<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let uuid = parse_uuid(&id)?;
    let reserva_id = safe_id("reserva_id", &reserva_id)?;
    if state.store.remove_compra(uuid, reserva_id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("No existe el usuario {id}")))
    }
}
