//! Cancelling one ticket of a confirmed reservation (not a handler: it drives the SAGA's
//! ports, as `cancelacion` does). The write that accepts it annuls the ticket at once
//! (the door refuses it from then on) and lists it under `anulaciones`; then exactly its
//! price is refunded and exactly one seat of its zone returns to sale, each idempotent
//! by the ticket's code, and one write records both and takes it off the list. Cut off
//! half-way (a crash, a peer whose answer never came), it stays listed and recovery
//! finishes it: an unknown outcome is asked again, never taken for a failure. The last
//! ticket that still lets anyone in is cancelled with its reservation, by the whole
//! cancellation's own steps, so a reservation never stays CONFIRMADA with nothing in it.

use std::time::Duration;

use chrono::Utc;
use eventflow_shared::ApiError;

use super::saldo_entrada::{saldar, Saldo};
use crate::domain::{AnulacionEntrada, Entrada, Estado, EstadoEntrada, Lease, MotivoAnulacion};
use crate::domain::{Reserva, Suceso, TipoSuceso};
use crate::puertos::dependencia;
use crate::saga::Deps;

/// The cancelled ticket, its reservation as written, and what was refunded for it.
#[derive(Debug)]
pub struct EntradaCancelada {
    pub reserva: Reserva,
    pub entrada: Entrada,
    pub reembolsado: i64,
}

/// Version-guarded writes tried before giving up: many tickets of one reservation may be
/// cancelled or transferred at once, and each write of one makes the others read again.
pub const INTENTOS: usize = 30;

/// A short random pause before reading again, so writers that met do not meet again.
pub async fn esperar(intento: usize) {
    let tope = 4 * intento.min(10) as u64 + 2;
    tokio::time::sleep(Duration::from_millis(rand::random::<u64>() % tope)).await;
}

fn no_existe(codigo: &str) -> ApiError {
    ApiError::not_found(format!("No existe la entrada {codigo}"))
}

async fn releer(deps: &Deps, id: &str) -> Result<Reserva, ApiError> {
    deps.reservas
        .get(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No existe la reserva {id}")))
}

/// Why ticket `e` of `r` cannot be cancelled or handed on now, if it cannot.
pub fn no_disponible(r: &Reserva, e: &Entrada, que: &str) -> Option<ApiError> {
    match e.estado {
        EstadoEntrada::Usada => Some(ApiError::conflict(
            "entrada-usada",
            format!("La entrada {} ya se usó: no se puede {que}", e.codigo),
        )),
        EstadoEntrada::Anulada => Some(ApiError::conflict(
            "entrada-anulada",
            format!("La entrada {} ya está anulada: no se puede {que}", e.codigo),
        )),
        EstadoEntrada::Valida => match r.estado {
            Estado::Confirmada => None,
            Estado::Cancelando | Estado::Cancelada => Some(ApiError::conflict(
                "entrada-anulada",
                format!(
                    "La reserva de la entrada {} se está cancelando: no se puede {que}",
                    e.codigo
                ),
            )),
            Estado::EnCurso | Estado::Fallida => Some(ApiError::conflict(
                "reserva-en-curso",
                "La reserva aún no está confirmada",
            )),
        },
    }
}

/// Cancels ticket `codigo` (canonical) of `r`, as the caller just read it (and may).
/// 409 when the ticket is USADA or ANULADA, or the event already happened; 404 when
/// the reservation has no such ticket.
pub async fn cancelar(
    deps: &Deps,
    mut r: Reserva,
    codigo: &str,
    corr: &str,
) -> Result<EntradaCancelada, ApiError> {
    let mut evento_visto = false;
    for intento in 0..INTENTOS {
        if intento > 0 {
            esperar(intento).await;
            r = releer(deps, &r.id).await?;
        }
        let e = r
            .entradas
            .iter()
            .find(|e| e.codigo == codigo)
            .cloned()
            .ok_or_else(|| no_existe(codigo))?;
        if let Some(no) = no_disponible(&r, &e, "cancelar") {
            return Err(no);
        }
        if !evento_visto {
            let evento = deps
                .eventos
                .obtener(&r.evento_id, corr)
                .await
                .map_err(|e| dependencia(e, "El evento"))?;
            if evento.fecha <= Utc::now() {
                return Err(ApiError::conflict(
                    "evento-finalizado",
                    "El evento ya ocurrió; la entrada no se puede cancelar",
                ));
            }
            evento_visto = true;
        }
        let monto = r.precio_unitario.ok_or_else(|| {
            ApiError::internal(format!("confirmed reservation {} has no price", r.id))
        })?;
        r.registrar(Suceso::CancelacionEntradaSolicitada {
            codigo: codigo.to_owned(),
            monto,
            correlation_id: corr.to_owned(),
        });
        if r.entradas_vigentes() == 1 {
            // The last ticket that lets anyone in: the reservation goes with it, by the
            // whole cancellation's steps (refund the rest, return the rest, CANCELADA).
            r.estado = Estado::Cancelando;
            r.registrar(Suceso::CancelacionSolicitada {
                correlation_id: corr.to_owned(),
            });
            if deps.reservas.guardar(&mut r).await? {
                let r = super::cancelacion::completar(deps, r).await?;
                let reembolsado = ultimo_monto(&r, TipoSuceso::PagoReembolsado, None);
                return terminada(r, codigo, reembolsado);
            }
            continue;
        }
        if let Some(t) = r.entradas.iter_mut().find(|e| e.codigo == codigo) {
            t.anular(MotivoAnulacion::Cancelada);
        }
        r.anulaciones.push(AnulacionEntrada {
            codigo: codigo.to_owned(),
            zona: e.zona.clone(),
            monto,
            correlation_id: corr.to_owned(),
            desde: eventflow_shared::now(),
        });
        r.lease = Some(Lease {
            instancia: deps.instancia.clone(),
            hasta: eventflow_shared::now()
                + chrono::Duration::from_std(deps.lock_ttl).unwrap_or_default(),
        });
        if deps.reservas.guardar(&mut r).await? {
            let r = completar(deps, r, codigo).await?;
            let reembolsado = ultimo_monto(&r, TipoSuceso::EntradaReembolsada, Some(codigo));
            return terminada(r, codigo, reembolsado);
        }
        // Someone else wrote it between our read and write: look again.
    }
    Err(ApiError::conflict(
        "reserva-modificada",
        "La reserva cambió mientras se cancelaba la entrada; intente de nuevo",
    ))
}

fn terminada(r: Reserva, codigo: &str, reembolsado: i64) -> Result<EntradaCancelada, ApiError> {
    let entrada = r
        .entradas
        .iter()
        .find(|e| e.codigo == codigo)
        .cloned()
        .ok_or_else(|| no_existe(codigo))?;
    Ok(EntradaCancelada {
        reserva: r,
        entrada,
        reembolsado,
    })
}

/// The amount of the last log entry of kind `tipo` (about ticket `codigo`, if given).
fn ultimo_monto(r: &Reserva, tipo: TipoSuceso, codigo: Option<&str>) -> i64 {
    r.eventos
        .iter()
        .rev()
        .find(|e| e.tipo == tipo.as_str() && codigo.is_none_or(|c| e.datos["codigo"] == c))
        .and_then(|e| e.datos["monto"].as_i64())
        .unwrap_or(0)
}

/// Settles ticket `codigo` and writes it, reading again while other writers win.
/// Returns the reservation as written (or as another writer that settled it left it).
pub async fn completar(deps: &Deps, mut r: Reserva, codigo: &str) -> Result<Reserva, ApiError> {
    let mut saldo = Saldo::default();
    for intento in 0..INTENTOS {
        if intento > 0 {
            esperar(intento).await;
            r = releer(deps, &r.id).await?;
        }
        if !r.anulaciones.iter().any(|a| a.codigo == codigo) {
            return Ok(r);
        }
        saldar(deps, &mut r, codigo, &mut saldo).await?;
        if r.anulaciones.is_empty() && r.estado.terminal() {
            r.lease = None;
        }
        if deps.reservas.guardar(&mut r).await? {
            return Ok(r);
        }
    }
    Err(ApiError::unavailable(
        "reservas",
        "La reserva cambió muchas veces mientras se completaba la cancelación de la entrada; se completará sola",
    ))
}

/// Recovery of a reservation with tickets cancelled alone and not settled: claims it
/// (the lease, as recovery claims any reservation) and settles each. `None` when it was
/// not this instance's to recover.
pub async fn recuperar(deps: &Deps, mut r: Reserva) -> Result<Option<Estado>, ApiError> {
    let ahora = eventflow_shared::now();
    if r.anulaciones.is_empty() || !r.libre_para(&deps.instancia, ahora) {
        return Ok(None);
    }
    r.lease = Some(Lease {
        instancia: deps.instancia.clone(),
        hasta: ahora + chrono::Duration::from_std(deps.lock_ttl).unwrap_or_default(),
    });
    r.registrar(Suceso::RecuperacionIniciada {
        instancia: deps.instancia.to_string(),
        progreso: r.progreso,
        estado: r.estado,
    });
    if !deps.reservas.guardar(&mut r).await? {
        return Ok(None);
    }
    let codigos: Vec<String> = r.anulaciones.iter().map(|a| a.codigo.clone()).collect();
    for codigo in codigos {
        r = completar(deps, r, &codigo).await?;
    }
    Ok(Some(r.estado))
}
