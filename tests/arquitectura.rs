//! The rules of ARCHITECTURE.md. The crate rules, over `cargo metadata`: no service
//! crate depends on another, `eventflow-shared` on no service, the test kit is a
//! dev-dependency only, and the bench talks HTTP without linking the platform. reservas'
//! layer rules, over its source text: the SAGA and the use case `reservar` import
//! nothing from `http`, and the SAGA's production code no adapter.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const SERVICIOS: [&str; 4] = [
    "usuarios-service",
    "eventos-service",
    "reservas-pagos-service",
    "notificaciones-service",
];

/// `(package, dependency, kind)` for every dependency on a workspace crate; kind is
/// `normal`, `dev` or `build`.
fn aristas() -> Vec<(String, String, String)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let paquetes = m["packages"].as_array().expect("packages");
    let nuestros: BTreeSet<&str> = paquetes.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut v = Vec::new();
    for p in paquetes {
        let nombre = p["name"].as_str().unwrap_or_default();
        for d in p["dependencies"].as_array().into_iter().flatten() {
            let dep = d["name"].as_str().unwrap_or_default();
            if nuestros.contains(dep) {
                let kind = d["kind"].as_str().unwrap_or("normal");
                v.push((nombre.to_owned(), dep.to_owned(), kind.to_owned()));
            }
        }
    }
    assert!(
        v.len() > 5,
        "the workspace's own dependencies were found: {v:?}"
    );
    v
}

#[test]
fn ningun_servicio_depende_de_otro() {
    let malas: Vec<_> = aristas()
        .into_iter()
        .filter(|(p, d, k)| {
            SERVICIOS.contains(&p.as_str()) && SERVICIOS.contains(&d.as_str()) && k != "dev"
        })
        .collect();
    assert!(
        malas.is_empty(),
        "a service links another; talk over HTTP or the bus: {malas:?}"
    );
}

/// A service's own tests start only that service: the cross-service ones live in the
/// root package's `tests/plataforma`, which links them all.
#[test]
fn las_pruebas_de_un_servicio_no_arrancan_otros() {
    let malas: Vec<_> = aristas()
        .into_iter()
        .filter(|(p, d, k)| {
            SERVICIOS.contains(&p.as_str()) && SERVICIOS.contains(&d.as_str()) && k == "dev"
        })
        .collect();
    assert!(
        malas.is_empty(),
        "cross-service tests belong in the root tests/plataforma: {malas:?}"
    );
}

#[test]
fn shared_no_conoce_servicios_y_el_kit_es_solo_de_pruebas() {
    for (p, d, k) in aristas() {
        assert!(
            !(p == "eventflow-shared" && (SERVICIOS.contains(&d.as_str()) || d == "eventflow")),
            "eventflow-shared depends on {d}"
        );
        assert!(
            !(d == "eventflow-testkit" && k != "dev"),
            "{p} links the test kit into its build ({k})"
        );
        assert!(
            p != "eventflow-bench",
            "the bench links {d}: it must talk HTTP"
        );
    }
}

/// reservas' source folder.
fn reservas_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reservas-pagos-service/src")
}

/// The paths of a Rust source as tokens, with their 1-based line: identifiers, `::`,
/// braces and commas; comments and string literals skipped, anything else a `;`.
fn tokens(texto: &str) -> Vec<(usize, String)> {
    let mut v = Vec::new();
    let (mut linea, mut chars) = (1, texto.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '\n' => linea += 1,
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        '\n' => linea += 1,
                        _ => {}
                    }
                }
            }
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                v.push((linea, "::".into()));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut id = c.to_string();
                while let Some(c) = chars.next_if(|c| c.is_alphanumeric() || *c == '_') {
                    id.push(c);
                }
                v.push((linea, id));
            }
            '{' | '}' | ',' => v.push((linea, c.to_string())),
            c if c.is_whitespace() => {}
            _ => v.push((linea, ";".into())),
        }
    }
    v
}

/// A module path below `crate` (or `super`, `super::super`…): `&["store", "mongo"]`.
type Ruta = &'static [&'static str];

/// The lines of `texto` where a path from `crate` or `super` starts with one of
/// `prohibidas`: `crate::http::X`, `super::super::http`, or inside a group
/// (`use crate::{domain, http::X}`, over several lines too). When `sin_pruebas`, a
/// `#[cfg(test)]` module and what follows it are left out: unit tests may use in-memory
/// adapters as fakes.
fn rutas_prohibidas(texto: &str, prohibidas: &[Ruta], sin_pruebas: bool) -> Vec<usize> {
    let mut texto = texto;
    if sin_pruebas {
        let lineas: Vec<&str> = texto.lines().collect();
        if let Some(i) = lineas.windows(2).position(|w| {
            let m = w[1].trim_start().trim_start_matches("pub ");
            w[0].trim() == "#[cfg(test)]" && m.starts_with("mod ") && m.ends_with('{')
        }) {
            let corte: usize = lineas[..i].iter().map(|l| l.len() + 1).sum();
            texto = &texto[..corte.min(texto.len())];
        }
    }
    // Each open brace: the path a `use` group continues (`crate::{`), or none (a block).
    let mut grupos: Vec<Option<Vec<String>>> = Vec::new();
    let (mut camino, mut tras_sep, mut hallados) = (Vec::<String>::new(), false, Vec::new());
    for (linea, t) in tokens(texto) {
        match t.as_str() {
            "::" => tras_sep = true,
            "{" => {
                grupos.push(tras_sep.then(|| camino.clone()));
                tras_sep = false;
            }
            "}" | "," | ";" => {
                if t == "}" {
                    grupos.pop();
                }
                tras_sep = false;
            }
            id => {
                if !tras_sep {
                    camino = grupos.last().cloned().flatten().unwrap_or_default();
                }
                camino.push(id.to_owned());
                tras_sep = false;
                let raiz = match camino.iter().take_while(|s| *s == "super").count() {
                    0 if camino[0] == "crate" => 1,
                    n => n,
                };
                if raiz > 0 && prohibidas.iter().any(|p| camino[raiz..] == **p) {
                    hallados.push(linea);
                }
            }
        }
    }
    hallados.dedup();
    hallados
}

/// The modules a `mod.rs` declares test-only (`#[cfg(test)]` then `mod x;`).
fn modulos_de_prueba(mod_rs: &str) -> Vec<String> {
    let lineas: Vec<&str> = mod_rs.lines().map(str::trim).collect();
    lineas
        .windows(2)
        .filter(|w| w[0] == "#[cfg(test)]")
        .filter_map(|w| w[1].strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_owned)
        .collect()
}

/// Every use of `prohibidas` in the `.rs` files under `dir`, as `file:line: text`;
/// test-only modules (and `#[cfg(test)]` modules) skipped when `sin_pruebas`.
fn infracciones(dir: &Path, prohibidas: &[Ruta], sin_pruebas: bool) -> Vec<String> {
    let mut v = Vec::new();
    let mut pendientes = vec![dir.to_path_buf()];
    while let Some(d) = pendientes.pop() {
        let de_prueba = std::fs::read_to_string(d.join("mod.rs"))
            .map(|t| modulos_de_prueba(&t))
            .unwrap_or_default();
        let mut entradas: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entradas.sort();
        for f in entradas {
            let nombre = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            if sin_pruebas && de_prueba.iter().any(|m| m == nombre) {
                continue;
            }
            if f.is_dir() {
                pendientes.push(f);
            } else if f.extension().is_some_and(|e| e == "rs") {
                let texto = std::fs::read_to_string(&f).expect("a readable source file");
                let lineas: Vec<&str> = texto.lines().collect();
                for n in rutas_prohibidas(&texto, prohibidas, sin_pruebas) {
                    v.push(format!("{}:{n}: {}", f.display(), lineas[n - 1].trim()));
                }
            }
        }
    }
    v
}

/// The HTTP layer.
const HTTP: &[Ruta] = &[&["http"]];

/// reservas' adapters: the peers' HTTP clients, the simulated payment provider, the
/// MongoDB and in-memory stores (and the store types they export).
const ADAPTADORES: &[Ruta] = &[
    &["clients"],
    &["pagos"],
    &["store", "mongo"],
    &["store", "memory"],
    &["store", "MemoryStore"],
    &["store", "MongoStore"],
];

/// The layers of ARCHITECTURE.md, for reservas: http → use case `reservar` → saga →
/// ports → adapters. The SAGA and the use case answer in their own types; HTTP renders
/// them, so nothing below it may reach back up into `http`.
#[test]
fn la_saga_y_el_caso_de_uso_no_importan_http() {
    let saga = reservas_src().join("saga");
    assert!(saga.is_dir(), "{} is where the SAGA lives", saga.display());
    let mut v = infracciones(&saga, HTTP, false);
    // The use case layer, once it exists.
    let reservar = reservas_src().join("reservar");
    if reservar.is_dir() {
        v.extend(infracciones(&reservar, HTTP, false));
    }
    assert!(
        v.is_empty(),
        "the SAGA and the use case import nothing from http (ARCHITECTURE.md):\n  {}",
        v.join("\n  ")
    );
}

/// The SAGA reaches MongoDB, Redis, the peers and the payment provider only through the
/// ports in `saga::Deps`; its unit tests (`saga/pruebas.rs`) may use in-memory fakes.
#[test]
fn la_saga_no_importa_adaptadores() {
    let v = infracciones(&reservas_src().join("saga"), ADAPTADORES, true);
    assert!(
        v.is_empty(),
        "the SAGA imports no adapter, only ports (ARCHITECTURE.md):\n  {}",
        v.join("\n  ")
    );
}

/// The checks above can fail: each form of a forbidden import is found, on its line, and
/// what merely resembles one is not.
#[test]
fn las_reglas_de_capas_ven_cada_forma_de_importar() {
    let texto = "\
//! crate::http in a comment is not an import
use crate::domain::Reserva;
use crate::http::AppState;
use super::super::http;
use crate::{
    domain::Estado,
    http::rutas,
};
fn f() -> &'static str {
    let _ = crate::http::router;
    \"crate::http in a string\"
}
use crate::store::{EstadoPago, MemoryStore};
use crate::puertos::{Buyers, http_status};
#[cfg(test)]
mod tests {
    use crate::clients::EventosClient;
}
";
    assert_eq!(rutas_prohibidas(texto, HTTP, false), vec![3, 4, 7, 10]);
    assert_eq!(rutas_prohibidas(texto, ADAPTADORES, false), vec![13, 17]);
    assert_eq!(rutas_prohibidas(texto, ADAPTADORES, true), vec![13]);
    assert_eq!(
        modulos_de_prueba("mod cadena;\n#[cfg(test)]\nmod pruebas;\npub mod recuperacion;\n"),
        vec!["pruebas"]
    );

    // And over a folder, as the two rules read reservas: the file and the line are named.
    let dir = std::env::temp_dir().join(format!("arquitectura-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("mod.rs"), "mod sub;\n#[cfg(test)]\nmod pruebas;\n").unwrap();
    std::fs::write(dir.join("pruebas.rs"), "use crate::store::MemoryStore;\n").unwrap();
    std::fs::write(
        dir.join("sub/paso.rs"),
        "use crate::saga::Deps;\nuse crate::clients::Peer;\n",
    )
    .unwrap();
    let v = infracciones(&dir, ADAPTADORES, true);
    let todas = infracciones(&dir, ADAPTADORES, false);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(v.len(), 1, "{v:?}");
    assert!(
        v[0].ends_with("paso.rs:2: use crate::clients::Peer;"),
        "{v:?}"
    );
    assert_eq!(todas.len(), 2, "{todas:?}");
}
