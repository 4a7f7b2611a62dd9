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

/// How long the archiver waits after a confirmation wakes it, so that one run moves the
/// sales of a whole burst; the event document holds at most about this long's sales.
const RAFAGA: Duration = Duration::from_millis(200);

/// Without confirmations here, the archiver still runs this often: sales confirmed by
/// another instance, or left by one that stopped, are moved all the same.
const ARCHIVO_CADA: Duration = Duration::from_secs(5);

/// Starts the archiver, which moves sold holds out of the event documents
/// (`EventoStore::archivar_ventas`), and returns what wakes it.
pub fn archivador(store: std::sync::Arc<dyn EventoStore>) -> std::sync::Arc<tokio::sync::Notify> {
    let despertar = std::sync::Arc::new(tokio::sync::Notify::new());
    let d = despertar.clone();
    tokio::spawn(async move {
        loop {
            if tokio::time::timeout(ARCHIVO_CADA, d.notified())
                .await
                .is_ok()
            {
                tokio::time::sleep(RAFAGA).await;
            }
            if let Err(e) = store.archivar_ventas().await {
                tracing::warn!(error = %e, "could not move sales out of the event documents; will retry");
            }
        }
    });
    despertar
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
