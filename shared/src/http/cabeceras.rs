//! Security headers on every answer of the four services: no MIME sniffing, no framing,
//! no Referer, a Content-Security-Policy, and `Cache-Control: no-store`.
//!
//! - The APIs answer JSON and problem+json, never a page: their CSP is
//!   `default-src 'none'; frame-ancestors 'none'`, so a body that a browser was tricked
//!   into rendering can load and run nothing.
//! - Swagger UI at `/docs` is a page. utoipa-swagger-ui serves swagger-ui's own
//!   `index.html`, which loads its scripts from files beside it (`swagger-ui-bundle.js`,
//!   `swagger-ui-standalone-preset.js`, and `swagger-initializer.js`, into which utoipa
//!   writes the configuration) and has no inline script: so `script-src 'self'`, without
//!   `'unsafe-inline'`. Its React components set `style` attributes and its CSS draws
//!   icons from `data:` URIs, hence `style-src 'self' 'unsafe-inline'` (styles cannot run
//!   code) and `img-src 'self' data:`. "Try it out" calls this same origin
//!   (`connect-src 'self'`).
//! - `Referrer-Policy: no-referrer`: a guest's reservation secret can travel in a URL.
//! - `Cache-Control: no-store` on every answer outside `/docs` that did not set its own:
//!   sessions (`POST /api/sesiones`), guest secrets (`POST /api/reservar`,
//!   `GET /api/reservas/{id}`), profiles and codes must never sit in a shared or browser
//!   cache, and the public catalogue is not worth an exception: its availability changes
//!   by the second, and an organizer's token changes what it lists. A CDN in front would
//!   be configured for the catalogue on its own.

use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The CSP of every API answer.
pub const CSP_API: &str = "default-src 'none'; frame-ancestors 'none'";

/// The CSP of Swagger UI's page and files (see the module's doc).
pub const CSP_DOCS: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

fn es_docs(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/")
}

pub(super) async fn poner(req: Request, next: Next) -> Response {
    let docs = es_docs(req.uri().path());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs { CSP_DOCS } else { CSP_API }),
    );
    if !docs && !h.contains_key(CACHE_CONTROL) {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
