//! The booking UI on one origin: the built React app (`frontend/dist`) plus a reverse
//! proxy for the APIs, so the browser only ever talks to `UI_PORT` with relative URLs.
//!
//! | path | goes to |
//! |---|---|
//! | `/api/usuarios`, `/api/sesiones`, `/api/organizadores`, `/api/staff` (and below) | usuarios-service |
//! | `/api/eventos`, `/api/eventos/…`, and seed 000's `/events`, `/events/…` | eventos-service |
//! | `/api/reservar`, `/api/reservas`, `/api/reservas/…`, `/api/entradas/…` | reservas-pagos-service |
//! | `/api/notificaciones`, `/api/notificaciones/…` | notificaciones-service |
//! | any other `/api/…` | 404 problem+json |
//! | anything else | a file of `frontend/dist`, or its `index.html` (client-side routes) |
//!
//! Without a build the UI port still answers, with a page explaining how to make one.
//! The Vite dev server (`frontend/vite.config.ts`) proxies `/api` to this port.
//!
//! Sessions: a browser's sign-in leaves its token in an `HttpOnly` cookie on this origin,
//! never in the page, and later requests get it as their bearer credential; changes sent
//! with that cookie must come from this origin (`ui/sesion.rs`). Every page and file
//! carries the security headers of `ui/cabeceras.rs`.

mod cabeceras;
#[cfg(test)]
mod pruebas_sesion;
mod sesion;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use eventflow_shared::ApiError;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The largest request body the proxy forwards. The services refuse more than 64 KiB
/// themselves (413); this only bounds what the proxy buffers.
const MAX_BODY: usize = 1024 * 1024;

/// Base URLs (`http://host:port`) of the services behind the proxy.
#[derive(Debug, Clone)]
pub struct Upstreams {
    pub usuarios: String,
    pub eventos: String,
    pub reservas: String,
    pub notificaciones: String,
}

impl Upstreams {
    /// The service that owns `path`, with its name for error messages.
    fn for_path(&self, path: &str) -> Option<(&'static str, &str)> {
        let under = |prefix: &str| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        };
        if under("/api/usuarios")
            || under("/api/sesiones")
            || under("/api/organizadores")
            || under("/api/staff")
        {
            Some(("usuarios-service", &self.usuarios))
        } else if under("/api/eventos") || under("/events") {
            Some(("eventos-service", &self.eventos))
        } else if under("/api/reservar") || under("/api/reservas") || under("/api/entradas") {
            Some(("reservas-pagos-service", &self.reservas))
        } else if under("/api/notificaciones") {
            Some(("notificaciones-service", &self.notificaciones))
        } else {
            None
        }
    }
}

#[derive(Clone)]
struct UiState {
    dist: PathBuf,
    upstreams: Upstreams,
    client: reqwest::Client,
    seguridad: sesion::Seguridad,
}

/// Where the built UI lives: `UI_DIST` if set, else `frontend/dist` under the current
/// directory when it exists there, else `frontend/dist` in the source tree this binary
/// was built from (so `cargo run` works from any directory of the checkout).
pub fn dist_dir() -> PathBuf {
    if let Some(d) = eventflow_shared::config::env_string("UI_DIST") {
        return PathBuf::from(d);
    }
    let cwd = PathBuf::from("frontend/dist");
    if cwd.join("index.html").is_file() {
        return cwd;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("frontend/dist")
}

/// Is there a build to serve?
pub fn is_built(dist: &Path) -> bool {
    dist.join("index.html").is_file()
}

/// The UI router: the proxy for `/api`, the static files for everything else. Reads
/// `UI_HTTPS` and `EVENTFLOW_PROXIES_CONFIABLES` (see `ui/sesion.rs`).
pub fn router(dist: PathBuf, upstreams: Upstreams) -> anyhow::Result<Router> {
    let mut e = eventflow_shared::config::Entorno::del_proceso();
    let seguridad = sesion::Seguridad::desde(&mut e);
    e.terminar()?;
    router_con(dist, upstreams, seguridad)
}

/// Reads `UI_HTTPS` and `EVENTFLOW_PROXIES_CONFIABLES` through `e`: the launcher checks
/// them with the rest of its configuration, before anything starts.
pub fn comprobar_entorno(e: &mut eventflow_shared::config::Entorno) {
    sesion::Seguridad::desde(e);
}

fn router_con(
    dist: PathBuf,
    upstreams: Upstreams,
    seguridad: sesion::Seguridad,
) -> anyhow::Result<Router> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        // A SAGA answers in well under this, even when a dependency times out.
        .timeout(Duration::from_secs(60))
        .build()?;
    Ok(Router::new().fallback(handle).with_state(UiState {
        dist,
        upstreams,
        client,
        seguridad,
    }))
}

async fn handle(State(st): State<UiState>, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if path == "/api" || path.starts_with("/api/") || st.upstreams.for_path(&path).is_some() {
        return match st.upstreams.for_path(&path) {
            Some((name, base)) => proxy(&st, name, base, req).await,
            None => problem(
                StatusCode::NOT_FOUND,
                "no-encontrado",
                "No encontrado",
                &format!("Ninguna API atiende {path}"),
            ),
        };
    }
    if !is_built(&st.dist) {
        return not_built_page(&st.dist);
    }
    static_file(&st.dist, &path, req).await
}

/// A file from the build; unknown paths get `index.html`, so client-side routes such as
/// `/eventos/abc` survive a reload.
async fn static_file(dist: &Path, path: &str, req: Request) -> Response {
    let index = dist.join("index.html");
    let svc = ServeDir::new(dist).fallback(ServeFile::new(&index));
    let mut res = match svc.oneshot(req).await {
        Ok(res) => res.map(Body::new),
        Err(never) => match never {},
    };
    // Vite names assets by content hash: they never change. Everything else, index.html
    // above all, must be revalidated so a new build shows up on reload.
    let cache = if path.starts_with("/assets/") && res.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    cabeceras::de_pagina(res.headers_mut());
    res
}

/// Hop-by-hop headers (RFC 9110 §7.6.1) and those the proxy recomputes itself.
fn skipped(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "host"
            | "content-length"
    )
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !skipped(name) {
            to.append(name.clone(), value.clone());
        }
    }
}

/// Forwards the request as it came (method, path and query, body and end-to-end
/// headers: Authorization, Idempotency-Key, X-Correlation-Id, X-Simular-Fallo,
/// Content-Type…) and returns the service's answer as it came, but for the session
/// cookies (`ui/sesion.rs`): the cookie's token goes as `Authorization` when the client
/// sent none, and a browser's sign-in answer gives its token to a cookie, not the page.
async fn proxy(st: &UiState, name: &str, base: &str, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    // The URL parser resolves dot segments (`/api/eventos/../../internal/…`, also as
    // `%2e%2e`), which would reach routes this proxy must never expose. Forward only a
    // path that parses back unchanged.
    let url = match reqwest::Url::parse(&format!("{base}{path_and_query}")) {
        Ok(u) if u.path() == parts.uri.path() => u,
        _ => {
            return problem(
                StatusCode::BAD_REQUEST,
                "solicitud-invalida",
                "Solicitud inválida",
                "La ruta no es válida",
            )
        }
    };
    let plan = match sesion::preparar(&parts, &st.seguridad) {
        Ok(p) => p,
        Err(refused) => return refused,
    };
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "cuerpo-demasiado-grande",
                "Cuerpo demasiado grande",
                "El cuerpo de la solicitud es demasiado grande",
            )
        }
    };
    let mut headers = HeaderMap::new();
    copy_headers(&parts.headers, &mut headers);
    // The services read no cookie: the session cookie's token goes only as Authorization.
    headers.remove(header::COOKIE);
    headers.remove(sesion::CABECERA_SESION);
    if let Some(auth) = plan.autorizacion() {
        headers.insert(header::AUTHORIZATION, auth);
    }
    // The services see this proxy (loopback) as the peer and trust the X-Forwarded-For
    // it sets: the client's address, replacing whatever the browser claimed, so per-IP
    // limits count real clients. The client is the TCP peer, or, when that peer is one
    // of EVENTFLOW_PROXIES_CONFIABLES (a TLS front in front of the launcher), the
    // address that proxy forwarded: otherwise every client would count as the front.
    headers.remove("x-forwarded-for");
    let mut de_la_peticion = axum::http::Request::new(());
    *de_la_peticion.headers_mut() = parts.headers.clone();
    let (mut quien, ()) = de_la_peticion.into_parts();
    if let Some(c) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
    {
        quien.extensions.insert(*c);
        quien
            .extensions
            .insert(st.seguridad.proxies_confiables.clone());
        let cliente = eventflow_shared::identidad::ip_cliente(&quien);
        if let Ok(v) = axum::http::HeaderValue::from_str(&cliente.to_string()) {
            headers.insert("x-forwarded-for", v);
        }
    }
    let upstream = st
        .client
        .request(parts.method, url)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let upstream = match upstream {
        Ok(r) => r,
        Err(e) => return unavailable(name, &e),
    };
    let status = upstream.status();
    let mut out_headers = HeaderMap::new();
    copy_headers(upstream.headers(), &mut out_headers);
    let bytes = match upstream.bytes().await {
        Ok(b) => b,
        Err(e) => return unavailable(name, &e),
    };
    let bytes = sesion::responder(&plan, status, &mut out_headers, bytes);
    cabeceras::de_api(&mut out_headers);
    let mut res = Response::new(Body::from(bytes));
    *res.status_mut() = status;
    *res.headers_mut() = out_headers;
    res
}

fn unavailable(name: &str, e: &reqwest::Error) -> Response {
    tracing::warn!(servicio = name, error = %e, "UI proxy: upstream unreachable");
    let mut e = ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "servicio-no-disponible",
        "Servicio no disponible",
        format!("{name} no responde"),
    );
    e.extra.insert("dependencia".into(), name.into());
    e.into_response()
}

/// The same problem+json every service answers (`eventflow_shared::ApiError`).
fn problem(status: StatusCode, slug: &'static str, title: &str, detail: &str) -> Response {
    ApiError::new(status, slug, title, detail).into_response()
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What the UI port answers before the UI has been built.
fn not_built_page(dist: &Path) -> Response {
    let dist = escape_html(&dist.display().to_string());
    let html = format!(
        r#"<!doctype html>
<html lang="es">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>EventFlow: falta compilar la interfaz</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2937}}
code,pre{{background:#f3f4f6;border-radius:4px;padding:.1rem .3rem}}pre{{padding:.75rem}}</style></head>
<body>
<h1>La interfaz de EventFlow no está compilada</h1>
<p>Las APIs funcionan (y este puerto ya las atiende bajo <code>/api/…</code>), pero no hay
una compilación de la interfaz en <code>{dist}</code>.</p>
<p>Deténgalo (Ctrl-C) y arránquelo con el comando que compila la interfaz y luego inicia todo:</p>
<pre>scripts/run.sh</pre>
<p>O compílela a mano y recargue esta página (no hace falta reiniciar):</p>
<pre>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<hr>
<p lang="en"><small>The booking UI has not been built. Run <code>scripts/run.sh</code>,
or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code> and reload.</small></p>
</body></html>
"#
    );
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        html,
    )
        .into_response();
    cabeceras::de_pagina_sin_compilar(res.headers_mut());
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ups() -> Upstreams {
        Upstreams {
            usuarios: "u".into(),
            eventos: "e".into(),
            reservas: "r".into(),
            notificaciones: "n".into(),
        }
    }

    #[test]
    fn routes_by_whole_path_segment() {
        let u = ups();
        let to = |p: &str| u.for_path(p).map(|(_, base)| base.to_owned());
        assert_eq!(to("/api/usuarios").as_deref(), Some("u"));
        assert_eq!(to("/api/usuarios/ana@example.com").as_deref(), Some("u"));
        assert_eq!(to("/api/eventos/abc").as_deref(), Some("e"));
        assert_eq!(to("/events").as_deref(), Some("e"));
        assert_eq!(to("/events/abc").as_deref(), Some("e"));
        assert_eq!(to("/eventsx"), None);
        assert_eq!(to("/api/reservar").as_deref(), Some("r"));
        assert_eq!(to("/api/reservas/x/cancelar").as_deref(), Some("r"));
        assert_eq!(to("/api/entradas/7K2QX9M4TB/qr.svg").as_deref(), Some("r"));
        assert_eq!(to("/api/eventos/x/ingresos").as_deref(), Some("e"));
        assert_eq!(to("/api/notificaciones").as_deref(), Some("n"));
        assert_eq!(to("/api/usuariosx"), None);
        assert_eq!(to("/api/sesiones").as_deref(), Some("u"));
        assert_eq!(to("/api/sesiones/actual").as_deref(), Some("u"));
        assert_eq!(to("/api/organizadores").as_deref(), Some("u"));
        assert_eq!(to("/api/staff").as_deref(), Some("u"));
        assert_eq!(to("/api/staff/s1").as_deref(), Some("u"));
        assert_eq!(to("/api/staffx"), None);
        assert_eq!(to("/api/otra"), None);
        assert_eq!(to("/internal/usuarios/x/historial/y"), None);
    }

    #[test]
    fn hop_by_hop_headers_are_not_forwarded() {
        let mut from = HeaderMap::new();
        from.insert("idempotency-key", HeaderValue::from_static("k"));
        from.insert("authorization", HeaderValue::from_static("Bearer t"));
        from.insert("x-simular-fallo", HeaderValue::from_static("confirmacion"));
        from.insert("connection", HeaderValue::from_static("keep-alive"));
        from.insert("host", HeaderValue::from_static("127.0.0.1:8080"));
        let mut to = HeaderMap::new();
        copy_headers(&from, &mut to);
        assert_eq!(to.len(), 3);
        assert!(to.contains_key("idempotency-key"));
        assert!(!to.contains_key("host"));
    }

    /// Serves `router` on an ephemeral port; returns its base URL.
    async fn spawn(router: Router) -> String {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(l, router).await.unwrap() });
        format!("http://{addr}")
    }

    /// An upstream that echoes what it received.
    async fn echo(req: Request) -> Response {
        let (parts, body) = req.into_parts();
        let body = to_bytes(body, MAX_BODY).await.unwrap();
        let h = |n: &str| {
            parts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let echo = serde_json::json!({
            "method": parts.method.as_str(),
            "uri": parts.uri.to_string(),
            "body": String::from_utf8_lossy(&body),
            "idempotency_key": h("idempotency-key"),
            "authorization": h("authorization"),
            "correlation": h("x-correlation-id"),
            "simular": h("x-simular-fallo"),
            "content_type": h("content-type"),
            "xff": h("x-forwarded-for"),
        });
        (
            StatusCode::PAYMENT_REQUIRED,
            [
                ("content-type", "application/problem+json"),
                ("x-request-id", "upstream-rid"),
                ("idempotent-replayed", "true"),
            ],
            echo.to_string(),
        )
            .into_response()
    }

    /// The status of a GET sent byte for byte: HTTP clients would resolve `..` first.
    async fn raw_status(base: &str, path: &str) -> u16 {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let addr = base.trim_start_matches("http://");
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let head = String::from_utf8_lossy(&out);
        head.split(' ').nth(1).unwrap().parse().unwrap()
    }

    pub(super) fn temp_dist(with_build: bool) -> PathBuf {
        let d = std::env::temp_dir().join(format!("eventflow-ui-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(d.join("assets")).unwrap();
        if with_build {
            std::fs::write(d.join("index.html"), "<!doctype html><div id=root></div>").unwrap();
            std::fs::write(d.join("assets/app-1234.js"), "console.log(1)").unwrap();
        }
        d
    }

    #[tokio::test]
    async fn proxy_forwards_method_path_query_body_and_headers_both_ways() {
        let up = spawn(Router::new().fallback(echo)).await;
        let ui = spawn(
            router(
                temp_dist(true),
                Upstreams {
                    usuarios: up.clone(),
                    eventos: up.clone(),
                    reservas: up.clone(),
                    notificaciones: up,
                },
            )
            .unwrap(),
        )
        .await;
        let res = reqwest::Client::new()
            .post(format!("{ui}/api/reservar?x=1&y=%20"))
            .header("content-type", "application/json")
            .header("idempotency-key", "k-1")
            .header("authorization", "Bearer t")
            .header("x-correlation-id", "corr-1")
            .header("x-simular-fallo", "confirmacion")
            .body(r#"{"a":1}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 402);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        assert_eq!(res.headers()["x-request-id"], "upstream-rid");
        assert_eq!(res.headers()["idempotent-replayed"], "true");
        let v: serde_json::Value = res.json().await.unwrap();
        assert_eq!(v["method"], "POST");
        assert_eq!(v["uri"], "/api/reservar?x=1&y=%20");
        assert_eq!(v["body"], r#"{"a":1}"#);
        assert_eq!(v["idempotency_key"], "k-1");
        assert_eq!(v["authorization"], "Bearer t");
        assert_eq!(v["correlation"], "corr-1");
        assert_eq!(v["simular"], "confirmacion");
        assert_eq!(v["content_type"], "application/json");
    }

    /// What the services are told the client's address is: the TCP peer, whatever the
    /// browser claims; behind a trusted front proxy, the address that proxy forwarded.
    #[tokio::test]
    async fn the_client_address_forwarded_is_the_peer_or_a_trusted_proxys_client() {
        let up = spawn(Router::new().fallback(echo)).await;
        let ups = || Upstreams {
            usuarios: up.clone(),
            eventos: up.clone(),
            reservas: up.clone(),
            notificaciones: up.clone(),
        };
        let xff = |ui: String| async move {
            let v: serde_json::Value = reqwest::Client::new()
                .get(format!("{ui}/api/eventos"))
                .header("x-forwarded-for", "203.0.113.7")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["xff"].clone()
        };
        // As the launcher serves it: with the TCP peer's address.
        let spawn = |r: Router| async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            tokio::spawn(eventflow_shared::http::serve(l, r, std::future::pending()));
            format!("http://{addr}")
        };
        let nadie =
            spawn(router_con(temp_dist(true), ups(), sesion::Seguridad::default()).unwrap()).await;
        assert_eq!(
            xff(nadie).await,
            "127.0.0.1",
            "a claim from an untrusted peer is dropped"
        );
        let detras = sesion::Seguridad {
            https: false,
            proxies_confiables: eventflow_shared::identidad::ProxiesConfiables::loopback(),
        };
        let frente = spawn(router_con(temp_dist(true), ups(), detras).unwrap()).await;
        assert_eq!(
            xff(frente).await,
            "203.0.113.7",
            "a trusted front proxy's client"
        );
    }

    #[tokio::test]
    async fn serves_files_spa_routes_unknown_apis_and_a_down_upstream() {
        let dead = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("http://{}", l.local_addr().unwrap())
        };
        let ui = spawn(
            router(
                temp_dist(true),
                Upstreams {
                    usuarios: dead.clone(),
                    eventos: dead.clone(),
                    reservas: dead.clone(),
                    notificaciones: dead,
                },
            )
            .unwrap(),
        )
        .await;
        let get = |p: &str| reqwest::get(format!("{ui}{p}"));
        let asset = get("/assets/app-1234.js").await.unwrap();
        assert_eq!(asset.status(), 200);
        assert!(asset.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        let spa = get("/eventos/abc").await.unwrap();
        assert_eq!(spa.status(), 200);
        assert_eq!(spa.headers()["cache-control"], "no-cache");
        assert!(spa.text().await.unwrap().contains("id=root"));
        for sneaky in [
            "/api/eventos/../../internal/eventos/x/retenciones",
            "/api/eventos/%2e%2e/%2E%2E/internal/eventos/x/retenciones",
            "/api/eventos/./x",
        ] {
            assert_eq!(raw_status(&ui, sneaky).await, 400, "{sneaky}");
        }
        let unknown = get("/api/otra").await.unwrap();
        assert_eq!(unknown.status(), 404);
        assert_eq!(
            unknown.headers()["content-type"],
            "application/problem+json"
        );
        let down = get("/api/eventos").await.unwrap();
        assert_eq!(down.status(), 503);
        let v: serde_json::Value = down.json().await.unwrap();
        assert_eq!(v["type"], "urn:eventflow:problem:servicio-no-disponible");
        assert_eq!(v["dependencia"], "eventos-service");
    }

    #[tokio::test]
    async fn without_a_build_the_port_explains_how_to_make_one() {
        let ui = spawn(router(temp_dist(false), ups()).unwrap()).await;
        let res = reqwest::get(format!("{ui}/")).await.unwrap();
        assert_eq!(res.status(), 503);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert!(res.text().await.unwrap().contains("scripts/run.sh"));
    }
}
