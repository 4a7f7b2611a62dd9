//! Harness for the HTTP tests: the real usuarios router served on port 0, a client, and
//! small helpers that speak the API the way a client does and check what a client sees.

#![allow(dead_code)] // each test binary uses a different subset

use std::time::Duration;

use eventflow_shared::bus::{BusConfig, Consumidor, EmbeddedBus, Envelope, Manejador, Resultado};
use eventflow_shared::config::StoreConfig;
use eventflow_testkit as testing;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use usuarios_service::Config;

/// Runs one `async fn name(app: &TestApp)` against both backends, as two tests in a module
/// named after it: `name::embedded` and `name::mongodb` (a fresh database per test,
/// dropped afterwards). `multi_thread` after the name runs both on a multi-thread runtime.
#[macro_export]
macro_rules! both_backends {
    ($name:ident) => {
        $crate::both_backends!(@ $name, ());
    };
    ($name:ident, multi_thread) => {
        $crate::both_backends!(@ $name, (flavor = "multi_thread", worker_threads = 4));
    };
    (@ $name:ident, ($($arg:tt)*)) => {
        eventflow_testkit::en_ambos_backends!(
            $name($($arg)*),
            embedded: $crate::common::spawn_embedded().await,
            mongodb: async {
                Some($crate::common::spawn_mongo(eventflow_testkit::mongo_uri().await?).await)
            }
            .await,
            |app| super::$name(&app),
            luego: app.drop_database().await,
        );
    };
}

/// [`both_backends!`] with a config tweak, `fn(&mut Config)`, on a multi-thread runtime:
/// `both_backends_con!(name, tweak)`.
#[macro_export]
macro_rules! both_backends_con {
    ($name:ident, $tweak:path) => {
        eventflow_testkit::en_ambos_backends!(
            $name(flavor = "multi_thread", worker_threads = 4),
            embedded: $crate::common::spawn_app_with(
                eventflow_shared::config::StoreConfig::Embedded,
                $tweak,
            )
            .await,
            mongodb: async {
                let uri = eventflow_testkit::mongo_uri().await?;
                Some(
                    $crate::common::spawn_app_with(
                        eventflow_shared::config::StoreConfig::Mongo {
                            uri: uri.into(),
                            database: eventflow_testkit::unique_name("usr"),
                        },
                        $tweak,
                    )
                    .await,
                )
            }
            .await,
            |app| super::$name(&app),
            luego: app.drop_database().await,
        );
    };
}

/// A client whose connections come from `ip`, a loopback address (127.0.0.0/8): another
/// client address for the per-IP limits, as a real second machine would be, with no
/// `X-Forwarded-For` to trust or not.
pub fn cliente_desde(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .timeout(Duration::from_secs(20))
        .build()
        .expect("a client bound to a loopback address")
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// reservas' token, which this instance accepts on every `/internal/*` route (not the
    /// development default).
    pub service_token: String,
    /// Every service's token this instance knows, reservas' among them.
    pub tokens_servicio: Vec<(eventflow_shared::auth::Servicio, String)>,
    /// `"embebido"` or `"mongodb"`, as `/ready` names it.
    pub backend: &'static str,
    /// `(uri, database)` when running on MongoDB.
    pub mongo: Option<(String, String)>,
    /// The platform admin token. `get`, `get_json` and `patch_json` send it, so the
    /// profile tests read any buyer; the authorization tests say who calls explicitly.
    pub admin_token: String,
    /// This instance's password hasher, to count argon2 verifications.
    pub contrasenas: std::sync::Arc<usuarios_service::domain::Contrasenas>,
    /// Every message this instance published: the one-time codes it sends.
    pub buzon: std::sync::Arc<Buzon>,
}

/// Listens on the instance's embedded bus, as notificaciones would.
#[derive(Default)]
pub struct Buzon {
    mensajes: std::sync::Mutex<Vec<Envelope>>,
}

#[async_trait::async_trait]
impl Manejador for Buzon {
    async fn manejar(&self, env: Envelope) -> Resultado {
        self.mensajes.lock().unwrap().push(env);
        Resultado::Hecho
    }
}

impl Buzon {
    /// `CodigoEmitido` messages sent to `email`, oldest first.
    pub fn codigos(&self, email: &str) -> Vec<Value> {
        self.mensajes
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.tipo == "CodigoEmitido" && m.payload["email"] == email)
            .map(|m| m.payload.clone())
            .collect()
    }

    /// The digits of the `n`-th code (from 1) sent to `email`, waiting up to 5 s for it.
    pub async fn codigo(&self, email: &str, n: usize) -> String {
        let fin = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(p) = self.codigos(email).get(n - 1) {
                return p["codigo"].as_str().unwrap().to_owned();
            }
            assert!(
                std::time::Instant::now() < fin,
                "no code number {n} for {email}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Builds the service exactly as the binary does and serves it on an ephemeral port.
pub async fn spawn_app(store: StoreConfig) -> TestApp {
    spawn_app_with(store, |_| {}).await
}

/// [`spawn_app`] with a config tweak (sign-in limits, session TTL).
pub async fn spawn_app_with(store: StoreConfig, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let (backend, mongo) = match &store {
        StoreConfig::Embedded => ("embebido", None),
        StoreConfig::Mongo { uri, database } => {
            ("mongodb", Some((uri.expose().to_owned(), database.clone())))
        }
    };
    use eventflow_shared::auth::{CredencialesServicios, Servicio};
    let tokens_servicio: Vec<(Servicio, String)> = Servicio::TODOS
        .iter()
        .map(|s| (*s, format!("token-{s}-{}", uuid::Uuid::new_v4().simple())))
        .collect();
    let token_de = |q: Servicio| {
        tokens_servicio
            .iter()
            .find(|(s, _)| *s == q)
            .unwrap()
            .1
            .clone()
    };
    let service_token = token_de(Servicio::Reservas);
    let admin_token = format!("admin-de-prueba-{}", uuid::Uuid::new_v4().simple());
    let mut config = Config::embedded();
    config.store = store;
    config.servicios = tokens_servicio.iter().fold(
        CredencialesServicios::new(Servicio::Usuarios, token_de(Servicio::Usuarios)),
        |c, (s, t)| c.aceptando(*s, t.as_str()),
    );
    config.admin_token = admin_token.clone().into();
    // The test client plays a local proxy: tests name their clients in X-Forwarded-For
    // from loopback, so loopback is trusted here (`tests/proxies.rs` checks the default,
    // which trusts nobody).
    config.proxies = eventflow_shared::identidad::ProxiesConfiables::loopback();
    // Generous by default: the limit tests set their own.
    config.limites = usuarios_service::config::LimitesSesion {
        por_ip: 10_000,
        codigos_por_email: 10_000,
        fallos_libres: 10_000,
        fallos_por_dia: 10_000,
    };
    // Tests that fire concurrent sign-ins are about something else: the flood tests
    // (`inundacion.rs`, `tests/sesiones.rs::limites`) set their own.
    config.hashes_simultaneos = 64;
    // reservas-pagos as a service with no reservations: every organizer's buyer check
    // is "no" (reservas-pagos-service/tests/autorizacion.rs runs the real one).
    config.reservas_url = testing::spawn(
        axum::Router::new().fallback(|| async { axum::http::StatusCode::NOT_FOUND }),
    )
    .await;
    let bus = std::sync::Arc::new(EmbeddedBus::default());
    config.bus = BusConfig::Embedded(bus.clone());
    let buzon = std::sync::Arc::new(Buzon::default());
    bus.iniciar(eventflow_shared::bus::NOTIFICACIONES, buzon.clone())
        .await
        .expect("listen on the bus");
    tweak(&mut config);
    let (router, contrasenas) = usuarios_service::build_instrumentado(config)
        .await
        .expect("build usuarios-service");
    TestApp {
        address: testing::spawn(router).await,
        client: testing::respuestas::cliente(Duration::from_secs(20)),
        service_token,
        tokens_servicio,
        backend,
        mongo,
        admin_token,
        contrasenas,
        buzon,
    }
}

pub async fn spawn_embedded() -> TestApp {
    spawn_app(StoreConfig::Embedded).await
}

pub async fn spawn_mongo(uri: String) -> TestApp {
    spawn_app(StoreConfig::Mongo {
        uri: uri.into(),
        database: testing::unique_name("usr"),
    })
    .await
}

/// Whether the test server is SecantusDB (see its documented unique-index deviation).
pub async fn on_secantus(app: &TestApp) -> bool {
    match &app.mongo {
        Some((uri, _)) => testing::is_secantus(uri).await,
        None => false,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET as the platform admin.
    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.admin_token)
    }

    /// A request with no credential, or with `Bearer <token>`.
    pub fn como(&self, method: reqwest::Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let req = self.client.request(method, self.url(path));
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn get_json(&self, path: &str) -> Response {
        self.get(path).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// POST with a raw body and an optional content type, for malformed input.
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> Response {
        let mut req = self.client.post(self.url(path)).body(body);
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.send().await.expect("POST")
    }

    /// PATCH as the platform admin.
    pub async fn patch_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(&self.admin_token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// `POST /api/usuarios`, asserting 201; returns the created user.
    pub async fn crear(&self, body: &Value) -> Value {
        let res = self.post_json("/api/usuarios", body).await;
        json_body(res, StatusCode::CREATED).await
    }

    /// `GET /api/usuarios/{id}`, asserting 200; returns the user.
    pub async fn usuario(&self, id: &str) -> Value {
        json_body(
            self.get_json(&format!("/api/usuarios/{id}")).await,
            StatusCode::OK,
        )
        .await
    }

    /// `GET /api/usuarios?{query}`, asserting 200; returns the page.
    pub async fn pagina(&self, query: &str) -> Value {
        json_body(
            self.get_json(&format!("/api/usuarios?{query}")).await,
            StatusCode::OK,
        )
        .await
    }

    /// `total` of the user list.
    pub async fn total(&self) -> u64 {
        self.pagina("limit=1").await["total"]
            .as_u64()
            .expect("total is a number")
    }

    /// Registers a buyer with a password; returns `(usuario, token)` after signing in.
    pub async fn cuenta(
        &self,
        email: &str,
        nro_documento: &str,
        password: &str,
    ) -> (Value, String) {
        let mut body = nuevo_usuario(email, nro_documento);
        body["password"] = json!(password);
        let u = self.crear(&body).await;
        assert_eq!(u["tiene_password"], true, "{u}");
        assert!(
            u.get("password").is_none() && u.get("password_hash").is_none(),
            "{u}"
        );
        let token = self.iniciar(email, password, None).await;
        (u, token)
    }

    /// `POST /api/sesiones`, asserting 201; returns the token.
    pub async fn iniciar(&self, email: &str, password: &str, rol: Option<&str>) -> String {
        let mut body = json!({"email": email, "password": password});
        if let Some(r) = rol {
            body["rol"] = json!(r);
        }
        let s = json_body(
            self.post_json("/api/sesiones", &body).await,
            StatusCode::CREATED,
        )
        .await;
        s["token"].as_str().expect("token").to_owned()
    }

    /// `POST /api/organizadores` as the admin, then signs in as it: `(organizador, token)`.
    pub async fn organizador(&self, email: &str, password: &str) -> (Value, String) {
        let res = self
            .client
            .post(self.url("/api/organizadores"))
            .bearer_auth(&self.admin_token)
            .json(&json!({"nombre": "Producciones Andinas", "email": email, "password": password}))
            .send()
            .await
            .expect("POST /api/organizadores");
        let o = json_body(res, StatusCode::CREATED).await;
        let token = self.iniciar(email, password, Some("organizador")).await;
        (o, token)
    }

    /// A door staff account of the organizer signed in with `t_org`, and its session.
    pub async fn staff(&self, t_org: &str, email: &str, password: &str) -> (Value, String) {
        let res = self
            .client
            .post(self.url("/api/staff"))
            .bearer_auth(t_org)
            .json(&json!({"nombre": "Rosa Mamani", "email": email, "password": password}))
            .send()
            .await
            .expect("POST /api/staff");
        let s = json_body(res, StatusCode::CREATED).await;
        let token = self.iniciar(email, password, Some("staff")).await;
        (s, token)
    }

    /// `PUT` or `DELETE` on `/internal/usuarios/{id}/historial/{reserva}` (both already
    /// URL-encoded by the caller where needed), with the given `Authorization` value.
    pub async fn historial(
        &self,
        method: reqwest::Method,
        id: &str,
        reserva: &str,
        authorization: Option<&str>,
    ) -> Response {
        let mut req = self.client.request(
            method,
            self.url(&format!("/internal/usuarios/{id}/historial/{reserva}")),
        );
        if let Some(auth) = authorization {
            req = req.header(AUTHORIZATION, auth);
        }
        req.send().await.expect("historial request")
    }

    /// `Bearer <service token>`.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.service_token)
    }

    /// Drops the test database (after a passing test only; a failing one leaves it to look at).
    pub async fn drop_database(&self) {
        if let Some((uri, database)) = &self.mongo {
            if let Ok(db) = eventflow_shared::mongo::connect(uri, database).await {
                let _ = db.drop().await;
            }
        }
    }
}

/// A valid registration body.
pub fn nuevo_usuario(email: &str, nro_documento: &str) -> Value {
    json!({
        "tipo_documento": "DNI",
        "nro_documento": nro_documento,
        "nombre": "Ana",
        "apellido": "Quispe",
        "email": email,
    })
}

/// Asserts the status and a JSON content type; returns the body.
pub async fn json_body(res: Response, status: StatusCode) -> Value {
    testing::respuestas::json_con_estado(res, status.as_u16()).await
}

/// Asserts an RFC 9457 problem with this status; returns the body.
pub async fn problem(res: Response, status: StatusCode) -> Value {
    testing::respuestas::problema(res, status.as_u16()).await
}

/// Asserts a 422 problem; returns the `campo` of each `errors` entry, in order.
pub async fn validation(res: Response) -> Vec<String> {
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["type"], "urn:eventflow:problem:validacion", "{body}");
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("422 without errors: {body}"));
    assert!(!errors.is_empty(), "{body}");
    errors
        .iter()
        .map(|e| {
            assert!(
                e["mensaje"].as_str().is_some_and(|m| !m.is_empty()),
                "error without mensaje: {body}"
            );
            e["campo"].as_str().expect("campo").to_owned()
        })
        .collect()
}
