//! The security headers of the UI's pages and files: what a browser may load and run on
//! them, and where they may be shown.
//!
//! - `Content-Security-Policy`: scripts, styles, images, fonts and API calls from this
//!   origin only. No inline script and no `eval` (Vite's build has neither: `index.html`
//!   loads one module file), and no inline style either: React writes `style` through the
//!   DOM, which CSP allows, and the app has no `<style>` or `style="…"` of its own. Only the
//!   "UI not built" page, which is plain HTML with a `<style>` block, allows inline styles.
//! - `frame-ancestors 'none'` and `X-Frame-Options: DENY`: no page of the UI in a frame
//!   (clickjacking); the second for browsers that predate CSP 2.
//! - `X-Content-Type-Options: nosniff`: a file is run or styled only as what it says it is.
//! - `Referrer-Policy: no-referrer`: a guest's reservation link carries its secret
//!   (`/reservas/{id}?s=…`), so no page tells another site where it came from. The UI's
//!   own API calls send `Referrer-Policy: origin` per request (src/api/client.ts), so
//!   their `Origin` header is this UI's, as the proxy's CSRF check wants
//!   (src/ui/sesion.rs), never the `null` the Fetch standard gives a POST under
//!   `no-referrer`.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
frame-ancestors 'none'";

/// The "UI not built" page: the same, with its one `<style>` block allowed.
const CSP_SIN_COMPILAR: &str = "default-src 'none'; style-src 'unsafe-inline'; \
base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn comunes(h: &mut HeaderMap, csp: &'static str) {
    let pares: [(HeaderName, &'static str); 4] = [
        (HeaderName::from_static("content-security-policy"), csp),
        (HeaderName::from_static("x-frame-options"), "DENY"),
        (HeaderName::from_static("x-content-type-options"), "nosniff"),
        (HeaderName::from_static("referrer-policy"), "no-referrer"),
    ];
    for (k, v) in pares {
        h.insert(k, HeaderValue::from_static(v));
    }
}

/// On every page and file of the build.
pub fn de_pagina(h: &mut HeaderMap) {
    comunes(h, CSP);
}

/// On the page that explains how to build the UI.
pub fn de_pagina_sin_compilar(h: &mut HeaderMap) {
    comunes(h, CSP_SIN_COMPILAR);
}

/// On the proxied API answers, when the service did not set them: JSON is never sniffed
/// as HTML, and an answer is never framed.
pub fn de_api(h: &mut HeaderMap) {
    for (k, v) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
    ] {
        if !h.contains_key(k) {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
    }
}
