//! reservas-pagos-service: the reservation SAGA (skeleton until its issue lands).

use axum::Router;
use eventflow_shared::health::{self, Readiness};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

#[derive(Debug, Clone, Default)]
pub struct Config {}

#[derive(OpenApi)]
#[openapi(info(title = "EventFlow reservas-pagos-service", version = "0.1.0"))]
struct ApiDoc;

pub async fn build(_config: Config) -> anyhow::Result<Router> {
    let (router, doc) = OpenApiRouter::<()>::with_openapi(ApiDoc::openapi())
        .merge(health::router(Readiness::default()))
        .split_for_parts();
    let router = router.merge(SwaggerUi::new("/docs").url("/api-docs/openapi.json", doc));
    Ok(eventflow_shared::http::finish(router))
}
