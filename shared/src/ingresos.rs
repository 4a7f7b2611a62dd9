//! Tickets at the door, as a contract between reservas-pagos (which owns tickets, their
//! signing keys and admissions) and eventos (where the organizer manages the event and
//! which asks reservas on their behalf): one typed shape for both ends, as `cuadre`.
//!
//! Deviations from the issue-28 brief, for the scanner UI: a `Forzado` also has `motivo`
//! (`ya-usada` or `anulada`) and its `primera` is `null` when the ticket was annulled
//! after the scan and never used; `Rechazado.motivo` may also be `nonce-invalido`;
//! `Conflictos` also names `evento_id`; an uploaded scan earlier than the stored
//! admission counts in `aceptados` and the admission it displaced is listed in
//! `forzados` (with `nonce: null` when that was an online scan without one); a batch of
//! more than 500 scans is 413 `lote-demasiado-grande`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EstadoClave {
    /// Signs the tickets rendered now.
    Activa,
    /// Signs nothing new; the tickets it signed stay valid while it is listed.
    Retirada,
}

/// An event's public signing key: what a scanner needs to verify a ticket offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClavePublica {
    /// Named by each payload it signed.
    #[schema(example = "7K2QX9M4")]
    pub kid: String,
    /// Ed25519, 32 bytes in base64url without padding.
    #[schema(example = "m3y0o1Jc8Vb2s0q8WnKp0cQ5dF2E7Zr8a1bT6uHcYkA")]
    pub publica: String,
    pub estado: EstadoClave,
    pub creada_en: DateTime<Utc>,
}

/// `GET /api/eventos/{id}/claves`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClavesEvento {
    pub evento_id: String,
    /// Oldest first; exactly one `ACTIVA`.
    pub claves: Vec<ClavePublica>,
}

/// `POST /api/eventos/{id}/ingresos`: a scanned QR or a typed code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PedidoIngreso {
    /// The code as typed (spaces, dashes and case do not matter).
    #[serde(default)]
    #[schema(example = "7K2Q-X9M4-TB")]
    pub codigo: Option<String>,
    /// The QR's signed payload (`EF1.…`); checked against the event's keys.
    #[serde(default)]
    pub qr: Option<String>,
    #[serde(default)]
    #[schema(example = "Puerta 2")]
    pub puerta: Option<String>,
    /// The scan's own id (8 to 64 visible characters), chosen by the scanner: the same
    /// scan sent again (its answer lost on the way) is answered 200 again, never
    /// `ya-usada`. Stored with the admission, in the same write.
    #[serde(default)]
    #[schema(example = "b7e1c0de-5a4f-4f7a-9e1e-3c2d1f0a9b8c")]
    pub nonce: Option<String>,
}

/// A scan's nonce: 8 to 64 visible ASCII characters (a UUID, a counter with the gate's
/// name…). `Err` with the reason in Spanish.
pub fn nonce_valido(n: &str) -> Result<(), &'static str> {
    if !(8..=64).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("El nonce debe tener de 8 a 64 caracteres visibles, sin espacios");
    }
    Ok(())
}

/// A ticket let in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Admision {
    /// Always `true` here; a refusal is a problem with `admitido: false`.
    pub admitido: bool,
    /// The ticket's code.
    #[schema(example = "7K2QX9M4TB")]
    pub entrada: String,
    pub zona: Option<String>,
    pub titular: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IngresosZona {
    pub zona: Option<String>,
    pub admitidas: u64,
    pub esperadas: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IngresosPuerta {
    /// `null`: admitted without naming a gate.
    pub puerta: Option<String>,
    pub admitidas: u64,
}

/// `GET /api/eventos/{id}/ingresos/resumen`: who is in, of those who may come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResumenIngresos {
    pub evento_id: String,
    /// Tickets used.
    pub admitidas: u64,
    /// Tickets that let someone in: valid or used (not annulled).
    pub esperadas: u64,
    pub por_zona: Vec<IngresosZona>,
    pub por_puerta: Vec<IngresosPuerta>,
}

/// Most scans in one `POST …/ingresos/lote`.
pub const MAX_LOTE: usize = 500;

/// The largest body of a batch upload: 500 scans with their signed QR fit.
pub const LIMITE_CUERPO_LOTE: usize = 512 * 1024;

/// A ticket's state as the scanner's list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EstadoEnLista {
    Valida,
    Usada,
    /// Also in `revocadas`: refuse it.
    Anulada,
}

/// One ticket in the scanner's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EntradaEnLista {
    #[schema(example = "7K2QX9M4TB")]
    pub codigo: String,
    pub zona: Option<String>,
    pub titular: Option<String>,
    pub estado: EstadoEnLista,
}

/// `GET /api/eventos/{id}/ingresos/lista[?desde=<version>]`: what a scanner needs to
/// work with no network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ListaIngresos {
    pub evento_id: String,
    /// Send it back as `desde` for the changes after this answer. Increases over time (it
    /// is a time in milliseconds, a little behind the reading so that a write still
    /// landing is sent again, never missed); a ticket may come twice, never zero times.
    pub version: i64,
    /// `true`: every ticket of the event (no `desde`); `false`: only those changed since.
    pub completa: bool,
    pub claves: Vec<ClavePublica>,
    pub entradas: Vec<EntradaEnLista>,
    /// Every `ANULADA` code (of those in this answer): refuse them.
    pub revocadas: Vec<String>,
}

/// `?desde=` of the list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DesdeVersion {
    /// The `version` of an earlier answer: only tickets changed after it.
    pub desde: Option<i64>,
}

/// One scan made offline, waiting in the scanner's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EscaneoOffline {
    /// The scan's id (8 to 64 visible characters): uploading it again changes nothing.
    #[schema(example = "b7e1c0de-5a4f-4f7a-9e1e-3c2d1f0a9b8c")]
    pub nonce: String,
    #[serde(default)]
    #[schema(example = "7K2Q-X9M4-TB")]
    pub codigo: Option<String>,
    /// The QR's signed payload (`EF1.…`).
    #[serde(default)]
    pub qr: Option<String>,
    /// When the gate scanned it (RFC 3339), not when it is uploaded.
    pub escaneado_en: DateTime<Utc>,
    /// This scan's gate; else the batch's.
    #[serde(default)]
    pub puerta: Option<String>,
}

/// `POST /api/eventos/{id}/ingresos/lote`: a scanner's queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoteIngresos {
    /// The gate of every scan that names none.
    #[serde(default)]
    #[schema(example = "Puerta 2")]
    pub puerta: Option<String>,
    /// At most 500.
    pub escaneos: Vec<EscaneoOffline>,
}

/// The admission that counts: the earliest scan of the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrimeraAdmision {
    pub puerta: Option<String>,
    pub usada_en: DateTime<Utc>,
}

/// A scan that let someone in although the ticket had already let someone in (or had
/// been annulled after the scan): staff should look.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Forzado {
    pub codigo: String,
    /// The forced scan's nonce (`null`: an online admission displaced by an earlier
    /// offline scan).
    pub nonce: Option<String>,
    pub puerta: Option<String>,
    pub escaneado_en: DateTime<Utc>,
    /// The admission that counts; `null` when the ticket was annulled after this scan
    /// and never used.
    pub primera: Option<PrimeraAdmision>,
    /// `ya-usada` or `anulada`.
    #[schema(example = "ya-usada")]
    pub motivo: String,
}

/// A scan that let nobody in, for the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Rechazado {
    pub nonce: String,
    pub codigo: Option<String>,
    /// `anulada`, `no-existe`, `firma-invalida`, `otro-evento` or `nonce-invalido`.
    #[schema(example = "anulada")]
    pub motivo: String,
}

/// The answer to a batch upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultadoLote {
    /// Scans now stored as their ticket's admission.
    pub aceptados: u64,
    /// Scans already stored (the same nonce): nothing changed.
    pub repetidos: u64,
    /// Admissions twice: the later scan of each, with the earliest (which counts). An
    /// uploaded scan earlier than the stored admission takes its place (counted in
    /// `aceptados`), and the displaced one is listed here.
    pub forzados: Vec<Forzado>,
    pub rechazados: Vec<Rechazado>,
}

/// One scan of a ticket admitted more than once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EscaneoRegistrado {
    pub puerta: Option<String>,
    pub escaneado_en: DateTime<Utc>,
    pub nonce: Option<String>,
}

/// A ticket that let more than one person in (or someone in after its annulment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Conflicto {
    pub codigo: String,
    pub zona: Option<String>,
    pub titular: Option<String>,
    /// Every scan that let someone in, the earliest first.
    pub escaneos: Vec<EscaneoRegistrado>,
}

/// `GET /api/eventos/{id}/ingresos/conflictos`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Conflictos {
    pub evento_id: String,
    pub conflictos: Vec<Conflicto>,
}
