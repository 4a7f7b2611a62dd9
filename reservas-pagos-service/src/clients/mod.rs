//! HTTP clients for the services the SAGA depends on. Timeouts are short and every call
//! carries the request's correlation id. Every call ends done, refused, or unknown: a
//! peer that was never reached, or that answered a 5xx saying nothing was applied
//! (`X-No-Aplicado`, its breaker shedding load), is `NoDisponible` (nothing happened
//! there); a timeout, a cut after the request left, or any other 5xx is `Incierto` (it may
//! have happened).

mod eventos;
mod usuarios;

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::puertos::ClientError;

pub use eventos::EventosClient;
pub use usuarios::UsuariosClient;

/// Shared plumbing: base URL, service token, and one pooled client.
#[derive(Clone)]
pub struct Peer {
    nombre: &'static str,
    base: reqwest::Url,
    token: String,
    http: reqwest::Client,
    /// The per-call timeout: how long the caller waits for an answer.
    pub timeout: Duration,
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
            timeout,
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
        let incierto = |detalle: String| ClientError::Unknown {
            dependencia: self.nombre,
            detalle,
            respuesta: None,
        };
        let res = req
            .header("x-correlation-id", correlation)
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    incierto(format!("{} no respondió a tiempo", self.nombre))
                } else if e.is_connect() {
                    // Refused or never established: the request was not sent.
                    ClientError::Unavailable {
                        dependencia: self.nombre,
                        detalle: format!("{} no responde", self.nombre),
                    }
                } else {
                    incierto(format!("{} cortó la conexión: {e}", self.nombre))
                }
            })?;
        let status = res.status();
        // The peer says nothing was applied (it shed the request before starting): the
        // outcome is known, refused, as when it was never reached.
        let no_aplicado = res
            .headers()
            .contains_key(eventflow_shared::http::NO_APLICADO);
        let body = match res.bytes().await {
            Ok(b) if b.is_empty() => Value::Null,
            Ok(b) => serde_json::from_slice(&b).unwrap_or(Value::Null),
            // A success whose body was cut off still happened.
            Err(_) if status.is_success() => {
                return Err(incierto(format!(
                    "{} respondió {status} sin un cuerpo completo",
                    self.nombre
                )))
            }
            Err(_) => Value::Null,
        };
        if status.is_success() {
            return Ok(body);
        }
        if status.is_server_error() && no_aplicado {
            return Err(ClientError::Unavailable {
                dependencia: self.nombre,
                detalle: format!("{} no puede atender ahora; no se hizo nada", self.nombre),
            });
        }
        if status.is_server_error() {
            return Err(ClientError::Unknown {
                dependencia: self.nombre,
                detalle: format!("{} respondió {status}", self.nombre),
                respuesta: Some(status.as_u16()),
            });
        }
        if status == StatusCode::NOT_FOUND {
            return Err(ClientError::NotFound);
        }
        let tipo = body["type"]
            .as_str()
            .unwrap_or_default()
            .rsplit(':')
            .next()
            .unwrap_or_default()
            .to_owned();
        let detalle = body["detail"].as_str().unwrap_or_default().to_owned();
        Err(ClientError::Refused {
            status: status.as_u16(),
            tipo,
            detalle,
            cuerpo: body,
        })
    }
}
