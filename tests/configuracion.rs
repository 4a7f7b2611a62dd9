//! The README's configuration table against the code: every environment variable a
//! service or the launcher reads is in the table, and every variable in the table is read
//! somewhere. A variable added without a line in the table, or a line left behind after a
//! variable goes, fails here instead of drifting. Every variable is read through the typed
//! loader (`shared/src/config/entorno.rs`), never by hand, and a bad one stops the launcher
//! with a Spanish message naming it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Where the services and the launcher read their configuration.
const FUENTES: [&str; 6] = [
    "shared/src",
    "usuarios-service/src",
    "eventos-service/src",
    "reservas-pagos-service/src",
    "notificaciones-service/src",
    "src",
];

/// The prefixes of EventFlow's own variables and of the backends' URLs.
const PREFIJOS: [&str; 9] = [
    "EVENTFLOW_",
    "USUARIOS_",
    "EVENTOS_",
    "RESERVAS_",
    "NOTIFICACIONES_",
    "MONGODB_",
    "REDIS_",
    "AMQP_",
    "UI_",
];

fn raiz() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn archivos_rs(dir: &Path, v: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            archivos_rs(&p, v);
        } else if p.extension().is_some_and(|x| x == "rs") {
            v.push(p);
        }
    }
}

/// Every string literal in `texto` that is a whole variable name with one of our
/// prefixes: `"RESERVAS_LOCK_TTL_MS"`, not `"reservas"` nor a sentence naming one.
fn nombres(texto: &str) -> BTreeSet<String> {
    let mut v = BTreeSet::new();
    for (i, trozo) in texto.split('"').enumerate() {
        let es_literal = i % 2 == 1;
        let es_nombre = trozo.len() > 3
            && trozo
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            && PREFIJOS
                .iter()
                .any(|p| trozo.starts_with(p) && trozo.len() > p.len());
        if es_literal && es_nombre {
            v.insert(trozo.to_owned());
        }
    }
    v
}

/// The code before its inline `#[cfg(test)] mod … {` (a test's own variables are not
/// configuration). A `#[cfg(test)]` on anything else cuts nothing.
fn sin_pruebas(texto: &str) -> &str {
    let mut desde = 0;
    while let Some(i) = texto[desde..].find("#[cfg(test)]") {
        let i = desde + i;
        let resto = texto[i + "#[cfg(test)]".len()..].trim_start();
        let linea = resto.lines().next().unwrap_or_default();
        if linea.starts_with("mod ") && linea.trim_end().ends_with('{') {
            return &texto[..i];
        }
        desde = i + 1;
    }
    texto
}

fn leidas() -> BTreeSet<String> {
    let mut archivos = Vec::new();
    for f in FUENTES {
        archivos_rs(&raiz().join(f), &mut archivos);
    }
    assert!(archivos.len() > 50, "found the sources: {}", archivos.len());
    archivos
        .iter()
        .flat_map(|p| nombres(sin_pruebas(&std::fs::read_to_string(p).unwrap())))
        .collect()
}

/// The variables the README's "Configuration" section has a table row for (the first
/// cell, which may name several: `` `USUARIOS_PORT`, `EVENTOS_PORT` ``).
fn documentadas() -> BTreeSet<String> {
    let readme = std::fs::read_to_string(raiz().join("README.md")).unwrap();
    let seccion = readme
        .split("\n## Configuration")
        .nth(1)
        .expect("README has a Configuration section");
    let seccion = seccion.split("\n## ").next().unwrap_or(seccion);
    let mut v = BTreeSet::new();
    for fila in seccion.lines().filter(|l| l.starts_with("| `")) {
        let celda = fila.split('|').nth(1).unwrap_or_default();
        for (i, trozo) in celda.split('`').enumerate() {
            if i % 2 == 1 {
                v.insert(trozo.trim().to_owned());
            }
        }
    }
    assert!(v.len() > 20, "found the table: {v:?}");
    v
}

#[test]
fn cada_variable_leida_esta_en_la_tabla() {
    let faltan: Vec<_> = leidas().difference(&documentadas()).cloned().collect();
    assert!(
        faltan.is_empty(),
        "read by the code but not in README's configuration table: {faltan:?}"
    );
}

#[test]
fn cada_variable_de_la_tabla_se_lee() {
    let leidas = leidas();
    let sobran: Vec<_> = documentadas()
        .into_iter()
        // RUST_LOG is read by tracing-subscriber's EnvFilter, not by name in our code.
        .filter(|v| v != "RUST_LOG" && !leidas.contains(v))
        .collect();
    assert!(
        sobran.is_empty(),
        "in README's configuration table but read nowhere: {sobran:?}"
    );
}

#[test]
fn los_nombres_se_reconocen() {
    let v = nombres(
        r#"env_parse("RESERVAS_LOCK_TTL_MS", 1) "reservas" "UI_" "MONGODB_URI is not set""#,
    );
    assert_eq!(v.into_iter().collect::<Vec<_>>(), ["RESERVAS_LOCK_TTL_MS"]);
}

/// The one file allowed to call `std::env::var`: the typed loader. A value read by hand
/// elsewhere (`env::var(..).ok().and_then(|v| v.parse().ok())`) would turn a typo into a
/// silent default; through the loader it is a start-up error naming the variable.
const CARGADOR: &str = "shared/src/config/entorno.rs";

#[test]
fn nadie_lee_el_entorno_a_mano() {
    let mut archivos = Vec::new();
    for f in FUENTES {
        archivos_rs(&raiz().join(f), &mut archivos);
    }
    let a_mano: Vec<String> = archivos
        .iter()
        .filter(|p| !p.ends_with(CARGADOR))
        .filter(|p| {
            let texto = std::fs::read_to_string(p).unwrap();
            let codigo = sin_pruebas(&texto);
            codigo.contains("env::var(") || codigo.contains("env::var_os(")
        })
        .map(|p| p.strip_prefix(raiz()).unwrap().display().to_string())
        .collect();
    assert!(
        a_mano.is_empty(),
        "these read the environment by hand instead of through {CARGADOR}: {a_mano:?}"
    );
}

/// The launcher with several bad variables: it stops at once, exit status 2, and its
/// stderr names every one in Spanish, without a panic or a backtrace.
#[test]
fn una_variable_invalida_detiene_el_arranque_nombrandola() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let malas = [
        ("RESERVAS_LOCK_TTL_MS", "abc"),
        ("UI_HTTPS", "quizas"),
        ("EVENTOS_REAPER_INTERVAL_SECS", "0"),
    ];
    let mut hijo = Command::new(env!("CARGO_BIN_EXE_eventflow"))
        .env("EVENTFLOW_BACKENDS", "embedded")
        // A start that wrongly went ahead would listen here, not on anyone's ports.
        .env("USUARIOS_PORT", "0")
        .env("EVENTOS_PORT", "0")
        .env("RESERVAS_PORT", "0")
        .env("NOTIFICACIONES_PORT", "0")
        .env("UI_PORT", "0")
        .env("RUST_BACKTRACE", "1")
        .envs(malas)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the launcher");
    let limite = Instant::now() + Duration::from_secs(30);
    while hijo.try_wait().unwrap().is_none() {
        if Instant::now() > limite {
            let _ = hijo.kill();
            panic!("the launcher started despite bad variables");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let salida = hijo.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&salida.stderr);
    assert_eq!(salida.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("la configuración no es válida (3 variables)"),
        "{stderr}"
    );
    for (variable, _) in malas {
        assert!(
            stderr.contains(&format!("  - {variable}: debe ser")),
            "{variable}: {stderr}"
        );
    }
    assert!(
        stderr.contains("\"abc\""),
        "the bad value is shown: {stderr}"
    );
    for ruido in ["panicked", "stack backtrace", "Error: "] {
        assert!(!stderr.contains(ruido), "{ruido:?} in: {stderr}");
    }
}
