//! The barrido: the background job that runs the cuadre (`crate::cuadre::cuadrar`) over
//! every event with reservations, every `RESERVAS_CONCILIACION_INTERVALO_SECS`, so what
//! the cuadre repairs is repaired even if no organizer asks.

use std::sync::Arc;
use std::time::Duration;

use crate::cuadre::cuadrar;
use crate::saga::Deps;

/// Squares every event with reservations, every `cada`; the first run after one period,
/// not at start-up (recovery runs first, and a cuadre judges only finished reservations).
pub fn spawn(deps: Arc<Deps>, cada: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(cada);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let eventos = match deps.reservas.eventos().await {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(error = %e, "barrido could not list events");
                    continue;
                }
            };
            for e in eventos {
                if let Err(err) = cuadrar(&deps, &e).await {
                    tracing::warn!(evento_id = %e, error = %err, "barrido will square this event again next time");
                }
            }
        }
    });
}
