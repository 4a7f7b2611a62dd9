//! Helpers for tests that need real backends: where they are, and whether they must be.
//!
//! `scripts/test.sh` starts Redis, RabbitMQ and SecantusDB and sets
//! `EVENTFLOW_REAL_BACKENDS=1`. Then an unreachable backend fails the test: it never
//! passes by skipping. Without that variable (a bare `cargo test`), real-backend tests
//! use the default local URLs when they answer and say loudly that they skipped otherwise.

use crate::config::env_string;

pub fn real_backends_required() -> bool {
    env_string("EVENTFLOW_REAL_BACKENDS").as_deref() == Some("1")
}

fn unreachable(what: &str, url: &str, err: impl std::fmt::Display) -> Option<String> {
    if real_backends_required() {
        panic!("EVENTFLOW_REAL_BACKENDS=1 but {what} at {url} is unreachable: {err:#}");
    }
    eprintln!("SKIPPED: {what} at {url} is unreachable ({err:#}); run scripts/test.sh");
    None
}

/// The MongoDB URI for tests, once it has answered a ping.
pub async fn mongo_uri() -> Option<String> {
    let uri = env_string("MONGODB_URI").unwrap_or_else(|| "mongodb://127.0.0.1:27017".into());
    match crate::mongo::connect(&uri, "admin").await {
        Ok(_) => Some(uri),
        Err(e) => unreachable("MongoDB", &uri, e),
    }
}

/// The Redis URL for tests, once it has answered a ping.
pub async fn redis_url() -> Option<String> {
    let url = env_string("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    match crate::lock::connect_redis(&url).await {
        Ok(_) => Some(url),
        Err(e) => unreachable("Redis", &url, e),
    }
}

/// A name no other test uses: a database name or a key prefix, so tests run in parallel
/// against one server without seeing each other's data.
pub fn unique_name(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("t_{prefix}_{}", &id[..12])
}
