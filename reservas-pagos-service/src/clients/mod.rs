//! HTTP clients for the services the SAGA depends on. Timeouts are short and every call
//! carries the request's correlation id; an unreachable or failing peer is `NoDisponible`.

mod eventos;
mod fichas;
mod usuarios;

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

pub use eventos::{EventoRef, EventosClient, ZonaRef};
pub use usuarios::UsuariosClient;

#[derive(Debug, Clone)]
pub enum ClientError {
    /// 404 from the peer.
    NoEncontrado,
    /// A 4xx the peer meant: its problem `type` slug, status and detail.
    Rechazo {
        status: u16,
        tipo: String,
        detalle: String,
        cuerpo: Value,
    },
    /// Could not reach the peer, it timed out, or it answered 5xx.
    NoDisponible {
        dependencia: &'static str,
        detalle: String,
    },
}

/// Shared plumbing: base URL, service token, and one pooled client.
#[derive(Clone)]
pub struct Peer {
    nombre: &'static str,
    base: reqwest::Url,
    token: String,
    http: reqwest::Client,
}

impl Peer {
    pub fn new(
        nombre: &'static str,
        base: &str,
        token: &str,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let base = reqwest::Url::parse(base)
            .map_err(|e| anyhow::anyhow!("{nombre} URL {base:?} is not valid: {e}"))?;
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self {
            nombre,
            base,
            token: token.to_owned(),
            http,
        })
    }

    /// The base URL with `segments` appended, each percent-encoded.
    pub fn url(&self, segments: &[&str]) -> reqwest::Url {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .expect("http URL")
            .pop_if_empty()
            .extend(segments);
        url
    }

    pub fn get(&self, segments: &[&str]) -> RequestBuilder {
        self.http.get(self.url(segments))
    }

    pub fn internal(&self, method: reqwest::Method, segments: &[&str]) -> RequestBuilder {
        self.http
            .request(method, self.url(segments))
            .bearer_auth(&self.token)
    }

    /// Sends and classifies the answer. 2xx returns its JSON body (or null).
    pub async fn send(&self, req: RequestBuilder, correlation: &str) -> Result<Value, ClientError> {
        let unavailable = |detalle: String| ClientError::NoDisponible {
            dependencia: self.nombre,
            detalle,
        };
        let res = req
            .header("x-correlation-id", correlation)
            .send()
            .await
            .map_err(|e| {
                unavailable(if e.is_timeout() {
                    format!("{} no respondió a tiempo", self.nombre)
                } else {
                    format!("{} no responde: {e}", self.nombre)
                })
            })?;
        let status = res.status();
        let body: Value = res.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        if status.is_server_error() {
            return Err(unavailable(format!("{} respondió {status}", self.nombre)));
        }
        if status == StatusCode::NOT_FOUND {
            return Err(ClientError::NoEncontrado);
        }
        let tipo = body["type"]
            .as_str()
            .unwrap_or_default()
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        let detalle = body["detail"].as_str().unwrap_or_default().to_owned();
        Err(ClientError::Rechazo {
            status: status.as_u16(),
            tipo,
            detalle,
            cuerpo: body,
        })
    }
}
