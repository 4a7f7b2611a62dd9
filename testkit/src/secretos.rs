//! Password-bearing backend settings and the check that a printed configuration shows
//! none of them: what every service's "its `Debug` prints no secret" test shares.

use eventflow_shared::bus::{BusConfig, RabbitConfig};
use eventflow_shared::config::{RedisConfig, StoreConfig};

/// The password in every URL below.
pub const CLAVE: &str = "ClaveSecreta123";
/// A service token and an admin token to set on the configuration under test.
pub const TOKEN_SERVICIO: &str = "token-de-servicio-123";
pub const TOKEN_ADMIN: &str = "token-de-admin-456";

pub fn mongo() -> StoreConfig {
    StoreConfig::Mongo {
        uri: format!("mongodb://eventflow:{CLAVE}@db:27017").into(),
        database: "x".into(),
    }
}

pub fn redis() -> RedisConfig {
    RedisConfig::Redis {
        url: format!("redis://:{CLAVE}@r:6379").into(),
        prefix: String::new(),
    }
}

pub fn rabbit() -> BusConfig {
    BusConfig::Rabbit(RabbitConfig::new(&format!(
        "amqp://guest:{CLAVE}@mq:5672/%2f"
    )))
}

/// `impreso` (a `{:?}` of a configuration holding the settings above) has no password
/// and no token, and still names the MongoDB host with the password masked.
pub fn sin_secretos(impreso: &str) {
    for secreto in [CLAVE, TOKEN_SERVICIO, TOKEN_ADMIN] {
        assert!(!impreso.contains(secreto), "{secreto} in {impreso}");
    }
    assert!(
        impreso.contains("mongodb://eventflow:***@db:27017"),
        "{impreso}"
    );
}
