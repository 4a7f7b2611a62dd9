//! Handing one ticket to someone else (not a handler: one conditional write through the
//! SAGA's store port). In the same version-guarded write of its reservation the old
//! code becomes ANULADA (`transferida`), a new code is issued to the new holder, and the
//! message that tells them (with their own link) joins the outbox. The code is
//! re-issued, not the holder's name changed, so a screenshot of the old QR no longer
//! gets anyone in: the door refuses the old code and admits the new one.

use eventflow_shared::bus::{EntradaTransferida, Mensaje};
use eventflow_shared::secreto::Secreto;
use eventflow_shared::ApiError;

use super::cancelacion_entrada::{esperar, no_disponible, INTENTOS};
use crate::domain::{una_entrada, Entrada, MotivoAnulacion, Reserva, Suceso, Transferencia};
use crate::puertos::{dependencia, hasta_saber};
use crate::saga::Deps;

/// Who the ticket goes to, as checked where the request entered.
pub struct NuevoTitular {
    pub nombre: String,
    pub email: String,
}

/// The transfer as written: the reservation, the old ticket (ANULADA) and the new one,
/// and the new ticket's secret (shown once in the answer and sent to the new holder).
pub struct Transferida {
    pub reserva: Reserva,
    pub anterior: Entrada,
    pub nueva: Entrada,
    pub secreto: Secreto,
}

/// The link that opens ticket `codigo` for its holder.
pub fn enlace(codigo: &str, secreto: &Secreto) -> String {
    format!("/entradas/{codigo}?s={}", secreto.expose())
}

/// Transfers ticket `codigo` (canonical) of `r` to `a`. `clave` is the key tickets'
/// secrets derive from. 409 when the ticket is USADA or ANULADA, or the organizer
/// forbids transfers (`transferencias-no-permitidas`, asked now, never from a copy).
pub async fn transferir(
    deps: &Deps,
    mut r: Reserva,
    codigo: &str,
    a: &NuevoTitular,
    clave: &Secreto,
    corr: &str,
) -> Result<Transferida, ApiError> {
    let mut permitida = false;
    for intento in 0..INTENTOS {
        if intento > 0 {
            esperar(intento).await;
            r = deps
                .reservas
                .get(&r.id)
                .await?
                .ok_or_else(|| ApiError::not_found(format!("No existe la reserva {}", r.id)))?;
        }
        let anterior = r
            .entradas
            .iter()
            .find(|e| e.codigo == codigo)
            .cloned()
            .ok_or_else(|| ApiError::not_found(format!("No existe la entrada {codigo}")))?;
        if let Some(no) = no_disponible(&r, &anterior, "transferir") {
            return Err(no);
        }
        if !permitida {
            let evento = &r.evento_id;
            let si = hasta_saber(|| deps.eventos.transferencias_permitidas(evento, corr))
                .await
                .map_err(|e| dependencia(e, "El evento"))?;
            if !si {
                return Err(ApiError::conflict(
                    "transferencias-no-permitidas",
                    "El organizador de este evento no permite transferir entradas",
                ));
            }
            permitida = true;
        }
        let mut nueva = Entrada::nueva(anterior.zona.clone());
        nueva.titular = Some(a.nombre.clone());
        if let Some(e) = r.entradas.iter_mut().find(|e| e.codigo == codigo) {
            e.anular(MotivoAnulacion::Transferida);
        }
        r.entradas.push(nueva.clone());
        r.transferencias.push(Transferencia {
            anterior: codigo.to_owned(),
            nueva: nueva.codigo.clone(),
            nombre: a.nombre.clone(),
            email: a.email.clone(),
            en: eventflow_shared::now(),
        });
        r.registrar(Suceso::EntradaTransferida {
            anterior: codigo.to_owned(),
            nueva: nueva.codigo.clone(),
            titular: a.nombre.clone(),
            correlation_id: corr.to_owned(),
        });
        let secreto = una_entrada::secreto(clave, &nueva.codigo);
        let aviso = Mensaje::EntradaTransferida(EntradaTransferida {
            reserva_id: r.id.clone(),
            evento_id: r.evento_id.clone(),
            codigo: nueva.codigo.clone(),
            anterior: codigo.to_owned(),
            zona: nueva.zona.clone(),
            nombre: a.nombre.clone(),
            email: a.email.clone(),
            enlace: enlace(&nueva.codigo, &secreto),
        });
        r.outbox.push(aviso.pendiente(corr));
        if deps.reservas.guardar(&mut r).await? {
            deps.outbox.notify_one();
            let anterior = r
                .entradas
                .iter()
                .find(|e| e.codigo == codigo)
                .cloned()
                .unwrap_or(anterior);
            return Ok(Transferida {
                reserva: r,
                anterior,
                nueva,
                secreto,
            });
        }
        // Someone else wrote it between our read and write: look again.
    }
    Err(ApiError::conflict(
        "reserva-modificada",
        "La reserva cambió mientras se transfería la entrada; intente de nuevo",
    ))
}
