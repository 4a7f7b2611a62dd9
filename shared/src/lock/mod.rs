//! The distributed-lock port: `SET key owner NX PX ttl` and compare-and-delete release.

mod memory;
mod redis;

use std::sync::Arc;
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use anyhow::Context;
use async_trait::async_trait;

pub use self::memory::MemoryLock;
pub use self::redis::RedisLock;
use crate::config::RedisConfig;

#[derive(Debug, thiserror::Error)]
#[error("lock store unavailable: {0}")]
pub struct LockError(pub String);

/// A lease with an owner and a TTL.
///
/// Contract (checked by the shared contract suite against every adapter):
/// - `acquire` MUST succeed only when the key is absent or expired, and then store `owner`
///   with the TTL atomically. Of many concurrent callers exactly one wins.
/// - `release` MUST delete the key only while it still holds `owner`, and say whether it
///   did. A lease that expired and was taken by someone else is left alone.
/// - `owner` returns the current holder, if any.
#[async_trait]
pub trait Lock: Send + Sync {
    async fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool, LockError>;
    async fn release(&self, key: &str, owner: &str) -> Result<bool, LockError>;
    async fn owner(&self, key: &str) -> Result<Option<String>, LockError>;
    /// Keys currently held whose name starts with `pattern_prefix` (for tests, scripts
    /// and leak checks).
    async fn keys(&self, pattern_prefix: &str) -> Result<Vec<String>, LockError>;
    async fn ping(&self) -> Result<(), LockError>;
}

/// Picks the adapter from configuration; an unreachable Redis is a start-up error.
pub async fn from_config(cfg: &RedisConfig) -> anyhow::Result<Arc<dyn Lock>> {
    Ok(match cfg {
        RedisConfig::Embedded => Arc::new(MemoryLock::default()),
        RedisConfig::Redis { url, prefix } => Arc::new(RedisLock::new(
            connect_redis(url.expose()).await?,
            prefix.clone(),
        )),
    })
}

/// Opens a managed Redis connection with short timeouts and checks it with PING.
///
/// The timeouts matter at runtime: when Redis dies mid-sale, a checkout should fail with
/// a 503 within a second instead of waiting on a dead socket.
///
/// Errors name the URL with its password masked, in our words and in the driver's
/// (`secreto::sanear`): start-up prints the whole chain.
pub async fn connect_redis(url: &str) -> anyhow::Result<ConnectionManager> {
    let visible = crate::secreto::enmascarar_url(url);
    let sanear =
        |e: ::redis::RedisError| anyhow::anyhow!(crate::secreto::sanear(&e.to_string(), url));
    let client = ::redis::Client::open(url)
        .map_err(sanear)
        .with_context(|| format!("REDIS_URL {visible} is not a valid Redis URL"))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Duration::from_secs(1))
        .set_response_timeout(Duration::from_millis(800))
        // No retry inside one operation: redis-rs's backoff starts at a fixed 1 s (plus
        // jitter) whatever `max_delay` says, so even one retry made every command on a
        // dead Redis wait 1-2 s. The manager still reconnects on the next command.
        .set_number_of_retries(0);
    let mut conn = tokio::time::timeout(
        Duration::from_secs(3),
        ConnectionManager::new_with_config(client, config),
    )
    .await
    .map_err(|_| anyhow::anyhow!("timed out"))
    .and_then(|r| r.map_err(sanear))
    .with_context(|| format!("Redis at {visible} is unreachable"))?;
    ::redis::cmd("PING")
        .query_async::<String>(&mut conn)
        .await
        .map_err(sanear)
        .with_context(|| format!("Redis at {visible} did not answer PING"))?;
    Ok(conn)
}

/// Runs a Redis command, and once more if it failed for any reason but a timeout.
///
/// After an outage, `ConnectionManager` hands the *first* command the failure of its last
/// reconnect attempt, even when Redis is back; that command is what triggers a fresh
/// reconnect. Retrying once makes the first checkout after recovery succeed. A dead
/// Redis still fails fast (connection refused twice), and a hung one is not waited for
/// twice.
pub(crate) async fn con_reintento<T, F, Fut>(mut op: F) -> ::redis::RedisResult<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ::redis::RedisResult<T>>,
{
    match op().await {
        Err(e) if !e.is_timeout() => {
            tracing::debug!(error = %e, "redis command failed; retrying once");
            op().await
        }
        other => other,
    }
}
