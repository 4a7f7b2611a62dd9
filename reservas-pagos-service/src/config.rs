//! reservas-pagos configuration, from the environment or for the embedded launcher.

use std::time::Duration;

use eventflow_shared::auth::{CredencialesServicios, Servicio};
use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{
    required_token, BackendMode, ConfigInvalida, Entorno, RedisConfig, StoreConfig, DEV_ADMIN_TOKEN,
};
use eventflow_shared::secreto::Secreto;

/// The services that call reservas' `/internal/*` routes: eventos (a reconciliation) and
/// usuarios (whether a buyer bought from an organizer).
pub const LLAMANTES: &[Servicio] = &[Servicio::Eventos, Servicio::Usuarios];

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub redis: RedisConfig,
    pub usuarios_url: String,
    pub eventos_url: String,
    /// Its own token (`EVENTFLOW_TOKEN_RESERVAS`, presented to eventos and usuarios) and
    /// its callers' on `/internal/*` (`EVENTFLOW_TOKEN_EVENTOS`, `EVENTFLOW_TOKEN_USUARIOS`).
    pub servicios: CredencialesServicios,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin, who may read and cancel any
    /// reservation.
    pub admin_token: Secreto,
    /// How long a session check by usuarios is reused (`EVENTFLOW_SESION_CACHE_MS`,
    /// 2000): the most a signed-out token keeps working here.
    pub sesion_cache: Duration,
    /// TTL of the per-buyer checkout lock; also how long a SAGA may sit unwritten
    /// before recovery treats it as abandoned.
    pub lock_ttl: Duration,
    pub max_cantidad: u32,
    /// Honour `X-Simular-Fallo` (demos and tests only).
    pub simular_fallos: bool,
    /// Per-call timeout to usuarios and eventos.
    pub http_timeout: Duration,
    /// How long an event's date, zones and prices read by ValidadorDatos are reused
    /// (`clients::eventos::fichas`); zero reads eventos every time.
    pub ficha_ttl: Duration,
    pub recuperacion_intervalo: Duration,
    /// How often every event is reconciled (`RESERVAS_CONCILIACION_INTERVALO_SECS`).
    pub conciliacion_intervalo: Duration,
    /// Where ReservaConfirmada and ReservaCancelada go (`AMQP_URL` on real backends).
    pub bus: BusConfig,
    /// At most this many SAGAs run at once; `POST /api/reservar` beyond it is shed at
    /// once with 503 `sobrecarga` instead of queueing without bound.
    pub max_en_curso: usize,
    /// Checkouts a minute one client IP may start without a session
    /// (`RESERVAS_ANONIMAS_POR_IP`, 60): guests keep buying, a script from one address
    /// cannot flood the SAGA. Signed-in buyers and the admin are not counted here.
    pub anonimas_por_ip: u32,
    /// `POST /api/reservas/reenviar` an hour per email (`RESERVAS_REENVIOS_POR_EMAIL`, 3)
    /// and per client IP (`RESERVAS_REENVIOS_POR_IP`, 20), counted in the store so every
    /// instance shares them.
    pub reenvios: LimitesReenvio,
    /// This process's name in leases and logs (`RESERVAS_INSTANCIA`; default the host
    /// name, the pid and a random suffix, so two processes never share one).
    pub instancia: String,
    /// Peers whose `X-Forwarded-For` names the client for `anonimas_por_ip`
    /// (`EVENTFLOW_PROXIES_CONFIABLES`; default none, the launcher adds loopback).
    pub proxies: eventflow_shared::identidad::ProxiesConfiables,
    /// The key of the `Idempotency-Key` fingerprints and guest fingerprints
    /// (`RESERVAS_CLAVE_HUELLAS`; by default derived from `EVENTFLOW_TOKEN_RESERVAS`, so
    /// every instance of a deployment computes the same fingerprints).
    pub clave_huellas: eventflow_shared::secreto::Secreto,
}

/// A key for fingerprints, derived from a configured secret when none is given: an HMAC
/// of a fixed label under that secret, so it differs from the secret itself and from
/// any other key derived from it.
pub fn derivar_clave(secreto: &str, etiqueta: &str) -> eventflow_shared::secreto::Secreto {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secreto.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(etiqueta.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    eventflow_shared::secreto::Secreto::new(hex)
}

const ETIQUETA_HUELLAS: &str = "eventflow/reservas/huellas/v1";

/// Guest checkouts a minute per client IP, by default.
pub const ANONIMAS_POR_IP: u32 = 60;

/// Re-sends of a buyer's links an hour: per email (a person who retries, few for an
/// inbox) and per client IP (a family or an office, not a script walking emails).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitesReenvio {
    pub por_email: u32,
    pub por_ip: u32,
}

impl Default for LimitesReenvio {
    fn default() -> Self {
        Self {
            por_email: 3,
            por_ip: 20,
        }
    }
}

/// A name no other running process has: a pod's host name is its name in Kubernetes.
pub fn instancia_por_defecto() -> String {
    let host = Entorno::del_proceso().texto_o("HOSTNAME", "reservas");
    let azar = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &azar[..6])
}

impl Config {
    /// In-memory stores and locks; peers at the given URLs.
    pub fn embedded(usuarios_url: &str, eventos_url: &str) -> Self {
        Self {
            store: StoreConfig::Embedded,
            redis: RedisConfig::Embedded,
            usuarios_url: usuarios_url.to_owned(),
            eventos_url: eventos_url.to_owned(),
            servicios: CredencialesServicios::dev(Servicio::Reservas, LLAMANTES),
            admin_token: DEV_ADMIN_TOKEN.into(),
            sesion_cache: Duration::from_secs(2),
            lock_ttl: Duration::from_secs(30),
            max_cantidad: 10,
            simular_fallos: true,
            http_timeout: Duration::from_secs(2),
            ficha_ttl: Duration::from_secs(5),
            recuperacion_intervalo: Duration::from_secs(10),
            conciliacion_intervalo: Duration::from_secs(300),
            bus: BusConfig::Embedded(Default::default()),
            // Far above any rush we test (500 buyers at once): the bound exists so a
            // slow dependency cannot pile requests up without limit, not to turn buyers away.
            max_en_curso: 4096,
            anonimas_por_ip: ANONIMAS_POR_IP,
            reenvios: LimitesReenvio::default(),
            instancia: instancia_por_defecto(),
            proxies: Default::default(),
            clave_huellas: derivar_clave(Servicio::Reservas.token_dev(), ETIQUETA_HUELLAS),
        }
    }

    /// `MONGODB_URI`, `RESERVAS_DB` (the database, default `reservas`: lets tests and
    /// side-by-side deployments isolate theirs), `REDIS_URL`, `USUARIOS_URL`,
    /// `EVENTOS_URL`, `EVENTFLOW_TOKEN_RESERVAS`, `_EVENTOS`, `_USUARIOS`, `EVENTFLOW_ADMIN_TOKEN`,
    /// `EVENTFLOW_SESION_CACHE_MS` (2000), `RESERVAS_LOCK_TTL_MS` (30000, at least 100),
    /// `RESERVAS_MAX_CANTIDAD` (10), `RESERVAS_SIMULAR_FALLOS` (1 on embedded, 0 on real),
    /// `RESERVAS_HTTP_TIMEOUT_MS` (2000, at least 50), `RESERVAS_FICHA_TTL_MS` (5000),
    /// `RESERVAS_RECUPERACION_INTERVALO_SECS` (10), `RESERVAS_CONCILIACION_INTERVALO_SECS`
    /// (300),
    /// `RESERVAS_MAX_EN_CURSO` (4096), `RESERVAS_ANONIMAS_POR_IP` (60),
    /// `RESERVAS_REENVIOS_POR_EMAIL` (3), `RESERVAS_REENVIOS_POR_IP` (20),
    /// `RESERVAS_INSTANCIA` (host-pid-random), `RESERVAS_CLAVE_HUELLAS` (derived from the
    /// own service token). Every bad variable is listed in the error.
    pub fn from_env(mode: BackendMode) -> Result<Self, ConfigInvalida> {
        let mut e = Entorno::del_proceso();
        let c = Self::desde(&mut e, mode);
        e.terminar_con(c)
    }

    /// The same, read through `e`, which keeps every error (the launcher reads all four
    /// services' configurations through one).
    pub fn desde(e: &mut Entorno, mode: BackendMode) -> Self {
        let servicios = CredencialesServicios::desde(e, Servicio::Reservas, LLAMANTES, mode);
        let clave_huellas = match e.secreto("RESERVAS_CLAVE_HUELLAS") {
            Some(k) if k.expose().len() < 32 => {
                e.invalida(
                    "RESERVAS_CLAVE_HUELLAS",
                    "es demasiado corta: debe tener al menos 32 caracteres (p. ej. `openssl rand -hex 32`)",
                );
                k
            }
            Some(k) => k,
            None => derivar_clave(servicios.token_propio().expose(), ETIQUETA_HUELLAS),
        };
        let db = e.texto_o("RESERVAS_DB", "reservas");
        Self {
            clave_huellas,
            store: StoreConfig::desde(e, mode, &db),
            redis: RedisConfig::desde(e, mode),
            usuarios_url: e.url_http("USUARIOS_URL", "http://127.0.0.1:8001"),
            eventos_url: e.url_http("EVENTOS_URL", "http://127.0.0.1:8002"),
            servicios,
            admin_token: required_token(e, "EVENTFLOW_ADMIN_TOKEN", mode, DEV_ADMIN_TOKEN),
            sesion_cache: eventflow_shared::identidad::cache_de_sesiones(e),
            lock_ttl: e.milisegundos("RESERVAS_LOCK_TTL_MS", 30_000, 100),
            max_cantidad: e.entero("RESERVAS_MAX_CANTIDAD", 10u32, 1),
            simular_fallos: e.si_no("RESERVAS_SIMULAR_FALLOS", mode == BackendMode::Embedded),
            http_timeout: e.milisegundos("RESERVAS_HTTP_TIMEOUT_MS", 2_000, 50),
            ficha_ttl: e.milisegundos("RESERVAS_FICHA_TTL_MS", 5_000, 0),
            recuperacion_intervalo: e.segundos("RESERVAS_RECUPERACION_INTERVALO_SECS", 10, 1),
            conciliacion_intervalo: e.segundos("RESERVAS_CONCILIACION_INTERVALO_SECS", 300, 1),
            bus: BusConfig::desde(e, mode),
            max_en_curso: e.entero("RESERVAS_MAX_EN_CURSO", 4096usize, 1),
            anonimas_por_ip: e.entero("RESERVAS_ANONIMAS_POR_IP", ANONIMAS_POR_IP, 1),
            reenvios: LimitesReenvio {
                por_email: e.entero("RESERVAS_REENVIOS_POR_EMAIL", 3u32, 1),
                por_ip: e.entero("RESERVAS_REENVIOS_POR_IP", 20u32, 1),
            },
            instancia: e
                .texto("RESERVAS_INSTANCIA")
                .unwrap_or_else(instancia_por_defecto),
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
        let mut c = Config::embedded("http://u", "http://e");
        use eventflow_testkit::secretos;
        c.store = secretos::mongo();
        c.servicios = CredencialesServicios::new(Servicio::Reservas, secretos::TOKEN_SERVICIO);
        c.admin_token = secretos::TOKEN_ADMIN.into();
        c.redis = secretos::redis();
        c.bus = secretos::rabbit();
        secretos::sin_secretos(&format!("{c:?}"));
    }

    /// Valid variables are read as set; bad ones are all named at once, none silently
    /// replaced by its default nor clamped into range.
    #[test]
    fn lee_el_entorno_y_nombra_cada_variable_invalida() {
        let mut e = Entorno::de([
            ("RESERVAS_LOCK_TTL_MS", "2000"),
            ("RESERVAS_SIMULAR_FALLOS", "0"),
            ("RESERVAS_FICHA_TTL_MS", "0"),
            ("EVENTOS_URL", "http://eventos:8002"),
        ]);
        let c = Config::desde(&mut e, BackendMode::Embedded);
        assert!(e.terminar().is_ok());
        assert_eq!(c.lock_ttl, Duration::from_secs(2));
        assert!(!c.simular_fallos);
        assert_eq!(c.ficha_ttl, Duration::ZERO);
        assert_eq!(c.eventos_url, "http://eventos:8002");

        let mut e = Entorno::de([
            ("RESERVAS_LOCK_TTL_MS", "abc"),
            ("RESERVAS_HTTP_TIMEOUT_MS", "10"),
            ("RESERVAS_SIMULAR_FALLOS", "2"),
            ("RESERVAS_MAX_CANTIDAD", "0"),
            ("RESERVAS_CLAVE_HUELLAS", "corta-y-secreta"),
            ("USUARIOS_URL", "ftp://usuarios"),
        ]);
        Config::desde(&mut e, BackendMode::Embedded);
        let err = e.terminar().unwrap_err();
        for v in [
            "RESERVAS_LOCK_TTL_MS",
            "RESERVAS_HTTP_TIMEOUT_MS",
            "RESERVAS_SIMULAR_FALLOS",
            "RESERVAS_MAX_CANTIDAD",
            "RESERVAS_CLAVE_HUELLAS",
            "USUARIOS_URL",
        ] {
            assert!(err.nombra(v), "{v}: {err}");
        }
        assert_eq!(err.0.len(), 6, "{err}");
        assert!(!err.to_string().contains("corta-y-secreta"), "{err}");
    }
}
