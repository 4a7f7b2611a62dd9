//! Embedded bus: an in-process queue with RabbitMQ's delivery semantics as we use them:
//! messages wait until a consumer starts, each is delivered at least once, a failed one
//! is redelivered, and poison or repeatedly failing ones go to a dead-letter list.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{decodificar, BusError, Consumidor, Envelope, Manejador, Publicador, Resultado};

/// Deliveries before a failing message is dead-lettered.
const MAX_INTENTOS: u32 = 5;

/// Dead-lettered bodies with the reason.
type Muertos = Arc<Mutex<Vec<(Vec<u8>, String)>>>;

struct Entrega {
    body: Vec<u8>,
    intentos: u32,
}

pub struct EmbeddedBus {
    tx: mpsc::UnboundedSender<Entrega>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Entrega>>>,
    dlq: Muertos,
    conectado: Arc<AtomicBool>,
}

impl Default for EmbeddedBus {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            tx,
            rx: Mutex::new(Some(rx)),
            dlq: Arc::default(),
            conectado: Arc::default(),
        }
    }
}

impl EmbeddedBus {
    /// Publishes raw bytes, as a misbehaving producer could (for poison-message tests).
    pub fn publicar_crudo(&self, body: Vec<u8>) {
        let _ = self.tx.send(Entrega { body, intentos: 0 });
    }

    /// Dead-lettered messages with the reason, oldest first.
    pub fn dlq(&self) -> Vec<(Vec<u8>, String)> {
        self.dlq.lock().expect("mutex").clone()
    }
}

#[async_trait]
impl Publicador for EmbeddedBus {
    async fn publicar(&self, _routing_key: &str, envelope: &Envelope) -> Result<(), BusError> {
        let body = serde_json::to_vec(envelope).map_err(|e| BusError(e.to_string()))?;
        self.tx
            .send(Entrega { body, intentos: 0 })
            .map_err(|_| BusError("embedded bus closed".into()))
    }

    fn backend(&self) -> &'static str {
        "embebido"
    }

    async fn ping(&self) -> Result<(), String> {
        Ok(())
    }
}

#[async_trait]
impl Consumidor for EmbeddedBus {
    async fn iniciar(&self, manejador: Arc<dyn Manejador>) -> Result<(), BusError> {
        let mut rx = self
            .rx
            .lock()
            .expect("mutex")
            .take()
            .ok_or_else(|| BusError("already consuming".into()))?;
        let (tx, dlq, conectado) = (self.tx.clone(), self.dlq.clone(), self.conectado.clone());
        conectado.store(true, Ordering::SeqCst);
        tokio::spawn(async move {
            while let Some(e) = rx.recv().await {
                let env = match decodificar(&e.body) {
                    Ok(env) => env,
                    Err(why) => {
                        tracing::warn!(%why, "poison message dead-lettered");
                        dlq.lock().expect("mutex").push((e.body, why));
                        continue;
                    }
                };
                match manejador.manejar(env).await {
                    Resultado::Hecho => {}
                    Resultado::Reintentar(why) if e.intentos + 1 < MAX_INTENTOS => {
                        tracing::warn!(%why, "delivery failed; redelivering");
                        let tx = tx.clone();
                        // Back off a little, like a broker redelivery, without blocking others.
                        tokio::spawn(async move {
                            tokio::time::sleep(Duration::from_millis(
                                200 * u64::from(e.intentos + 1),
                            ))
                            .await;
                            let _ = tx.send(Entrega {
                                body: e.body,
                                intentos: e.intentos + 1,
                            });
                        });
                    }
                    Resultado::Reintentar(why) | Resultado::Descartar(why) => {
                        tracing::warn!(%why, "message dead-lettered");
                        dlq.lock().expect("mutex").push((e.body, why));
                    }
                }
            }
        });
        Ok(())
    }

    fn conectado(&self) -> bool {
        self.conectado.load(Ordering::SeqCst)
    }
}
