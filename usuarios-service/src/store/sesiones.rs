//! Sessions: the port and its two adapters. Keyed by the token's SHA-256, so the key
//! shards evenly and a stolen copy of the collection holds no usable token.
//!
//! Contract: `buscar` MUST NOT return an expired session (MongoDB's TTL monitor removes
//! them only once a minute), and `revocar` is idempotent.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::doc;
use chrono::{DateTime, Utc};
use eventflow_shared::identidad::Rol;
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::mongo::map_err;
use super::StoreError;
use crate::domain::Sesion;

#[async_trait]
pub trait SesionStore: Send + Sync {
    async fn crear(&self, s: &Sesion) -> Result<(), StoreError>;
    async fn buscar(&self, token_hash: &str) -> Result<Option<Sesion>, StoreError>;
    async fn revocar(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Every session of `sujeto_id`: a new password signs out every device.
    async fn revocar_todas(&self, sujeto_id: Uuid) -> Result<(), StoreError>;
    /// Every session of `sujeto_id` but `conservar` (a token hash): the session that
    /// changed the email or the password stays signed in, every other one ends.
    async fn revocar_otras(&self, sujeto_id: Uuid, conservar: &str) -> Result<(), StoreError>;
}

#[derive(Default)]
pub struct MemorySesionStore {
    inner: Mutex<HashMap<String, Sesion>>,
}

#[async_trait]
impl SesionStore for MemorySesionStore {
    async fn crear(&self, s: &Sesion) -> Result<(), StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        // The embedded TTL monitor: expired sessions go when new ones come.
        let now = Utc::now();
        inner.retain(|_, v| v.expira_en > now);
        inner.insert(s.token_hash.clone(), s.clone());
        Ok(())
    }

    async fn buscar(&self, token_hash: &str) -> Result<Option<Sesion>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner
            .get(token_hash)
            .filter(|s| s.expira_en > Utc::now())
            .cloned())
    }

    async fn revocar(&self, token_hash: &str) -> Result<(), StoreError> {
        self.inner.lock().expect("store mutex").remove(token_hash);
        Ok(())
    }

    async fn revocar_todas(&self, sujeto_id: Uuid) -> Result<(), StoreError> {
        self.inner
            .lock()
            .expect("store mutex")
            .retain(|_, s| s.sujeto_id != sujeto_id);
        Ok(())
    }

    async fn revocar_otras(&self, sujeto_id: Uuid, conservar: &str) -> Result<(), StoreError> {
        self.inner
            .lock()
            .expect("store mutex")
            .retain(|k, s| s.sujeto_id != sujeto_id || k == conservar);
        Ok(())
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct SesionDoc {
    #[serde(rename = "_id")]
    token_hash: String,
    sujeto_id: String,
    rol: Rol,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creada_en: DateTime<Utc>,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    expira_en: DateTime<Utc>,
}

pub struct MongoSesionStore {
    col: Collection<SesionDoc>,
}

impl MongoSesionStore {
    /// A TTL index on `expira_en` lets MongoDB delete sessions as they expire.
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<SesionDoc>("sesiones");
        col.create_index(eventflow_shared::mongo::indice_caducidad("expira_en"))
            .await
            .map_err(|e| anyhow::anyhow!("creating sesiones indexes: {e}"))?;
        col.create_index(IndexModel::builder().keys(doc! { "sujeto_id": 1 }).build())
            .await
            .map_err(|e| anyhow::anyhow!("creating sesiones indexes: {e}"))?;
        Ok(Self { col })
    }
}

#[async_trait]
impl SesionStore for MongoSesionStore {
    async fn crear(&self, s: &Sesion) -> Result<(), StoreError> {
        let d = SesionDoc {
            token_hash: s.token_hash.clone(),
            sujeto_id: s.sujeto_id.to_string(),
            rol: s.rol,
            creada_en: s.creada_en,
            expira_en: s.expira_en,
        };
        self.col.insert_one(d).await.map_err(map_err)?;
        Ok(())
    }

    async fn buscar(&self, token_hash: &str) -> Result<Option<Sesion>, StoreError> {
        let now = bson::DateTime::from_chrono(Utc::now());
        let Some(d) = self
            .col
            .find_one(doc! { "_id": token_hash, "expira_en": { "$gt": now } })
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        Ok(Some(Sesion {
            sujeto_id: Uuid::parse_str(&d.sujeto_id)
                .map_err(|e| StoreError::Other(e.to_string()))?,
            token_hash: d.token_hash,
            rol: d.rol,
            creada_en: d.creada_en,
            expira_en: d.expira_en,
        }))
    }

    async fn revocar(&self, token_hash: &str) -> Result<(), StoreError> {
        self.col
            .delete_one(doc! { "_id": token_hash })
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn revocar_todas(&self, sujeto_id: Uuid) -> Result<(), StoreError> {
        self.col
            .delete_many(doc! { "sujeto_id": sujeto_id.to_string() })
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn revocar_otras(&self, sujeto_id: Uuid, conservar: &str) -> Result<(), StoreError> {
        self.col
            .delete_many(doc! { "sujeto_id": sujeto_id.to_string(), "_id": { "$ne": conservar } })
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
