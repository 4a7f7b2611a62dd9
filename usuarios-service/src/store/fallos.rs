//! Failed sign-ins per account and day: the port and its two adapters. The count is
//! durable and shared by every usuarios instance (the per-address back-off is not, see
//! `http::limites`), so the daily cap holds however the guesses are spread.
//!
//! Keyed by the account as typed at sign-in (`rol:email`), whether or not it exists:
//! counting only real accounts would make "needs a code" tell which emails have one.
//!
//! Contract (checked by `tests/store_contract.rs` on both adapters, with concurrent
//! failures): `sumar` adds one atomically and answers the new count, so N concurrent
//! failures answer 1..=N, each once; days and accounts never mix.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::NaiveDate;
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};

use super::mongo::map_err;
use super::StoreError;

#[async_trait]
pub trait FalloStore: Send + Sync {
    /// One more failure of `cuenta` on `dia`: the count after it.
    async fn sumar(&self, cuenta: &str, dia: NaiveDate) -> Result<u32, StoreError>;
    /// Failures of `cuenta` on `dia`.
    async fn contar(&self, cuenta: &str, dia: NaiveDate) -> Result<u32, StoreError>;
}

#[derive(Default)]
pub struct MemoryFalloStore {
    inner: Mutex<HashMap<(String, NaiveDate), u32>>,
}

#[async_trait]
impl FalloStore for MemoryFalloStore {
    async fn sumar(&self, cuenta: &str, dia: NaiveDate) -> Result<u32, StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        let clave = (cuenta.to_owned(), dia);
        if !inner.contains_key(&clave) {
            // The embedded TTL: earlier days go when a new key comes.
            inner.retain(|(_, d), _| *d >= dia);
        }
        let n = inner.entry(clave).or_default();
        *n = n.saturating_add(1);
        Ok(*n)
    }

    async fn contar(&self, cuenta: &str, dia: NaiveDate) -> Result<u32, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner
            .get(&(cuenta.to_owned(), dia))
            .copied()
            .unwrap_or_default())
    }
}

pub struct MongoFalloStore {
    col: Collection<Document>,
}

impl MongoFalloStore {
    /// A TTL index drops each day's counts two days later.
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<Document>("fallos_sesion");
        col.create_index(eventflow_shared::mongo::indice_caducidad("expira_en"))
            .await
            .map_err(|e| anyhow::anyhow!("creating fallos_sesion indexes: {e}"))?;
        Ok(Self { col })
    }
}

fn id(cuenta: &str, dia: NaiveDate) -> String {
    format!("{dia}|{cuenta}")
}

fn n(d: &Document) -> u32 {
    match d.get("n") {
        Some(Bson::Int64(n)) => (*n).clamp(0, i64::from(u32::MAX)) as u32,
        Some(Bson::Int32(n)) => (*n).max(0) as u32,
        _ => 0,
    }
}

#[async_trait]
impl FalloStore for MongoFalloStore {
    async fn sumar(&self, cuenta: &str, dia: NaiveDate) -> Result<u32, StoreError> {
        let expira = dia
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() + chrono::Duration::days(2))
            .ok_or_else(|| StoreError::Other(format!("día inválido {dia}")))?;
        // No upsert: concurrent first failures of a day would race to insert the same
        // `_id`, and under that race SecantusDB can apply an upsert and still answer no
        // document, so a retry would count it twice. Instead: `$inc` an existing count;
        // if there is none, insert 1; if another failure inserted first (duplicate key),
        // `$inc` again. Each failure is counted exactly once on mongod and SecantusDB.
        let clave = id(cuenta, dia);
        for _ in 0..5 {
            let hecho = self
                .col
                .find_one_and_update(doc! { "_id": &clave }, doc! { "$inc": { "n": 1_i64 } })
                .return_document(ReturnDocument::After)
                .await
                .map_err(map_err)?;
            if let Some(d) = hecho {
                return Ok(n(&d));
            }
            let nuevo = doc! {
                "_id": &clave,
                "n": 1_i64,
                "expira_en": bson::DateTime::from_chrono(expira),
            };
            match self.col.insert_one(nuevo).await {
                Ok(_) => return Ok(1),
                Err(e) if eventflow_shared::mongo::is_duplicate_key(&e) => continue,
                Err(e) => return Err(map_err(e)),
            }
        }
        Err(StoreError::Other(format!(
            "no se pudo contar el fallo de {cuenta}: el documento del día no se estabiliza"
        )))
    }

    async fn contar(&self, cuenta: &str, dia: NaiveDate) -> Result<u32, StoreError> {
        Ok(self
            .col
            .find_one(doc! { "_id": id(cuenta, dia) })
            .await
            .map_err(map_err)?
            .map(|d| n(&d))
            .unwrap_or_default())
    }
}
