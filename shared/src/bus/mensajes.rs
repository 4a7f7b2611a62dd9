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
    /// reservas-pagos → the buyer: a reservation's link sent again, with a new guest
    /// secret (`POST /api/reservas/reenviar`); the old link no longer opens it.
    ReservaReenviada(ReservaReenviada),
    /// usuarios → the buyer: a one-time code to send.
    CodigoEmitido(CodigoEmitido),
    /// reservas-pagos → a ticket's new holder: a ticket was transferred to them, with
    /// its new code and their own link (the old code no longer lets anyone in).
    EntradaTransferida(EntradaTransferida),
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
    /// Its tickets' codes, issued in the confirming write: the e-mail links each one
    /// (`/api/entradas/{codigo}`, its QR) and the PDF. Absent from an older producer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entradas: Vec<String>,
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
pub struct ReservaReenviada {
    pub reserva_id: ReservaId,
    pub usuario_id: Option<UsuarioId>,
    pub evento_id: EventoId,
    /// `CONFIRMADA` or `CANCELADA`: what the link opens.
    pub estado: String,
    /// The new way back: `/reservas/{id}?s=<secreto>`. This message stands for the
    /// e-mail to the buyer, so it carries the secret, and only this buyer is told.
    pub enlace: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntradaTransferida {
    pub reserva_id: ReservaId,
    pub evento_id: EventoId,
    /// The new ticket's code, issued to the new holder.
    pub codigo: String,
    /// The code it replaces, annulled (`transferida`).
    pub anterior: String,
    pub zona: Option<String>,
    /// The new holder: their name (the ticket's `titular`) and where this goes.
    pub nombre: String,
    pub email: String,
    /// Their way to the ticket: `/entradas/{codigo}?s=<secreto>`. This message stands
    /// for the e-mail to the new holder, so it carries the ticket's secret.
    pub enlace: String,
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
            Self::ReservaReenviada(_) => "ReservaReenviada",
            Self::CodigoEmitido(_) => "CodigoEmitido",
            Self::EntradaTransferida(_) => "EntradaTransferida",
        }
    }

    /// The topic routing key; notificaciones' queue binds `evento.*`, `reserva.*` and
    /// `usuario.*`.
    pub fn routing_key(&self) -> &'static str {
        match self {
            Self::EventCreated(_) => "evento.creado",
            Self::ReservaConfirmada(_) => "reserva.confirmada",
            Self::ReservaCancelada(_) => "reserva.cancelada",
            Self::ReservaReenviada(_) => "reserva.reenviada",
            Self::CodigoEmitido(_) => "usuario.codigo",
            // Under `reserva.*`, which notificaciones binds; usuarios' history does not.
            Self::EntradaTransferida(_) => "reserva.entrada-transferida",
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
