//! Read-through cache for event reads. Best effort by design: a Redis outage turns every
//! lookup into a miss with a warning, and reads go to MongoDB. Writes invalidate, and a
//! read that raced a write is not cached (versioned `set`, see `Cache`): without that, a
//! late fill could keep a pre-sale copy for the whole TTL.
//!
//! Keys: `eventos:evento:{id}` holds one event's JSON (and `eventos:evento:{id}:seed000`
//! the same event in seed 000's shape); the hash `eventos:listas` holds list pages of
//! both APIs by query, so one DEL drops every page after any write.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::cache::{Cache, Lectura};

const LISTAS: &str = "eventos:listas";

#[derive(Clone)]
pub struct EventoCache {
    cache: Arc<dyn Cache>,
    ttl: Duration,
}

/// The shapes an event is served in. Each is cached under its own key, and a write drops
/// them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forma {
    /// `/api/eventos/{id}`.
    EventFlow,
    /// `/events/{id}`, seed 000's API.
    Seed000,
}

fn key(id: &str, forma: Forma) -> String {
    match forma {
        Forma::EventFlow => format!("eventos:evento:{id}"),
        Forma::Seed000 => format!("eventos:evento:{id}:seed000"),
    }
}

impl EventoCache {
    pub fn new(cache: Arc<dyn Cache>, ttl: Duration) -> Self {
        Self { cache, ttl }
    }

    /// The cached event, and the version to store a fresh read under on a miss.
    pub async fn evento(&self, id: &str, forma: Forma) -> Lectura {
        self.leer(&key(id, forma), None).await
    }

    /// Caches an event read under `version`; refused if a write invalidated it since.
    pub async fn guardar_evento(&self, id: &str, forma: Forma, json: &str, version: u64) {
        self.guardar(&key(id, forma), None, json, version).await
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
        let k: Vec<String> = id
            .map(|id| {
                [Forma::EventFlow, Forma::Seed000]
                    .map(|f| key(id, f))
                    .to_vec()
            })
            .unwrap_or_default();
        let mut keys = vec![LISTAS];
        keys.extend(k.iter().map(String::as_str));
        if let Err(e) = self.cache.delete(&keys).await {
            tracing::warn!(error = %e, "cache invalidation failed; entries expire with their TTL");
        }
    }

    pub async fn ping(&self) -> Result<(), String> {
        self.cache.ping().await.map_err(|e| e.to_string())
    }
}
