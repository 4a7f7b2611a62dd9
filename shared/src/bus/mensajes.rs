//! The typed bodies of every EventFlow message: one enum that producers write and the
//! consumer reads, so a renamed or retyped field is a compile error instead of a message
//! in the dead-letter queue. `tests/mensajes_contrato.rs` pins each one's JSON.
//!
//! On the wire nothing changes: the envelope keeps seed 000's `{messageId, type,
//! occurredAt, correlationId, version, payload}`, with `type` and `payload` from here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{Envelope, Pendiente};

use crate::ids::{EventoId, ReservaId, UsuarioId};

/// The envelope `version` producers write. A consumer refuses (dead-letters, with the
/// reason) a message of a later version than it knows, rather than misread it.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload")]
pub enum Mensaje {
    /// eventos → everyone: a new event was published.
    EventCreated(EventoCreado),
    /// reservas-pagos → the buyer: a reservation is confirmed.
    ReservaConfirmada(ReservaConfirmada),
    /// reservas-pagos → the buyer: a reservation was cancelled and refunded.
    ReservaCancelada(ReservaCancelada),
    /// usuarios → the buyer: a one-time code to send.
    CodigoEmitido(CodigoEmitido),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventoCreado {
    pub event_id: EventoId,
    pub nombre: String,
    pub fecha: DateTime<Utc>,
    pub lugar: String,
    pub aforo_total: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservaConfirmada {
    pub reserva_id: ReservaId,
    /// Set by `ValidadorDatos` before any confirmation; optional because the reservation
    /// record is (a guest's starts with an email).
    pub usuario_id: Option<UsuarioId>,
    pub evento_id: EventoId,
    pub zona: Option<String>,
    pub cantidad: u32,
    /// In minor units (céntimos).
    pub total: Option<i64>,
    /// The guest's way back: `/reservas/{id}?s=<secreto>`. Only a live checkout knows the
    /// secret; a confirmation finished by recovery has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enlace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReservaCancelada {
    pub reserva_id: ReservaId,
    pub usuario_id: Option<UsuarioId>,
    pub evento_id: EventoId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CodigoEmitido {
    pub usuario_id: Uuid,
    /// Where it goes: the account's email, or the new one being confirmed.
    pub email: String,
    /// The six digits, in clear: this message stands for the e-mail that carries them.
    pub codigo: String,
    /// `password` or `email`.
    pub proposito: String,
    pub expira_en: DateTime<Utc>,
}

impl Mensaje {
    /// The envelope's `type`.
    pub fn tipo(&self) -> &'static str {
        match self {
            Self::EventCreated(_) => "EventCreated",
            Self::ReservaConfirmada(_) => "ReservaConfirmada",
            Self::ReservaCancelada(_) => "ReservaCancelada",
            Self::CodigoEmitido(_) => "CodigoEmitido",
        }
    }

    /// The topic routing key; notificaciones' queue binds `evento.*`, `reserva.*` and
    /// `usuario.*`.
    pub fn routing_key(&self) -> &'static str {
        match self {
            Self::EventCreated(_) => "evento.creado",
            Self::ReservaConfirmada(_) => "reserva.confirmada",
            Self::ReservaCancelada(_) => "reserva.cancelada",
            Self::CodigoEmitido(_) => "usuario.codigo",
        }
    }

    /// A new envelope carrying this message.
    pub fn envelope(&self, correlation_id: &str) -> Envelope {
        let (tipo, payload) = self.partes();
        let mut e = Envelope::new(tipo, correlation_id, payload);
        e.version = VERSION;
        if let Self::EventCreated(c) = self {
            e.event_id = Some(c.event_id.to_string());
            e.name = Some(c.nombre.clone());
        }
        e
    }

    /// This message, ready for an outbox.
    pub fn pendiente(&self, correlation_id: &str) -> Pendiente {
        Pendiente {
            routing_key: self.routing_key().to_owned(),
            envelope: self.envelope(correlation_id),
        }
    }

    fn partes(&self) -> (&'static str, Value) {
        let payload = match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => m.remove("payload").unwrap_or(Value::Null),
            // Plain structs of strings and numbers always serialise to an object.
            _ => Value::Null,
        };
        (self.tipo(), payload)
    }
}

impl Envelope {
    /// The typed message inside, or why there is none: a later version, an unknown
    /// type, or a body that does not fit it (all poison for this consumer).
    pub fn mensaje(&self) -> Result<Mensaje, String> {
        if self.version > VERSION {
            return Err(format!(
                "message version {} is newer than this consumer's {VERSION}",
                self.version
            ));
        }
        serde_json::from_value(serde_json::json!({"type": self.tipo, "payload": self.payload}))
            .map_err(|e| format!("'{}' does not fit its contract: {e}", self.tipo))
    }
}
