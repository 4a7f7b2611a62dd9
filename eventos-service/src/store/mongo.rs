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
use eventflow_shared::mongo::is_duplicate_key;
use eventflow_shared::outbox::mongo::MongoOutbox;
use eventflow_shared::outbox::FuenteOutbox;
use futures::TryStreamExt;
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};

use super::{EventoStore, Pagina, StoreError, EVENTO_DUPLICADO};
use crate::domain::{
    CambiosEvento, Confirmacion, Devolucion, Efecto, Evento, FiltroEventos, Liberacion, Retencion,
    Retenida, Venta, Zona,
};
use eventflow_shared::mongo::pagina;
use eventflow_shared::mongo::store_error as map_err;

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
    /// IANA name; events stored before zones existed read as `America/Lima`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zona_horaria: Option<String>,
    lugar: String,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creado_en: DateTime<Utc>,
    zonas: Vec<ZonaDoc>,
    /// Events stored before the limit existed read as the default.
    #[serde(default = "max_defecto")]
    max_por_comprador: i64,
    /// Absent on events created by the platform admin (and before organizers existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    organizador_id: Option<String>,
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
    /// How many of them wait: `eventflow_shared::outbox::mongo::CONTADOR`, indexed.
    #[serde(default)]
    outbox_pendientes: i64,
}

/// What an inventory call reads (`vista`): the counters, the capacities and this
/// reservation's own hold and sale, never the other reservations' entries. The event
/// document holds one entry per sale; decoding them all on every call made each sale
/// slower than the last.
#[derive(Debug, Deserialize)]
struct VistaDoc {
    #[serde(default)]
    zonas: Vec<CapacidadDoc>,
    #[serde(default)]
    inventario: BTreeMap<String, ContadoresDoc>,
    #[serde(default)]
    entradas_disponibles: i64,
    #[serde(default)]
    retenciones: BTreeMap<String, RetencionDoc>,
    #[serde(default)]
    ventas: BTreeMap<String, VentaDoc>,
}

#[derive(Debug, Deserialize)]
struct CapacidadDoc {
    capacidad: i64,
}

impl VistaDoc {
    /// Free tickets in zone `k`, or in the whole event when `k` is `None`.
    fn disponibles(&self, k: Option<usize>) -> u32 {
        match k {
            Some(k) => self
                .inventario
                .get(&zk(k))
                .map_or(0, |c| n32(c.disponibles)),
            None => n32(self.entradas_disponibles),
        }
    }

    /// Tickets of zone `k` held by running checkouts.
    fn retenidas(&self, k: usize) -> u32 {
        let capacidad = self.zonas.get(k).map_or(0, |z| z.capacidad);
        let c = self.inventario.get(&zk(k));
        let usadas = c.map_or(0, |c| c.disponibles + c.vendidas);
        n32(capacidad - usadas)
    }

    /// The zone of `rid`'s hold or sale, when it has one.
    fn zona_de(&self, rid: &str) -> Option<usize> {
        self.retenciones
            .get(rid)
            .map(|r| r.zona)
            .or_else(|| self.ventas.get(rid).map(|v| v.zona))
            .map(|k| k as usize)
    }
}

fn vista(rid: &str) -> Document {
    doc! {
        "_id": 0,
        "zonas.capacidad": 1,
        "inventario": 1,
        "entradas_disponibles": 1,
        format!("retenciones.{rid}"): 1,
        format!("ventas.{rid}"): 1,
    }
}

/// The reaper's read: only the holds.
#[derive(Debug, Deserialize)]
struct RetencionesDoc {
    #[serde(rename = "_id")]
    id: String,
    #[serde(default)]
    retenciones: BTreeMap<String, RetencionDoc>,
}

/// The event as buyers see it: without holds, sales and outbox.
fn sin_mapas() -> Document {
    doc! { "retenciones": 0, "ventas": 0, "outbox": 0, "outbox_pendientes": 0 }
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
            zona_horaria: Some(e.zona_horaria.name().to_owned()),
            lugar: e.lugar.clone(),
            creado_en: e.creado_en,
            max_por_comprador: e.max_por_comprador.into(),
            organizador_id: e.organizador_id.clone(),
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
            outbox_pendientes: e.outbox.len() as i64,
        }
    }
}

fn max_defecto() -> i64 {
    crate::domain::MAX_POR_COMPRADOR_DEFECTO.into()
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
            zona_horaria: d
                .zona_horaria
                .and_then(|z| z.parse().ok())
                .unwrap_or(crate::domain::fecha::ZONA_DEFECTO),
            lugar: d.lugar,
            zonas,
            max_por_comprador: n32(d.max_por_comprador),
            organizador_id: d.organizador_id,
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
    outbox: MongoOutbox,
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
            // An organizer's own events, by date: its dashboard's list.
            IndexModel::builder()
                .keys(doc! { "organizador_id": 1, "fecha": 1 })
                .options(
                    IndexOptions::builder()
                        .name("organizador_fecha".to_owned())
                        .build(),
                )
                .build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating eventos indexes: {e}"))?;
        let outbox = MongoOutbox::new(col.clone_with_type(), "outbox").await?;
        Ok(Self { db, col, outbox })
    }

    /// This reservation's view of the event (`vista`): one projected read.
    async fn vista_de(&self, id: &str, rid: &str) -> Result<Option<VistaDoc>, StoreError> {
        self.col
            .clone_with_type::<VistaDoc>()
            .find_one(doc! { "_id": id })
            .projection(vista(rid))
            .await
            .map_err(map_err)
    }

    /// Applies `update` only while `guard` holds, and returns the view after it (`None`
    /// when the guard did not hold): the counters come from the write, not a second read.
    async fn aplicar(
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

    /// Confirm, release and return: read this reservation's entry, let `plan` decide, and
    /// remove the entry (with the plan's other changes) only while it is exactly what was
    /// read. A concurrent change to that entry makes the guard fail and the loop read again.
    async fn mover<T>(
        &self,
        id: &str,
        rid: &str,
        que: &str,
        plan: impl Fn(&VistaDoc) -> Paso<T>,
    ) -> Result<Option<Efecto<T>>, StoreError> {
        check_rid(rid)?;
        for _ in 0..5 {
            let Some(v) = self.vista_de(id, rid).await? else {
                return Ok(None);
            };
            let (campo, zona, cantidad, mut update, resultado) = match plan(&v) {
                Paso::Listo(resultado) => {
                    return Ok(Some(Efecto {
                        disponibles: v.disponibles(v.zona_de(rid)),
                        resultado,
                    }))
                }
                Paso::Quitar {
                    campo,
                    zona,
                    cantidad,
                    cambios,
                    hecho,
                } => (campo, zona, cantidad, cambios, hecho),
            };
            let guard = doc! {
                format!("{campo}.zona"): zona,
                format!("{campo}.cantidad"): cantidad,
            };
            update.insert("$unset", doc! { campo.as_str(): "" });
            if let Some(v) = self.aplicar(id, rid, guard, update).await? {
                return Ok(Some(Efecto {
                    disponibles: v.disponibles(Some(zona as usize)),
                    resultado,
                }));
            }
        }
        Err(StoreError::Other(format!(
            "{que} {rid} on {id} kept racing"
        )))
    }
}

/// What `mover`'s plan decided from the current entry.
enum Paso<T> {
    /// Nothing to change: answer this.
    Listo(T),
    /// Remove the entry at `campo` (zone `zona`, `cantidad` tickets) while it is still
    /// exactly that, applying `cambios` in the same write; then answer `hecho`.
    Quitar {
        campo: String,
        zona: i64,
        cantidad: i64,
        cambios: Document,
        hecho: T,
    },
}

#[async_trait]
impl EventoStore for MongoEventoStore {
    async fn insert(&self, e: &Evento) -> Result<(), StoreError> {
        match self.col.insert_one(EventoDoc::from(e)).await {
            Ok(_) => Ok(()),
            Err(err) if is_duplicate_key(&err) => Err(StoreError::Duplicate(EVENTO_DUPLICADO)),
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

    async fn ficha(&self, id: &str) -> Result<Option<Evento>, StoreError> {
        Ok(self
            .col
            .find_one(doc! { "_id": id })
            .projection(sin_mapas())
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
        if let Some(o) = &filtro.organizador_id {
            filter.insert("organizador_id", Bson::String(o.clone()));
        }
        let orden = doc! { "fecha": 1, "_id": 1 };
        let (items, total) =
            pagina(&self.col, filter, orden, Some(sin_mapas()), limit, offset).await?;
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
        if let Some(z) = cambios.zona_horaria {
            set.insert("zona_horaria", z.name());
        }
        if let Some(f) = cambios.fecha {
            set.insert("fecha", bson::DateTime::from_chrono(f));
        }
        if let Some(l) = &cambios.lugar {
            set.insert("lugar", l.as_str());
        }
        if let Some(m) = cambios.max_por_comprador {
            set.insert("max_por_comprador", i64::from(m));
        }
        if set.is_empty() {
            return self.ficha(id).await;
        }
        let found = self
            .col
            .find_one_and_update(doc! { "_id": id }, doc! { "$set": set })
            .projection(sin_mapas())
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
    ) -> Result<Option<Efecto<Retenida>>, StoreError> {
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
        // A failed guard is explained by a read that comes after it. If a release landed
        // in between, that read shows enough tickets: try again rather than tell a buyer
        // "sold out" while tickets are free (the flash-sale bench caught exactly that).
        for _ in 0..10 {
            if let Some(v) = self.aplicar(id, rid, guard.clone(), update.clone()).await? {
                return Ok(Some(Efecto {
                    resultado: Retenida::Si,
                    disponibles: v.disponibles(Some(zona)),
                }));
            }
            let Some(v) = self.vista_de(id, rid).await? else {
                return Ok(None);
            };
            let disponibles = v.disponibles(Some(zona));
            let resultado = if v.retenciones.contains_key(rid) {
                Retenida::YaRetenida
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

    async fn confirmar(
        &self,
        id: &str,
        rid: &str,
    ) -> Result<Option<Efecto<Confirmacion>>, StoreError> {
        // Move the hold to sales only while it is exactly the hold that was read.
        self.mover(id, rid, "confirming", |v| match v.retenciones.get(rid) {
            None if v.ventas.contains_key(rid) => Paso::Listo(Confirmacion::YaConfirmada),
            None => Paso::Listo(Confirmacion::SinRetencion),
            Some(r) => Paso::Quitar {
                campo: format!("retenciones.{rid}"),
                zona: r.zona,
                cantidad: r.cantidad,
                cambios: doc! {
                    "$set": { format!("ventas.{rid}"): { "zona": r.zona, "cantidad": r.cantidad } },
                    "$inc": { format!("inventario.{}.vendidas", zk(r.zona as usize)): r.cantidad },
                },
                hecho: Confirmacion::Confirmada,
            },
        })
        .await
    }

    async fn liberar(&self, id: &str, rid: &str) -> Result<Option<Efecto<Liberacion>>, StoreError> {
        self.mover(id, rid, "releasing", |v| match v.retenciones.get(rid) {
            None => Paso::Listo(Liberacion::SinRetencion),
            Some(r) => Paso::Quitar {
                campo: format!("retenciones.{rid}"),
                zona: r.zona,
                cantidad: r.cantidad,
                cambios: doc! {
                    "$inc": {
                        format!("inventario.{}.disponibles", zk(r.zona as usize)): r.cantidad,
                        "entradas_disponibles": r.cantidad,
                    },
                },
                hecho: Liberacion::Liberada,
            },
        })
        .await
    }

    async fn devolver(
        &self,
        id: &str,
        rid: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError> {
        self.mover(id, rid, "returning", |v| match v.ventas.get(rid) {
            None => Paso::Listo(Devolucion::SinVenta),
            Some(s) => Paso::Quitar {
                campo: format!("ventas.{rid}"),
                zona: s.zona,
                cantidad: s.cantidad,
                cambios: doc! {
                    "$inc": {
                        format!("inventario.{}.disponibles", zk(s.zona as usize)): s.cantidad,
                        format!("inventario.{}.vendidas", zk(s.zona as usize)): -s.cantidad,
                        "entradas_disponibles": s.cantidad,
                    },
                },
                hecho: Devolucion::Devuelta,
            },
        })
        .await
    }

    async fn retenciones_antiguas(
        &self,
        antes_de: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let docs: Vec<RetencionesDoc> = self
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
        self.outbox.pendientes(limite).await
    }

    async fn enviado(&self, dueno: &str, message_id: uuid::Uuid) -> Result<(), String> {
        self.outbox.enviado(dueno, message_id).await
    }
}
