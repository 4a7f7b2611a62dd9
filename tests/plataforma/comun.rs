//! Support both halves of the platform tests share: where the stores live (embedded or a
//! real MongoDB), a scenario run on both, and creating buyers and events (or posting raw
//! bodies) through the public API.

use eventflow_shared::config::{StoreConfig, DEV_ADMIN_TOKEN};
use eventflow_testkit as testing;
use reqwest::Client;
use serde_json::Value;

/// `con_ambos_backends!(escenario, |b| montaje)`: runs `async fn escenario(montaje)` as two
/// tests, on the embedded backends and on the real ones of the calling half (its
/// `Backend::real()`), `b` being the backend the set-up is built on.
#[allow(unused_macros)]
macro_rules! con_ambos_backends {
    ($name:ident, |$b:ident| $montaje:expr) => {
        eventflow_testkit::en_ambos_backends!(
            $name,
            embebido: Backend::Embedded,
            real: Backend::real().await,
            |$b| super::$name($montaje),
        );
    };
}

/// Where a stack's data lives: the embedded stores, or a real MongoDB (a fresh database per
/// service) plus `otro`, the other real backend that half needs (Redis for reservas,
/// RabbitMQ for notificaciones), each half giving its own `real()`.
#[derive(Clone)]
pub enum Backend<X> {
    Embedded,
    Real { mongo: String, otro: X },
}

impl<X> Backend<X> {
    /// The store of one service: embedded, or its own database named after `prefix`.
    pub fn store(&self, prefix: &str) -> StoreConfig {
        match self {
            Self::Embedded => StoreConfig::Embedded,
            Self::Real { mongo, .. } => StoreConfig::Mongo {
                uri: mongo.clone().into(),
                database: testing::unique_name(prefix),
            },
        }
    }
}

/// Creates an event from `cuerpo` as the platform admin, tagged with `correlacion` when
/// the test follows it across services; returns its id.
pub async fn crear_evento(
    http: &Client,
    eventos: &str,
    cuerpo: Value,
    correlacion: Option<&str>,
) -> String {
    let mut req = http
        .post(format!("{eventos}/api/eventos"))
        .bearer_auth(DEV_ADMIN_TOKEN);
    if let Some(c) = correlacion {
        req = req.header("X-Correlation-Id", c);
    }
    testing::respuestas::id_creado(req.json(&cuerpo).send().await.unwrap()).await
}

/// Registers the buyer `cuerpo` describes; returns its id.
pub async fn registrar_comprador(http: &Client, usuarios: &str, cuerpo: Value) -> String {
    let res = http
        .post(format!("{usuarios}/api/usuarios"))
        .json(&cuerpo)
        .send()
        .await
        .unwrap();
    testing::respuestas::id_creado(res).await
}

/// The buyer's `historial_compras` as it stands, read as the platform admin (a profile
/// is private). It follows the bus, so callers poll it.
pub async fn historial_compras(http: &Client, usuarios: &str, usuario: &str) -> Vec<String> {
    let u = testing::respuestas::json_de(
        http.get(format!("{usuarios}/api/usuarios/{usuario}"))
            .bearer_auth(DEV_ADMIN_TOKEN),
    )
    .await;
    u["historial_compras"]
        .as_array()
        .unwrap_or_else(|| panic!("no historial_compras in {u}"))
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect()
}

/// POSTs `cuerpo` as raw JSON text (so a test can send what serde would never write) on a
/// fresh client, as the platform admin when `admin`, else anonymously.
pub async fn post_crudo(
    url: impl reqwest::IntoUrl,
    cuerpo: &str,
    admin: bool,
) -> reqwest::Response {
    let mut req = Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(cuerpo.to_owned());
    if admin {
        req = req.bearer_auth(DEV_ADMIN_TOKEN);
    }
    req.send().await.unwrap()
}
