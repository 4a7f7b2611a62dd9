//! What a sale costs MongoDB, read from the server itself (`--mongo-uri`): the
//! `serverStatus` opcounters before and after the reservation phase, and the size of the
//! event's document once the sale is over. The bench still links nothing of the platform:
//! it asks the database the services use, as an operator would.

use anyhow::Context;
use mongodb::bson::{doc, Document};
use serde::Serialize;

/// The server's operation counters (`serverStatus.opcounters`).
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Opcounters {
    pub insert: i64,
    pub query: i64,
    pub update: i64,
    pub delete: i64,
    pub getmore: i64,
    pub command: i64,
}

impl Opcounters {
    pub fn total(&self) -> i64 {
        self.insert + self.query + self.update + self.delete + self.getmore + self.command
    }

    /// What happened between `self` (before) and `despues`.
    pub fn hasta(&self, despues: &Opcounters) -> Opcounters {
        Opcounters {
            insert: despues.insert - self.insert,
            query: despues.query - self.query,
            update: despues.update - self.update,
            delete: despues.delete - self.delete,
            getmore: despues.getmore - self.getmore,
            command: despues.command - self.command,
        }
    }

    fn de(d: &Document) -> Self {
        // Counters come as Int32 or Int64 depending on the server; a missing one is 0.
        let n = |k: &str| {
            d.get(k)
                .and_then(|v| v.as_i64().or_else(|| v.as_i32().map(i64::from)))
                .unwrap_or(0)
        };
        Opcounters {
            insert: n("insert"),
            query: n("query"),
            update: n("update"),
            delete: n("delete"),
            getmore: n("getmore"),
            command: n("command"),
        }
    }
}

/// A connection to the MongoDB the services use.
pub struct Servidor {
    client: mongodb::Client,
}

impl Servidor {
    pub async fn conectar(uri: &str) -> anyhow::Result<Self> {
        let mut opciones = mongodb::options::ClientOptions::parse(uri)
            .await
            .with_context(|| format!("--mongo-uri {uri}"))?;
        // An unreachable server is an error in seconds, not after the driver's 30.
        opciones.server_selection_timeout = Some(std::time::Duration::from_secs(3));
        let client = mongodb::Client::with_options(opciones)
            .with_context(|| format!("--mongo-uri {uri}"))?;
        let s = Self { client };
        s.opcounters().await.with_context(|| {
            format!("reading serverStatus from {uri} (is the URI the one the services use?)")
        })?;
        Ok(s)
    }

    pub async fn opcounters(&self) -> anyhow::Result<Opcounters> {
        let status = self
            .client
            .database("admin")
            .run_command(doc! { "serverStatus": 1 })
            .await?;
        let ops = status
            .get_document("opcounters")
            .context("serverStatus has no opcounters")?;
        Ok(Opcounters::de(ops))
    }

    /// The BSON size of event `id` in eventos' store (`eventos.eventos`), or `None` when
    /// it is not there (the services use another database).
    pub async fn bytes_del_evento(&self, id: &str) -> anyhow::Result<Option<usize>> {
        let d = self
            .client
            .database("eventos")
            .collection::<Document>("eventos")
            .find_one(doc! { "_id": id })
            .await?;
        Ok(match d {
            Some(d) => Some(mongodb::bson::to_vec(&d)?.len()),
            None => None,
        })
    }
}

/// What the report says about MongoDB.
#[derive(Debug, Clone, Serialize)]
pub struct MongoReport {
    /// Operations during the reservation phase (every client of the server: run the bench
    /// against a server nothing else uses).
    pub ops: Opcounters,
    /// `ops.total() / confirmed`: the request path, plus the outbox relay and recovery.
    pub ops_per_confirmation: f64,
    /// The event document's BSON size once the sale is over.
    pub event_doc_bytes: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diferencia_y_total() {
        let antes = Opcounters::de(&doc! { "insert": 10_i64, "query": 5_i32, "update": 1_i64 });
        let despues = Opcounters::de(&doc! {
            "insert": 14_i64, "query": 9_i32, "update": 7_i64, "command": 2_i64
        });
        let d = antes.hasta(&despues);
        assert_eq!(
            (d.insert, d.query, d.update, d.command, d.delete),
            (4, 4, 6, 2, 0)
        );
        assert_eq!(d.total(), 16);
    }
}
