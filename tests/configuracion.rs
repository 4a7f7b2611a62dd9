//! The README's configuration table against the code: every environment variable a
//! service or the launcher reads is in the table, and every variable in the table is read
//! somewhere. A variable added without a line in the table, or a line left behind after a
//! variable goes, fails here instead of drifting.

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
