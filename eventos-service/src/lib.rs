//! eventos-service: events, zones, prices, availability and inventory holds.

pub mod cache;
pub mod config;
pub mod domain;
pub mod http;
pub mod store;
pub mod tareas;
pub mod zonas;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::config::RedisConfig;
use eventflow_shared::health::Readiness;

pub use config::Config;

/// Builds the service exactly as the binary, the launcher and the tests run it.
pub async fn build(config: Config) -> anyhow::Result<Router> {
    let store_config = config.store.clone();
    let store = store::from_config(&config.store).await?;
    let cache = cache::EventoCache::new(
        eventflow_shared::cache::from_config(&config.redis).await?,
        config.cache_ttl,
    );
    tracing::info!(backend = store.backend(), "eventos store ready");
    let probe = store.clone();
    let mut readiness = Readiness::default().check(store.backend(), move || {
        let s = probe.clone();
        Box::pin(async move { s.ping().await })
    });
    if matches!(config.redis, RedisConfig::Redis { .. }) {
        let c = cache.clone();
        readiness = readiness.check("redis", move || {
            let c = c.clone();
            Box::pin(async move { c.ping().await })
        });
    }
    let publicador = config.bus.publicador().await?;
    // The background jobs, listed in `tareas`: the reaper, the relay, the archiver.
    let tareas::Despertadores { outbox, archivo } =
        tareas::iniciar(&store, &cache, publicador.clone(), &config);
    if config.bus_en_ready() {
        let p = publicador.clone();
        readiness = readiness.check("rabbitmq", move || {
            let p = p.clone();
            Box::pin(async move { p.ping().await })
        });
    }
    let state = http::AppState {
        outbox,
        archivo,
        zonas: Arc::new(zonas::NombresDeZonas::default()),
        store,
        cache,
        verificador: Arc::new(eventflow_shared::identidad::VerificadorRemoto::new(
            &config.usuarios_url,
            config.servicios.token_propio().expose(),
            config.sesion_cache,
        )),
        admin_token: Arc::from(config.admin_token.expose()),
        servicios: Arc::new(config.servicios.clone()),
        reservas: http::consulta_cuadre::Reservas::new(&config.reservas_url)?,
        zona_horaria: config.zona_horaria,
    };
    Ok(eventflow_shared::http::con_interruptor(
        http::router(state, readiness),
        &store_config,
        necesita_mongo,
    ))
}

/// While MongoDB is down, eventos sheds its inventory routes and its writes before their
/// store calls would time out; the catalogue's reads go on, from the Redis cache.
fn necesita_mongo(m: &axum::http::Method, path: &str) -> bool {
    path.starts_with("/internal/") || (path.starts_with("/api/") && m != axum::http::Method::GET)
}
