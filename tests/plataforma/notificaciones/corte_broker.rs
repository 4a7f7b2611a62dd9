//! RabbitMQ stopped mid-traffic: reservations keep succeeding, their messages wait in
//! the outboxes, and once the broker is back every one is delivered exactly once in
//! effect. It stops the shared broker, so it is `#[ignore]`d in the main run and
//! `scripts/test.sh` runs it alone afterwards; it restarts the broker even on failure.

use super::common;

use std::process::Command;
use std::time::Duration;

use common::{plataforma, Backend};

fn rabbitmqctl(args: &[&str]) {
    let ok = Command::new("rabbitmqctl")
        .args(args)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(ok, "rabbitmqctl {args:?} failed");
}

/// Starts the broker again when the test ends, however it ends.
struct Reanudar;

impl Drop for Reanudar {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl").arg("start_app").status();
        let _ = Command::new("rabbitmqctl")
            .args(["await_startup", "--timeout", "60"])
            .status();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "stops RabbitMQ: scripts/test.sh runs it alone"]
async fn corte_broker_no_pierde_ni_duplica() {
    let Some(b) = Backend::real().await else {
        return;
    };
    let p = plataforma(&b, b.bus(), true).await;
    let evento = p.evento(50, "antes-del-corte").await;
    assert_eq!(
        p.esperar("tipo=nuevo-evento", 1).await.len(),
        1,
        "the bus works before the outage"
    );
    let mut usuarios = Vec::new();
    for i in 0..8 {
        usuarios.push(p.usuario(i).await);
    }

    let _reanudar = Reanudar;
    rabbitmqctl(&["stop_app"]);
    let mut reservas = Vec::new();
    for (i, u) in usuarios.iter().enumerate() {
        // Sales go on while the broker is down: 201 as usual.
        reservas.push(p.reservar(u, &evento, &format!("durante-{i}")).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        p.notificaciones_de("tipo=reserva-confirmada")
            .await
            .is_empty(),
        "nothing can arrive while the broker is down"
    );

    rabbitmqctl(&["start_app"]);
    rabbitmqctl(&["await_startup", "--timeout", "60"]);
    for _ in 0..300 {
        if p.notificaciones_de("tipo=reserva-confirmada").await.len() >= reservas.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let llegadas = p.notificaciones_de("tipo=reserva-confirmada").await;
    assert_eq!(
        llegadas.len(),
        reservas.len(),
        "every message delivered, none doubled"
    );
    for (i, r) in reservas.iter().enumerate() {
        let n: Vec<_> = llegadas
            .iter()
            .filter(|n| n["reserva_id"] == r.as_str())
            .collect();
        assert_eq!(n.len(), 1, "{r}");
        assert_eq!(n[0]["correlation_id"], format!("durante-{i}"));
    }
}
