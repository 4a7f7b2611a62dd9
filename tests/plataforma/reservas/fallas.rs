//! Fault tests on real backends, each under load and bounded in time. They run in
//! parallel with every other test: whatever they kill is PRIVATE to them (a Redis, a
//! SecantusDB, a reservas-pagos process, a TCP proxy), and what they share (the
//! SecantusDB, Redis and RabbitMQ of `scripts/test.sh`) they use through unique database
//! names, key prefixes and AMQP prefixes.
//!
//! 1. `redis_caido_en_venta_flash`: the private Redis of reservas' locks and eventos'
//!    cache is killed mid-sale, then restarted on the same port.
//! 2. `secantus_matado_en_carga`: the private SecantusDB of all three services gets
//!    SIGKILL mid-sale and is restarted on the same storage path.
//! 3. (RabbitMQ) lives in `tests/plataforma/notificaciones/corte_rabbit_proxy.rs`.
//! 4. `proceso_matado_tres_veces`: the reservas-pagos process gets `kill -9` at random
//!    moments of a flash sale, three times.
//! 5. `dependencia_lenta_y_sobrecarga`: usuarios, then eventos, answer after 5 s; the
//!    SAGA times out and compensates, and excess requests are shed (`sobrecarga`).
//!
//! Run: `EVENTFLOW_REAL_BACKENDS=1 cargo nextest run --workspace --no-capture -E
//! 'test(/^reservas::fallas::/)'` (the figures are printed on stderr).

use super::common;

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Backend, Stack};
use eventflow_shared::auth::Servicio;
use eventflow_shared::config::{RedisConfig, StoreConfig, DEV_ADMIN_TOKEN};
use eventflow_testkit as testing;
use eventflow_testkit::fallas::{azar, Proxy, RedisPrivado, SecantusPrivado};
use eventflow_testkit::respuestas::json_de;
use futures::future::join_all;
use mongodb::bson::Document;
use reqwest::Client;
use serde_json::{json, Value};

/// One POST /api/reservar as the buyer saw it. `status` 0: no HTTP answer at all.
#[derive(Debug, Clone)]
struct Intento {
    inicio: Instant,
    ms: u128,
    status: u16,
    cuerpo: Value,
}

impl Intento {
    fn dependencia(&self) -> &str {
        self.cuerpo["dependencia"].as_str().unwrap_or("")
    }
}

/// Every buyer books one ticket after another until `parar` (or the hard limit `fin`),
/// pausing `pausa` after anything but a 201. Returns every attempt.
async fn carga(
    http: Client,
    reservas: String,
    evento: String,
    usuarios: Vec<String>,
    parar: Arc<AtomicBool>,
    pausa: Duration,
) -> Vec<Intento> {
    let fin = Instant::now() + Duration::from_secs(120);
    let tareas = usuarios.into_iter().map(|u| {
        let (http, reservas, evento, parar) = (
            http.clone(),
            reservas.clone(),
            evento.clone(),
            parar.clone(),
        );
        tokio::spawn(async move {
            let mut hechos = Vec::new();
            while !parar.load(Ordering::SeqCst) && Instant::now() < fin {
                let inicio = Instant::now();
                // Each attempt a deliberate purchase, with its own key: without one, a
                // repeat within 10 s would be a double submission, answered with the first.
                let res = http
                    .post(format!("{reservas}/api/reservar"))
                    .header("idempotency-key", uuid::Uuid::new_v4().to_string())
                    .timeout(Duration::from_secs(20))
                    .json(&json!({"usuario_id": u, "evento_id": evento, "cantidad": 1}))
                    .send()
                    .await;
                let (status, cuerpo) = match res {
                    Ok(r) => {
                        let st = r.status().as_u16();
                        (st, r.json::<Value>().await.unwrap_or(Value::Null))
                    }
                    Err(_) => (0, Value::Null),
                };
                let ms = inicio.elapsed().as_millis();
                hechos.push(Intento {
                    inicio,
                    ms,
                    status,
                    cuerpo,
                });
                if status != 201 {
                    tokio::time::sleep(pausa).await;
                }
            }
            hechos
        })
    });
    join_all(tareas)
        .await
        .into_iter()
        .flat_map(|r| r.expect("buyer task"))
        .collect()
}

fn por_status(intentos: &[Intento]) -> BTreeMap<u16, usize> {
    let mut m = BTreeMap::new();
    for i in intentos {
        *m.entry(i.status).or_default() += 1;
    }
    m
}

fn ids_confirmados(intentos: &[Intento]) -> Vec<String> {
    intentos
        .iter()
        .filter(|i| i.status == 201)
        .map(|i| i.cuerpo["id"].as_str().expect("201 has an id").to_owned())
        .collect()
}

/// Sends `req` with a deadline of `plazo` and reads the JSON answer; `que` names the
/// answer and the body for the panic when either does not come.
async fn leer_json(req: reqwest::RequestBuilder, plazo: Duration, que: [&str; 2]) -> Value {
    req.timeout(plazo)
        .send()
        .await
        .expect(que[0])
        .json()
        .await
        .expect(que[1])
}

/// Every reservation of these buyers (all pages).
async fn reservas_de(http: &Client, reservas: &str, usuarios: &[String]) -> Vec<Value> {
    let mut todas = Vec::new();
    for u in usuarios {
        let mut offset = 0;
        loop {
            let v = leer_json(
                http.get(format!(
                    "{reservas}/api/reservas?usuario_id={u}&limit=100&offset={offset}"
                )),
                Duration::from_secs(10),
                ["list reservations", "reservation page"],
            )
            .await;
            let items = v["items"].as_array().cloned().unwrap_or_default();
            let n = items.len();
            todas.extend(items);
            if n < 100 {
                break;
            }
            offset += 100;
        }
    }
    todas
}

/// The ids of the CONFIRMADA reservations in `todas`, once every attempt answered 201 is
/// among them: nothing confirmed to a buyer was lost.
fn confirmadas_con_cada_201<'a>(todas: &'a [Value], intentos: &[Intento]) -> HashSet<&'a str> {
    let confirmadas: HashSet<&str> = todas
        .iter()
        .filter(|r| r["estado"] == "CONFIRMADA")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in ids_confirmados(intentos) {
        assert!(confirmadas.contains(id.as_str()), "201 {id} not CONFIRMADA");
    }
    confirmadas
}

fn terminal(r: &Value) -> bool {
    matches!(
        r["estado"].as_str(),
        Some("CONFIRMADA" | "FALLIDA" | "CANCELADA")
    )
}

/// Waits (at most `max`) until every reservation of these buyers is terminal; returns them.
async fn esperar_terminales(
    http: &Client,
    reservas: &str,
    usuarios: &[String],
    max: Duration,
) -> Vec<Value> {
    let fin = Instant::now() + max;
    loop {
        let todas = reservas_de(http, reservas, usuarios).await;
        let abiertas: Vec<&Value> = todas.iter().filter(|r| !terminal(r)).collect();
        if abiertas.is_empty() {
            return todas;
        }
        assert!(
            Instant::now() < fin,
            "{} reservations still not terminal after {max:?}, e.g. {}",
            abiertas.len(),
            abiertas[0]
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The event's only zone, read from eventos.
async fn zona(http: &Client, eventos: &str, evento: &str) -> Value {
    let v = leer_json(
        http.get(format!("{eventos}/api/eventos/{evento}")),
        Duration::from_secs(10),
        ["GET evento", "evento body"],
    )
    .await;
    v["zonas"][0].clone()
}

/// Reconciles the event through a reservas process's internal route and asserts it is
/// clean: every sale, confirmation and payment agree, nothing needed repairing.
async fn conciliado_http(http: &Client, reservas: &str, evento: &str) -> Value {
    let v = leer_json(
        http.get(format!("{reservas}/internal/conciliacion/{evento}"))
            .bearer_auth(Servicio::Eventos.token_dev()),
        Duration::from_secs(30),
        ["reconciliation answers", "a report"],
    )
    .await;
    assert_eq!(
        v["discrepancias"],
        json!([]),
        "reconciliation is not clean: {v}"
    );
    assert_eq!(
        (&v["pendientes"], &v["en_curso"]),
        (&json!(0), &json!(0)),
        "{v}"
    );
    v
}

/// capacity = available + sold, sold = confirmed: nothing held, nothing lost.
fn inventario_consistente(z: &Value, capacidad: u64, confirmadas: u64) {
    let (d, v) = (
        z["disponibles"].as_u64().unwrap(),
        z["vendidas"].as_u64().unwrap(),
    );
    assert_eq!(v, confirmadas, "sold = confirmed: {z}");
    assert_eq!(d + v, capacidad, "a hold is left: {z}");
}

async fn usuarios(s: &Stack, n: usize) -> Vec<String> {
    join_all((0..n).map(|i| s.usuario(i))).await
}

/// Units on sale in the load tests' only zone.
const CAPACIDAD: u64 = 5000;

/// A flash sale under way for the fault tests: the stack on `mongo` and `redis` with short
/// lock and recovery intervals, one zone of [`CAPACIDAD`] seats and `n` buyers booking
/// every 50 ms until `parar` is set; the load task returns every attempt.
async fn venta_en_carga(
    mongo: String,
    redis: String,
    n: usize,
) -> (
    Stack,
    String,
    Vec<String>,
    Arc<AtomicBool>,
    tokio::task::JoinHandle<Vec<Intento>>,
) {
    let otro = common::Redis(redis);
    let s = common::stack_with(Backend::Real { mongo, otro }, |r| {
        r.lock_ttl = Duration::from_secs(2);
        r.recuperacion_intervalo = Duration::from_secs(1);
        r.http_timeout = Duration::from_secs(5);
    })
    .await;
    let evento = s.evento(&[("General", 1000, CAPACIDAD as i64)]).await;
    let compradores = usuarios(&s, n).await;
    let parar = Arc::new(AtomicBool::new(false));
    let c = tokio::spawn(carga(
        s.http.clone(),
        s.reservas.clone(),
        evento.clone(),
        compradores.clone(),
        parar.clone(),
        Duration::from_millis(50),
    ));
    (s, evento, compradores, parar, c)
}

// ---------------------------------------------------------------------------------------
// 1. Redis killed mid flash-sale
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_caido_en_venta_flash() {
    let Some(mongo) = testing::mongo_uri().await else {
        return;
    };
    let mut redis = RedisPrivado::arrancar().await;
    let (s, evento, compradores, parar, c) = venta_en_carga(mongo, redis.url(), 40).await;

    tokio::time::sleep(Duration::from_millis(1500)).await;
    redis.matar();
    let muerto = Instant::now();

    // Reads keep working while Redis is down (eventos falls back to MongoDB).
    let mut lecturas = 0;
    while muerto.elapsed() < Duration::from_secs(3) {
        let t = Instant::now();
        let r = s
            .http
            .get(format!("{}/api/eventos/{evento}", s.eventos))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .expect("GET evento while Redis is down");
        assert_eq!(r.status(), 200, "reads must survive Redis");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "read took {:?}",
            t.elapsed()
        );
        lecturas += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    redis.iniciar().await;
    let vivo = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    parar.store(true, Ordering::SeqCst);
    let intentos = c.await.unwrap();

    // While down (a 100 ms margin for requests already past the lock): fast 503 naming redis.
    let margen = Duration::from_millis(100);
    let caidos: Vec<&Intento> = intentos
        .iter()
        .filter(|i| i.inicio > muerto + margen && i.inicio + Duration::from_millis(1200) < vivo)
        .collect();
    assert!(
        caidos.len() >= 40,
        "few attempts while down: {}",
        caidos.len()
    );
    for i in &caidos {
        assert_eq!(i.status, 503, "while Redis is down: {i:?}");
        assert_eq!(i.dependencia(), "redis", "{i:?}");
        assert!(i.ms < 1000, "a 503 must be fast: {i:?}");
    }
    let max_ms = caidos.iter().map(|i| i.ms).max().unwrap_or(0);
    assert!(
        intentos.iter().all(|i| i.status != 500 && i.status != 0),
        "no 500, no dropped connection: {:?}",
        por_status(&intentos)
    );
    let antes = intentos
        .iter()
        .filter(|i| i.status == 201 && i.inicio < muerto)
        .count();
    let despues = intentos
        .iter()
        .filter(|i| i.status == 201 && i.inicio > vivo)
        .count();
    assert!(antes > 0, "sold before the fault");
    assert!(despues > 0, "sales resume once Redis is back");

    let todas =
        esperar_terminales(&s.http, &s.reservas, &compradores, Duration::from_secs(30)).await;
    let confirmadas = confirmadas_con_cada_201(&todas, &intentos);
    // No junk: an attempt refused at the lock (Redis down) is not stored. Only those that
    // reached a side effect (the lock taken) are: at most the attempts not refused 503 redis.
    let con_efecto = intentos
        .iter()
        .filter(|i| !(i.status == 503 && i.dependencia() == "redis"))
        .count();
    assert!(
        todas.len() <= con_efecto,
        "{} stored reservations for {con_efecto} attempts that reached a side effect",
        todas.len()
    );
    let z = zona(&s.http, &s.eventos, &evento).await;
    inventario_consistente(&z, CAPACIDAD, confirmadas.len() as u64);
    s.conciliado(&evento).await;
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let locks = s.lock_keys().await;
    assert!(locks.is_empty(), "locks left: {locks:?}");
    eprintln!(
        "FIGURES redis: {} reservation requests {:?}; 1 Redis kill ({} ms down); {} attempts \
         while down, all 503 redis, slowest {max_ms} ms; {lecturas} reads while down, all 200; \
         {antes} sold before, {despues} after; {} reservations stored (for {con_efecto} \
         attempts past the lock), {} confirmed, inventory {z}; holds left 0, locks left 0; \
         reconciliation 0 discrepancies",
        intentos.len(),
        por_status(&intentos),
        vivo.duration_since(muerto).as_millis(),
        caidos.len(),
        todas.len(),
        confirmadas.len()
    );
}

// ---------------------------------------------------------------------------------------
// 2. SecantusDB SIGKILLed mid-sale
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn secantus_matado_en_carga() {
    let Some(redis) = testing::redis_url().await else {
        return;
    };
    let mut db = SecantusPrivado::arrancar().await;
    let (s, evento, compradores, parar, c) = venta_en_carga(db.uri(), redis, 30).await;

    tokio::time::sleep(Duration::from_millis(2000)).await;
    db.matar();
    let muerto = Instant::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let reinicio = Instant::now();
    db.iniciar().await;
    let vivo = Instant::now();
    tokio::time::sleep(Duration::from_secs(3)).await;
    parar.store(true, Ordering::SeqCst);
    let intentos = c.await.unwrap();

    let statuses = por_status(&intentos);
    assert!(
        !statuses.contains_key(&500) && !statuses.contains_key(&0),
        "no 500 and no dropped connection: {statuses:?}"
    );
    // Every attempt the outage touched: it ended after the kill (100 ms margin) and began
    // early enough that MongoDB's 2 s server selection could not reach the restarted one.
    let caidos: Vec<&Intento> = intentos
        .iter()
        .filter(|i| {
            let fin = i.inicio + Duration::from_millis(i.ms as u64);
            fin > muerto + Duration::from_millis(100)
                && i.inicio + Duration::from_millis(2500) < reinicio
        })
        .collect();
    assert!(!caidos.is_empty(), "attempts while SecantusDB was down");
    // 503, or 202 when the outage hid the outcome of a step after the payment: nothing
    // is undone blind, and recovery finishes those (checked below: all terminal). A 201
    // is a SAGA that confirmed before the kill and whose answer then waited on recording
    // its Idempotency-Key (a best-effort write): it must read back CONFIRMADA, as every
    // 201 is checked to below.
    for i in &caidos {
        assert!(
            matches!(i.status, 503 | 202)
                || i.status == 201 && i.cuerpo["estado"] == "CONFIRMADA" && i.inicio < muerto,
            "while SecantusDB is down: {i:?}"
        );
    }
    let pendientes = caidos.iter().filter(|i| i.status == 202).count();
    let max_ms = caidos.iter().map(|i| i.ms).max().unwrap_or(0);
    // Fail fast: once the first 503 is back, the breaker is open and later attempts are
    // refused at once, before anything starts, instead of each waiting out MongoDB's
    // server selection.
    let primer_503 = caidos
        .iter()
        .filter(|i| i.status == 503)
        .map(|i| i.inicio + Duration::from_millis(i.ms as u64))
        .min()
        .expect("a 503 while SecantusDB was down");
    // Every attempt that began once the breaker had answered and ended before the
    // restart: a window of several seconds whatever the machine's load, where `caidos`
    // (begun within 1.5 s of the kill) may end before a slow first 503 does.
    let abierto: Vec<&Intento> = intentos
        .iter()
        .filter(|i| {
            i.inicio >= primer_503 && i.inicio + Duration::from_millis(i.ms as u64) < reinicio
        })
        .collect();
    let mut tras_el_primero: Vec<u128> = abierto
        .iter()
        .filter(|i| i.status == 503)
        .map(|i| i.ms)
        .collect();
    tras_el_primero.sort_unstable();
    assert!(
        tras_el_primero.len() >= 20,
        "attempts after the first 503: {tras_el_primero:?}"
    );
    let p99_503 = tras_el_primero[(tras_el_primero.len() * 99).div_ceil(100) - 1];
    let p50_503 = tras_el_primero[tras_el_primero.len() / 2];
    assert!(
        p99_503 < 1000,
        "p99 of the 503s after the first one: {p99_503} ms ({tras_el_primero:?})"
    );
    for i in &abierto {
        assert_eq!(
            i.status, 503,
            "refused at once while the breaker is open: {i:?}"
        );
    }
    // And it closes by itself: bookings confirm again soon after the restart.
    assert!(
        intentos
            .iter()
            .any(|i| i.status == 201 && i.inicio > vivo + Duration::from_millis(1000)),
        "no booking confirmed after SecantusDB came back"
    );
    let dependencias: BTreeMap<String, usize> = caidos.iter().fold(BTreeMap::new(), |mut m, i| {
        *m.entry(i.dependencia().to_owned()).or_default() += 1;
        m
    });

    // Nothing confirmed is lost: every 201 reads back CONFIRMADA, and is counted as sold.
    let ok = ids_confirmados(&intentos);
    assert!(!ok.is_empty());
    for id in &ok {
        let r = s.get_reserva(id).await;
        assert_eq!(r["estado"], "CONFIRMADA", "201 lost after the restart: {r}");
    }
    let z = zona(&s.http, &s.eventos, &evento).await;
    assert!(
        z["vendidas"].as_u64().unwrap() >= ok.len() as u64,
        "{} confirmed, {z}",
        ok.len()
    );

    // SAGAs caught mid-way: recovery brings every one to a terminal state.
    let todas =
        esperar_terminales(&s.http, &s.reservas, &compradores, Duration::from_secs(45)).await;
    let confirmadas = todas.iter().filter(|r| r["estado"] == "CONFIRMADA").count() as u64;
    let fallidas = todas.iter().filter(|r| r["estado"] == "FALLIDA").count();
    // Holds are released by recovery, or by eventos when its own write failed: wait a bit.
    let fin = Instant::now() + Duration::from_secs(20);
    let z = loop {
        let z = zona(&s.http, &s.eventos, &evento).await;
        let (d, v) = (
            z["disponibles"].as_u64().unwrap(),
            z["vendidas"].as_u64().unwrap(),
        );
        if d + v == CAPACIDAD || Instant::now() > fin {
            break z;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    if z["vendidas"].as_u64() != Some(confirmadas) {
        diagnostico_ventas(&s, &db.uri(), &evento, &todas).await;
    }
    inventario_consistente(&z, CAPACIDAD, confirmadas);
    s.conciliado(&evento).await;
    eprintln!(
        "FIGURES secantus: {} reservation requests {statuses:?}; 1 SIGKILL of SecantusDB \
         ({} ms down, {} ms to restart); {} attempts while down, all 503 ({dependencias:?}) but \
         {pendientes} 202 left to recovery, slowest \
         {max_ms} ms; first 503 {} ms after the kill, then {} 503s with p50 {p50_503} ms and p99 {p99_503} ms; {} 201s, all still CONFIRMADA; {} reservations, {confirmadas} confirmed, \
         {fallidas} failed and compensated; inventory {z}",
        intentos.len(),
        reinicio.duration_since(muerto).as_millis(),
        vivo.duration_since(reinicio).as_millis(),
        caidos.len(),
        primer_503.duration_since(muerto).as_millis(),
        tras_el_primero.len(),
        ok.len(),
        todas.len()
    );
}

/// On a mismatch, compares the stored event document (not the cached GET) with the
/// reservations, and prints what differs.
async fn diagnostico_ventas(s: &Stack, uri: &str, evento: &str, todas: &[Value]) {
    let cliente = mongodb::Client::with_uri_str(uri).await.unwrap();
    for nombre in cliente.list_database_names().await.unwrap() {
        if !nombre.starts_with("t_evt_") {
            continue;
        }
        let Some(d) = cliente
            .database(&nombre)
            .collection::<Document>("eventos")
            .find_one(mongodb::bson::doc! { "_id": evento })
            .await
            .unwrap()
        else {
            continue;
        };
        let ventas: HashSet<String> = d
            .get_document("ventas")
            .map(|v| v.keys().cloned().collect())
            .unwrap_or_default();
        let retenciones: Vec<String> = d
            .get_document("retenciones")
            .map(|v| v.keys().cloned().collect())
            .unwrap_or_default();
        eprintln!(
            "DIAG stored: inventario {:?}, {} ventas, retenciones {retenciones:?}",
            d.get("inventario"),
            ventas.len()
        );
        for r in todas.iter().filter(|r| r["estado"] == "CONFIRMADA") {
            let id = r["id"].as_str().unwrap();
            if !ventas.contains(id) {
                let url = format!("{}/api/reservas/{id}/eventos", s.reservas);
                let log = testing::respuestas::texto_de(s.http.get(url)).await;
                eprintln!("DIAG CONFIRMADA without a sale: {r}\nlog: {log}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 4. kill -9 of the reservas-pagos process, three times, during a flash sale
// ---------------------------------------------------------------------------------------

const LOCK_TTL: Duration = Duration::from_millis(2000);

/// How long a (re)started reservas process may take to answer `/health`.
const ARRANQUE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn proceso_matado_tres_veces() {
    let (Some(mongo), Some(redis), Some(amqp)) = (
        testing::mongo_uri().await,
        testing::redis_url().await,
        testing::amqp_url().await,
    ) else {
        return;
    };
    let mut u = usuarios_service::Config::embedded();
    u.store = StoreConfig::Mongo {
        uri: mongo.clone().into(),
        database: testing::unique_name("usr"),
    };
    let usuarios_url = testing::spawn(usuarios_service::build(u).await.expect("usuarios")).await;
    let mut e = eventos_service::Config::embedded();
    e.store = StoreConfig::Mongo {
        uri: mongo.clone().into(),
        database: testing::unique_name("evt"),
    };
    e.redis = RedisConfig::Redis {
        url: redis.clone().into(),
        prefix: format!("{}:", testing::unique_name("evt")),
    };
    let eventos_url = testing::spawn(eventos_service::build(e).await.expect("eventos")).await;
    let db_name = testing::unique_name("rsv");
    let db = eventflow_shared::mongo::connect(&mongo, &db_name)
        .await
        .unwrap();
    let mut p = common::proceso_reservas(
        &mongo,
        &redis,
        &amqp,
        &db_name,
        &usuarios_url,
        &eventos_url,
        &[("RESERVAS_LOCK_TTL_MS", LOCK_TTL.as_millis().to_string())],
    );
    // No idle connections: the restarted process listens on the same port.
    let http = Client::builder()
        .pool_max_idle_per_host(0)
        .default_headers(testing::cabeceras_admin())
        .build()
        .unwrap();

    const CAPACIDAD: u64 = 5000;
    let evento: Value = json_de(
        http.post(format!("{eventos_url}/api/eventos"))
            .bearer_auth(DEV_ADMIN_TOKEN)
            .json(
                &json!({"nombre": "Flash", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
                      "max_por_comprador": 1000,
                      "zonas": [{"nombre": "General", "precio": 5000, "capacidad": CAPACIDAD}]}),
            ),
    )
    .await;
    let evento = evento["id"].as_str().unwrap().to_owned();
    let compradores: Vec<String> = join_all((0..30).map(|i| {
        let (http, url) = (http.clone(), usuarios_url.clone());
        async move {
            let v: Value = json_de(http.post(format!("{url}/api/usuarios")).json(
                &json!({"tipo_documento": "DNI", "nro_documento": format!("{:08}", 60_000_000 + i),
                              "nombre": "Comprador", "apellido": format!("K{i}"),
                              "email": format!("k{i}@example.com")}),
            ))
            .await;
            v["id"].as_str().unwrap().to_owned()
        }
    }))
    .await;

    p.arrancar(&http, ARRANQUE).await;
    let parar = Arc::new(AtomicBool::new(false));
    let c = tokio::spawn(carga(
        http.clone(),
        p.url.clone(),
        evento.clone(),
        compradores.clone(),
        parar.clone(),
        Duration::from_millis(30),
    ));
    let mut esperas = Vec::new();
    let mut ultimo_kill = Instant::now();
    for _ in 0..3 {
        let espera = Duration::from_millis(500 + azar(1500));
        esperas.push(espera.as_millis());
        tokio::time::sleep(espera).await;
        p.matar();
        ultimo_kill = Instant::now();
        p.arrancar(&http, ARRANQUE).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    parar.store(true, Ordering::SeqCst);
    let intentos = c.await.unwrap();
    let statuses = por_status(&intentos);
    assert!(!statuses.contains_key(&500), "no 500: {statuses:?}");

    let todas = esperar_terminales(&http, &p.url, &compradores, Duration::from_secs(40)).await;
    let mut estados: BTreeMap<String, usize> = BTreeMap::new();
    for r in &todas {
        *estados
            .entry(r["estado"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let confirmadas = confirmadas_con_cada_201(&todas, &intentos);
    let z = zona(&http, &eventos_url, &evento).await;
    inventario_consistente(&z, CAPACIDAD, confirmadas.len() as u64);
    conciliado_http(&http, &p.url, &evento).await;

    // Payments: one document per reservation at most, in the state the reservation says.
    use futures::TryStreamExt;
    let pagos: Vec<Document> = db
        .collection::<Document>("pagos")
        .find(mongodb::bson::doc! {})
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let por_id: BTreeMap<&str, &Value> = todas
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r))
        .collect();
    let mut cobros: BTreeMap<String, usize> = BTreeMap::new();
    for pago in &pagos {
        let id = pago
            .get_str("reserva_id")
            .or_else(|_| pago.get_str("_id"))
            .unwrap()
            .to_owned();
        *cobros.entry(id).or_default() += 1;
    }
    assert!(
        cobros.values().all(|n| *n == 1),
        "a reservation charged twice: {cobros:?}"
    );
    for pago in &pagos {
        let id = pago.get_str("_id").unwrap();
        let r = por_id
            .get(id)
            .unwrap_or_else(|| panic!("payment without reservation: {pago}"));
        let estado = pago.get_str("estado").unwrap();
        match r["estado"].as_str().unwrap() {
            "CONFIRMADA" => assert_eq!(estado, "APROBADO", "{pago} {r}"),
            "FALLIDA" => assert_eq!(estado, "REEMBOLSADO", "{pago} {r}"),
            other => panic!("{other} with a payment {pago}"),
        }
    }
    for id in &confirmadas {
        assert!(cobros.contains_key(*id), "confirmed without payment: {id}");
    }

    // Locks: none outlives its TTL.
    let vencen = ultimo_kill + LOCK_TTL + Duration::from_millis(300);
    tokio::time::sleep(vencen.saturating_duration_since(Instant::now())).await;
    let cliente = redis::Client::open(redis.as_str()).unwrap();
    let mut conn = cliente.get_multiplexed_async_connection().await.unwrap();
    let locks: Vec<String> = redis::cmd("KEYS")
        .arg(format!("lock:evento:{evento}:*"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(locks.is_empty(), "locks left: {locks:?}");
    eprintln!(
        "FIGURES kill9: {} reservation requests {statuses:?}; 3 SIGKILLs of reservas-pagos \
         after {esperas:?} ms; {} reservations {estados:?}; {} payments, none twice; \
         inventory {z}; locks left 0",
        intentos.len(),
        todas.len(),
        pagos.len()
    );
}

// ---------------------------------------------------------------------------------------
// 5. A slow dependency, and load shedding
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dependencia_lenta_y_sobrecarga() {
    const LIMITE: usize = 32;
    let Some(backend) = Backend::real().await else {
        return;
    };
    let usuarios_lento = Proxy::nuevo("127.0.0.1:9").await;
    let eventos_lento = Proxy::nuevo("127.0.0.1:9").await;
    let (pu, pe) = (usuarios_lento.clone(), eventos_lento.clone());
    let s = common::stack_with(backend, move |r| {
        pu.destino(r.usuarios_url.trim_start_matches("http://"));
        pe.destino(r.eventos_url.trim_start_matches("http://"));
        r.usuarios_url = pu.http();
        r.eventos_url = pe.http();
        r.http_timeout = Duration::from_millis(1000);
        r.max_en_curso = LIMITE;
        // This test is about the lookups themselves: with the event copy on, the first
        // round would cache the event and the slow eventos would be met at the hold.
        r.ficha_ttl = Duration::ZERO;
    })
    .await;
    const CAPACIDAD: u64 = 100;
    let evento = s.evento(&[("General", 1000, CAPACIDAD as i64)]).await;
    let compradores = usuarios(&s, 3).await;
    let reservar = |u: &str| {
        let req = s
            .http
            .post(format!("{}/api/reservar", s.reservas))
            .timeout(Duration::from_secs(20))
            .json(&json!({"usuario_id": u, "evento_id": evento, "cantidad": 1}));
        async move {
            let t = Instant::now();
            let r = req.send().await.expect("reservas answers");
            let st = r.status().as_u16();
            let ct = r
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            let v: Value = r.json().await.unwrap_or(Value::Null);
            (st, v, t.elapsed(), ct)
        }
    };

    // Each peer in turn answers after 5 s: the SAGA gives up after 1 s, undoes nothing
    // because nothing was done, and says which peer it was.
    let mut lentas = Vec::new();
    for (proxy, nombre) in [(&usuarios_lento, "usuarios"), (&eventos_lento, "eventos")] {
        proxy.retrasar(Duration::from_secs(5));
        for u in &compradores {
            let (st, v, t, _) = reservar(u).await;
            assert_eq!(st, 503, "{v}");
            assert_eq!(v["dependencia"], nombre, "{v}");
            assert!(
                t >= Duration::from_millis(900) && t < Duration::from_millis(2500),
                "{nombre} slow: answered in {t:?}"
            );
            lentas.push(t.as_millis());
        }
        proxy.retrasar(Duration::ZERO);
        s.sin_retenciones(&evento).await;
    }
    let z = zona(&s.http, &s.eventos, &evento).await;
    inventario_consistente(&z, CAPACIDAD, 0);
    assert!(s.lock_keys().await.is_empty());

    // A burst far over the limit while usuarios is slow: at most LIMITE SAGAs wait on it,
    // the rest are shed at once with 503 `sobrecarga`.
    usuarios_lento.retrasar(Duration::from_secs(5));
    const RAFAGA: usize = 300;
    let t0 = Instant::now();
    let resultados = join_all((0..RAFAGA).map(|i| reservar(&compradores[i % 3]))).await;
    let rafaga_ms = t0.elapsed().as_millis();
    usuarios_lento.retrasar(Duration::ZERO);
    let mut rechazos = 0;
    let mut esperaron = 0;
    let mut max_rechazo = Duration::ZERO;
    for (st, v, t, ct) in &resultados {
        assert_eq!(*st, 503, "{v}");
        if v["type"] == "urn:eventflow:problem:sobrecarga" {
            assert_eq!(ct.as_deref(), Some("application/problem+json"));
            rechazos += 1;
            max_rechazo = max_rechazo.max(*t);
        } else {
            assert_eq!(v["dependencia"], "usuarios", "{v}");
            esperaron += 1;
        }
    }
    assert!(rechazos > 0, "nothing was shed");
    // The burst is sent within well under the 1 s a SAGA holds its permit here, so at most
    // LIMITE got through per second of burst.
    let tandas = 1 + rafaga_ms as usize / 1000;
    assert!(
        esperaron <= LIMITE * tandas,
        "{esperaron} SAGAs ran in a {rafaga_ms} ms burst, limit {LIMITE}"
    );
    assert!(
        max_rechazo < Duration::from_millis(1000),
        "shedding must be immediate: {max_rechazo:?}"
    );
    // Permits come back: a normal booking works again.
    let (st, v, _, _) = reservar(&compradores[0]).await;
    assert_eq!(st, 201, "{v}");
    let z = zona(&s.http, &s.eventos, &evento).await;
    inventario_consistente(&z, CAPACIDAD, 1);
    s.conciliado(&evento).await;
    let (conexiones, _) = usuarios_lento.cuentas();
    eprintln!(
        "FIGURES lenta: {} requests with a 5 s peer, all 503 after {lentas:?} ms, nothing held; \
         burst of {RAFAGA} in {rafaga_ms} ms with limit {LIMITE}: {esperaron} ran (503 \
         usuarios), {rechazos} shed (503 sobrecarga, slowest {} ms); {conexiones} connections \
         reached the slow usuarios; then 201; inventory {z}",
        lentas.len(),
        max_rechazo.as_millis()
    );
}
