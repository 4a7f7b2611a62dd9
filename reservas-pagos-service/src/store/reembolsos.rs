//! The simulated provider's partial refunds (one ticket of a reservation cancelled
//! alone): a port and its two adapters. One record per (reservation, ticket code), keyed
//! by both, so refunding one ticket twice is a duplicate key, never a second refund,
//! whoever retries it (the request, recovery, or a whole cancellation finishing it).

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::{doc, Document};
use eventflow_shared::mongo::{is_duplicate_key, store_error as map_err};
use futures::TryStreamExt;
use mongodb::{Collection, Database};

use super::StoreError;

/// What the provider did when asked to refund one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReembolsoParte {
    /// Refunded now, from charge `pago_id`.
    Hecho { pago_id: String },
    /// Refunded by an earlier call (a retry, recovery, or a whole cancellation that
    /// finished it first).
    YaHecho { pago_id: String },
    /// No approved charge to refund from (none, declined, or refunded whole already:
    /// a whole refund returns what was not refunded ticket by ticket before it).
    SinCobro,
}

/// Partial refunds by reservation.
///
/// Contract: `registrar` stores the refund of ticket `codigo` of `reserva_id` once and
/// answers `true`; any later call for that pair stores nothing and answers `false`;
/// of concurrent calls exactly one gets `true`. `de` lists a reservation's refunds as
/// (code, amount), by code.
#[async_trait]
pub trait ReembolsoStore: Send + Sync {
    async fn registrar(
        &self,
        reserva_id: &str,
        codigo: &str,
        monto: i64,
    ) -> Result<bool, StoreError>;
    async fn de(&self, reserva_id: &str) -> Result<Vec<(String, i64)>, StoreError>;
}

#[derive(Default)]
pub struct MemoryReembolsos(Mutex<BTreeMap<(String, String), i64>>);

#[async_trait]
impl ReembolsoStore for MemoryReembolsos {
    async fn registrar(
        &self,
        reserva_id: &str,
        codigo: &str,
        monto: i64,
    ) -> Result<bool, StoreError> {
        let mut map = self.0.lock().expect("mutex");
        let clave = (reserva_id.to_owned(), codigo.to_owned());
        if map.contains_key(&clave) {
            return Ok(false);
        }
        map.insert(clave, monto);
        Ok(true)
    }

    async fn de(&self, reserva_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let map = self.0.lock().expect("mutex");
        Ok(map
            .iter()
            .filter(|((r, _), _)| r == reserva_id)
            .map(|((_, c), m)| (c.clone(), *m))
            .collect())
    }
}

pub struct MongoReembolsos(Collection<Document>);

impl MongoReembolsos {
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<Document>("reembolsos_parciales");
        col.create_index(
            mongodb::IndexModel::builder()
                .keys(doc! { "reserva_id": 1 })
                .build(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating reembolsos_parciales indexes: {e}"))?;
        Ok(Self(col))
    }
}

#[async_trait]
impl ReembolsoStore for MongoReembolsos {
    async fn registrar(
        &self,
        reserva_id: &str,
        codigo: &str,
        monto: i64,
    ) -> Result<bool, StoreError> {
        let d = doc! {
            "_id": format!("{reserva_id}/{codigo}"),
            "reserva_id": reserva_id,
            "codigo": codigo,
            "monto": monto,
            "en": bson::DateTime::now(),
        };
        match self.0.insert_one(d).await {
            Ok(_) => Ok(true),
            Err(e) if is_duplicate_key(&e) => Ok(false),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn de(&self, reserva_id: &str) -> Result<Vec<(String, i64)>, StoreError> {
        let docs: Vec<Document> = self
            .0
            .find(doc! { "reserva_id": reserva_id })
            .sort(doc! { "codigo": 1 })
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        Ok(docs
            .into_iter()
            .map(|d| {
                (
                    d.get_str("codigo").unwrap_or_default().to_owned(),
                    d.get_i64("monto").unwrap_or_default(),
                )
            })
            .collect())
    }
}
