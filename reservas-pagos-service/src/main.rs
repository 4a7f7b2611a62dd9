//! reservas-pagos-service binary: real backends on localhost by default, port 8003.

use eventflow_shared::config;

eventflow_shared::asignador!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    eventflow_shared::telemetry::init();
    // A bad variable ends the process here, every one named, before anything connects.
    let a = config::arranque(
        "reservas-pagos-service",
        "RESERVAS_PORT",
        8003,
        reservas_pagos_service::Config::desde,
    );
    let router = reservas_pagos_service::build(a.config).await?;
    let listener = tokio::net::TcpListener::bind((a.bind.as_str(), a.puerto)).await?;
    tracing::info!(
        "reservas-pagos-service on http://{}/docs",
        listener.local_addr()?
    );
    eventflow_shared::http::serve(listener, router, eventflow_shared::http::shutdown_signal())
        .await?;
    Ok(())
}
