//! Environment-variable configuration: the typed reader every service loads through
//! ([`entorno`]) and the backend selectors every service uses.

pub mod entorno;

use crate::secreto::{Secreto, UrlSecreta};
pub use entorno::{ConfigInvalida, Entorno};

/// A variable that is set and not blank.
pub fn env_string(name: &str) -> Option<String> {
    Entorno::del_proceso().texto(name)
}

/// A yes/no variable (see [`entorno::si_no`]); `default` when unset. For a value read
/// outside a service's configuration; a configuration reads through an [`Entorno`], which
/// lists every bad variable at once.
pub fn env_bool(name: &str, default: bool) -> Result<bool, ConfigInvalida> {
    let mut e = Entorno::del_proceso();
    let v = e.si_no(name, default);
    e.terminar_con(v)
}

/// Whether backends are in-process or real servers. `EVENTFLOW_BACKENDS=embedded|real`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendMode {
    Embedded,
    Real,
}

impl BackendMode {
    pub fn from_env(default: BackendMode) -> Result<Self, ConfigInvalida> {
        let mut e = Entorno::del_proceso();
        let m = Self::desde(&mut e, default);
        e.terminar_con(m)
    }

    /// `EVENTFLOW_BACKENDS`, or `default`.
    pub fn desde(e: &mut Entorno, default: BackendMode) -> Self {
        e.con("EVENTFLOW_BACKENDS", default, |v| match v {
            "embedded" => Ok(Self::Embedded),
            "real" => Ok(Self::Real),
            otro => Err(format!("debe ser 'embedded' o 'real', no {otro:?}")),
        })
    }
}

/// Where a service keeps its documents.
#[derive(Debug, Clone)]
pub enum StoreConfig {
    /// In-process maps with the same semantics as the MongoDB adapter. Data lives in memory.
    Embedded,
    /// `uri` may carry a password: it prints masked.
    Mongo { uri: UrlSecreta, database: String },
}

impl StoreConfig {
    /// `MONGODB_URI` (`mongodb://` or `mongodb+srv://`) on real backends, with `database`.
    pub fn desde(e: &mut Entorno, mode: BackendMode, database: &str) -> Self {
        match mode {
            BackendMode::Embedded => Self::Embedded,
            BackendMode::Real => {
                // Read when connecting (`mongo::connect`); checked here, with the rest.
                e.si_no("EVENTFLOW_MONGO_TRAZA", false);
                Self::Mongo {
                    uri: e.url_secreta(
                        "MONGODB_URI",
                        "mongodb://127.0.0.1:27017",
                        &["mongodb", "mongodb+srv"],
                    ),
                    database: database.to_owned(),
                }
            }
        }
    }
}

/// Where a service keeps its cache and locks.
#[derive(Debug, Clone)]
pub enum RedisConfig {
    Embedded,
    /// `prefix` is prepended to every key, so tests can share one Redis. `url` may carry
    /// a password: it prints masked.
    Redis {
        url: UrlSecreta,
        prefix: String,
    },
}

impl RedisConfig {
    /// `REDIS_URL` on real backends.
    pub fn desde(e: &mut Entorno, mode: BackendMode) -> Self {
        match mode {
            BackendMode::Embedded => Self::Embedded,
            BackendMode::Real => Self::Redis {
                url: e.url_secreta(
                    "REDIS_URL",
                    "redis://127.0.0.1:6379",
                    &["redis", "rediss", "redis+unix", "unix"],
                ),
                prefix: String::new(),
            },
        }
    }
}

/// A required secret: on real backends it must be configured, and the service refuses to
/// start without it rather than run with a guessable default.
pub fn required_token(
    e: &mut Entorno,
    name: &str,
    mode: BackendMode,
    dev_default: &str,
) -> Secreto {
    match (e.secreto(name), mode) {
        (Some(t), _) => t,
        (None, BackendMode::Embedded) => Secreto::new(dev_default),
        (None, BackendMode::Real) => {
            e.invalida(
                name,
                "no está definida: en backends reales el servicio no arranca sin ella",
            );
            Secreto::new("")
        }
    }
}

/// A TCP port from `name` (0 to 65535; 0 lets the system pick one), defaulting to
/// `default`.
pub fn port(e: &mut Entorno, name: &str, default: u16) -> u16 {
    e.entero(name, default, 0)
}

/// `EVENTFLOW_BIND`: the address the binaries listen on (`127.0.0.1`).
pub fn bind(e: &Entorno) -> String {
    e.texto_o("EVENTFLOW_BIND", "127.0.0.1")
}

/// What a service binary starts with: its configuration and where it listens.
pub struct Arranque<C> {
    pub config: C,
    /// `EVENTFLOW_BIND`.
    pub bind: String,
    pub puerto: u16,
}

/// Reads a service binary's whole configuration through one [`Entorno`]: the backends
/// (`EVENTFLOW_BACKENDS`, real by default), the service's own (`leer`), its port, the bind
/// address, the connection limits and the CORS origins. Any bad variable ends the process
/// with every one named ([`entorno::salir`]), before anything connects or listens.
pub fn arranque<C>(
    programa: &str,
    variable_puerto: &str,
    puerto: u16,
    leer: impl FnOnce(&mut Entorno, BackendMode) -> C,
) -> Arranque<C> {
    let mut e = Entorno::del_proceso();
    let mode = BackendMode::desde(&mut e, BackendMode::Real);
    let config = leer(&mut e, mode);
    let puerto = port(&mut e, variable_puerto, puerto);
    let bind = bind(&e);
    crate::http::ConnectionLimits::desde(&mut e);
    crate::http::origenes_cors(&mut e);
    match e.terminar() {
        Ok(()) => Arranque {
            config,
            bind,
            puerto,
        },
        Err(err) => entorno::salir(programa, &err),
    }
}

/// The embedded launcher's documented development admin credential. Real deployments must
/// set `EVENTFLOW_ADMIN_TOKEN` (and each service's token, `auth::Servicio::variable`);
/// services refuse to start without.
pub const DEV_ADMIN_TOKEN: &str = "eventflow-dev-admin";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{BusConfig, RabbitConfig};
    use crate::identidad::IdentidadConfig;

    /// Every configuration that holds a secret prints it masked, so a `{:?}` of a
    /// config in a log or an error never leaks a password or a token.
    #[test]
    fn configs_print_no_secret() {
        let store = StoreConfig::Mongo {
            uri: "mongodb://eventflow:ClaveSecreta123@db:27017/?authSource=admin".into(),
            database: "usuarios".into(),
        };
        let redis = RedisConfig::Redis {
            url: "redis://:ClaveSecreta123@r:6379/0".into(),
            prefix: String::new(),
        };
        let bus = BusConfig::Rabbit(RabbitConfig::new(
            "amqp://guest:ClaveSecreta123@mq:5672/%2f",
        ));
        let mut identidad = IdentidadConfig::embedded("http://u");
        identidad.service_token = "token-de-servicio-123".into();
        identidad.admin_token = "token-de-admin-456".into();
        let impreso = format!("{store:?} {redis:?} {bus:?} {identidad:?}");
        for secreto in [
            "ClaveSecreta123",
            "token-de-servicio-123",
            "token-de-admin-456",
        ] {
            assert!(!impreso.contains(secreto), "{impreso}");
        }
        for visible in [
            "mongodb://eventflow:***@db:27017",
            "redis://:***@r:6379/0",
            "amqp://guest:***@mq:5672/%2f",
        ] {
            assert!(impreso.contains(visible), "{impreso}");
        }
    }
}
