//! MongoDB eventos store. Every inventory change is one conditional single-document
//! update, so it is atomic and correct on a standalone mongod without transactions.
//!
//! Layout: zone `k` keeps its counters at `inventario.z{k}`; running holds are a map
//! keyed by reservation id (a checked safe id, so it is a valid field name). Sales leave
//! the event document, so that it stays a few KiB whatever the capacity (every write
//! rewrites it): confirming marks the hold `vendida` in the same write as the counters
//! (the decision), and [`MongoEventoStore::archivar_ventas`] later moves sold holds, in
//! batches, to the `ventas` collection. A return records a tombstone (`devueltas`)
//! with its counter change, so a sale record outliving it is no longer a sale.
//! "Is it sold?" = a hold marked sold, an entry of the old `ventas` map (events stored
//! before this layout), or a record in `ventas` without a tombstone.

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
    /// Set by the confirmation: a sale waiting to be moved to the `ventas` collection.
    /// A release never takes it back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    vendida: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct VentaDoc {
    zona: i64,
    cantidad: i64,
}

/// One sale in the `ventas` collection, moved there from its event's document.
#[derive(Debug, Serialize, Deserialize)]
struct VentaArchivadaDoc {
    /// `{evento_id}/{reserva_id}`: one record per sale, so moving it twice is a no-op.
    #[serde(rename = "_id")]
    id: String,
    evento_id: String,
    reserva_id: String,
    zona: i64,
    cantidad: i64,
}

fn venta_id(id: &str, rid: &str) -> String {
    format!("{id}/{rid}")
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
    /// Sales of events stored before sales left the document (none are added).
    #[serde(default)]
    ventas: BTreeMap<String, VentaDoc>,
    /// Returned sales (tombstones), by reservation id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    devueltas: BTreeMap<String, bool>,
    /// Holds marked sold and not moved yet: what the archiver looks for (indexed).
    #[serde(default)]
    por_archivar: i64,
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
#[derive(Debug, Default, Deserialize)]
struct VistaDoc {
    #[serde(default)]
    fecha: Option<bson::DateTime>,
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
    #[serde(default)]
    devueltas: BTreeMap<String, bool>,
    /// This reservation's record in `ventas`, when `vista_de` was asked to look.
    #[serde(skip)]
    archivada: Option<VentaDoc>,
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
            .or_else(|| self.archivada.as_ref().map(|v| v.zona))
            .map(|k| k as usize)
    }

    /// What the caller says `rid` holds (a hint): tried first, in a write guarded by
    /// exactly that hold, so the usual case needs no read. A wrong hint fails its guard.
    fn presunta(rid: &str, zona: usize, cantidad: u32) -> Self {
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

/// A write that applies only while `rid`'s hold is exactly `r`: same zone, same count,
/// same sold mark.
fn guarda_retencion(rid: &str, r: &RetencionDoc) -> Document {
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

/// The counters of returning `n` sold tickets of zone `zona`.
fn devolucion(zona: i64, n: i64) -> Document {
    doc! {
        format!("inventario.{}.disponibles", zk(zona as usize)): n,
        format!("inventario.{}.vendidas", zk(zona as usize)): -n,
        "entradas_disponibles": n,
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
    }
}

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

/// The event as buyers see it: without holds, sales and outbox.
fn sin_mapas() -> Document {
    doc! {
        "retenciones": 0, "ventas": 0, "devueltas": 0, "por_archivar": 0,
        "outbox": 0, "outbox_pendientes": 0,
    }
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
                            vendida: false,
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
            devueltas: BTreeMap::new(),
            por_archivar: 0,
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
        // A hold marked sold is a sale that has not been moved yet.
        let (vendidas, retenciones): (Vec<_>, Vec<_>) =
            d.retenciones.into_iter().partition(|(_, r)| r.vendida);
        let ventas = d
            .ventas
            .into_iter()
            .chain(vendidas.into_iter().map(|(rid, r)| {
                (
                    rid,
                    VentaDoc {
                        zona: r.zona,
                        cantidad: r.cantidad,
                    },
                )
            }))
            .map(|(rid, v)| {
                (
                    rid,
                    Venta {
                        zona: v.zona as usize,
                        cantidad: n32(v.cantidad),
                    },
                )
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
            retenciones: retenciones
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
            ventas,
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
    /// Sales moved out of their event's document.
    ventas: Collection<VentaArchivadaDoc>,
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
            // The archiver's query: events with sold holds still in the document.
            IndexModel::builder()
                .keys(doc! { "por_archivar": 1 })
                .build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating eventos indexes: {e}"))?;
        let ventas = db.collection::<VentaArchivadaDoc>("ventas");
        ventas
            .create_index(IndexModel::builder().keys(doc! { "evento_id": 1 }).build())
            .await
            .map_err(|e| anyhow::anyhow!("creating ventas indexes: {e}"))?;
        let outbox = MongoOutbox::new(col.clone_with_type(), "outbox").await?;
        Ok(Self {
            db,
            col,
            ventas,
            outbox,
        })
    }

    /// This reservation's view of the event (`vista`): one projected read; plus, when
    /// `archivo` and the document shows neither a hold nor a sale nor a return of `rid`,
    /// its record in `ventas` (only confirmations and returns need that second read).
    async fn vista_de(
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
        let Some(mut d) = self
            .col
            .find_one(doc! { "_id": id })
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        let devueltas = std::mem::take(&mut d.devueltas);
        let mut evento = Evento::from(d);
        let archivadas: Vec<VentaArchivadaDoc> = self
            .ventas
            .find(doc! { "evento_id": id })
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        for a in archivadas {
            if !devueltas.contains_key(&a.reserva_id) {
                evento.ventas.entry(a.reserva_id).or_insert(Venta {
                    zona: a.zona as usize,
                    cantidad: n32(a.cantidad),
                });
            }
        }
        Ok(Some(evento))
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
            if let Some(v) = self.aplicar(id, rid, guard.clone(), update.clone()).await? {
                return Ok(Some(Efecto {
                    resultado: Retenida::Si,
                    disponibles: v.disponibles(Some(zona)),
                }));
            }
            let Some(v) = self.vista_de(id, rid, false).await? else {
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

    async fn confirmar(
        &self,
        id: &str,
        rid: &str,
        pista: Option<(usize, u32)>,
    ) -> Result<Option<Efecto<Confirmacion>>, StoreError> {
        // The decision is one write: mark the hold sold and count it, while the hold is
        // exactly the one decided on. The archiver moves it out of the document later.
        let presunta = pista.map(|(z, n)| VistaDoc::presunta(rid, z, n));
        self.mover(id, rid, "confirming", presunta, true, |v| {
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

    async fn liberar(&self, id: &str, rid: &str) -> Result<Option<Efecto<Liberacion>>, StoreError> {
        // A hold marked sold is a sale: only `devolver` undoes it.
        self.mover(id, rid, "releasing", None, false, |v| {
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

    async fn devolver(
        &self,
        id: &str,
        rid: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError> {
        let tumba = format!("devueltas.{rid}");
        self.mover(id, rid, "returning", None, true, |v| {
            if let Some(r) = v.retenciones.get(rid).filter(|r| r.vendida) {
                // Not moved yet. The tombstone covers a record the archiver may have
                // written just before this.
                let mut inc = devolucion(r.zona, r.cantidad);
                inc.insert("por_archivar", -1);
                Paso::Escribir {
                    guard: guarda_retencion(rid, r),
                    update: doc! {
                        "$unset": { format!("retenciones.{rid}"): "" },
                        "$set": { tumba.as_str(): true },
                        "$inc": inc,
                    },
                    zona: r.zona,
                    hecho: Devolucion::Devuelta,
                    borrar: false,
                }
            } else if let Some(s) = v.ventas.get(rid) {
                Paso::Escribir {
                    guard: doc! {
                        format!("ventas.{rid}.zona"): s.zona,
                        format!("ventas.{rid}.cantidad"): s.cantidad,
                    },
                    update: doc! {
                        "$unset": { format!("ventas.{rid}"): "" },
                        "$inc": devolucion(s.zona, s.cantidad),
                    },
                    zona: s.zona,
                    hecho: Devolucion::Devuelta,
                    borrar: false,
                }
            } else if let Some(s) = &v.archivada {
                Paso::Escribir {
                    guard: doc! { tumba.as_str(): { "$exists": false } },
                    update: doc! {
                        "$set": { tumba.as_str(): true },
                        "$inc": devolucion(s.zona, s.cantidad),
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

    async fn archivar_ventas(&self) -> Result<usize, StoreError> {
        self.archivar().await
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
                // A sold hold is the archiver's, never released.
                d.retenciones
                    .into_iter()
                    .filter(|(_, r)| r.creada_en < antes_de && !r.vendida)
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

    async fn enviados(&self, lista: &[(String, uuid::Uuid)]) -> Result<(), String> {
        self.outbox.enviados(lista).await
    }
}
