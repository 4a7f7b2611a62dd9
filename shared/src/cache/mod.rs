//! The read-cache port: string values with a TTL, plus hash entries invalidated together,
//! with versioned writes so a read-through cache never stores a value older than a delete.

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

/// What a read found, and the version of its key when it was read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lectura {
    pub valor: Option<String>,
    pub version: u64,
}

/// A best-effort cache. Callers treat every error as a miss: the cache must never be the
/// reason a read fails.
///
/// Every key has a version that `delete` bumps. A read-through caller reads the entry and
/// the version together, reads its store on a miss, and stores the result with the
/// version it read: if the key was deleted in between (a write landed), the store is
/// refused, so a value read before a write can never be cached after it.
///
/// Contract (checked by the shared contract suite against every adapter):
/// - `get` MUST return what the last accepted `set` stored, until its TTL passes or the
///   key is deleted. `field` addresses an entry inside a group key.
/// - `set` MUST store only if the key's version is still `version`, atomically, and say
///   whether it stored.
/// - `delete` MUST drop the keys (all of a group's entries at once: that is how list
///   pages are invalidated) and bump their versions.
/// - A group's TTL starts with its first entry; later entries do not extend it.
#[async_trait]
pub trait Cache: Send + Sync {
    async fn get(&self, key: &str, field: Option<&str>) -> Result<Lectura, CacheError>;
    async fn set(
        &self,
        key: &str,
        field: Option<&str>,
        value: &str,
        ttl: Duration,
        version: u64,
    ) -> Result<bool, CacheError>;
    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError>;
    async fn ping(&self) -> Result<(), CacheError>;
}

/// Picks the adapter from configuration. A configured Redis that is unreachable is an
/// error here, at start-up; there is no fallback to memory.
pub async fn from_config(cfg: &RedisConfig) -> anyhow::Result<Arc<dyn Cache>> {
    Ok(match cfg {
        RedisConfig::Embedded => Arc::new(MemoryCache::default()),
        RedisConfig::Redis { url, prefix } => {
            let conn = crate::lock::connect_redis(url.expose()).await?;
            Arc::new(RedisCache::new(conn, prefix.clone()))
        }
    })
}
