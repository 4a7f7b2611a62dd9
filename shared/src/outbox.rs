//! The outbox relay: publishes messages stored beside the state change that caused
//! them, and removes each one only after the broker confirmed it. A broker outage only
//! delays messages; a crash between publish and removal publishes again (consumers
//! deduplicate by `messageId`).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;
use uuid::Uuid;

use crate::bus::{Pendiente, Publicador};

/// Where a service keeps its outbox.
///
/// Contract: `pendientes` returns stored messages not yet marked sent, oldest owners
/// first; `enviado` removes exactly that message and is idempotent.
#[async_trait]
pub trait FuenteOutbox: Send + Sync {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String>;
    async fn enviado(&self, dueno: &str, message_id: Uuid) -> Result<(), String>;
}

/// One pass. Returns how many messages it published.
pub async fn drenar(fuente: &dyn FuenteOutbox, bus: &dyn Publicador) -> usize {
    let pendientes = match fuente.pendientes(100).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "outbox relay could not read pending messages");
            return 0;
        }
    };
    let mut n = 0;
    for (dueno, p) in pendientes {
        if let Err(e) = bus.publicar(&p.routing_key, &p.envelope).await {
            // The broker is down: keep everything for the next pass, in order.
            tracing::warn!(error = %e, "outbox relay: broker unavailable, will retry");
            break;
        }
        n += 1;
        if let Err(e) = fuente.enviado(&dueno, p.envelope.message_id).await {
            tracing::warn!(error = %e, "published but not marked sent; it will be published again");
        }
    }
    n
}

/// Runs the relay every `intervalo`, or sooner when the returned `Notify` is poked
/// (services poke it right after writing a message, so delivery is prompt).
pub fn spawn(
    fuente: Arc<dyn FuenteOutbox>,
    bus: Arc<dyn Publicador>,
    intervalo: Duration,
) -> Arc<Notify> {
    let aviso = Arc::new(Notify::new());
    let a = aviso.clone();
    tokio::spawn(async move {
        loop {
            let n = drenar(fuente.as_ref(), bus.as_ref()).await;
            if n < 100 {
                let _ = tokio::time::timeout(intervalo, a.notified()).await;
            }
        }
    });
    aviso
}
