//! The chain runner: runs handlers in order, records each step, and on failure
//! compensates the steps already run (including the failing one's partial work) in
//! reverse. Every transition is persisted as one write of the reservation document.

use std::time::Instant;

use eventflow_shared::ApiError;
use serde_json::json;

use super::{
    ConfirmadorReserva, Contexto, Deps, Handler, ProcesadorPago, ValidadorDatos,
    ValidadorInventario,
};
use crate::domain::{Compensacion, Estado, FalloReserva, PasoEjecutado};

pub struct Cadena {
    handlers: Vec<Box<dyn Handler>>,
}

/// Index of ConfirmadorReserva in the standard chain: where recovery resumes a paid SAGA.
pub const CONFIRMADOR_RESERVA: usize = 3;

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

    /// Runs the handlers from index `desde`. On failure, returns the step's problem with
    /// `reserva_id`, `paso` and `compensaciones` added.
    pub async fn ejecutar(
        &self,
        ctx: &mut Contexto,
        deps: &Deps,
        desde: usize,
    ) -> Result<(), ApiError> {
        for i in desde..self.handlers.len() {
            let h = &self.handlers[i];
            let t = Instant::now();
            let res = h.ejecutar(ctx, deps).await;
            let ms = t.elapsed().as_millis() as u64;
            deps.metricas.paso(h.nombre(), t.elapsed());
            let resultado = if res.is_ok() { "ok" } else { "fallido" };
            ctx.reserva.pasos.push(PasoEjecutado {
                handler: h.nombre().into(),
                resultado: resultado.into(),
                duracion_ms: ms,
            });
            let res = match res {
                Ok(()) => persistir(ctx, deps).await,
                Err(e) => Err(e),
            };
            if let Err(e) = res {
                return Err(self.fallar(i, ctx, deps, e).await);
            }
        }
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
                        ctx.reserva.registrar(
                            "CompensacionEjecutada",
                            json!({ "handler": h.nombre(), "accion": accion }),
                        );
                        hechas.push(Compensacion {
                            handler: h.nombre().into(),
                            accion,
                        });
                    }
                }
                Err(e) => {
                    completo = false;
                    tracing::warn!(reserva_id = %ctx.reserva.id, handler = h.nombre(), error = %e, "compensation failed; recovery will retry");
                    ctx.reserva.registrar(
                        "CompensacionFallida",
                        json!({ "handler": h.nombre(), "detalle": e.detail }),
                    );
                }
            }
        }
        ctx.reserva.compensaciones.extend(hechas.iter().cloned());
        (hechas, completo)
    }

    async fn fallar(&self, i: usize, ctx: &mut Contexto, deps: &Deps, err: ApiError) -> ApiError {
        let paso = self.handlers[i].nombre();
        tracing::info!(reserva_id = %ctx.reserva.id, paso, status = err.status.as_u16(), kind = err.kind, "saga step failed");
        ctx.reserva.registrar(
            "PasoFallido",
            json!({ "paso": paso, "status": err.status.as_u16(), "tipo": err.kind, "detalle": err.detail }),
        );
        ctx.reserva.fallo = Some(FalloReserva {
            paso: paso.into(),
            status: err.status.as_u16(),
            tipo: err.kind.into(),
            detalle: err.detail.clone(),
        });
        let (hechas, completo) = self.compensar(i, ctx, deps).await;
        if completo {
            ctx.reserva.estado = Estado::Fallida;
            ctx.reserva
                .registrar("ReservaFallida", json!({ "paso": paso }));
        }
        if let Err(e) = persistir(ctx, deps).await {
            tracing::warn!(reserva_id = %ctx.reserva.id, error = %e, "could not record the failure; recovery will");
        }
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
        err
    }
}

/// One write: creates the reservation on its first save, then version-guarded updates.
pub async fn persistir(ctx: &mut Contexto, deps: &Deps) -> Result<(), ApiError> {
    if ctx.reserva.version == 0 {
        deps.reservas.crear(&mut ctx.reserva).await?;
        return Ok(());
    }
    if deps.reservas.guardar(&mut ctx.reserva).await? {
        if !ctx.reserva.outbox.is_empty() {
            deps.outbox.notify_one();
        }
        Ok(())
    } else {
        Err(ApiError::conflict(
            "reserva-modificada",
            "Otra ejecución (p. ej. la recuperación) modificó esta reserva",
        ))
    }
}
