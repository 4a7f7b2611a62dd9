//! Redis cache adapter over a `ConnectionManager`, with every key under a prefix.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use super::{Cache, CacheError};

#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
}

impl RedisCache {
    pub fn new(conn: ConnectionManager, prefix: String) -> Self {
        Self { conn, prefix }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

fn err(e: redis::RedisError) -> CacheError {
    CacheError(e.to_string())
}

fn millis(ttl: Duration) -> u64 {
    ttl.as_millis().max(1) as u64
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let mut conn = self.conn.clone();
        conn.get(self.key(key)).await.map_err(err)
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        conn.pset_ex(self.key(key), value, millis(ttl))
            .await
            .map_err(err)
    }

    async fn get_field(&self, key: &str, field: &str) -> Result<Option<String>, CacheError> {
        let mut conn = self.conn.clone();
        conn.hget(self.key(key), field).await.map_err(err)
    }

    async fn set_field(
        &self,
        key: &str,
        field: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        let key = self.key(key);
        // MULTI keeps the entry from outliving the group: HSET and the TTL land together.
        // PEXPIRE NX only sets the TTL when the group has none, so it is counted from
        // the group's first entry and later pages do not keep stale ones alive.
        redis::pipe()
            .atomic()
            .hset(&key, field, value)
            .ignore()
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(millis(ttl))
            .arg("NX")
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(err)
    }

    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn.clone();
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        conn.del::<_, ()>(keys).await.map_err(err)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(err)
    }
}
