//! ProcesadorPago: charges the total through the simulated provider, idempotent on the
//! reservation id. Compensation refunds an approved charge.

use async_trait::async_trait;
use axum::http::StatusCode;
use eventflow_shared::ApiError;

use super::{Contexto, Deps, Fallo, FalloSimulado, Handler};
use crate::domain::Suceso;
use crate::domain::{importe, PagoResumen, Progreso, Reserva};
use crate::puertos::Cobro;
use crate::store::{EstadoPago, Pago};

pub struct ProcesadorPago;

/// The reservation is paid by `p`, an approved charge: its summary, its progress and the
/// log entry. `recuperado`: recovery found the charge in the ledger after a crash, where
/// the card it was made with is no longer known.
pub(super) fn pagada(reserva: &mut Reserva, p: &Pago, recuperado: bool) {
    reserva.pago = Some(PagoResumen {
        id: p.id.clone(),
        estado: EstadoPago::Aprobado,
    });
    reserva.progreso = Progreso::Pagada;
    reserva.registrar(Suceso::PagoAprobado {
        pago_id: p.id.clone(),
        monto: p.monto,
        ultimos4: (!recuperado).then(|| p.ultimos4.clone()),
        recuperado: recuperado.then_some(true),
    });
}

#[async_trait]
impl Handler for ProcesadorPago {
    fn nombre(&self) -> &'static str {
        "ProcesadorPago"
    }

    fn mueve_dinero(&self) -> bool {
        true
    }

    /// No write of the reservation after the charge: the payment ledger, keyed by the
    /// reservation, is the record. Recovery asks it (`recuperacion`), and the terminal
    /// write logs the payment with everything else: two writes per SAGA, not three.
    fn persiste(&self) -> bool {
        false
    }

    async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<(), Fallo> {
        // Only set when RESERVAS_SIMULAR_FALLOS=1 (the handler filters the header).
        if ctx.fallo_simulado == Some(FalloSimulado::ColgarTrasRetencion) {
            // Recorded first, so a crash test finds the hold in the stored log.
            let _ = super::escritura::persistir(ctx, deps).await;
            tracing::warn!(reserva_id = %ctx.reserva.id, "simulated hang before payment");
            std::future::pending::<()>().await;
        }
        let total = ctx.reserva.total.unwrap_or(0);
        match deps
            .pasarela
            .cobrar(&ctx.reserva.id, total, &ctx.tarjeta)
            .await?
        {
            Cobro::Registrado(p) if p.estado == EstadoPago::Aprobado => {
                pagada(&mut ctx.reserva, &p, false);
                Ok(())
            }
            Cobro::Registrado(p) => {
                let motivo = p.motivo.clone().unwrap_or_else(|| "pago rechazado".into());
                ctx.reserva.pago = Some(PagoResumen {
                    id: p.id.clone(),
                    estado: EstadoPago::Rechazado,
                });
                ctx.reserva.registrar(Suceso::PagoRechazado {
                    pago_id: p.id.clone(),
                    motivo: motivo.clone(),
                });
                Err(ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    "pago-rechazado",
                    "Pago rechazado",
                    format!("El pago fue rechazado: {motivo}"),
                )
                .with("motivo", motivo)
                .into())
            }
            Cobro::ErrorProceso => Err(ApiError::unavailable(
                "pasarela-pagos",
                "La pasarela de pagos falló al procesar el cobro; no se cobró nada",
            )
            .into()),
        }
    }

    async fn compensar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<Vec<String>, ApiError> {
        match deps.pasarela.reembolsar(&ctx.reserva.id).await? {
            Some(p) => {
                ctx.reserva.pago = Some(PagoResumen {
                    id: p.id.clone(),
                    estado: EstadoPago::Reembolsado,
                });
                ctx.reserva.registrar(Suceso::PagoReembolsado {
                    pago_id: p.id.clone(),
                    monto: p.monto,
                });
                Ok(vec![format!("pago de {} reembolsado", importe(p.monto))])
            }
            None => Ok(Vec::new()),
        }
    }
}
