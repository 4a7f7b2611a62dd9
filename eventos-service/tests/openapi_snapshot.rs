//! The committed OpenAPI document must match what the code generates, so an API change
//! is always a reviewed change. `UPDATE_OPENAPI=1` rewrites `openapi.json`.

use std::path::Path;

#[test]
fn openapi_matches_the_committed_snapshot() {
    eventflow_testkit::resumenes_en_castellano(&eventos_service::http::openapi());
    eventflow_testkit::assert_openapi_snapshot(
        &eventos_service::http::openapi(),
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json"),
    );
}
