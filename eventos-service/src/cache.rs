//! Read-through cache for event reads. Best effort by design: a Redis outage turns every
//! lookup into a miss with a warning, and reads go to MongoDB. Writes invalidate.
//!
//! Keys: `eventos:evento:{id}` holds one event's JSON; the hash `eventos:listas` holds
//! list pages by query, so one DEL drops every page after any write.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::cache::Cache;

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

    pub async fn evento(&self, id: &str) -> Option<String> {
        self.cache
            .get(&key(id))
            .await
            .map_err(|e| tracing::warn!(error = %e, "cache read failed; reading MongoDB"))
            .ok()
            .flatten()
    }

    pub async fn guardar_evento(&self, id: &str, json: &str) {
        if let Err(e) = self.cache.set(&key(id), json, self.ttl).await {
            tracing::warn!(error = %e, "cache write failed");
        }
    }

    pub async fn lista(&self, consulta: &str) -> Option<String> {
        self.cache
            .get_field(LISTAS, consulta)
            .await
            .map_err(|e| tracing::warn!(error = %e, "cache read failed; reading MongoDB"))
            .ok()
            .flatten()
    }

    pub async fn guardar_lista(&self, consulta: &str, json: &str) {
        if let Err(e) = self.cache.set_field(LISTAS, consulta, json, self.ttl).await {
            tracing::warn!(error = %e, "cache write failed");
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
