//! Client for eventos-service: read an event, and hold, confirm, release or return
//! tickets through its service-token routes.

mod fichas;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::{ClientError, Peer};
use fichas::Fichas;

/// What the SAGA reads of a zone: its name and price (both fixed once the event exists).
#[derive(Debug, Clone, Deserialize)]
pub struct ZonaRef {
    pub nombre: String,
    pub precio: i64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventoRef {
    pub id: String,
    pub fecha: DateTime<Utc>,
    pub zonas: Vec<ZonaRef>,
    /// Tickets one buyer may have across their reservations for this event.
    #[serde(default = "max_defecto")]
    pub max_por_comprador: u32,
    /// The organizer account that owns the event (absent on events created with the
    /// platform admin's token): it may read and cancel the event's reservations.
    #[serde(default)]
    pub organizador_id: Option<String>,
}

fn max_defecto() -> u32 {
    10
}

#[derive(Clone)]
pub struct EventosClient {
    peer: Peer,
    fichas: Arc<Fichas<EventoRef>>,
}

fn invalid(e: impl std::fmt::Display) -> ClientError {
    ClientError::Unknown {
        dependencia: "eventos",
        detalle: format!("respuesta inesperada: {e}"),
        respuesta: Some(200),
    }
}

impl EventosClient {
    /// `ficha_ttl`: how long `obtener` may answer from its in-process copy (zero: never).
    pub fn new(peer: Peer, ficha_ttl: Duration) -> Self {
        Self {
            peer,
            fichas: Arc::new(Fichas::new(ficha_ttl)),
        }
    }

    /// The event's date, zones and prices, possibly from a copy up to `ficha_ttl` old
    /// (see `fichas`); not for live availability.
    pub async fn obtener(&self, id: &str, corr: &str) -> Result<EventoRef, ClientError> {
        if let Some(e) = self.fichas.get(id) {
            return Ok(e);
        }
        let body = self
            .peer
            .send(self.peer.get(&["api", "eventos", id]), corr)
            .await?;
        let e: EventoRef = serde_json::from_value(body).map_err(invalid)?;
        self.fichas.guardar(&e.id, &e);
        Ok(e)
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
        // Past this instant we have stopped waiting and count the hold as unknown: eventos
        // does not keep a hold that arrives or lands later (see its `X-Plazo-Ms`).
        let plazo = Utc::now() + self.peer.timeout;
        let req = self
            .peer
            .internal(Method::POST, &["internal", "eventos", id, "retenciones"])
            .header("x-plazo-ms", plazo.timestamp_millis())
            .json(&json!({ "reserva_id": rid, "zona": zona, "cantidad": cantidad }));
        resultado(self.peer.send(req, corr).await?)
    }

    pub async fn confirmar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        let req = self.peer.internal(
            Method::POST,
            &["internal", "eventos", id, "retenciones", rid, "confirmar"],
        );
        resultado(self.peer.send(req, corr).await?)
    }

    pub async fn liberar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        let req = self.peer.internal(
            Method::DELETE,
            &["internal", "eventos", id, "retenciones", rid],
        );
        resultado(self.peer.send(req, corr).await?)
    }

    pub async fn devolver(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        let req = self.peer.internal(
            Method::POST,
            &["internal", "eventos", id, "ventas", rid, "devolver"],
        );
        resultado(self.peer.send(req, corr).await?)
    }
}

/// Every sale and hold of an event, by reservation id (for the reconciliation).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Inventario {
    pub ventas: std::collections::BTreeMap<String, u32>,
    pub retenciones: std::collections::BTreeMap<String, RetencionRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RetencionRef {
    pub cantidad: u32,
    pub creada_en: DateTime<Utc>,
}

impl EventosClient {
    pub async fn inventario(&self, id: &str, corr: &str) -> Result<Inventario, ClientError> {
        let req = self
            .peer
            .internal(Method::GET, &["internal", "eventos", id, "inventario"]);
        serde_json::from_value(self.peer.send(req, corr).await?).map_err(invalid)
    }
}

fn resultado(body: serde_json::Value) -> Result<String, ClientError> {
    body["resultado"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| invalid("sin resultado"))
}
