//! The simulated payment provider. Deterministic by card number, idempotent on the
//! reservation id (its ledger keys charges by it), and refunds at most once.

use std::sync::Arc;

use async_trait::async_trait;
use eventflow_shared::ids::ReservaId;

use crate::domain::tarjeta::{self, Comportamiento};
use crate::puertos::{Cobro, Payments, ReembolsoParte};
use crate::store::reembolsos::ReembolsoStore;
use crate::store::{EstadoPago, Pago, PagoStore, StoreError};

#[derive(Clone)]
pub struct PasarelaSimulada {
    store: Arc<dyn PagoStore>,
    /// Refunds of one ticket at a time, beside the charges.
    parciales: Arc<dyn ReembolsoStore>,
}

impl PasarelaSimulada {
    pub fn new(store: Arc<dyn PagoStore>, parciales: Arc<dyn ReembolsoStore>) -> Self {
        Self { store, parciales }
    }
}

#[async_trait]
impl Payments for PasarelaSimulada {
    async fn cobrar(
        &self,
        reserva_id: &ReservaId,
        monto: i64,
        numero: &str,
    ) -> Result<Cobro, StoreError> {
        // One write: the ledger is keyed by the reservation, so a retry's insert meets
        // the first charge and returns it, whatever the card says now (no read first).
        // A processing error records nothing: only then is the ledger read.
        let (estado, motivo) = match tarjeta::comportamiento(numero) {
            Comportamiento::Aprobar => (EstadoPago::Aprobado, None),
            Comportamiento::Rechazar => (EstadoPago::Rechazado, Some("tarjeta rechazada")),
            Comportamiento::SinFondos => (EstadoPago::Rechazado, Some("fondos insuficientes")),
            Comportamiento::ErrorProceso => {
                return Ok(match self.store.get(reserva_id).await? {
                    Some(previo) => Cobro::Registrado(previo),
                    None => Cobro::ErrorProceso,
                })
            }
        };
        let pago = Pago {
            id: format!("pay_{}", reserva_id.replace('-', "")),
            reserva_id: reserva_id.to_string(),
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
    async fn reembolsar(&self, reserva_id: &ReservaId) -> Result<Option<Pago>, StoreError> {
        match self.store.get(reserva_id).await? {
            Some(p) if p.estado == EstadoPago::Aprobado => {
                self.store.reembolsar(reserva_id).await?;
                Ok(Some(p))
            }
            _ => Ok(None),
        }
    }

    async fn consultar(&self, reserva_id: &ReservaId) -> Result<Option<Pago>, StoreError> {
        self.store.get(reserva_id).await
    }

    /// The record of this ticket's refund first: once it exists the answer is
    /// `YaHecho`, whatever the charge says since (a whole refund after it returned only
    /// the rest). Only a ticket never refunded needs the charge APROBADO.
    async fn reembolsar_parte(
        &self,
        reserva_id: &ReservaId,
        codigo: &str,
        monto: i64,
    ) -> Result<ReembolsoParte, StoreError> {
        let Some(p) = self.store.get(reserva_id).await? else {
            return Ok(ReembolsoParte::SinCobro);
        };
        let pago_id = p.id.clone();
        if self
            .parciales
            .de(reserva_id)
            .await?
            .iter()
            .any(|(c, _)| c == codigo)
        {
            return Ok(ReembolsoParte::YaHecho { pago_id });
        }
        if p.estado != EstadoPago::Aprobado {
            return Ok(ReembolsoParte::SinCobro);
        }
        Ok(
            if self.parciales.registrar(reserva_id, codigo, monto).await? {
                ReembolsoParte::Hecho { pago_id }
            } else {
                ReembolsoParte::YaHecho { pago_id }
            },
        )
    }

    async fn reembolsos_parciales(
        &self,
        reserva_id: &ReservaId,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        self.parciales.de(reserva_id).await
    }
}
