//! The outbox kept inside MongoDB documents, for any collection: found through an
//! indexed counter of waiting messages, never by scanning the collection.

use async_trait::async_trait;
use futures::TryStreamExt;
use mongodb::bson::{self, doc, Bson, Document};
use mongodb::{Collection, IndexModel};
use uuid::Uuid;

use super::FuenteOutbox;
use crate::bus::Pendiente;

/// Top-level field holding how many messages a document still has to publish. Owners
/// write it in the same write as the messages (`contador`); `enviado` decrements it in
/// the same update that removes a message. An index on it makes "who has messages?" a
/// range read of the few documents that do, instead of a scan of every document ever
/// written.
pub const CONTADOR: &str = "outbox_pendientes";

/// The value of `CONTADOR` for a document with `mensajes` messages.
pub fn contador(mensajes: usize) -> Bson {
    Bson::Int64(mensajes as i64)
}

/// A store whose outbox is a [`MongoOutbox`]: that outbox is its [`FuenteOutbox`].
pub trait ConMongoOutbox: Send + Sync {
    fn outbox(&self) -> &MongoOutbox;
}

#[async_trait]
impl<T: ConMongoOutbox> FuenteOutbox for T {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String> {
        self.outbox().pendientes(limite).await
    }

    async fn enviado(&self, dueno: &str, message_id: Uuid) -> Result<(), String> {
        self.outbox().enviado(dueno, message_id).await
    }

    async fn enviados(&self, lista: &[(String, Uuid)]) -> Result<(), String> {
        self.outbox().enviados(lista).await
    }
}

pub struct MongoOutbox {
    col: Collection<Document>,
    /// Path of the documents' message array: `outbox`, `reserva.outbox`.
    campo: &'static str,
}

impl MongoOutbox {
    /// Creates the counter's index and counts the messages of documents written before
    /// the counter existed, so none of them is left unpublished. That one look for old
    /// documents is a scan, at start-up only.
    pub async fn new(col: Collection<Document>, campo: &'static str) -> anyhow::Result<Self> {
        col.create_index(IndexModel::builder().keys(doc! { CONTADOR: 1 }).build())
            .await
            .map_err(|e| anyhow::anyhow!("creating the outbox index: {e}"))?;
        let mut viejos = col
            .find(
                doc! { format!("{campo}.0"): { "$exists": true }, CONTADOR: { "$exists": false } },
            )
            .projection(doc! { campo: 1 })
            .await
            .map_err(|e| anyhow::anyhow!("looking for uncounted outbox messages: {e}"))?;
        while let Some(d) = viejos.try_next().await? {
            let n = mensajes(&d, campo).map_or(0, |m| m.len());
            col.update_one(
                doc! { "_id": d.get("_id").cloned().unwrap_or(Bson::Null), CONTADOR: { "$exists": false } },
                doc! { "$set": { CONTADOR: contador(n) } },
            )
            .await?;
        }
        Ok(Self { col, campo })
    }

    /// Up to `limite` documents' waiting messages, each with its document's id.
    pub async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String> {
        let docs: Vec<Document> = self
            .col
            // `$gte: 1`, not `$gt: 0`: the same documents, but SecantusDB walks an
            // exclusive lower bound from the start of the index (33 ms over 30,000
            // sent documents, against 0.3 ms).
            .find(doc! { CONTADOR: { "$gte": 1 } })
            .projection(doc! { self.campo: 1 })
            .limit(limite as i64)
            .await
            .map_err(|e| e.to_string())?
            .try_collect()
            .await
            .map_err(|e| e.to_string())?;
        let mut out = Vec::new();
        for d in docs {
            let dueno = d.get_str("_id").map_err(|e| e.to_string())?.to_owned();
            let Some(lista) = mensajes(&d, self.campo) else {
                continue;
            };
            for m in lista {
                let p: Pendiente = bson::from_bson(m.clone()).map_err(|e| e.to_string())?;
                out.push((dueno.clone(), p));
            }
        }
        Ok(out)
    }

    /// Removes one message and counts it out, in one update that only matches while the
    /// message is there: calling it twice changes nothing.
    pub async fn enviado(&self, dueno: &str, message_id: Uuid) -> Result<(), String> {
        let mid = message_id.to_string();
        self.col
            .update_one(
                doc! { "_id": dueno, format!("{}.envelope.messageId", self.campo): &mid },
                doc! {
                    "$pull": { self.campo: { "envelope.messageId": &mid } },
                    "$inc": { CONTADOR: -1_i64 },
                },
            )
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

impl MongoOutbox {
    /// Removes several messages: one update for every owner with exactly one of them
    /// (the usual case), matching each owner only while it still has its message, so
    /// calling it twice changes nothing; owners with more go one message at a time.
    pub async fn enviados(&self, lista: &[(String, Uuid)]) -> Result<(), String> {
        let mut por_dueno: std::collections::BTreeMap<&str, Vec<Uuid>> = Default::default();
        for (dueno, id) in lista {
            por_dueno.entry(dueno.as_str()).or_default().push(*id);
        }
        let (solos, varios): (Vec<_>, Vec<_>) =
            por_dueno.into_iter().partition(|(_, ids)| ids.len() == 1);
        if !solos.is_empty() {
            let duenos: Vec<&str> = solos.iter().map(|(d, _)| *d).collect();
            let ids: Vec<String> = solos.iter().map(|(_, ids)| ids[0].to_string()).collect();
            // Message ids are unique, so an owner matches only through its own message.
            self.col
                .update_many(
                    doc! {
                        "_id": { "$in": duenos },
                        format!("{}.envelope.messageId", self.campo): { "$in": &ids },
                    },
                    doc! {
                        "$pull": { self.campo: { "envelope.messageId": { "$in": &ids } } },
                        "$inc": { CONTADOR: -1_i64 },
                    },
                )
                .await
                .map_err(|e| e.to_string())?;
        }
        for (dueno, ids) in varios {
            for id in ids {
                self.enviado(dueno, id).await?;
            }
        }
        Ok(())
    }
}

/// The message array at a dotted path.
fn mensajes<'a>(d: &'a Document, campo: &str) -> Option<&'a Vec<Bson>> {
    let mut actual = d;
    let mut partes = campo.split('.').peekable();
    while let Some(p) = partes.next() {
        if partes.peek().is_none() {
            return actual.get_array(p).ok();
        }
        actual = actual.get_document(p).ok()?;
    }
    None
}
