//! eventos HTTP API: the router, its state and the OpenAPI document.

pub mod consulta_cuadre;
mod dto;
mod entradas;
mod handlers;
mod internal;
mod problemas;
mod seed000;
mod transferencias;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::health::Readiness;
use eventflow_shared::http::BearerAuth;
use eventflow_shared::{FieldError, Problem};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use dto::EventoRespuesta;

use crate::cache::EventoCache;
use crate::store::EventoStore;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn EventoStore>,
    pub cache: EventoCache,
    pub admin_token: Arc<str>,
    /// Its own service token and reservas', the only caller of `/internal/*`.
    pub servicios: Arc<eventflow_shared::auth::CredencialesServicios>,
    /// Wakes the outbox relay after a write that queued a message.
    pub outbox: Arc<tokio::sync::Notify>,
    /// Wakes the archiver after a confirmation (`tareas::archivador`).
    pub archivo: Arc<tokio::sync::Notify>,
    /// Each event's zone names, so an inventory call needs no read of the event.
    pub zonas: Arc<crate::zonas::NombresDeZonas>,
    /// reservas-pagos, for the consulta de cuadre.
    pub reservas: consulta_cuadre::Reservas,
    /// Asks usuarios whether an organizer's session token is live (cached briefly).
    pub verificador: Arc<dyn eventflow_shared::identidad::Verificador>,
    /// Where local dates are read when an event names no zone (`EVENTFLOW_ZONA_HORARIA`).
    pub zona_horaria: chrono_tz::Tz,
}

impl eventflow_shared::identidad::Identidades for AppState {
    fn admin_token(&self) -> &str {
        &self.admin_token
    }

    fn verificador(&self) -> &Arc<dyn eventflow_shared::identidad::Verificador> {
        &self.verificador
    }
}

impl eventflow_shared::auth::ConCredenciales for AppState {
    fn credenciales(&self) -> &eventflow_shared::auth::CredencialesServicios {
        &self.servicios
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "EventFlow eventos-service",
        version = "0.1.0",
        description = "Eventos, zonas, precios (en unidades menores) y disponibilidad. \
            Publicar y gestionar eventos requiere la sesión de un organizador (POST /api/sesiones \
            con `rol: organizador` en usuarios-service), que solo gestiona los suyos, o \
            `Authorization: Bearer <EVENTFLOW_ADMIN_TOKEN>` (administrador de la plataforma). \
            Errores en application/problem+json."
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "eventos", description = "Catálogo de eventos y disponibilidad"),
        (name = "entradas", description = "La puerta: claves públicas de los QR, ingresos y su resumen (reservas-pagos guarda las entradas; eventos decide quién pregunta)"),
        (name = "seed 000 compatibility", description = "La API de la semilla .NET (`/events`), sobre los mismos eventos que /api/eventos"),
        (name = "interno", description = "Inventario para reservas-pagos: solo con su credencial (EVENTFLOW_TOKEN_RESERVAS)"),
        (name = "salud", description = "Liveness, readiness y métricas"),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(handlers::crear_evento, handlers::listar_eventos))
        .routes(routes!(
            handlers::obtener_evento,
            handlers::actualizar_evento
        ))
        .routes(routes!(seed000::create_event, seed000::list_events))
        .routes(routes!(seed000::get_event))
        .routes(routes!(internal::retener))
        .routes(routes!(internal::confirmar))
        .routes(routes!(internal::liberar))
        .routes(routes!(internal::devolver))
        .routes(routes!(internal::devolver_una))
        .routes(routes!(transferencias::transferencias))
        .routes(routes!(internal::inventario))
        .routes(routes!(consulta_cuadre::conciliacion))
        .routes(routes!(consulta_cuadre::metricas))
        .routes(routes!(entradas::claves))
        .routes(routes!(entradas::rotar_claves))
        .routes(routes!(entradas::ingresar))
        .routes(routes!(entradas::resumen))
        .routes(routes!(entradas::lista))
        .routes(routes!(entradas::conflictos))
        // A scanner's queue: 500 scans with their signed QR are more than the usual body.
        .merge(OpenApiRouter::new().routes(routes!(entradas::lote)).layer(
            axum::extract::DefaultBodyLimit::max(eventflow_shared::ingresos::LIMITE_CUERPO_LOTE),
        ))
}

/// The OpenAPI document, as served at `/api-docs/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    eventflow_shared::http::document(api())
}

pub fn router(state: AppState, readiness: Readiness) -> Router {
    eventflow_shared::http::assemble(api(), state, readiness)
}
