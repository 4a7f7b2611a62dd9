//! Service-to-service routes (`/internal/*`): buyer lookup, purchase history and session
//! checks, behind the service token.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use eventflow_shared::auth::{DeReservas, DeServicios, Interno};
use eventflow_shared::identidad::{SesionVerificada, VerificarSesion};
use eventflow_shared::ids::ReservaId;
use eventflow_shared::problemas::{
    BodyProblems, MongoUnavailable, ServiceCredential, ServiceNotAllowed,
};
use eventflow_shared::{ApiError, ApiJson, ApiPath, Problem};

use utoipa::IntoResponses;
use uuid::Uuid;

use super::handlers::parse_uuid;
use super::AppState;
use crate::domain::Usuario;

/// The `{id}/historial/{reserva_id}` of the two history routes, both parsed.
pub struct Historial(Uuid, ReservaId);

impl<S: Send + Sync> FromRequestParts<S> for Historial {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiPath((id, rid)) =
            ApiPath::<(String, String)>::from_request_parts(parts, state).await?;
        Ok(Self(
            parse_uuid(&id)?,
            ReservaId::parse("reserva_id", &rid)?,
        ))
    }
}

/// What both history routes answer for a wrong buyer or id.
#[derive(IntoResponses)]
#[allow(dead_code)] // Only describes responses.
pub enum ProblemasHistorial {
    #[response(
        status = 404,
        description = "No existe el usuario",
        content_type = "application/problem+json"
    )]
    SinUsuario(Problem),
    #[response(
        status = 422,
        description = "Ids inválidos",
        content_type = "application/problem+json"
    )]
    Ids(Problem),
}

/// 204 when the buyer exists (the write was done, or had been), else 404.
fn en_el_historial(existe: bool, id: Uuid) -> Result<StatusCode, ApiError> {
    if existe {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("No existe el usuario {id}")))
    }
}

/// Add a reservation to a buyer's history. Idempotent: adding it twice keeps one entry.
#[utoipa::path(put, path = "/internal/usuarios/{id}/historial/{reserva_id}", tag = "interno",
    summary = "Añadir una reserva al historial",
    description = "Añade una reserva al historial de un comprador. Es idempotente: añadirla dos veces deja una sola entrada. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`); otro servicio recibe 401 o 403.",
    params(("id" = Uuid, Path), ("reserva_id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "En el historial"),
        ServiceCredential, ServiceNotAllowed, ProblemasHistorial, MongoUnavailable,
    ))]
pub async fn agregar_compra(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    Historial(id, reserva_id): Historial,
) -> Result<StatusCode, ApiError> {
    en_el_historial(state.store.add_compra(id, &reserva_id).await?, id)
}

/// Remove a reservation from a buyer's history. Idempotent.
#[utoipa::path(delete, path = "/internal/usuarios/{id}/historial/{reserva_id}", tag = "interno",
    summary = "Quitar una reserva del historial",
    description = "Quita una reserva del historial de un comprador. Es idempotente. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`); otro servicio recibe 401 o 403.",
    params(("id" = Uuid, Path), ("reserva_id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Ya no está en el historial"),
        ServiceCredential, ServiceNotAllowed, ProblemasHistorial, MongoUnavailable,
    ))]
pub async fn quitar_compra(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    Historial(id, reserva_id): Historial,
) -> Result<StatusCode, ApiError> {
    en_el_historial(state.store.remove_compra(id, &reserva_id).await?, id)
}

/// Find a buyer by UUID or email, for the SAGA's `ValidadorDatos`.
#[utoipa::path(get, path = "/internal/usuarios/{id_o_email}", tag = "interno",
    summary = "Buscar un comprador",
    description = "Busca un comprador por UUID o email, para el paso `ValidadorDatos` de la SAGA. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`); otro servicio recibe 401 o 403.",
    params(("id_o_email" = String, Path, description = "UUID del usuario, o su email")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "El usuario", body = Usuario),
        ServiceCredential,
        ServiceNotAllowed,
        (status = 404, description = "No existe", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ni UUID ni email válido", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn buscar_usuario(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Usuario>, ApiError> {
    super::handlers::buscar(&state, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No existe el usuario {id}")))
}

/// Is this token hash a live session, and whose? For the other services' `Llamante`.
#[utoipa::path(post, path = "/internal/sesiones/verificar", tag = "interno",
    summary = "Verificar una sesión",
    description = "Indica si este hash de token corresponde a una sesión vigente y de quién es. Lo usa el `Llamante` de los demás servicios. La llama cualquier servicio de EventFlow, cada uno con su credencial (`EVENTFLOW_TOKEN_USUARIOS`, `_EVENTOS`, `_RESERVAS` o `_NOTIFICACIONES`).",
    request_body = VerificarSesion,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Sesión vigente", body = SesionVerificada),
        BodyProblems,
        ServiceCredential,
        (status = 404, description = "No hay sesión vigente con ese hash", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "token_hash no es un SHA-256 en hexadecimal", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn verificar_sesion(
    State(state): State<AppState>,
    _: Interno<DeServicios>,
    ApiJson(body): ApiJson<VerificarSesion>,
) -> Result<Json<SesionVerificada>, ApiError> {
    let h = &body.token_hash;
    if h.len() != 64
        || !h
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(ApiError::field(
            "token_hash",
            "debe ser un SHA-256 en hexadecimal (64 caracteres en minúscula)",
        ));
    }
    state
        .verificador
        .verificar(h)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("No hay sesión vigente con ese hash"))
}
