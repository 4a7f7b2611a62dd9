//! The hold reaper: releases holds older than the hold TTL, so tickets held by a
//! checkout that died come back to sale even if reservas-pagos never returns.
//!
//! reservas-pagos recovers its own abandoned sagas first; this is the backstop for holds
//! nobody owns any more. The TTL must exceed the longest a live checkout can take.

use std::time::Duration;

use chrono::Utc;

use crate::cache::EventoCache;
use crate::store::EventoStore;

/// One sweep. Returns how many holds it released.
pub async fn sweep(store: &dyn EventoStore, cache: &EventoCache, ttl: Duration) -> usize {
    let cutoff = Utc::now() - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    let viejas = match store.retenciones_antiguas(cutoff).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "hold reaper could not list holds");
            return 0;
        }
    };
    let mut released = 0;
    for (evento, rid) in viejas {
        match store.liberar(&evento, &rid).await {
            Ok(Some(e)) if e.resultado == crate::domain::Liberacion::Liberada => {
                released += 1;
                cache.invalidar(Some(&evento)).await;
                tracing::warn!(evento_id = %evento, reserva_id = %rid, "released an abandoned hold");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "hold reaper could not release a hold"),
        }
    }
    released
}

/// Sweeps every `every` until the runtime stops.
pub fn spawn(
    store: std::sync::Arc<dyn EventoStore>,
    cache: EventoCache,
    ttl: Duration,
    every: Duration,
) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            sweep(store.as_ref(), &cache, ttl).await;
        }
    });
}
