//! MongoDB eventos store. Every inventory change is one conditional single-document
//! update, so it is atomic and correct on a standalone mongod without transactions.
//!
//! Layout: zone `k` keeps its counters at `inventario.z{k}`; running holds are a map
//! keyed by reservation id (a checked safe id, so it is a valid field name). Sales leave
//! the event document, so that it stays a few KiB whatever the capacity (every write
//! rewrites it): confirming marks the hold `vendida` in the same write as the counters
//! (the decision), and [`MongoEventoStore::archivar_ventas`] later moves sold holds, in
//! batches, to the `ventas` collection. A return records a tombstone (`devueltas`)
//! with its counter change, so a sale record outliving it is no longer a sale.
//! "Is it sold?" = a hold marked sold, an entry of the old `ventas` map (events stored
//! before this layout), or a record in `ventas` without a tombstone. Tickets given back
//! one by one are listed by code under `parciales.{rid}`, in the event document,
//! written with their counters: a sale counts its tickets less those.
//!
//! Files, each importing only those listed before it: `documentos` (the stored shapes
//! and their conversions), `comun` (the collections and their indexes), `eventos`,
//! `vista` (one reservation's view of the inventory), `inventario` (holds and sales),
//! `archivo` (the archiver and the reaper's sweep); here, the port's methods, one line
//! each, and the outbox, which is kept inside the event documents.

mod archivo;
mod comun;
mod documentos;
mod eventos;
mod inventario;
mod vista;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use eventflow_shared::outbox::mongo::{ConMongoOutbox, MongoOutbox};

pub use comun::MongoEventoStore;

use super::{EventoStore, Pagina, StoreError};
use crate::domain::{
    CambiosEvento, Confirmacion, Devolucion, Efecto, Evento, FiltroEventos, Liberacion, Retenida,
};

#[async_trait]
impl EventoStore for MongoEventoStore {
    async fn insert(&self, e: &Evento) -> Result<(), StoreError> {
        eventos::insert(self, e).await
    }

    async fn get(&self, id: &str) -> Result<Option<Evento>, StoreError> {
        eventos::get(self, id).await
    }

    async fn ficha(&self, id: &str) -> Result<Option<Evento>, StoreError> {
        eventos::ficha(self, id).await
    }

    async fn list(
        &self,
        filtro: &FiltroEventos,
        limit: u32,
        offset: u32,
    ) -> Result<Pagina, StoreError> {
        eventos::list(self, filtro, limit, offset).await
    }

    async fn update(
        &self,
        id: &str,
        cambios: &CambiosEvento,
    ) -> Result<Option<Evento>, StoreError> {
        eventos::update(self, id, cambios).await
    }

    async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: usize,
        cantidad: u32,
        ahora: DateTime<Utc>,
    ) -> Result<Option<Efecto<Retenida>>, StoreError> {
        inventario::retener(self, id, rid, zona, cantidad, ahora).await
    }

    async fn confirmar(
        &self,
        id: &str,
        rid: &str,
        pista: Option<(usize, u32)>,
    ) -> Result<Option<Efecto<Confirmacion>>, StoreError> {
        inventario::confirmar(self, id, rid, pista).await
    }

    async fn liberar(&self, id: &str, rid: &str) -> Result<Option<Efecto<Liberacion>>, StoreError> {
        inventario::liberar(self, id, rid).await
    }

    async fn devolver(
        &self,
        id: &str,
        rid: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError> {
        inventario::devolver(self, id, rid).await
    }

    async fn devolver_una(
        &self,
        id: &str,
        rid: &str,
        codigo: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError> {
        inventario::devolver_una(self, id, rid, codigo).await
    }

    async fn archivar_ventas(&self) -> Result<usize, StoreError> {
        self.archivar().await
    }

    async fn retenciones_antiguas(
        &self,
        antes_de: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        archivo::retenciones_antiguas(self, antes_de).await
    }

    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> Result<(), String> {
        eventflow_shared::mongo::ping(&self.db).await
    }
}

impl ConMongoOutbox for MongoEventoStore {
    fn outbox(&self) -> &MongoOutbox {
        &self.outbox
    }
}
