//! The cuadre's report, as a contract: what reservas-pagos finds when it squares one
//! event's sales, reservations and payments against each other (its `cuadre::cuadrar`),
//! and what eventos hands the organizer. One typed shape for both ends.
//!
//! "Cuadre" is the check of one event and its report; the periodic job that runs it over
//! every event is reservas' `barrido`. The API still says "conciliación"
//! (`/internal/conciliacion/…`, `/api/eventos/{id}/conciliacion`, the metric
//! `eventflow_conciliacion_discrepancias`): public names, kept as the contract they are.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One broken invariant, for one reservation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Discrepancia {
    /// `venta-sin-reserva-confirmada`, `confirmada-sin-venta`,
    /// `pago-sin-reserva-confirmada`, `confirmada-sin-pago`, `confirmada-reembolsada`,
    /// `reembolso-sin-fallo`, `retencion-huerfana`.
    #[schema(example = "venta-sin-reserva-confirmada")]
    pub tipo: String,
    pub reserva_id: String,
    /// In words, for the organizer.
    #[schema(example = "eventos tiene vendidas 2 entradas de una reserva FALLIDA")]
    pub detalle: String,
    /// Repaired by this run through the normal idempotent step (return the sale,
    /// refund the charge, release the hold); `false`: left for a person to look at.
    pub reparada: bool,
}

/// The report of one run over one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Informe {
    pub evento_id: String,
    pub revisado_en: DateTime<Utc>,
    /// Tickets eventos counts as sold, summed over its sales.
    pub vendidas: u64,
    /// Tickets of reservations CONFIRMADA (or being cancelled).
    pub confirmadas: u64,
    /// Reservations by state.
    pub reservas: std::collections::BTreeMap<String, u64>,
    /// Payments by state (`APROBADO`, `REEMBOLSADO`, `RECHAZADO`).
    pub pagos: std::collections::BTreeMap<String, u64>,
    /// Reservations still running or changed during the run: not judged this time.
    pub en_curso: u64,
    /// What this run found, repaired or not.
    pub discrepancias: Vec<Discrepancia>,
    /// Discrepancies found and not repaired: what a person must look at. 0 is healthy.
    pub pendientes: u64,
}
