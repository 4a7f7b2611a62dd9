//! The message bus port: the envelope every EventFlow message travels in, a publisher
//! that returns only once the broker has confirmed, and a consumer with manual acks.
//! Adapters: RabbitMQ (lapin, supervised connection) and an embedded in-process bus with
//! the same delivery semantics (at least once; poison messages dead-lettered).

mod embedded;
mod mensajes;
mod rabbit;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

pub use embedded::EmbeddedBus;
pub use mensajes::{
    CodigoEmitido, EntradaTransferida, EventoCreado, Mensaje, ReservaCancelada, ReservaConfirmada,
    ReservaReenviada, VERSION,
};
pub use rabbit::{RabbitBus, RabbitConfig};

pub const EXCHANGE: &str = "eventflow.events";

/// A consumer's queue: the routing keys bound to it, and where its poison goes.
///
/// Every publisher declares every queue, so a message published before its consumer
/// ever started still waits in its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cola {
    pub nombre: &'static str,
    /// Topic patterns (`*` is one word).
    pub claves: &'static [&'static str],
    /// A fanout exchange per queue, so one consumer's dead letters never land in
    /// another's dead-letter queue.
    pub dlx: &'static str,
    pub dlq: &'static str,
}

impl Cola {
    /// Whether a message published with `routing_key` lands in this queue.
    pub fn recibe(&self, routing_key: &str) -> bool {
        self.claves.iter().any(|patron| {
            let mut p = patron.split('.');
            let mut k = routing_key.split('.');
            loop {
                match (p.next(), k.next()) {
                    (None, None) => return true,
                    (Some("*"), Some(_)) => {}
                    (Some(a), Some(b)) if a == b => {}
                    _ => return false,
                }
            }
        })
    }
}

/// notificaciones: everything a buyer or organizer is told.
pub const NOTIFICACIONES: Cola = Cola {
    nombre: "notificaciones",
    claves: &["evento.*", "reserva.*", "usuario.*"],
    dlx: "eventflow.dlx",
    dlq: "notificaciones.dlq",
};

/// usuarios: the purchase history, written from confirmations and cancellations.
pub const HISTORIAL: Cola = Cola {
    nombre: "usuarios.historial",
    claves: &["reserva.confirmada", "reserva.cancelada"],
    dlx: "eventflow.dlx.historial",
    dlq: "usuarios.historial.dlq",
};

/// Every queue of the platform.
pub const COLAS: [Cola; 2] = [NOTIFICACIONES, HISTORIAL];

/// Message types and their routing keys.
pub const EVENT_CREATED: (&str, &str) = ("EventCreated", "evento.creado");
pub const RESERVA_CONFIRMADA: (&str, &str) = ("ReservaConfirmada", "reserva.confirmada");
pub const RESERVA_CANCELADA: (&str, &str) = ("ReservaCancelada", "reserva.cancelada");
/// A one-time code for a buyer (usuarios → notificaciones), which sends it.
pub const CODIGO_EMITIDO: (&str, &str) = ("CodigoEmitido", "usuario.codigo");

/// `{messageId, type, occurredAt, correlationId, version, payload}`, as seed 000 has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// Always a string, in JSON and in BSON alike, so stores can match it in queries.
    #[serde(with = "uuid_texto")]
    pub message_id: Uuid,
    #[serde(rename = "type")]
    pub tipo: String,
    pub occurred_at: DateTime<Utc>,
    pub correlation_id: String,
    pub version: u32,
    pub payload: Value,
    /// Seed 000's flat `EventCreated` carries `eventId` and `name` at the top level: a
    /// consumer written for the .NET design finds them there. Only that message has them,
    /// beside `payload`, which stays the one source for our consumers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Envelope {
    pub fn new(tipo: &str, correlation_id: &str, payload: Value) -> Self {
        Self {
            message_id: Uuid::new_v4(),
            tipo: tipo.to_owned(),
            occurred_at: crate::now(),
            correlation_id: correlation_id.to_owned(),
            version: 1,
            payload,
            event_id: None,
            name: None,
        }
    }
}

/// A message waiting in an outbox: stored in the same document write as the state
/// change that caused it, published by a relay, removed only after the broker confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pendiente {
    pub routing_key: String,
    pub envelope: Envelope,
}

impl Pendiente {
    pub fn new((tipo, routing_key): (&str, &str), correlation_id: &str, payload: Value) -> Self {
        Self {
            routing_key: routing_key.to_owned(),
            envelope: Envelope::new(tipo, correlation_id, payload),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("bus unavailable: {0}")]
pub struct BusError(pub String);

/// Publishes messages.
///
/// Contract: `publicar` returns `Ok` only after the broker has taken responsibility for
/// the message (a publisher confirm, or the embedded queue holding it). On `Err` the
/// message may or may not have been delivered: the caller keeps it and tries again, and
/// consumers deduplicate by `messageId`.
#[async_trait]
pub trait Publicador: Send + Sync {
    async fn publicar(&self, routing_key: &str, envelope: &Envelope) -> Result<(), BusError>;
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<(), String>;
}

/// What a consumer's handler decided about one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resultado {
    /// Done (or already done before): ack.
    Hecho,
    /// A transient failure: deliver again later.
    Reintentar(String),
    /// It can never succeed: dead-letter it.
    Descartar(String),
}

/// Handles one delivery. MUST be idempotent on `messageId`: delivery is at least once.
#[async_trait]
pub trait Manejador: Send + Sync {
    async fn manejar(&self, envelope: Envelope) -> Resultado;
}

/// Starts consuming one queue in the background.
#[async_trait]
pub trait Consumidor: Send + Sync {
    async fn iniciar(&self, cola: Cola, manejador: Arc<dyn Manejador>) -> Result<(), BusError>;
    /// Whether the consumer is currently attached to the broker.
    fn conectado(&self) -> bool;
}

/// Decodes a delivery body. A body that is not an envelope is poison.
pub fn decodificar(body: &[u8]) -> Result<Envelope, String> {
    serde_json::from_slice(body).map_err(|e| format!("not an EventFlow envelope: {e}"))
}

/// Which bus a service uses. The launcher hands every service the same embedded bus.
#[derive(Clone)]
pub enum BusConfig {
    Embedded(Arc<EmbeddedBus>),
    Rabbit(RabbitConfig),
}

impl std::fmt::Debug for BusConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Embedded(_) => f.write_str("Embedded"),
            Self::Rabbit(c) => write!(f, "Rabbit({})", c.url),
        }
    }
}

impl BusConfig {
    /// `AMQP_URL` (default `amqp://guest:guest@127.0.0.1:5672/%2f`) on real backends.
    pub fn desde(e: &mut crate::config::Entorno, mode: crate::config::BackendMode) -> Self {
        match mode {
            crate::config::BackendMode::Embedded => Self::Embedded(Arc::default()),
            crate::config::BackendMode::Real => {
                let url = e.url_secreta(
                    "AMQP_URL",
                    "amqp://guest:guest@127.0.0.1:5672/%2f",
                    &["amqp", "amqps"],
                );
                // AMQP_PREFIX and AMQP_QUEUE_EXPIRES_MS isolate a deployment's (or a
                // test's) exchange and queues on a shared broker.
                let expira_ms = e.opcional("AMQP_QUEUE_EXPIRES_MS", |v| {
                    v.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                        format!(
                            "debe ser un número entero de milisegundos (de al menos 1), no {v:?}"
                        )
                    })
                });
                Self::Rabbit(RabbitConfig {
                    prefix: e.texto("AMQP_PREFIX").unwrap_or_default(),
                    expira_ms,
                    ..RabbitConfig::new(url.expose())
                })
            }
        }
    }

    /// A publisher. For RabbitMQ this connects once: an unreachable broker that was
    /// configured is a start-up error (at runtime, outages only delay the outbox).
    pub async fn publicador(&self) -> anyhow::Result<Arc<dyn Publicador>> {
        Ok(match self {
            Self::Embedded(b) => b.clone(),
            Self::Rabbit(c) => Arc::new(RabbitBus::connect(c.clone()).await?),
        })
    }

    pub async fn consumidor(&self) -> anyhow::Result<Arc<dyn Consumidor>> {
        Ok(match self {
            Self::Embedded(b) => b.clone(),
            Self::Rabbit(c) => Arc::new(RabbitBus::connect(c.clone()).await?),
        })
    }
}

/// Serialises a UUID as its hyphenated string whatever the format (BSON would otherwise
/// write binary, which a `$pull` by string never matches).
mod uuid_texto {
    use serde::{Deserialize, Deserializer, Serializer};
    use uuid::Uuid;

    pub fn serialize<S: Serializer>(id: &Uuid, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&id.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Uuid, D::Error> {
        let raw = String::deserialize(d)?;
        Uuid::parse_str(&raw).map_err(serde::de::Error::custom)
    }
}
