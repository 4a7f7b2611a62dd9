//! Organizer accounts: the port and its two adapters (in-process and MongoDB).
//!
//! Contract: `insert` MUST refuse a taken email with `Duplicate(ORGANIZADOR_DUPLICADO)`, even when two
//! inserts race (a unique index, or one mutex); `credenciales` returns the password hash.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::doc;
use chrono::{DateTime, Utc};
use eventflow_shared::mongo::is_duplicate_key;
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::mongo::map_err;
use super::{StoreError, ORGANIZADOR_DUPLICADO};
use crate::domain::{Email, Organizador};

#[async_trait]
pub trait OrganizadorStore: Send + Sync {
    async fn insert(&self, o: &Organizador, password_hash: &str) -> Result<(), StoreError>;
    async fn get(&self, id: Uuid) -> Result<Option<Organizador>, StoreError>;
    async fn credenciales(
        &self,
        email: &Email,
    ) -> Result<Option<(Organizador, String)>, StoreError>;
}

#[derive(Default)]
pub struct MemoryOrganizadorStore {
    inner: Mutex<HashMap<Uuid, (Organizador, String)>>,
}

#[async_trait]
impl OrganizadorStore for MemoryOrganizadorStore {
    async fn insert(&self, o: &Organizador, password_hash: &str) -> Result<(), StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        if inner.values().any(|(x, _)| x.email == o.email) {
            return Err(StoreError::Duplicate(ORGANIZADOR_DUPLICADO));
        }
        inner.insert(o.id, (o.clone(), password_hash.to_owned()));
        Ok(())
    }

    async fn get(&self, id: Uuid) -> Result<Option<Organizador>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner.get(&id).map(|(o, _)| o.clone()))
    }

    async fn credenciales(
        &self,
        email: &Email,
    ) -> Result<Option<(Organizador, String)>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner.values().find(|(o, _)| &o.email == email).cloned())
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct OrganizadorDoc {
    #[serde(rename = "_id")]
    id: String,
    nombre: String,
    email: String,
    password_hash: String,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creado_en: DateTime<Utc>,
}

impl OrganizadorDoc {
    fn into_parts(self) -> Result<(Organizador, String), StoreError> {
        Ok((
            Organizador {
                id: Uuid::parse_str(&self.id).map_err(|e| StoreError::Other(e.to_string()))?,
                nombre: self.nombre,
                email: Email::parse(&self.email).map_err(|e| StoreError::Other(e.into()))?,
                creado_en: self.creado_en,
            },
            self.password_hash,
        ))
    }
}

pub struct MongoOrganizadorStore {
    col: Collection<OrganizadorDoc>,
}

impl MongoOrganizadorStore {
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<OrganizadorDoc>("organizadores");
        col.create_index(
            IndexModel::builder()
                .keys(doc! { "email": 1 })
                .options(
                    IndexOptions::builder()
                        .unique(true)
                        .name("email_unico".to_owned())
                        .build(),
                )
                .build(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating organizadores indexes: {e}"))?;
        Ok(Self { col })
    }
}

#[async_trait]
impl OrganizadorStore for MongoOrganizadorStore {
    async fn insert(&self, o: &Organizador, password_hash: &str) -> Result<(), StoreError> {
        let d = OrganizadorDoc {
            id: o.id.to_string(),
            nombre: o.nombre.clone(),
            email: o.email.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            creado_en: o.creado_en,
        };
        match self.col.insert_one(d).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(StoreError::Duplicate(ORGANIZADOR_DUPLICADO)),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn get(&self, id: Uuid) -> Result<Option<Organizador>, StoreError> {
        let d = self
            .col
            .find_one(doc! { "_id": id.to_string() })
            .await
            .map_err(map_err)?;
        d.map(|d| d.into_parts().map(|(o, _)| o)).transpose()
    }

    async fn credenciales(
        &self,
        email: &Email,
    ) -> Result<Option<(Organizador, String)>, StoreError> {
        let d = self
            .col
            .find_one(doc! { "email": email.as_str() })
            .await
            .map_err(map_err)?;
        d.map(OrganizadorDoc::into_parts).transpose()
    }
}
