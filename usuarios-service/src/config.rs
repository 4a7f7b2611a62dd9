//! usuarios-service configuration, from the environment or for the embedded launcher.

use std::time::Duration;

use eventflow_shared::auth::{CredencialesServicios, Servicio};
use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{
    required_token, BackendMode, ConfigInvalida, Entorno, StoreConfig, DEV_ADMIN_TOKEN,
};
use eventflow_shared::secreto::Secreto;

/// The services that call usuarios' `/internal/*` routes: reservas (buyers and their
/// history) and, for a session check, every service.
pub const LLAMANTES: &[Servicio] = &Servicio::TODOS;

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    /// Its own token (`EVENTFLOW_TOKEN_USUARIOS`, presented to reservas) and those of
    /// its callers on `/internal/*`: every service, since any may verify a session.
    pub servicios: CredencialesServicios,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin, who creates organizers.
    pub admin_token: Secreto,
    /// How long a session lives.
    pub sesion_ttl: Duration,
    pub limites: LimitesSesion,
    /// Password hashes (argon2id, about 19 MiB each) run at once; past them, 503.
    pub hashes_simultaneos: usize,
    /// Where one-time codes are sent from (to notificaciones).
    pub bus: BusConfig,
    /// reservas-pagos, asked whether a buyer bought from an organizer.
    pub reservas_url: String,
    /// Peers whose `X-Forwarded-For` names the client for the per-IP limits
    /// (`EVENTFLOW_PROXIES_CONFIABLES`; default none, the launcher adds loopback).
    pub proxies: eventflow_shared::identidad::ProxiesConfiables,
}

/// Limits on the routes that hash passwords or send codes (see `http::limites`).
#[derive(Debug, Clone, Copy)]
pub struct LimitesSesion {
    /// Requests a minute per client IP to sign-in, registration with a password, and the
    /// code and password routes (a burst of the same size).
    pub por_ip: u32,
    /// One-time codes requested per email, a minute.
    pub codigos_por_email: u32,
    /// Failed sign-ins per (account, client IP) before that pair backs off (1 s, 2 s,
    /// 4 s… up to 5 minutes).
    pub fallos_libres: u32,
    /// Failed sign-ins per account and day (UTC), across all addresses, before signing in
    /// to it also needs a one-time code.
    pub fallos_por_dia: u32,
}

impl Default for LimitesSesion {
    fn default() -> Self {
        Self {
            por_ip: 60,
            codigos_por_email: 3,
            fallos_libres: 5,
            fallos_por_dia: 100,
        }
    }
}

const SESION_HORAS: u64 = 12;

impl Config {
    /// In-memory store and the development tokens.
    pub fn embedded() -> Self {
        Self {
            store: StoreConfig::Embedded,
            servicios: CredencialesServicios::dev(Servicio::Usuarios, LLAMANTES),
            admin_token: DEV_ADMIN_TOKEN.into(),
            sesion_ttl: Duration::from_secs(SESION_HORAS * 3600),
            limites: LimitesSesion::default(),
            hashes_simultaneos: crate::domain::contrasena::HASHES_SIMULTANEOS,
            bus: BusConfig::Embedded(Default::default()),
            reservas_url: "http://127.0.0.1:8003".to_owned(),
            proxies: Default::default(),
        }
    }

    /// `MONGODB_URI` (database `usuarios`), the `EVENTFLOW_TOKEN_*` of every service,
    /// `EVENTFLOW_ADMIN_TOKEN`, `EVENTFLOW_SESION_HORAS` (12),
    /// `EVENTFLOW_SESIONES_POR_IP` (60 a minute), `EVENTFLOW_CODIGOS_POR_EMAIL` (3 a
    /// minute), `EVENTFLOW_SESION_FALLOS_LIBRES` (5), `EVENTFLOW_SESION_FALLOS_POR_DIA`
    /// (100), `USUARIOS_HASHES_SIMULTANEOS` (4), `USUARIOS_DB` (`usuarios`), the bus
    /// (`AMQP_URL`) and `RESERVAS_URL` (`http://127.0.0.1:8003`). Every bad variable is
    /// listed in the error.
    pub fn from_env(mode: BackendMode) -> Result<Self, ConfigInvalida> {
        let mut e = Entorno::del_proceso();
        let c = Self::desde(&mut e, mode);
        e.terminar_con(c)
    }

    /// The same, read through `e`, which keeps every error (the launcher reads all four
    /// services' configurations through one).
    pub fn desde(e: &mut Entorno, mode: BackendMode) -> Self {
        let d = LimitesSesion::default();
        let horas: u64 = e.entero("EVENTFLOW_SESION_HORAS", SESION_HORAS, 1);
        let limites = LimitesSesion {
            por_ip: e.entero("EVENTFLOW_SESIONES_POR_IP", d.por_ip, 1),
            codigos_por_email: e.entero("EVENTFLOW_CODIGOS_POR_EMAIL", d.codigos_por_email, 1),
            fallos_libres: e.entero("EVENTFLOW_SESION_FALLOS_LIBRES", d.fallos_libres, 0),
            fallos_por_dia: e.entero("EVENTFLOW_SESION_FALLOS_POR_DIA", d.fallos_por_dia, 1),
        };
        let hashes_simultaneos: usize = e.entero(
            "USUARIOS_HASHES_SIMULTANEOS",
            crate::domain::contrasena::HASHES_SIMULTANEOS,
            1,
        );
        let db = e.texto_o("USUARIOS_DB", "usuarios");
        Self {
            store: StoreConfig::desde(e, mode, &db),
            servicios: CredencialesServicios::desde(e, Servicio::Usuarios, LLAMANTES, mode),
            admin_token: required_token(e, "EVENTFLOW_ADMIN_TOKEN", mode, DEV_ADMIN_TOKEN),
            sesion_ttl: Duration::from_secs(horas * 3600),
            limites,
            hashes_simultaneos,
            bus: BusConfig::desde(e, mode),
            reservas_url: e.url_http("RESERVAS_URL", "http://127.0.0.1:8003"),
            proxies: eventflow_shared::identidad::ProxiesConfiables::desde(e),
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
        c.servicios = CredencialesServicios::new(Servicio::Usuarios, secretos::TOKEN_SERVICIO);
        c.admin_token = secretos::TOKEN_ADMIN.into();
        c.bus = secretos::rabbit();
        secretos::sin_secretos(&format!("{c:?}"));
    }

    /// Valid variables are read as set; bad ones are all named at once, none silently
    /// replaced by its default.
    #[test]
    fn lee_el_entorno_y_nombra_cada_variable_invalida() {
        let mut e = Entorno::de([
            ("EVENTFLOW_SESION_HORAS", "24"),
            ("EVENTFLOW_SESION_FALLOS_LIBRES", "0"),
            ("RESERVAS_URL", "http://reservas:8003"),
        ]);
        let c = Config::desde(&mut e, BackendMode::Embedded);
        assert!(e.terminar().is_ok());
        assert_eq!(c.sesion_ttl, Duration::from_secs(24 * 3600));
        assert_eq!(c.limites.fallos_libres, 0);
        assert_eq!(c.reservas_url, "http://reservas:8003");

        let mut e = Entorno::de([
            ("EVENTFLOW_SESION_HORAS", "0"),
            ("USUARIOS_HASHES_SIMULTANEOS", "muchos"),
            ("RESERVAS_URL", "reservas:8003"),
        ]);
        Config::desde(&mut e, BackendMode::Real);
        let err = e.terminar().unwrap_err();
        for v in [
            "EVENTFLOW_SESION_HORAS",
            "USUARIOS_HASHES_SIMULTANEOS",
            "RESERVAS_URL",
            // Real backends without the secrets.
            "EVENTFLOW_ADMIN_TOKEN",
            "EVENTFLOW_TOKEN_USUARIOS",
        ] {
            assert!(err.nombra(v), "{v}: {err}");
        }
    }
}
