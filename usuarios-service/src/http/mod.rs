//! usuarios HTTP API: the router, its state and the OpenAPI document.

mod dto;
mod handlers;
mod internal;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::health::{self, Readiness};
use eventflow_shared::http::BearerAuth;
use eventflow_shared::{FieldError, Problem};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::store::UsuarioStore;

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn UsuarioStore>,
    pub service_token: Arc<str>,
}

impl eventflow_shared::auth::Tokens for AppState {
    fn token(&self, realm: eventflow_shared::auth::Realm) -> &str {
        match realm {
            // usuarios has no organizer routes; an empty token never matches.
            eventflow_shared::auth::Realm::Organizador => "",
            eventflow_shared::auth::Realm::Servicio => &self.service_token,
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "EventFlow usuarios-service",
        version = "0.1.0",
        description = "Perfiles de compradores e historial de compras. Errores en application/problem+json."
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "usuarios", description = "Registro y consulta de compradores"),
        (name = "interno", description = "Solo para otros servicios: requiere EVENTFLOW_SERVICE_TOKEN"),
        (name = "salud", description = "Liveness y readiness"),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

/// The OpenAPI document, as served at `/api-docs/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    router_parts(None).1
}

fn router_parts(state: Option<(AppState, Readiness)>) -> (Router, utoipa::openapi::OpenApi) {
    let api = OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(handlers::crear_usuario, handlers::listar_usuarios))
        .routes(routes!(
            handlers::obtener_usuario,
            handlers::actualizar_usuario
        ))
        .routes(routes!(internal::agregar_compra, internal::quitar_compra));
    match state {
        Some((state, readiness)) => api
            .with_state(state)
            .merge(health::router(readiness))
            .split_for_parts(),
        None => {
            let (_, doc) = api
                .merge(health::router(Readiness::default()))
                .split_for_parts();
            (Router::new(), doc)
        }
    }
}

pub fn router(state: AppState, readiness: Readiness) -> Router {
    let (router, api) = router_parts(Some((state, readiness)));
    let router = router.merge(SwaggerUi::new("/docs").url("/api-docs/openapi.json", api));
    eventflow_shared::http::finish(router)
}
