//! The ports the SAGA talks through: buyers (usuarios), inventory (eventos) and payments
//! (the provider). `saga::Deps` holds them as `Arc<dyn …>`: production wires the HTTP
//! clients and the simulated provider in below; the chain's unit tests wire in-process
//! fakes, so each step and each compensation can be driven without a network.
//!
//! Every call has the three outcomes of a remote call: done, refused, or unknown
//! (`ClientError::Unknown`), which is never compensated as if it had failed.

use async_trait::async_trait;

use crate::clients::{ClientError, EventoRef, EventosClient, Inventario, UsuariosClient};
use crate::pagos::{Cobro, PasarelaSimulada};
use crate::store::{Pago, StoreError};

/// Buyers and their purchase history (usuarios-service).
#[async_trait]
pub trait Buyers: Send + Sync {
    /// The buyer's id, by UUID or email.
    async fn buscar(&self, id_o_email: &str, corr: &str) -> Result<String, ClientError>;
    /// Adds the reservation to the buyer's history. Idempotent.
    async fn agregar_compra(
        &self,
        usuario_id: &str,
        rid: &str,
        corr: &str,
    ) -> Result<(), ClientError>;
    /// Removes it. Idempotent.
    async fn quitar_compra(
        &self,
        usuario_id: &str,
        rid: &str,
        corr: &str,
    ) -> Result<(), ClientError>;
}

/// Events and their tickets (eventos-service). Every write is keyed by the reservation
/// id and idempotent; each answers its `resultado` (`retenida`, `ya_retenida`, …).
#[async_trait]
pub trait Inventory: Send + Sync {
    async fn obtener(&self, id: &str, corr: &str) -> Result<EventoRef, ClientError>;
    async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<String, ClientError>;
    async fn confirmar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError>;
    async fn liberar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError>;
    async fn devolver(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError>;
    /// The event's holds and sales by reservation: what reconciliation compares.
    async fn inventario(&self, id: &str, corr: &str) -> Result<Inventario, ClientError>;
}

/// The payment provider. A charge is keyed by the reservation: asking again returns the
/// first decision, never a second charge.
#[async_trait]
pub trait Payments: Send + Sync {
    async fn cobrar(&self, reserva_id: &str, monto: i64, numero: &str)
        -> Result<Cobro, StoreError>;
    /// Refunds an approved charge; `None` when there was nothing to refund.
    async fn reembolsar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError>;
    async fn consultar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError>;
}

#[async_trait]
impl Buyers for UsuariosClient {
    async fn buscar(&self, id_o_email: &str, corr: &str) -> Result<String, ClientError> {
        UsuariosClient::buscar(self, id_o_email, corr).await
    }
    async fn agregar_compra(&self, u: &str, rid: &str, corr: &str) -> Result<(), ClientError> {
        UsuariosClient::agregar_compra(self, u, rid, corr).await
    }
    async fn quitar_compra(&self, u: &str, rid: &str, corr: &str) -> Result<(), ClientError> {
        UsuariosClient::quitar_compra(self, u, rid, corr).await
    }
}

#[async_trait]
impl Inventory for EventosClient {
    async fn obtener(&self, id: &str, corr: &str) -> Result<EventoRef, ClientError> {
        EventosClient::obtener(self, id, corr).await
    }
    async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<String, ClientError> {
        EventosClient::retener(self, id, rid, zona, cantidad, corr).await
    }
    async fn confirmar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        EventosClient::confirmar(self, id, rid, corr).await
    }
    async fn liberar(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        EventosClient::liberar(self, id, rid, corr).await
    }
    async fn devolver(&self, id: &str, rid: &str, corr: &str) -> Result<String, ClientError> {
        EventosClient::devolver(self, id, rid, corr).await
    }
    async fn inventario(&self, id: &str, corr: &str) -> Result<Inventario, ClientError> {
        EventosClient::inventario(self, id, corr).await
    }
}

#[async_trait]
impl Payments for PasarelaSimulada {
    async fn cobrar(&self, rid: &str, monto: i64, numero: &str) -> Result<Cobro, StoreError> {
        PasarelaSimulada::cobrar(self, rid, monto, numero).await
    }
    async fn reembolsar(&self, rid: &str) -> Result<Option<Pago>, StoreError> {
        PasarelaSimulada::reembolsar(self, rid).await
    }
    async fn consultar(&self, rid: &str) -> Result<Option<Pago>, StoreError> {
        PasarelaSimulada::consultar(self, rid).await
    }
}
