//! usuarios-service: buyers, organizers and their sessions; buyers' purchase history,
//! recorded from the bus.

pub mod config;
pub mod domain;
pub mod historial;
pub mod http;
pub mod store;
pub mod tareas;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::health::Readiness;

pub use config::Config;
use domain::Contrasenas;

/// Builds the service exactly as the binary, the launcher and the tests run it.
pub async fn build(config: Config) -> anyhow::Result<Router> {
    Ok(build_instrumentado(config).await?.0)
}

/// [`build`], also handing back the password hasher so tests can count verifications.
pub async fn build_instrumentado(config: Config) -> anyhow::Result<(Router, Arc<Contrasenas>)> {
    let almacenes = store::from_config(&config.store).await?;
    let backend = almacenes.usuarios.backend();
    tracing::info!(backend, "usuarios store ready");
    let probe = almacenes.usuarios.clone();
    let readiness = Readiness::default().check(backend, move || {
        let s = probe.clone();
        Box::pin(async move { s.ping().await })
    });
    // One-time codes go out through their own outbox; the background jobs are listed in
    // `tareas` (the codes' relay, the purchase history's consumer).
    let publicador = config.bus.publicador().await?;
    let aviso = tareas::iniciar(&almacenes, publicador.clone(), &config).await?;
    let mut readiness = readiness;
    if matches!(config.bus, eventflow_shared::bus::BusConfig::Rabbit(_)) {
        readiness = readiness.check("rabbitmq", move || {
            let p = publicador.clone();
            Box::pin(async move { p.ping().await })
        });
    }
    let simultaneos = config.hashes_simultaneos;
    let contrasenas =
        tokio::task::spawn_blocking(move || Arc::new(Contrasenas::new(simultaneos))).await?;
    let state = http::AppState::new(almacenes, contrasenas.clone(), aviso, &config);
    let router = eventflow_shared::http::con_interruptor(
        http::router(state, readiness),
        &config.store,
        eventflow_shared::http::rutas_de_datos,
    );
    // Per-IP limits believe X-Forwarded-For only from these peers.
    let router = config.proxies.capa(router);
    Ok((router, contrasenas))
}
