//! Test stack for reservas-pagos: usuarios, eventos and reservas on ephemeral ports,
//! wired together exactly as in production, on embedded or real backends.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{RedisConfig, DEV_ADMIN_TOKEN};
use eventflow_testkit as testing;
use eventflow_testkit::proceso::Proceso;
use eventflow_testkit::respuestas::json_de;
use reqwest::{Client, Response};
use reservas_pagos_service::domain::Estado;
use reservas_pagos_service::saga::Deps;
use serde_json::{json, Value};

use crate::comun;

pub struct Stack {
    pub usuarios: String,
    pub eventos: String,
    pub reservas: String,
    pub http: Client,
    /// The reservas SAGA's dependencies: its lock store and reservation store.
    pub deps: Arc<Deps>,
}

/// The Redis URL of a reservas stack on real backends.
#[derive(Clone)]
pub struct Redis(pub String);

pub type Backend = crate::comun::Backend<Redis>;

impl Backend {
    /// Real backends, or `None` (the test then returns) when they are not required and
    /// not there. With `EVENTFLOW_REAL_BACKENDS=1` a missing backend panics instead.
    pub async fn real() -> Option<Self> {
        let mongo = testing::mongo_uri().await?;
        let otro = Redis(testing::redis_url().await?);
        Some(Self::Real { mongo, otro })
    }

    pub fn redis(&self, prefix: &str) -> RedisConfig {
        match self {
            Self::Embedded => RedisConfig::Embedded,
            Self::Real { otro, .. } => RedisConfig::Redis {
                url: otro.0.clone().into(),
                prefix: prefix.to_owned(),
            },
        }
    }
}

/// Starts the three services. `tweak` adjusts the reservas config (TTLs, fault switch).
pub async fn stack_with(
    backend: Backend,
    tweak: impl FnOnce(&mut reservas_pagos_service::Config),
) -> Stack {
    let prefix = format!("{}:", testing::unique_name("rsv"));
    // One bus for the stack, as the launcher has: usuarios writes the purchase history
    // from reservas' confirmations and cancellations.
    let bus = BusConfig::Embedded(Default::default());
    // eventos and usuarios ask reservas (reconciliations; an organizer's buyers), and
    // reservas asks them for everything else: bind reservas' port first so each knows
    // the other's URL.
    let reservas_l = testing::listen().await;
    let mut u = usuarios_service::Config::embedded();
    u.store = backend.store("usr");
    u.reservas_url = format!("http://{}", reservas_l.local_addr().unwrap());
    u.bus = bus.clone();
    let usuarios = testing::spawn(usuarios_service::build(u).await.expect("usuarios")).await;

    let mut e = eventos_service::Config::embedded();
    e.store = backend.store("evt");
    e.redis = backend.redis(&prefix);
    e.reservas_url = format!("http://{}", reservas_l.local_addr().unwrap());
    e.usuarios_url = usuarios.clone();
    let eventos = testing::spawn(eventos_service::build(e).await.expect("eventos")).await;

    let mut r = reservas_pagos_service::Config::embedded(&usuarios, &eventos);
    r.store = backend.store("rsv");
    r.redis = backend.redis(&prefix);
    r.http_timeout = Duration::from_secs(10);
    r.bus = bus;
    // Load tests are many guests from one address; cupo_anonimo.rs sets the limit.
    r.anonimas_por_ip = u32::MAX;
    tweak(&mut r);
    let (router, deps) = reservas_pagos_service::build_parts(r)
        .await
        .expect("reservas");
    let reservas = testing::spawn_on(reservas_l, router).await;
    // The SAGA tests act as the platform admin, who may read and cancel any reservation;
    // autorizacion.rs walks every other caller.
    let http = Client::builder()
        .pool_max_idle_per_host(256)
        .default_headers(testing::cabeceras_admin())
        .build()
        .unwrap();
    Stack {
        usuarios,
        eventos,
        reservas,
        http,
        deps,
    }
}

pub async fn stack(backend: Backend) -> Stack {
    stack_with(backend, |_| {}).await
}

impl Stack {
    /// Creates an event with the given zones `(nombre, precio, capacidad)`; returns its id.
    pub async fn evento(&self, zonas: &[(&str, i64, i64)]) -> String {
        let zonas: Vec<Value> = zonas
            .iter()
            .map(|(n, p, c)| json!({"nombre": n, "precio": p, "capacidad": c}))
            .collect();
        // Load tests buy many times per buyer: the per-buyer limit is tested on its own.
        let cuerpo = json!({"nombre": "Concierto", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
                            "max_por_comprador": 1000, "zonas": zonas});
        comun::crear_evento(&self.http, &self.eventos, cuerpo, None).await
    }

    /// Registers buyer number `i`; returns its id.
    pub async fn usuario(&self, i: usize) -> String {
        let cuerpo = json!({"tipo_documento": "DNI", "nro_documento": format!("{:08}", i),
                            "nombre": "Comprador", "apellido": format!("N{i}"), "email": format!("c{i}@example.com")});
        comun::registrar_comprador(&self.http, &self.usuarios, cuerpo).await
    }

    pub async fn reservar(&self, body: Value) -> Response {
        self.http
            .post(format!("{}/api/reservar", self.reservas))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_evento(&self, id: &str) -> Value {
        json_de(self.http.get(format!("{}/api/eventos/{id}", self.eventos))).await
    }

    pub async fn get_usuario(&self, id: &str) -> Value {
        // A buyer's profile is private now: the platform admin reads it.
        let req = self
            .http
            .get(format!("{}/api/usuarios/{id}", self.usuarios));
        json_de(req.bearer_auth(DEV_ADMIN_TOKEN)).await
    }

    /// The buyer's `historial_compras` once it has caught up with reservas: it follows
    /// the bus, so it must come to hold exactly the buyer's confirmed reservations (and
    /// those being cancelled) within a few seconds. Panics if it never does.
    pub async fn historial(&self, usuario: &str) -> Vec<String> {
        let mut visto = Vec::new();
        for _ in 0..100 {
            visto = comun::historial_compras(&self.http, &self.usuarios, usuario).await;
            let (reservas, _) = self
                .deps
                .reservas
                .por_usuario(usuario, 10_000, 0)
                .await
                .expect("the buyer's reservations");
            let mut vigentes: Vec<String> = reservas
                .into_iter()
                .filter(|r| matches!(r.estado, Estado::Confirmada | Estado::Cancelando))
                .map(|r| r.id.to_string())
                .collect();
            let mut ordenado = visto.clone();
            vigentes.sort();
            ordenado.sort();
            if vigentes == ordenado {
                return visto;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the purchase history never caught up with reservas: {visto:?}")
    }

    pub async fn get_reserva(&self, id: &str) -> Value {
        json_de(
            self.http
                .get(format!("{}/api/reservas/{id}", self.reservas)),
        )
        .await
    }

    /// Squares the event now (reservas' cuadre) and asserts it is clean: every sale,
    /// confirmation and payment agree, nothing needed repairing. Returns the report.
    pub async fn conciliado(&self, evento: &str) -> eventflow_shared::cuadre::Informe {
        let informe = reservas_pagos_service::cuadre::cuadrar(
            &self.deps,
            &eventflow_shared::ids::EventoId::confiable(evento),
        )
        .await
        .expect("the cuadre runs");
        assert!(
            informe.discrepancias.is_empty() && informe.en_curso == 0,
            "the cuadre is not clean: {informe:?}"
        );
        informe
    }

    pub async fn lock_keys(&self) -> Vec<String> {
        self.deps.lock.keys("lock:").await.unwrap()
    }

    /// Each zone adds up, capacity = available + sold: no hold is left anywhere.
    pub async fn sin_retenciones(&self, evento: &str) {
        let e = self.get_evento(evento).await;
        for z in e["zonas"].as_array().unwrap() {
            let (d, v) = (
                z["disponibles"].as_u64().unwrap(),
                z["vendidas"].as_u64().unwrap(),
            );
            assert_eq!(z["capacidad"].as_u64().unwrap(), d + v, "hold left in {z}");
        }
    }
}

/// The reservas binary as a child process on real backends, for the `kill -9` tests: on a
/// free port that every restart reuses (like a real redeploy), with its own database `db`
/// and its own exchange (a unique `AMQP_PREFIX`), recovery every second and guest checkout
/// unthrottled. `ajustes` add variables or override these. SIGKILLed by `matar` and when
/// dropped; its log is printed if the test fails.
pub fn proceso_reservas(
    mongo: &str,
    redis: &str,
    amqp: &str,
    db: &str,
    usuarios: &str,
    eventos: &str,
    ajustes: &[(&'static str, String)],
) -> Proceso {
    let port = eventflow_testkit::fallas::puerto_libre();
    let mut env = vec![
        ("EVENTFLOW_BACKENDS", "real".to_owned()),
        ("EVENTFLOW_BIND", "127.0.0.1".to_owned()),
        ("RESERVAS_PORT", port.to_string()),
        ("MONGODB_URI", mongo.to_owned()),
        ("RESERVAS_DB", db.to_owned()),
        ("REDIS_URL", redis.to_owned()),
        ("AMQP_URL", amqp.to_owned()),
        ("AMQP_PREFIX", format!("{}.", testing::unique_name("rsv"))),
        (
            "AMQP_QUEUE_EXPIRES_MS",
            testing::COLAS_EXPIRAN_MS.to_string(),
        ),
        ("USUARIOS_URL", usuarios.to_owned()),
        ("EVENTOS_URL", eventos.to_owned()),
        ("EVENTFLOW_ADMIN_TOKEN", DEV_ADMIN_TOKEN.to_owned()),
        // Many guests from one address (these tests): not what is tested there.
        ("RESERVAS_ANONIMAS_POR_IP", "1000000".to_owned()),
        ("RESERVAS_SIMULAR_FALLOS", "0".to_owned()),
        ("RESERVAS_RECUPERACION_INTERVALO_SECS", "1".to_owned()),
        ("RESERVAS_HTTP_TIMEOUT_MS", "5000".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    env.extend(eventflow_testkit::env_tokens_de_servicio());
    for (k, v) in ajustes {
        env.retain(|(clave, _)| clave != k);
        env.push((k, v.clone()));
    }
    Proceso::nuevo(
        &eventflow_testkit::proceso::binario_del_workspace(
            env!("CARGO_MANIFEST_DIR"),
            "reservas-pagos-service",
        ),
        port,
        env,
    )
}

/// `ambos!(escenario)`: runs `async fn escenario(Backend)` as two tests, on embedded
/// backends and on real ones (skipped when they are absent and not required), each on a
/// multi-thread runtime with 2 workers; `ambos!(escenario, 4)` gives it 4.
#[allow(unused_macros)]
macro_rules! ambos {
    ($name:ident) => {
        ambos!($name, 2);
    };
    ($name:ident, $hilos:literal) => {
        eventflow_testkit::en_ambos_backends!(
            $name(flavor = "multi_thread", worker_threads = $hilos),
            embebido: Backend::Embedded,
            real: Backend::real().await,
            |b| super::$name(b),
        );
    };
}
