//! Recovery of SAGAs that stopped mid-way (a crash, a kill -9, a compensation that
//! could not run, an outcome nobody could learn). Every step is idempotent, so finishing
//! or undoing one is safe: a paid reservation is completed forward; anything short of
//! payment is compensated.
//!
//! Several instances sweep the same store. Each claims a reservation before it acts,
//! with one version-guarded write that takes the lease (this instance, until the lock
//! TTL from now) and logs `RecuperacionIniciada`. Of several sweepers exactly one wins
//! that write; the others leave the reservation alone. A later write that meets another
//! version means someone else took it over: the run stops, it never compensates.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use eventflow_shared::ApiError;
use futures::StreamExt;

use super::escritura::{persistir, NoEscrita};
use super::{Cadena, Contexto, Deps, EstadoRetencion};
use crate::domain::{Estado, FalloReserva, Lease, Progreso, Reserva};
use crate::domain::{Suceso, TipoSuceso};
use crate::store::EstadoPago;

/// The recovery loop: one sweep right away, then one every `cada`, for the life of the
/// process. Safe in any number of instances (see the module's doc).
pub fn spawn(deps: Arc<Deps>, cadena: Arc<Cadena>, cada: Duration, inactividad: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(cada);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            barrer(&deps, &cadena, inactividad).await;
        }
    });
}

/// Finishes every reservation not written for `inactividad` whose lease ran out.
/// Returns how many it acted on.
pub async fn barrer(deps: &Deps, cadena: &Cadena, inactividad: Duration) -> usize {
    let corte = Utc::now() - chrono::Duration::from_std(inactividad).unwrap_or_default();
    let abandonadas = match deps.reservas.abandonadas(corte).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "recovery could not list abandoned reservations");
            return 0;
        }
    };
    // Several at a time: after a crash with thousands in flight, one by one (each may
    // wait on a slow peer) would leave buyers waiting for minutes. Bounded, so recovery
    // never floods the peers it is waiting on.
    futures::stream::iter(abandonadas)
        .map(|r| async move {
            let id = r.id.clone();
            // A sold reservation with tickets cancelled alone still to settle; one
            // being cancelled whole settles them itself.
            let una_a_una = r.estado.terminal() && !r.anulaciones.is_empty();
            let recuperada = if una_a_una {
                super::cancelacion_entrada::recuperar(deps, r).await
            } else {
                recuperar(deps, cadena, r).await
            };
            match recuperada {
                Ok(Some(estado)) => {
                    tracing::warn!(reserva_id = %id, instancia = %deps.instancia, ?estado, "recovered an interrupted reservation");
                    1
                }
                Ok(None) => 0,
                Err(e) => {
                    tracing::warn!(reserva_id = %id, error = %e, "recovery will retry this reservation");
                    0
                }
            }
        })
        .buffer_unordered(RECUPERACIONES_A_LA_VEZ)
        .fold(0, |n, x| async move { n + x })
        .await
}

/// Reservations one sweep recovers at once.
const RECUPERACIONES_A_LA_VEZ: usize = 16;

/// Claims the reservation for this instance: `false` when another instance (or its
/// live SAGA) holds the lease or wins the write.
async fn reclamar(deps: &Deps, r: &mut Reserva) -> Result<bool, ApiError> {
    let ahora = eventflow_shared::now();
    if r.estado.terminal() || !r.libre_para(&deps.instancia, ahora) {
        return Ok(false);
    }
    r.lease = Some(Lease {
        instancia: deps.instancia.clone(),
        hasta: ahora + chrono::Duration::from_std(deps.lock_ttl).unwrap_or_default(),
    });
    let suceso = Suceso::RecuperacionIniciada {
        instancia: deps.instancia.to_string(),
        progreso: r.progreso,
        estado: r.estado,
    };
    r.registrar(suceso);
    Ok(deps.reservas.guardar(r).await?)
}

/// Drives one stored reservation to a terminal state, if its dependencies answer.
/// `None` when it was not this instance's to recover.
pub async fn recuperar(
    deps: &Deps,
    cadena: &Cadena,
    mut reserva: Reserva,
) -> Result<Option<Estado>, ApiError> {
    if !reclamar(deps, &mut reserva).await? {
        return Ok(None);
    }
    if reserva.estado == Estado::Cancelando {
        return crate::saga::cancelacion::completar(deps, reserva)
            .await
            .map(|r| Some(r.estado));
    }
    let vendida = reserva.tiene(TipoSuceso::InventarioConfirmado);
    let mut ctx = Contexto {
        // Unknown after a crash: release and unlock anyway; both are safe to repeat.
        lock_tomado: true,
        retencion: if vendida {
            EstadoRetencion::Vendida
        } else {
            EstadoRetencion::Incierta
        },
        ..Contexto::de(reserva)
    };

    // A crash between the charge and its log entry leaves progreso at Retenida: ask
    // the provider, which is the source of truth for money.
    let pago = deps.pasarela.consultar(&ctx.reserva.id).await?;
    let pagada = pago
        .as_ref()
        .is_some_and(|p| p.estado == EstadoPago::Aprobado);
    // A charge is only ever made after the hold, so a paid reservation held its tickets
    // even if the crash came before that was written.
    if pagada && ctx.reserva.fallo.is_none() {
        if ctx.reserva.progreso < Progreso::Pagada {
            let p = pago.expect("checked");
            super::procesador_pago::pagada(&mut ctx.reserva, &p, true);
        }
        // Confirmation is idempotent: whatever the lost answer was, asking again tells.
        ctx.retencion = if vendida {
            EstadoRetencion::Vendida
        } else {
            EstadoRetencion::Hecha
        };
        // Forward: the chain compensates by itself if confirmation is no longer possible,
        // and leaves it EN_CURSO for the next sweep while an outcome is still unknown.
        let _ = cadena.ejecutar(&mut ctx, deps, cadena.tras_el_pago()).await;
        return Ok(Some(ctx.reserva.estado));
    }

    ctx.reserva.fallo.get_or_insert(FalloReserva {
        paso: "Recuperacion".into(),
        status: 503,
        tipo: "saga-interrumpida".into(),
        detalle: "La reserva se interrumpió antes de pagar; se deshizo lo hecho".into(),
    });
    let (_, completo) = cadena
        .compensar(cadena.tras_el_pago(), &mut ctx, deps)
        .await;
    if completo {
        ctx.reserva.estado = Estado::Fallida;
        ctx.reserva.registrar(Suceso::ReservaFallida {
            paso: "Recuperacion".into(),
        });
    }
    match persistir(&mut ctx, deps).await {
        Ok(()) => Ok(Some(ctx.reserva.estado)),
        Err(NoEscrita::Ajena) => Ok(None),
        Err(NoEscrita::Incierta(e)) => Err(e.into()),
    }
}
