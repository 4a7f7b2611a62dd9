//! Response bodies of the reservas API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::{
    Compensacion, Entrada, Estado, EventoReserva, FalloReserva, PagoResumen, PasoEjecutado, Reserva,
};

/// A reservation as the buyer sees it, with the SAGA's steps.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReservaRespuesta {
    #[schema(example = "0b6f3c1e-2f4d-4c55-9d2a-7f1e2d3c4b5a")]
    pub id: String,
    pub estado: Estado,
    pub usuario_id: Option<String>,
    pub evento_id: String,
    #[schema(example = "Platea")]
    pub zona: Option<String>,
    #[schema(example = 2)]
    pub cantidad: u32,
    /// Minor units.
    #[schema(example = 15000)]
    pub precio_unitario: Option<i64>,
    /// Minor units.
    #[schema(example = 30000)]
    pub total: Option<i64>,
    pub pago: Option<PagoResumen>,
    pub creada_en: DateTime<Utc>,
    pub actualizada_en: DateTime<Utc>,
    pub pasos: Vec<PasoEjecutado>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallo: Option<FalloReserva>,
    pub compensaciones: Vec<Compensacion>,
    /// Its tickets, one per seat, once it is CONFIRMADA (none before): each with its
    /// code for the door. A cancelled reservation's are `ANULADA`.
    pub entradas: Vec<Entrada>,
    /// Only in the answer that created the reservation: the secret that opens it
    /// without a session (`X-Reserva-Secreto`, or the link `/reservas/{id}?s=<secreto>`).
    /// Keep it: it is shown once and stored only hashed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "q3V1c2Ff0n2Lx8bS4kP7wA")]
    pub secreto: Option<String>,
}

impl From<&Reserva> for ReservaRespuesta {
    fn from(r: &Reserva) -> Self {
        Self {
            id: r.id.to_string(),
            estado: r.estado,
            usuario_id: r.usuario_id.as_ref().map(ToString::to_string),
            evento_id: r.evento_id.to_string(),
            zona: r.zona.clone(),
            cantidad: r.cantidad,
            precio_unitario: r.precio_unitario,
            total: r.total,
            pago: r.pago.clone(),
            creada_en: r.creada_en,
            actualizada_en: r.actualizada_en,
            pasos: r.pasos.clone(),
            fallo: r.fallo.clone(),
            compensaciones: r.compensaciones.clone(),
            entradas: r.entradas.clone(),
            secreto: None,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginaReservas {
    pub items: Vec<ReservaRespuesta>,
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Bitacora {
    pub reserva_id: String,
    pub eventos: Vec<EventoReserva>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListarReservas {
    /// UUID del comprador. Con una sesión de comprador puede omitirse (son las tuyas);
    /// el administrador y los organizadores deben indicarlo (422 si falta).
    pub usuario_id: Option<String>,
}
