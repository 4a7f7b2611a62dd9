//! notificaciones' background job, started from here like every service's: the consumer
//! of the `NOTIFICACIONES` queue, whose handler is `consumer::Registrador`. It runs for
//! the life of the process.

use std::sync::Arc;

use eventflow_shared::bus::Consumidor;

use crate::store::NotificacionStore;
use crate::Config;

/// Starts consuming, and returns the consumer so readiness can ask whether it is
/// attached to the broker.
pub async fn iniciar(
    store: &Arc<dyn NotificacionStore>,
    config: &Config,
) -> anyhow::Result<Arc<dyn Consumidor>> {
    let consumidor = config.bus.consumidor().await?;
    consumidor
        .iniciar(
            eventflow_shared::bus::NOTIFICACIONES,
            Arc::new(crate::consumer::Registrador {
                store: store.clone(),
                correo_en_log: config.correo_en_log,
                mostrar_codigos: config.mostrar_codigos,
            }),
        )
        .await?;
    Ok(consumidor)
}
