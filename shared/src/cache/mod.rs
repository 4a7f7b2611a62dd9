//! The read-cache port: string values with a TTL, plus hash entries invalidated together.

mod memory;
mod redis;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use self::memory::MemoryCache;
pub use self::redis::RedisCache;
use crate::config::RedisConfig;

#[derive(Debug, thiserror::Error)]
#[error("cache unavailable: {0}")]
pub struct CacheError(pub String);

/// A best-effort cache. Callers treat every error as a miss: the cache must never be the
/// reason a read fails.
///
/// Contract (checked by the shared contract suite against every adapter):
/// - `get` MUST return what the last `set` stored, until its TTL passes or it is deleted.
/// - `get_field`/`set_field` store entries inside a group key; `delete` of the group key
///   MUST drop all its entries at once (that is how list pages are invalidated).
/// - A group's TTL starts with its first entry; later entries do not extend it.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError>;
    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError>;
    async fn get_field(&self, key: &str, field: &str) -> Result<Option<String>, CacheError>;
    async fn set_field(
        &self,
        key: &str,
        field: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<(), CacheError>;
    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError>;
    async fn ping(&self) -> Result<(), CacheError>;
}

/// Picks the adapter from configuration. A configured Redis that is unreachable is an
/// error here, at start-up; there is no fallback to memory.
pub async fn from_config(cfg: &RedisConfig) -> anyhow::Result<Arc<dyn Cache>> {
    Ok(match cfg {
        RedisConfig::Embedded => Arc::new(MemoryCache::default()),
        RedisConfig::Redis { url, prefix } => {
            let conn = crate::lock::connect_redis(url).await?;
            Arc::new(RedisCache::new(conn, prefix.clone()))
        }
    })
}
