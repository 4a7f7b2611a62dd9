//! RabbitMQ adapter over lapin, with our own connection supervision: lapin's recovery
//! does not survive a broker restart reliably, so a dead channel is dropped and the next
//! publish reconnects, and the consumer loop reconnects with capped backoff. Every step
//! of the consumer has a time limit and a watchdog checks its connection each second: a
//! consumer stream that lapin never ends after the socket died must not stop delivery.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::{AMQPValue, FieldTable, ShortString};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};
use tokio::sync::Mutex;

use crate::secreto::UrlSecreta;

use super::{
    decodificar, BusError, Cola, Consumidor, Envelope, Manejador, Publicador, Resultado, COLAS,
    EXCHANGE, NOTIFICACIONES,
};

const PUBLISH_TIMEOUT: Duration = Duration::from_secs(5);

/// The limit on each step of setting up a consumer, and on each ack.
const PASO_TIMEOUT: Duration = Duration::from_secs(5);

/// How often a consumer waiting for deliveries checks that its connection is still open.
const VIGIA: Duration = Duration::from_secs(1);

/// The consumer's first wait before reconnecting, and its cap.
const ESPERA_INICIAL: Duration = Duration::from_millis(200);
const ESPERA_MAXIMA: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
pub struct RabbitConfig {
    /// `AMQP_URL`, password included: it prints masked.
    pub url: UrlSecreta,
    /// Prepended to the exchange and queue names, so tests can share one broker.
    pub prefix: String,
    pub prefetch: u16,
    /// `x-expires` for the queues, in ms (tests: so abandoned queues go away).
    pub expira_ms: Option<u32>,
}

impl RabbitConfig {
    pub fn new(url: &str) -> Self {
        Self {
            url: UrlSecreta::new(url),
            prefix: String::new(),
            prefetch: 32,
            expira_ms: None,
        }
    }

    pub fn exchange(&self) -> String {
        format!("{}{EXCHANGE}", self.prefix)
    }

    /// notificaciones' queue, under this prefix.
    pub fn queue(&self) -> String {
        self.nombre(NOTIFICACIONES.nombre)
    }

    /// notificaciones' dead-letter queue, under this prefix.
    pub fn dlq(&self) -> String {
        self.nombre(NOTIFICACIONES.dlq)
    }

    /// A queue's or an exchange's name under this prefix.
    pub fn nombre(&self, nombre: &str) -> String {
        format!("{}{nombre}", self.prefix)
    }
}

pub struct RabbitBus {
    cfg: RabbitConfig,
    /// The publishing channel (confirm mode); `None` after a failure, until reconnected.
    canal: Mutex<Option<(Connection, Channel)>>,
    conectado: Arc<AtomicBool>,
}

fn err(e: impl std::fmt::Display) -> BusError {
    BusError(e.to_string())
}

/// Errors name the URL with its password masked, and lapin's own text is cleaned of it
/// too: they reach the start-up error and the consumer's reconnect warnings.
async fn conectar(url: &UrlSecreta) -> Result<Connection, BusError> {
    tokio::time::timeout(
        Duration::from_secs(5),
        Connection::connect(url.expose(), ConnectionProperties::default()),
    )
    .await
    .map_err(|_| BusError(format!("RabbitMQ at {url} did not answer in 5 s")))?
    .map_err(|e| {
        BusError(format!(
            "RabbitMQ at {url} is unreachable: {}",
            url.sanear(&e.to_string())
        ))
    })
}

/// Declares the exchange and every consumer's queue, bindings and dead-lettering.
/// Publishers declare it too, so a message published before its consumer ever started
/// still has a queue to wait in.
async fn topologia(ch: &Channel, cfg: &RabbitConfig) -> Result<(), BusError> {
    let durable = ExchangeDeclareOptions {
        durable: true,
        ..Default::default()
    };
    ch.exchange_declare(
        cfg.exchange().as_str().into(),
        ExchangeKind::Topic,
        durable,
        FieldTable::default(),
    )
    .await
    .map_err(err)?;
    for cola in COLAS {
        declarar_cola(ch, cfg, &cola).await?;
    }
    Ok(())
}

/// One queue with its bindings, and its own dead-letter exchange and queue.
async fn declarar_cola(ch: &Channel, cfg: &RabbitConfig, cola: &Cola) -> Result<(), BusError> {
    let (nombre, dlx, dlq) = (
        cfg.nombre(cola.nombre),
        cfg.nombre(cola.dlx),
        cfg.nombre(cola.dlq),
    );
    ch.exchange_declare(
        dlx.as_str().into(),
        ExchangeKind::Fanout,
        ExchangeDeclareOptions {
            durable: true,
            ..Default::default()
        },
        FieldTable::default(),
    )
    .await
    .map_err(err)?;
    let mut args = FieldTable::default();
    let mut dlq_args = FieldTable::default();
    if let Some(ms) = cfg.expira_ms {
        args.insert("x-expires".into(), AMQPValue::LongUInt(ms));
        dlq_args.insert("x-expires".into(), AMQPValue::LongUInt(ms));
    }
    args.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString(dlx.as_str().into()),
    );
    let qopts = QueueDeclareOptions {
        durable: true,
        ..Default::default()
    };
    ch.queue_declare(dlq.as_str().into(), qopts, dlq_args)
        .await
        .map_err(err)?;
    ch.queue_bind(
        dlq.as_str().into(),
        dlx.as_str().into(),
        "".into(),
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(err)?;
    ch.queue_declare(nombre.as_str().into(), qopts, args)
        .await
        .map_err(err)?;
    for key in cola.claves {
        ch.queue_bind(
            nombre.as_str().into(),
            cfg.exchange().as_str().into(),
            (*key).into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(err)?;
    }
    Ok(())
}

impl RabbitBus {
    /// Connects once to check the broker, as configured backends must at start-up.
    pub async fn connect(cfg: RabbitConfig) -> anyhow::Result<Self> {
        let bus = Self {
            cfg,
            canal: Mutex::new(None),
            conectado: Arc::default(),
        };
        bus.canal().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(bus)
    }

    async fn canal(&self) -> Result<Channel, BusError> {
        let mut guard = self.canal.lock().await;
        if let Some((conn, ch)) = guard.as_ref() {
            if conn.status().connected() && ch.status().connected() {
                return Ok(ch.clone());
            }
        }
        *guard = None;
        let conn = conectar(&self.cfg.url).await?;
        let ch = conn.create_channel().await.map_err(err)?;
        ch.confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(err)?;
        topologia(&ch, &self.cfg).await?;
        *guard = Some((conn, ch.clone()));
        Ok(ch)
    }

    async fn descartar_canal(&self) {
        *self.canal.lock().await = None;
    }

    /// Publishes raw bytes (for poison-message tests).
    pub async fn publicar_crudo(&self, routing_key: &str, body: &[u8]) -> Result<(), BusError> {
        let ch = self.canal().await?;
        ch.basic_publish(
            self.cfg.exchange().as_str().into(),
            routing_key.into(),
            BasicPublishOptions::default(),
            body,
            BasicProperties::default(),
        )
        .await
        .map_err(err)?
        .await
        .map_err(err)?;
        Ok(())
    }
}

#[async_trait]
impl Publicador for RabbitBus {
    async fn publicar(&self, routing_key: &str, envelope: &Envelope) -> Result<(), BusError> {
        let body = serde_json::to_vec(envelope).map_err(err)?;
        let mut headers = FieldTable::default();
        headers.insert(
            "x-correlation-id".into(),
            AMQPValue::LongString(envelope.correlation_id.as_str().into()),
        );
        let props = BasicProperties::default()
            .with_delivery_mode(2)
            .with_content_type(ShortString::from("application/json"))
            .with_message_id(ShortString::from(envelope.message_id.to_string()))
            .with_correlation_id(ShortString::from(envelope.correlation_id.as_str()))
            .with_type(ShortString::from(envelope.tipo.as_str()))
            .with_headers(headers);
        let intento = async {
            let ch = self.canal().await?;
            let confirm = ch
                .basic_publish(
                    self.cfg.exchange().as_str().into(),
                    routing_key.into(),
                    BasicPublishOptions::default(),
                    &body,
                    props,
                )
                .await
                .map_err(err)?
                .await
                .map_err(err)?;
            if confirm.is_nack() {
                return Err(BusError("the broker refused the message (nack)".into()));
            }
            Ok(())
        };
        let res = match tokio::time::timeout(PUBLISH_TIMEOUT, intento).await {
            Ok(r) => r,
            Err(_) => Err(BusError("no publisher confirm within 5 s".into())),
        };
        if res.is_err() {
            self.descartar_canal().await;
        }
        res
    }

    fn backend(&self) -> &'static str {
        "rabbitmq"
    }

    async fn ping(&self) -> Result<(), String> {
        self.canal().await.map(|_| ()).map_err(|e| e.to_string())
    }
}

#[async_trait]
impl Consumidor for RabbitBus {
    async fn iniciar(&self, cola: Cola, manejador: Arc<dyn Manejador>) -> Result<(), BusError> {
        let (cfg, conectado) = (self.cfg.clone(), self.conectado.clone());
        tokio::spawn(async move {
            let mut espera = ESPERA_INICIAL;
            loop {
                match consumir(&cfg, &cola, manejador.clone(), &conectado).await {
                    Ok(()) => tracing::warn!("consumer stream ended; reconnecting"),
                    Err(e) => tracing::warn!(error = %e, "consumer lost the broker; reconnecting"),
                }
                // A consumer that got as far as consuming starts its back-off afresh: an
                // outage an hour after the last one is a first failure, not a sixth.
                if conectado.swap(false, Ordering::SeqCst) {
                    espera = ESPERA_INICIAL;
                }
                tokio::time::sleep(espera).await;
                espera = (espera * 2).min(ESPERA_MAXIMA);
            }
        });
        Ok(())
    }

    fn conectado(&self) -> bool {
        self.conectado.load(Ordering::SeqCst)
    }
}

async fn consumir(
    cfg: &RabbitConfig,
    cola: &Cola,
    manejador: Arc<dyn Manejador>,
    conectado: &AtomicBool,
) -> Result<(), BusError> {
    let conn = conectar(&cfg.url).await?;
    let ch = a_tiempo("open a channel", async {
        conn.create_channel().await.map_err(err)
    })
    .await?;
    a_tiempo("declare the topology", topologia(&ch, cfg)).await?;
    a_tiempo("set the prefetch", async {
        ch.basic_qos(cfg.prefetch, BasicQosOptions::default())
            .await
            .map_err(err)
    })
    .await?;
    let nombre = cfg.nombre(cola.nombre);
    let mut consumer = a_tiempo("start consuming", async {
        ch.basic_consume(
            nombre.as_str().into(),
            cola.nombre.into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(err)
    })
    .await?;
    conectado.store(true, Ordering::SeqCst);
    tracing::info!(queue = %nombre, "consuming");
    let mut vigia = tokio::time::interval(VIGIA);
    loop {
        let delivery = tokio::select! {
            d = consumer.next() => d,
            _ = vigia.tick() => {
                if !(conn.status().connected() && ch.status().connected()) {
                    return Err(BusError("the connection to RabbitMQ is no longer open".into()));
                }
                continue;
            }
        };
        let Some(delivery) = delivery else { break };
        let d = delivery.map_err(err)?;
        let requeue = match decodificar(&d.data) {
            Err(why) => {
                tracing::warn!(%why, "poison message: dead-lettering");
                Some(false)
            }
            Ok(env) => match manejador.manejar(env).await {
                Resultado::Hecho => None,
                // One redelivery; a message that fails twice is dead-lettered rather
                // than retried forever (RabbitMQ only says *whether* it was redelivered).
                Resultado::Reintentar(why) => {
                    tracing::warn!(%why, redelivered = d.redelivered, "delivery failed");
                    Some(!d.redelivered)
                }
                Resultado::Descartar(why) => {
                    tracing::warn!(%why, "message rejected: dead-lettering");
                    Some(false)
                }
            },
        };
        a_tiempo("acknowledge a delivery", async {
            match requeue {
                None => d.ack(BasicAckOptions::default()).await.map_err(err),
                Some(requeue) => d
                    .nack(BasicNackOptions {
                        requeue,
                        ..Default::default()
                    })
                    .await
                    .map_err(err),
            }
        })
        .await?;
    }
    Ok(())
}

/// One step of the consumer, given `PASO_TIMEOUT`: a step lapin never answers is a lost
/// connection, and the loop reconnects.
async fn a_tiempo<T>(
    paso: &str,
    f: impl std::future::Future<Output = Result<T, BusError>>,
) -> Result<T, BusError> {
    tokio::time::timeout(PASO_TIMEOUT, f)
        .await
        .map_err(|_| BusError(format!("RabbitMQ did not {paso} within 5 s")))?
}
