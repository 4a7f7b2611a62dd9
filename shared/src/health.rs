//! `/health` (liveness) and `/ready` (each configured dependency answers), documented.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures::future::BoxFuture;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
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

/// Body of `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vivo {
    #[schema(example = "ok")]
    pub status: String,
}

/// Body of `GET /ready` when every dependency answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Listo {
    #[schema(example = "ready")]
    pub status: String,
    /// Each configured dependency and `ok`.
    #[schema(example = json!({"mongodb": "ok", "redis": "ok"}))]
    pub dependencias: BTreeMap<String, String>,
}

/// Liveness: the process is up and serving.
#[utoipa::path(get, path = "/health", tag = "salud",
    summary = "Comprobar que el servicio está vivo",
    description = "Responde mientras el proceso esté en marcha y atendiendo peticiones.",
    security(()),
    responses((status = 200, description = "El proceso está vivo", body = Vivo,
        example = json!({"status": "ok"}))))]
pub async fn health() -> Json<Vivo> {
    Json(Vivo {
        status: "ok".into(),
    })
}

/// Readiness: every configured dependency answers. 503 names the ones that do not.
#[utoipa::path(get, path = "/ready", tag = "salud",
    summary = "Comprobar que el servicio está listo",
    description = "Comprueba que responde cada dependencia configurada. Si alguna no responde, contesta 503 indicando cuáles.",
    security(()),
    responses(
        (status = 200, description = "Todas las dependencias responden", body = Listo,
            example = json!({"status": "ready", "dependencias": {"mongodb": "ok", "redis": "ok"}})),
        (status = 503, description = "Alguna dependencia no responde", body = crate::Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn ready(State(readiness): State<Readiness>) -> Response {
    let mut deps = BTreeMap::new();
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
        deps.insert((*name).to_owned(), status);
    }
    if down.is_empty() {
        (
            StatusCode::OK,
            Json(Listo {
                status: "ready".into(),
                dependencias: deps,
            }),
        )
            .into_response()
    } else {
        ApiError::unavailable(
            &down.join(","),
            format!("Dependencias que no responden: {}", down.join(", ")),
        )
        .with("dependencias", json!(deps))
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
