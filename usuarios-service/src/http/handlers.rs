//! Public usuarios handlers: parse the input, call the store, map the result.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, Problem};
use uuid::Uuid;

use super::dto::{ActualizarUsuario, CrearUsuario, PaginaUsuarios, Paginacion};
use super::AppState;
use crate::domain::{CambiosUsuario, Email, NuevoUsuario, Usuario};

/// Register a buyer.
#[utoipa::path(post, path = "/api/usuarios", tag = "usuarios",
    request_body = CrearUsuario,
    responses(
        (status = 201, description = "Usuario creado", body = Usuario),
        (status = 400, description = "JSON mal formado", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email o documento ya registrado", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Cuerpo de más de 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Falta Content-Type: application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos, cada uno nombrado en `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn crear_usuario(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CrearUsuario>,
) -> Result<impl IntoResponse, ApiError> {
    let nuevo = NuevoUsuario::parse(
        &body.tipo_documento,
        &body.nro_documento,
        &body.nombre,
        &body.apellido,
        &body.email,
    )
    .map_err(ApiError::validation)?;
    let usuario = nuevo.into_usuario(Uuid::new_v4(), eventflow_shared::now());
    state.store.insert(&usuario).await?;
    tracing::info!(usuario_id = %usuario.id, "usuario registrado");
    let location = format!("/api/usuarios/{}", usuario.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(usuario),
    ))
}

/// List buyers in registration order, a page at a time.
#[utoipa::path(get, path = "/api/usuarios", tag = "usuarios",
    params(Paginacion),
    responses(
        (status = 200, description = "Una página de usuarios", body = PaginaUsuarios),
        (status = 422, description = "limit u offset inválidos", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn listar_usuarios(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<Paginacion>,
) -> Result<Json<PaginaUsuarios>, ApiError> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field("limit", "debe estar entre 1 y 100"));
    }
    let offset = q.offset.unwrap_or(0);
    let pagina = state.store.list(limit, offset).await?;
    Ok(Json(PaginaUsuarios {
        items: pagina.items,
        total: pagina.total,
        limit,
        offset,
    }))
}

/// Find a buyer by id (UUID) or by email.
#[utoipa::path(get, path = "/api/usuarios/{id}", tag = "usuarios",
    params(("id" = String, Path, description = "UUID del usuario, o su email", example = "ana.quispe@example.com")),
    responses(
        (status = 200, description = "El usuario", body = Usuario),
        (status = 404, description = "No existe", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ni UUID ni email válido", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn obtener_usuario(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Usuario>, ApiError> {
    let found = if let Ok(uuid) = Uuid::parse_str(&id) {
        state.store.get(uuid).await?
    } else if id.contains('@') {
        let email = Email::parse(&id).map_err(|m| ApiError::field("id", m))?;
        state.store.get_by_email(&email).await?
    } else {
        return Err(ApiError::field("id", "debe ser un UUID o un email"));
    };
    found
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No existe el usuario {id}")))
}

/// Change a buyer's name, surname or email.
#[utoipa::path(patch, path = "/api/usuarios/{id}", tag = "usuarios",
    params(("id" = Uuid, Path, description = "UUID del usuario")),
    request_body = ActualizarUsuario,
    responses(
        (status = 200, description = "El usuario actualizado", body = Usuario),
        (status = 400, description = "JSON mal formado", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "El email pertenece a otro usuario", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Cuerpo de más de 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Falta Content-Type: application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos o no modificables", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn actualizar_usuario(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ActualizarUsuario>,
) -> Result<Json<Usuario>, ApiError> {
    let uuid = parse_uuid(&id)?;
    let cambios = CambiosUsuario::parse(
        body.nombre.as_deref(),
        body.apellido.as_deref(),
        body.email.as_deref(),
    )
    .map_err(ApiError::validation)?;
    state
        .store
        .update(uuid, &cambios)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("No existe el usuario {id}")))
}

pub(super) fn parse_uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::field("id", "debe ser un UUID"))
}
