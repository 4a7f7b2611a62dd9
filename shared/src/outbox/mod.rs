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
/// first; `enviado` removes exactly that message and is idempotent; `enviados` does the
/// same for several (a store may do it in fewer writes).
#[async_trait]
pub trait FuenteOutbox: Send + Sync {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String>;
    async fn enviado(&self, dueno: &str, message_id: Uuid) -> Result<(), String>;
    async fn enviados(&self, lista: &[(String, Uuid)]) -> Result<(), String> {
        for (dueno, id) in lista {
            self.enviado(dueno, *id).await?;
        }
        Ok(())
    }
}

/// Messages read per pass.
const LOTE: usize = 100;

/// Owners published at once. One message at a time, each waiting for its broker confirm
/// and its removal, kept the relay at ~45 messages/s under load: it fell behind a rush.
const EN_VUELO: usize = 32;

/// One pass. Returns how many messages it published.
///
/// Owners are published concurrently; one owner's messages go in order. Every message
/// the broker confirmed is then removed, all in one call (`enviados`: one write for the
/// whole pass where the store can), never one the broker did not confirm. When the
/// broker fails, no further message is started and everything not confirmed stays for
/// the next pass. A crash before the removal publishes them again; consumers
/// deduplicate.
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
    let publicados: Vec<(String, Uuid)> = futures::stream::iter(grupos)
        .map(|(dueno, ps)| async move {
            let mut hechos = Vec::new();
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
                hechos.push((dueno.clone(), p.envelope.message_id));
            }
            hechos
        })
        .buffer_unordered(EN_VUELO)
        .concat()
        .await;
    if let Err(e) = fuente.enviados(&publicados).await {
        tracing::warn!(error = %e, "published but not marked sent; they will be published again");
    }
    publicados.len()
}

/// What a relay waits for after a poke before it reads, so that one pass takes the
/// messages of a whole burst of writes (one read and one removal for all of them)
/// instead of one pass per message. For reservations' confirmations under a rush;
/// messages are asynchronous, and 20 ms is not noticed.
pub const RAFAGA: Duration = Duration::from_millis(20);

/// Runs the relay every `intervalo`, or `rafaga` after the returned `Notify` is poked
/// (services poke it right after writing a message, so delivery is prompt). A relay
/// whose messages replace each other (one-time codes) passes `Duration::ZERO`.
pub fn spawn(
    fuente: Arc<dyn FuenteOutbox>,
    bus: Arc<dyn Publicador>,
    intervalo: Duration,
    rafaga: Duration,
) -> Arc<Notify> {
    let aviso = Arc::new(Notify::new());
    let a = aviso.clone();
    tokio::spawn(async move {
        loop {
            let n = drenar(fuente.as_ref(), bus.as_ref()).await;
            if n < LOTE
                && tokio::time::timeout(intervalo, a.notified()).await.is_ok()
                && !rafaga.is_zero()
            {
                tokio::time::sleep(rafaga).await;
            }
        }
    });
    aviso
}
