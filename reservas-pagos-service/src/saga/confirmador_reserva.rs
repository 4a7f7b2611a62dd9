//! ConfirmadorReserva: turns the hold into a sale and marks the reservation CONFIRMADA
//! with its `ReservaConfirmada` message in the same write; the chain releases the lock
//! once that write is done. usuarios
//! adds it to the buyer's history from that message, off this request's path.
//! Compensation returns the sale (the earlier handlers then refund and unlock).
//!
//! The buyer has paid by now, so an unknown outcome here goes *forward*, never back: a
//! confirmation whose answer never came (asked again, still unknown) leaves the
//! reservation EN_CURSO, and recovery finishes it.

use async_trait::async_trait;
use eventflow_shared::bus::{Mensaje, ReservaConfirmada};
use eventflow_shared::ApiError;

use super::{Contexto, Deps, EstadoRetencion, Fallo, FalloSimulado, Handler};
use crate::domain::{entradas, Estado, Progreso};
use crate::domain::{Suceso, TipoSuceso};
use crate::puertos::dependencia;
use crate::puertos::{hasta_saber, ClientError, Liberacion};

pub struct ConfirmadorReserva;

#[async_trait]
impl Handler for ConfirmadorReserva {
    fn nombre(&self) -> &'static str {
        "ConfirmadorReserva"
    }

    async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<(), Fallo> {
        match ctx.fallo_simulado {
            Some(FalloSimulado::Confirmacion) => {
                return Err(ApiError::unavailable(
                    "simulada",
                    "Fallo simulado en la confirmación (X-Simular-Fallo)",
                )
                .into());
            }
            Some(FalloSimulado::ColgarTrasPago) => {
                // Recorded first, so a crash test finds the payment in the stored log.
                let _ = super::escritura::persistir(ctx, deps).await;
                tracing::warn!(reserva_id = %ctx.reserva.id, "simulated hang after payment");
                std::future::pending::<()>().await;
            }
            Some(FalloSimulado::ColgarTrasCobro) => {
                tracing::warn!(reserva_id = %ctx.reserva.id, "simulated hang after the charge, unrecorded");
                std::future::pending::<()>().await;
            }
            // Only the live request: recovery, which resumes without the request, then
            // confirms the sale as it would after a real timeout.
            Some(FalloSimulado::Incierto) if ctx.solicitud.is_some() => {
                return Err(Fallo::Incierto(ApiError::unavailable(
                    "simulada",
                    "Respuesta de la confirmación perdida (X-Simular-Fallo: incierto)",
                )));
            }
            Some(FalloSimulado::ColgarTrasRetencion | FalloSimulado::Incierto) | None => {}
        }
        let (evento, rid, corr) = (
            ctx.reserva.evento_id.clone(),
            ctx.reserva.id.clone(),
            ctx.corr(),
        );
        let (zona, cantidad) = (
            ctx.reserva.zona.clone().unwrap_or_default(),
            ctx.reserva.cantidad,
        );
        hasta_saber(|| {
            deps.eventos
                .confirmar(&evento, &rid, &zona, cantidad, &corr)
        })
        .await
        .map_err(|e| match e {
            ClientError::Refused { status: 409, .. } => ApiError::conflict(
                "retencion-vencida",
                "La retención de entradas venció antes de confirmar; el pago se reembolsa",
            )
            .into(),
            e if e.is_unknown() => Fallo::Incierto(dependencia(e, "El evento")),
            // Never reached eventos: nothing was sold, the hold is still there.
            other => dependencia(other, "El evento").into(),
        })?;
        ctx.retencion = EstadoRetencion::Vendida;
        ctx.reserva.registrar(Suceso::InventarioConfirmado {
            zona: ctx.reserva.zona.clone(),
            cantidad: ctx.reserva.cantidad,
        });

        ctx.reserva.estado = Estado::Confirmada;
        ctx.reserva.progreso = Progreso::Confirmada;
        ctx.reserva.registrar(Suceso::ReservaConfirmada {
            total: ctx.reserva.total,
        });
        // Its tickets now (the confirming write would issue them otherwise), so the
        // message that stands for the buyer's e-mail lists the codes that write stores.
        ctx.reserva.emitir_entradas();
        // Persisted by the chain in the same write as CONFIRMADA: the outbox.
        let r = &ctx.reserva;
        let confirmada = Mensaje::ReservaConfirmada(ReservaConfirmada {
            reserva_id: r.id.clone(),
            usuario_id: r.usuario_id.clone(),
            evento_id: r.evento_id.clone(),
            zona: r.zona.clone(),
            cantidad: r.cantidad,
            total: r.total,
            // The guest's way back to the reservation. Only the live request knows the
            // secret in clear: a confirmation finished by recovery is announced without it.
            enlace: ctx
                .secreto
                .as_ref()
                .map(|s| format!("/reservas/{}?s={s}", r.id)),
            entradas: r.entradas.iter().map(|e| e.codigo.clone()).collect(),
        });
        let pendiente = confirmada.pendiente(&r.correlation_id);
        ctx.reserva.outbox.push(pendiente);
        // The chain frees the buyer's lock after the terminal write that stores this.
        Ok(())
    }

    async fn compensar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<Vec<String>, ApiError> {
        // First, before anything that can fail: a confirmation that is being undone is no
        // longer CONFIRMADA and must never be announced. Were a call below to fail, the
        // reservation must be saved EN_CURSO (recovery retries it), not as a terminal
        // CONFIRMADA whose sale was already returned.
        ctx.reserva
            .outbox
            .retain(|p| !matches!(p.envelope.mensaje(), Ok(Mensaje::ReservaConfirmada(_))));
        if ctx.reserva.estado == Estado::Confirmada {
            ctx.reserva.estado = Estado::EnCurso;
        }
        // Nor may it keep tickets, had any been issued.
        ctx.reserva.entradas.clear();
        let mut hechas = Vec::new();
        let (evento, rid, corr) = (
            ctx.reserva.evento_id.clone(),
            ctx.reserva.id.clone(),
            ctx.corr(),
        );
        if ctx.retencion == EstadoRetencion::Vendida {
            match hasta_saber(|| deps.eventos.devolver(&evento, &rid, &corr)).await {
                Ok(Liberacion::Devuelta) => hechas.push(format!(
                    "{} de vuelta a la venta",
                    entradas(ctx.reserva.cantidad)
                )),
                Ok(_) | Err(ClientError::NotFound) => {}
                Err(e) => return Err(dependencia(e, "El evento")),
            }
            ctx.retencion = EstadoRetencion::Ninguna;
        }
        // The history is written from the confirmation's message, which this
        // compensation never lets out. Only a reservation begun by an earlier version,
        // which wrote the history itself, has an entry to take back.
        if ctx.reserva.tiene(TipoSuceso::HistorialActualizado) {
            let usuario = ctx.reserva.comprador()?;
            match hasta_saber(|| deps.usuarios.quitar_compra(&usuario, &rid, &corr)).await {
                Ok(()) | Err(ClientError::NotFound) => {}
                Err(e) => return Err(dependencia(e, "El usuario")),
            }
            hechas.push("reserva quitada del historial de compras".into());
        }
        Ok(hechas)
    }
}
