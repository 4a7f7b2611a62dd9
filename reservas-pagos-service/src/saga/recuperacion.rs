//! Recovery of SAGAs that stopped mid-way (a crash, a kill -9, a compensation that
//! could not run). Every step is idempotent, so finishing or undoing one is safe: a
//! paid reservation is completed forward; anything short of payment is compensated.

use std::time::Duration;

use chrono::Utc;
use eventflow_shared::ApiError;
use serde_json::json;

use super::cadena::{persistir, CONFIRMADOR_RESERVA};
use super::{Cadena, Contexto, Deps, EstadoRetencion};
use crate::domain::{Estado, FalloReserva, PagoResumen, Progreso, Reserva};
use crate::store::EstadoPago;

/// Finishes every reservation not written for `inactividad`. Returns how many it handled.
pub async fn barrer(deps: &Deps, cadena: &Cadena, inactividad: Duration) -> usize {
    let corte = Utc::now() - chrono::Duration::from_std(inactividad).unwrap_or_default();
    let abandonadas = match deps.reservas.abandonadas(corte).await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(error = %e, "recovery could not list abandoned reservations");
            return 0;
        }
    };
    let mut n = 0;
    for r in abandonadas {
        let id = r.id.clone();
        match recuperar(deps, cadena, r).await {
            Ok(estado) => {
                n += 1;
                tracing::warn!(reserva_id = %id, ?estado, "recovered an interrupted reservation");
            }
            Err(e) => {
                tracing::warn!(reserva_id = %id, error = %e, "recovery will retry this reservation")
            }
        }
    }
    n
}

/// Drives one stored reservation to a terminal state, if its dependencies answer.
pub async fn recuperar(deps: &Deps, cadena: &Cadena, reserva: Reserva) -> Result<Estado, ApiError> {
    if reserva.estado == Estado::Cancelando {
        return crate::cancelacion::completar(deps, reserva)
            .await
            .map(|r| r.estado);
    }
    if reserva.estado != Estado::EnCurso {
        return Ok(reserva.estado);
    }
    let vendida = reserva.tiene_evento("InventarioConfirmado");
    let mut ctx = Contexto {
        reserva,
        solicitud: None,
        tarjeta: String::new(),
        // Unknown after a crash: release and unlock anyway; both are safe to repeat.
        lock_tomado: true,
        retencion: if vendida {
            EstadoRetencion::Vendida
        } else {
            EstadoRetencion::Incierta
        },
        fallo_simulado: None,
    };
    ctx.reserva.registrar(
        "RecuperacionIniciada",
        json!({ "progreso": ctx.reserva.progreso }),
    );

    // A crash between the charge and its log entry leaves progreso at Retenida: ask
    // the provider, which is the source of truth for money.
    let pago = deps.pasarela.consultar(&ctx.reserva.id).await?;
    let pagada = pago
        .as_ref()
        .is_some_and(|p| p.estado == EstadoPago::Aprobado);
    if pagada && ctx.reserva.fallo.is_none() && ctx.reserva.progreso >= Progreso::Retenida {
        if ctx.reserva.progreso < Progreso::Pagada {
            let p = pago.expect("checked");
            ctx.reserva.pago = Some(PagoResumen {
                id: p.id.clone(),
                estado: "APROBADO".into(),
            });
            ctx.reserva.progreso = Progreso::Pagada;
            ctx.reserva.registrar(
                "PagoAprobado",
                json!({ "pago_id": p.id, "monto": p.monto, "recuperado": true }),
            );
        }
        ctx.retencion = if vendida {
            EstadoRetencion::Vendida
        } else {
            EstadoRetencion::Hecha
        };
        // Forward: the chain compensates by itself if confirmation is no longer possible.
        let _ = cadena.ejecutar(&mut ctx, deps, CONFIRMADOR_RESERVA).await;
        return Ok(ctx.reserva.estado);
    }

    ctx.reserva.fallo.get_or_insert(FalloReserva {
        paso: "Recuperacion".into(),
        status: 503,
        tipo: "saga-interrumpida".into(),
        detalle: "La reserva se interrumpió antes de pagar; se deshizo lo hecho".into(),
    });
    let (_, completo) = cadena.compensar(CONFIRMADOR_RESERVA, &mut ctx, deps).await;
    if completo {
        ctx.reserva.estado = Estado::Fallida;
        ctx.reserva
            .registrar("ReservaFallida", json!({ "paso": "Recuperacion" }));
    }
    persistir(&mut ctx, deps).await?;
    Ok(ctx.reserva.estado)
}
