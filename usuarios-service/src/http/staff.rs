//! `/api/staff`: an organizer's door staff. Staff sign in through `/api/sesiones` with
//! `rol: staff`; their verified session names their organizer, and eventos lets them
//! work only that organizer's doors. Removing one ends its sessions here at once, and
//! on the other services within the session cache TTL (the account is gone, so its
//! token no longer verifies).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use eventflow_shared::identidad::{prohibido, sin_credencial, Llamante, Rol};
use eventflow_shared::problemas::{BodyProblems, MongoUnavailable};
use eventflow_shared::{ApiError, ApiJson, ApiPath, Problem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::AppState;
use crate::domain::Staff;

/// Body of `POST /api/staff`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "puerta2@andinas.pe", "nombre": "Rosa Mamani", "password": "quena-charango-1984"}))]
pub struct CrearStaff {
    pub email: String,
    pub nombre: String,
    #[schema(format = Password)]
    pub password: String,
}

/// `GET /api/staff`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListaStaff {
    /// The oldest first.
    pub items: Vec<Staff>,
}

/// An organizer's session: 401 anonymous, 403 anyone else (the admin too: staff belong
/// to an organizer), before the body is read.
pub struct SoloOrganizador(Uuid);

impl FromRequestParts<AppState> for SoloOrganizador {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match Llamante::from_request_parts(parts, state).await? {
            Llamante::Organizador(o) => Ok(Self(o)),
            Llamante::Anonimo => Err(sin_credencial()),
            _ => Err(prohibido(
                "Solo un organizador, con su sesión, gestiona su personal de puerta",
            )),
        }
    }
}

/// Create a door staff account for the signed-in organizer.
#[utoipa::path(post, path = "/api/staff", tag = "staff",
    summary = "Crear personal de puerta",
    description = "Crea una cuenta de personal de puerta (`rol: staff`) del organizador con sesión. Inicia sesión en `POST /api/sesiones` con `rol: \"staff\"` y solo puede registrar ingresos a los eventos de ese organizador.",
    request_body = CrearStaff,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Creada", body = Staff),
        BodyProblems,
        (status = 401, description = "Sin sesión", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No es la sesión de un organizador", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Ya existe personal de puerta con ese email", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn crear_staff(
    State(state): State<AppState>,
    SoloOrganizador(organizador_id): SoloOrganizador,
    ApiJson(body): ApiJson<CrearStaff>,
) -> Result<impl IntoResponse, ApiError> {
    let (nombre, email, password) =
        super::alta::validar(&body.nombre, &body.email, &body.password)?;
    let s = Staff {
        id: Uuid::new_v4(),
        email,
        nombre,
        rol: Rol::Staff,
        organizador_id,
        creado_en: eventflow_shared::now(),
    };
    let hash = state.contrasenas.hash(&password).await?;
    state.staff.insert(&s, &hash).await?;
    tracing::info!(staff_id = %s.id, %organizador_id, "door staff created");
    Ok((StatusCode::CREATED, Json(s)))
}

/// The signed-in organizer's door staff.
#[utoipa::path(get, path = "/api/staff", tag = "staff",
    summary = "Listar el personal de puerta",
    description = "El personal de puerta del organizador con sesión, el más antiguo primero.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Su personal", body = ListaStaff),
        (status = 401, description = "Sin sesión", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No es la sesión de un organizador", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn listar_staff(
    State(state): State<AppState>,
    SoloOrganizador(organizador_id): SoloOrganizador,
) -> Result<Json<ListaStaff>, ApiError> {
    Ok(Json(ListaStaff {
        items: state.staff.del_organizador(organizador_id).await?,
    }))
}

/// Remove one of the organizer's door staff, ending its sessions.
#[utoipa::path(delete, path = "/api/staff/{id}", tag = "staff",
    summary = "Quitar personal de puerta",
    description = "Borra la cuenta y cierra sus sesiones: aquí al instante, y en los demás servicios cuando vence la caché de sesiones (2 s por defecto). Solo el organizador del que es.",
    params(("id" = String, Path)),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Quitado"),
        (status = 401, description = "Sin sesión", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No es la sesión de un organizador", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No es personal de este organizador", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn borrar_staff(
    State(state): State<AppState>,
    SoloOrganizador(organizador_id): SoloOrganizador,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let no_existe = || ApiError::not_found(format!("No hay personal de puerta {id}"));
    let uuid = Uuid::parse_str(&id).map_err(|_| no_existe())?;
    if !state.staff.borrar(uuid, organizador_id).await? {
        return Err(no_existe());
    }
    state.sesiones.revocar_todas(uuid).await?;
    tracing::info!(staff_id = %uuid, %organizador_id, "door staff removed");
    Ok(StatusCode::NO_CONTENT)
}
