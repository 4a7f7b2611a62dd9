//! Crash recovery across a real process boundary. reservas-pagos runs as a child process
//! on MongoDB, Redis and RabbitMQ; a SAGA is frozen mid-way with `X-Simular-Fallo`, the
//! process is killed with SIGKILL (no shutdown hook, no last write), and a fresh process
//! with the same configuration must finish every abandoned reservation on its own:
//! forward when it was paid, compensated when it was not. Afterwards the inventory, the
//! payment ledger, the buyer's history, the checkout locks and the event log must agree.
//!
//! usuarios and eventos run in-process on the same real backends, each on a database (and
//! for eventos a Redis key prefix) no other test uses; reservas gets its own database
//! through `RESERVAS_DB` and its own RabbitMQ exchange through `AMQP_PREFIX`. Its lock keys
//! are unprefixed, which is safe: they embed this test's unique event and user ids.

use super::common;
use crate::comun;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use eventflow_shared::auth::Servicio;
use eventflow_shared::bus::{BusConfig, RabbitConfig};
use eventflow_shared::config::{RedisConfig, StoreConfig};
use eventflow_testkit as testing;
use eventflow_testkit::proceso::Proceso;
use eventflow_testkit::respuestas::json_de;
use futures::StreamExt;
use mongodb::bson::{doc, Document};
use reqwest::Client;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

/// `RESERVAS_LOCK_TTL_MS`: also how long a SAGA must sit unwritten to count as abandoned.
const LOCK_TTL: Duration = Duration::from_millis(2000);
/// Unit price of the event's only zone, in minor units.
const PRECIO: i64 = 5000;
const COLGAR_TRAS_PAGO: &str = "colgar-tras-pago";
/// Frozen right after the charge, which only the payment ledger records.
const COLGAR_TRAS_COBRO: &str = "colgar-tras-cobro";
const COLGAR_TRAS_RETENCION: &str = "colgar-tras-retencion";

/// The real backends this test needs, or `None` (the test returns) when they are not
/// required and not there; with `EVENTFLOW_REAL_BACKENDS=1` a missing one panics.
struct Backends {
    mongo: String,
    redis: String,
    amqp: String,
}

impl Backends {
    async fn detectar() -> Option<Self> {
        Some(Self {
            mongo: testing::mongo_uri().await?,
            redis: testing::redis_url().await?,
            amqp: testing::amqp_url().await?,
        })
    }
}

/// The reservas binary as a child process on `b`, with the SAGA's fault switch on
/// (`X-Simular-Fallo`) and at most 10 tickets a reservation.
fn proceso_reservas(
    b: &Backends,
    db: &str,
    usuarios: &str,
    eventos: &str,
    rabbit: &RabbitConfig,
) -> Proceso {
    common::proceso_reservas(
        &b.mongo,
        &b.redis,
        &b.amqp,
        db,
        usuarios,
        eventos,
        &[
            ("RESERVAS_SIMULAR_FALLOS", "1".to_owned()),
            ("RESERVAS_LOCK_TTL_MS", LOCK_TTL.as_millis().to_string()),
            ("RESERVAS_MAX_CANTIDAD", "10".to_owned()),
            // The exchange and queues usuarios consumes the history from.
            ("AMQP_PREFIX", rabbit.prefix.clone()),
        ],
    )
}

/// How long a (re)started reservas process may take to answer `/health`.
const ARRANQUE: Duration = Duration::from_secs(20);

/// One crash scenario: the peers in-process, reservas as a child, and direct handles on
/// reservas' database and Redis to check what the API does not show.
struct Escenario {
    http: Client,
    usuarios: String,
    eventos: String,
    reservas: Proceso,
    db: mongodb::Database,
    redis: redis::Client,
    /// The exchange every reservas process publishes to, and usuarios consumes.
    rabbit: RabbitConfig,
}

impl Escenario {
    async fn montar(b: &Backends) -> Self {
        let mongo = |prefijo: &str| StoreConfig::Mongo {
            uri: b.mongo.clone().into(),
            database: testing::unique_name(prefijo),
        };
        // usuarios writes the purchase history from the messages of the reservas child.
        let rabbit = testing::rabbit_aislado(&b.amqp);
        let mut u = usuarios_service::Config::embedded();
        u.store = mongo("usr");
        u.bus = BusConfig::Rabbit(rabbit.clone());
        let usuarios = testing::spawn(usuarios_service::build(u).await.expect("usuarios")).await;

        let mut e = eventos_service::Config::embedded();
        e.store = mongo("evt");
        e.redis = RedisConfig::Redis {
            url: b.redis.clone().into(),
            prefix: format!("{}:", testing::unique_name("evt")),
        };
        let eventos = testing::spawn(eventos_service::build(e).await.expect("eventos")).await;

        let db_name = testing::unique_name("rsv");
        let db = eventflow_shared::mongo::connect(&b.mongo, &db_name)
            .await
            .expect("connect to MongoDB");
        let redis = redis::Client::open(b.redis.as_str()).expect("Redis URL");
        // No idle connections: the restarted process listens on the same port, and a
        // pooled connection to the killed one must not be reused.
        let http = Client::builder()
            .pool_max_idle_per_host(0)
            .default_headers(eventflow_testkit::cabeceras_admin())
            .build()
            .unwrap();
        Self {
            reservas: proceso_reservas(b, &db_name, &usuarios, &eventos, &rabbit),
            rabbit,
            http,
            usuarios,
            eventos,
            db,
            redis,
        }
    }

    async fn evento(&self, capacidad: u64) -> String {
        let cuerpo = json!({"nombre": "Concierto", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
                            "zonas": [{"nombre": "General", "precio": PRECIO, "capacidad": capacidad}]});
        comun::crear_evento(&self.http, &self.eventos, cuerpo, None).await
    }

    async fn usuario(&self, i: usize) -> String {
        let cuerpo = json!({"tipo_documento": "DNI", "nro_documento": format!("{:08}", 70_000_000 + i),
                            "nombre": "Comprador", "apellido": format!("N{i}"),
                            "email": format!("r{i}@example.com")});
        comun::registrar_comprador(&self.http, &self.usuarios, cuerpo).await
    }

    async fn get(&self, url: String) -> Value {
        let res = self.http.get(url).send().await.unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        res.json().await.unwrap()
    }

    async fn zona(&self, evento: &str) -> Value {
        self.get(format!("{}/api/eventos/{evento}", self.eventos))
            .await["zonas"][0]
            .clone()
    }

    /// The buyer's only reservation, if the SAGA has written it yet.
    async fn reserva_de(&self, usuario: &str) -> Option<Value> {
        let res = self
            .http
            .get(format!(
                "{}/api/reservas?usuario_id={usuario}",
                self.reservas.url
            ))
            .send()
            .await
            .ok()?;
        let v: Value = res.json().await.ok()?;
        let items = v["items"].as_array()?;
        assert!(items.len() <= 1, "one reservation per buyer: {v}");
        items.first().cloned()
    }

    /// Every `lock:*` key Redis holds for this event (SCAN, as the service itself does).
    async fn locks(&self, evento: &str) -> Vec<String> {
        let mut conn = self
            .redis
            .get_multiplexed_async_connection()
            .await
            .expect("connect to Redis");
        let patron = format!("lock:evento:{evento}:*");
        let mut cursor = 0u64;
        let mut keys = Vec::new();
        loop {
            let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&patron)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut conn)
                .await
                .expect("SCAN");
            keys.extend(batch);
            if next == 0 {
                return keys;
            }
            cursor = next;
        }
    }

    /// The payment documents for a reservation, however they are keyed.
    async fn pagos(&self, reserva: &str) -> Vec<Document> {
        use futures::TryStreamExt;
        self.db
            .collection::<Document>("pagos")
            .find(doc! { "$or": [{ "_id": reserva }, { "reserva_id": reserva }] })
            .await
            .expect("query pagos")
            .try_collect()
            .await
            .expect("read pagos")
    }

    /// The stored reservation document, read straight from MongoDB.
    async fn documento(&self, reserva: &str) -> Document {
        self.db
            .collection::<Document>("reservas")
            .find_one(doc! { "_id": reserva })
            .await
            .expect("query reservas")
            .unwrap_or_else(|| panic!("reservation {reserva} is not stored"))
    }
}

/// Whether the reservation has reached the point its fault freezes it at: the payment
/// recorded (`colgar-tras-pago`), charged in the ledger only (`colgar-tras-cobro`), or
/// the hold recorded (`colgar-tras-retencion`).
async fn congelada_en(s: &Escenario, r: &Value, fallo: &str) -> bool {
    if r["estado"] != "EN_CURSO" {
        return false;
    }
    match fallo {
        COLGAR_TRAS_PAGO => r["pago"]["estado"] == "APROBADO",
        COLGAR_TRAS_COBRO => {
            let pagos = s.pagos(r["id"].as_str().unwrap()).await;
            r["pago"].is_null() && pagos.iter().any(|p| p.get_str("estado") == Ok("APROBADO"))
        }
        COLGAR_TRAS_RETENCION => r["pasos"].as_array().is_some_and(|p| {
            p.iter()
                .any(|p| p["handler"] == "ValidadorInventario" && p["resultado"] == "ok")
        }),
        other => panic!("unknown fault {other}"),
    }
}

/// One buyer per fault in `fallos`, each booking `cantidad` tickets concurrently; every
/// SAGA freezes where its fault says, the process is killed, and a new one recovers them.
async fn matar_y_recuperar(fallos: &[&'static str], capacidad: u64, cantidad: u64) {
    let Some(b) = Backends::detectar().await else {
        return;
    };
    let mut s = Escenario::montar(&b).await;
    let evento = s.evento(capacidad).await;
    let mut usuarios = Vec::new();
    for i in 0..fallos.len() {
        usuarios.push(s.usuario(i).await);
    }
    let http = s.http.clone();
    s.reservas.arrancar(&http, ARRANQUE).await;

    // The requests never get an answer: each SAGA stops for good at its fault.
    let colgadas: Vec<JoinHandle<Result<reqwest::Response, reqwest::Error>>> = usuarios
        .iter()
        .zip(fallos)
        .map(|(u, fallo)| {
            let req = s
                .http
                .post(format!("{}/api/reservar", s.reservas.url))
                .header("X-Simular-Fallo", *fallo)
                .json(&json!({"usuario_id": u, "evento_id": evento, "cantidad": cantidad}));
            tokio::spawn(req.send())
        })
        .collect();

    // Wait until every SAGA has recorded its progress, then kill at once: well within
    // LOCK_TTL, so the doomed process's own recovery loop has not touched them.
    let mut ids: Vec<Option<String>> = vec![None; fallos.len()];
    let fin = Instant::now() + Duration::from_secs(10);
    while ids.iter().any(Option::is_none) {
        for (i, u) in usuarios.iter().enumerate() {
            if ids[i].is_none() {
                if let Some(r) = s.reserva_de(u).await {
                    if congelada_en(&s, &r, fallos[i]).await {
                        ids[i] = Some(r["id"].as_str().unwrap().to_owned());
                    }
                }
            }
        }
        assert!(
            Instant::now() < fin,
            "the SAGAs never reached their fault points: {ids:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ids: Vec<String> = ids.into_iter().map(Option::unwrap).collect();
    s.reservas.matar();
    let matado = Instant::now();

    // Every ticket was held (or, for a paid SAGA, still held): the crash left them taken.
    let zona = s.zona(&evento).await;
    let tomadas = cantidad * fallos.len() as u64;
    assert_eq!(
        zona["disponibles"].as_u64(),
        Some(capacidad - tomadas),
        "{zona}"
    );
    for c in colgadas {
        let res = tokio::time::timeout(Duration::from_secs(5), c)
            .await
            .expect("the hanging request ends when its server dies")
            .unwrap();
        assert!(res.is_err(), "a frozen SAGA answered: {res:?}");
    }
    // Dead in the middle: nothing finished these SAGAs before the restart.
    for id in &ids {
        let d = s.documento(id).await;
        assert_eq!(d.get_str("estado").unwrap(), "EN_CURSO", "{d}");
        let r = d.get_document("reserva").unwrap();
        let eventos = r.get_array("eventos").unwrap();
        assert!(
            !eventos
                .iter()
                .any(|e| e.as_document().and_then(|e| e.get_str("tipo").ok())
                    == Some("RecuperacionIniciada")),
            "recovered before the kill: {d}"
        );
    }

    // A new process, same configuration: its recovery loop finds the abandoned SAGAs.
    s.reservas.arrancar(&http, ARRANQUE).await;
    let mut finales: Vec<Value> = Vec::new();
    let fin = Instant::now() + Duration::from_secs(20);
    for id in &ids {
        loop {
            let r = s.get(format!("{}/api/reservas/{id}", s.reservas.url)).await;
            if r["estado"] != "EN_CURSO" {
                finales.push(r);
                break;
            }
            assert!(
                Instant::now() < fin,
                "reservation {id} not recovered within 20 s: {r}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    let mut confirmadas = 0;
    for ((r, fallo), usuario) in finales.iter().zip(fallos).zip(&usuarios) {
        let id = r["id"].as_str().unwrap();
        let confirmada = match (*fallo, r["estado"].as_str().unwrap()) {
            // Paid: completed forward, or (if confirming had become impossible) refunded.
            (COLGAR_TRAS_PAGO | COLGAR_TRAS_COBRO, "CONFIRMADA") => {
                assert_eq!(r["pago"]["estado"], "APROBADO", "{r}");
                // Completed by a process that never saw the request: its tickets came
                // with the confirming write all the same, one per seat.
                let entradas = r["entradas"].as_array().expect("tickets");
                assert_eq!(entradas.len() as u64, cantidad, "one ticket per seat: {r}");
                let codigos: std::collections::BTreeSet<&str> = entradas
                    .iter()
                    .map(|e| e["codigo"].as_str().unwrap())
                    .collect();
                assert_eq!(codigos.len() as u64, cantidad, "distinct codes: {r}");
                assert!(entradas.iter().all(|e| e["estado"] == "VALIDA"), "{r}");
                true
            }
            (COLGAR_TRAS_PAGO | COLGAR_TRAS_COBRO, "FALLIDA") => {
                assert_eq!(r["pago"]["estado"], "REEMBOLSADO", "{r}");
                // Only acceptable when eventos refused the confirmation (the hold had
                // expired); with its 120 s hold TTL that cannot happen here, so anything
                // else means recovery refunded a sale it could have completed.
                assert_eq!(r["fallo"]["tipo"], "retencion-vencida", "{r}");
                false
            }
            // Never charged: everything done is undone, and nothing is charged now.
            (COLGAR_TRAS_RETENCION, "FALLIDA") => {
                assert_eq!(r["pago"], Value::Null, "{r}");
                assert_eq!(r["entradas"], json!([]), "no sale, no tickets: {r}");
                assert!(
                    r["compensaciones"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|c| c["handler"] == "ValidadorInventario"),
                    "the hold release is recorded: {r}"
                );
                false
            }
            (f, estado) => panic!("{f} ended {estado}: {r}"),
        };
        confirmadas += usize::from(confirmada);

        // The provider's ledger: one charge at most, in the state the reservation says.
        let pagos = s.pagos(id).await;
        if *fallo == COLGAR_TRAS_PAGO || *fallo == COLGAR_TRAS_COBRO {
            assert_eq!(pagos.len(), 1, "exactly one charge for {id}: {pagos:?}");
            let p = &pagos[0];
            assert_eq!(p.get_str("_id").unwrap(), id);
            assert_eq!(p.get_i64("monto").unwrap(), PRECIO * cantidad as i64, "{p}");
            let esperado = if confirmada {
                "APROBADO"
            } else {
                "REEMBOLSADO"
            };
            assert_eq!(p.get_str("estado").unwrap(), esperado, "{p}");
        } else {
            assert!(pagos.is_empty(), "no charge for {id}: {pagos:?}");
        }

        // The buyer's history has it exactly when it is confirmed: it follows the bus,
        // so a confirmed one may take a moment to arrive.
        let mut historial = Vec::new();
        for _ in 0..200 {
            historial = comun::historial_compras(&s.http, &s.usuarios, usuario).await;
            if !confirmada || historial == [id] {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if confirmada {
            assert_eq!(historial, [id], "the history of {usuario}");
        } else {
            assert!(
                historial.is_empty(),
                "the history of {usuario}: {historial:?}"
            );
        }

        // The log: recovery took over once, seq is 1..=n, the charge happened once.
        let log = s
            .get(format!("{}/api/reservas/{id}/eventos", s.reservas.url))
            .await;
        let eventos = log["eventos"].as_array().unwrap();
        let seqs: Vec<u64> = eventos.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        let esperadas: Vec<u64> = (1..=eventos.len() as u64).collect();
        assert_eq!(seqs, esperadas, "seq has gaps: {log}");
        let tipos: Vec<&str> = eventos
            .iter()
            .map(|e| e["tipo"].as_str().unwrap())
            .collect();
        let cuantos = |t: &str| tipos.iter().filter(|x| **x == t).count();
        assert_eq!(cuantos("RecuperacionIniciada"), 1, "{tipos:?}");
        let pagada = *fallo == COLGAR_TRAS_PAGO || *fallo == COLGAR_TRAS_COBRO;
        let pagos_aprobados = usize::from(pagada);
        assert_eq!(cuantos("PagoAprobado"), pagos_aprobados, "{tipos:?}");
        if confirmada {
            for t in ["InventarioConfirmado", "ReservaConfirmada"] {
                assert_eq!(cuantos(t), 1, "{t} in {tipos:?}");
            }
        } else {
            assert_eq!(cuantos("ReservaFallida"), 1, "{tipos:?}");
            assert_eq!(cuantos("ReservaConfirmada"), 0, "{tipos:?}");
        }
        let recuperada_en = tipos
            .iter()
            .position(|t| *t == "RecuperacionIniciada")
            .unwrap();
        let previo = match *fallo {
            COLGAR_TRAS_PAGO => "PagoAprobado",
            // Only the first write, before the hold, was made: the charge is in the
            // ledger, and recovery logs it after it took over.
            COLGAR_TRAS_COBRO => "LockAdquirido",
            _ => "InventarioRetenido",
        };
        assert_eq!(
            tipos[recuperada_en - 1],
            previo,
            "recovery took over where the SAGA froze: {tipos:?}"
        );
    }

    // Inventory: what is sold is exactly what was confirmed, and no hold is left.
    let zona = s.zona(&evento).await;
    let vendidas = cantidad * confirmadas as u64;
    assert_eq!(zona["vendidas"].as_u64(), Some(vendidas), "{zona}");
    assert_eq!(
        zona["disponibles"].as_u64(),
        Some(capacidad - vendidas),
        "{zona}"
    );
    eprintln!(
        "recovered {} reservations after SIGKILL: {confirmadas} confirmed, {} compensated",
        ids.len(),
        ids.len() - confirmadas
    );

    // Locks: released by recovery or expired with their TTL; none outlives it.
    let vencen = matado + LOCK_TTL + Duration::from_millis(200);
    tokio::time::sleep(vencen.saturating_duration_since(Instant::now())).await;
    let locks = s.locks(&evento).await;
    assert!(locks.is_empty(), "locks left: {locks:?}");
}

/// Paid, then killed before confirmation: recovery completes it forward (the hold is
/// still valid, so it is CONFIRMADA; a refund would be accepted if it were not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagada_y_matada_se_completa() {
    matar_y_recuperar(&[COLGAR_TRAS_PAGO], 10, 2).await;
}

/// Charged, then killed before the charge reached the reservation (its only record is
/// the payment ledger): recovery asks the ledger and completes it forward, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cobrada_sin_registro_y_matada_se_completa() {
    matar_y_recuperar(&[COLGAR_TRAS_COBRO, COLGAR_TRAS_COBRO], 10, 2).await;
}

/// Held, then killed before any charge: recovery compensates it and releases the hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retenida_y_matada_se_compensa() {
    matar_y_recuperar(&[COLGAR_TRAS_RETENCION], 10, 2).await;
}

/// Five buyers frozen at once, paid and unpaid mixed, holding the whole capacity when the
/// process dies: every one ends terminal and the inventory matches the confirmations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn varias_colgadas_a_la_vez() {
    matar_y_recuperar(
        &[
            COLGAR_TRAS_PAGO,
            COLGAR_TRAS_RETENCION,
            COLGAR_TRAS_PAGO,
            COLGAR_TRAS_RETENCION,
            COLGAR_TRAS_PAGO,
        ],
        10,
        2,
    )
    .await;
}

/// Reservations of this event and their payments, straight from reservas' database.
async fn reservas_y_pagos(
    db: &mongodb::Database,
    evento: &str,
) -> Vec<(reservas_pagos_service::domain::Reserva, Option<String>)> {
    use futures::TryStreamExt;
    let docs: Vec<Document> = db
        .collection::<Document>("reservas")
        .find(doc! { "reserva.evento_id": evento })
        .await
        .expect("query reservas")
        .try_collect()
        .await
        .expect("read reservas");
    let mut out = Vec::new();
    for d in docs {
        let r: reservas_pagos_service::domain::Reserva =
            mongodb::bson::from_document(d.get_document("reserva").unwrap().clone())
                .expect("a stored reservation");
        let pago = db
            .collection::<Document>("pagos")
            .find_one(doc! { "_id": &r.id })
            .await
            .expect("query pagos")
            .map(|p| p.get_str("estado").unwrap().to_owned());
        out.push((r, pago));
    }
    out
}

/// One round of [`tres_instancias_recuperan_sin_pisarse`].
async fn ronda_de_recuperacion(b: &Backends, ronda: usize) {
    const EN_VUELO: usize = 220;
    const VIVAS: usize = 60;
    // Long enough that the victim's own sweeper cannot claim its hung SAGAs before the
    // kill; short enough for a quick takeover.
    const TTL: &str = "4000";
    let mut s = Escenario::montar(b).await;
    let db_name = s.db.name().to_owned();
    let mut procesos = vec![
        proceso_reservas(b, &db_name, &s.usuarios, &s.eventos, &s.rabbit),
        proceso_reservas(b, &db_name, &s.usuarios, &s.eventos, &s.rabbit),
    ];
    for (p, nombre) in std::iter::once(&mut s.reservas)
        .chain(procesos.iter_mut())
        .zip(["victima", "superviviente-1", "superviviente-2"])
    {
        p.env.retain(|(k, _)| *k != "RESERVAS_LOCK_TTL_MS");
        p.env.push(("RESERVAS_LOCK_TTL_MS", TTL.to_owned()));
        p.env.push(("RESERVAS_INSTANCIA", nombre.to_owned()));
    }
    let capacidad = (EN_VUELO + VIVAS) as u64;
    let evento = s.evento(capacidad).await;
    let usuarios: Vec<String> = futures::stream::iter(0..EN_VUELO + VIVAS)
        .map(|i| s.usuario(i))
        .buffered(16)
        .collect()
        .await;
    let http = s.http.clone();
    s.reservas.arrancar(&http, ARRANQUE).await;
    for p in &mut procesos {
        p.arrancar(&http, ARRANQUE).await;
    }

    // The victim takes EN_VUELO checkouts and every one freezes: half after the charge,
    // half after the hold.
    let colgadas: Vec<JoinHandle<_>> = usuarios[..EN_VUELO]
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let fallo = [COLGAR_TRAS_PAGO, COLGAR_TRAS_RETENCION][i % 2];
            let req = http
                .post(format!("{}/api/reservar", s.reservas.url))
                .header("X-Simular-Fallo", fallo)
                .json(&json!({"usuario_id": u, "evento_id": evento, "cantidad": 1}));
            tokio::spawn(req.send())
        })
        .collect();
    let fin = Instant::now() + Duration::from_secs(20);
    loop {
        let n = reservas_y_pagos(&s.db, &evento).await.len();
        if n >= EN_VUELO {
            break;
        }
        assert!(
            Instant::now() < fin,
            "only {n} of {EN_VUELO} checkouts stored"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    s.reservas.matar();
    let matado = Instant::now();
    for c in colgadas {
        let _ = c.await;
    }

    // While the survivors take the dead one's work over, buyers keep buying from them.
    let vivas: Vec<(u16, Value)> = futures::stream::iter(usuarios[EN_VUELO..].iter().enumerate())
        .map(|(i, u)| {
            let req = http
                .post(format!("{}/api/reservar", procesos[i % 2].url))
                .json(&json!({"usuario_id": u, "evento_id": evento, "cantidad": 1}));
            async move {
                let r = req.send().await.expect("a survivor answers");
                (
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    for (st, v) in &vivas {
        assert_eq!(*st, 201, "a live checkout on a survivor: {v}");
    }

    let fin = Instant::now() + Duration::from_secs(40);
    let todas = loop {
        let todas = reservas_y_pagos(&s.db, &evento).await;
        if todas.iter().all(|(r, _)| r.estado.terminal()) {
            break todas;
        }
        assert!(
            Instant::now() < fin,
            "round {ronda}: not all terminal 40 s after the kill"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let recuperada_ms = matado.elapsed().as_millis();

    let (mut confirmadas, mut por_instancia) = (0u64, BTreeMap::<String, usize>::new());
    let mut de_la_victima = 0;
    for (r, pago) in &todas {
        let reclamos: Vec<&str> = r
            .eventos
            .iter()
            .filter(|e| e.tipo == "RecuperacionIniciada")
            .map(|e| e.datos["instancia"].as_str().unwrap_or("?"))
            .collect();
        let supervivientes: Vec<&&str> = reclamos
            .iter()
            .filter(|i| i.starts_with("superviviente"))
            .collect();
        de_la_victima += reclamos.len() - supervivientes.len();
        let colgada = usuarios[..EN_VUELO].contains(&r.usuario_id.clone().unwrap().into_string());
        if !colgada {
            assert!(
                reclamos.is_empty(),
                "a live SAGA was taken over: {:?}",
                r.eventos
            );
        } else {
            // Exactly one recoverer. On a loaded machine the victim's own sweeper may
            // have claimed a hung SAGA of its own before the kill: then that claim died
            // with it (or finished it), and at most one survivor took over after it.
            let victima = reclamos.len() - supervivientes.len();
            assert!(
                supervivientes.len() == 1 && victima <= 1
                    || supervivientes.is_empty() && victima == 1,
                "round {ronda}: {} recovered by {reclamos:?}: {:?}",
                r.id,
                r.eventos
            );
            let quien = supervivientes.first().map_or("victima", |s| **s);
            *por_instancia.entry(quien.to_string()).or_default() += 1;
        }
        let estado = pago.as_deref();
        match r.estado {
            reservas_pagos_service::domain::Estado::Confirmada => {
                confirmadas += 1;
                assert_eq!(
                    estado,
                    Some("APROBADO"),
                    "CONFIRMADA ⇔ APROBADO: {:?}",
                    r.eventos
                );
            }
            _ => assert_ne!(
                estado,
                Some("APROBADO"),
                "paid, not confirmed: {:?}",
                r.eventos
            ),
        }
    }
    // Reconciliation agrees, asked of a survivor.
    let informe: Value = json_de(
        http.get(format!(
            "{}/internal/conciliacion/{evento}",
            procesos[0].url
        ))
        .bearer_auth(Servicio::Eventos.token_dev()),
    )
    .await;
    assert_eq!(
        informe["discrepancias"],
        json!([]),
        "round {ronda}: {informe}"
    );
    assert_eq!(informe["vendidas"].as_u64(), Some(confirmadas), "{informe}");
    let recuperadas: usize = por_instancia.values().sum();
    assert!(
        recuperadas >= 200,
        "round {ronda}: only {recuperadas} recovered"
    );
    let zona = s.zona(&evento).await;
    assert_eq!(
        zona["vendidas"].as_u64(),
        Some(confirmadas),
        "sold ⇔ CONFIRMADA: {zona}"
    );
    assert_eq!(
        zona["disponibles"].as_u64(),
        Some(capacidad - confirmadas),
        "a hold is left: {zona}"
    );
    eprintln!(
        "FIGURES recuperacion concurrente, round {ronda}: kill -9 with {EN_VUELO} in flight; \
         {recuperadas} taken over by {por_instancia:?} (each exactly once), {de_la_victima} \
         claims by the victim before it died; {} live checkouts 201 meanwhile; all {} \
         terminal {recuperada_ms} ms after the kill; {confirmadas} CONFIRMADA = sold = \
         APROBADO; reconciliation 0 discrepancies",
        vivas.len(),
        todas.len()
    );
}

/// Three reservas processes on one store; one gets kill -9 with 220 checkouts in flight.
/// The two survivors sweep the same reservations every second, and buyers keep buying
/// from them: each abandoned reservation is taken over by exactly one survivor (the
/// claim is one version-guarded write), and none ends CONFIRMADA with a refund. Five
/// rounds in a row, so a race shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tres_instancias_recuperan_sin_pisarse() {
    let Some(b) = Backends::detectar().await else {
        return;
    };
    for ronda in 1..=5 {
        ronda_de_recuperacion(&b, ronda).await;
    }
}
