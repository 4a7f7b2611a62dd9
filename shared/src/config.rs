//! Environment-variable configuration helpers and the backend selectors every service uses.

use std::str::FromStr;

use anyhow::{anyhow, Context};

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
    Mongo {
        uri: String,
        database: String,
    },
}

impl StoreConfig {
    pub fn from_env(mode: BackendMode, database: &str) -> Self {
        match mode {
            BackendMode::Embedded => Self::Embedded,
            BackendMode::Real => Self::Mongo {
                uri: env_string("MONGODB_URI")
                    .unwrap_or_else(|| "mongodb://127.0.0.1:27017".into()),
                database: database.to_owned(),
            },
        }
    }
}

/// Where a service keeps its cache and locks.
#[derive(Debug, Clone)]
pub enum RedisConfig {
    Embedded,
    /// `prefix` is prepended to every key, so tests can share one Redis.
    Redis {
        url: String,
        prefix: String,
    },
}

impl RedisConfig {
    pub fn from_env(mode: BackendMode) -> Self {
        match mode {
            BackendMode::Embedded => Self::Embedded,
            BackendMode::Real => Self::Redis {
                url: env_string("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
                prefix: String::new(),
            },
        }
    }
}

/// A required secret: on real backends it must be configured, and the service refuses to
/// start without it rather than run with a guessable default.
pub fn required_token(name: &str, mode: BackendMode, dev_default: &str) -> anyhow::Result<String> {
    match (env_string(name), mode) {
        (Some(t), _) => Ok(t),
        (None, BackendMode::Embedded) => Ok(dev_default.to_owned()),
        (None, BackendMode::Real) => Err(anyhow!(
            "{name} is not set: a service on real backends refuses to start without it"
        )),
    }
}

/// Port from `name`, defaulting to `default`.
pub fn port(name: &str, default: u16) -> anyhow::Result<u16> {
    env_parse(name, default).with_context(|| format!("reading {name}"))
}

/// The embedded launcher's documented development credentials. Real deployments must set
/// `EVENTFLOW_ADMIN_TOKEN` and `EVENTFLOW_SERVICE_TOKEN`; services refuse to start without.
pub const DEV_ADMIN_TOKEN: &str = "eventflow-dev-admin";
pub const DEV_SERVICE_TOKEN: &str = "eventflow-dev-service";
