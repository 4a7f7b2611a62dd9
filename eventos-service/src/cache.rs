//! Read-through cache for event reads. Best effort by design: a Redis outage turns every
//! lookup into a miss with a warning, and reads go to MongoDB. Writes invalidate, and a
//! read that raced a write is not cached (versioned `set`, see `Cache`): without that, a
//! late fill could keep a pre-sale copy for the whole TTL.
//!
//! Keys: `eventos:evento:{id}` holds one event's JSON; the hash `eventos:listas` holds
//! list pages by query, so one DEL drops every page after any write.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::cache::{Cache, Lectura};

const LISTAS: &str = "eventos:listas";

#[derive(Clone)]
pub struct EventoCache {
    cache: Arc<dyn Cache>,
    ttl: Duration,
}

fn key(id: &str) -> String {
    format!("eventos:evento:{id}")
}

impl EventoCache {
    pub fn new(cache: Arc<dyn Cache>, ttl: Duration) -> Self {
        Self { cache, ttl }
    }

    /// The cached event, and the version to store a fresh read under on a miss.
    pub async fn evento(&self, id: &str) -> Lectura {
        self.leer(&key(id), None).await
    }

    /// Caches an event read under `version`; refused if a write invalidated it since.
    pub async fn guardar_evento(&self, id: &str, json: &str, version: u64) {
        self.guardar(&key(id), None, json, version).await
    }

    pub async fn lista(&self, consulta: &str) -> Lectura {
        self.leer(LISTAS, Some(consulta)).await
    }

    pub async fn guardar_lista(&self, consulta: &str, json: &str, version: u64) {
        self.guardar(LISTAS, Some(consulta), json, version).await
    }

    async fn leer(&self, key: &str, field: Option<&str>) -> Lectura {
        self.cache.get(key, field).await.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cache read failed; reading MongoDB");
            Lectura::default()
        })
    }

    async fn guardar(&self, key: &str, field: Option<&str>, json: &str, version: u64) {
        match self.cache.set(key, field, json, self.ttl, version).await {
            Ok(true) => {}
            // A write landed between our read and now: what we read may be older than it.
            Ok(false) => tracing::debug!(key, "not cached: invalidated while reading"),
            Err(e) => tracing::warn!(error = %e, "cache write failed"),
        }
    }

    /// Drops the event's entry (when given) and every list page. If Redis is down the
    /// entries cannot be dropped; they expire within the TTL, which bounds staleness.
    pub async fn invalidar(&self, id: Option<&str>) {
        let k = id.map(key);
        let mut keys = vec![LISTAS];
        if let Some(k) = &k {
            keys.push(k);
        }
        if let Err(e) = self.cache.delete(&keys).await {
            tracing::warn!(error = %e, "cache invalidation failed; entries expire with their TTL");
        }
    }

    pub async fn ping(&self) -> Result<(), String> {
        self.cache.ping().await.map_err(|e| e.to_string())
    }
}
