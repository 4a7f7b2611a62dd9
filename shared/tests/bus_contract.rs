//! Contract tests for the bus port, against the embedded bus and a real RabbitMQ:
//! delivery, at-least-once redelivery, poison and repeatedly failing messages.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use eventflow_shared::bus::{
    Consumidor, EmbeddedBus, Envelope, Manejador, Publicador, RabbitBus, Resultado, HISTORIAL,
    NOTIFICACIONES,
};
use eventflow_testkit as testing;
use serde_json::json;

/// Records what it sees; fails the first `fallos` deliveries of messages marked `falla`.
#[derive(Default)]
struct Espia {
    vistos: Mutex<Vec<Envelope>>,
    fallos: Mutex<u32>,
}

#[async_trait]
impl Manejador for Espia {
    async fn manejar(&self, env: Envelope) -> Resultado {
        self.vistos.lock().unwrap().push(env.clone());
        match env.payload["modo"].as_str() {
            Some("siempre-falla") => Resultado::Reintentar("siempre".into()),
            Some("descartar") => Resultado::Descartar("no sirve".into()),
            Some("falla-una-vez") => {
                let mut f = self.fallos.lock().unwrap();
                if *f == 0 {
                    *f += 1;
                    Resultado::Reintentar("transitorio".into())
                } else {
                    Resultado::Hecho
                }
            }
            _ => Resultado::Hecho,
        }
    }
}

impl Espia {
    fn veces(&self, modo: &str) -> usize {
        self.vistos
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.payload["modo"] == modo)
            .count()
    }

    async fn esperar(&self, modo: &str, n: usize) {
        for _ in 0..100 {
            if self.veces(modo) >= n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{modo}: saw {} deliveries, wanted {n}", self.veces(modo));
    }
}

fn msg(modo: &str) -> Envelope {
    Envelope::new("EventCreated", "corr-1", json!({ "modo": modo }))
}

/// Published before the consumer starts, so it must wait in the queue, not be lost.
async fn contrato(
    publicador: Arc<dyn Publicador>,
    consumidor: Arc<dyn Consumidor>,
    dlq: impl AsyncFn() -> usize,
) {
    let temprano = msg("temprano");
    publicador
        .publicar("evento.creado", &temprano)
        .await
        .unwrap();
    let espia = Arc::new(Espia::default());
    consumidor
        .iniciar(NOTIFICACIONES, espia.clone())
        .await
        .unwrap();
    espia.esperar("temprano", 1).await;
    assert_eq!(
        espia.vistos.lock().unwrap()[0],
        temprano,
        "the envelope arrives intact"
    );

    publicador
        .publicar("reserva.confirmada", &msg("falla-una-vez"))
        .await
        .unwrap();
    espia.esperar("falla-una-vez", 2).await;

    publicador
        .publicar("reserva.cancelada", &msg("descartar"))
        .await
        .unwrap();
    publicador
        .publicar("reserva.cancelada", &msg("siempre-falla"))
        .await
        .unwrap();
    espia.esperar("descartar", 1).await;
    espia.esperar("siempre-falla", 2).await;
    for _ in 0..100 {
        if dlq().await >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        dlq().await,
        2,
        "rejected and repeatedly failing messages are dead-lettered"
    );

    // The consumer keeps going after all that.
    publicador
        .publicar("evento.creado", &msg("despues"))
        .await
        .unwrap();
    espia.esperar("despues", 1).await;
    assert_eq!(espia.veces("temprano"), 1);
    assert!(consumidor.conectado());
}

#[tokio::test]
async fn contrato_embebido() {
    let bus = Arc::new(EmbeddedBus::default());
    let b = bus.clone();
    bus.publicar_crudo(b"no es json".to_vec());
    contrato(bus.clone(), bus.clone(), async move || {
        b.dlq().len().saturating_sub(1)
    })
    .await;
    assert!(bus.dlq()[0].1.contains("not an EventFlow envelope"));
}

/// Each queue gets what its bindings ask for, from messages published before any
/// consumer started; a dead letter lands in its own queue's dead-letter queue only.
async fn rutas(
    publicador: Arc<dyn Publicador>,
    notificaciones: Arc<dyn Consumidor>,
    historial: Arc<dyn Consumidor>,
    dlq_historial: impl AsyncFn() -> usize,
    dlq_notificaciones: impl AsyncFn() -> usize,
) {
    for (clave, modo) in [
        ("evento.creado", "evento"),
        ("reserva.confirmada", "confirmada"),
        ("usuario.codigo", "codigo"),
        ("reserva.cancelada", "descartar"),
    ] {
        publicador.publicar(clave, &msg(modo)).await.unwrap();
    }
    let (todo, compras) = (Arc::new(Espia::default()), Arc::new(Espia::default()));
    historial.iniciar(HISTORIAL, compras.clone()).await.unwrap();
    compras.esperar("descartar", 1).await;
    notificaciones
        .iniciar(NOTIFICACIONES, Arc::new(Todo(todo.clone())))
        .await
        .unwrap();
    todo.esperar("descartar", 1).await;
    todo.esperar("evento", 1).await;
    todo.esperar("codigo", 1).await;
    let modos = |e: &Espia| {
        let mut v: Vec<String> = e
            .vistos
            .lock()
            .unwrap()
            .iter()
            .map(|e| e.payload["modo"].as_str().unwrap_or_default().to_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(modos(&compras), ["confirmada", "descartar"]);
    assert_eq!(
        modos(&todo),
        ["codigo", "confirmada", "descartar", "evento"]
    );
    for _ in 0..100 {
        if dlq_historial().await >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dlq_historial().await, 1, "the history's rejection");
    assert_eq!(dlq_notificaciones().await, 0, "notificaciones took it");
}

/// Acks everything, recording it: notificaciones' side of [`rutas`].
struct Todo(Arc<Espia>);

#[async_trait]
impl Manejador for Todo {
    async fn manejar(&self, env: Envelope) -> Resultado {
        self.0.vistos.lock().unwrap().push(env);
        Resultado::Hecho
    }
}

#[tokio::test]
async fn rutas_embebido() {
    let bus = Arc::new(EmbeddedBus::default());
    let b = bus.clone();
    rutas(
        bus.clone(),
        bus.clone(),
        bus.clone(),
        async move || b.dlq().len(),
        async || 0,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rutas_rabbitmq() {
    let Some(url) = testing::amqp_url().await else {
        return;
    };
    let cfg = testing::rabbit_aislado(&url);
    let bus = || async { Arc::new(RabbitBus::connect(cfg.clone()).await.unwrap()) };
    let (h, n) = (cfg.nombre(HISTORIAL.dlq), cfg.dlq());
    let u2 = url.clone();
    rutas(
        bus().await,
        bus().await,
        bus().await,
        async move || contar(&url, &h).await,
        async move || contar(&u2, &n).await,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contrato_rabbitmq() {
    let Some(url) = testing::amqp_url().await else {
        return;
    };
    let cfg = testing::rabbit_aislado(&url);
    let publicador = Arc::new(RabbitBus::connect(cfg.clone()).await.unwrap());
    let consumidor = Arc::new(RabbitBus::connect(cfg.clone()).await.unwrap());
    let dlq_name = cfg.dlq();
    let dlq = async move || contar(&url, &dlq_name).await;
    contrato(publicador, consumidor, dlq).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mensaje_veneno_rabbitmq() {
    let Some(url) = testing::amqp_url().await else {
        return;
    };
    let cfg = testing::rabbit_aislado(&url);
    let bus = Arc::new(RabbitBus::connect(cfg.clone()).await.unwrap());
    bus.publicar_crudo("evento.creado", b"{ not json")
        .await
        .unwrap();
    let espia = Arc::new(Espia::default());
    bus.iniciar(NOTIFICACIONES, espia.clone()).await.unwrap();
    bus.publicar("evento.creado", &msg("despues"))
        .await
        .unwrap();
    espia.esperar("despues", 1).await;
    for _ in 0..100 {
        if contar(&url, &cfg.dlq()).await == 1 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the poison message did not reach {}", cfg.dlq());
}

#[tokio::test]
async fn rabbitmq_inalcanzable_es_error_de_arranque() {
    let cfg = eventflow_shared::bus::RabbitConfig::new("amqp://guest:guest@127.0.0.1:1/%2f");
    let err = match RabbitBus::connect(cfg).await {
        Ok(_) => panic!("must not start without the configured broker"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("127.0.0.1:1"), "{err}");
}

/// Messages ready in a queue.
async fn contar(url: &str, queue: &str) -> usize {
    eventflow_testkit::mensajes_en_cola(url, queue).await
}
