//! The UI's sessions in `HttpOnly` cookies, so a reload keeps you signed in and no script
//! ever holds a session token; and the `Origin` check that keeps other sites from using
//! those cookies (CSRF).
//!
//! - **Sign-in.** A browser's `POST /api/sesiones` (it comes with an `Origin`, or a
//!   `Referer`, of this UI) that the service answers 201 gets the token in a cookie
//!   (`HttpOnly; SameSite=Strict; Path=/`, `Secure` over TLS, `Max-Age` until the session's
//!   `expira_en`) and the page gets the answer *without* `token`. A client that sends no
//!   `Origin` (curl, the e2e's API helpers, another service) gets the answer as the service
//!   wrote it: the bearer API is unchanged through this proxy.
//! - **Two sessions.** A buyer's and an organizer's live side by side, one cookie each
//!   ([`Rol`]); the page says which one a request is for with `X-Sesion: organizador`
//!   (the buyer's otherwise). A door staff account's session (`rol: staff`) goes in the
//!   organizer's cookie: the door page (`/organizador/ingreso`) is the organizer's or its
//!   staff's, and the services refuse staff whatever else an organizer may do. A readable cookie with no secret in it, `…_hay_sesion…=1`,
//!   tells the page whether asking `GET /api/sesiones/actual` is worth it.
//! - **Later requests.** Without an `Authorization` header of its own, a request gets
//!   `Authorization: Bearer <the cookie's token>`. An `Authorization` the client sends wins.
//! - **CSRF.** A request that changes state (anything but GET, HEAD, OPTIONS) and carries a
//!   session cookie, and every browser sign-in, must come from this UI's own origin
//!   (`Origin`, else `Referer`, equal to `scheme://Host`), else 403 `origen-no-permitido`.
//!   `SameSite=Strict` already keeps the cookies off other sites' requests; the check is the
//!   second lock, for browsers or proxies that get SameSite wrong. A request with its own
//!   `Authorization` header is not checked: it carries its credential itself.
//! - **Sign-out.** `DELETE /api/sesiones/actual` sent with the cookie's token clears the
//!   cookies after forwarding, whatever the service answered (the browser forgets the
//!   session even when usuarios is down; the token then dies at its `expira_en`). A 401
//!   `sesion-invalida` to a request sent with the cookie's token clears them too.
//!
//! TLS: the UI is served over https when `UI_HTTPS=1` (a TLS-terminating proxy in front),
//! or when a proxy listed in `EVENTFLOW_PROXIES_CONFIABLES` says `X-Forwarded-Proto: https`.
//! Then the cookies are `Secure` and the expected origin is `https://Host`.

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use eventflow_shared::identidad::ProxiesConfiables;
use eventflow_shared::secreto::Secreto;
use eventflow_shared::ApiError;

/// The header the page names its organizer session with.
pub const CABECERA_SESION: &str = "x-sesion";

/// Whose session a cookie holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rol {
    Comprador,
    Organizador,
}

impl Rol {
    /// The `HttpOnly` cookie that holds the token.
    pub fn cookie(self) -> &'static str {
        match self {
            Self::Comprador => "eventflow_sesion",
            Self::Organizador => "eventflow_sesion_organizador",
        }
    }

    /// The cookie the page can read: `1` while the session cookie is there. No secret.
    pub fn pista(self) -> &'static str {
        match self {
            Self::Comprador => "eventflow_hay_sesion",
            Self::Organizador => "eventflow_hay_sesion_organizador",
        }
    }

    const TODOS: [Rol; 2] = [Rol::Comprador, Rol::Organizador];
}

/// How the UI is reached: over TLS or not, and through which proxies.
#[derive(Debug, Clone, Default)]
pub struct Seguridad {
    /// `UI_HTTPS`: the UI is served over https (by a TLS-terminating proxy in front).
    pub https: bool,
    /// `EVENTFLOW_PROXIES_CONFIABLES`: the peers whose `X-Forwarded-Proto` is believed
    /// (the same list the services believe `X-Forwarded-For` from).
    pub proxies_confiables: ProxiesConfiables,
}

impl Seguridad {
    /// `UI_HTTPS` (`1`/`true`; off by default) and `EVENTFLOW_PROXIES_CONFIABLES`
    /// (IPs and CIDRs; none by default).
    pub fn desde(e: &mut eventflow_shared::config::Entorno) -> Self {
        Self {
            https: e.si_no("UI_HTTPS", false),
            proxies_confiables: ProxiesConfiables::desde(e),
        }
    }

    /// Whether this request reached the UI over TLS.
    fn por_tls(&self, parts: &Parts) -> bool {
        if self.https {
            return true;
        }
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        peer.is_some_and(|p| self.proxies_confiables.confia(p))
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
    }
}

/// What the proxy does about sessions for one request, decided before forwarding it.
#[derive(Debug)]
pub struct Plan {
    rol: Rol,
    /// The cookie's token, when it is the credential this request is sent with.
    token: Option<Secreto>,
    /// A browser signs in: its token goes into a cookie, not into the page.
    inicio_en_navegador: bool,
    /// Sign-out with the cookie's token.
    cierre: bool,
    segura: bool,
}

impl Plan {
    /// `Authorization` to forward, when the cookie supplies it.
    pub fn autorizacion(&self) -> Option<HeaderValue> {
        let t = self.token.as_ref()?;
        let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose())).ok()?;
        v.set_sensitive(true);
        Some(v)
    }
}

/// The value of cookie `nombre` in the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, nombre: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|par| par.trim().split_once('='))
        .find(|(k, _)| *k == nombre)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The origin a page of this UI sends: `scheme://Host`.
fn origen_propio(parts: &Parts, tls: bool) -> Option<String> {
    let host = parts.headers.get(header::HOST)?.to_str().ok()?;
    Some(format!(
        "{}://{}",
        if tls { "https" } else { "http" },
        host.to_ascii_lowercase()
    ))
}

/// The origin a request says it comes from: `Origin`, else `Referer`'s origin. `None`
/// when it says nothing (not a browser, or a very old one).
fn origen_declarado(headers: &HeaderMap) -> Option<String> {
    if let Some(o) = headers.get(header::ORIGIN) {
        return Some(o.to_str().unwrap_or("null").to_ascii_lowercase());
    }
    let r = headers.get(header::REFERER)?.to_str().ok()?;
    Some(match reqwest::Url::parse(r) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => "null".into(),
    })
}

fn origen_no_permitido() -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "origen-no-permitido",
        "Origen no permitido",
        "Esta solicitud no viene de una página de EventFlow: no se usa la sesión del navegador para ella",
    )
    .into_response()
}

/// Reads the request's cookies, checks its origin, and says how to forward it. `Err` is
/// the answer to give instead (403).
#[allow(clippy::result_large_err)]
pub fn preparar(parts: &Parts, seg: &Seguridad) -> Result<Plan, Response> {
    let rol = match parts
        .headers
        .get(CABECERA_SESION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v.trim().eq_ignore_ascii_case("organizador") => Rol::Organizador,
        _ => Rol::Comprador,
    };
    let propia = parts.headers.contains_key(header::AUTHORIZATION);
    let con_cookie = Rol::TODOS
        .iter()
        .any(|r| cookie(&parts.headers, r.cookie()).is_some());
    let path = parts.uri.path();
    let inicio = parts.method == Method::POST && path == "/api/sesiones";
    let cambia = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let tls = seg.por_tls(parts);
    let declarado = origen_declarado(&parts.headers);
    let del_ui = declarado.is_some() && declarado == origen_propio(parts, tls);
    // A browser's sign-in, and any change sent on the strength of a cookie, must come
    // from this UI. A sign-in without Origin/Referer is an API client's: it gets its token.
    if (inicio && declarado.is_some() && !del_ui) || (cambia && !propia && con_cookie && !del_ui) {
        return Err(origen_no_permitido());
    }
    let token = if propia {
        None
    } else {
        cookie(&parts.headers, rol.cookie()).map(Secreto::new)
    };
    Ok(Plan {
        rol,
        cierre: token.is_some() && parts.method == Method::DELETE && path == "/api/sesiones/actual",
        token,
        inicio_en_navegador: inicio && del_ui,
        segura: tls,
    })
}

/// `Set-Cookie` for one cookie; `None` as the value clears it.
fn set_cookie(
    nombre: &str,
    valor: Option<&str>,
    max_age: i64,
    http_only: bool,
    segura: bool,
) -> HeaderValue {
    let mut c = format!(
        "{nombre}={}; Path=/; Max-Age={}; SameSite=Strict",
        valor.unwrap_or(""),
        if valor.is_some() { max_age.max(0) } else { 0 }
    );
    if http_only {
        c.push_str("; HttpOnly");
    }
    if segura {
        c.push_str("; Secure");
    }
    let mut v = HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""));
    v.set_sensitive(http_only);
    v
}

fn abrir(headers: &mut HeaderMap, rol: Rol, token: &str, max_age: i64, segura: bool) {
    headers.append(
        header::SET_COOKIE,
        set_cookie(rol.cookie(), Some(token), max_age, true, segura),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(rol.pista(), Some("1"), max_age, false, segura),
    );
}

fn borrar(headers: &mut HeaderMap, rol: Rol, segura: bool) {
    headers.append(
        header::SET_COOKIE,
        set_cookie(rol.cookie(), None, 0, true, segura),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(rol.pista(), None, 0, false, segura),
    );
}

/// The service's answer as the page gets it: a sign-in's token moved into a cookie, the
/// cookies cleared on sign-out or when the session died. Returns the body to send.
pub fn responder(plan: &Plan, status: StatusCode, headers: &mut HeaderMap, cuerpo: Bytes) -> Bytes {
    let mut cookies = false;
    let mut cuerpo = cuerpo;
    if plan.inicio_en_navegador && status == StatusCode::CREATED {
        if let Ok(serde_json::Value::Object(mut sesion)) = serde_json::from_slice(&cuerpo) {
            if let Some(serde_json::Value::String(token)) = sesion.remove("token") {
                let rol = match sesion.get("rol").and_then(|r| r.as_str()) {
                    Some("organizador" | "staff") => Rol::Organizador,
                    _ => Rol::Comprador,
                };
                let max_age = sesion
                    .get("expira_en")
                    .and_then(|e| e.as_str())
                    .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
                    .map(|e| {
                        (e.with_timezone(&chrono::Utc) - eventflow_shared::now()).num_seconds()
                    })
                    .unwrap_or(0);
                abrir(headers, rol, &token, max_age, plan.segura);
                cuerpo = Bytes::from(serde_json::Value::Object(sesion).to_string());
                cookies = true;
            }
        }
    } else if plan.cierre || (plan.token.is_some() && sesion_invalida(status, &cuerpo)) {
        borrar(headers, plan.rol, plan.segura);
        cookies = true;
    }
    if cookies {
        // An answer that sets a session cookie is nobody's to keep.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    cuerpo
}

/// A 401 `sesion-invalida`: the token is expired or revoked.
fn sesion_invalida(status: StatusCode, cuerpo: &[u8]) -> bool {
    status == StatusCode::UNAUTHORIZED
        && serde_json::from_slice::<serde_json::Value>(cuerpo)
            .ok()
            .and_then(|p| {
                p.get("type")?
                    .as_str()
                    .map(|t| t.ends_with(":sesion-invalida"))
            })
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(method: &str, path: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn reads_one_cookie_among_several() {
        let p = parts(
            "GET",
            "/",
            &[("cookie", "a=1; eventflow_sesion=efs_x"), ("cookie", "b=2")],
        );
        assert_eq!(cookie(&p.headers, "eventflow_sesion"), Some("efs_x"));
        assert_eq!(cookie(&p.headers, "eventflow_sesion_organizador"), None);
        assert_eq!(cookie(&p.headers, "b"), Some("2"));
    }

    #[test]
    fn origin_must_be_this_uis_scheme_and_host() {
        let seg = Seguridad::default();
        let post = |h: &[(&str, &str)]| {
            let mut all = vec![("host", "ui.test:8080"), ("cookie", "eventflow_sesion=t")];
            all.extend_from_slice(h);
            preparar(&parts("POST", "/api/reservar", &all), &seg).map(|p| p.token.is_some())
        };
        assert!(matches!(
            post(&[("origin", "http://ui.test:8080")]),
            Ok(true)
        ));
        assert!(matches!(
            post(&[("referer", "http://ui.test:8080/eventos/x")]),
            Ok(true)
        ));
        for malo in [
            vec![],
            vec![("origin", "null")],
            vec![("origin", "https://ui.test:8080")],
            vec![("origin", "http://evil.test")],
            vec![("referer", "http://evil.test/ui.test:8080")],
        ] {
            let r = post(&malo);
            assert!(matches!(&r, Err(res) if res.status() == 403), "{malo:?}");
        }
        // Its own Authorization: no check, and the cookie is not used.
        assert!(matches!(post(&[("authorization", "Bearer x")]), Ok(false)));
        // Over TLS, the expected origin is https.
        let tls = Seguridad {
            https: true,
            ..Default::default()
        };
        let p = parts(
            "POST",
            "/api/reservar",
            &[
                ("host", "ui.test"),
                ("cookie", "eventflow_sesion=t"),
                ("origin", "https://ui.test"),
            ],
        );
        assert!(preparar(&p, &tls).is_ok());
    }

    #[test]
    fn x_forwarded_proto_counts_only_from_a_trusted_proxy() {
        let seg = Seguridad {
            https: false,
            proxies_confiables: ProxiesConfiables::parse("10.0.0.0/24").unwrap(),
        };
        let desde = |peer: &str| {
            let mut p = parts("GET", "/", &[("x-forwarded-proto", "https")]);
            p.extensions
                .insert(ConnectInfo(SocketAddr::new(peer.parse().unwrap(), 1234)));
            seg.por_tls(&p)
        };
        assert!(desde("10.0.0.5"));
        assert!(!desde("127.0.0.1"));
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_tls() {
        let c = set_cookie("eventflow_sesion", Some("efs_x"), 60, true, true);
        assert_eq!(
            c.to_str().unwrap(),
            "eventflow_sesion=efs_x; Path=/; Max-Age=60; SameSite=Strict; HttpOnly; Secure"
        );
        let b = set_cookie("eventflow_hay_sesion", None, 60, false, false);
        assert_eq!(
            b.to_str().unwrap(),
            "eventflow_hay_sesion=; Path=/; Max-Age=0; SameSite=Strict"
        );
    }

    /// A browser's sign-in answered 201 with `rol`: the cookies it set, by name.
    fn cookies_de_inicio(rol: &str) -> Vec<String> {
        let plan = Plan {
            rol: Rol::Comprador,
            token: None,
            inicio_en_navegador: true,
            cierre: false,
            segura: false,
        };
        let expira = (eventflow_shared::now() + chrono::Duration::hours(1)).to_rfc3339();
        let cuerpo = serde_json::json!({"token": "efs_t", "rol": rol, "expira_en": expira});
        let mut h = HeaderMap::new();
        let fuera = responder(
            &plan,
            StatusCode::CREATED,
            &mut h,
            Bytes::from(cuerpo.to_string()),
        );
        assert!(
            !String::from_utf8_lossy(&fuera).contains("efs_t"),
            "the page never gets the token"
        );
        h.get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split('=').next().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn a_door_staff_session_lives_in_the_organizers_cookie() {
        let org = [
            "eventflow_sesion_organizador",
            "eventflow_hay_sesion_organizador",
        ];
        assert_eq!(cookies_de_inicio("staff"), org);
        assert_eq!(cookies_de_inicio("organizador"), org);
        assert_eq!(
            cookies_de_inicio("comprador"),
            ["eventflow_sesion", "eventflow_hay_sesion"]
        );
    }
}
