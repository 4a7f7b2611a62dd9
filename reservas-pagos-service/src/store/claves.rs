//! The events' ticket-signing keys: a port and its two adapters. One record per event
//! holds all its keys (exactly one active, the rest retired but still listed), so
//! creating the first key and rotating are each one guarded write of that record.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::{doc, Document};
use eventflow_shared::mongo::{is_duplicate_key, store_error as map_err};
use eventflow_shared::secreto::Secreto;
use mongodb::{Collection, Database};

use super::StoreError;
use crate::domain::firma::{ClaveFirma, EstadoClave};

/// Signing keys per event.
///
/// Contract: `asegurar` returns the event's keys, first creating `nueva` as its only
/// key if it has none; of concurrent first calls exactly one creates, the others get
/// that same key. `rotar` retires the active key and makes `nueva` the active one,
/// keeping every earlier key listed. Both return the keys oldest first.
#[async_trait]
pub trait ClaveStore: Send + Sync {
    async fn asegurar(
        &self,
        evento_id: &str,
        nueva: ClaveFirma,
    ) -> Result<Vec<ClaveFirma>, StoreError>;
    async fn rotar(
        &self,
        evento_id: &str,
        nueva: ClaveFirma,
    ) -> Result<Vec<ClaveFirma>, StoreError>;
}

fn retirar(claves: &mut [ClaveFirma]) {
    for c in claves {
        c.estado = EstadoClave::Retirada;
    }
}

#[derive(Default)]
pub struct MemoryClaves(Mutex<HashMap<String, Vec<ClaveFirma>>>);

#[async_trait]
impl ClaveStore for MemoryClaves {
    async fn asegurar(
        &self,
        evento_id: &str,
        nueva: ClaveFirma,
    ) -> Result<Vec<ClaveFirma>, StoreError> {
        let mut map = self.0.lock().expect("mutex");
        Ok(map
            .entry(evento_id.to_owned())
            .or_insert_with(|| vec![nueva])
            .clone())
    }

    async fn rotar(
        &self,
        evento_id: &str,
        nueva: ClaveFirma,
    ) -> Result<Vec<ClaveFirma>, StoreError> {
        let mut map = self.0.lock().expect("mutex");
        let claves = map.entry(evento_id.to_owned()).or_default();
        retirar(claves);
        claves.push(nueva);
        Ok(claves.clone())
    }
}

/// Collection `claves_firma`: `{_id: evento_id, version, claves: [...]}`.
pub struct MongoClaves(Collection<Document>);

impl MongoClaves {
    pub fn new(db: &Database) -> Self {
        Self(db.collection("claves_firma"))
    }

    async fn leer(&self, evento_id: &str) -> Result<Option<(i64, Vec<ClaveFirma>)>, StoreError> {
        let Some(d) = self
            .0
            .find_one(doc! { "_id": evento_id })
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        let version = d.get_i64("version").map_err(otro)?;
        let claves = d
            .get_array("claves")
            .map_err(otro)?
            .iter()
            .map(|b| b.as_document().ok_or_else(|| otro("key is not a document")))
            .map(|d| d.and_then(de_doc))
            .collect::<Result<_, _>>()?;
        Ok(Some((version, claves)))
    }
}

fn otro(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

fn a_doc(c: &ClaveFirma) -> Document {
    doc! {
        "kid": &c.kid,
        "publica": &c.publica,
        "privada": c.privada.expose(),
        "creada": bson::DateTime::from_chrono(c.creada_en),
        "estado": match c.estado { EstadoClave::Activa => "ACTIVA", EstadoClave::Retirada => "RETIRADA" },
    }
}

fn de_doc(d: &Document) -> Result<ClaveFirma, StoreError> {
    Ok(ClaveFirma {
        kid: d.get_str("kid").map_err(otro)?.to_owned(),
        publica: d.get_str("publica").map_err(otro)?.to_owned(),
        privada: Secreto::new(d.get_str("privada").map_err(otro)?),
        creada_en: d.get_datetime("creada").map_err(otro)?.to_chrono(),
        estado: if d.get_str("estado").map_err(otro)? == "ACTIVA" {
            EstadoClave::Activa
        } else {
            EstadoClave::Retirada
        },
    })
}

fn registro(evento_id: &str, version: i64, claves: &[ClaveFirma]) -> Document {
    doc! {
        "_id": evento_id,
        "version": version,
        "claves": claves.iter().map(a_doc).collect::<Vec<_>>(),
    }
}

#[async_trait]
impl ClaveStore for MongoClaves {
    async fn asegurar(
        &self,
        evento_id: &str,
        nueva: ClaveFirma,
    ) -> Result<Vec<ClaveFirma>, StoreError> {
        if let Some((_, claves)) = self.leer(evento_id).await? {
            return Ok(claves);
        }
        // The event id is the primary key: of concurrent first uses one insert wins,
        // and the others read the key it made.
        match self
            .0
            .insert_one(registro(evento_id, 1, std::slice::from_ref(&nueva)))
            .await
        {
            Ok(_) => Ok(vec![nueva]),
            Err(e) if is_duplicate_key(&e) => Ok(self
                .leer(evento_id)
                .await?
                .ok_or_else(|| otro("signing keys vanished after a duplicate key"))?
                .1),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn rotar(
        &self,
        evento_id: &str,
        nueva: ClaveFirma,
    ) -> Result<Vec<ClaveFirma>, StoreError> {
        loop {
            let Some((version, mut claves)) = self.leer(evento_id).await? else {
                match self
                    .0
                    .insert_one(registro(evento_id, 1, std::slice::from_ref(&nueva)))
                    .await
                {
                    Ok(_) => return Ok(vec![nueva]),
                    Err(e) if is_duplicate_key(&e) => continue,
                    Err(e) => return Err(map_err(e)),
                }
            };
            retirar(&mut claves);
            claves.push(nueva.clone());
            // Guarded by the version read: two rotations at once each retire what the
            // other made, never leaving two active keys.
            let res = self
                .0
                .replace_one(
                    doc! { "_id": evento_id, "version": version },
                    registro(evento_id, version + 1, &claves),
                )
                .await
                .map_err(map_err)?;
            if res.matched_count == 1 {
                return Ok(claves);
            }
        }
    }
}
