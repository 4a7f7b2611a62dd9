//! The ports the SAGA talks through: buyers (usuarios), inventory (eventos) and payments
//! (the provider). `saga::Deps` holds them as `Arc<dyn …>`. The adapters implement them
//! where they live (the HTTP clients in `clients`, the simulated provider in `pagos`);
//! the chain's unit tests implement them with in-process fakes, so each step and each
//! compensation can be driven without a network. The saga never imports an adapter.
//!
//! Every call has the three outcomes of a remote call: done, refused, or unknown
//! (`ClientError::Unknown`), which is never compensated as if it had failed.

use async_trait::async_trait;
use eventflow_shared::ids::{EventoId, ReservaId, UsuarioId};

mod resultado;
mod tipos;

pub use resultado::{
    dependencia, hasta_saber, hasta_saber_con_dudas, ClientError, INTENTOS_HASTA_SABER,
};
pub use tipos::{
    Cobro, Comprador, Confirmacion, EventoRef, Inventario, Liberacion, Retencion, RetencionRef,
    ZonaRef,
};

pub use crate::store::reembolsos::ReembolsoParte;
use crate::store::{Pago, StoreError};

/// Buyers (usuarios-service). Their purchase history follows the bus's confirmations
/// and cancellations; only a reservation begun by an earlier version, which wrote its
/// history entry itself, takes it back here.
#[async_trait]
pub trait Buyers: Send + Sync {
    /// The buyer, by UUID or email.
    async fn buscar(&self, id_o_email: &str, corr: &str) -> Result<Comprador, ClientError>;
    /// Removes the reservation from the buyer's history. Idempotent.
    async fn quitar_compra(
        &self,
        usuario_id: &UsuarioId,
        rid: &ReservaId,
        corr: &str,
    ) -> Result<(), ClientError>;
}

/// Events and their tickets (eventos-service). Every write is keyed by the reservation
/// id and idempotent; each answers what it did as a typed outcome.
#[async_trait]
pub trait Inventory: Send + Sync {
    async fn obtener(&self, id: &EventoId, corr: &str) -> Result<EventoRef, ClientError>;
    async fn retener(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<Retencion, ClientError>;
    /// `zona` and `cantidad` are the hold as this reservation placed it: eventos tries
    /// them first and confirms in one write (a wrong pair only costs it a read).
    async fn confirmar(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        zona: &str,
        cantidad: u32,
        corr: &str,
    ) -> Result<Confirmacion, ClientError>;
    /// `Liberada`, `Devuelta` (the hold had become a sale) or `SinRetencion`.
    async fn liberar(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        corr: &str,
    ) -> Result<Liberacion, ClientError>;
    /// One ticket, `codigo`, of the reservation's sale back on sale: one seat of its
    /// zone, once per code. `Devuelta`, or `SinVenta` (already given back, or the sale
    /// was returned whole).
    async fn devolver_una(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        codigo: &str,
        corr: &str,
    ) -> Result<Liberacion, ClientError>;
    /// Whether the event's organizer lets its tickets change hands, read now (never
    /// from a copy: the organizer may have just forbidden it).
    async fn transferencias_permitidas(
        &self,
        id: &EventoId,
        corr: &str,
    ) -> Result<bool, ClientError>;
    /// `Devuelta` or `SinVenta`.
    async fn devolver(
        &self,
        id: &EventoId,
        rid: &ReservaId,
        corr: &str,
    ) -> Result<Liberacion, ClientError>;
    /// The event's holds and sales by reservation: what reconciliation compares.
    async fn inventario(&self, id: &EventoId, corr: &str) -> Result<Inventario, ClientError>;
}

/// The payment provider. A charge is keyed by the reservation: asking again returns the
/// first decision, never a second charge.
#[async_trait]
pub trait Payments: Send + Sync {
    async fn cobrar(
        &self,
        reserva_id: &ReservaId,
        monto: i64,
        numero: &str,
    ) -> Result<Cobro, StoreError>;
    /// Refunds an approved charge; `None` when there was nothing to refund.
    async fn reembolsar(&self, reserva_id: &ReservaId) -> Result<Option<Pago>, StoreError>;
    async fn consultar(&self, reserva_id: &ReservaId) -> Result<Option<Pago>, StoreError>;
    /// Refunds `monto` of the approved charge for ticket `codigo` alone: once per code,
    /// whoever asks again.
    async fn reembolsar_parte(
        &self,
        reserva_id: &ReservaId,
        codigo: &str,
        monto: i64,
    ) -> Result<ReembolsoParte, StoreError>;
    /// The refunds made ticket by ticket: (code, amount).
    async fn reembolsos_parciales(
        &self,
        reserva_id: &ReservaId,
    ) -> Result<Vec<(String, i64)>, StoreError>;
}
