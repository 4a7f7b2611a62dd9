//! One reservation's view of an event's inventory (`VistaDoc`): how inventory calls
//! read it, and how they write while a hold is exactly what they read.

use std::collections::BTreeMap;

use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use mongodb::options::ReturnDocument;
use serde::Deserialize;

use super::comun::MongoEventoStore;
use super::documentos::{n32, venta_id, zk, ContadoresDoc, RetencionDoc, VentaDoc};
use crate::store::StoreError;
use eventflow_shared::mongo::store_error as map_err;

/// What an inventory call reads (`vista`): the counters, the capacities and this
/// reservation's own hold and sale, never the other reservations' entries. The event
/// document holds one entry per sale; decoding them all on every call made each sale
/// slower than the last.
#[derive(Debug, Default, Deserialize)]
pub(super) struct VistaDoc {
    #[serde(default)]
    pub(super) fecha: Option<bson::DateTime>,
    #[serde(default)]
    zonas: Vec<CapacidadDoc>,
    #[serde(default)]
    inventario: BTreeMap<String, ContadoresDoc>,
    #[serde(default)]
    entradas_disponibles: i64,
    #[serde(default)]
    pub(super) retenciones: BTreeMap<String, RetencionDoc>,
    #[serde(default)]
    pub(super) ventas: BTreeMap<String, VentaDoc>,
    #[serde(default)]
    devueltas: BTreeMap<String, bool>,
    /// The codes of this reservation's tickets given back one by one.
    #[serde(default)]
    pub(super) parciales: BTreeMap<String, Vec<String>>,
    /// This reservation's record in `ventas`, when `vista_de` was asked to look.
    #[serde(skip)]
    pub(super) archivada: Option<VentaDoc>,
}

#[derive(Debug, Deserialize)]
struct CapacidadDoc {
    capacidad: i64,
}

impl VistaDoc {
    /// Free tickets in zone `k`, or in the whole event when `k` is `None`.
    pub(super) fn disponibles(&self, k: Option<usize>) -> u32 {
        match k {
            Some(k) => self
                .inventario
                .get(&zk(k))
                .map_or(0, |c| n32(c.disponibles)),
            None => n32(self.entradas_disponibles),
        }
    }

    /// Tickets of zone `k` held by running checkouts.
    pub(super) fn retenidas(&self, k: usize) -> u32 {
        let capacidad = self.zonas.get(k).map_or(0, |z| z.capacidad);
        let c = self.inventario.get(&zk(k));
        let usadas = c.map_or(0, |c| c.disponibles + c.vendidas);
        n32(capacidad - usadas)
    }

    /// The zone of `rid`'s hold or sale, when it has one.
    pub(super) fn zona_de(&self, rid: &str) -> Option<usize> {
        self.retenciones
            .get(rid)
            .map(|r| r.zona)
            .or_else(|| self.ventas.get(rid).map(|v| v.zona))
            .or_else(|| self.archivada.as_ref().map(|v| v.zona))
            .map(|k| k as usize)
    }

    /// What the caller says `rid` holds (a hint): tried first, in a write guarded by
    /// exactly that hold, so the usual case needs no read. A wrong hint fails its guard.
    pub(super) fn presunta(rid: &str, zona: usize, cantidad: u32) -> Self {
        let mut v = Self::default();
        v.retenciones.insert(
            rid.to_owned(),
            RetencionDoc {
                zona: zona as i64,
                cantidad: cantidad.into(),
                creada_en: DateTime::<Utc>::MIN_UTC,
                vendida: false,
            },
        );
        v
    }
}

/// A write that applies only while exactly `k` tickets of `rid`'s sale were given back
/// one by one: the count every return reads and changes.
pub(super) fn guarda_parciales(rid: &str, k: usize) -> Document {
    let campo = format!("parciales.{rid}");
    if k == 0 {
        doc! { campo: { "$exists": false } }
    } else {
        doc! { campo: { "$size": k as i64 } }
    }
}

/// A write that applies only while `rid`'s hold is exactly `r`: same zone, same count,
/// same sold mark.
pub(super) fn guarda_retencion(rid: &str, r: &RetencionDoc) -> Document {
    let vendida = if r.vendida {
        Bson::Boolean(true)
    } else {
        Bson::Document(doc! { "$exists": false })
    };
    doc! {
        format!("retenciones.{rid}.zona"): r.zona,
        format!("retenciones.{rid}.cantidad"): r.cantidad,
        format!("retenciones.{rid}.vendida"): vendida,
    }
}

fn vista(rid: &str) -> Document {
    doc! {
        "_id": 0,
        "fecha": 1,
        "zonas.capacidad": 1,
        "inventario": 1,
        "entradas_disponibles": 1,
        format!("retenciones.{rid}"): 1,
        format!("ventas.{rid}"): 1,
        format!("devueltas.{rid}"): 1,
        format!("parciales.{rid}"): 1,
    }
}

impl MongoEventoStore {
    /// This reservation's view of the event (`vista`): one projected read; plus, when
    /// `archivo` and the document shows neither a hold nor a sale nor a return of `rid`,
    /// its record in `ventas` (only confirmations and returns need that second read).
    pub(super) async fn vista_de(
        &self,
        id: &str,
        rid: &str,
        archivo: bool,
    ) -> Result<Option<VistaDoc>, StoreError> {
        let Some(mut v) = self
            .col
            .clone_with_type::<VistaDoc>()
            .find_one(doc! { "_id": id })
            .projection(vista(rid))
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        let en_documento = v.retenciones.contains_key(rid)
            || v.ventas.contains_key(rid)
            || v.devueltas.contains_key(rid);
        if archivo && !en_documento {
            v.archivada = self
                .ventas
                .find_one(doc! { "_id": venta_id(id, rid) })
                .await
                .map_err(map_err)?
                .map(|a| VentaDoc {
                    zona: a.zona,
                    cantidad: a.cantidad,
                });
        }
        Ok(Some(v))
    }

    /// Applies `update` only while `guard` holds, and returns the view after it (`None`
    /// when the guard did not hold): the counters come from the write, not a second read.
    pub(super) async fn aplicar(
        &self,
        id: &str,
        rid: &str,
        mut guard: Document,
        update: Document,
    ) -> Result<Option<VistaDoc>, StoreError> {
        guard.insert("_id", id);
        self.col
            .clone_with_type::<VistaDoc>()
            .find_one_and_update(guard, update)
            .projection(vista(rid))
            .return_document(ReturnDocument::After)
            .await
            .map_err(map_err)
    }
}
