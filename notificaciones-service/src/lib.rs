//! notificaciones-service: consumes EventFlow's messages and records one notification
//! per message, idempotently.

pub mod consumer;
pub mod domain;
pub mod http;
pub mod store;
pub mod tareas;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{BackendMode, ConfigInvalida, Entorno, StoreConfig};
use eventflow_shared::health::Readiness;
use eventflow_shared::identidad::IdentidadConfig;

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub bus: BusConfig,
    /// Who may read which notifications: sessions are checked with usuarios.
    pub identidad: IdentidadConfig,
    /// `NOTIFICACIONES_CORREO_EN_LOG`: also print what would be emailed (one-time codes
    /// included) to the log. EventFlow has no mail relay; the launcher turns this on so a
    /// developer reads codes on the console. Never on in production.
    pub correo_en_log: bool,
    /// `EVENTFLOW_MOSTRAR_CODIGOS`: with `correo_en_log`, print one-time codes too. Off
    /// unless asked for, so a deployment's log never holds a code that signs someone in;
    /// the launcher turns it on only on embedded backends (development).
    pub mostrar_codigos: bool,
}

impl Config {
    /// `MONGODB_URI` (database `notificaciones`, or `NOTIFICACIONES_DB`), `AMQP_URL`, and
    /// the identity settings (`USUARIOS_URL`, `EVENTFLOW_TOKEN_NOTIFICACIONES`,
    /// `EVENTFLOW_ADMIN_TOKEN`, `EVENTFLOW_SESION_CACHE_MS`), `NOTIFICACIONES_CORREO_EN_LOG`
    /// and `EVENTFLOW_MOSTRAR_CODIGOS` (both off). Every bad variable is listed in the error.
    pub fn from_env(mode: BackendMode) -> Result<Self, ConfigInvalida> {
        let mut e = Entorno::del_proceso();
        let c = Self::desde(&mut e, mode);
        e.terminar_con(c)
    }

    /// The same, read through `e`, which keeps every error (the launcher reads all four
    /// services' configurations through one).
    pub fn desde(e: &mut Entorno, mode: BackendMode) -> Self {
        let db = e.texto_o("NOTIFICACIONES_DB", "notificaciones");
        Self {
            store: StoreConfig::desde(e, mode, &db),
            bus: BusConfig::desde(e, mode),
            identidad: IdentidadConfig::desde(e, mode),
            correo_en_log: e.si_no("NOTIFICACIONES_CORREO_EN_LOG", false),
            mostrar_codigos: e.si_no("EVENTFLOW_MOSTRAR_CODIGOS", false),
        }
    }
}

/// Builds the service and starts consuming.
pub async fn build(config: Config) -> anyhow::Result<Router> {
    let store = store::from_config(&config.store).await?;
    let consumidor = tareas::iniciar(&store, &config).await?;
    // `BusConfig`'s Debug masks the AMQP password (`amqp://guest:***@…`).
    tracing::info!(backend = store.backend(), bus = ?config.bus, "notificaciones consuming");
    let probe = store.clone();
    let c = consumidor.clone();
    let readiness = Readiness::default()
        .check(store.backend(), move || {
            let s = probe.clone();
            Box::pin(async move { s.ping().await })
        })
        .check("broker", move || {
            let ok = c.conectado();
            Box::pin(async move {
                if ok {
                    Ok(())
                } else {
                    Err("consumer not connected".into())
                }
            })
        });
    let state = http::AppState {
        store,
        admin_token: Arc::from(config.identidad.admin_token.expose()),
        verificador: config.identidad.verificador(),
    };
    Ok(eventflow_shared::http::con_interruptor(
        http::router(state, readiness),
        &config.store,
        eventflow_shared::http::rutas_de_datos,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The configuration notificaciones logs at start-up (`bus = ?config.bus`), and any
    /// `{:?}` of it, shows no password and no token.
    #[test]
    fn debug_shows_no_secret() {
        let mut identidad = IdentidadConfig::embedded("http://u");
        identidad.service_token = "token-de-servicio-123".into();
        identidad.admin_token = "token-de-admin-456".into();
        let c = Config {
            store: StoreConfig::Mongo {
                uri: "mongodb://eventflow:ClaveSecreta123@db:27017".into(),
                database: "x".into(),
            },
            bus: BusConfig::Rabbit(eventflow_shared::bus::RabbitConfig::new(
                "amqp://guest:guest@mq:5672/%2f",
            )),
            identidad,
            correo_en_log: true,
            mostrar_codigos: false,
        };
        let impreso = format!("{c:?}");
        for secreto in [
            "ClaveSecreta123",
            "guest:guest@",
            "token-de-servicio-123",
            "token-de-admin-456",
        ] {
            assert!(!impreso.contains(secreto), "{impreso}");
        }
        assert!(
            impreso.contains("amqp://guest:***@mq:5672/%2f"),
            "{impreso}"
        );
        assert!(
            impreso.contains("mongodb://eventflow:***@db:27017"),
            "{impreso}"
        );
    }
}
