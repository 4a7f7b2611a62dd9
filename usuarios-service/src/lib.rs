//! usuarios-service: buyer profiles and purchase history (`historial_compras`).

pub mod config;
pub mod domain;
pub mod http;
pub mod store;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::health::Readiness;

pub use config::Config;

/// Builds the service exactly as the binary, the launcher and the tests run it.
pub async fn build(config: Config) -> anyhow::Result<Router> {
    let store = store::from_config(&config.store).await?;
    tracing::info!(backend = store.backend(), "usuarios store ready");
    let probe = store.clone();
    let readiness = Readiness::default().check(store.backend(), move || {
        let s = probe.clone();
        Box::pin(async move { s.ping().await })
    });
    let state = http::AppState {
        store,
        service_token: Arc::from(config.service_token),
    };
    Ok(http::router(state, readiness))
}
