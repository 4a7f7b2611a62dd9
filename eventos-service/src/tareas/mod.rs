//! eventos' background jobs, all started from here, each a module of its own: the hold
//! `reaper`, the outbox relay (shared) and the sales `archivador`. Each runs for the life
//! of the process.

pub mod archivador;
pub mod reaper;

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::bus::Publicador;
use tokio::sync::Notify;

use crate::cache::EventoCache;
use crate::store::EventoStore;
use crate::Config;

/// What the request path pokes to wake a job at once.
pub struct Despertadores {
    /// The outbox relay, after a write that queued a message.
    pub outbox: Arc<Notify>,
    /// The archiver, after a confirmation.
    pub archivo: Arc<Notify>,
}

/// Starts every job: the reaper (every `EVENTOS_REAPER_INTERVAL_SECS`), the relay of the
/// event's messages (each at once: `rafaga` zero) and the archiver.
pub fn iniciar(
    store: &Arc<dyn EventoStore>,
    cache: &EventoCache,
    publicador: Arc<dyn Publicador>,
    config: &Config,
) -> Despertadores {
    reaper::spawn(
        store.clone(),
        cache.clone(),
        config.retencion_ttl,
        config.reaper_interval,
    );
    let outbox = eventflow_shared::outbox::spawn(
        store.clone(),
        publicador,
        Duration::from_secs(1),
        Duration::ZERO,
    );
    let archivo = archivador::spawn(store.clone());
    Despertadores { outbox, archivo }
}
