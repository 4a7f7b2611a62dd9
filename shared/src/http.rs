//! HTTP plumbing every service shares: one assembly of a service's routes, health and
//! Swagger UI, request and correlation ids, body limit, problem fallbacks, panic catching,
//! CORS, security headers, and a `serve` that stops cleanly and holds every connection to header, body and
//! idle deadlines and the process to a connection budget.

mod body_deadline;
mod budget;
mod cabeceras;
mod conn;
mod interruptor;
mod limits;
mod server;

pub use budget::ConnectionBudget;
pub use cabeceras::{CSP_API, CSP_DOCS};
pub use interruptor::{
    con_interruptor, cortar_si_caido, rutas_de_datos, NecesitaMongo, NO_APLICADO,
};
pub use limits::{raise_open_files_limit, ConnectionLimits};
pub use server::serve_with;

use std::future::Future;
use std::time::Instant;

use axum::extract::{DefaultBodyLimit, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::Instrument;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::health::{self, Readiness};

pub const BODY_LIMIT: usize = 64 * 1024;
pub static CORRELATION_ID: HeaderName = HeaderName::from_static("x-correlation-id");
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The correlation id of the current request: the client's `X-Correlation-Id` when it is
/// sane, otherwise this request's own id. It travels on every outgoing call and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationId(pub String);

impl<S: Send + Sync> FromRequestParts<S> for CorrelationId {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CorrelationId>()
            .cloned()
            .unwrap_or_else(|| CorrelationId(uuid::Uuid::new_v4().to_string())))
    }
}

fn acceptable_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 128
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

async fn correlate(mut req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let correlation = req
        .headers()
        .get(&CORRELATION_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| request_id.clone());
    req.extensions_mut()
        .insert(CorrelationId(correlation.clone()));
    let span = tracing::info_span!(
        "http",
        method = %req.method(),
        path = %req.uri().path(),
        request_id = %request_id,
        correlation_id = %correlation,
    );
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            status = res.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "request"
        )
    });
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID.clone(), v);
    }
    if let Ok(v) = HeaderValue::from_str(&correlation) {
        headers.insert(CORRELATION_ID.clone(), v);
    }
    res
}

async fn not_found() -> ApiError {
    ApiError::not_found("No existe esa ruta")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "metodo-no-permitido",
        "Método no permitido",
        "Esta ruta no acepta ese método",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("a handler panicked").into_response()
}

/// `EVENTFLOW_CORS_ORIGINS`: a comma-separated list of origins (`https://entradas.example`);
/// unset means the Vite dev server and the launcher's own UI origin. An origin that is no
/// `http(s)://` URL is an error naming the variable, not an entry quietly dropped. The
/// binaries read it with the rest of their configuration; every router built reads it again.
pub fn origenes_cors(e: &mut crate::config::entorno::Entorno) -> Vec<HeaderValue> {
    const DEFECTO: &str =
        "http://localhost:5173,http://127.0.0.1:5173,http://localhost:8080,http://127.0.0.1:8080";
    let leer = |lista: &str| {
        lista
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(|o| {
                crate::config::entorno::url_http(o).and_then(|()| {
                    HeaderValue::from_str(o).map_err(|_| format!("{o:?} no es un origen válido"))
                })
            })
            .collect::<Result<Vec<_>, String>>()
    };
    let defecto = leer(DEFECTO).expect("the default origins are valid");
    e.con("EVENTFLOW_CORS_ORIGINS", defecto, leer)
}

/// CORS for the booking UI, for the origins of [`origenes_cors`].
fn cors() -> CorsLayer {
    let list = origenes_cors(&mut crate::config::entorno::Entorno::del_proceso());
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods(tower_http::cors::Any)
        .allow_headers(tower_http::cors::Any)
        .expose_headers([CORRELATION_ID.clone(), REQUEST_ID.clone()])
}

/// A service's OpenAPI document, as [`assemble`] serves it at `/api-docs/openapi.json`:
/// its API plus the health routes. The snapshot tests and the UI's types read this.
pub fn document<S>(api: OpenApiRouter<S>) -> utoipa::openapi::OpenApi
where
    S: Clone + Send + Sync + 'static,
{
    api.merge(health::router(Readiness::default()))
        .split_for_parts()
        .1
}

/// A service's whole router, the same way for all four: its API on its state, the health
/// routes, Swagger UI at `/docs` over the document at `/api-docs/openapi.json`, and the
/// shared layers and fallbacks ([`finish`]).
pub fn assemble<S>(api: OpenApiRouter<S>, state: S, readiness: Readiness) -> Router
where
    S: Clone + Send + Sync + 'static,
{
    let (router, doc) = api
        .with_state(state)
        .merge(health::router(readiness))
        .split_for_parts();
    finish(router.merge(SwaggerUi::new("/docs").url("/api-docs/openapi.json", doc)))
}

/// Wraps a service's router with the shared layers and problem+json fallbacks. The
/// security headers (`cabeceras`) go outermost, so preflights, panics and 404s get them.
pub fn finish(router: Router) -> Router {
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(correlate))
        .layer(cors())
        .layer(middleware::from_fn(cabeceras::poner))
}

/// Serves until `shutdown` resolves, then drains in-flight requests, under the
/// connection limits from the environment ([`ConnectionLimits::from_env`]). A limit that
/// does not parse fails here, at start-up, naming its variable.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = ConnectionLimits::from_env()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    serve_with(listener, router, shutdown, limits).await
}

/// Resolves on Ctrl-C or SIGTERM, for binaries.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// Registers the `bearer` security scheme that organizer and service routes reference.
pub struct BearerAuth;

/// OpenAPI security scheme `secreto`: a guest's reservation secret in `X-Reserva-Secreto`.
pub struct SecretoReserva;

impl utoipa::Modify for SecretoReserva {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "secreto",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Reserva-Secreto",
                "El secreto que devolvió POST /api/reservar (compras sin cuenta)",
            ))),
        );
    }
}

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
