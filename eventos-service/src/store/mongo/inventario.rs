//! Inventory and sales: hold, confirm, release and return, each one guarded write on
//! the event's document that a race makes read again and retry.

use bson::{doc, Document};
use chrono::{DateTime, Utc};

use super::comun::{check_rid, MongoEventoStore};
use super::documentos::{venta_id, zk};
use super::vista::{guarda_parciales, guarda_retencion, VistaDoc};
use crate::domain::{Confirmacion, Devolucion, Efecto, Liberacion, Retenida};
use crate::store::StoreError;

/// The counters of returning `n` sold tickets of zone `zona`.
fn devolucion(zona: i64, n: i64) -> Document {
    doc! {
        format!("inventario.{}.disponibles", zk(zona as usize)): n,
        format!("inventario.{}.vendidas", zk(zona as usize)): -n,
        "entradas_disponibles": n,
    }
}

/// What `mover`'s plan decided from the current entries.
enum Paso<T> {
    /// Nothing to change: answer this.
    Listo(T),
    /// Apply `update` while `guard` holds; then answer `hecho` with the counters of
    /// zone `zona`, and delete the reservation's record in `ventas` when `borrar`.
    Escribir {
        guard: Document,
        update: Document,
        zona: i64,
        hecho: T,
        borrar: bool,
    },
}

impl MongoEventoStore {
    /// Confirm, release and return: let `plan` decide from this reservation's entries,
    /// and write only while they are exactly what it decided on. A concurrent change to
    /// them makes the guard fail and the loop read again. `presunta` (from a hint) is
    /// tried first without reading; only a write is ever based on it, never an answer.
    /// `archivo`: the plan looks at the sale's record in `ventas` (`vista_de`).
    async fn mover<T>(
        &self,
        id: &str,
        rid: &str,
        que: &str,
        presunta: Option<VistaDoc>,
        archivo: bool,
        plan: impl Fn(&VistaDoc) -> Paso<T>,
    ) -> Result<Option<Efecto<T>>, StoreError> {
        check_rid(rid)?;
        let mut presunta = presunta;
        for _ in 0..6 {
            let (v, supuesta) = match presunta.take() {
                Some(v) => (v, true),
                None => match self.vista_de(id, rid, archivo).await? {
                    Some(v) => (v, false),
                    None => return Ok(None),
                },
            };
            match plan(&v) {
                Paso::Listo(_) if supuesta => continue,
                Paso::Listo(resultado) => {
                    return Ok(Some(Efecto {
                        disponibles: v.disponibles(v.zona_de(rid)),
                        resultado,
                    }))
                }
                Paso::Escribir {
                    guard,
                    update,
                    zona,
                    hecho,
                    borrar,
                } => {
                    if let Some(despues) = self.aplicar(id, rid, guard, update).await? {
                        if borrar {
                            // The tombstone already makes it no sale; this only tidies.
                            if let Err(e) = self
                                .ventas
                                .delete_one(doc! { "_id": venta_id(id, rid) })
                                .await
                            {
                                tracing::warn!(evento_id = id, reserva_id = rid, error = %e, "could not delete a returned sale's record");
                            }
                        }
                        return Ok(Some(Efecto {
                            disponibles: despues.disponibles(Some(zona as usize)),
                            resultado: hecho,
                        }));
                    }
                }
            }
        }
        Err(StoreError::Other(format!(
            "{que} {rid} on {id} kept racing"
        )))
    }
}

pub(super) async fn retener(
    store: &MongoEventoStore,
    id: &str,
    rid: &str,
    zona: usize,
    cantidad: u32,
    ahora: DateTime<Utc>,
) -> Result<Option<Efecto<Retenida>>, StoreError> {
    check_rid(rid)?;
    let n = i64::from(cantidad);
    let disp = format!("inventario.{}.disponibles", zk(zona));
    // The whole guard is one filter: the event is on sale, enough tickets, and this
    // reservation holds and bought nothing yet. Racing buyers serialise on the
    // document; losers match nothing. (A sale already moved to `ventas` is not in
    // the guard: the SAGA holds only before it pays, and eventos refuses a hold
    // that arrives after its caller stopped waiting, `X-Plazo-Ms`.)
    let guard = doc! {
        "fecha": { "$gt": bson::DateTime::from_chrono(ahora) },
        disp.clone(): { "$gte": n },
        format!("retenciones.{rid}"): { "$exists": false },
        format!("ventas.{rid}"): { "$exists": false },
    };
    let update = doc! {
        "$inc": { disp: -n, "entradas_disponibles": -n },
        "$set": { format!("retenciones.{rid}"): {
            "zona": zona as i64, "cantidad": n, "creada_en": bson::DateTime::from_chrono(ahora),
        } },
    };
    // A failed guard is explained by a read that comes after it. If a release landed
    // in between, that read shows enough tickets: try again rather than tell a buyer
    // "sold out" while tickets are free (the flash-sale bench caught exactly that).
    for _ in 0..10 {
        if let Some(v) = store
            .aplicar(id, rid, guard.clone(), update.clone())
            .await?
        {
            return Ok(Some(Efecto {
                resultado: Retenida::Si,
                disponibles: v.disponibles(Some(zona)),
            }));
        }
        let Some(v) = store.vista_de(id, rid, false).await? else {
            return Ok(None);
        };
        let disponibles = v.disponibles(Some(zona));
        let resultado = if v.fecha.is_some_and(|f| f.to_chrono() <= ahora) {
            Retenida::FueraDeVenta
        } else if let Some(r) = v.retenciones.get(rid) {
            if r.vendida {
                Retenida::YaVendida
            } else {
                Retenida::YaRetenida
            }
        } else if v.ventas.contains_key(rid) {
            Retenida::YaVendida
        } else if disponibles < cantidad {
            Retenida::Agotado {
                disponibles,
                retenidas: v.retenidas(zona),
            }
        } else {
            continue;
        };
        return Ok(Some(Efecto {
            resultado,
            disponibles,
        }));
    }
    Err(StoreError::Other(format!(
        "holding {rid} on {id} kept racing"
    )))
}

pub(super) async fn confirmar(
    store: &MongoEventoStore,
    id: &str,
    rid: &str,
    pista: Option<(usize, u32)>,
) -> Result<Option<Efecto<Confirmacion>>, StoreError> {
    // The decision is one write: mark the hold sold and count it, while the hold is
    // exactly the one decided on. The archiver moves it out of the document later.
    let presunta = pista.map(|(z, n)| VistaDoc::presunta(rid, z, n));
    store
        .mover(id, rid, "confirming", presunta, true, |v| {
            match v.retenciones.get(rid) {
                Some(r) if r.vendida => Paso::Listo(Confirmacion::YaConfirmada),
                Some(r) => Paso::Escribir {
                    guard: guarda_retencion(rid, r),
                    update: doc! {
                        "$set": { format!("retenciones.{rid}.vendida"): true },
                        "$inc": {
                            format!("inventario.{}.vendidas", zk(r.zona as usize)): r.cantidad,
                            "por_archivar": 1,
                        },
                    },
                    zona: r.zona,
                    hecho: Confirmacion::Confirmada,
                    borrar: false,
                },
                None if v.ventas.contains_key(rid) || v.archivada.is_some() => {
                    Paso::Listo(Confirmacion::YaConfirmada)
                }
                None => Paso::Listo(Confirmacion::SinRetencion),
            }
        })
        .await
}

pub(super) async fn liberar(
    store: &MongoEventoStore,
    id: &str,
    rid: &str,
) -> Result<Option<Efecto<Liberacion>>, StoreError> {
    // A hold marked sold is a sale: only `devolver` undoes it.
    store
        .mover(id, rid, "releasing", None, false, |v| {
            match v.retenciones.get(rid) {
                Some(r) if !r.vendida => Paso::Escribir {
                    guard: guarda_retencion(rid, r),
                    update: doc! {
                        "$unset": { format!("retenciones.{rid}"): "" },
                        "$inc": {
                            format!("inventario.{}.disponibles", zk(r.zona as usize)): r.cantidad,
                            "entradas_disponibles": r.cantidad,
                        },
                    },
                    zona: r.zona,
                    hecho: Liberacion::Liberada,
                    borrar: false,
                },
                _ => Paso::Listo(Liberacion::SinRetencion),
            }
        })
        .await
}

pub(super) async fn devolver(
    store: &MongoEventoStore,
    id: &str,
    rid: &str,
) -> Result<Option<Efecto<Devolucion>>, StoreError> {
    let tumba = format!("devueltas.{rid}");
    let parciales = format!("parciales.{rid}");
    store
        .mover(id, rid, "returning", None, true, |v| {
            // Tickets given back one by one are no longer sold: only the rest return,
            // while that count is still the one read.
            let k = v.parciales.get(rid).map_or(0, Vec::len);
            let resto = |cantidad: i64| cantidad - k as i64;
            let mut guard = guarda_parciales(rid, k);
            if let Some(r) = v.retenciones.get(rid).filter(|r| r.vendida) {
                // Not moved yet. The tombstone covers a record the archiver may have
                // written just before this.
                let mut inc = devolucion(r.zona, resto(r.cantidad).max(0));
                inc.insert("por_archivar", -1);
                guard.extend(guarda_retencion(rid, r));
                Paso::Escribir {
                    guard,
                    update: doc! {
                        "$unset": { format!("retenciones.{rid}"): "", parciales.as_str(): "" },
                        "$set": { tumba.as_str(): true },
                        "$inc": inc,
                    },
                    zona: r.zona,
                    hecho: if resto(r.cantidad) > 0 {
                        Devolucion::Devuelta
                    } else {
                        Devolucion::SinVenta
                    },
                    borrar: false,
                }
            } else if let Some(s) = v.ventas.get(rid).filter(|s| resto(s.cantidad) > 0) {
                guard.extend(doc! {
                    format!("ventas.{rid}.zona"): s.zona,
                    format!("ventas.{rid}.cantidad"): s.cantidad,
                });
                Paso::Escribir {
                    guard,
                    update: doc! {
                        "$unset": { format!("ventas.{rid}"): "", parciales.as_str(): "" },
                        "$inc": devolucion(s.zona, resto(s.cantidad)),
                    },
                    zona: s.zona,
                    hecho: Devolucion::Devuelta,
                    borrar: false,
                }
            } else if let Some(s) = v.archivada.as_ref().filter(|s| resto(s.cantidad) > 0) {
                guard.insert(tumba.as_str(), doc! { "$exists": false });
                Paso::Escribir {
                    guard,
                    update: doc! {
                        "$set": { tumba.as_str(): true },
                        "$unset": { parciales.as_str(): "" },
                        "$inc": devolucion(s.zona, resto(s.cantidad)),
                    },
                    zona: s.zona,
                    hecho: Devolucion::Devuelta,
                    borrar: true,
                }
            } else {
                Paso::Listo(Devolucion::SinVenta)
            }
        })
        .await
}

pub(super) async fn devolver_una(
    store: &MongoEventoStore,
    id: &str,
    rid: &str,
    codigo: &str,
) -> Result<Option<Efecto<Devolucion>>, StoreError> {
    let parciales = format!("parciales.{rid}");
    store
        .mover(id, rid, "returning one ticket of", None, true, |v| {
            let dadas = v.parciales.get(rid).map(Vec::as_slice).unwrap_or_default();
            if dadas.iter().any(|c| c == codigo) {
                return Paso::Listo(Devolucion::SinVenta);
            }
            // The sale wherever it is now, with the guard that it is still there.
            let (zona, cantidad, mut guard) =
                if let Some(r) = v.retenciones.get(rid).filter(|r| r.vendida) {
                    (r.zona, r.cantidad, guarda_retencion(rid, r))
                } else if let Some(s) = v.ventas.get(rid) {
                    (
                        s.zona,
                        s.cantidad,
                        doc! {
                            format!("ventas.{rid}.zona"): s.zona,
                            format!("ventas.{rid}.cantidad"): s.cantidad,
                        },
                    )
                } else if let Some(s) = &v.archivada {
                    (
                        s.zona,
                        s.cantidad,
                        doc! { format!("devueltas.{rid}"): { "$exists": false } },
                    )
                } else {
                    return Paso::Listo(Devolucion::SinVenta);
                };
            if cantidad <= dadas.len() as i64 {
                return Paso::Listo(Devolucion::SinVenta);
            }
            // Exactly the count read: two codes given back at once cannot both take
            // the last seat of the sale.
            guard.extend(guarda_parciales(rid, dadas.len()));
            Paso::Escribir {
                guard,
                update: doc! {
                    "$push": { parciales.as_str(): codigo },
                    "$inc": devolucion(zona, 1),
                },
                zona,
                hecho: Devolucion::Devuelta,
                borrar: false,
            }
        })
        .await
}
