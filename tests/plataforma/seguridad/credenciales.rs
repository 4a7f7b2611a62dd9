//! Service credentials at start-up: on real backends each binary, and the launcher,
//! refuses to start without its own `EVENTFLOW_TOKEN_*`, and when only the shared
//! `EVENTFLOW_SERVICE_TOKEN` of old is set, its error says what replaced it (and never
//! prints that token).

use eventflow_testkit::proceso::{binario_del_workspace, Proceso};

const VIEJO: &str = "tk-compartido-V3n8-no-debe-verse";

/// `(package, port variable, the variable its error must name first)`.
const PROGRAMAS: [(&str, &str, &str); 4] = [
    (
        "usuarios-service",
        "USUARIOS_PORT",
        "EVENTFLOW_TOKEN_USUARIOS",
    ),
    ("eventos-service", "EVENTOS_PORT", "EVENTFLOW_TOKEN_EVENTOS"),
    (
        "reservas-pagos-service",
        "RESERVAS_PORT",
        "EVENTFLOW_TOKEN_RESERVAS",
    ),
    (
        "notificaciones-service",
        "NOTIFICACIONES_PORT",
        "EVENTFLOW_TOKEN_NOTIFICACIONES",
    ),
];

async fn puerto_libre() -> u16 {
    eventflow_testkit::listen()
        .await
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `programa` on real backends with `env` and returns its log once it has stopped
/// at start-up (a failure if it did not stop, or stopped with success).
async fn arranque_fallido(programa: &str, env: Vec<(&'static str, String)>) -> String {
    let puerto = puerto_libre().await;
    let mut todo: Vec<(&'static str, String)> = vec![
        ("EVENTFLOW_BACKENDS", "real".into()),
        ("EVENTFLOW_ADMIN_TOKEN", "tk-admin-de-esta-prueba".into()),
        // Whatever the test's own environment holds, these are unset for the child
        // (an empty variable counts as unset).
        ("EVENTFLOW_TOKEN_USUARIOS", String::new()),
        ("EVENTFLOW_TOKEN_EVENTOS", String::new()),
        ("EVENTFLOW_TOKEN_RESERVAS", String::new()),
        ("EVENTFLOW_TOKEN_NOTIFICACIONES", String::new()),
        ("EVENTFLOW_SERVICE_TOKEN", String::new()),
    ];
    for (k, v) in env {
        todo.retain(|(clave, _)| *clave != k);
        todo.push((k, v));
    }
    Proceso::nuevo(programa, puerto, todo).no_arranca().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sin_su_token_no_arranca_y_dice_que_reemplazo_al_compartido() {
    let mut programas: Vec<(String, &str)> = PROGRAMAS
        .iter()
        .map(|(p, _, var)| (binario_del_workspace(env!("CARGO_MANIFEST_DIR"), p), *var))
        .collect();
    // The launcher reads reservas-pagos' configuration first.
    programas.push((
        env!("CARGO_BIN_EXE_eventflow").to_owned(),
        "EVENTFLOW_TOKEN_RESERVAS",
    ));
    for (programa, variable) in &programas {
        // Nothing set: the error names the variable.
        let log = arranque_fallido(programa, vec![]).await;
        assert!(
            log.contains(&format!("{variable}: no está definida")),
            "{programa}:\n{log}"
        );
        // Only the shared token of old: it says what replaced it, never its value.
        let log = arranque_fallido(programa, vec![("EVENTFLOW_SERVICE_TOKEN", VIEJO.into())]).await;
        assert!(
            log.contains(&format!("{variable}: no está definida"))
                && log.contains("EVENTFLOW_SERVICE_TOKEN ya no se lee"),
            "{programa}:\n{log}"
        );
        assert!(!log.contains(VIEJO), "{programa} printed the token:\n{log}");
    }
    // Two services with one secret are indistinguishable: refused, without the secret.
    let log = arranque_fallido(
        &programas[1].0,
        vec![
            ("EVENTFLOW_TOKEN_EVENTOS", "tk-el-mismo-para-dos".into()),
            ("EVENTFLOW_TOKEN_RESERVAS", "tk-el-mismo-para-dos".into()),
        ],
    )
    .await;
    assert!(log.contains("tiene el mismo token que"), "{log}");
    assert!(!log.contains("tk-el-mismo-para-dos"), "{log}");
}
