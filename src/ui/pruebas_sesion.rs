//! The UI's session cookies against the real usuarios-service behind the proxy, on both
//! backends: what a browser on the UI gets (a cookie, no token), what another site gets
//! (403), what an API client keeps (its bearer token), and the pages' security headers.

use eventflow_shared::config::{StoreConfig, DEV_ADMIN_TOKEN};
use eventflow_testkit as testing;
use reqwest::header::{HeaderMap, SET_COOKIE};
use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

use super::sesion::Seguridad;
use super::{router, router_con, Upstreams};

const CLAVE: &str = "caballo-bateria-grapa";

/// usuarios-service on `store`, and the UI's proxy in front of it (every API to it); and a
/// second proxy that believes it is served over TLS (`UI_HTTPS=1`).
async fn montar(store: StoreConfig) -> Ui {
    let mut config = usuarios_service::Config::embedded();
    config.store = store;
    // No reservations anywhere: the organizer's buyer check is never needed here.
    config.reservas_url = testing::spawn(
        axum::Router::new().fallback(|| async { axum::http::StatusCode::NOT_FOUND }),
    )
    .await;
    let usuarios = testing::spawn(usuarios_service::build(config).await.unwrap()).await;
    let ups = Upstreams {
        usuarios: usuarios.clone(),
        eventos: usuarios.clone(),
        reservas: usuarios.clone(),
        notificaciones: usuarios,
    };
    let dist = super::tests::temp_dist(true);
    let tls = Seguridad {
        https: true,
        ..Default::default()
    };
    let base =
        testing::spawn(router_con(dist.clone(), ups.clone(), Seguridad::default()).unwrap()).await;
    let tls = testing::spawn(router_con(dist, ups, tls).unwrap()).await;
    Ui {
        base,
        tls,
        http: Client::new(),
    }
}

struct Ui {
    base: String,
    /// The proxy behind TLS (`http://…` here: the TLS is a proxy's in front of it).
    tls: String,
    http: Client,
}

impl Ui {
    fn origen(&self) -> &str {
        &self.base
    }

    /// A request as the UI's own page sends it: with this origin.
    fn pagina(&self, m: Method, path: &str) -> RequestBuilder {
        self.http
            .request(m, format!("{}{path}", self.base))
            .header("origin", self.origen())
    }

    /// A request with no origin at all (curl, a service, the e2e's API helpers).
    fn cliente(&self, m: Method, path: &str) -> RequestBuilder {
        self.http.request(m, format!("{}{path}", self.base))
    }
}

async fn cuerpo(res: Response, status: StatusCode) -> Value {
    let s = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(s, status, "{v}");
    v
}

fn slug(p: &Value) -> &str {
    p["type"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("urn:eventflow:problem:")
}

/// Every `Set-Cookie` of an answer.
fn set_cookies(h: &HeaderMap) -> Vec<String> {
    h.get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The `Set-Cookie` for cookie `nombre`.
fn set_cookie(h: &HeaderMap, nombre: &str) -> Option<String> {
    set_cookies(h)
        .into_iter()
        .find(|c| c.starts_with(&format!("{nombre}=")))
}

/// `nombre=valor` as a browser sends it back.
fn par(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

fn max_age(set_cookie: &str) -> i64 {
    set_cookie
        .split(';')
        .find_map(|a| a.trim().strip_prefix("Max-Age="))
        .unwrap()
        .parse()
        .unwrap()
}

async fn registrar(ui: &Ui, nombre: &str, email: &str) -> String {
    let r = ui
        .cliente(Method::POST, "/api/usuarios")
        .json(&json!({"tipo_documento": "DNI", "nro_documento": format!("{}", 10_000_000 + rand_doc()),
            "nombre": nombre, "apellido": "Prueba", "email": email, "password": CLAVE}))
        .send()
        .await
        .unwrap();
    cuerpo(r, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn rand_doc() -> u32 {
    (uuid::Uuid::new_v4().as_u128() % 80_000_000) as u32
}

eventflow_testkit::en_ambos_backends!(
    sesion_en_cookie,
    embebido: StoreConfig::Embedded,
    real: async {
        Some(StoreConfig::Mongo {
            uri: eventflow_testkit::mongo_uri().await?.into(),
            database: eventflow_testkit::unique_name("ui"),
        })
    }
    .await,
    |store| super::sesion_en_cookie(store),
);

/// A browser signs in through the UI: the token goes to an HttpOnly, SameSite=Strict
/// cookie and never to the page; the cookie then signs its requests; another site's
/// requests with it are refused; an API client's bearer token works and wins; signing
/// out clears the cookie.
async fn sesion_en_cookie(store: StoreConfig) {
    let ui = montar(store).await;
    let sufijo = uuid::Uuid::new_v4().simple().to_string();
    let ana_email = format!("ana.{sufijo}@example.com");
    let ana = registrar(&ui, "Ana", &ana_email).await;

    // Sign-in from the UI's page: 201, the answer without its token, the token in a cookie.
    let r = ui
        .pagina(Method::POST, "/api/sesiones")
        .json(&json!({"email": ana_email, "password": CLAVE}))
        .send()
        .await
        .unwrap();
    let h = r.headers().clone();
    let s = cuerpo(r, StatusCode::CREATED).await;
    assert!(
        s.get("token").is_none(),
        "the page never gets the token: {s}"
    );
    assert_eq!(s["usuario"]["id"], ana.as_str());
    assert!(s["expira_en"].is_string(), "{s}");
    let galleta = set_cookie(&h, "eventflow_sesion").expect("a session cookie");
    assert!(galleta.starts_with("eventflow_sesion=efs_"), "{galleta}");
    for atributo in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(galleta.contains(atributo), "{atributo} in {galleta}");
    }
    assert!(!galleta.contains("Secure"), "plain http: {galleta}");
    // Max-Age follows expira_en (12 h by default).
    let edad = max_age(&galleta);
    assert!((12 * 3600 - 120..=12 * 3600).contains(&edad), "{edad}");
    let pista = set_cookie(&h, "eventflow_hay_sesion").expect("the page's hint");
    assert!(
        pista.starts_with("eventflow_hay_sesion=1;") && !pista.contains("HttpOnly"),
        "{pista}"
    );
    assert_eq!(max_age(&pista), edad);
    assert_eq!(h["cache-control"], "no-store");
    let cookie_ana = par(&galleta);

    // A reload: the page asks who is signed in, and only the cookie answers.
    let yo = |cookie: &str| {
        ui.pagina(Method::GET, "/api/sesiones/actual")
            .header("cookie", cookie.to_owned())
            .send()
    };
    let v = cuerpo(yo(&cookie_ana).await.unwrap(), StatusCode::OK).await;
    assert_eq!(
        (v["rol"].as_str(), v["usuario"]["id"].as_str()),
        (Some("comprador"), Some(ana.as_str()))
    );

    // A change from the UI's page with the cookie: done.
    let perfil = format!("/api/usuarios/{ana}");
    let r = ui
        .pagina(Method::PATCH, &perfil)
        .header("cookie", &cookie_ana)
        .json(&json!({"nombre": "Ana María"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cuerpo(r, StatusCode::OK).await["nombre"], "Ana María");
    // The same from another site, or with no origin, or `Origin: null`: 403, nothing changed.
    for (que, origen) in [
        ("another site", Some("http://malo.example")),
        ("no origin", None),
        ("Origin: null", Some("null")),
    ] {
        let mut req = ui
            .cliente(Method::PATCH, &perfil)
            .header("cookie", &cookie_ana)
            .json(&json!({"nombre": "Mallory"}));
        if let Some(o) = origen {
            req = req.header("origin", o);
        }
        let p = cuerpo(req.send().await.unwrap(), StatusCode::FORBIDDEN).await;
        assert_eq!(slug(&p), "origen-no-permitido", "{que}: {p}");
        assert!(p["detail"].as_str().unwrap().contains("EventFlow"), "{p}");
    }
    let r = ui
        .pagina(Method::GET, &perfil)
        .header("cookie", &cookie_ana)
        .send()
        .await
        .unwrap();
    assert_eq!(cuerpo(r, StatusCode::OK).await["nombre"], "Ana María");
    // Another site cannot sign a browser in either (login CSRF).
    let r = ui
        .cliente(Method::POST, "/api/sesiones")
        .header("origin", "http://malo.example")
        .json(&json!({"email": ana_email, "password": CLAVE}))
        .send()
        .await
        .unwrap();
    assert!(set_cookies(r.headers()).is_empty());
    assert_eq!(
        slug(&cuerpo(r, StatusCode::FORBIDDEN).await),
        "origen-no-permitido"
    );

    // An API client through the proxy: its token in the answer, no cookie, and its own
    // Authorization wins over a cookie it also sends.
    let beto_email = format!("beto.{sufijo}@example.com");
    let beto = registrar(&ui, "Beto", &beto_email).await;
    let r = ui
        .cliente(Method::POST, "/api/sesiones")
        .json(&json!({"email": beto_email, "password": CLAVE}))
        .send()
        .await
        .unwrap();
    assert!(set_cookies(r.headers()).is_empty());
    let token_beto = cuerpo(r, StatusCode::CREATED).await["token"]
        .as_str()
        .expect("an API client keeps its token")
        .to_owned();
    let r = ui
        .cliente(Method::GET, "/api/sesiones/actual")
        .header("cookie", &cookie_ana)
        .bearer_auth(&token_beto)
        .send()
        .await
        .unwrap();
    assert_eq!(
        cuerpo(r, StatusCode::OK).await["usuario"]["id"],
        beto.as_str()
    );
    // …and with its own Authorization, no origin check: it brings its credential itself.
    let r = ui
        .cliente(Method::PATCH, &format!("/api/usuarios/{beto}"))
        .header("cookie", &cookie_ana)
        .bearer_auth(&token_beto)
        .json(&json!({"nombre": "Roberto"}))
        .send()
        .await
        .unwrap();
    assert_eq!(cuerpo(r, StatusCode::OK).await["nombre"], "Roberto");

    // An organizer account signs in on the same browser: a cookie of its own, chosen with
    // `X-Sesion: organizador`; the buyer's stays the default.
    let org_email = format!("org.{sufijo}@example.com");
    let r = ui
        .cliente(Method::POST, "/api/organizadores")
        .bearer_auth(DEV_ADMIN_TOKEN)
        .json(
            &json!({"nombre": format!("Andinas {sufijo}"), "email": org_email, "password": CLAVE}),
        )
        .send()
        .await
        .unwrap();
    let org = cuerpo(r, StatusCode::CREATED).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = ui
        .pagina(Method::POST, "/api/sesiones")
        .header("cookie", &cookie_ana)
        .json(&json!({"email": org_email, "password": CLAVE, "rol": "organizador"}))
        .send()
        .await
        .unwrap();
    let h = r.headers().clone();
    assert!(cuerpo(r, StatusCode::CREATED).await.get("token").is_none());
    let galleta_org = set_cookie(&h, "eventflow_sesion_organizador").expect("organizer cookie");
    assert!(galleta_org.contains("HttpOnly") && galleta_org.contains("SameSite=Strict"));
    assert!(
        set_cookie(&h, "eventflow_sesion").is_none(),
        "the buyer's cookie stays"
    );
    let ambas = format!("{cookie_ana}; {}", par(&galleta_org));
    let r = ui
        .pagina(Method::GET, "/api/sesiones/actual")
        .header("cookie", &ambas)
        .header("x-sesion", "organizador")
        .send()
        .await
        .unwrap();
    let v = cuerpo(r, StatusCode::OK).await;
    assert_eq!(
        (v["rol"].as_str(), v["usuario"]["id"].as_str()),
        (Some("organizador"), Some(org.as_str()))
    );
    let v = cuerpo(yo(&ambas).await.unwrap(), StatusCode::OK).await;
    assert_eq!(v["usuario"]["id"], ana.as_str());

    // The buyer signs out: 204, her cookies cleared, the organizer's kept.
    let r = ui
        .pagina(Method::DELETE, "/api/sesiones/actual")
        .header("cookie", &ambas)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let borrada = set_cookie(r.headers(), "eventflow_sesion").expect("cleared");
    assert!(
        borrada.starts_with("eventflow_sesion=;") && max_age(&borrada) == 0,
        "{borrada}"
    );
    assert_eq!(
        max_age(&set_cookie(r.headers(), "eventflow_hay_sesion").unwrap()),
        0
    );
    assert!(set_cookie(r.headers(), "eventflow_sesion_organizador").is_none());
    // The old cookie is dead on the server too; using it clears it again.
    let r = yo(&cookie_ana).await.unwrap();
    assert!(set_cookie(r.headers(), "eventflow_sesion").is_some_and(|c| max_age(&c) == 0));
    assert_eq!(
        slug(&cuerpo(r, StatusCode::UNAUTHORIZED).await),
        "sesion-invalida"
    );
    let r = ui
        .pagina(Method::GET, "/api/sesiones/actual")
        .header("cookie", &ambas)
        .header("x-sesion", "organizador")
        .send()
        .await
        .unwrap();
    assert_eq!(
        cuerpo(r, StatusCode::OK).await["usuario"]["id"],
        org.as_str()
    );

    // Served over TLS: the cookie is Secure, and the page's origin is https://Host.
    let host = ui.tls.trim_start_matches("http://");
    let entrar = |origen: String| {
        ui.http
            .post(format!("{}/api/sesiones", ui.tls))
            .header("origin", origen)
            .json(&json!({"email": ana_email, "password": CLAVE}))
            .send()
    };
    let r = entrar(format!("https://{host}")).await.unwrap();
    let segura = set_cookie(r.headers(), "eventflow_sesion").expect("a cookie over TLS");
    assert!(
        segura.contains("; Secure") && segura.contains("HttpOnly"),
        "{segura}"
    );
    assert!(set_cookie(r.headers(), "eventflow_hay_sesion")
        .unwrap()
        .contains("; Secure"));
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = entrar(format!("http://{host}")).await.unwrap();
    assert_eq!(
        slug(&cuerpo(r, StatusCode::FORBIDDEN).await),
        "origen-no-permitido"
    );
}

#[tokio::test]
async fn pages_and_files_carry_the_security_headers() {
    let ups = Upstreams {
        usuarios: "http://127.0.0.1:9".into(),
        eventos: "http://127.0.0.1:9".into(),
        reservas: "http://127.0.0.1:9".into(),
        notificaciones: "http://127.0.0.1:9".into(),
    };
    let ui = testing::spawn(router(super::tests::temp_dist(true), ups.clone()).unwrap()).await;
    let sin = testing::spawn(router(super::tests::temp_dist(false), ups).unwrap()).await;
    for url in [
        format!("{ui}/"),
        format!("{ui}/mis-reservas"),
        format!("{ui}/reservas/x?s=secreto"),
        format!("{ui}/assets/app-1234.js"),
        format!("{sin}/"),
    ] {
        let r = reqwest::get(&url).await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{url}: {csp}");
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or("");
        assert!(!scripts.contains("unsafe-inline"), "{url}: {csp}");
        assert!(!csp.contains("unsafe-eval"), "{url}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{url}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{url}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{url}");
    }
}
