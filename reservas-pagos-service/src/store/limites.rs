//! Counters for rate limits that must hold across every reservas instance (re-sending
//! a buyer's links: per email and per client IP, an hour at a time): the port and its
//! two adapters. A count lives in the store, not in the process, so N instances behind
//! a balancer do not give N times the allowance.
//!
//! Contract (checked on both adapters by `tests/limites_contract.rs`, with concurrent
//! calls): `sumar` adds one atomically and answers the new count, so N concurrent calls
//! for one key and window answer 1..=N, each once; keys and windows never mix.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::{DateTime, Utc};
use eventflow_shared::mongo::{is_duplicate_key, store_error as map_err};
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};

use super::StoreError;

#[async_trait]
pub trait ContadorStore: Send + Sync {
    /// One more for `clave` in the window that started at `ventana`, kept until
    /// `caduca`: the count after it.
    async fn sumar(
        &self,
        clave: &str,
        ventana: DateTime<Utc>,
        caduca: DateTime<Utc>,
    ) -> Result<u32, StoreError>;
}

#[derive(Default)]
pub struct MemoryContadores(Mutex<HashMap<(String, DateTime<Utc>), u32>>);

#[async_trait]
impl ContadorStore for MemoryContadores {
    async fn sumar(
        &self,
        clave: &str,
        ventana: DateTime<Utc>,
        _: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let mut m = self.0.lock().expect("mutex");
        let k = (clave.to_owned(), ventana);
        if !m.contains_key(&k) {
            // The embedded TTL: earlier windows go when a new key comes.
            m.retain(|(_, v), _| *v >= ventana);
        }
        let n = m.entry(k).or_default();
        *n = n.saturating_add(1);
        Ok(*n)
    }
}

/// Collection `limites`: `{_id: "<window>|<key>", n, expira_en}`, a TTL index dropping
/// each window once it has passed.
pub struct MongoContadores(Collection<Document>);

impl MongoContadores {
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<Document>("limites");
        col.create_index(eventflow_shared::mongo::indice_caducidad("expira_en"))
            .await
            .map_err(|e| anyhow::anyhow!("creating limites indexes: {e}"))?;
        Ok(Self(col))
    }
}

fn n(d: &Document) -> u32 {
    match d.get("n") {
        Some(Bson::Int64(n)) => (*n).clamp(0, i64::from(u32::MAX)) as u32,
        Some(Bson::Int32(n)) => (*n).max(0) as u32,
        _ => 0,
    }
}

#[async_trait]
impl ContadorStore for MongoContadores {
    async fn sumar(
        &self,
        clave: &str,
        ventana: DateTime<Utc>,
        caduca: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        // As usuarios' failed sign-ins: no upsert (concurrent first inserts of one `_id`
        // race, and SecantusDB may apply an upsert yet answer no document, so a retry
        // would count twice). `$inc` an existing count; if none, insert 1; if another
        // call inserted first (duplicate key), `$inc` again. Each call counts once.
        let id = format!("{}|{clave}", ventana.timestamp());
        for _ in 0..5 {
            let hecho = self
                .0
                .find_one_and_update(doc! { "_id": &id }, doc! { "$inc": { "n": 1_i64 } })
                .return_document(ReturnDocument::After)
                .await
                .map_err(map_err)?;
            if let Some(d) = hecho {
                return Ok(n(&d));
            }
            let nuevo = doc! {
                "_id": &id,
                "n": 1_i64,
                "expira_en": bson::DateTime::from_chrono(caduca),
            };
            match self.0.insert_one(nuevo).await {
                Ok(_) => return Ok(1),
                Err(e) if is_duplicate_key(&e) => continue,
                Err(e) => return Err(map_err(e)),
            }
        }
        Err(StoreError::Other(format!(
            "limit counter {id} kept changing under five tries"
        )))
    }
}
