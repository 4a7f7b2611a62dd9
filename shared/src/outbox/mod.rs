//! The outbox relay: publishes messages stored beside the state change that caused
//! them, and removes each one only after the broker confirmed it. A broker outage only
//! delays messages; a crash between publish and removal publishes again (consumers
//! deduplicate by `messageId`).

pub mod mongo;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
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

/// Messages read per pass.
const LOTE: usize = 100;

/// Owners published at once. One message at a time, each waiting for its broker confirm
/// and its removal, kept the relay at ~45 messages/s under load: it fell behind a rush.
const EN_VUELO: usize = 32;

/// One pass. Returns how many messages it published.
///
/// Owners are published concurrently; one owner's messages go in order, each removed
/// only after the broker confirmed it. When the broker fails, no further message is
/// started and everything not confirmed stays for the next pass.
pub async fn drenar(fuente: &dyn FuenteOutbox, bus: &dyn Publicador) -> usize {
    let pendientes = match fuente.pendientes(LOTE).await {
        Ok(p) => p,
        Err(e) => {
            tracing::warn!(error = %e, "outbox relay could not read pending messages");
            return 0;
        }
    };
    // Sources list one owner's messages together; keep them together and in order.
    let mut grupos: Vec<(String, Vec<Pendiente>)> = Vec::new();
    for (dueno, p) in pendientes {
        match grupos.last_mut() {
            Some((d, ps)) if *d == dueno => ps.push(p),
            _ => grupos.push((dueno, vec![p])),
        }
    }
    let caido = AtomicBool::new(false);
    let caido = &caido;
    futures::stream::iter(grupos)
        .map(|(dueno, ps)| async move {
            let mut n = 0;
            for p in ps {
                if caido.load(Ordering::Relaxed) {
                    break;
                }
                if let Err(e) = bus.publicar(&p.routing_key, &p.envelope).await {
                    // The broker is down: keep the rest for the next pass.
                    if !caido.swap(true, Ordering::Relaxed) {
                        tracing::warn!(error = %e, "outbox relay: broker unavailable, will retry");
                    }
                    break;
                }
                n += 1;
                if let Err(e) = fuente.enviado(&dueno, p.envelope.message_id).await {
                    tracing::warn!(error = %e, "published but not marked sent; it will be published again");
                }
            }
            n
        })
        .buffer_unordered(EN_VUELO)
        .fold(0, |total, n| async move { total + n })
        .await
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
            if n < LOTE {
                let _ = tokio::time::timeout(intervalo, a.notified()).await;
            }
        }
    });
    aviso
}
