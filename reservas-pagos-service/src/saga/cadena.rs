//! The chain runner: runs handlers in order, records each step, and on failure
//! compensates the steps already run (including the failing one's partial work) in
//! reverse. A SAGA that goes well writes its reservation twice: once before any side
//! effect (ValidadorInventario, before the hold) and once at its end; steps whose record
//! lives elsewhere (the payment ledger) add no write, and recovery asks them. Each write
//! is version-guarded, which is also how the SAGA keeps its lease: a write that meets
//! another writer's version means someone else owns the reservation now, and this run
//! stops without undoing anything.

use std::time::Instant;

use eventflow_shared::ApiError;

use super::escritura::{persistir, soltar_bloqueo, NoEscrita};
use super::{
    ConfirmadorReserva, Contexto, Deps, EstadoRetencion, Fallo, Handler, ProcesadorPago,
    ValidadorDatos, ValidadorInventario,
};
use crate::domain::Suceso;
use crate::domain::{Compensacion, Estado, FalloReserva, PasoEjecutado, ResultadoPaso};

/// The steps of [`Cadena::estandar`], in order: what the UI lists before a run has
/// reached them (`frontend/src/saga.ts` is checked against it).
pub const PASOS: [&str; 4] = [
    "ValidadorDatos",
    "ValidadorInventario",
    "ProcesadorPago",
    "ConfirmadorReserva",
];

pub struct Cadena {
    handlers: Vec<Box<dyn Handler>>,
}

/// How a run of the chain ended, when it did not confirm.
#[derive(Debug)]
pub enum Fin {
    /// A step failed; what was done is undone (or, if a compensation could not run yet,
    /// recovery finishes undoing it: the problem then says `compensaciones_pendientes`).
    Fallida(ApiError),
    /// The outcome is not known yet, so nothing was undone: a step's answer never came,
    /// the write that records it was not acknowledged, or another instance (recovery)
    /// took the reservation over. It is EN_CURSO; its owner or recovery finishes it.
    Pendiente,
}

impl Cadena {
    /// `ValidadorDatos → ValidadorInventario → ProcesadorPago → ConfirmadorReserva`.
    pub fn estandar() -> Self {
        Self {
            handlers: vec![
                Box::new(ValidadorDatos),
                Box::new(ValidadorInventario),
                Box::new(ProcesadorPago),
                Box::new(ConfirmadorReserva),
            ],
        }
    }

    /// Whether money may have moved once the handlers up to index `i` ran: a handler
    /// that charges (ProcesadorPago) is at or before it.
    fn con_dinero(&self, i: usize) -> bool {
        self.handlers[..=i.min(self.handlers.len() - 1)]
            .iter()
            .any(|h| h.mueve_dinero())
    }

    /// Where recovery resumes a SAGA that was paid: the step after the one that charges,
    /// whichever position that has in the chain.
    pub fn tras_el_pago(&self) -> usize {
        self.handlers
            .iter()
            .position(|h| h.mueve_dinero())
            .map_or(self.handlers.len(), |p| p + 1)
            .min(self.handlers.len() - 1)
    }

    /// Runs the handlers from index `desde`. On failure, the problem carries
    /// `reserva_id`, `paso` and `compensaciones`.
    pub async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps, desde: usize) -> Result<(), Fin> {
        for i in desde..self.handlers.len() {
            let h = &self.handlers[i];
            let t = Instant::now();
            let res = h.ejecutar(ctx, deps).await;
            let ms = t.elapsed().as_millis() as u64;
            deps.metricas.paso(h.nombre(), t.elapsed());
            let resultado = match &res {
                Ok(()) => ResultadoPaso::Ok,
                Err(Fallo::Rechazo(_)) => ResultadoPaso::Fallido,
                Err(Fallo::Incierto(_)) => ResultadoPaso::Incierto,
            };
            ctx.reserva.pasos.push(PasoEjecutado {
                handler: h.nombre().into(),
                resultado,
                duracion_ms: ms,
            });
            match res {
                Ok(()) if !h.persiste() => {}
                Ok(()) => {
                    let nueva = ctx.reserva.version == 0;
                    match persistir(ctx, deps).await {
                        Ok(()) => {}
                        // Its first write failing leaves nothing anyone else could own
                        // and no money moved yet: undo the hold and the lock now (both
                        // exact and idempotent), as for any other failure.
                        Err(NoEscrita::Incierta(e)) if nueva => {
                            return Err(self.fallar(i, ctx, deps, e.into()).await)
                        }
                        Err(no) => return Err(pendiente(ctx, h.nombre(), no)),
                    }
                }
                Err(Fallo::Incierto(e)) => {
                    tracing::warn!(reserva_id = %ctx.reserva.id, paso = h.nombre(), detalle = %e.detail, "unknown outcome; left to recovery");
                    ctx.reserva.registrar(Suceso::ResultadoIncierto {
                        paso: h.nombre().into(),
                        detalle: e.detail.clone(),
                    });
                    // Best effort, so recovery starts from the latest progress.
                    if let Err(no) = persistir(ctx, deps).await {
                        return Err(pendiente(ctx, h.nombre(), no));
                    }
                    return Err(Fin::Pendiente);
                }
                Err(Fallo::Rechazo(e)) => return Err(self.fallar(i, ctx, deps, e).await),
            }
        }
        soltar_bloqueo(ctx, deps).await;
        Ok(())
    }

    /// Compensates handlers `hasta`, `hasta - 1`, …, 0. Returns what was undone and
    /// whether every compensation succeeded.
    pub async fn compensar(
        &self,
        hasta: usize,
        ctx: &mut Contexto,
        deps: &Deps,
    ) -> (Vec<Compensacion>, bool) {
        let mut hechas = Vec::new();
        let mut completo = true;
        for h in self.handlers[..=hasta].iter().rev() {
            match h.compensar(ctx, deps).await {
                Ok(acciones) => {
                    for accion in acciones {
                        ctx.reserva.registrar(Suceso::CompensacionEjecutada {
                            handler: h.nombre().into(),
                            accion: accion.clone(),
                        });
                        hechas.push(Compensacion {
                            handler: h.nombre().into(),
                            accion,
                        });
                    }
                }
                Err(e) => {
                    completo = false;
                    tracing::warn!(reserva_id = %ctx.reserva.id, handler = h.nombre(), error = %e, "compensation failed; recovery will retry");
                    ctx.reserva.registrar(Suceso::CompensacionFallida {
                        handler: h.nombre().into(),
                        detalle: e.detail.clone(),
                    });
                }
            }
        }
        ctx.reserva.compensaciones.extend(hechas.iter().cloned());
        (hechas, completo)
    }

    async fn fallar(&self, i: usize, ctx: &mut Contexto, deps: &Deps, err: ApiError) -> Fin {
        let paso = self.handlers[i].nombre();
        tracing::info!(reserva_id = %ctx.reserva.id, paso, status = err.status.as_u16(), kind = err.kind, "saga step failed");
        ctx.reserva.registrar(Suceso::PasoFallido {
            paso: paso.to_string(),
            status: err.status.as_u16(),
            tipo: err.kind.to_owned(),
            detalle: err.detail.clone(),
        });
        ctx.reserva.fallo = Some(FalloReserva {
            paso: paso.into(),
            status: err.status.as_u16(),
            tipo: err.kind.into(),
            detalle: err.detail.clone(),
        });
        // Claim before undoing, once money may have moved: a stored reservation is then
        // compensated only by the run that wins this write. Recovery may have taken it
        // over while a step ran past the lease, and gone forward: undoing then would
        // refund a confirmed sale. Before the payment step nobody can go forward (there
        // is no charge), and every compensation is exact, so no claim is needed.
        if ctx.reserva.version > 0 && self.con_dinero(i) {
            match persistir(ctx, deps).await {
                Ok(()) => {}
                // Another run owns it; or, not acknowledged: with money taken, never undo
                // blind. Recovery reads the record back and decides.
                Err(no) => return pendiente(ctx, paso, no),
            }
        }
        let incierta = ctx.retencion == EstadoRetencion::Incierta;
        let (hechas, completo) = self.compensar(i, ctx, deps).await;
        if completo {
            ctx.reserva.estado = Estado::Fallida;
            ctx.reserva.registrar(Suceso::ReservaFallida {
                paso: paso.to_string(),
            });
        }
        let guardada = if completo && !incierta && !self.con_dinero(i) {
            // Refused before anything outlived it (bad data, an unknown buyer, a checkout
            // already running, sold out): nothing to keep, so nothing piles up.
            if ctx.reserva.version > 0 {
                if let Err(e) = deps.reservas.descartar(&ctx.reserva).await {
                    tracing::warn!(reserva_id = %ctx.reserva.id, error = %e, "could not discard a refused reservation; recovery will close it");
                }
            }
            false
        } else {
            if let Err(e) = persistir(ctx, deps).await {
                tracing::warn!(reserva_id = %ctx.reserva.id, error = ?e, "could not record the failure; recovery will");
            }
            true
        };
        let mut err = err
            .with("reserva_id", ctx.reserva.id.clone())
            .with("paso", paso)
            .with(
                "compensaciones",
                serde_json::to_value(&hechas).unwrap_or_default(),
            );
        if !completo {
            err = err.with("compensaciones_pendientes", true);
        }
        if let (true, Some(s)) = (guardada, &ctx.secreto) {
            // A kept reservation (a declined card, a refund) is the guest's to read back.
            err = err.with("secreto", s.clone());
        }
        Fin::Fallida(err)
    }
}

fn pendiente(ctx: &Contexto, paso: &str, no: NoEscrita) -> Fin {
    match no {
        NoEscrita::Ajena => {
            tracing::warn!(reserva_id = %ctx.reserva.id, paso, "another instance owns this reservation now; stopping without undoing anything")
        }
        NoEscrita::Incierta(e) => {
            tracing::warn!(reserva_id = %ctx.reserva.id, paso, error = %e, "write not acknowledged; recovery reads it back")
        }
    }
    Fin::Pendiente
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasos_es_el_orden_de_la_cadena() {
        let c = Cadena::estandar();
        let nombres: Vec<_> = c.handlers.iter().map(|h| h.nombre()).collect();
        assert_eq!(nombres, PASOS);
    }

    #[test]
    fn el_pago_se_encuentra_por_lo_que_es() {
        let c = Cadena::estandar();
        assert_eq!(c.handlers[c.tras_el_pago()].nombre(), "ConfirmadorReserva");
        assert_eq!(
            (
                c.con_dinero(0),
                c.con_dinero(1),
                c.con_dinero(2),
                c.con_dinero(3)
            ),
            (false, false, true, true)
        );
    }
}
