//! The simulated payment provider. Deterministic by card number, idempotent on the
//! reservation id (its ledger keys charges by it), and refunds at most once.

use std::sync::Arc;

use crate::domain::tarjeta::{self, Comportamiento};
use crate::store::{EstadoPago, Pago, PagoStore, StoreError};

pub enum Cobro {
    /// The provider recorded a decision (approved or declined), now or on a previous try.
    Registrado(Pago),
    /// The provider failed before deciding; nothing was charged.
    ErrorProceso,
}

#[derive(Clone)]
pub struct PasarelaSimulada {
    store: Arc<dyn PagoStore>,
}

impl PasarelaSimulada {
    pub fn new(store: Arc<dyn PagoStore>) -> Self {
        Self { store }
    }

    pub async fn cobrar(
        &self,
        reserva_id: &str,
        monto: i64,
        numero: &str,
    ) -> Result<Cobro, StoreError> {
        // A retry must see the first decision, whatever the card says now.
        if let Some(previo) = self.store.get(reserva_id).await? {
            return Ok(Cobro::Registrado(previo));
        }
        let (estado, motivo) = match tarjeta::comportamiento(numero) {
            Comportamiento::Aprobar => (EstadoPago::Aprobado, None),
            Comportamiento::Rechazar => (EstadoPago::Rechazado, Some("tarjeta rechazada")),
            Comportamiento::SinFondos => (EstadoPago::Rechazado, Some("fondos insuficientes")),
            Comportamiento::ErrorProceso => return Ok(Cobro::ErrorProceso),
        };
        let pago = Pago {
            id: format!("pay_{}", reserva_id.replace('-', "")),
            reserva_id: reserva_id.to_owned(),
            monto,
            estado,
            motivo: motivo.map(str::to_owned),
            ultimos4: numero[numero.len().saturating_sub(4)..].to_owned(),
            creado_en: eventflow_shared::now(),
        };
        Ok(Cobro::Registrado(self.store.registrar(&pago).await?))
    }

    /// Refunds an approved charge. Returns the charge when this call refunded it,
    /// `None` when there was nothing to refund (none, declined, or already refunded).
    pub async fn reembolsar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError> {
        match self.store.get(reserva_id).await? {
            Some(p) if p.estado == EstadoPago::Aprobado => {
                self.store.reembolsar(reserva_id).await?;
                Ok(Some(p))
            }
            _ => Ok(None),
        }
    }

    pub async fn consultar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError> {
        self.store.get(reserva_id).await
    }
}
