//! Harness for the HTTP tests: the real eventos router served on port 0, a client, and
//! typed helpers that speak the API the way a client does.

/// Generates `mod $name { embebido, real }` running `$name(&app)` on each backend. An
/// optional closure adjusts the `Config` of both.
#[allow(unused_macros)]
macro_rules! en_ambos_backends {
    ($name:ident $(, $ajuste:expr)?) => {
        eventflow_testkit::en_ambos_backends!(
            $name,
            embebido: eventos_service::Config::embedded(),
            real: async {
                Some(common::real_config(
                    eventflow_testkit::mongo_uri().await?,
                    eventflow_testkit::redis_url().await?,
                ))
            }
            .await,
            |config| super::$name(
                &common::spawn_app({
                    #[allow(unused_mut)]
                    let mut config = config;
                    $( ($ajuste)(&mut config); )?
                    config
                })
                .await
            ),
        );
    };
}

use std::time::Duration;

use chrono::{DateTime, Utc};
use eventflow_shared::config::{RedisConfig, StoreConfig};
use eventflow_testkit as testing;
use eventos_service::Config;
use reqwest::header::AUTHORIZATION;
use reqwest::{RequestBuilder, Response};
use serde_json::Value;

/// `Config::embedded()`'s organizer token.
pub const ADMIN_TOKEN: &str = "eventflow-dev-admin";

/// The Redis a real-backend app caches in, for looking at its keys directly.
pub struct RedisProbe {
    pub url: String,
    pub prefix: String,
}

impl RedisProbe {
    async fn conn(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url.as_str())
            .expect("redis url")
            .get_multiplexed_async_connection()
            .await
            .expect("connect to the test Redis")
    }

    /// Whether `<prefix><key>` exists.
    pub async fn exists(&self, key: &str) -> bool {
        let n: i64 = redis::cmd("EXISTS")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut self.conn().await)
            .await
            .expect("EXISTS");
        n == 1
    }

    /// Remaining TTL of `<prefix><key>` in milliseconds (-2: no key, -1: no TTL).
    pub async fn pttl(&self, key: &str) -> i64 {
        redis::cmd("PTTL")
            .arg(format!("{}{key}", self.prefix))
            .query_async(&mut self.conn().await)
            .await
            .expect("PTTL")
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// `Some` when the app runs on MongoDB + Redis.
    pub redis: Option<RedisProbe>,
}

/// Builds the service exactly as the binary does and serves it on an ephemeral port.
pub async fn spawn_app(config: Config) -> TestApp {
    let redis = match &config.redis {
        RedisConfig::Redis { url, prefix } => Some(RedisProbe {
            url: url.expose().to_owned(),
            prefix: prefix.clone(),
        }),
        RedisConfig::Embedded => None,
    };
    let router = eventos_service::build(config)
        .await
        .expect("build eventos-service");
    TestApp {
        redis,
        address: testing::spawn(router).await,
        client: testing::respuestas::cliente(Duration::from_secs(15)),
    }
}

/// Real backends, isolated: a fresh database and a fresh key prefix per app.
pub fn real_config(mongo_uri: String, redis_url: String) -> Config {
    Config {
        store: StoreConfig::Mongo {
            uri: mongo_uri.into(),
            database: testing::unique_name("evt"),
        },
        redis: RedisConfig::Redis {
            url: redis_url.into(),
            prefix: format!("{}:", testing::unique_name("evt")),
        },
        ..Config::embedded()
    }
}

impl TestApp {
    pub fn is_real(&self) -> bool {
        self.redis.is_some()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET failed")
    }

    /// A request with the organizer's bearer token.
    pub fn admin(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.client
            .request(method, self.url(path))
            .header(AUTHORIZATION, format!("Bearer {ADMIN_TOKEN}"))
    }

    /// `POST /api/eventos` as the organizer.
    pub async fn crear_evento(&self, body: &Value) -> Response {
        self.admin(reqwest::Method::POST, "/api/eventos")
            .json(body)
            .send()
            .await
            .expect("POST failed")
    }

    /// `POST /api/eventos` that must succeed; returns the created event.
    pub async fn crear_evento_ok(&self, body: &Value) -> Value {
        let res = self.crear_evento(body).await;
        assert_json(res, 201).await
    }

    pub async fn obtener_evento(&self, id: &str) -> Response {
        self.get(&format!("/api/eventos/{id}")).await
    }

    /// `GET /api/eventos` with query parameters, URL-encoded by the client.
    pub async fn listar(&self, query: &[(&str, &str)]) -> Response {
        self.client
            .get(self.url("/api/eventos"))
            .query(query)
            .send()
            .await
            .expect("GET list failed")
    }

    /// `PATCH /api/eventos/{id}` as the organizer.
    pub async fn actualizar_evento(&self, id: &str, body: &Value) -> Response {
        self.admin(reqwest::Method::PATCH, &format!("/api/eventos/{id}"))
            .json(body)
            .send()
            .await
            .expect("PATCH failed")
    }

    /// The ids of a list page, in order.
    pub async fn ids(&self, query: &[(&str, &str)]) -> (u64, Vec<String>) {
        let page = assert_json(self.listar(query).await, 200).await;
        (page["total"].as_u64().expect("total"), ids_of(&page))
    }
}

pub fn ids_of(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_owned())
        .collect()
}

/// The `x-cache` header (`HIT`/`MISS`), or "" when absent.
pub fn x_cache(res: &Response) -> String {
    res.headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts a JSON answer with `status` and returns its body.
pub use testing::respuestas::json_con_estado as assert_json;
/// Asserts an RFC 9457 problem with `status` and returns its body.
pub use testing::respuestas::problema as assert_problem;

/// A 422 problem; returns the fields it names in `errors[].campo`.
pub async fn assert_invalid(res: Response) -> Vec<String> {
    let body = assert_problem(res, 422).await;
    assert_eq!(body["type"], "urn:eventflow:problem:validacion", "{body}");
    let campos: Vec<String> = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("422 without errors: {body}"))
        .iter()
        .map(|e| {
            assert!(e["mensaje"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            e["campo"].as_str().expect("campo").to_owned()
        })
        .collect();
    assert!(!campos.is_empty(), "{body}");
    campos
}

/// Now plus `dias`, whole seconds, so it reads back identically from MongoDB.
pub fn en_dias(dias: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(Utc::now().timestamp() + dias * 86_400, 0).expect("date")
}

pub fn rfc3339(f: DateTime<Utc>) -> String {
    f.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn parse_fecha(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a date: {v}")))
        .unwrap_or_else(|e| panic!("{v} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}
