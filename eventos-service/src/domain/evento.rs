//! `Evento` with its zones and live inventory, as stored and as shown to buyers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use eventflow_shared::bus::Pendiente;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One priced area of a venue with its own capacity and counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Zona {
    #[schema(example = "Platea")]
    pub nombre: String,
    /// Price in minor units (céntimos): 15000 is 150.00.
    #[schema(example = 15000)]
    pub precio: i64,
    #[schema(example = 500)]
    pub capacidad: u32,
    /// Tickets that can still be bought: capacity minus sold minus held.
    #[schema(example = 480)]
    pub disponibles: u32,
    /// Tickets sold.
    #[schema(example = 15)]
    pub vendidas: u32,
}

impl Zona {
    /// Tickets held by checkouts still running: neither free nor sold.
    pub fn retenidas(&self) -> u32 {
        self.capacidad
            .saturating_sub(self.disponibles + self.vendidas)
    }
}

/// Tickets held for a reservation whose checkout is running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retencion {
    pub zona: usize,
    pub cantidad: u32,
    pub creada_en: DateTime<Utc>,
}

/// Tickets a reservation bought. Kept so confirming twice, or a recovery run asking
/// "was this sold?", gets a definite answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Venta {
    pub zona: usize,
    /// Tickets still sold: the sale's count less those given back one by one.
    pub cantidad: u32,
    /// Codes of the tickets given back one by one (`devolver_una`), so a retry of one
    /// of them returns nothing more.
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub devueltas: std::collections::BTreeSet<String>,
}

/// Index of the zone called `nombre` among `zonas` (case-insensitive, as buyers type it).
pub fn indice_de_zona<'a>(zonas: impl Iterator<Item = &'a str>, nombre: &str) -> Option<usize> {
    let wanted = nombre.trim().to_lowercase();
    zonas.into_iter().position(|z| z.to_lowercase() == wanted)
}

/// Tickets per buyer when the organizer does not say.
pub const MAX_POR_COMPRADOR_DEFECTO: u32 = 10;

/// An event with its inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct Evento {
    pub id: String,
    pub nombre: String,
    pub fecha: DateTime<Utc>,
    /// The venue's IANA time zone: local dates are read in it and responses show it.
    pub zona_horaria: Tz,
    pub lugar: String,
    pub zonas: Vec<Zona>,
    /// Tickets one buyer may hold across all their reservations for this event (the
    /// anti-scalping limit); the organizer sets it, [`MAX_POR_COMPRADOR_DEFECTO`] else.
    pub max_por_comprador: u32,
    /// The organizer account that owns it; `None` for events the platform admin created.
    /// Only its organizer (or the admin) may change it or see its sales.
    pub organizador_id: Option<String>,
    /// Whether its tickets may change hands (`POST /api/entradas/{codigo}/transferir`
    /// on reservas): the organizer decides, allowed unless forbidden.
    pub transferencias_permitidas: bool,
    pub creado_en: DateTime<Utc>,
    /// Active holds by reservation id.
    pub retenciones: BTreeMap<String, Retencion>,
    /// Sales by reservation id.
    pub ventas: BTreeMap<String, Venta>,
    /// Messages written with this event, waiting for the relay (the outbox).
    pub outbox: Vec<Pendiente>,
}

impl Evento {
    pub fn aforo_total(&self) -> u32 {
        self.zonas.iter().map(|z| z.capacidad).sum()
    }

    pub fn entradas_disponibles(&self) -> u32 {
        self.zonas.iter().map(|z| z.disponibles).sum()
    }

    /// Index of the zone called `nombre` (case-insensitive, as buyers type it).
    pub fn zona(&self, nombre: &str) -> Option<usize> {
        indice_de_zona(self.zonas.iter().map(|z| z.nombre.as_str()), nombre)
    }

    /// A copy without holds, sales and outbox: what buyers see. Cloning the maps would
    /// cost one entry per sale on every read.
    pub fn ficha(&self) -> Evento {
        Evento {
            id: self.id.clone(),
            nombre: self.nombre.clone(),
            fecha: self.fecha,
            zona_horaria: self.zona_horaria,
            lugar: self.lugar.clone(),
            zonas: self.zonas.clone(),
            max_por_comprador: self.max_por_comprador,
            organizador_id: self.organizador_id.clone(),
            transferencias_permitidas: self.transferencias_permitidas,
            creado_en: self.creado_en,
            retenciones: BTreeMap::new(),
            ventas: BTreeMap::new(),
            outbox: Vec::new(),
        }
    }

    /// Still on sale: the event has not started.
    pub fn en_venta(&self, ahora: DateTime<Utc>) -> bool {
        self.fecha > ahora
    }
}
