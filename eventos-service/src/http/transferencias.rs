//! Whether an event's tickets may change hands: its organizer (or the platform admin)
//! decides with `PUT /api/eventos/{id}/transferencias`; reservas asks before each
//! transfer (`POST /api/entradas/{codigo}/transferir`).

use axum::extract::State;
use axum::Json;
use eventflow_shared::identidad::Publicador;
use eventflow_shared::ids::EventoId;
use eventflow_shared::problemas::{BodyProblems, MongoUnavailable, SessionRequired};
use eventflow_shared::{ApiError, ApiJson, ApiPath, Problem};
use serde::Deserialize;
use utoipa::ToSchema;

use super::dto::EventoRespuesta;
use super::handlers::del_publicador;
use super::AppState;
use crate::domain::CambiosEvento;

/// Body of `PUT /api/eventos/{id}/transferencias`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"permitidas": false}))]
pub struct Transferencias {
    /// `false`: the event's tickets can no longer be transferred (those already
    /// transferred stay with their new holders).
    pub permitidas: bool,
}

/// Allow or forbid transferring the event's tickets.
#[utoipa::path(put, path = "/api/eventos/{id}/transferencias", tag = "eventos",
    summary = "Permitir o prohibir transferencias",
    description = "Decide si las entradas del evento pueden cambiar de manos (`POST /api/entradas/{codigo}/transferir` en reservas, que responde 409 `transferencias-no-permitidas` si no). Por defecto se permiten. Solo su organizador o el administrador de la plataforma; las entradas ya transferidas siguen siendo de su nuevo titular.",
    params(("id" = String, Path, description = "Id del evento")),
    request_body = Transferencias,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "El evento, con `transferencias_permitidas`", body = EventoRespuesta),
        BodyProblems,
        SessionRequired,
        (status = 403, description = "Una cuenta de comprador no gestiona eventos", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe, o es de otro organizador", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`permitidas` falta o no es booleano, o un campo que no se admite", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn transferencias(
    State(state): State<AppState>,
    publicador: Publicador,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Transferencias>,
) -> Result<Json<EventoRespuesta>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    del_publicador(&state, publicador, id).await?;
    let cambios = CambiosEvento {
        transferencias_permitidas: Some(body.permitidas),
        ..CambiosEvento::default()
    };
    let evento = state
        .store
        .update(id, &cambios)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No existe el evento {id}")))?;
    // reservas reads it through the event's page: the cached one must go now.
    state.cache.invalidar(Some(id)).await;
    tracing::info!(evento_id = %id, permitidas = body.permitidas, "ticket transfers set");
    Ok(Json(EventoRespuesta::from(evento)))
}
