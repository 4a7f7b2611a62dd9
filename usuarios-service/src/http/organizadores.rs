//! `POST /api/organizadores`: the platform admin creates an organizer account.
//!
//! Identity lives in one place: organizers sign in through the same `/api/sesiones` as
//! buyers (with `rol: organizador`), so their accounts live here and not in
//! eventos-service, which only records each event's `organizador_id`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use eventflow_shared::identidad::AdminPlataforma;
use eventflow_shared::problemas::{BodyProblems, MongoUnavailable};
use eventflow_shared::{ApiError, ApiJson, Problem};
use uuid::Uuid;

use super::dto::CrearOrganizador;
use super::AppState;
use crate::domain::Organizador;

/// Create an organizer (platform admin only).
#[utoipa::path(post, path = "/api/organizadores", tag = "organizadores",
    summary = "Crear un organizador",
    description = "Crea la cuenta de un organizador. Solo puede hacerlo el administrador de la plataforma.",
    request_body = CrearOrganizador,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Organizador creado", body = Organizador),
        BodyProblems,
        (status = 401, description = "Sin credencial", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Solo el administrador de la plataforma", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Ya existe un organizador con ese email", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn crear_organizador(
    State(state): State<AppState>,
    _: AdminPlataforma,
    ApiJson(body): ApiJson<CrearOrganizador>,
) -> Result<impl IntoResponse, ApiError> {
    let (nombre, email, password) =
        super::alta::validar(&body.nombre, &body.email, &body.password)?;
    let o = Organizador {
        id: Uuid::new_v4(),
        nombre,
        email,
        creado_en: eventflow_shared::now(),
    };
    let hash = state.contrasenas.hash(&password).await?;
    state.organizadores.insert(&o, &hash).await?;
    tracing::info!(organizador_id = %o.id, "organizador creado");
    Ok((StatusCode::CREATED, Json(o)))
}
