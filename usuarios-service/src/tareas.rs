//! usuarios' background jobs, all started from here: the relay of one-time codes (the
//! shared outbox, over the codes' store) and the consumer of buyers' purchase history
//! (`historial`, from reservas' messages). Each runs for the life of the process.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::bus::Publicador;
use tokio::sync::Notify;

use crate::store::Almacenes;
use crate::Config;

/// Starts both jobs and returns what wakes the relay after a code is written. A
/// configured RabbitMQ that is unreachable fails the start-up here; a later outage only
/// delays the codes and the history.
pub async fn iniciar(
    almacenes: &Almacenes,
    publicador: Arc<dyn Publicador>,
    config: &Config,
) -> anyhow::Result<Arc<Notify>> {
    let aviso = eventflow_shared::outbox::spawn(
        almacenes.codigos.clone(),
        publicador,
        Duration::from_secs(1),
        // Each code replaces the last one with its message: send each at once.
        Duration::ZERO,
    );
    // The purchase history comes from reservas' confirmations and cancellations.
    config
        .bus
        .consumidor()
        .await?
        .iniciar(
            eventflow_shared::bus::HISTORIAL,
            Arc::new(crate::historial::Historial {
                store: almacenes.usuarios.clone(),
            }),
        )
        .await?;
    Ok(aviso)
}
