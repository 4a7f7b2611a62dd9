//! notificaciones HTTP API: list notifications; health and readiness.

use std::sync::Arc;

use axum::extract::State;
use axum::{Json, Router};
use eventflow_shared::health::Readiness;
use eventflow_shared::http::BearerAuth;
use eventflow_shared::identidad::{prohibido, ConSesion, Identidades, Llamante, Verificador};
use eventflow_shared::pagina::Paginacion;
use eventflow_shared::problemas::{InvalidParams, MongoUnavailable, SessionRequired};
use eventflow_shared::{ApiError, ApiQuery, FieldError, Problem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::domain::Notificacion;
use crate::store::{Filtro, NotificacionStore};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn NotificacionStore>,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin.
    pub admin_token: Arc<str>,
    /// Asks usuarios whether a session token is live (cached briefly).
    pub verificador: Arc<dyn Verificador>,
}

impl Identidades for AppState {
    fn admin_token(&self) -> &str {
        &self.admin_token
    }

    fn verificador(&self) -> &Arc<dyn Verificador> {
        &self.verificador
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListarNotificaciones {
    /// Whose notifications. A buyer's session reads only its own (leave it out, or give
    /// your id); the platform admin reads anyone's, or every notification without it.
    pub usuario_id: Option<String>,
    /// `nuevo-evento`, `reserva-confirmada`, `reserva-cancelada` or `reserva-reenviada`.
    pub tipo: Option<String>,
    pub reserva_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginaNotificaciones {
    pub items: Vec<Notificacion>,
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}

/// Notifications, newest first: a buyer's own (one-time codes left out: they go by
/// e-mail only), or anyone's for the platform admin.
#[utoipa::path(get, path = "/api/notificaciones", tag = "notificaciones",
    summary = "Listar notificaciones",
    description = "Notificaciones, de la más reciente a la más antigua: las propias de un comprador (sin los códigos de un solo uso, que solo se envían por email), o las de cualquiera para el administrador de la plataforma.",
    params(ListarNotificaciones, Paginacion), security(("bearer" = [])),
    responses(
        (status = 200, description = "Una página de notificaciones", body = PaginaNotificaciones),
        SessionRequired,
        (status = 403, description = "Una cuenta de organizador no tiene notificaciones de compradores", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Las notificaciones de otro comprador", body = Problem, content_type = "application/problem+json"),
        InvalidParams,
        MongoUnavailable,
    ))]
pub async fn listar(
    State(st): State<AppState>,
    ConSesion(llamante): ConSesion,
    pagina: Paginacion,
    ApiQuery(mut q): ApiQuery<ListarNotificaciones>,
) -> Result<Json<PaginaNotificaciones>, ApiError> {
    match llamante {
        Llamante::Admin => {}
        Llamante::Comprador(yo) => {
            let yo = yo.to_string();
            match &q.usuario_id {
                None => q.usuario_id = Some(yo),
                // Ids are compared in canonical form, as stored.
                Some(u) if uuid::Uuid::parse_str(u).is_ok_and(|u| u.to_string() == yo) => {
                    q.usuario_id = Some(yo)
                }
                Some(_) => {
                    return Err(ApiError::not_found(
                        "No hay notificaciones de ese comprador",
                    ))
                }
            }
        }
        Llamante::Organizador(_) | Llamante::Staff { .. } | Llamante::Anonimo => {
            return Err(prohibido(
                "Las notificaciones son de los compradores: inicia sesión como comprador",
            ))
        }
    }
    let limit = pagina.limit();
    for (campo, v) in [
        ("usuario_id", &q.usuario_id),
        ("reserva_id", &q.reserva_id),
        ("tipo", &q.tipo),
    ] {
        if let Some(v) = v {
            eventflow_shared::safe_id(campo, v)?;
        }
    }
    let offset = pagina.offset();
    let filtro = Filtro {
        usuario_id: q.usuario_id,
        tipo: q.tipo,
        reserva_id: q.reserva_id,
        // A one-time code is a credential: only the mail relay (the platform admin)
        // reads it, never a session. Otherwise a signed-in buyer could read the code
        // meant to prove they own a new email, and a stolen session could reset the
        // password with it.
        sin_tipo: matches!(llamante, Llamante::Comprador(_)).then(|| "codigo".to_owned()),
    };
    let (items, total) = st.store.listar(&filtro, limit, offset).await?;
    Ok(Json(PaginaNotificaciones {
        items,
        total,
        limit,
        offset,
    }))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "EventFlow notificaciones-service", version = "0.1.0",
        description = "Notificaciones generadas, una por mensaje, a partir de EventCreated, ReservaConfirmada (con las entradas, sus enlaces y el PDF), ReservaCancelada, ReservaReenviada (el enlace nuevo de una reserva) y CodigoEmitido. Los códigos de un solo uso solo los lee el administrador (el relé de correo), nunca una sesión."),
    components(schemas(Problem, FieldError)),
    tags((name = "notificaciones"), (name = "salud", description = "Liveness y readiness")),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(listar))
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    eventflow_shared::http::document(api())
}

pub fn router(state: AppState, readiness: Readiness) -> Router {
    eventflow_shared::http::assemble(api(), state, readiness)
}
