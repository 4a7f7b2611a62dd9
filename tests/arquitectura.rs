//! The crate rules of ARCHITECTURE.md, checked over `cargo metadata`: no service crate
//! depends on another, `eventflow-shared` on no service, the test kit is a
//! dev-dependency only, and the bench talks HTTP without linking the platform.

use std::collections::BTreeSet;
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
