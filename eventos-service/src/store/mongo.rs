//! MongoDB eventos store. Every inventory change is one conditional single-document
//! update, so it is atomic and correct on a standalone mongod without transactions.
//!
//! Layout: zone `k` keeps its counters at `inventario.z{k}`; holds and sales are maps
//! keyed by reservation id (a checked safe id, so it is a valid field name).

use std::collections::BTreeMap;

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use eventflow_shared::bus::Pendiente;
use eventflow_shared::mongo::{is_duplicate_key, is_unavailable};
use eventflow_shared::outbox::FuenteOutbox;
use futures::TryStreamExt;
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};

use super::{EventoStore, Pagina, StoreError};
use crate::domain::{
    CambiosEvento, Confirmacion, Devolucion, Evento, FiltroEventos, Liberacion, Retencion,
    Retenida, Venta, Zona,
};

#[derive(Debug, Serialize, Deserialize)]
struct ZonaDoc {
    nombre: String,
    precio: i64,
    capacidad: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ContadoresDoc {
    disponibles: i64,
    vendidas: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct RetencionDoc {
    zona: i64,
    cantidad: i64,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creada_en: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct VentaDoc {
    zona: i64,
    cantidad: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct EventoDoc {
    #[serde(rename = "_id")]
    id: String,
    nombre: String,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    fecha: DateTime<Utc>,
    lugar: String,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creado_en: DateTime<Utc>,
    zonas: Vec<ZonaDoc>,
    inventario: BTreeMap<String, ContadoresDoc>,
    /// Sum of the zones' `disponibles`, kept by the same `$inc`s, so the list and
    /// the seed's clients can read it without adding up zones.
    entradas_disponibles: i64,
    #[serde(default)]
    retenciones: BTreeMap<String, RetencionDoc>,
    #[serde(default)]
    ventas: BTreeMap<String, VentaDoc>,
    /// Messages stored in the same write as the change that caused them.
    #[serde(default)]
    outbox: Vec<Pendiente>,
}

fn zk(k: usize) -> String {
    format!("z{k}")
}

impl From<&Evento> for EventoDoc {
    fn from(e: &Evento) -> Self {
        Self {
            id: e.id.clone(),
            nombre: e.nombre.clone(),
            fecha: e.fecha,
            lugar: e.lugar.clone(),
            creado_en: e.creado_en,
            zonas: e
                .zonas
                .iter()
                .map(|z| ZonaDoc {
                    nombre: z.nombre.clone(),
                    precio: z.precio,
                    capacidad: z.capacidad.into(),
                })
                .collect(),
            inventario: e
                .zonas
                .iter()
                .enumerate()
                .map(|(k, z)| {
                    (
                        zk(k),
                        ContadoresDoc {
                            disponibles: z.disponibles.into(),
                            vendidas: z.vendidas.into(),
                        },
                    )
                })
                .collect(),
            entradas_disponibles: e.entradas_disponibles().into(),
            retenciones: e
                .retenciones
                .iter()
                .map(|(rid, r)| {
                    (
                        rid.clone(),
                        RetencionDoc {
                            zona: r.zona as i64,
                            cantidad: r.cantidad.into(),
                            creada_en: r.creada_en,
                        },
                    )
                })
                .collect(),
            ventas: e
                .ventas
                .iter()
                .map(|(rid, v)| {
                    (
                        rid.clone(),
                        VentaDoc {
                            zona: v.zona as i64,
                            cantidad: v.cantidad.into(),
                        },
                    )
                })
                .collect(),
            outbox: e.outbox.clone(),
        }
    }
}

fn n32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

impl From<EventoDoc> for Evento {
    fn from(d: EventoDoc) -> Self {
        let zonas = d
            .zonas
            .into_iter()
            .enumerate()
            .map(|(k, z)| {
                let c = d.inventario.get(&zk(k));
                Zona {
                    nombre: z.nombre,
                    precio: z.precio,
                    capacidad: n32(z.capacidad),
                    disponibles: c.map_or(0, |c| n32(c.disponibles)),
                    vendidas: c.map_or(0, |c| n32(c.vendidas)),
                }
            })
            .collect();
        Evento {
            id: d.id,
            nombre: d.nombre,
            fecha: d.fecha,
            lugar: d.lugar,
            zonas,
            creado_en: d.creado_en,
            retenciones: d
                .retenciones
                .into_iter()
                .map(|(rid, r)| {
                    (
                        rid,
                        Retencion {
                            zona: r.zona as usize,
                            cantidad: n32(r.cantidad),
                            creada_en: r.creada_en,
                        },
                    )
                })
                .collect(),
            ventas: d
                .ventas
                .into_iter()
                .map(|(rid, v)| {
                    (
                        rid,
                        Venta {
                            zona: v.zona as usize,
                            cantidad: n32(v.cantidad),
                        },
                    )
                })
                .collect(),
            outbox: d.outbox,
        }
    }
}

fn map_err(e: mongodb::error::Error) -> StoreError {
    if is_unavailable(&e) {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Other(e.to_string())
    }
}

/// Reservation ids become field names; the HTTP layer only lets safe ids through, and
/// this keeps any other caller from turning one into a path or an operator.
fn check_rid(rid: &str) -> Result<(), StoreError> {
    eventflow_shared::safe_id("reserva_id", rid)
        .map(|_| ())
        .map_err(|_| StoreError::Other(format!("unsafe reservation id {rid:?}")))
}

pub struct MongoEventoStore {
    db: Database,
    col: Collection<EventoDoc>,
}

impl MongoEventoStore {
    pub async fn new(db: Database) -> anyhow::Result<Self> {
        let col = db.collection::<EventoDoc>("eventos");
        col.create_indexes([
            IndexModel::builder()
                .keys(doc! { "fecha": 1, "_id": 1 })
                .build(),
            IndexModel::builder()
                .keys(doc! { "lugar": 1, "fecha": 1 })
                .options(
                    IndexOptions::builder()
                        .name("lugar_fecha".to_owned())
                        .build(),
                )
                .build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating eventos indexes: {e}"))?;
        Ok(Self { db, col })
    }

    /// Applies `update` only while `guard` holds. Returns whether it did.
    async fn cas(
        &self,
        id: &str,
        mut guard: Document,
        update: Document,
    ) -> Result<bool, StoreError> {
        guard.insert("_id", id);
        let res = self.col.update_one(guard, update).await.map_err(map_err)?;
        Ok(res.modified_count == 1)
    }
}

#[async_trait]
impl EventoStore for MongoEventoStore {
    async fn insert(&self, e: &Evento) -> Result<(), StoreError> {
        match self.col.insert_one(EventoDoc::from(e)).await {
            Ok(_) => Ok(()),
            Err(err) if is_duplicate_key(&err) => Err(StoreError::Duplicate),
            Err(err) => Err(map_err(err)),
        }
    }

    async fn get(&self, id: &str) -> Result<Option<Evento>, StoreError> {
        Ok(self
            .col
            .find_one(doc! { "_id": id })
            .await
            .map_err(map_err)?
            .map(Evento::from))
    }

    async fn list(
        &self,
        filtro: &FiltroEventos,
        limit: u32,
        offset: u32,
    ) -> Result<Pagina, StoreError> {
        let mut filter = Document::new();
        let mut fecha = Document::new();
        if let Some(d) = filtro.desde {
            // Dates are stored in whole milliseconds: round a sub-millisecond lower bound
            // up, or an event just before it would match (the embedded store excludes it).
            let ms = d.timestamp_millis() + i64::from(d.timestamp_subsec_nanos() % 1_000_000 != 0);
            fecha.insert("$gte", bson::DateTime::from_millis(ms));
        }
        if let Some(h) = filtro.hasta {
            fecha.insert("$lte", bson::DateTime::from_chrono(h));
        }
        if !fecha.is_empty() {
            filter.insert("fecha", fecha);
        }
        if let Some(l) = &filtro.lugar {
            // A plain string value: user input never becomes an operator.
            filter.insert("lugar", Bson::String(l.clone()));
        }
        let total = self
            .col
            .count_documents(filter.clone())
            .await
            .map_err(map_err)?;
        let items: Vec<EventoDoc> = self
            .col
            .find(filter)
            .sort(doc! { "fecha": 1, "_id": 1 })
            .skip(u64::from(offset))
            .limit(i64::from(limit))
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        Ok(Pagina {
            items: items.into_iter().map(Evento::from).collect(),
            total,
        })
    }

    async fn update(
        &self,
        id: &str,
        cambios: &CambiosEvento,
    ) -> Result<Option<Evento>, StoreError> {
        let mut set = Document::new();
        if let Some(n) = &cambios.nombre {
            set.insert("nombre", n.as_str());
        }
        if let Some(f) = cambios.fecha {
            set.insert("fecha", bson::DateTime::from_chrono(f));
        }
        if let Some(l) = &cambios.lugar {
            set.insert("lugar", l.as_str());
        }
        if set.is_empty() {
            return self.get(id).await;
        }
        let found = self
            .col
            .find_one_and_update(doc! { "_id": id }, doc! { "$set": set })
            .return_document(ReturnDocument::After)
            .await
            .map_err(map_err)?;
        Ok(found.map(Evento::from))
    }

    async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: usize,
        cantidad: u32,
        ahora: DateTime<Utc>,
    ) -> Result<Option<Retenida>, StoreError> {
        check_rid(rid)?;
        let n = i64::from(cantidad);
        let disp = format!("inventario.{}.disponibles", zk(zona));
        // The whole guard is one filter: enough tickets, and this reservation holds and
        // bought nothing yet. Racing buyers serialise on the document; losers match nothing.
        let guard = doc! {
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
        if self.cas(id, guard, update).await? {
            return Ok(Some(Retenida::Si));
        }
        // Not applied: say why, from the current document.
        Ok(self.get(id).await?.map(|e| {
            if e.retenciones.contains_key(rid) {
                Retenida::YaRetenida
            } else if e.ventas.contains_key(rid) {
                Retenida::YaVendida
            } else {
                Retenida::Agotado {
                    disponibles: e.zonas.get(zona).map_or(0, |z| z.disponibles),
                }
            }
        }))
    }

    async fn confirmar(&self, id: &str, rid: &str) -> Result<Option<Confirmacion>, StoreError> {
        check_rid(rid)?;
        // Read the hold, then move it to sales only while it is exactly that hold: a
        // concurrent release makes the guard fail and the loop re-reads.
        for _ in 0..5 {
            let Some(e) = self.get(id).await? else {
                return Ok(None);
            };
            let Some(r) = e.retenciones.get(rid) else {
                return Ok(Some(if e.ventas.contains_key(rid) {
                    Confirmacion::YaConfirmada
                } else {
                    Confirmacion::SinRetencion
                }));
            };
            let (k, n) = (r.zona as i64, i64::from(r.cantidad));
            let guard = doc! { format!("retenciones.{rid}.zona"): k, format!("retenciones.{rid}.cantidad"): n };
            let update = doc! {
                "$unset": { format!("retenciones.{rid}"): "" },
                "$set": { format!("ventas.{rid}"): { "zona": k, "cantidad": n } },
                "$inc": { format!("inventario.{}.vendidas", zk(r.zona)): n },
            };
            if self.cas(id, guard, update).await? {
                return Ok(Some(Confirmacion::Confirmada));
            }
        }
        Err(StoreError::Other(format!(
            "confirming {rid} on {id} kept racing"
        )))
    }

    async fn liberar(&self, id: &str, rid: &str) -> Result<Option<Liberacion>, StoreError> {
        check_rid(rid)?;
        for _ in 0..5 {
            let Some(e) = self.get(id).await? else {
                return Ok(None);
            };
            let Some(r) = e.retenciones.get(rid) else {
                return Ok(Some(Liberacion::SinRetencion));
            };
            let (k, n) = (r.zona as i64, i64::from(r.cantidad));
            let guard = doc! { format!("retenciones.{rid}.zona"): k, format!("retenciones.{rid}.cantidad"): n };
            let update = doc! {
                "$unset": { format!("retenciones.{rid}"): "" },
                "$inc": { format!("inventario.{}.disponibles", zk(r.zona)): n, "entradas_disponibles": n },
            };
            if self.cas(id, guard, update).await? {
                return Ok(Some(Liberacion::Liberada));
            }
        }
        Err(StoreError::Other(format!(
            "releasing {rid} on {id} kept racing"
        )))
    }

    async fn devolver(&self, id: &str, rid: &str) -> Result<Option<Devolucion>, StoreError> {
        check_rid(rid)?;
        for _ in 0..5 {
            let Some(e) = self.get(id).await? else {
                return Ok(None);
            };
            let Some(v) = e.ventas.get(rid) else {
                return Ok(Some(Devolucion::SinVenta));
            };
            let (k, n) = (v.zona as i64, i64::from(v.cantidad));
            let guard =
                doc! { format!("ventas.{rid}.zona"): k, format!("ventas.{rid}.cantidad"): n };
            let update = doc! {
                "$unset": { format!("ventas.{rid}"): "" },
                "$inc": {
                    format!("inventario.{}.disponibles", zk(v.zona)): n,
                    format!("inventario.{}.vendidas", zk(v.zona)): -n,
                    "entradas_disponibles": n,
                },
            };
            if self.cas(id, guard, update).await? {
                return Ok(Some(Devolucion::Devuelta));
            }
        }
        Err(StoreError::Other(format!(
            "returning {rid} on {id} kept racing"
        )))
    }

    async fn retenciones_antiguas(
        &self,
        antes_de: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let docs: Vec<EventoDoc> = self
            .col
            .find(doc! { "retenciones": { "$exists": true, "$ne": {} } })
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        Ok(docs
            .into_iter()
            .flat_map(|d| {
                let id = d.id.clone();
                d.retenciones
                    .into_iter()
                    .filter(|(_, r)| r.creada_en < antes_de)
                    .map(move |(rid, _)| (id.clone(), rid))
            })
            .collect())
    }

    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> Result<(), String> {
        eventflow_shared::mongo::ping(&self.db).await
    }
}

#[async_trait]
impl FuenteOutbox for MongoEventoStore {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String> {
        let docs: Vec<EventoDoc> = self
            .col
            .find(doc! { "outbox.0": { "$exists": true } })
            .limit(limite as i64)
            .await
            .map_err(|e| e.to_string())?
            .try_collect()
            .await
            .map_err(|e| e.to_string())?;
        Ok(docs
            .into_iter()
            .flat_map(|d| {
                let id = d.id;
                d.outbox.into_iter().map(move |p| (id.clone(), p))
            })
            .collect())
    }

    async fn enviado(&self, dueno: &str, message_id: uuid::Uuid) -> Result<(), String> {
        self.col
            .update_one(
                doc! { "_id": dueno },
                doc! { "$pull": { "outbox": { "envelope.messageId": message_id.to_string() } } },
            )
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
