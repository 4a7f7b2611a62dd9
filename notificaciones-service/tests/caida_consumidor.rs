//! The notificaciones process is killed (SIGKILL) mid-stream and restarted: nothing is
//! lost (unacked messages are redelivered) and nothing is doubled (the notification's
//! id is the message id).

use std::time::Duration;

use eventflow_shared::auth::Servicio;
use eventflow_shared::bus::{Envelope, Publicador, RabbitBus, RESERVA_CONFIRMADA};
use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_testkit as testing;
use eventflow_testkit::fallas::puerto_libre;
use eventflow_testkit::proceso::Proceso;
use serde_json::{json, Value};

/// The notificaciones binary on real backends, listening on `port`; `env` adds the rest.
fn notificaciones(port: u16, env: Vec<(&'static str, String)>) -> Proceso {
    let mut todo = vec![
        ("EVENTFLOW_BACKENDS", "real".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    todo.extend(env);
    Proceso::nuevo(env!("CARGO_BIN_EXE_notificaciones-service"), port, todo)
}

async fn total(http: &reqwest::Client, base: &str) -> Option<u64> {
    let v: Value = http
        .get(format!("{base}/api/notificaciones?limit=1"))
        .bearer_auth(eventflow_shared::config::DEV_ADMIN_TOKEN)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()?;
    v["total"].as_u64()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_del_consumidor_no_pierde_ni_duplica() {
    let (Some(mongo), Some(amqp)) = (testing::mongo_uri().await, testing::amqp_url().await) else {
        return;
    };
    let cfg = testing::rabbit_aislado(&amqp);
    let port = puerto_libre();
    let base = format!("http://127.0.0.1:{port}");
    let env = vec![
        ("MONGODB_URI", mongo),
        ("NOTIFICACIONES_DB", testing::unique_name("ntf")),
        ("AMQP_URL", amqp),
        ("AMQP_PREFIX", cfg.prefix.clone()),
        ("AMQP_QUEUE_EXPIRES_MS", cfg.expira_ms.unwrap().to_string()),
        ("NOTIFICACIONES_PORT", port.to_string()),
        // Required on real backends; only the admin reads here (no usuarios to ask).
        ("EVENTFLOW_ADMIN_TOKEN", DEV_ADMIN_TOKEN.to_owned()),
        (
            "EVENTFLOW_TOKEN_NOTIFICACIONES",
            Servicio::Notificaciones.token_dev().to_owned(),
        ),
    ];
    let http = reqwest::Client::new();
    let mut proceso = notificaciones(port, env);
    proceso.lanzar();

    const N: usize = 300;
    let publicador = RabbitBus::connect(cfg.clone()).await.unwrap();
    // Keep publishing while the consumer is killed, so the kill lands mid-stream.
    let enviando = tokio::spawn(async move {
        for i in 0..N {
            let env = Envelope::new(
                RESERVA_CONFIRMADA.0,
                &format!("c{i}"),
                json!({"reservaId": format!("r{i}"), "usuarioId": "u", "eventoId": "e", "zona": "General", "cantidad": 1, "total": 100}),
            );
            publicador
                .publicar(RESERVA_CONFIRMADA.1, &env)
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });

    // Kill it once it is part-way through the queue.
    let mut visto = 0;
    for _ in 0..300 {
        visto = total(&http, &base).await.unwrap_or(0);
        if visto >= 30 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        visto > 0 && (visto as usize) < N,
        "killed mid-stream (saw {visto})"
    );
    proceso.matar();
    proceso.lanzar();
    enviando.await.unwrap();

    let mut n = 0;
    for _ in 0..300 {
        n = total(&http, &base).await.unwrap_or(0);
        if n as usize >= N {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    n = total(&http, &base).await.unwrap_or(n);
    assert_eq!(n as usize, N, "every message has exactly one notification");
    drop(proceso);
}
