//! The notificaciones store port and the function that picks its adapter.

mod memory;
mod mongo;

use std::sync::Arc;

use async_trait::async_trait;
use eventflow_shared::config::StoreConfig;

use crate::domain::Notificacion;

pub use eventflow_shared::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registro {
    Nueva,
    /// A notification with this message id exists: the message was already handled.
    Duplicada,
}

#[derive(Debug, Clone, Default)]
pub struct Filtro {
    pub usuario_id: Option<String>,
    pub tipo: Option<String>,
    pub reserva_id: Option<String>,
    /// Leave out this `tipo`: one-time codes, from a buyer's own list.
    pub sin_tipo: Option<String>,
}

/// Notifications, keyed by the id of the message that caused them.
///
/// Contract: `registrar` stores a notification once per id. Recording the message id and
/// producing the effect are the same insert, so a redelivered message can never have a
/// second effect, even when racing its duplicate. `listar` filters exactly and orders
/// newest first.
#[async_trait]
pub trait NotificacionStore: Send + Sync {
    async fn registrar(&self, n: &Notificacion) -> Result<Registro, StoreError>;
    async fn listar(
        &self,
        filtro: &Filtro,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Notificacion>, u64), StoreError>;
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<(), String>;
}

pub async fn from_config(cfg: &StoreConfig) -> anyhow::Result<Arc<dyn NotificacionStore>> {
    Ok(match cfg {
        StoreConfig::Embedded => Arc::new(memory::MemoryStore::default()),
        StoreConfig::Mongo { uri, database } => {
            let db = eventflow_shared::mongo::connect(uri.expose(), database).await?;
            Arc::new(mongo::MongoStore::new(db).await?)
        }
    })
}
