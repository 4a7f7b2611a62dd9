//! The archiver: moves sold holds out of the event documents into the sales archive
//! (`EventoStore::archivar_ventas`), so an event's document stays small however many
//! tickets it sells. Woken after each confirmation, and on a timer.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::store::EventoStore;

/// How long the archiver waits after a confirmation wakes it, so that one run moves the
/// sales of a whole burst; the event document holds at most about this long's sales.
const RAFAGA: Duration = Duration::from_millis(200);

/// Without confirmations here, the archiver still runs this often: sales confirmed by
/// another instance, or left by one that stopped, are moved all the same.
const ARCHIVO_CADA: Duration = Duration::from_secs(5);

/// Starts the archiver, which moves sold holds out of the event documents
/// (`EventoStore::archivar_ventas`), and returns what wakes it.
pub fn spawn(store: Arc<dyn EventoStore>) -> Arc<Notify> {
    let despertar = Arc::new(Notify::new());
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
