//! Door staff accounts: the port and its two adapters (in-process and MongoDB).
//!
//! Contract (checked by `tests/store_contract.rs`): `insert` MUST refuse a taken email
//! with `Duplicate(STAFF_DUPLICADO)`, even when two inserts race (a unique index, or one
//! mutex); `credenciales` returns the password hash; `del_organizador` lists one
//! organizer's staff, oldest first; `borrar` removes a staff member only for its own
//! organizer (`false` otherwise, or when it is not there).

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::doc;
use chrono::{DateTime, Utc};
use eventflow_shared::identidad::Rol;
use eventflow_shared::mongo::is_duplicate_key;
use futures::TryStreamExt;
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::mongo::map_err;
use super::{Duplicado, StoreError};
use crate::domain::{Email, Staff};

/// A staff account with that email exists.
pub const STAFF_DUPLICADO: Duplicado = Duplicado {
    tipo: "staff-duplicado",
    detalle: "Ya existe una cuenta de personal de puerta con ese email",
    campo: Some("email"),
};

#[async_trait]
pub trait StaffStore: Send + Sync {
    async fn insert(&self, s: &Staff, password_hash: &str) -> Result<(), StoreError>;
    async fn get(&self, id: Uuid) -> Result<Option<Staff>, StoreError>;
    async fn credenciales(&self, email: &Email) -> Result<Option<(Staff, String)>, StoreError>;
    async fn del_organizador(&self, organizador_id: Uuid) -> Result<Vec<Staff>, StoreError>;
    async fn borrar(&self, id: Uuid, organizador_id: Uuid) -> Result<bool, StoreError>;
}

#[derive(Default)]
pub struct MemoryStaffStore {
    inner: Mutex<HashMap<Uuid, (Staff, String)>>,
}

#[async_trait]
impl StaffStore for MemoryStaffStore {
    async fn insert(&self, s: &Staff, password_hash: &str) -> Result<(), StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        if inner.values().any(|(x, _)| x.email == s.email) {
            return Err(StoreError::Duplicate(STAFF_DUPLICADO));
        }
        inner.insert(s.id, (s.clone(), password_hash.to_owned()));
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<Staff>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner.get(&id).map(|(s, _)| s.clone()))
    }

    async fn credenciales(&self, email: &Email) -> Result<Option<(Staff, String)>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner.values().find(|(s, _)| &s.email == email).cloned())
    }

    async fn del_organizador(&self, organizador_id: Uuid) -> Result<Vec<Staff>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        let mut v: Vec<Staff> = inner
            .values()
            .filter(|(s, _)| s.organizador_id == organizador_id)
            .map(|(s, _)| s.clone())
            .collect();
        v.sort_by_key(|s| (s.creado_en, s.id));
        Ok(v)
    }

    async fn borrar(&self, id: Uuid, organizador_id: Uuid) -> Result<bool, StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        if inner
            .get(&id)
            .is_some_and(|(s, _)| s.organizador_id == organizador_id)
        {
            inner.remove(&id);
            return Ok(true);
        }
        Ok(false)
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct StaffDoc {
    #[serde(rename = "_id")]
    id: String,
    nombre: String,
    email: String,
    organizador_id: String,
    password_hash: String,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creado_en: DateTime<Utc>,
}

impl StaffDoc {
    fn into_parts(self) -> Result<(Staff, String), StoreError> {
        let uuid = |s: &str| Uuid::parse_str(s).map_err(|e| StoreError::Other(e.to_string()));
        Ok((
            Staff {
                id: uuid(&self.id)?,
                nombre: self.nombre,
                email: Email::parse(&self.email).map_err(|e| StoreError::Other(e.into()))?,
                rol: Rol::Staff,
                organizador_id: uuid(&self.organizador_id)?,
                creado_en: self.creado_en,
            },
            self.password_hash,
        ))
    }
}

pub struct MongoStaffStore {
    col: Collection<StaffDoc>,
}

impl MongoStaffStore {
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<StaffDoc>("staff");
        col.create_indexes([
            IndexModel::builder()
                .keys(doc! { "email": 1 })
                .options(
                    IndexOptions::builder()
                        .unique(true)
                        .name("email_unico".to_owned())
                        .build(),
                )
                .build(),
            IndexModel::builder()
                .keys(doc! { "organizador_id": 1, "creado_en": 1 })
                .build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating staff indexes: {e}"))?;
        Ok(Self { col })
    }
}

#[async_trait]
impl StaffStore for MongoStaffStore {
    async fn insert(&self, s: &Staff, password_hash: &str) -> Result<(), StoreError> {
        let d = StaffDoc {
            id: s.id.to_string(),
            nombre: s.nombre.clone(),
            email: s.email.as_str().to_owned(),
            organizador_id: s.organizador_id.to_string(),
            password_hash: password_hash.to_owned(),
            creado_en: s.creado_en,
        };
        match self.col.insert_one(d).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(StoreError::Duplicate(STAFF_DUPLICADO)),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn get(&self, id: Uuid) -> Result<Option<Staff>, StoreError> {
        let d = self
            .col
            .find_one(doc! { "_id": id.to_string() })
            .await
            .map_err(map_err)?;
        d.map(|d| d.into_parts().map(|(s, _)| s)).transpose()
    }

    async fn credenciales(&self, email: &Email) -> Result<Option<(Staff, String)>, StoreError> {
        let d = self
            .col
            .find_one(doc! { "email": email.as_str() })
            .await
            .map_err(map_err)?;
        d.map(StaffDoc::into_parts).transpose()
    }

    async fn del_organizador(&self, organizador_id: Uuid) -> Result<Vec<Staff>, StoreError> {
        let docs: Vec<StaffDoc> = self
            .col
            .find(doc! { "organizador_id": organizador_id.to_string() })
            .sort(doc! { "creado_en": 1, "_id": 1 })
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        docs.into_iter()
            .map(|d| d.into_parts().map(|(s, _)| s))
            .collect()
    }

    async fn borrar(&self, id: Uuid, organizador_id: Uuid) -> Result<bool, StoreError> {
        let r = self
            .col
            .delete_one(
                doc! { "_id": id.to_string(), "organizador_id": organizador_id.to_string() },
            )
            .await
            .map_err(map_err)?;
        Ok(r.deleted_count == 1)
    }
}
