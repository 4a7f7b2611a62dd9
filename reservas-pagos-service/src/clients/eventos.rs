//! Client for eventos-service: read an event, and hold, confirm, release or return
//! tickets through its service-token routes.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::{ClientError, Peer};

#[derive(Debug, Clone, Deserialize)]
pub struct ZonaRef {
    pub nombre: String,
    pub precio: i64,
    pub disponibles: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventoRef {
    pub id: String,
    pub fecha: DateTime<Utc>,
    pub zonas: Vec<ZonaRef>,
}

#[derive(Clone)]
pub struct EventosClient(pub Peer);

fn invalid(e: impl std::fmt::Display) -> ClientError {
    ClientError::NoDisponible {
        dependencia: "eventos",
        detalle: format!("respuesta inesperada: {e}"),
    }
}

impl EventosClient {
    pub async fn obtener(&self, id: &str, corr: &str) -> Result<EventoRef, ClientError> {
        let body = self
            .0
            .send(self.0.get(&["api", "eventos", id]), corr)
            .await?;
        serde_json::from_value(body).map_err(invalid)
    }

    /// Returns the `resultado` slug (`retenida`, `ya_retenida`, `ya_vendida`).
    pub async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<String, ClientError> {
        let req = self
            .0
            .internal(Method::POST, &["internal", "eventos", id, "retenciones"])
            .json(&json!({ "reserva_id": rid, "zona": zona, "cantidad": cantidad }));
        resultado(self.0.send(req, corr).await?)
    }

    pub async fn confirmar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        let req = self.0.internal(
            Method::POST,
            &["internal", "eventos", id, "retenciones", rid, "confirmar"],
        );
        resultado(self.0.send(req, corr).await?)
    }

    pub async fn liberar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        let req = self.0.internal(
            Method::DELETE,
            &["internal", "eventos", id, "retenciones", rid],
        );
        resultado(self.0.send(req, corr).await?)
    }

    pub async fn devolver(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        let req = self.0.internal(
            Method::POST,
            &["internal", "eventos", id, "ventas", rid, "devolver"],
        );
        resultado(self.0.send(req, corr).await?)
    }
}

fn resultado(body: serde_json::Value) -> Result<String, ClientError> {
    body["resultado"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| invalid("sin resultado"))
}
