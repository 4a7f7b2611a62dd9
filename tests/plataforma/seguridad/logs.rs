//! No secret in a log. Each service binary, and the launcher, is started as a child
//! process with password-bearing URLs and distinctive tokens, and its whole output
//! (stdout and stderr, at `debug`; at `trace` for notificaciones' real start) is
//! searched:
//!
//! - start-ups that fail on each backend in turn (MongoDB, then Redis, then RabbitMQ, at
//!   closed ports) name the URL with its password masked (`:***@`), never the password;
//! - notificaciones starting for real (`guest:guest@`) logs its bus masked, and prints a
//!   one-time code's mail without the code unless `EVENTFLOW_MOSTRAR_CODIGOS=1`;
//! - the embedded launcher (development) prints the codes, and never the tokens.

use std::time::{Duration, Instant};

use eventflow_shared::bus::{Envelope, Mensaje, Pendiente, RabbitBus, CODIGO_EMITIDO};
use eventflow_shared::secreto::enmascarar_url;
use eventflow_testkit as testing;
use eventflow_testkit::proceso::{binario_del_workspace, Proceso};
use serde_json::json;

const CLAVE: &str = "ClaveSecreta123";
const TOKEN_ADMIN: &str = "tk-admin-W4k2-no-debe-verse";
/// The service credentials: the shared one of old and each service's own, each set to a
/// value that must never appear.
const TOKENS_DE_SERVICIO: [(&str, &str); 5] = [
    ("EVENTFLOW_SERVICE_TOKEN", "tk-servicio-Z7q9-no-debe-verse"),
    ("EVENTFLOW_TOKEN_USUARIOS", "tk-usuarios-Q1x8-no-debe-verse"),
    ("EVENTFLOW_TOKEN_EVENTOS", "tk-eventos-P5m3-no-debe-verse"),
    ("EVENTFLOW_TOKEN_RESERVAS", "tk-reservas-K8v6-no-debe-verse"),
    (
        "EVENTFLOW_TOKEN_NOTIFICACIONES",
        "tk-notificaciones-J2c4-no-debe-verse",
    ),
];

const SERVICIOS: [(&str, &str); 4] = [
    ("usuarios-service", "USUARIOS_PORT"),
    ("eventos-service", "EVENTOS_PORT"),
    ("reservas-pagos-service", "RESERVAS_PORT"),
    ("notificaciones-service", "NOTIFICACIONES_PORT"),
];

/// A port nothing listens on (bound, then let go).
async fn puerto_libre() -> u16 {
    testing::listen().await.local_addr().unwrap().port()
}

/// Asserts that `log` holds no password and no token.
fn sin_secretos(log: &str, que: &str) {
    let tokens = TOKENS_DE_SERVICIO.iter().map(|(_, t)| *t);
    for s in [CLAVE, TOKEN_ADMIN].into_iter().chain(tokens) {
        assert!(!log.contains(s), "{que}: {s:?} in the log:\n{log}");
    }
}

/// The environment of every start: real backends, the tokens, a verbose log, and the
/// databases and bus names of this test alone.
fn env_base(puerto_var: &'static str, puerto: u16) -> Vec<(&'static str, String)> {
    let db = testing::unique_name("logs");
    vec![
        ("EVENTFLOW_BACKENDS", "real".into()),
        (puerto_var, puerto.to_string()),
        ("EVENTFLOW_ADMIN_TOKEN", TOKEN_ADMIN.into()),
        ("RUST_LOG", "debug".into()),
        ("USUARIOS_DB", format!("{db}_usr")),
        ("RESERVAS_DB", format!("{db}_rsv")),
        ("NOTIFICACIONES_DB", format!("{db}_ntf")),
        ("AMQP_PREFIX", format!("{db}.")),
        (
            "AMQP_QUEUE_EXPIRES_MS",
            testing::COLAS_EXPIRAN_MS.to_string(),
        ),
        ("NOTIFICACIONES_CORREO_EN_LOG", "1".into()),
    ]
    .into_iter()
    .chain(TOKENS_DE_SERVICIO.map(|(k, v)| (k, v.to_owned())))
    .collect()
}

/// Starts `programa` and waits for it to stop at start-up; its log.
async fn arranque_fallido(programa: &str, puerto: u16, env: Vec<(&'static str, String)>) -> String {
    Proceso::nuevo(programa, puerto, env).no_arranca().await
}

/// Every binary, on each backend in turn, fails to start with a password in its URL:
/// the log names the URL masked and never holds the password or a token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arranques_fallidos_sin_secretos() {
    let (Some(mongo), Some(redis)) = (testing::mongo_uri().await, testing::redis_url().await)
    else {
        return;
    };
    let (c_mongo, c_redis, c_amqp) = (
        puerto_libre().await,
        puerto_libre().await,
        puerto_libre().await,
    );
    let mongo_malo = format!("mongodb://eventflow:{CLAVE}@127.0.0.1:{c_mongo}");
    let redis_malo = format!("redis://:{CLAVE}@127.0.0.1:{c_redis}");
    let amqp_malo = format!("amqp://guest:{CLAVE}@127.0.0.1:{c_amqp}/%2f");
    let mut programas: Vec<(String, &str)> = SERVICIOS
        .iter()
        .map(|(p, var)| (binario_del_workspace(env!("CARGO_MANIFEST_DIR"), p), *var))
        .collect();
    programas.push((env!("CARGO_BIN_EXE_eventflow").to_owned(), "USUARIOS_PORT"));
    let mut enmascaradas = 0;
    for (programa, puerto_var) in &programas {
        let nombre = programa.rsplit('/').next().unwrap();
        // Then MongoDB answers and Redis does not, then both do and RabbitMQ does not.
        let etapas = [
            (mongo_malo.clone(), redis_malo.clone(), &mongo_malo),
            (mongo.clone(), redis_malo.clone(), &redis_malo),
            (mongo.clone(), redis.clone(), &amqp_malo),
        ];
        for (etapa, (m, r, falla)) in etapas.iter().enumerate() {
            let puerto = puerto_libre().await;
            let mut env = env_base(puerto_var, puerto);
            env.extend([
                ("MONGODB_URI", m.clone()),
                ("REDIS_URL", r.clone()),
                ("AMQP_URL", amqp_malo.clone()),
            ]);
            if *puerto_var == "USUARIOS_PORT" && nombre == "eventflow" {
                otros_puertos_del_lanzador(&mut env).await;
            }
            let log = arranque_fallido(programa, puerto, env).await;
            let que = format!("{nombre}, stage {etapa}");
            sin_secretos(&log, &que);
            // usuarios and notificaciones use no Redis: at stage 1 they stop on RabbitMQ.
            let visible = [enmascarar_url(falla), enmascarar_url(&amqp_malo)];
            assert!(
                visible.iter().any(|v| log.contains(v.as_str())),
                "{que}: the failing URL, masked ({visible:?}), is not in the log:\n{log}"
            );
            enmascaradas += 1;
        }
    }
    println!("{enmascaradas} failed start-ups, 5 binaries: no password, no token, URLs masked");
}

/// Waits up to 20 s for `texto` in the process's log; the log.
async fn esperar_en_log(p: &Proceso, texto: &str) -> String {
    let fin = Instant::now() + Duration::from_secs(20);
    loop {
        let log = p.log();
        if log.contains(texto) {
            return log;
        }
        assert!(Instant::now() < fin, "no {texto:?} in the log:\n{log}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A one-time code for `email`, published as usuarios would.
async fn publicar_codigo(bus: &RabbitBus, email: &str, codigo: &str) {
    use eventflow_shared::bus::Publicador;
    let p = Pendiente::new(
        CODIGO_EMITIDO,
        "logs",
        json!({"usuarioId": uuid::Uuid::new_v4(), "email": email, "codigo": codigo,
               "proposito": "password", "expiraEn": "2099-01-01T00:00:00Z"}),
    );
    let env: &Envelope = &p.envelope;
    assert!(matches!(env.mensaje(), Ok(Mensaje::CodigoEmitido(_))));
    bus.publicar(&p.routing_key, env).await.unwrap();
}

/// notificaciones on real backends: its bus URL (`guest:guest@`) is logged masked, and a
/// code's mail is announced without the code, unless `EVENTFLOW_MOSTRAR_CODIGOS=1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notificaciones_real_sin_url_ni_codigos() {
    let (Some(mongo), Some(amqp)) = (testing::mongo_uri().await, testing::amqp_url().await) else {
        return;
    };
    let visible = enmascarar_url(&amqp);
    assert_ne!(
        visible, amqp,
        "the test's AMQP_URL has a password: {visible}"
    );
    // `guest:guest@`: the user info as written.
    let credenciales = amqp.split("://").nth(1).unwrap().split('@').next().unwrap();
    let credenciales = format!("{credenciales}@");
    // The password as lapin's frame dump would write it (the bytes of SASL PLAIN).
    let clave = credenciales
        .trim_end_matches('@')
        .split(':')
        .nth(1)
        .unwrap();
    let en_bytes = clave
        .bytes()
        .map(|b| b.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let puerto = puerto_libre().await;
    let mut env = env_base("NOTIFICACIONES_PORT", puerto);
    // Everything, lapin's frame dumps included.
    env.retain(|(k, _)| *k != "RUST_LOG");
    env.push(("RUST_LOG", "trace".into()));
    let prefijo = env
        .iter()
        .find(|(k, _)| *k == "AMQP_PREFIX")
        .unwrap()
        .1
        .clone();
    env.extend([
        ("MONGODB_URI", mongo.clone()),
        ("AMQP_URL", amqp.clone()),
        ("USUARIOS_URL", "http://127.0.0.1:9".into()),
    ]);
    let bus = RabbitBus::connect(eventflow_shared::bus::RabbitConfig {
        prefix: prefijo,
        expira_ms: Some(testing::COLAS_EXPIRAN_MS),
        ..eventflow_shared::bus::RabbitConfig::new(&amqp)
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let programa = binario_del_workspace(env!("CARGO_MANIFEST_DIR"), "notificaciones-service");
    let mut p = Proceso::nuevo(&programa, puerto, env);
    // Starts notificaciones, has it mail `codigo` and waits for `espera` in its log; the
    // log, which holds no secret and not the bus's credentials.
    let tras_un_codigo = async |p: &mut Proceso, codigo: &str, espera: &str, quien: &str| {
        p.arrancar(&http, Duration::from_secs(30)).await;
        publicar_codigo(&bus, "ana@example.com", codigo).await;
        let log = esperar_en_log(p, espera).await;
        sin_secretos(&log, quien);
        assert!(
            !log.contains(&credenciales),
            "{credenciales} in the log:\n{log}"
        );
        log
    };

    let log = tras_un_codigo(&mut p, "918273", "correo (simulado)", "notificaciones").await;
    assert!(
        !log.contains(&en_bytes),
        "the password's bytes in the log:\n{log}"
    );
    assert!(
        log.contains(&visible),
        "the bus, masked ({visible}), not in the log:\n{log}"
    );
    assert!(!log.contains("918273"), "a code in the log:\n{log}");
    assert!(log.contains("EVENTFLOW_MOSTRAR_CODIGOS=1"), "{log}");

    // Asked for explicitly, the code is printed.
    p.matar();
    p.env.push(("EVENTFLOW_MOSTRAR_CODIGOS", "1".into()));
    let quien = "notificaciones with EVENTFLOW_MOSTRAR_CODIGOS=1";
    tras_un_codigo(&mut p, "564738", "564738", quien).await;
}

/// The launcher's servers other than usuarios (whose port the caller chose), each on a
/// free port of its own.
async fn otros_puertos_del_lanzador(env: &mut Vec<(&'static str, String)>) {
    for var in [
        "EVENTOS_PORT",
        "RESERVAS_PORT",
        "NOTIFICACIONES_PORT",
        "UI_PORT",
    ] {
        env.push((var, puerto_libre().await.to_string()));
    }
}

/// The embedded launcher (development) prints one-time codes on its console, and never
/// the tokens it was given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lanzador_embebido_muestra_codigos_y_no_tokens() {
    let mut env: Vec<(&'static str, String)> = vec![
        ("EVENTFLOW_BACKENDS", "embedded".into()),
        ("EVENTFLOW_ADMIN_TOKEN", TOKEN_ADMIN.into()),
        ("RUST_LOG", "debug".into()),
    ];
    env.extend(TOKENS_DE_SERVICIO.map(|(k, v)| (k, v.to_owned())));
    let puerto = puerto_libre().await;
    env.push(("USUARIOS_PORT", puerto.to_string()));
    otros_puertos_del_lanzador(&mut env).await;
    let mut p = Proceso::nuevo(env!("CARGO_BIN_EXE_eventflow"), puerto, env);
    let http = reqwest::Client::new();
    p.arrancar(&http, Duration::from_secs(30)).await;
    let r = http
        .post(format!("{}/api/usuarios", p.url))
        .json(
            &json!({"tipo_documento": "DNI", "nro_documento": "10000001", "nombre": "Ana",
                      "apellido": "Quispe", "email": "ana@example.com"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = http
        .post(format!("{}/api/usuarios/codigo", p.url))
        .json(&json!({"email": "ana@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let log = esperar_en_log(&p, "Tu código de EventFlow: ").await;
    let codigo: String = log
        .split("Tu código de EventFlow: ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    assert!(codigo.chars().all(|c| c.is_ascii_digit()), "{log}");
    sin_secretos(&log, "the embedded launcher");
}
