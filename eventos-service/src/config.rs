//! eventos-service configuration, from the environment or for the embedded launcher.

use std::time::Duration;

use eventflow_shared::auth::{CredencialesServicios, Servicio};
use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{
    required_token, BackendMode, ConfigInvalida, Entorno, RedisConfig, StoreConfig, DEV_ADMIN_TOKEN,
};
use eventflow_shared::secreto::Secreto;

/// The services that call eventos' `/internal/*` routes: reservas alone (the inventory).
pub const LLAMANTES: &[Servicio] = &[Servicio::Reservas];

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub redis: RedisConfig,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin, who may manage every event.
    pub admin_token: Secreto,
    /// Its own token (`EVENTFLOW_TOKEN_EVENTOS`, presented to reservas and usuarios) and
    /// the only caller's, reservas' (`EVENTFLOW_TOKEN_RESERVAS`), for `/internal/*`.
    pub servicios: CredencialesServicios,
    pub cache_ttl: Duration,
    /// Holds older than this are released by the reaper (`EVENTOS_RETENCION_TTL_SECS`).
    pub retencion_ttl: Duration,
    /// How often the reaper sweeps (`EVENTOS_REAPER_INTERVAL_SECS`).
    pub reaper_interval: Duration,
    /// Where `EventCreated` goes (`AMQP_URL` on real backends).
    pub bus: BusConfig,
    /// reservas-pagos, which runs the reconciliation the organizer asks for
    /// (`RESERVAS_URL`, default `http://127.0.0.1:8003`).
    pub reservas_url: String,
    /// usuarios-service, which vouches for organizers' sessions (`USUARIOS_URL`).
    pub usuarios_url: String,
    /// `EVENTFLOW_SESION_CACHE_MS`: how long a session check is reused.
    pub sesion_cache: Duration,
    /// `EVENTFLOW_ZONA_HORARIA`: the venue zone events get when they name none.
    pub zona_horaria: chrono_tz::Tz,
}

impl Config {
    /// Whether `/ready` checks the broker (only a real one can be down).
    pub fn bus_en_ready(&self) -> bool {
        matches!(self.bus, BusConfig::Rabbit(_))
    }

    pub fn embedded() -> Self {
        Self {
            store: StoreConfig::Embedded,
            redis: RedisConfig::Embedded,
            admin_token: DEV_ADMIN_TOKEN.into(),
            servicios: CredencialesServicios::dev(Servicio::Eventos, LLAMANTES),
            cache_ttl: Duration::from_secs(60),
            retencion_ttl: Duration::from_secs(120),
            reaper_interval: Duration::from_secs(10),
            bus: BusConfig::Embedded(Default::default()),
            reservas_url: "http://127.0.0.1:8003".into(),
            usuarios_url: "http://127.0.0.1:8001".into(),
            sesion_cache: Duration::from_secs(2),
            zona_horaria: crate::domain::fecha::ZONA_DEFECTO,
        }
    }

    /// `MONGODB_URI` (database `eventos`), `REDIS_URL`, `EVENTFLOW_ADMIN_TOKEN`,
    /// `EVENTFLOW_TOKEN_EVENTOS`, `EVENTFLOW_TOKEN_RESERVAS`, `EVENTOS_CACHE_TTL_SECS` (default 60),
    /// `EVENTOS_RETENCION_TTL_SECS` (default 120), `EVENTOS_REAPER_INTERVAL_SECS` (10),
    /// `RESERVAS_URL`, `USUARIOS_URL`, `EVENTFLOW_SESION_CACHE_MS` (2000),
    /// `EVENTFLOW_ZONA_HORARIA` (`America/Lima`). Every bad variable is listed in the error.
    pub fn from_env(mode: BackendMode) -> Result<Self, ConfigInvalida> {
        let mut e = Entorno::del_proceso();
        let c = Self::desde(&mut e, mode);
        e.terminar_con(c)
    }

    /// The same, read through `e`, which keeps every error (the launcher reads all four
    /// services' configurations through one).
    pub fn desde(e: &mut Entorno, mode: BackendMode) -> Self {
        Self {
            store: StoreConfig::desde(e, mode, "eventos"),
            redis: RedisConfig::desde(e, mode),
            admin_token: required_token(e, "EVENTFLOW_ADMIN_TOKEN", mode, DEV_ADMIN_TOKEN),
            servicios: CredencialesServicios::desde(e, Servicio::Eventos, LLAMANTES, mode),
            cache_ttl: e.segundos("EVENTOS_CACHE_TTL_SECS", 60, 0),
            retencion_ttl: e.segundos("EVENTOS_RETENCION_TTL_SECS", 120, 0),
            reaper_interval: e.segundos("EVENTOS_REAPER_INTERVAL_SECS", 10, 1),
            bus: BusConfig::desde(e, mode),
            reservas_url: e.url_http("RESERVAS_URL", "http://127.0.0.1:8003"),
            usuarios_url: e.url_http("USUARIOS_URL", "http://127.0.0.1:8001"),
            sesion_cache: eventflow_shared::identidad::cache_de_sesiones(e),
            // A name that is not an IANA zone is a start-up error, never a quiet fallback.
            zona_horaria: e.con(
                "EVENTFLOW_ZONA_HORARIA",
                crate::domain::fecha::ZONA_DEFECTO,
                |z| {
                    crate::domain::fecha::zona_horaria("EVENTFLOW_ZONA_HORARIA", z)
                        .map_err(|err| format!("{}, no {z:?}", err.mensaje))
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `{:?}` of the configuration (in a log, an error) shows no password and no token.
    #[test]
    fn debug_shows_no_secret() {
        let mut c = Config::embedded();
        use eventflow_testkit::secretos;
        c.store = secretos::mongo();
        c.servicios = CredencialesServicios::new(Servicio::Eventos, secretos::TOKEN_SERVICIO);
        c.admin_token = secretos::TOKEN_ADMIN.into();
        c.redis = secretos::redis();
        c.bus = secretos::rabbit();
        secretos::sin_secretos(&format!("{c:?}"));
    }

    /// Bad variables are all named at once, none silently replaced by its default.
    #[test]
    fn nombra_cada_variable_invalida() {
        let mut e = Entorno::de([
            ("EVENTOS_REAPER_INTERVAL_SECS", "0"),
            ("EVENTOS_CACHE_TTL_SECS", "1m"),
            ("EVENTFLOW_ZONA_HORARIA", "Lima"),
            ("REDIS_URL", "127.0.0.1:6379"),
        ]);
        Config::desde(&mut e, BackendMode::Real);
        let err = e.terminar().unwrap_err();
        for v in [
            "EVENTOS_REAPER_INTERVAL_SECS",
            "EVENTOS_CACHE_TTL_SECS",
            "EVENTFLOW_ZONA_HORARIA",
            "REDIS_URL",
        ] {
            assert!(err.nombra(v), "{v}: {err}");
        }
        assert!(err.to_string().contains("zona horaria IANA"), "{err}");

        let mut e = Entorno::de([("EVENTFLOW_ZONA_HORARIA", "Europe/Madrid")]);
        let c = Config::desde(&mut e, BackendMode::Embedded);
        assert!(e.terminar().is_ok());
        assert_eq!(c.zona_horaria, chrono_tz::Europe::Madrid);
    }
}
