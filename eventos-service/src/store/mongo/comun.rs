//! The connection: the store's collections, their indexes, and the check every
//! reservation id passes before it becomes a field name.

use bson::doc;
use eventflow_shared::outbox::mongo::MongoOutbox;
use mongodb::options::IndexOptions;
use mongodb::{Collection, Database, IndexModel};

use super::documentos::{EventoDoc, VentaArchivadaDoc};
use crate::store::StoreError;

/// Reservation ids become field names; the HTTP layer only lets safe ids through, and
/// this keeps any other caller from turning one into a path or an operator.
pub(super) fn check_rid(rid: &str) -> Result<(), StoreError> {
    eventflow_shared::safe_id("reserva_id", rid)
        .map(|_| ())
        .map_err(|_| StoreError::Other(format!("unsafe reservation id {rid:?}")))
}

pub struct MongoEventoStore {
    pub(super) db: Database,
    pub(super) col: Collection<EventoDoc>,
    /// Sales moved out of their event's document.
    pub(super) ventas: Collection<VentaArchivadaDoc>,
    pub(super) outbox: MongoOutbox,
}

impl MongoEventoStore {
    pub async fn new(db: Database) -> anyhow::Result<Self> {
        let col = db.collection::<EventoDoc>("eventos");
        col.create_indexes([
            IndexModel::builder()
                .keys(doc! { "fecha": 1, "_id": 1 })
                .build(),
            IndexModel::builder()
                .keys(doc! { "lugar": 1, "fecha": 1 })
                .options(
                    IndexOptions::builder()
                        .name("lugar_fecha".to_owned())
                        .build(),
                )
                .build(),
            // An organizer's own events, by date: its dashboard's list.
            IndexModel::builder()
                .keys(doc! { "organizador_id": 1, "fecha": 1 })
                .options(
                    IndexOptions::builder()
                        .name("organizador_fecha".to_owned())
                        .build(),
                )
                .build(),
            // The archiver's query: events with sold holds still in the document.
            IndexModel::builder()
                .keys(doc! { "por_archivar": 1 })
                .build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating eventos indexes: {e}"))?;
        let ventas = db.collection::<VentaArchivadaDoc>("ventas");
        ventas
            .create_index(IndexModel::builder().keys(doc! { "evento_id": 1 }).build())
            .await
            .map_err(|e| anyhow::anyhow!("creating ventas indexes: {e}"))?;
        let outbox = MongoOutbox::new(col.clone_with_type(), "outbox").await?;
        Ok(Self {
            db,
            col,
            ventas,
            outbox,
        })
    }
}
