//! The committed OpenAPI document must match what the code generates, so an API change
//! is always a reviewed change (`openapi.snap`; see `eventflow_testkit::assert_openapi_snapshot`).

#[test]
fn openapi_matches_the_committed_snapshot() {
    eventflow_testkit::assert_openapi_snapshot(
        &reservas_pagos_service::http::openapi(),
        env!("CARGO_MANIFEST_DIR"),
    );
}
