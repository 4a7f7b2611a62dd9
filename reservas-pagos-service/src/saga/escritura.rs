//! The reservation's write, which every part of the SAGA shares: it creates the
//! reservation on its first save, then updates it only at the version it read, renewing
//! this instance's lease each time; and the release of the buyer's lock, once the
//! reservation is terminal. Steps and recovery call it here, not in the runner.

use super::{Contexto, Deps};
use crate::domain::{Estado, Lease};
use crate::store::StoreError;

/// Why a write of the reservation did not happen.
#[derive(Debug)]
pub enum NoEscrita {
    /// Another writer got there first (recovery, or the live SAGA): it owns it now.
    Ajena,
    /// No acknowledgement: it may or may not be stored.
    Incierta(StoreError),
}

/// One write: creates the reservation on its first save, then version-guarded updates.
/// Every write renews this instance's lease on it.
pub async fn persistir(ctx: &mut Contexto, deps: &Deps) -> Result<(), NoEscrita> {
    let ahora = eventflow_shared::now();
    ctx.reserva.actualizada_en = ahora;
    ctx.reserva.lease = (!ctx.reserva.estado.terminal()).then(|| Lease {
        instancia: deps.instancia.clone(),
        hasta: ahora + chrono::Duration::from_std(deps.lock_ttl).unwrap_or_default(),
    });
    if ctx.reserva.estado == Estado::Confirmada && ctx.reserva.confirmada_en.is_none() {
        // The confirming write, whichever run makes it: it carries the tickets, so no
        // CONFIRMADA reservation is ever stored without them; and its time, which a
        // replay of the confirming request rebuilds its answer from.
        ctx.reserva.emitir_entradas();
        ctx.reserva.confirmada_en = Some(ahora);
    }
    if ctx.reserva.version == 0 {
        return deps.reservas.crear(&mut ctx.reserva).await.map_err(|e| {
            // Not known to be stored: the next write creates it again.
            ctx.reserva.version = 0;
            NoEscrita::Incierta(e)
        });
    }
    match deps.reservas.guardar(&mut ctx.reserva).await {
        Ok(true) => {
            if !ctx.reserva.outbox.is_empty() {
                deps.outbox.notify_one();
            }
            Ok(())
        }
        Ok(false) => Err(NoEscrita::Ajena),
        Err(e) => Err(NoEscrita::Incierta(e)),
    }
}

/// Frees the buyer's checkout lock once the reservation is terminal and stored, never
/// before: a second checkout of theirs that waited for it then finds this one
/// CONFIRMADA (the answer to a double submission), never half-way. A failed unlock is
/// not a failed sale: the lock expires with its TTL.
pub async fn soltar_bloqueo(ctx: &mut Contexto, deps: &Deps) {
    if !ctx.lock_tomado {
        return;
    }
    match deps.lock.release(&ctx.lock_key(), &ctx.reserva.id).await {
        Ok(_) => ctx.lock_tomado = false,
        Err(e) => {
            tracing::warn!(reserva_id = %ctx.reserva.id, error = %e, "could not release the checkout lock; it expires with its TTL")
        }
    }
}
