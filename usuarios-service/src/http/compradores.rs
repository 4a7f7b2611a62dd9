//! Whether a buyer bought from an organizer, asked of reservas-pagos, which owns the
//! reservations: an organizer sees the profiles of its own buyers, and nobody else's.

use std::time::Duration;

use eventflow_shared::ApiError;
use reqwest::StatusCode;
use uuid::Uuid;

pub struct Reservas {
    http: reqwest::Client,
    base: String,
    service_token: String,
}

impl Reservas {
    pub fn new(reservas_url: &str, service_token: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .expect("reqwest client"),
            base: reservas_url.trim_end_matches('/').to_owned(),
            service_token: service_token.to_owned(),
        }
    }

    /// `Ok(true)` when `usuario` has a reservation for an event of `organizador`. An
    /// answer we could not get is a 503, never a yes: the profile stays hidden.
    pub async fn es_comprador_de(
        &self,
        organizador: Uuid,
        usuario: Uuid,
    ) -> Result<bool, ApiError> {
        let url = format!(
            "{}/internal/organizadores/{organizador}/compradores/{usuario}",
            self.base
        );
        let caida = |e: String| {
            tracing::warn!(error = %e, "reservas-pagos unavailable for an organizer's buyer check");
            ApiError::unavailable(
                "reservas",
                "No podemos comprobar tus compradores ahora; reintenta",
            )
        };
        let res = self
            .http
            .get(url)
            .bearer_auth(&self.service_token)
            .send()
            .await
            .map_err(|e| caida(e.to_string()))?;
        match res.status() {
            StatusCode::NO_CONTENT => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            s => Err(caida(format!("reservas answered {s}"))),
        }
    }
}
