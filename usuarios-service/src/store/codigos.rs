//! One-time codes: the port and its two adapters. Each code document also carries the
//! message that sends it (an outbox of one), written in the same write, so a code is
//! never stored without its notification on the way, and the relay publishes it.
//!
//! Contract (checked by `tests/codigos.rs` on both adapters, with concurrent tries):
//! - `emitir` replaces the buyer's live code for that purpose, tries reset;
//! - `canjear` takes one try atomically: however many run at once, a code answers at
//!   most `INTENTOS` tries, and a right code is `Valido` for exactly one of them.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use bson::{doc, Bson, Document};
use chrono::Utc;
use eventflow_shared::bus::Pendiente;
use eventflow_shared::outbox::mongo::{contador, ConMongoOutbox, MongoOutbox};
use eventflow_shared::outbox::FuenteOutbox;
use mongodb::options::ReturnDocument;
use mongodb::{Collection, Database};
use uuid::Uuid;

use super::mongo::map_err;
use super::StoreError;
use crate::domain::codigo::clave;
use crate::domain::{Canje, Codigo, Email, Proposito};

#[async_trait]
pub trait CodigoStore: FuenteOutbox {
    /// Stores `codigo` with the message that sends it, replacing any live one.
    async fn emitir(&self, codigo: &Codigo, mensaje: &Pendiente) -> Result<(), StoreError>;
    /// One try of the code whose hash is `hash`.
    async fn canjear(
        &self,
        usuario_id: Uuid,
        proposito: Proposito,
        hash: &str,
    ) -> Result<Canje, StoreError>;
}

#[derive(Default)]
pub struct MemoryCodigoStore {
    inner: Mutex<HashMap<String, (Codigo, Vec<Pendiente>)>>,
}

#[async_trait]
impl CodigoStore for MemoryCodigoStore {
    async fn emitir(&self, codigo: &Codigo, mensaje: &Pendiente) -> Result<(), StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        let ahora = Utc::now();
        inner.retain(|_, (c, _)| c.expira_en > ahora);
        inner.insert(codigo.clave(), (codigo.clone(), vec![mensaje.clone()]));
        Ok(())
    }

    async fn canjear(
        &self,
        usuario_id: Uuid,
        proposito: Proposito,
        hash: &str,
    ) -> Result<Canje, StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        let k = clave(usuario_id, proposito);
        let Some((c, _)) = inner
            .get_mut(&k)
            .filter(|(c, _)| c.expira_en > Utc::now() && c.intentos > 0)
        else {
            return Ok(Canje::NoHay);
        };
        c.intentos -= 1;
        if c.hash == hash {
            let destino = c.destino.clone();
            inner.remove(&k);
            Ok(Canje::Valido { destino })
        } else {
            Ok(Canje::Incorrecto {
                restantes: c.intentos,
            })
        }
    }
}

#[async_trait]
impl FuenteOutbox for MemoryCodigoStore {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner
            .iter()
            .flat_map(|(k, (_, ps))| ps.iter().map(|p| (k.clone(), p.clone())))
            .take(limite)
            .collect())
    }

    async fn enviado(&self, dueno: &str, message_id: Uuid) -> Result<(), String> {
        if let Some((_, ps)) = self.inner.lock().expect("store mutex").get_mut(dueno) {
            ps.retain(|p| p.envelope.message_id != message_id);
        }
        Ok(())
    }
}

pub struct MongoCodigoStore {
    col: Collection<Document>,
    outbox: MongoOutbox,
}

impl MongoCodigoStore {
    /// A TTL index lets MongoDB drop codes, and any message not yet sent, once they
    /// expire: a late code would be useless anyway.
    pub async fn new(db: &Database) -> anyhow::Result<Self> {
        let col = db.collection::<Document>("codigos");
        col.create_index(eventflow_shared::mongo::indice_caducidad("expira_en"))
            .await
            .map_err(|e| anyhow::anyhow!("creating codigos indexes: {e}"))?;
        let outbox = MongoOutbox::new(col.clone(), "outbox").await?;
        Ok(Self { col, outbox })
    }
}

#[async_trait]
impl CodigoStore for MongoCodigoStore {
    async fn emitir(&self, c: &Codigo, mensaje: &Pendiente) -> Result<(), StoreError> {
        let mensaje = bson::to_bson(mensaje).map_err(|e| StoreError::Other(e.to_string()))?;
        let d = doc! {
            "_id": c.clave(),
            "usuario_id": c.usuario_id.to_string(),
            "proposito": c.proposito.as_str(),
            "destino": c.destino.as_str(),
            "hash": &c.hash,
            "intentos": c.intentos as i64,
            "expira_en": bson::DateTime::from_chrono(c.expira_en),
            "outbox": [mensaje],
            eventflow_shared::outbox::mongo::CONTADOR: contador(1),
        };
        self.col
            .replace_one(doc! { "_id": c.clave() }, d)
            .upsert(true)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn canjear(
        &self,
        usuario_id: Uuid,
        proposito: Proposito,
        hash: &str,
    ) -> Result<Canje, StoreError> {
        let k = clave(usuario_id, proposito);
        let ahora = bson::DateTime::from_chrono(Utc::now());
        // The try is taken before the comparison, in one atomic update that only matches
        // a live code with tries left: concurrent guesses cannot share a try.
        let Some(d) = self
            .col
            .find_one_and_update(
                doc! { "_id": &k, "expira_en": { "$gt": ahora }, "intentos": { "$gte": 1 } },
                doc! { "$inc": { "intentos": -1_i64 } },
            )
            .projection(doc! { "hash": 1, "destino": 1, "intentos": 1 })
            .return_document(ReturnDocument::After)
            .await
            .map_err(map_err)?
        else {
            return Ok(Canje::NoHay);
        };
        if d.get_str("hash").ok() != Some(hash) {
            let restantes = match d.get("intentos") {
                Some(Bson::Int64(n)) => *n,
                Some(Bson::Int32(n)) => i64::from(*n),
                _ => 0,
            };
            return Ok(Canje::Incorrecto {
                restantes: restantes.max(0) as u32,
            });
        }
        // Spent by whoever deletes it: of two right tries at once, one wins. The hash in
        // the filter keeps a code issued meanwhile alive.
        let borrado = self
            .col
            .delete_one(doc! { "_id": &k, "hash": hash })
            .await
            .map_err(map_err)?;
        if borrado.deleted_count != 1 {
            return Ok(Canje::NoHay);
        }
        let destino = d
            .get_str("destino")
            .ok()
            .and_then(|e| Email::parse(e).ok())
            .ok_or_else(|| StoreError::Other(format!("codigo {k} sin destino válido")))?;
        Ok(Canje::Valido { destino })
    }
}

impl ConMongoOutbox for MongoCodigoStore {
    fn outbox(&self) -> &MongoOutbox {
        &self.outbox
    }
}
