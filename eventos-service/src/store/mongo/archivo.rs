//! The sweeps over every event's holds: the archiver moves sold ones to `ventas`, and
//! the reaper lists the running ones that are too old.

use std::collections::BTreeMap;

use bson::{doc, Document};
use chrono::{DateTime, Utc};
use eventflow_shared::mongo::is_duplicate_key;
use futures::TryStreamExt;
use serde::Deserialize;

use super::comun::MongoEventoStore;
use super::documentos::{venta_id, RetencionDoc, VentaArchivadaDoc};
use super::vista::guarda_retencion;
use crate::store::StoreError;
use eventflow_shared::mongo::store_error as map_err;

/// The reaper's read: only the holds.
#[derive(Debug, Deserialize)]
struct RetencionesDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    retenciones: BTreeMap<String, RetencionDoc>,
    #[serde(default)]
    por_archivar: i64,
}

impl MongoEventoStore {
    /// Moves every sold hold of the events that have any to the `ventas` collection:
    /// per event, one unordered insert of the records (a record already there, from a
    /// run that stopped half-way, is fine) and one write that removes exactly those
    /// holds while each is still sold. Returns how many sales it moved.
    pub async fn archivar(&self) -> Result<usize, StoreError> {
        let docs: Vec<RetencionesDoc> = self
            .col
            .clone_with_type()
            .find(doc! { "por_archivar": { "$gt": 0 } })
            .projection(doc! { "retenciones": 1, "por_archivar": 1 })
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        let mut movidas = 0;
        for d in docs {
            let vendidas: Vec<_> = d.retenciones.iter().filter(|(_, r)| r.vendida).collect();
            if vendidas.is_empty() {
                // Nothing to move: put the count right, so the event is not read again.
                self.col
                    .update_one(
                        doc! { "_id": &d.id, "por_archivar": d.por_archivar },
                        doc! { "$set": { "por_archivar": 0 } },
                    )
                    .await
                    .map_err(map_err)?;
                continue;
            }
            let registros = vendidas.iter().map(|(rid, r)| VentaArchivadaDoc {
                id: venta_id(&d.id, rid),
                evento_id: d.id.clone(),
                reserva_id: (*rid).clone(),
                zona: r.zona,
                cantidad: r.cantidad,
            });
            match self.ventas.insert_many(registros).ordered(false).await {
                Ok(_) => {}
                Err(e) if is_duplicate_key(&e) => {}
                Err(e) => return Err(map_err(e)),
            }
            let mut guard = doc! { "_id": &d.id };
            let mut unset = Document::new();
            for (rid, r) in &vendidas {
                guard.extend(guarda_retencion(rid, r));
                unset.insert(format!("retenciones.{rid}"), "");
                // A tombstone of an earlier sale under this id no longer applies.
                unset.insert(format!("devueltas.{rid}"), "");
            }
            let n = vendidas.len() as i64;
            let res = self
                .col
                .update_one(
                    guard,
                    doc! { "$unset": unset, "$inc": { "por_archivar": -n } },
                )
                .await
                .map_err(map_err)?;
            // A sale returned meanwhile fails the guard: the next run moves the rest.
            if res.matched_count == 1 {
                movidas += vendidas.len();
            }
        }
        Ok(movidas)
    }
}

pub(super) async fn retenciones_antiguas(
    store: &MongoEventoStore,
    antes_de: DateTime<Utc>,
) -> Result<Vec<(String, String)>, StoreError> {
    let docs: Vec<RetencionesDoc> = store
        .col
        .clone_with_type()
        .find(doc! { "retenciones": { "$exists": true, "$ne": {} } })
        .projection(doc! { "retenciones": 1 })
        .await
        .map_err(map_err)?
        .try_collect()
        .await
        .map_err(map_err)?;
    Ok(docs
        .into_iter()
        .flat_map(|d| {
            let id = d.id.clone();
            // A sold hold is the archiver's, never released.
            d.retenciones
                .into_iter()
                .filter(|(_, r)| r.creada_en < antes_de && !r.vendida)
                .map(move |(rid, _)| (id.clone(), rid))
        })
        .collect())
}
