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
        let full = self.key(key);
        let set = || {
            let mut conn = self.conn.clone();
            let full = full.clone();
            async move {
                redis::cmd("SET")
                    .arg(&full)
                    .arg(owner)
                    .arg("NX")
                    .arg("PX")
                    .arg(ttl.as_millis().max(1) as u64)
                    .query_async::<Option<String>>(&mut conn)
                    .await
            }
        };
        let mut first = true;
        let reply = super::con_reintento(|| {
            let again = !std::mem::replace(&mut first, false);
            let set = set();
            async move { set.await.map(|r| (r, again)) }
        })
        .await
        .map_err(err)?;
        match reply {
            (Some(_), _) => Ok(true),
            // The first SET may have landed before its reply was lost: then we own it.
            (None, true) => Ok(self.owner(key).await?.as_deref() == Some(owner)),
            (None, false) => Ok(false),
        }
    }

    async fn release(&self, key: &str, owner: &str) -> Result<bool, LockError> {
        let full = self.key(key);
        let deleted: i64 = super::con_reintento(|| {
            let mut conn = self.conn.clone();
            let script = self.release.clone();
            let full = full.clone();
            async move { script.key(&full).arg(owner).invoke_async(&mut conn).await }
        })
        .await
        .map_err(err)?;
        Ok(deleted == 1)
    }

    async fn owner(&self, key: &str) -> Result<Option<String>, LockError> {
        let full = self.key(key);
        super::con_reintento(|| {
            let mut conn = self.conn.clone();
            let full = full.clone();
            async move { conn.get(full).await }
        })
        .await
        .map_err(err)
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
        super::con_reintento(|| {
            let mut conn = self.conn.clone();
            async move { redis::cmd("PING").query_async::<String>(&mut conn).await }
        })
        .await
        .map(|_| ())
        .map_err(err)
    }
}
