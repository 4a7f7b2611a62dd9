//! The OpenAPI document is reviewed like code: a change shows up as a snapshot diff.
//! `UPDATE_OPENAPI=1 cargo test -p usuarios-service --test openapi_snapshot` accepts it.

use std::path::Path;

#[test]
fn openapi_matches_the_committed_snapshot() {
    eventflow_testkit::resumenes_en_castellano(&usuarios_service::http::openapi());
    eventflow_testkit::assert_openapi_snapshot(
        &usuarios_service::http::openapi(),
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json"),
    );
}
