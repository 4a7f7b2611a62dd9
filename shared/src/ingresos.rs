//! Tickets at the door, as a contract between reservas-pagos (which owns tickets, their
//! signing keys and admissions) and eventos (where the organizer manages the event and
//! which asks reservas on their behalf): one typed shape for both ends, as `cuadre`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EstadoClave {
    /// Signs the tickets rendered now.
    Activa,
    /// Signs nothing new; the tickets it signed stay valid while it is listed.
    Retirada,
}

/// An event's public signing key: what a scanner needs to verify a ticket offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClavePublica {
    /// Named by each payload it signed.
    #[schema(example = "7K2QX9M4")]
    pub kid: String,
    /// Ed25519, 32 bytes in base64url without padding.
    #[schema(example = "m3y0o1Jc8Vb2s0q8WnKp0cQ5dF2E7Zr8a1bT6uHcYkA")]
    pub publica: String,
    pub estado: EstadoClave,
    pub creada_en: DateTime<Utc>,
}

/// `GET /api/eventos/{id}/claves`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClavesEvento {
    pub evento_id: String,
    /// Oldest first; exactly one `ACTIVA`.
    pub claves: Vec<ClavePublica>,
}

/// `POST /api/eventos/{id}/ingresos`: a scanned QR or a typed code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PedidoIngreso {
    /// The code as typed (spaces, dashes and case do not matter).
    #[serde(default)]
    #[schema(example = "7K2Q-X9M4-TB")]
    pub codigo: Option<String>,
    /// The QR's signed payload (`EF1.…`); checked against the event's keys.
    #[serde(default)]
    pub qr: Option<String>,
    #[serde(default)]
    #[schema(example = "Puerta 2")]
    pub puerta: Option<String>,
}

/// A ticket let in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Admision {
    /// Always `true` here; a refusal is a problem with `admitido: false`.
    pub admitido: bool,
    /// The ticket's code.
    #[schema(example = "7K2QX9M4TB")]
    pub entrada: String,
    pub zona: Option<String>,
    pub titular: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IngresosZona {
    pub zona: Option<String>,
    pub admitidas: u64,
    pub esperadas: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IngresosPuerta {
    /// `null`: admitted without naming a gate.
    pub puerta: Option<String>,
    pub admitidas: u64,
}

/// `GET /api/eventos/{id}/ingresos/resumen`: who is in, of those who may come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResumenIngresos {
    pub evento_id: String,
    /// Tickets used.
    pub admitidas: u64,
    /// Tickets that let someone in: valid or used (not annulled).
    pub esperadas: u64,
    pub por_zona: Vec<IngresosZona>,
    pub por_puerta: Vec<IngresosPuerta>,
}
