//! Client for eventos-service: read an event, and hold, confirm, release or return
//! tickets through its service-token routes.

mod fichas;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use eventflow_shared::ids::{EventoId, ReservaId};
use reqwest::Method;
use serde_json::json;

use super::Peer;
use crate::puertos::{
    ClientError, Confirmacion, EventoRef, Inventario, Inventory, Liberacion, Retencion,
};
use fichas::Fichas;

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
}

impl EventosClient {
    /// A body-less write under `/internal/eventos/…`, keyed by the reservation: what it
    /// did.
    async fn escribir(
        &self,
        metodo: Method,
        ruta: &[&str],
        corr: &str,
    ) -> Result<Liberacion, ClientError> {
        let segmentos: Vec<&str> = ["internal", "eventos"]
            .iter()
            .chain(ruta)
            .copied()
            .collect();
        let req = self.peer.internal(metodo, &segmentos);
        tipado(resultado(self.peer.send(req, corr).await?)?)
    }
}

#[async_trait]
impl Inventory for EventosClient {
    /// The event's date, zones and prices, possibly from a copy up to `ficha_ttl` old
    /// (see `fichas`); not for live availability.
    async fn obtener(&self, id: &EventoId, corr: &str) -> Result<EventoRef, ClientError> {
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

    /// Eventos' refusals that are answers of the hold itself (sold out, too late) come
    /// back as `Retencion` variants; any other refusal stays an error.
    async fn retener(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<Retencion, ClientError> {
        // Past this instant we have stopped waiting and count the hold as unknown: eventos
        // does not keep a hold that arrives or lands later (see its `X-Plazo-Ms`).
        let plazo = Utc::now() + self.peer.timeout;
        let req = self
            .peer
            .internal(Method::POST, &["internal", "eventos", id, "retenciones"])
            .header("x-plazo-ms", plazo.timestamp_millis())
            .json(&json!({ "reserva_id": rid, "zona": zona, "cantidad": cantidad }));
        match self.peer.send(req, corr).await {
            Ok(body) => match resultado(body)? {
                "retenida" => Ok(Retencion::Retenida),
                "ya_retenida" => Ok(Retencion::YaRetenida),
                "ya_vendida" => Ok(Retencion::YaVendida),
                otro => Err(invalid(format!("resultado {otro:?}"))),
            },
            Err(ClientError::Refused { tipo, cuerpo, .. }) if tipo == "agotado" => {
                Ok(Retencion::Agotada {
                    disponibles: cuerpo["disponibles"].as_u64().unwrap_or(0),
                    retenidas: cuerpo["retenidas"].as_u64().unwrap_or(0),
                })
            }
            Err(ClientError::Refused { tipo, .. }) if tipo == "plazo-vencido" => {
                Ok(Retencion::PlazoVencido)
            }
            Err(e) => Err(e),
        }
    }

    async fn confirmar(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<Confirmacion, ClientError> {
        let req = self
            .peer
            .internal(
                Method::POST,
                &["internal", "eventos", id, "retenciones", rid, "confirmar"],
            )
            .query(&[("zona", zona), ("cantidad", &cantidad.to_string())]);
        tipado(resultado(self.peer.send(req, corr).await?)?)
    }

    async fn liberar(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        corr: &str,
    ) -> Result<Liberacion, ClientError> {
        self.escribir(Method::DELETE, &[id, "retenciones", rid], corr)
            .await
    }

    async fn devolver(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        corr: &str,
    ) -> Result<Liberacion, ClientError> {
        self.escribir(Method::POST, &[id, "ventas", rid, "devolver"], corr)
            .await
    }

    async fn devolver_una(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        codigo: &str,
        corr: &str,
    ) -> Result<Liberacion, ClientError> {
        let req = self
            .peer
            .internal(
                Method::POST,
                &["internal", "eventos", id, "ventas", rid, "devolver-una"],
            )
            .json(&json!({ "codigo": codigo }));
        tipado(resultado(self.peer.send(req, corr).await?)?)
    }

    /// Read now, past the copy `obtener` may answer from.
    async fn transferencias_permitidas(
        &self,
        id: &EventoId,
        corr: &str,
    ) -> Result<bool, ClientError> {
        let body = self
            .peer
            .send(self.peer.get(&["api", "eventos", id]), corr)
            .await?;
        // An event from before the setting existed allows them, as its default says.
        Ok(body["transferencias_permitidas"].as_bool().unwrap_or(true))
    }

    async fn inventario(&self, id: &EventoId, corr: &str) -> Result<Inventario, ClientError> {
        let req = self
            .peer
            .internal(Method::GET, &["internal", "eventos", id, "inventario"]);
        serde_json::from_value(self.peer.send(req, corr).await?).map_err(invalid)
    }
}

/// The `resultado` slug of an inventory answer.
fn resultado(body: serde_json::Value) -> Result<&'static str, ClientError> {
    // The slugs eventos documents (`ResultadoInventario`); anything else is an answer we
    // cannot read, so its outcome is unknown.
    const SLUGS: [&str; 9] = [
        "retenida",
        "ya_retenida",
        "ya_vendida",
        "confirmada",
        "ya_confirmada",
        "liberada",
        "sin_retencion",
        "devuelta",
        "sin_venta",
    ];
    let r = body["resultado"]
        .as_str()
        .ok_or_else(|| invalid("sin resultado"))?;
    SLUGS
        .into_iter()
        .find(|s| *s == r)
        .ok_or_else(|| invalid(format!("resultado {r:?}")))
}

/// A slug as the outcome type the call answers with.
fn tipado<T: serde::de::DeserializeOwned>(slug: &str) -> Result<T, ClientError> {
    serde_json::from_value(serde_json::Value::from(slug))
        .map_err(|_| invalid(format!("resultado {slug:?} fuera de lugar")))
}
