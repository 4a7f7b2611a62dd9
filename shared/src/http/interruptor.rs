//! Load shedding while MongoDB cannot take a write ([`crate::mongo::Interruptor`] open):
//! the requests that need it are answered 503 at once, before anything starts, instead
//! of each waiting out the driver's server selection.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::ApiError;
use crate::mongo::Interruptor;

/// Set on an answer that guarantees nothing was applied: a caller that sees it on a 5xx
/// knows the outcome (refused), not merely that something failed.
pub const NO_APLICADO: &str = "x-no-aplicado";

/// Which requests of a service need MongoDB: `(method, path)`.
pub type NecesitaMongo = fn(&Method, &str) -> bool;

/// The usual answer: every `/api/…` and `/internal/…` route needs the store; probes,
/// docs and metrics do not.
pub fn rutas_de_datos(_: &Method, path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/internal/")
}

/// Wraps `router` so that, while `interruptor` is open, the requests `necesita` names get
/// 503 `mongodb` with `Retry-After: 1` and [`NO_APLICADO`].
pub fn cortar_si_caido(
    router: Router,
    interruptor: Arc<Interruptor>,
    necesita: NecesitaMongo,
) -> Router {
    router.layer(middleware::from_fn(move |req: Request, next: Next| {
        let interruptor = interruptor.clone();
        async move {
            if interruptor.abierto() && necesita(req.method(), req.uri().path()) {
                return cortado();
            }
            next.run(req).await
        }
    }))
}

fn cortado() -> Response {
    let mut res = ApiError::unavailable(
        "mongodb",
        "La base de datos no responde; no se empezó nada. Reintenta en unos segundos",
    )
    .retry_after(1)
    .into_response();
    res.headers_mut()
        .insert(NO_APLICADO, HeaderValue::from_static("1"));
    res
}

/// [`cortar_si_caido`] with the breaker of `store`'s deployment; an embedded store has
/// none, and the router is returned as it is.
pub fn con_interruptor(
    router: Router,
    store: &crate::config::StoreConfig,
    necesita: NecesitaMongo,
) -> Router {
    match store {
        crate::config::StoreConfig::Mongo { uri, .. } => {
            cortar_si_caido(router, crate::mongo::interruptor(uri.expose()), necesita)
        }
        crate::config::StoreConfig::Embedded => router,
    }
}
