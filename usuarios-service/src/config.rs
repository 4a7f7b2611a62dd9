//! usuarios-service configuration, from the environment or for the embedded launcher.

use eventflow_shared::config::{required_token, BackendMode, StoreConfig, DEV_SERVICE_TOKEN};

#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    /// Credential other services present on `/internal/*` routes.
    pub service_token: String,
}

impl Config {
    /// In-memory store and the development service token.
    pub fn embedded() -> Self {
        Self {
            store: StoreConfig::Embedded,
            service_token: DEV_SERVICE_TOKEN.to_owned(),
        }
    }

    /// `MONGODB_URI` (database `usuarios`) and `EVENTFLOW_SERVICE_TOKEN`.
    pub fn from_env(mode: BackendMode) -> anyhow::Result<Self> {
        Ok(Self {
            store: StoreConfig::from_env(mode, "usuarios"),
            service_token: required_token("EVENTFLOW_SERVICE_TOKEN", mode, DEV_SERVICE_TOKEN)?,
        })
    }
}
