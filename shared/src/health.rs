//! `/health` (liveness) and `/ready` (each configured dependency answers), documented.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::future::BoxFuture;
use serde_json::{json, Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;

type CheckFn = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// The named dependency checks behind `/ready`.
#[derive(Clone, Default)]
pub struct Readiness {
    checks: Vec<(&'static str, CheckFn)>,
}

impl Readiness {
    pub fn check<F>(mut self, name: &'static str, f: F) -> Self
    where
        F: Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    {
        self.checks.push((name, Arc::new(f)));
        self
    }
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/health", tag = "salud",
    responses((status = 200, description = "El proceso está vivo", example = json!({"status": "ok"}))))]
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: every configured dependency answers. 503 names the ones that do not.
#[utoipa::path(get, path = "/ready", tag = "salud",
    responses(
        (status = 200, description = "Todas las dependencias responden",
            example = json!({"status": "ready", "dependencias": {"mongodb": "ok", "redis": "ok"}})),
        (status = 503, description = "Alguna dependencia no responde", body = crate::Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn ready(State(readiness): State<Readiness>) -> Response {
    let mut deps = Map::new();
    let mut down = Vec::new();
    for (name, check) in &readiness.checks {
        let outcome = tokio::time::timeout(Duration::from_secs(3), check()).await;
        let status = match outcome {
            Ok(Ok(())) => "ok".to_owned(),
            Ok(Err(e)) => format!("error: {e}"),
            Err(_) => "error: no respondió en 3 s".to_owned(),
        };
        if status != "ok" {
            down.push(*name);
        }
        deps.insert((*name).to_owned(), status.into());
    }
    if down.is_empty() {
        (
            StatusCode::OK,
            Json(json!({ "status": "ready", "dependencias": deps })),
        )
            .into_response()
    } else {
        ApiError::unavailable(
            &down.join(","),
            format!("Dependencias que no responden: {}", down.join(", ")),
        )
        .with("dependencias", Value::Object(deps))
        .into_response()
    }
}

/// The health routes with their state applied, ready to merge into a service router.
pub fn router<S: Clone + Send + Sync + 'static>(readiness: Readiness) -> OpenApiRouter<S> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .with_state(readiness)
}
