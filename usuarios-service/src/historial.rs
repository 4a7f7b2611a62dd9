//! The purchase history, written from the bus: `ReservaConfirmada` adds a reservation to
//! its buyer's `historial_compras`, `ReservaCancelada` takes it out for good. Off the
//! reservation's request path, idempotent (both are set operations), and in any order:
//! the cancellation's tombstone keeps out a confirmation redelivered after it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use eventflow_shared::bus::{Envelope, Manejador, Mensaje, Resultado};
use tracing::Instrument;
use uuid::Uuid;

use crate::store::{StoreError, UsuarioStore};

/// The longest wait between two tries while the store is down.
const ESPERA_MAXIMA: Duration = Duration::from_secs(5);

pub struct Historial {
    pub store: Arc<dyn UsuarioStore>,
}

#[async_trait]
impl Manejador for Historial {
    async fn manejar(&self, env: Envelope) -> Resultado {
        let span = tracing::info_span!("historial", message_id = %env.message_id, tipo = %env.tipo, correlation_id = %env.correlation_id);
        async {
            let (usuario, reserva, alta) = match env.mensaje() {
                Ok(Mensaje::ReservaConfirmada(m)) => (m.usuario_id, m.reserva_id, true),
                Ok(Mensaje::ReservaCancelada(m)) => (m.usuario_id, m.reserva_id, false),
                // Not bound to this queue; nothing to do if one arrives anyway.
                Ok(_) => return Resultado::Hecho,
                Err(why) => return Resultado::Descartar(why),
            };
            let Some(usuario) = usuario else {
                return Resultado::Hecho;
            };
            let Ok(id) = Uuid::parse_str(usuario.as_str()) else {
                return Resultado::Descartar(format!("usuario_id '{usuario}' is not a UUID"));
            };
            // A store outage is waited out here, holding the delivery unacknowledged:
            // dead-lettering it after a redelivery or two, as notificaciones does, would
            // lose a purchase from the history. The queue keeps the rest meanwhile.
            let store = &self.store;
            let existe = hasta_escribir(|| async {
                if alta {
                    store.add_compra(id, &reserva).await
                } else {
                    store.remove_compra(id, &reserva).await
                }
            })
            .await;
            if !existe {
                tracing::warn!(%id, %reserva, "a purchase for an unknown buyer: nothing to record");
            }
            Resultado::Hecho
        }
        .instrument(span)
        .await
    }
}

/// Runs `escribir` until the store answers, waiting longer each time up to
/// [`ESPERA_MAXIMA`]; its answer is whether the buyer exists.
async fn hasta_escribir<F, Fut>(escribir: F) -> bool
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<bool, StoreError>>,
{
    let mut espera = Duration::from_millis(100);
    loop {
        match escribir().await {
            Ok(existe) => return existe,
            Err(e) => {
                tracing::warn!(error = %e, "could not write the purchase history; retrying");
                tokio::time::sleep(espera).await;
                espera = (espera * 2).min(ESPERA_MAXIMA);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn una_caida_del_almacen_se_espera_sin_perder_la_compra() {
        let intentos = AtomicU32::new(0);
        let existe = hasta_escribir(|| async {
            match intentos.fetch_add(1, Ordering::SeqCst) {
                0..=2 => Err(StoreError::Unavailable("caído".into())),
                _ => Ok(true),
            }
        })
        .await;
        assert!(existe);
        assert_eq!(
            intentos.load(Ordering::SeqCst),
            4,
            "tried until it was written"
        );
    }
}
