//! Response bodies and query parameters of the eventos API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::fecha::en_zona;
use crate::domain::{Evento, Zona};

/// An event as buyers see it: zones with price and live availability.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventoRespuesta {
    #[schema(example = "5b0c3f6e-8f0a-4b8e-9a3e-0c1d2e3f4a5b")]
    pub id: String,
    #[schema(example = "Rock en el Parque")]
    pub nombre: String,
    /// RFC 3339 with the venue's offset at that date.
    #[schema(example = "2027-03-14T21:00:00-05:00", format = DateTime)]
    pub fecha: String,
    /// The venue's IANA time zone.
    #[schema(example = "America/Lima")]
    pub zona_horaria: String,
    #[schema(example = "Estadio Nacional")]
    pub lugar: String,
    /// Sum of the zones' capacities.
    #[schema(example = 1500)]
    pub aforo_total: u32,
    /// Sum of the zones' available tickets.
    #[schema(example = 1480)]
    pub entradas_disponibles: u32,
    pub zonas: Vec<Zona>,
    /// Tickets one buyer may have across all their reservations for this event.
    #[schema(example = 10)]
    pub max_por_comprador: u32,
    /// The organizer account that publishes it (absent when the platform admin did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organizador_id: Option<String>,
    /// Whether its tickets may change hands: its organizer decides
    /// (`PUT /api/eventos/{id}/transferencias`); allowed unless forbidden.
    #[schema(example = true)]
    pub transferencias_permitidas: bool,
    pub creado_en: DateTime<Utc>,
}

impl From<Evento> for EventoRespuesta {
    fn from(e: Evento) -> Self {
        Self {
            aforo_total: e.aforo_total(),
            entradas_disponibles: e.entradas_disponibles(),
            id: e.id,
            nombre: e.nombre,
            fecha: en_zona(e.fecha, e.zona_horaria),
            zona_horaria: e.zona_horaria.name().to_owned(),
            lugar: e.lugar,
            zonas: e.zonas,
            max_por_comprador: e.max_por_comprador,
            organizador_id: e.organizador_id,
            transferencias_permitidas: e.transferencias_permitidas,
            creado_en: e.creado_en,
        }
    }
}

/// Body of `PATCH /api/eventos/{id}`: any subset of these fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lugar": "Arena Lima", "fecha": "2027-03-15T21:00:00Z"}))]
pub struct ActualizarEvento {
    pub nombre: Option<String>,
    /// In the future, in any form `POST` takes; a local one is read in the event's zone
    /// (or in `zona_horaria` when this change sets it).
    pub fecha: Option<String>,
    /// A new IANA time zone for the venue. Alone, it keeps the instant of `fecha`.
    pub zona_horaria: Option<String>,
    pub lugar: Option<String>,
    /// Tickets per buyer, 1 to 1000; reservations already made are kept.
    pub max_por_comprador: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListarEventos {
    /// Events on or after this instant: RFC 3339, or a local date or date-time read in
    /// `EVENTFLOW_ZONA_HORARIA`.
    pub desde: Option<String>,
    /// Events on or before this instant, in the same forms as `desde`.
    pub hasta: Option<String>,
    /// Exact place name.
    pub lugar: Option<String>,
    /// Only the events of this organizer (UUID): an organizer's own list.
    pub organizador_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginaEventos {
    pub items: Vec<EventoRespuesta>,
    #[schema(example = 3)]
    pub total: u64,
    #[schema(example = 20)]
    pub limit: u32,
    #[schema(example = 0)]
    pub offset: u32,
}
