//! Embedded bus: an in-process queue with RabbitMQ's delivery semantics as we use them:
//! messages wait until a consumer starts, each is delivered at least once, a failed one
//! is redelivered, and poison or repeatedly failing ones go to a dead-letter list.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{
    decodificar, BusError, Cola, Consumidor, Envelope, Manejador, Publicador, Resultado, COLAS,
    NOTIFICACIONES,
};

/// Deliveries before a failing message is dead-lettered.
const MAX_INTENTOS: u32 = 5;

/// Dead-lettered bodies with the reason.
type Muertos = Arc<Mutex<Vec<(Vec<u8>, String)>>>;

struct Entrega {
    body: Vec<u8>,
    intentos: u32,
}

/// One queue: it holds its messages until its consumer takes the receiving end.
struct Buzon {
    cola: Cola,
    tx: mpsc::UnboundedSender<Entrega>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<Entrega>>>,
}

pub struct EmbeddedBus {
    /// Every queue of the platform, as RabbitMQ's topology has them.
    buzones: Vec<Buzon>,
    dlq: Muertos,
    conectado: Arc<AtomicBool>,
}

impl Default for EmbeddedBus {
    fn default() -> Self {
        let buzones = COLAS
            .into_iter()
            .map(|cola| {
                let (tx, rx) = mpsc::unbounded_channel();
                Buzon {
                    cola,
                    tx,
                    rx: Mutex::new(Some(rx)),
                }
            })
            .collect();
        Self {
            buzones,
            dlq: Arc::default(),
            conectado: Arc::default(),
        }
    }
}

impl EmbeddedBus {
    /// Publishes raw bytes to notificaciones' queue, as a misbehaving producer could (for
    /// poison-message tests).
    pub fn publicar_crudo(&self, body: Vec<u8>) {
        if let Some(b) = self.buzones.iter().find(|b| b.cola == NOTIFICACIONES) {
            let _ = b.tx.send(Entrega { body, intentos: 0 });
        }
    }

    /// Dead-lettered messages with the reason, oldest first.
    pub fn dlq(&self) -> Vec<(Vec<u8>, String)> {
        self.dlq.lock().expect("mutex").clone()
    }
}

#[async_trait]
impl Publicador for EmbeddedBus {
    async fn publicar(&self, routing_key: &str, envelope: &Envelope) -> Result<(), BusError> {
        let body = serde_json::to_vec(envelope).map_err(|e| BusError(e.to_string()))?;
        for b in self.buzones.iter().filter(|b| b.cola.recibe(routing_key)) {
            b.tx.send(Entrega {
                body: body.clone(),
                intentos: 0,
            })
            .map_err(|_| BusError("embedded bus closed".into()))?;
        }
        Ok(())
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
    async fn iniciar(&self, cola: Cola, manejador: Arc<dyn Manejador>) -> Result<(), BusError> {
        let buzon = self
            .buzones
            .iter()
            .find(|b| b.cola == cola)
            .ok_or_else(|| BusError(format!("no queue named {}", cola.nombre)))?;
        let mut rx = buzon
            .rx
            .lock()
            .expect("mutex")
            .take()
            .ok_or_else(|| BusError(format!("{} already has its consumer", cola.nombre)))?;
        let (tx, dlq, conectado) = (buzon.tx.clone(), self.dlq.clone(), self.conectado.clone());
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
