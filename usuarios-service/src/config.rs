//! usuarios-service configuration, from the environment or for the embedded launcher.

use std::time::Duration;

use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{
    env_parse, required_token, BackendMode, StoreConfig, DEV_ADMIN_TOKEN, DEV_SERVICE_TOKEN,
};

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    /// Credential other services present on `/internal/*` routes.
    pub service_token: String,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin, who creates organizers.
    pub admin_token: String,
    /// How long a session lives.
    pub sesion_ttl: Duration,
    pub limites: LimitesSesion,
    /// Where one-time codes are sent from (to notificaciones).
    pub bus: BusConfig,
    /// reservas-pagos, asked whether a buyer bought from an organizer.
    pub reservas_url: String,
}

/// Sign-in attempts allowed per minute, each with a burst of the same size.
#[derive(Debug, Clone, Copy)]
pub struct LimitesSesion {
    pub por_email: u32,
    pub por_ip: u32,
    /// One-time codes requested per email.
    pub codigos_por_email: u32,
}

impl Default for LimitesSesion {
    fn default() -> Self {
        Self {
            por_email: 10,
            por_ip: 60,
            codigos_por_email: 3,
        }
    }
}

const SESION_HORAS: u64 = 12;

impl Config {
    /// In-memory store and the development tokens.
    pub fn embedded() -> Self {
        Self {
            store: StoreConfig::Embedded,
            service_token: DEV_SERVICE_TOKEN.to_owned(),
            admin_token: DEV_ADMIN_TOKEN.to_owned(),
            sesion_ttl: Duration::from_secs(SESION_HORAS * 3600),
            limites: LimitesSesion::default(),
            bus: BusConfig::Embedded(Default::default()),
            reservas_url: "http://127.0.0.1:8003".to_owned(),
        }
    }

    /// `MONGODB_URI` (database `usuarios`), `EVENTFLOW_SERVICE_TOKEN`,
    /// `EVENTFLOW_ADMIN_TOKEN`, `EVENTFLOW_SESION_HORAS` (12),
    /// `EVENTFLOW_SESIONES_POR_EMAIL` (10 a minute), `EVENTFLOW_SESIONES_POR_IP` (60),
    /// `EVENTFLOW_CODIGOS_POR_EMAIL` (3 a minute), the bus (`AMQP_URL`) and
    /// `RESERVAS_URL` (`http://127.0.0.1:8003`).
    pub fn from_env(mode: BackendMode) -> anyhow::Result<Self> {
        let d = LimitesSesion::default();
        let horas: u64 = env_parse("EVENTFLOW_SESION_HORAS", SESION_HORAS)?;
        let limites = LimitesSesion {
            por_email: env_parse("EVENTFLOW_SESIONES_POR_EMAIL", d.por_email)?,
            por_ip: env_parse("EVENTFLOW_SESIONES_POR_IP", d.por_ip)?,
            codigos_por_email: env_parse("EVENTFLOW_CODIGOS_POR_EMAIL", d.codigos_por_email)?,
        };
        anyhow::ensure!(
            horas > 0 && limites.por_email > 0 && limites.por_ip > 0 && limites.codigos_por_email > 0,
            "EVENTFLOW_SESION_HORAS, EVENTFLOW_SESIONES_POR_EMAIL, EVENTFLOW_SESIONES_POR_IP and EVENTFLOW_CODIGOS_POR_EMAIL must be positive"
        );
        Ok(Self {
            store: StoreConfig::from_env(mode, "usuarios"),
            service_token: required_token("EVENTFLOW_SERVICE_TOKEN", mode, DEV_SERVICE_TOKEN)?,
            admin_token: required_token("EVENTFLOW_ADMIN_TOKEN", mode, DEV_ADMIN_TOKEN)?,
            sesion_ttl: Duration::from_secs(horas * 3600),
            limites,
            bus: BusConfig::from_env(mode),
            reservas_url: eventflow_shared::config::env_string("RESERVAS_URL")
                .unwrap_or_else(|| "http://127.0.0.1:8003".to_owned()),
        })
    }
}
