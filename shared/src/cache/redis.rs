//! Redis cache adapter over a `ConnectionManager`, with every key under a prefix.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;

use super::{Cache, CacheError, Lectura};

#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
    set_if_version: redis::Script,
}

impl RedisCache {
    pub fn new(conn: ConnectionManager, prefix: String) -> Self {
        Self {
            conn,
            prefix,
            set_if_version: redis::Script::new(SET_IF_VERSION),
        }
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

/// Stores the value only while the key's version (`KEYS[2]`, absent = 0) is still the
/// one the caller read. A group entry (`ARGV[5]` = 1) is an HSET; the group's TTL is set
/// only when it has none, so it counts from the group's first entry.
const SET_IF_VERSION: &str = r#"
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[4] then
  return 0
end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[1], ARGV[3], ARGV[1])
  if redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"#;

/// Where a key's version lives.
fn version_key(full: &str) -> String {
    format!("{full}:v")
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str, field: Option<&str>) -> Result<Lectura, CacheError> {
        let full = self.key(key);
        // One round trip for both: the value and the version it is checked against.
        let mut pipe = redis::pipe();
        match field {
            None => pipe.get(&full),
            Some(f) => pipe.hget(&full, f),
        };
        pipe.get(version_key(&full));
        let (valor, version): (Option<String>, Option<u64>) = crate::lock::con_reintento(|| {
            let mut conn = self.conn.clone();
            let pipe = pipe.clone();
            async move { pipe.query_async(&mut conn).await }
        })
        .await
        .map_err(err)?;
        Ok(Lectura {
            valor,
            version: version.unwrap_or(0),
        })
    }

    async fn set(
        &self,
        key: &str,
        field: Option<&str>,
        value: &str,
        ttl: Duration,
        version: u64,
    ) -> Result<bool, CacheError> {
        let full = self.key(key);
        let vkey = version_key(&full);
        let stored: i64 = crate::lock::con_reintento(|| {
            let mut conn = self.conn.clone();
            let mut inv = self.set_if_version.prepare_invoke();
            inv.key(&full)
                .key(&vkey)
                .arg(value)
                .arg(millis(ttl))
                .arg(field.unwrap_or(""))
                .arg(version.to_string())
                .arg(if field.is_some() { "1" } else { "0" });
            async move { inv.invoke_async(&mut conn).await }
        })
        .await
        .map_err(err)?;
        Ok(stored == 1)
    }

    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError> {
        if keys.is_empty() {
            return Ok(());
        }
        // MULTI: a reader sees either the old entry with the old version or neither.
        let mut pipe = redis::pipe();
        pipe.atomic();
        for k in keys {
            let full = self.key(k);
            pipe.del(&full)
                .ignore()
                .incr(version_key(&full), 1)
                .ignore();
        }
        crate::lock::con_reintento(|| {
            let mut conn = self.conn.clone();
            let pipe = pipe.clone();
            async move { pipe.query_async::<()>(&mut conn).await }
        })
        .await
        .map_err(err)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.run::<String>(redis::cmd("PING")).await.map(|_| ())
    }
}
