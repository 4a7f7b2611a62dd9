//! `Reserva`: the projection of a reservation's event log, stored with the log itself
//! so one single-document write keeps both in step (no transactions needed).

use super::Transferencia;
use super::{AnulacionEntrada, Entrada, EstadoEntrada, MotivoAnulacion, Suceso, TipoSuceso};
use chrono::{DateTime, Utc};
use eventflow_shared::bus::Pendiente;
use eventflow_shared::ids::{EventoId, ReservaId, UsuarioId};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Estado {
    /// The SAGA is running (or was cut off and awaits recovery).
    EnCurso,
    Confirmada,
    /// A step failed and every completed step was compensated.
    Fallida,
    /// A cancellation is running (or was cut off and awaits recovery).
    Cancelando,
    Cancelada,
}

impl Estado {
    pub fn terminal(self) -> bool {
        matches!(self, Self::Confirmada | Self::Fallida | Self::Cancelada)
    }
}

/// How far the SAGA got: what recovery must finish or undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progreso {
    Validada,
    Retenida,
    Pagada,
    Confirmada,
}

/// A charge's state at the simulated provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EstadoPago {
    Aprobado,
    Rechazado,
    Reembolsado,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PagoResumen {
    #[schema(example = "pay_0b6f3c1e2f4d4c559d2a7f1e2d3c4b5a")]
    pub id: String,
    pub estado: EstadoPago,
}

/// How one handler's run ended, as shown to the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResultadoPaso {
    /// Done.
    Ok,
    /// Refused or failed; the steps done before it were compensated.
    Fallido,
    /// Done, then undone. This runner records what compensations undid in
    /// `compensaciones` and leaves the step `ok`; the value stays in the API's enum,
    /// which clients were told about, and reads back if stored.
    Compensado,
    /// Its outcome is not known yet (a timeout, a lost answer): nothing was undone
    /// blind, and recovery resolves it. Not a failure: "pendiente de confirmar".
    Incierto,
}

/// One handler's run, as shown to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PasoEjecutado {
    #[schema(example = "ValidadorInventario")]
    pub handler: String,
    pub resultado: ResultadoPaso,
    #[schema(example = 3)]
    pub duracion_ms: u64,
}

/// Something a compensation undid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Compensacion {
    #[schema(example = "ValidadorInventario")]
    pub handler: String,
    #[schema(example = "retención de 2 entradas liberada")]
    pub accion: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FalloReserva {
    #[schema(example = "ProcesadorPago")]
    pub paso: String,
    #[schema(example = 402)]
    pub status: u16,
    #[schema(example = "pago-rechazado")]
    pub tipo: String,
    pub detalle: String,
}

/// Who owns a reservation that is not terminal, until when. Written with every SAGA
/// write and by the claim a recovery sweep makes before it acts; a sweep only claims a
/// reservation whose lease has run out, with a version-guarded write, so of several
/// instances exactly one acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub instancia: String,
    pub hasta: DateTime<Utc>,
}

/// One entry of the audit trail. `seq` starts at 1 and never has gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventoReserva {
    #[schema(example = 1)]
    pub seq: u32,
    #[schema(example = "InventarioRetenido")]
    pub tipo: String,
    #[schema(value_type = Object)]
    pub datos: Value,
    pub en: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reserva {
    pub id: ReservaId,
    pub estado: Estado,
    pub progreso: Progreso,
    pub usuario_id: Option<UsuarioId>,
    pub evento_id: EventoId,
    pub zona: Option<String>,
    pub cantidad: u32,
    pub precio_unitario: Option<i64>,
    pub total: Option<i64>,
    pub pago: Option<PagoResumen>,
    pub creada_en: DateTime<Utc>,
    pub actualizada_en: DateTime<Utc>,
    pub pasos: Vec<PasoEjecutado>,
    pub fallo: Option<FalloReserva>,
    pub compensaciones: Vec<Compensacion>,
    pub correlation_id: String,
    /// The append-only log; the fields above are its projection.
    pub eventos: Vec<EventoReserva>,
    /// Messages written with this state change, waiting for the relay (the outbox).
    #[serde(default)]
    pub outbox: Vec<Pendiente>,
    #[serde(default)]
    pub lease: Option<Lease>,
    /// SHA-256 of the guest secret (`X-Reserva-Secreto`) handed out once with the answer
    /// to `POST /api/reservar`. The secret itself is never stored.
    #[serde(default)]
    pub secreto_hash: Option<String>,
    /// Which derivation of the guest secret `secreto_hash` holds
    /// (`reservar::secreto`): 0 at checkout, one more at each re-send of the buyer's
    /// links, so the links sent before stop working.
    #[serde(default)]
    pub secreto_version: u32,
    /// Who sent the request, for answering a keyless double submission only to its
    /// sender: `sesion:<buyer id>`, `invitado:<client fingerprint>` or `admin`. Never
    /// shown. Absent on reservations older than it, which are never replayed.
    #[serde(default)]
    pub origen: Option<String>,
    /// When the terminal write made it CONFIRMADA (its `actualizada_en` then): a replay
    /// of the confirming request shows the reservation as it was confirmed, from this,
    /// even after a cancellation. Absent before the confirmation, and on reservations
    /// older than it.
    #[serde(default)]
    pub confirmada_en: Option<DateTime<Utc>>,
    /// Its tickets, one per seat: issued in the write that confirms it (never without
    /// it), annulled in the write that cancels it.
    #[serde(default)]
    pub entradas: Vec<Entrada>,
    /// Tickets cancelled alone whose refund or seat is still to settle (recovery finishes
    /// them): see `saga::cancelacion_entrada`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anulaciones: Vec<AnulacionEntrada>,
    /// Tickets handed to someone else, oldest first: see `saga::transferencia`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transferencias: Vec<Transferencia>,
    /// Optimistic concurrency: each write expects the version it read.
    pub version: u64,
}

impl Reserva {
    /// The buyer, whom ValidadorDatos names before any side effect: every stored
    /// reservation has one. A missing one is a broken invariant, never a guest.
    pub fn comprador(&self) -> Result<UsuarioId, eventflow_shared::ApiError> {
        self.usuario_id.clone().ok_or_else(|| {
            eventflow_shared::ApiError::internal(format!("reservation {} has no buyer", self.id))
        })
    }

    pub fn nueva(
        id: ReservaId,
        evento_id: EventoId,
        cantidad: u32,
        correlation_id: String,
    ) -> Self {
        let ahora = eventflow_shared::now();
        Self {
            id,
            estado: Estado::EnCurso,
            progreso: Progreso::Validada,
            usuario_id: None,
            evento_id,
            zona: None,
            cantidad,
            precio_unitario: None,
            total: None,
            pago: None,
            creada_en: ahora,
            actualizada_en: ahora,
            pasos: Vec::new(),
            fallo: None,
            compensaciones: Vec::new(),
            correlation_id,
            eventos: Vec::new(),
            outbox: Vec::new(),
            lease: None,
            secreto_hash: None,
            secreto_version: 0,
            origen: None,
            confirmada_en: None,
            entradas: Vec::new(),
            anulaciones: Vec::new(),
            transferencias: Vec::new(),
            version: 0,
        }
    }

    /// Appends to the log. The caller then persists the reservation in one write.
    pub fn registrar(&mut self, suceso: Suceso) {
        let en = eventflow_shared::now();
        let (tipo, datos) = suceso.partes();
        self.eventos.push(EventoReserva {
            seq: self.eventos.len() as u32 + 1,
            tipo,
            datos,
            en,
        });
        self.actualizada_en = en;
    }

    /// Issues its tickets, one per seat, unless it has them: done by the write that
    /// confirms it, whichever run (the live one, or recovery) makes that write.
    pub fn emitir_entradas(&mut self) {
        if self.entradas.is_empty() {
            self.entradas = (0..self.cantidad)
                .map(|_| Entrada::nueva(self.zona.clone()))
                .collect();
        }
    }

    /// Annuls every ticket that still lets someone in.
    pub fn anular_entradas(&mut self, motivo: MotivoAnulacion) {
        for e in &mut self.entradas {
            e.anular(motivo);
        }
    }

    /// Whether the log has an entry of this kind about ticket `codigo`.
    pub fn tiene_de(&self, tipo: TipoSuceso, codigo: &str) -> bool {
        self.eventos
            .iter()
            .any(|e| e.tipo == tipo.as_str() && e.datos["codigo"] == codigo)
    }

    /// Its tickets that still let someone in, or did: VALIDA or USADA.
    pub fn entradas_vigentes(&self) -> usize {
        self.entradas
            .iter()
            .filter(|e| e.estado != EstadoEntrada::Anulada)
            .count()
    }

    /// Its VALIDA tickets.
    pub fn entradas_validas(&self) -> usize {
        self.entradas
            .iter()
            .filter(|e| e.estado == EstadoEntrada::Valida)
            .count()
    }

    /// Whether `instancia` may act on it now: it holds the lease, or nobody does.
    pub fn libre_para(&self, instancia: &str, ahora: DateTime<Utc>) -> bool {
        self.lease
            .as_ref()
            .is_none_or(|l| l.instancia == instancia || l.hasta <= ahora)
    }

    /// Whether the log has an entry of this kind.
    pub fn tiene(&self, tipo: TipoSuceso) -> bool {
        self.eventos.iter().any(|e| e.tipo == tipo.as_str())
    }

    /// The reservation as its confirming write left it, for a sold one (CONFIRMADA, or
    /// cancelled since): what the answer to the confirming request showed. A later
    /// cancellation changed the state, the payment's state, its tickets' state and the
    /// time of the last change, and nothing else that answer shows. `None` if it was
    /// never sold.
    pub fn como_se_confirmo(&self) -> Option<Reserva> {
        if !matches!(
            self.estado,
            Estado::Confirmada | Estado::Cancelando | Estado::Cancelada
        ) {
            return None;
        }
        let mut r = self.clone();
        r.estado = Estado::Confirmada;
        if let Some(p) = r.pago.as_mut() {
            p.estado = EstadoPago::Aprobado;
        }
        // Every ticket was valid when it was issued, in that write; those issued later
        // to a new holder (a transfer) were not there.
        r.entradas
            .retain(|e| !self.transferencias.iter().any(|t| t.nueva == e.codigo));
        r.anulaciones.clear();
        r.transferencias.clear();
        for e in &mut r.entradas {
            e.estado = EstadoEntrada::Valida;
            e.motivo = None;
            e.anulada_en = None;
        }
        // Older reservations lack the write's own time: their log's confirmation is
        // within a moment of it.
        r.actualizada_en = self.confirmada_en.unwrap_or_else(|| {
            self.eventos
                .iter()
                .find(|e| e.tipo == TipoSuceso::ReservaConfirmada.as_str())
                .map_or(self.actualizada_en, |e| e.en)
        });
        Some(r)
    }
}
