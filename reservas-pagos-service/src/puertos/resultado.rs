//! How a call through a port ends: done, refused, or unknown ([`ClientError`]), how an
//! unknown outcome is resolved by asking again ([`hasta_saber`]), and how a refusal or an
//! outage reaches the buyer ([`dependencia`]).

use std::time::Duration;

use eventflow_shared::ApiError;
use serde_json::Value;

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
