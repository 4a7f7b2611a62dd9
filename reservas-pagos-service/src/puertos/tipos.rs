//! What the ports speak: an event as the SAGA reads it, an event's holds and sales (for
//! reconciliation), and a charge's outcome.

use chrono::{DateTime, Utc};
use eventflow_shared::ids::ReservaId;
use serde::Deserialize;

use crate::store::Pago;

/// A buyer as usuarios answers for them: who, and whether the account signs in with a
/// password (then only its own session buys in its name, never a guest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comprador {
    pub id: eventflow_shared::ids::UsuarioId,
    pub tiene_password: bool,
}

/// What the SAGA reads of a zone: its name and price (both fixed once the event exists).
#[derive(Debug, Clone, Deserialize)]
pub struct ZonaRef {
    pub nombre: String,
    pub precio: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventoRef {
    pub id: String,
    /// For the buyer's calendar entry; absent only from a peer older than it.
    #[serde(default)]
    pub nombre: Option<String>,
    #[serde(default)]
    pub lugar: Option<String>,
    pub fecha: DateTime<Utc>,
    /// The venue's IANA time zone, for the tickets' PDF; absent from an older peer.
    #[serde(default)]
    pub zona_horaria: Option<String>,
    pub zonas: Vec<ZonaRef>,
    /// Tickets one buyer may have across their reservations for this event.
    #[serde(default = "max_defecto")]
    pub max_por_comprador: u32,
    /// The organizer account that owns the event (absent on events created with the
    /// platform admin's token): it may read and cancel the event's reservations.
    #[serde(default)]
    pub organizador_id: Option<String>,
}

fn max_defecto() -> u32 {
    10
}

/// Every sale and hold of an event, by reservation id (for the reconciliation).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Inventario {
    pub ventas: std::collections::BTreeMap<ReservaId, u32>,
    pub retenciones: std::collections::BTreeMap<ReservaId, RetencionRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RetencionRef {
    pub cantidad: u32,
    pub creada_en: DateTime<Utc>,
}

/// How a charge ended.
pub enum Cobro {
    /// The provider recorded a decision (approved or declined), now or on a previous try.
    Registrado(Pago),
    /// The provider failed before deciding; nothing was charged.
    ErrorProceso,
}

/// What eventos did with a hold request, parsed once in the eventos client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retencion {
    /// Held now.
    Retenida,
    /// An earlier try of this reservation had already held it.
    YaRetenida,
    /// An earlier try had already held and confirmed it.
    YaVendida,
    /// Not enough tickets: how many are left, and how many of those are held by others.
    Agotada { disponibles: u64, retenidas: u64 },
    /// The request arrived, or would have landed, after the caller stopped waiting
    /// (`X-Plazo-Ms`): eventos kept nothing.
    PlazoVencido,
}

/// What eventos did with a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confirmacion {
    Confirmada,
    YaConfirmada,
}

/// What eventos did when asked to release a hold, or return a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Liberacion {
    /// The hold went back on sale.
    Liberada,
    /// The hold had become a sale behind the caller's back, and was returned.
    Devuelta,
    /// Nothing was held or sold under this reservation (or it was already undone).
    SinRetencion,
    /// Nothing was sold under this reservation (or it was already returned).
    SinVenta,
}
