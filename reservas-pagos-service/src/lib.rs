//! reservas-pagos-service: the reservation SAGA, the simulated payment provider, the
//! reservations' event log, cancellation and crash recovery.

pub mod clients;
pub mod config;
pub mod cuadre;
pub mod domain;
pub mod http;
pub mod metrics;
pub mod pagos;
pub mod pdf;
pub mod puertos;
pub mod reservar;
pub mod saga;
pub mod store;
pub mod tareas;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::config::RedisConfig;
use eventflow_shared::health::Readiness;

pub use config::Config;

use crate::clients::{EventosClient, Peer, UsuariosClient};
use crate::saga::{Cadena, Deps};

/// Builds the service exactly as the binary, the launcher and the tests run it, and
/// starts the recovery loop (one sweep right away, then periodically).
pub async fn build(config: Config) -> anyhow::Result<Router> {
    Ok(build_parts(config).await?.0)
}

/// Like [`build`], also handing back the SAGA's dependencies, so tests can inspect the
/// lock store and the reservations whichever backend they run on.
pub async fn build_parts(config: Config) -> anyhow::Result<(Router, Arc<Deps>)> {
    let stores = store::from_config(&config.store).await?;
    let lock = eventflow_shared::lock::from_config(&config.redis).await?;
    let publicador = config.bus.publicador().await?;
    let outbox = tareas::relay(stores.reservas.clone(), publicador.clone());
    let deps = Arc::new(Deps {
        usuarios: Arc::new(UsuariosClient(Peer::new(
            "usuarios",
            &config.usuarios_url,
            config.servicios.token_propio().expose(),
            config.http_timeout,
        )?)),
        eventos: Arc::new(EventosClient::new(
            Peer::new(
                "eventos",
                &config.eventos_url,
                config.servicios.token_propio().expose(),
                config.http_timeout,
            )?,
            config.ficha_ttl,
        )),
        lock: lock.clone(),
        pasarela: Arc::new(pagos::PasarelaSimulada::new(
            stores.pagos.clone(),
            stores.reembolsos.clone(),
        )),
        reservas: stores.reservas.clone(),
        metricas: Arc::default(),
        outbox,
        lock_ttl: config.lock_ttl,
        max_cantidad: config.max_cantidad,
        instancia: config.instancia.clone(),
    });
    // A SAGA renews its lease (the lock TTL) at every write; between two writes it may
    // ask a peer up to 2 × INTENTOS_HASTA_SABER times. Past the lease, recovery may
    // claim a reservation whose SAGA is still running (it then stops at its next write).
    let peor_paso = config.http_timeout * (2 * puertos::INTENTOS_HASTA_SABER as u32);
    if config.lock_ttl <= peor_paso {
        tracing::warn!(
            lock_ttl_ms = config.lock_ttl.as_millis() as u64,
            peor_paso_ms = peor_paso.as_millis() as u64,
            "RESERVAS_LOCK_TTL_MS should exceed the slowest step (2 × 3 × RESERVAS_HTTP_TIMEOUT_MS)"
        );
    }
    let cadena = Arc::new(Cadena::estandar());
    tracing::info!(
        backend = stores.reservas.backend(),
        simular_fallos = config.simular_fallos,
        instancia = %config.instancia,
        "reservas stores ready"
    );

    // The background jobs, listed in `tareas`: the relay (above), recovery, the barrido.
    tareas::iniciar(&deps, &cadena, &config);

    let probe = stores.reservas.clone();
    let mut readiness = Readiness::default().check(stores.reservas.backend(), move || {
        let s = probe.clone();
        Box::pin(async move { s.ping().await })
    });
    if matches!(config.bus, eventflow_shared::bus::BusConfig::Rabbit(_)) {
        readiness = readiness.check("rabbitmq", move || {
            let p = publicador.clone();
            Box::pin(async move { p.ping().await })
        });
    }
    if matches!(config.redis, RedisConfig::Redis { .. }) {
        readiness = readiness.check("redis", move || {
            let l = lock.clone();
            Box::pin(async move { l.ping().await.map_err(|e| e.to_string()) })
        });
    }
    let state = http::AppState {
        deps: deps.clone(),
        reservar: Arc::new(reservar::Reservar::new(
            deps.clone(),
            cadena,
            stores.idempotencia,
            config.simular_fallos,
            config.max_en_curso,
            config.clave_huellas.clone(),
        )),
        servicios: Arc::new(config.servicios.clone()),
        admin_token: Arc::from(config.admin_token.expose()),
        verificador: Arc::new(eventflow_shared::identidad::VerificadorRemoto::new(
            &config.usuarios_url,
            config.servicios.token_propio().expose(),
            config.sesion_cache,
        )),
        anonimas: Arc::new(eventflow_shared::limite::PorMinuto::new(
            config.anonimas_por_ip,
        )),
        claves: stores.claves.clone(),
        contadores: stores.contadores.clone(),
        reenvios: config.reenvios,
    };
    let router = eventflow_shared::http::con_interruptor(
        http::router(state, readiness),
        &config.store,
        eventflow_shared::http::rutas_de_datos,
    );
    // The guest allowance believes X-Forwarded-For only from these peers.
    let router = config.proxies.capa(router);
    Ok((router, deps))
}
