//! The eventos store port and the function that picks its adapter from config.

mod memory;
mod mongo;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use eventflow_shared::config::StoreConfig;

pub use memory::MemoryEventoStore;
pub use mongo::MongoEventoStore;

use crate::domain::{
    CambiosEvento, Confirmacion, Devolucion, Efecto, Evento, FiltroEventos, Liberacion, Retenida,
};

pub use eventflow_shared::store::{Duplicado, StoreError};

/// An event with that id exists.
pub const EVENTO_DUPLICADO: Duplicado = Duplicado {
    tipo: "evento-duplicado",
    detalle: "Ya existe un evento con ese id",
    campo: None,
};

pub struct Pagina {
    pub items: Vec<Evento>,
    pub total: u64,
}

/// Where events and their inventory live.
///
/// Contract (checked by `tests/store_contract.rs` against every adapter):
/// - `insert` MUST return `Duplicate` for an id that exists.
/// - `get` returns the whole event, holds, sales and outbox included. `ficha` and `list`
///   return it without them (empty maps and outbox): what buyers see and what a hold
///   needs, without decoding one entry per sale on every read.
/// - `list` MUST filter by `FiltroEventos` and order by date, then id.
/// - Inventory operations are atomic on one event and idempotent on the reservation id:
///   `retener` never lets the sum of holds and sales exceed a zone's capacity, however
///   many callers race; repeating any operation changes nothing. They return `None`
///   when the event does not exist, and otherwise the outcome with the available
///   tickets read in the same atomic step (`Efecto`).
/// - `retenciones_antiguas` lists holds created before `antes_de`, for the reaper.
/// - `retener` answers `FueraDeVenta` once the event has started (at `ahora`).
#[async_trait]
pub trait EventoStore: eventflow_shared::outbox::FuenteOutbox + Send + Sync {
    async fn insert(&self, evento: &Evento) -> Result<(), StoreError>;
    async fn get(&self, id: &str) -> Result<Option<Evento>, StoreError>;
    async fn ficha(&self, id: &str) -> Result<Option<Evento>, StoreError>;
    async fn list(
        &self,
        filtro: &FiltroEventos,
        limit: u32,
        offset: u32,
    ) -> Result<Pagina, StoreError>;
    async fn update(&self, id: &str, cambios: &CambiosEvento)
        -> Result<Option<Evento>, StoreError>;
    async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: usize,
        cantidad: u32,
        ahora: DateTime<Utc>,
    ) -> Result<Option<Efecto<Retenida>>, StoreError>;
    /// `pista`: the zone and count the caller believes the hold has. A store may try
    /// them first, in a write guarded by exactly that hold; a wrong one changes nothing.
    async fn confirmar(
        &self,
        id: &str,
        rid: &str,
        pista: Option<(usize, u32)>,
    ) -> Result<Option<Efecto<Confirmacion>>, StoreError>;
    async fn liberar(&self, id: &str, rid: &str) -> Result<Option<Efecto<Liberacion>>, StoreError>;
    async fn devolver(&self, id: &str, rid: &str)
        -> Result<Option<Efecto<Devolucion>>, StoreError>;
    /// Gives back ticket `codigo` of `rid`'s sale alone: one seat of its zone, once per
    /// code (`inventario::devolver_una`); a later `devolver` returns only the rest.
    async fn devolver_una(
        &self,
        id: &str,
        rid: &str,
        codigo: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError>;
    async fn retenciones_antiguas(
        &self,
        antes_de: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>, StoreError>;
    /// Moves confirmed sales out of the event documents, where a store keeps them
    /// there for a while (MongoDB). Returns how many it moved. Idempotent, safe to run
    /// from several instances at once, and invisible to every other call.
    async fn archivar_ventas(&self) -> Result<usize, StoreError> {
        Ok(0)
    }
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<(), String>;
}

pub async fn from_config(cfg: &StoreConfig) -> anyhow::Result<Arc<dyn EventoStore>> {
    Ok(match cfg {
        StoreConfig::Embedded => Arc::new(MemoryEventoStore::default()),
        StoreConfig::Mongo { uri, database } => {
            let db = eventflow_shared::mongo::connect(uri.expose(), database).await?;
            Arc::new(MongoEventoStore::new(db).await?)
        }
    })
}
