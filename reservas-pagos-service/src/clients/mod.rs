//! HTTP clients for the services the SAGA depends on. Timeouts are short and every call
//! carries the request's correlation id. Every call ends done, refused, or unknown: a
//! peer that was never reached, or that answered a 5xx saying nothing was applied
//! (`X-No-Aplicado`, its breaker shedding load), is `NoDisponible` (nothing happened
//! there); a timeout, a cut after the request left, or any other 5xx is `Incierto` (it may
//! have happened).

mod eventos;
mod usuarios;

use std::time::Duration;

use eventflow_shared::ApiError;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

pub use eventos::{EventoRef, EventosClient, Inventario, ZonaRef};
pub use usuarios::UsuariosClient;

#[derive(Debug, Clone)]
pub enum ClientError {
    /// 404 from the peer.
    NotFound,
    /// A 4xx the peer meant: its problem `type` slug, status and detail.
    Refused {
        status: u16,
        tipo: String,
        detalle: String,
        cuerpo: Value,
    },
    /// The request never reached the peer (connection refused or not established):
    /// nothing happened there.
    Unavailable {
        dependencia: &'static str,
        detalle: String,
    },
    /// The request may have reached the peer and taken effect: a timeout, a connection
    /// cut after sending, a 5xx, or an answer we could not read. Never treat it as a
    /// failure of a write: resolve it (retry the idempotent call) or leave it to recovery.
    Unknown {
        dependencia: &'static str,
        detalle: String,
        /// The status the peer answered (a 5xx), or `None` when no answer came at all.
        respuesta: Option<u16>,
    },
}

impl ClientError {
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown { .. })
    }
}

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

/// How many times an idempotent write whose outcome is unknown is sent again before the
/// SAGA gives up on knowing now and leaves the reservation to recovery.
pub const INTENTOS_HASTA_SABER: usize = 3;

/// Runs an idempotent call until its outcome is known: done or refused. A retry of an
/// idempotent call tells what the first one did (`ya_retenida`, `ya_confirmada`, …), so
/// this is how an unknown outcome is resolved. Still `Incierto` after
/// [`INTENTOS_HASTA_SABER`] tries: the caller must not guess.
///
/// Only a call that got no answer is sent again. A 5xx is unknown too, but it comes from
/// a peer whose own store is failing: asking it again at once only makes an outage
/// slower to report, so that outcome goes straight to the caller (and to recovery).
pub async fn hasta_saber<T, F, Fut>(llamada: F) -> Result<T, ClientError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    hasta_saber_con_dudas(llamada).await.0
}

/// [`hasta_saber`], also telling whether some try's outcome was unknown: that try may
/// still have had its effect, whatever the last one answered.
pub async fn hasta_saber_con_dudas<T, F, Fut>(mut llamada: F) -> (Result<T, ClientError>, bool)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ClientError>>,
{
    let mut espera = Duration::from_millis(20);
    let mut intento = 1;
    loop {
        match llamada().await {
            Err(
                e @ ClientError::Unknown {
                    respuesta: None, ..
                },
            ) if intento < INTENTOS_HASTA_SABER => {
                tracing::info!(intento, error = ?e, "unknown outcome; asking again");
                tokio::time::sleep(espera).await;
                espera *= 4;
                intento += 1;
            }
            other => return (other, intento > 1),
        }
    }
}

/// Maps a peer's answer for a lookup: 404 names what is missing, outages are 503.
pub fn dependencia(e: ClientError, que: &str) -> ApiError {
    match e {
        ClientError::NotFound => ApiError::not_found(format!("{que} no existe")),
        ClientError::Refused {
            status,
            tipo,
            detalle,
            ..
        } => {
            let status = axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
            let kind: &'static str = match tipo.as_str() {
                "agotado" => "agotado",
                "evento-finalizado" => "evento-finalizado",
                "validacion" => "validacion",
                "sin-retencion" => "retencion-vencida",
                _ => "rechazo-dependencia",
            };
            ApiError::new(status, kind, "Solicitud rechazada", detalle)
        }
        ClientError::Unavailable {
            dependencia,
            detalle,
        }
        | ClientError::Unknown {
            dependencia,
            detalle,
            ..
        } => ApiError::unavailable(dependencia, detalle),
    }
}
