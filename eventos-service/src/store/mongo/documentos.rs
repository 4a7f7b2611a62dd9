//! The stored shapes: an event's document (with the counters, holds and old sales
//! it carries) and a sale's record in `ventas`, and their conversions to the domain.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use eventflow_shared::bus::Pendiente;
use serde::{Deserialize, Serialize};

use crate::domain::{Evento, Retencion, Venta, Zona};

#[derive(Debug, Serialize, Deserialize)]
struct ZonaDoc {
    nombre: String,
    precio: i64,
    capacidad: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ContadoresDoc {
    pub(super) disponibles: i64,
    pub(super) vendidas: i64,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct RetencionDoc {
    pub(super) zona: i64,
    pub(super) cantidad: i64,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    pub(super) creada_en: DateTime<Utc>,
    /// Set by the confirmation: a sale waiting to be moved to the `ventas` collection.
    /// A release never takes it back.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) vendida: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct VentaDoc {
    pub(super) zona: i64,
    pub(super) cantidad: i64,
}

/// One sale in the `ventas` collection, moved there from its event's document.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct VentaArchivadaDoc {
    /// `{evento_id}/{reserva_id}`: one record per sale, so moving it twice is a no-op.
    #[serde(rename = "_id")]
    pub(super) id: String,
    pub(super) evento_id: String,
    pub(super) reserva_id: String,
    pub(super) zona: i64,
    pub(super) cantidad: i64,
}

pub(super) fn venta_id(id: &str, rid: &str) -> String {
    format!("{id}/{rid}")
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct EventoDoc {
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
    /// Events stored before the setting existed allow transfers.
    #[serde(default = "si")]
    transferencias_permitidas: bool,
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
    pub(super) devueltas: BTreeMap<String, bool>,
    /// Tickets given back one by one, by reservation id: their codes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) parciales: BTreeMap<String, Vec<String>>,
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

pub(super) fn zk(k: usize) -> String {
    format!("z{k}")
}

pub(super) fn n32(v: i64) -> u32 {
    v.clamp(0, i64::from(u32::MAX)) as u32
}

fn si() -> bool {
    true
}

fn max_defecto() -> i64 {
    crate::domain::MAX_POR_COMPRADOR_DEFECTO.into()
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
            transferencias_permitidas: e.transferencias_permitidas,
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
            parciales: BTreeMap::new(),
            por_archivar: 0,
            outbox: e.outbox.clone(),
            outbox_pendientes: e.outbox.len() as i64,
        }
    }
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
                        devueltas: Default::default(),
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
            transferencias_permitidas: d.transferencias_permitidas,
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
