//! A RabbitMQ outage during a sale, WITHOUT touching the shared broker: every service
//! reaches RabbitMQ through a TCP proxy of this test's own, which is cut (every open
//! connection dropped, new ones refused) for 6 s while buyers keep booking, then
//! restored. Reservations keep answering 201; afterwards each confirmed reservation has
//! exactly one `reserva-confirmada` notification: none lost, none doubled. Safe in
//! parallel with other tests (own exchange and queues through a unique AMQP prefix).
//!
//! Run: `EVENTFLOW_REAL_BACKENDS=1 cargo nextest run --workspace --no-capture -E
//! 'test(/^notificaciones::corte_rabbit_proxy::/)'`.

use super::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Backend;
use eventflow_shared::bus::BusConfig;
use eventflow_testkit as testing;
use eventflow_testkit::fallas::Proxy;
use eventflow_testkit::respuestas::json_de;
use futures::future::join_all;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rabbit_cortado_por_proxy_sin_perdidas_ni_duplicados() {
    let Some(backend) = Backend::real().await else {
        return;
    };
    let Backend::Real {
        otro: common::Rabbit(amqp),
        ..
    } = &backend
    else {
        unreachable!()
    };
    // amqp://user:pass@host:port/vhost → the proxy goes to host:port.
    let tras_arroba = amqp.rsplit('@').next().unwrap();
    let destino = tras_arroba.split('/').next().unwrap().to_owned();
    let proxy = Proxy::nuevo(&destino).await;
    let url = amqp.replace(&destino, &format!("127.0.0.1:{}", proxy.port));
    let bus = BusConfig::Rabbit(testing::rabbit_aislado(&url));
    let p = common::plataforma(&backend, bus, true).await;

    let evento = p.evento(10_000, "corte-proxy").await;
    let usuarios: Vec<String> = join_all((0..20).map(|i| p.usuario(500 + i))).await;
    let parar = Arc::new(AtomicBool::new(false));
    let tareas: Vec<_> = usuarios
        .iter()
        .map(|u| {
            let (http, url, u, evento, parar) = (
                p.http.clone(),
                p.reservas.clone(),
                u.clone(),
                evento.clone(),
                parar.clone(),
            );
            tokio::spawn(async move {
                let mut hechas: Vec<(u16, Value)> = Vec::new();
                let fin = Instant::now() + Duration::from_secs(60);
                while !parar.load(Ordering::SeqCst) && Instant::now() < fin {
                    let r = http
                        .post(format!("{url}/api/reservar"))
                        .header("idempotency-key", format!("{u}-{}", hechas.len()))
                        .timeout(Duration::from_secs(20))
                        .json(&json!({"usuario_id": u, "evento_id": evento}))
                        .send()
                        .await
                        .expect("reservas answers");
                    let st = r.status().as_u16();
                    hechas.push((st, r.json().await.unwrap_or(Value::Null)));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                hechas
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    proxy.cortar();
    let cortado = Instant::now();
    tokio::time::sleep(Duration::from_secs(6)).await;
    proxy.restaurar();
    tokio::time::sleep(Duration::from_secs(2)).await;
    parar.store(true, Ordering::SeqCst);
    let hechas: Vec<(u16, Value)> = join_all(tareas)
        .await
        .into_iter()
        .flat_map(|t| t.unwrap())
        .collect();
    let corte_ms = cortado.elapsed().as_millis();
    for (st, v) in &hechas {
        assert_eq!(
            *st, 201,
            "bookings keep working while the broker is away: {v}"
        );
    }
    let ids: Vec<String> = hechas
        .iter()
        .map(|(_, v)| v["id"].as_str().unwrap().to_owned())
        .collect();

    // Every confirmation arrives, exactly once (within 60 s of the restore).
    let fin = Instant::now() + Duration::from_secs(60);
    let mut faltan: Vec<&String> = ids.iter().collect();
    while !faltan.is_empty() {
        let mut siguen = Vec::new();
        for id in faltan {
            let n = p
                .notificaciones_de(&format!("tipo=reserva-confirmada&reserva_id={id}"))
                .await
                .len();
            assert!(n <= 1, "reservation {id} notified {n} times");
            if n == 0 {
                siguen.push(id);
            }
        }
        faltan = siguen;
        if !faltan.is_empty() && Instant::now() >= fin {
            // Which side is stuck: a consumer that never came back says so in /ready.
            let listo = match p
                .http
                .get(format!("{}/ready", p.notificaciones))
                .send()
                .await
            {
                Ok(r) => r.text().await.unwrap_or_default(),
                Err(e) => e.to_string(),
            };
            panic!(
                "{} of {} confirmations never notified, e.g. {}; notificaciones /ready: {listo}",
                faltan.len(),
                ids.len(),
                faltan[0]
            );
        }
        if !faltan.is_empty() {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    let entregado = cortado.elapsed().as_millis();
    // Give a redelivery the chance to show up, then count again: exactly one each.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for id in &ids {
        let n = p
            .notificaciones_de(&format!("tipo=reserva-confirmada&reserva_id={id}"))
            .await
            .len();
        assert_eq!(n, 1, "reservation {id} has {n} notifications");
    }
    // Reconciliation agrees: sales, reservations and payments.
    let informe: Value = json_de(
        p.http
            .get(format!("{}/internal/conciliacion/{evento}", p.reservas))
            .bearer_auth(eventflow_shared::auth::Servicio::Eventos.token_dev()),
    )
    .await;
    assert_eq!(informe["discrepancias"], json!([]), "{informe}");
    assert_eq!(
        informe["vendidas"].as_u64(),
        Some(ids.len() as u64),
        "{informe}"
    );
    let (conexiones, rechazadas) = proxy.cuentas();
    eprintln!(
        "FIGURES rabbit-proxy: {} bookings, all 201; 1 broker outage of 6000 ms (proxy cut: \
         {rechazadas} connections refused, {conexiones} forwarded); all {} confirmations \
         notified exactly once, the last {} ms after the cut began (load ran {corte_ms} ms \
         after it); lost 0, doubled 0; reconciliation 0 discrepancies",
        hechas.len(),
        ids.len(),
        entregado
    );
}
