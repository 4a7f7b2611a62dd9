//! Cancelling a confirmed reservation: refund, return the tickets, drop it from the
//! buyer's history. Idempotent; a cancellation cut off half-way is finished by recovery.

use chrono::Utc;
use eventflow_shared::bus::{Mensaje, ReservaCancelada};
use eventflow_shared::ApiError;

use crate::domain::{Estado, MotivoAnulacion, PagoResumen, Reserva};
use crate::domain::{Suceso, TipoSuceso};
use crate::puertos::dependencia;
use crate::puertos::{ClientError, Liberacion};
use crate::saga::Deps;
use crate::store::EstadoPago;

/// Cancels reservation `r`, as the caller just read it (and was allowed to). 409 when it
/// is not confirmed or the event already happened; a repeat returns the cancelled
/// reservation. Only a write that meets a newer version reads it again.
pub async fn cancelar(deps: &Deps, mut r: Reserva, corr: &str) -> Result<Reserva, ApiError> {
    for intento in 0..3 {
        if intento > 0 {
            let id = r.id.clone();
            r = deps
                .reservas
                .get(&id)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("No existe la reserva {id}")))?;
        }
        match r.estado {
            Estado::Cancelada => return Ok(r),
            Estado::Cancelando => return completar(deps, r).await,
            Estado::EnCurso => {
                return Err(ApiError::conflict(
                    "reserva-en-curso",
                    "La reserva aún se está procesando",
                ))
            }
            Estado::Fallida => {
                return Err(ApiError::conflict(
                    "reserva-fallida",
                    "La reserva no se completó; no hay nada que cancelar",
                ))
            }
            Estado::Confirmada => {}
        }
        let evento = deps
            .eventos
            .obtener(&r.evento_id, corr)
            .await
            .map_err(|e| dependencia(e, "El evento"))?;
        if evento.fecha <= Utc::now() {
            return Err(ApiError::conflict(
                "evento-finalizado",
                "El evento ya ocurrió; la reserva no se puede cancelar",
            ));
        }
        r.estado = Estado::Cancelando;
        r.registrar(Suceso::CancelacionSolicitada {
            correlation_id: corr.to_owned(),
        });
        if deps.reservas.guardar(&mut r).await? {
            return completar(deps, r).await;
        }
        // Someone else changed it between our read and write: look again.
    }
    Err(ApiError::conflict(
        "reserva-modificada",
        "La reserva cambió mientras se cancelaba; intente de nuevo",
    ))
}

/// Runs the cancellation's idempotent effects and records CANCELADA.
pub async fn completar(deps: &Deps, mut r: Reserva) -> Result<Reserva, ApiError> {
    let corr = r.correlation_id.clone();
    // Tickets cancelled alone and not settled yet go first, each refunded and returned
    // by its code: the whole refund and return below then take only the rest.
    let pendientes: Vec<String> = r.anulaciones.iter().map(|a| a.codigo.clone()).collect();
    for codigo in pendientes {
        let mut saldo = super::saldo_entrada::Saldo::default();
        super::saldo_entrada::saldar(deps, &mut r, &codigo, &mut saldo).await?;
    }
    // A cancellation cut off after the refund (e.g. eventos failed below) is retried:
    // the ledger then says REEMBOLSADO and `reembolsar` has nothing left to do, but the
    // refund was never written here. Record it, or the reservation claims APROBADO.
    let mut reembolso = deps.pasarela.reembolsar(&r.id).await?;
    if reembolso.is_none() && !r.tiene(TipoSuceso::PagoReembolsado) {
        reembolso = deps
            .pasarela
            .consultar(&r.id)
            .await?
            .filter(|p| p.estado == EstadoPago::Reembolsado);
    }
    if let Some(p) = reembolso {
        // What was not refunded ticket by ticket before.
        let parciales: i64 = deps
            .pasarela
            .reembolsos_parciales(&r.id)
            .await?
            .iter()
            .map(|(_, m)| m)
            .sum();
        r.pago = Some(PagoResumen {
            id: p.id.clone(),
            estado: EstadoPago::Reembolsado,
        });
        r.registrar(Suceso::PagoReembolsado {
            pago_id: p.id.clone(),
            monto: p.monto - parciales,
        });
    }
    // The seats still sold: less those given back one by one.
    let sueltas = r
        .eventos
        .iter()
        .filter(|e| e.tipo == TipoSuceso::EntradaDevuelta.as_str())
        .count() as u32;
    let resto = r.cantidad.saturating_sub(sueltas);
    match deps.eventos.devolver(&r.evento_id, &r.id, &corr).await {
        // A confirmed reservation was sold, so `sin_venta` means an interrupted earlier
        // try already returned the tickets (its answer was lost): record that once.
        Ok(Liberacion::Devuelta) => r.registrar(Suceso::InventarioDevuelto {
            zona: r.zona.clone(),
            cantidad: resto,
        }),
        Ok(Liberacion::SinVenta | Liberacion::SinRetencion)
            if !r.tiene(TipoSuceso::InventarioDevuelto) =>
        {
            r.registrar(Suceso::InventarioDevuelto {
                zona: r.zona.clone(),
                cantidad: resto,
            })
        }
        Ok(_) | Err(ClientError::NotFound) => {}
        Err(e) => return Err(dependencia(e, "El evento").with("reserva_id", r.id.clone())),
    }
    r.estado = Estado::Cancelada;
    r.lease = None;
    // In the same write: from now on none of them lets anyone in.
    r.anular_entradas(MotivoAnulacion::Cancelada);
    r.registrar(Suceso::ReservaCancelada {});
    // The cancelling request's correlation id, recorded when it asked.
    let corr_cancel = r
        .eventos
        .iter()
        .rev()
        .find(|e| e.tipo == TipoSuceso::CancelacionSolicitada.as_str())
        .and_then(|e| e.datos["correlation_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| r.correlation_id.clone());
    // usuarios takes it out of the buyer's history from this message.
    let cancelada = Mensaje::ReservaCancelada(ReservaCancelada {
        reserva_id: r.id.clone(),
        usuario_id: r.usuario_id.clone(),
        evento_id: r.evento_id.clone(),
    });
    r.outbox.push(cancelada.pendiente(&corr_cancel));
    if deps.reservas.guardar(&mut r).await? {
        deps.outbox.notify_one();
        return Ok(r);
    }
    // A concurrent cancel won the write; its result is ours.
    deps.reservas
        .get(&r.id)
        .await?
        .ok_or_else(|| ApiError::not_found("reserva"))
}
