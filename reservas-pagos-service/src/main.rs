//! reservas-pagos-service binary: real backends on localhost by default, port 8003.

use eventflow_shared::config::{self, BackendMode};

eventflow_shared::asignador!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    eventflow_shared::telemetry::init();
    let mode = BackendMode::from_env(BackendMode::Real)?;
    let cfg = reservas_pagos_service::Config::from_env(mode)?;
    let router = reservas_pagos_service::build(cfg).await?;
    let bind = config::env_string("EVENTFLOW_BIND").unwrap_or_else(|| "127.0.0.1".into());
    let port = config::port("RESERVAS_PORT", 8003)?;
    let listener = tokio::net::TcpListener::bind((bind.as_str(), port)).await?;
    tracing::info!(
        "reservas-pagos-service on http://{}/docs",
        listener.local_addr()?
    );
    eventflow_shared::http::serve(listener, router, eventflow_shared::http::shutdown_signal())
        .await?;
    Ok(())
}
