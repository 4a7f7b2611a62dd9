//! The reservation SAGA as a chain of responsibility. Each handler does one step
//! (`ejecutar`) and knows how to undo it (`compensar`); on failure the chain undoes the
//! steps already run, in reverse, and records everything in the reservation's log.

mod cadena;
pub mod cancelacion;
pub mod cancelacion_entrada;
mod confirmador_reserva;
mod escritura;
mod procesador_pago;
#[cfg(test)]
mod pruebas;
pub mod recuperacion;
mod saldo_entrada;
pub mod transferencia;
mod validador_datos;
mod validador_inventario;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use eventflow_shared::lock::Lock;
use eventflow_shared::ApiError;

pub use cadena::{Cadena, Fin, PASOS};
pub use confirmador_reserva::ConfirmadorReserva;
pub use procesador_pago::ProcesadorPago;

pub use validador_datos::ValidadorDatos;
pub use validador_inventario::ValidadorInventario;

use crate::domain::{Reserva, SolicitudReserva};
use crate::metrics::Metricas;
use crate::puertos::{Buyers, Inventory, Payments};
use crate::store::{ReservaStore, StoreError};

/// Everything the handlers talk to: ports ([`crate::puertos`]), never an adapter.
pub struct Deps {
    pub usuarios: Arc<dyn Buyers>,
    pub eventos: Arc<dyn Inventory>,
    pub lock: Arc<dyn Lock>,
    pub pasarela: Arc<dyn Payments>,
    pub reservas: Arc<dyn ReservaStore>,
    pub metricas: Arc<Metricas>,
    pub lock_ttl: Duration,
    pub max_cantidad: u32,
    /// This process's name in leases and logs (`RESERVAS_INSTANCIA`, else host and pid):
    /// who owns a reservation while its SAGA or its recovery runs.
    pub instancia: String,
    /// Wakes the outbox relay after a write that queued a message.
    pub outbox: Arc<tokio::sync::Notify>,
}

/// Faults a demo or test can inject, only when `RESERVAS_SIMULAR_FALLOS=1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FalloSimulado {
    /// ConfirmadorReserva fails after the payment: shows refund, release and unlock.
    Confirmacion,
    /// The SAGA stops for good after the payment is recorded in the reservation: for
    /// crash-recovery tests.
    ColgarTrasPago,
    /// The SAGA stops for good right after the charge, before any write of the
    /// reservation records it (the charge is only in the payment ledger): for
    /// crash-recovery tests of the gap between the first and the terminal write.
    ColgarTrasCobro,
    /// The SAGA stops for good after the hold is recorded, before any charge: for
    /// crash-recovery tests of the compensating path.
    ColgarTrasRetencion,
    /// ConfirmadorReserva's answer never comes (as a timeout would): the request gets
    /// 202 with the step `incierto`, and recovery confirms the sale. For the UI's
    /// "pendiente de confirmar" and its e2e test.
    Incierto,
}

impl FalloSimulado {
    pub fn parse(v: &str) -> Option<Self> {
        match v.trim() {
            "confirmacion" => Some(Self::Confirmacion),
            "colgar-tras-pago" => Some(Self::ColgarTrasPago),
            "colgar-tras-cobro" => Some(Self::ColgarTrasCobro),
            "colgar-tras-retencion" => Some(Self::ColgarTrasRetencion),
            "incierto" => Some(Self::Incierto),
            _ => None,
        }
    }
}

/// What we know about the hold while the SAGA runs; recovery starts from `Incierta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstadoRetencion {
    Ninguna,
    /// A call may or may not have placed it (a timeout, or a crash): release to be sure.
    Incierta,
    Hecha,
    Vendida,
}

/// The state one SAGA run carries from handler to handler.
pub struct Contexto {
    pub reserva: Reserva,
    /// The client's request; `None` when recovery resumes a stored reservation.
    pub solicitud: Option<SolicitudReserva>,
    pub tarjeta: String,
    pub lock_tomado: bool,
    pub retencion: EstadoRetencion,
    pub fallo_simulado: Option<FalloSimulado>,
    /// The request came with an `Idempotency-Key`: it is a deliberate new attempt, never
    /// folded into an identical recent one.
    pub con_clave: bool,
    /// The event's tickets-per-buyer limit, read by ValidadorDatos.
    pub max_por_comprador: u32,
    /// An identical reservation of the same buyer from the last seconds, found by
    /// ValidadorInventario: the answer to a double submission sent without a key.
    pub repetida: Option<Reserva>,
    /// The signed-in buyer who sent the request, if any: the buyer named in it must be
    /// this one (ValidadorDatos answers 403 otherwise).
    pub sesion: Option<String>,
    /// For a caller with no session (a guest): a fingerprint of their client and
    /// request. A guest may only buy for an account without a password, is never told
    /// what that buyer already holds, and a keyless double submission is answered with
    /// an earlier reservation only when it carries this same fingerprint.
    pub invitado: Option<String>,
    /// The guest secret in clear, only while the live request runs: it goes into the
    /// ReservaConfirmada message's link. Recovery has only its hash.
    pub secreto: Option<String>,
}

/// A request without a key identical to one of the buyer's reservations this recent
/// is taken for a double submission, and answered with that reservation.
pub const VENTANA_REPETIDA: Duration = Duration::from_secs(10);

impl Contexto {
    /// `reserva`'s context before anything is known of a live request: no request, card,
    /// lock, hold, caller or limit, and never taken for a double submission. The checkout
    /// and recovery each set what they know.
    pub fn de(reserva: Reserva) -> Self {
        Contexto {
            reserva,
            solicitud: None,
            tarjeta: String::new(),
            lock_tomado: false,
            retencion: EstadoRetencion::Ninguna,
            fallo_simulado: None,
            con_clave: true,
            max_por_comprador: u32::MAX,
            repetida: None,
            sesion: None,
            invitado: None,
            secreto: None,
        }
    }

    pub fn lock_key(&self) -> String {
        format!(
            "lock:evento:{}:usuario:{}",
            self.reserva.evento_id,
            self.reserva.usuario_id.as_deref().unwrap_or("?")
        )
    }

    pub fn corr(&self) -> String {
        self.reserva.correlation_id.clone()
    }
}

/// How a step ended when it did not succeed.
#[derive(Debug)]
pub enum Fallo {
    /// Refused, or failed with effects the compensations can find and undo exactly
    /// (they read the owner's state): compensate.
    Rechazo(ApiError),
    /// The step's outcome is still unknown after asking again (a timeout, a 5xx), and
    /// undoing it blind could undo a sale the buyer paid for. Never compensated: the
    /// reservation stays EN_CURSO and recovery resolves it.
    Incierto(ApiError),
}

impl From<ApiError> for Fallo {
    fn from(e: ApiError) -> Self {
        Self::Rechazo(e)
    }
}

impl From<StoreError> for Fallo {
    /// The payment ledger is in-process: a failed ledger call is compensated by reading
    /// the ledger back (`reembolsar` refunds only an APROBADO charge it finds).
    fn from(e: StoreError) -> Self {
        Self::Rechazo(e.into())
    }
}

/// One SAGA step.
#[async_trait]
pub trait Handler: Send + Sync {
    fn nombre(&self) -> &'static str;
    /// Whether the chain writes the reservation after this step succeeds. A step with no
    /// side effects (ValidadorDatos) is not worth a write: a request refused before any
    /// side effect is never stored.
    fn persiste(&self) -> bool {
        true
    }
    /// Whether this step may move money (ProcesadorPago): from it on, a failure is
    /// compensated only by the run that wins the claim, and recovery resumes after it.
    fn mueve_dinero(&self) -> bool {
        false
    }
    /// Does the step. On error, it leaves in `ctx` enough to compensate what it did.
    async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<(), Fallo>;
    /// Undoes the step, fully or partially done. Idempotent. Returns what it undid, in
    /// words for the buyer; an error means it could not, and recovery will retry.
    async fn compensar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<Vec<String>, ApiError>;
}
