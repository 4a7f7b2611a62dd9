//! Redis lock adapter: `SET NX PX` to take, a Lua compare-and-delete to release.

use std::time::Duration;

use async_trait::async_trait;
use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};

use super::{Lock, LockError};

/// Deletes the key only if it still holds our owner id. A plain DEL could free a lock
/// that expired and was then taken by another checkout.
const RELEASE: &str = r#"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
else
  return 0
end
"#;

#[derive(Clone)]
pub struct RedisLock {
    conn: ConnectionManager,
    prefix: String,
    release: Script,
}

impl RedisLock {
    pub fn new(conn: ConnectionManager, prefix: String) -> Self {
        Self {
            conn,
            prefix,
            release: Script::new(RELEASE),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }
}

fn err(e: redis::RedisError) -> LockError {
    LockError(e.to_string())
}

#[async_trait]
impl Lock for RedisLock {
    async fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool, LockError> {
        let mut conn = self.conn.clone();
        let reply: Option<String> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(owner)
            .arg("NX")
            .arg("PX")
            .arg(ttl.as_millis().max(1) as u64)
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(reply.is_some())
    }

    async fn release(&self, key: &str, owner: &str) -> Result<bool, LockError> {
        let mut conn = self.conn.clone();
        let deleted: i64 = self
            .release
            .key(self.key(key))
            .arg(owner)
            .invoke_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(deleted == 1)
    }

    async fn owner(&self, key: &str) -> Result<Option<String>, LockError> {
        let mut conn = self.conn.clone();
        conn.get(self.key(key)).await.map_err(err)
    }

    async fn keys(&self, pattern_prefix: &str) -> Result<Vec<String>, LockError> {
        let mut conn = self.conn.clone();
        let pattern = format!("{}{}*", self.prefix, pattern_prefix);
        // SCAN, not KEYS: it does not block Redis while a sale is running.
        let mut found = Vec::new();
        let mut cursor: u64 = 0;
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut conn)
                .await
                .map_err(err)?;
            found.extend(
                batch
                    .into_iter()
                    .map(|k| k.strip_prefix(&self.prefix).unwrap_or(&k).to_owned()),
            );
            if next == 0 {
                break;
            }
            cursor = next;
        }
        Ok(found)
    }

    async fn ping(&self) -> Result<(), LockError> {
        let mut conn = self.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map(|_| ())
            .map_err(err)
    }
}
