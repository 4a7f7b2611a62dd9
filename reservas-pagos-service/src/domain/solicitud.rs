//! The body of `POST /api/reservar`, as sent by the client (validated by ValidadorDatos).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({"metodo": "tarjeta", "numero_tarjeta": "4242424242424242", "titular": "Ana Quispe"}))]
#[serde(deny_unknown_fields)]
pub struct PagoSolicitud {
    /// Only `tarjeta` is supported.
    pub metodo: String,
    pub numero_tarjeta: String,
    pub titular: Option<String>,
}

/// `usuario_id` or `email` identifies the buyer. Only `evento_id` and one of those are
/// required: the seed's `{evento_id, email}` buys 1 ticket in the only zone (or
/// `General`) with the approved test card.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[schema(example = json!({
    "email": "ana.quispe@example.com", "evento_id": "5b0c3f6e-8f0a-4b8e-9a3e-0c1d2e3f4a5b",
    "zona": "Platea", "cantidad": 2,
    "pago": {"metodo": "tarjeta", "numero_tarjeta": "4242424242424242", "titular": "Ana Quispe"}
}))]
#[serde(deny_unknown_fields)]
pub struct SolicitudReserva {
    pub usuario_id: Option<String>,
    pub email: Option<String>,
    pub evento_id: String,
    pub zona: Option<String>,
    /// 1 to the configured maximum (default 10). Default 1.
    #[schema(minimum = 1)]
    pub cantidad: Option<i64>,
    pub pago: Option<PagoSolicitud>,
}
