//! Environment-variable configuration helpers and the backend selectors every service uses.

use std::str::FromStr;

use anyhow::{anyhow, Context};

use crate::secreto::{Secreto, UrlSecreta};

/// A variable that is set and not blank.
pub fn env_string(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A parsed variable, or `default` when unset. A value that does not parse is an error
/// naming the variable, never a silent default.
pub fn env_parse<T>(name: &str, default: T) -> anyhow::Result<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match env_string(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse()
            .map_err(|e| anyhow!("{name}={raw:?} is not valid: {e}")),
    }
}

/// A yes/no variable: `1`, `true`, `yes`, `on` or `0`, `false`, `no`, `off`; `default`
/// when unset. Anything else is an error naming the variable.
pub fn env_bool(name: &str, default: bool) -> anyhow::Result<bool> {
    match env_string(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on" | "si" | "sí") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(anyhow!("{name}={other:?} is not valid: use 1 or 0")),
    }
}

/// Whether backends are in-process or real servers. `EVENTFLOW_BACKENDS=embedded|real`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendMode {
    Embedded,
    Real,
}

impl BackendMode {
    pub fn from_env(default: BackendMode) -> anyhow::Result<Self> {
        match env_string("EVENTFLOW_BACKENDS").as_deref() {
            None => Ok(default),
            Some("embedded") => Ok(Self::Embedded),
            Some("real") => Ok(Self::Real),
            Some(other) => Err(anyhow!(
                "EVENTFLOW_BACKENDS={other:?} is not valid: use 'embedded' or 'real'"
            )),
        }
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
    pub fn from_env(mode: BackendMode, database: &str) -> Self {
        match mode {
            BackendMode::Embedded => Self::Embedded,
            BackendMode::Real => Self::Mongo {
                uri: env_string("MONGODB_URI")
                    .unwrap_or_else(|| "mongodb://127.0.0.1:27017".into())
                    .into(),
                database: database.to_owned(),
            },
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
    pub fn from_env(mode: BackendMode) -> Self {
        match mode {
            BackendMode::Embedded => Self::Embedded,
            BackendMode::Real => Self::Redis {
                url: env_string("REDIS_URL")
                    .unwrap_or_else(|| "redis://127.0.0.1:6379".into())
                    .into(),
                prefix: String::new(),
            },
        }
    }
}

/// A required secret: on real backends it must be configured, and the service refuses to
/// start without it rather than run with a guessable default.
pub fn required_token(name: &str, mode: BackendMode, dev_default: &str) -> anyhow::Result<Secreto> {
    match (env_string(name), mode) {
        (Some(t), _) => Ok(Secreto::new(t)),
        (None, BackendMode::Embedded) => Ok(Secreto::new(dev_default)),
        (None, BackendMode::Real) => Err(anyhow!(
            "{name} is not set: a service on real backends refuses to start without it"
        )),
    }
}

/// Port from `name`, defaulting to `default`.
pub fn port(name: &str, default: u16) -> anyhow::Result<u16> {
    env_parse(name, default).with_context(|| format!("reading {name}"))
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
