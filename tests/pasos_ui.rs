//! The UI's list of SAGA steps (`frontend/src/saga.ts`, `PASOS_SAGA`) against the
//! server's chain (`reservas_pagos_service::saga::PASOS`, the order of
//! `Cadena::estandar`). The UI shows a run's steps as the answer gives them and takes this
//! list only for the steps not run yet; a step added, removed or moved in the chain fails
//! here instead of showing in the wrong place.

use std::path::PathBuf;

use reservas_pagos_service::saga::PASOS;

const ARCHIVO: &str = "frontend/src/saga.ts";

/// The quoted strings of the array literal assigned to `PASOS_SAGA` in `texto`.
fn pasos_saga(texto: &str) -> Vec<String> {
    let desde = texto
        .find("export const PASOS_SAGA")
        .unwrap_or_else(|| panic!("{ARCHIVO} no exporta PASOS_SAGA"));
    let resto = &texto[desde..];
    let abre = resto
        .find('[')
        .unwrap_or_else(|| panic!("PASOS_SAGA en {ARCHIVO} no es una lista"));
    let cierra = resto[abre..]
        .find(']')
        .unwrap_or_else(|| panic!("la lista PASOS_SAGA de {ARCHIVO} no se cierra"));
    let lista = &resto[abre + 1..abre + cierra];
    let mut nombres = Vec::new();
    let mut cs = lista.chars();
    while let Some(c) = cs.next() {
        if c == '\'' || c == '"' {
            nombres.push(cs.by_ref().take_while(|&x| x != c).collect());
        }
    }
    nombres
}

#[test]
fn la_ui_lista_los_pasos_de_la_cadena_en_su_orden() {
    let ruta = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(ARCHIVO);
    let texto =
        std::fs::read_to_string(&ruta).unwrap_or_else(|e| panic!("{}: {e}", ruta.display()));
    assert_eq!(
        pasos_saga(&texto),
        PASOS,
        "{ARCHIVO} (PASOS_SAGA) debe listar los pasos de Cadena::estandar en su orden"
    );
}

#[test]
fn lee_la_lista_como_la_escribe_typescript() {
    let texto =
        "// x\nexport const PASOS_SAGA = [\n  'A',\n  \"B\", 'C'\n] as const;\nconst OTRA = ['Z'];";
    assert_eq!(pasos_saga(texto), ["A", "B", "C"]);
}
