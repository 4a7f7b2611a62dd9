//! reservas-pagos' background jobs, all started from here, each a module of its own:
//! the outbox relay (`relay`, shared: it must exist before the SAGA's `Deps`, which
//! pokes it), recovery (`saga::recuperacion`, the SAGA's own) and the barrido of the
//! cuadre (`barrido`). Each runs for the life of the process.

pub mod barrido;

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::bus::Publicador;
use eventflow_shared::outbox::FuenteOutbox;
use tokio::sync::Notify;

use crate::config::Config;
use crate::saga::{Cadena, Deps};

/// The outbox relay: publishes the reservations' messages (confirmations,
/// cancellations) a second after they are written, or a burst's worth after a poke.
pub fn relay(fuente: Arc<dyn FuenteOutbox>, publicador: Arc<dyn Publicador>) -> Arc<Notify> {
    eventflow_shared::outbox::spawn(
        fuente,
        publicador,
        Duration::from_secs(1),
        eventflow_shared::outbox::RAFAGA,
    )
}

/// Starts the jobs that need the SAGA's dependencies: recovery (one sweep right away,
/// then every `recuperacion_intervalo`) and the barrido (every `conciliacion_intervalo`).
pub fn iniciar(deps: &Arc<Deps>, cadena: &Arc<Cadena>, config: &Config) {
    crate::saga::recuperacion::spawn(
        deps.clone(),
        cadena.clone(),
        config.recuperacion_intervalo,
        config.lock_ttl,
    );
    barrido::spawn(deps.clone(), config.conciliacion_intervalo);
}
