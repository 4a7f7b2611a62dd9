//! The OpenAPI document is reviewed like code: a change shows up as a snapshot diff.
//! `INSTA_UPDATE=always cargo nextest run --workspace openapi` accepts it (`openapi.snap`).

#[test]
fn openapi_matches_the_committed_snapshot() {
    eventflow_testkit::assert_openapi_snapshot(
        &usuarios_service::http::openapi(),
        env!("CARGO_MANIFEST_DIR"),
    );
}
