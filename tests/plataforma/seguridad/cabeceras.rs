//! The security headers on real answers of all four services (`shared::http::cabeceras`):
//! `nosniff`, `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, the API's CSP on
//! JSON and problem answers, Swagger UI's own CSP at `/docs` (whose page must then load
//! every script from its own origin), and `Cache-Control: no-store` on the answers that
//! carry a session token or a guest's secret, and on every other API answer.

use eventflow_shared::http::{CSP_API, CSP_DOCS};
use eventflow_testkit::matriz;
use reqwest::{Client, Response};
use serde_json::{json, Value};

use crate::notificaciones::common::{plataforma, Backend};

/// The headers every answer carries, with `csp` as its policy.
fn seguras(r: &Response, csp: &str, que: &str) {
    let h = r.headers();
    let ver = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).unwrap_or("(none)");
    assert_eq!(ver("x-content-type-options"), "nosniff", "{que}");
    assert_eq!(ver("x-frame-options"), "DENY", "{que}");
    assert_eq!(ver("referrer-policy"), "no-referrer", "{que}");
    assert_eq!(ver("content-security-policy"), csp, "{que}");
}

/// An API answer: its status, the API's headers and `no-store`.
fn api(r: &Response, status: u16, que: &str) {
    assert_eq!(r.status().as_u16(), status, "{que}");
    seguras(r, CSP_API, que);
    assert_eq!(r.headers()["cache-control"], "no-store", "{que}");
}

async fn cabeceras_de_seguridad(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let anon = Client::new();

    // A session token, and the profile it opens.
    let (ana, _) = matriz::comprador(
        &anon,
        &p.usuarios,
        "ana@example.com",
        "10000001",
        "quena-charango-1984",
    )
    .await;
    let r = anon
        .post(format!("{}/api/sesiones", p.usuarios))
        .json(&json!({"email": "ana@example.com", "password": "quena-charango-1984"}))
        .send()
        .await
        .unwrap();
    api(&r, 201, "POST /api/sesiones");
    let token = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = anon
        .get(format!("{}/api/usuarios/{ana}", p.usuarios))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    api(&r, 200, "GET /api/usuarios/{id}");

    // A guest's secret: in the checkout's answer and in the reservation's.
    let evento = p.evento(100, "cabeceras").await;
    let comprador = p.usuario(1).await;
    let r = anon
        .post(format!("{}/api/reservar", p.reservas))
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"usuario_id": comprador, "evento_id": evento}))
        .send()
        .await
        .unwrap();
    api(&r, 201, "POST /api/reservar");
    let reserva: Value = r.json().await.unwrap();
    let (id, secreto) = (
        reserva["id"].as_str().unwrap(),
        reserva["secreto"].as_str().unwrap(),
    );
    let r = anon
        .get(format!("{}/api/reservas/{id}", p.reservas))
        .header("x-reserva-secreto", secreto)
        .send()
        .await
        .unwrap();
    api(&r, 200, "GET /api/reservas/{id}");

    // The one-time code route, the catalogue, the notifications, the health routes, a
    // problem and the OpenAPI document: the same headers.
    let r = anon
        .post(format!("{}/api/usuarios/codigo", p.usuarios))
        .json(&json!({"email": "ana@example.com"}))
        .send()
        .await
        .unwrap();
    api(&r, 202, "POST /api/usuarios/codigo");
    let r = anon
        .get(format!("{}/api/eventos", p.eventos))
        .send()
        .await
        .unwrap();
    api(&r, 200, "GET /api/eventos");
    let r = anon
        .get(format!("{}/api/notificaciones", p.notificaciones))
        .send()
        .await
        .unwrap();
    api(&r, 401, "GET /api/notificaciones without a session");
    for base in [&p.usuarios, &p.eventos, &p.reservas, &p.notificaciones] {
        let r = anon.get(format!("{base}/health")).send().await.unwrap();
        api(&r, 200, &format!("{base}/health"));
        let r = anon.get(format!("{base}/no-existe")).send().await.unwrap();
        api(&r, 404, &format!("{base}/no-existe"));
        assert_eq!(
            r.headers()["content-type"],
            "application/problem+json",
            "{base}"
        );
        let r = anon
            .get(format!("{base}/api-docs/openapi.json"))
            .send()
            .await
            .unwrap();
        api(&r, 200, &format!("{base}/api-docs/openapi.json"));
        swagger_ui(&anon, base).await;
    }
}

/// Swagger UI works under its CSP: the page gets `CSP_DOCS`, has no inline script (which
/// `script-src 'self'` would block), and every script it loads is served from its own
/// origin.
async fn swagger_ui(http: &Client, base: &str) {
    let r = http.get(format!("{base}/docs/")).send().await.unwrap();
    assert_eq!(r.status(), 200, "{base}/docs/");
    seguras(&r, CSP_DOCS, "/docs/");
    let html = r.text().await.unwrap();
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "{html}");
    for s in scripts {
        let etiqueta = &s[..s.find('>').unwrap()];
        let src = etiqueta
            .split("src=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_else(|| panic!("an inline script in /docs/: <script{s}"));
        let cuerpo = &s[s.find('>').unwrap() + 1..s.find("</script>").unwrap()];
        assert!(cuerpo.trim().is_empty(), "inline code in /docs/: {cuerpo}");
        assert!(
            src.starts_with("./") || !src.contains(':'),
            "a script from another origin: {src}"
        );
        let url = format!("{base}/docs/{}", src.trim_start_matches("./"));
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        seguras(&r, CSP_DOCS, &url);
    }
}

con_ambos_backends!(cabeceras_de_seguridad, |b| b);
