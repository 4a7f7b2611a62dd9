//! Settling one ticket cancelled alone (not a handler: a step that both the one-ticket
//! cancellation, `cancelacion_entrada`, and the whole one, `cancelacion`, run on a
//! ticket listed under `anulaciones`): refund its price once and return its seat once,
//! each idempotent by the code, and record both, in the reservation only (the caller
//! writes it). Apart from both so neither imports the other back.

use eventflow_shared::ApiError;

use crate::domain::{Reserva, Suceso, TipoSuceso};
use crate::puertos::{dependencia, hasta_saber, ClientError, ReembolsoParte};
use crate::saga::Deps;

/// What one run already knows of a ticket's two effects, so a write lost to another
/// writer records them again without asking the peers again.
#[derive(Debug, Default)]
pub struct Saldo {
    /// The refund's outcome: `Some(Some(pago))` refunded (now or before), `Some(None)`
    /// nothing to refund from.
    pago: Option<Option<String>>,
    /// The seat's outcome: `Some(true)` back on sale (now or before), `Some(false)` the
    /// event is gone.
    devuelta: Option<bool>,
}

/// Settles ticket `codigo`'s refund and seat, in `r` only (the caller writes it):
/// refunds its price once, returns its seat once, records each, and takes it off
/// `anulaciones`. An error leaves it listed, for a retry or recovery: every call here
/// is idempotent by the code.
pub async fn saldar(
    deps: &Deps,
    r: &mut Reserva,
    codigo: &str,
    saldo: &mut Saldo,
) -> Result<(), ApiError> {
    let Some(a) = r.anulaciones.iter().find(|a| a.codigo == codigo).cloned() else {
        return Ok(());
    };
    if saldo.pago.is_none() {
        saldo.pago = Some(
            match deps
                .pasarela
                .reembolsar_parte(&r.id, codigo, a.monto)
                .await?
            {
                ReembolsoParte::Hecho { pago_id } | ReembolsoParte::YaHecho { pago_id } => {
                    Some(pago_id)
                }
                // Refunded whole since, which returned only what was not refunded ticket
                // by ticket before it: nothing of this one's to record.
                ReembolsoParte::SinCobro => None,
            },
        );
    }
    if let Some(Some(pago_id)) = &saldo.pago {
        if !r.tiene_de(TipoSuceso::EntradaReembolsada, codigo) {
            r.registrar(Suceso::EntradaReembolsada {
                codigo: codigo.to_owned(),
                pago_id: pago_id.clone(),
                monto: a.monto,
            });
        }
    }
    if saldo.devuelta.is_none() {
        let (id, rid, corr) = (&r.evento_id, &r.id, &a.correlation_id);
        saldo.devuelta =
            match hasta_saber(|| deps.eventos.devolver_una(id, rid, codigo, corr)).await {
                // `sin_venta`: an earlier try gave it back and its answer was lost.
                Ok(_) => Some(true),
                // No event, no seat to return.
                Err(ClientError::NotFound) => Some(false),
                Err(e) => {
                    return Err(dependencia(e, "El evento")
                        .with("reserva_id", r.id.to_string())
                        .with("entrada", codigo))
                }
            };
    }
    if saldo.devuelta == Some(true) && !r.tiene_de(TipoSuceso::EntradaDevuelta, codigo) {
        r.registrar(Suceso::EntradaDevuelta {
            codigo: codigo.to_owned(),
            zona: a.zona.clone(),
        });
    }
    r.anulaciones.retain(|x| x.codigo != codigo);
    r.registrar(Suceso::EntradaCancelada {
        codigo: codigo.to_owned(),
    });
    Ok(())
}
