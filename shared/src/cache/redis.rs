//! Redis cache adapter over a `ConnectionManager`, with every key under a prefix.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;

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

impl RedisCache {
    /// Runs one command, retried once after a connection error (see `con_reintento`).
    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, CacheError> {
        crate::lock::con_reintento(|| {
            let mut conn = self.conn.clone();
            let cmd = cmd.clone();
            async move { cmd.query_async(&mut conn).await }
        })
        .await
        .map_err(err)
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.run(redis::Cmd::get(self.key(key))).await
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        self.run(redis::Cmd::pset_ex(self.key(key), value, millis(ttl)))
            .await
    }

    async fn get_field(&self, key: &str, field: &str) -> Result<Option<String>, CacheError> {
        self.run(redis::Cmd::hget(self.key(key), field)).await
    }

    async fn set_field(
        &self,
        key: &str,
        field: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let key = self.key(key);
        // MULTI keeps the entry from outliving the group: HSET and the TTL land together.
        // PEXPIRE NX only sets the TTL when the group has none, so it is counted from
        // the group's first entry and later pages do not keep stale ones alive.
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset(&key, field, value)
            .ignore()
            .cmd("PEXPIRE")
            .arg(&key)
            .arg(millis(ttl))
            .arg("NX")
            .ignore();
        crate::lock::con_reintento(|| {
            let mut conn = self.conn.clone();
            let pipe = pipe.clone();
            async move { pipe.query_async::<()>(&mut conn).await }
        })
        .await
        .map_err(err)
    }

    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        self.run(redis::Cmd::del(keys)).await
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.run::<String>(redis::cmd("PING")).await.map(|_| ())
    }
}
