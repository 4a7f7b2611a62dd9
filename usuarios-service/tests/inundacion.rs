//! A flood of registrations with a password against one usuarios process, run as the
//! binary it ships as (a child process, default hashing slots), on embedded and on real
//! backends: memory stays bounded because at most `USUARIOS_HASHES_SIMULTANEOS` argon2id
//! hashes (about 19 MiB each) run at once, and every request past them is a 503 at once.
//! The per-IP limit is set out of the way, so the semaphore is what is measured.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_testkit as testing;
use eventflow_testkit::fallas::puerto_libre;
use eventflow_testkit::proceso::Proceso;
use futures::future::join_all;
use serde_json::{json, Value};

/// Registrations fired at once.
const N: usize = 200;
/// The bound the issue sets: a 256 MiB container must survive the flood.
const RSS_MAX_KIB: u64 = 256 * 1024;

/// A field of `/proc/<pid>/status`, in KiB (`VmRSS`, `VmHWM`).
fn kib(pid: u32, campo: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(campo)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {campo} for pid {pid}"))
}

async fn inundacion(env: Vec<(&'static str, String)>, backend: &str) {
    let port = puerto_libre();
    let mut todo = vec![
        ("USUARIOS_PORT", port.to_string()),
        ("EVENTFLOW_ADMIN_TOKEN", DEV_ADMIN_TOKEN.to_owned()),
        // Every request comes from 127.0.0.1: the per-IP limit out of the way.
        ("EVENTFLOW_SESIONES_POR_IP", "1000000".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    todo.extend(eventflow_testkit::env_tokens_de_servicio());
    todo.extend(env);
    let mut p = Proceso::nuevo(env!("CARGO_BIN_EXE_usuarios-service"), port, todo);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    p.arrancar(&http, Duration::from_secs(30)).await;
    let pid = p.pid().expect("running");
    let base_kib = kib(pid, "VmRSS");

    // Sample VmRSS while the flood runs (VmHWM below is the kernel's own peak).
    let pico = Arc::new(AtomicU64::new(base_kib));
    let muestreo = {
        let pico = pico.clone();
        tokio::spawn(async move {
            loop {
                pico.fetch_max(kib(pid, "VmRSS"), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };
    let t = Instant::now();
    let respuestas = join_all((0..N).map(|i| {
        let (http, url) = (http.clone(), format!("{}/api/usuarios", p.url));
        async move {
            let r = http
                .post(url)
                .json(&json!({"tipo_documento": "DNI", "nro_documento": format!("{:08}", 50_000_000 + i),
                              "nombre": "Ana", "apellido": "Quispe",
                              "email": format!("flood{i}@example.com"),
                              "password": "caballo-bateria-grapa"}))
                .send()
                .await
                .expect("every request is answered");
            let status = r.status().as_u16();
            let retry = r.headers().get("retry-after").is_some();
            let body: Value = r.json().await.unwrap_or_default();
            (status, retry, body)
        }
    }))
    .await;
    let duracion = t.elapsed();
    muestreo.abort();
    let hwm_kib = kib(pid, "VmHWM");
    let (mut creados, mut limitados, mut ocupados) = (0, 0, 0);
    for (status, retry, body) in &respuestas {
        match status {
            201 => creados += 1,
            429 => limitados += 1,
            503 => {
                assert!(retry, "503 without Retry-After: {body}");
                assert_eq!(body["type"], "urn:eventflow:problem:sobrecarga", "{body}");
                ocupados += 1;
            }
            otro => panic!("unexpected {otro}: {body}"),
        }
    }
    println!(
        "{N} concurrent registrations ({backend}): {creados} × 201, {limitados} × 429, \
         {ocupados} × 503 in {duracion:?}; RSS {} MiB before, {} MiB at most sampled, \
         peak (VmHWM) {} MiB, bound {} MiB",
        base_kib / 1024,
        pico.load(Ordering::Relaxed) / 1024,
        hwm_kib / 1024,
        RSS_MAX_KIB / 1024
    );
    assert!(creados > 0, "some registrations must get through");
    assert!(
        hwm_kib < RSS_MAX_KIB,
        "peak RSS {hwm_kib} KiB over the {RSS_MAX_KIB} KiB bound"
    );
    // What was answered 201 is what is stored: the 503s left nothing behind.
    let total: Value = http
        .get(format!("{}/api/usuarios?limit=1", p.url))
        .bearer_auth(DEV_ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(total["total"], creados, "{total}");
    // And the service is still there for the next buyer.
    let r = http
        .post(format!("{}/api/usuarios", p.url))
        .json(
            &json!({"tipo_documento": "DNI", "nro_documento": "49999999", "nombre": "Beto",
                      "apellido": "Quispe", "email": "beto@example.com",
                      "password": "quena-charango-1984"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inundacion_de_registros_embebido() {
    inundacion(
        vec![("EVENTFLOW_BACKENDS", "embedded".to_owned())],
        "embebido",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inundacion_de_registros_real() {
    let (Some(mongo), Some(amqp)) = (testing::mongo_uri().await, testing::amqp_url().await) else {
        return;
    };
    let bus = testing::rabbit_aislado(&amqp);
    let db = testing::unique_name("usr");
    inundacion(
        vec![
            ("EVENTFLOW_BACKENDS", "real".to_owned()),
            ("MONGODB_URI", mongo.clone()),
            ("USUARIOS_DB", db.clone()),
            ("AMQP_URL", amqp),
            ("AMQP_PREFIX", bus.prefix.clone()),
            (
                "AMQP_QUEUE_EXPIRES_MS",
                bus.expira_ms
                    .unwrap_or(testing::COLAS_EXPIRAN_MS)
                    .to_string(),
            ),
        ],
        "mongodb",
    )
    .await;
    if let Ok(d) = eventflow_shared::mongo::connect(&mongo, &db).await {
        let _ = d.drop().await;
    }
}
