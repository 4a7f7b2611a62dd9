//! usuarios-service binary: real backends on localhost by default, port 8001.

use eventflow_shared::config;

eventflow_shared::asignador!();

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    eventflow_shared::telemetry::init();
    // A bad variable ends the process here, every one named, before anything connects.
    let a = config::arranque(
        "usuarios-service",
        "USUARIOS_PORT",
        8001,
        usuarios_service::Config::desde,
    );
    let router = usuarios_service::build(a.config).await?;
    let listener = tokio::net::TcpListener::bind((a.bind.as_str(), a.puerto)).await?;
    tracing::info!("usuarios-service on http://{}/docs", listener.local_addr()?);
    eventflow_shared::http::serve(listener, router, eventflow_shared::http::shutdown_signal())
        .await?;
    Ok(())
}
