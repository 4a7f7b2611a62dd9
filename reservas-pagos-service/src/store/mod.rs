//! Store ports of reservas-pagos: reservations (projection + log), payments, and
//! idempotency keys; and the function that picks their adapters.

pub mod claves;
pub mod limites;
mod memory;
mod mongo;
pub mod reembolsos;

#[cfg(test)]
pub(crate) use memory::MemoryStore;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use eventflow_shared::config::StoreConfig;
use eventflow_shared::ids::EventoId;
use serde::{Deserialize, Serialize};

use crate::domain::Reserva;

pub use eventflow_shared::store::StoreError;

/// Reservations.
///
/// Contract (checked against every adapter by `tests/store_contract.rs`):
/// - `crear` stores a new reservation at version 1; creating an existing id is an error.
/// - `guardar` writes `r` only if the stored version is `r.version`, then bumps it; it
///   returns `false` (and writes nothing) when someone else wrote first.
/// - `abandonadas` lists reservations in `EN_CURSO` or `CANCELANDO`, or with a ticket
///   cancelled alone still to settle (`anulaciones`), not written since `antes_de`: the
///   ones recovery must finish.
/// - `del_comprador` lists every reservation of `usuario_id` for `evento_id`.
/// - `por_evento` lists every reservation of `evento_id`; `eventos` every event id that
///   has a reservation.
/// - `descartar` deletes `r` only if the stored version is still `r.version` (nobody
///   else wrote it since); deleting what is not there is fine.
#[async_trait]
pub trait ReservaStore: eventflow_shared::outbox::FuenteOutbox + Send + Sync {
    async fn crear(&self, r: &mut Reserva) -> Result<(), StoreError>;
    async fn guardar(&self, r: &mut Reserva) -> Result<bool, StoreError>;
    async fn get(&self, id: &str) -> Result<Option<Reserva>, StoreError>;
    async fn por_usuario(
        &self,
        usuario_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Reserva>, u64), StoreError>;
    async fn abandonadas(&self, antes_de: DateTime<Utc>) -> Result<Vec<Reserva>, StoreError>;
    async fn descartar(&self, r: &Reserva) -> Result<(), StoreError>;
    async fn por_evento(&self, evento_id: &str) -> Result<Vec<Reserva>, StoreError>;
    async fn eventos(&self) -> Result<Vec<EventoId>, StoreError>;
    async fn del_comprador(
        &self,
        usuario_id: &str,
        evento_id: &str,
    ) -> Result<Vec<Reserva>, StoreError>;
    /// The reservation holding ticket `codigo` (canonical form), if any.
    async fn por_codigo(&self, codigo: &str) -> Result<Option<Reserva>, StoreError>;
    /// Admits ticket `codigo` of `evento_id`: in one conditional write, a VALIDA ticket
    /// of a CONFIRMADA reservation becomes USADA (with `usada_en` and `puerta`) and the
    /// reservation's version is bumped, so a concurrent version-guarded write (a cancel)
    /// fails and re-reads instead of overwriting the admission. Returns the reservation
    /// as written; `None` (nothing written) when the ticket is not there or no longer
    /// VALIDA or its reservation not CONFIRMADA: of concurrent admissions of one ticket
    /// exactly one gets `Some`.
    ///
    /// `nonce`, the scan's own id, is stored with the admission in that same write.
    async fn admitir(
        &self,
        evento_id: &str,
        codigo: &str,
        puerta: Option<&str>,
        nonce: Option<&str>,
        cuando: DateTime<Utc>,
    ) -> Result<Option<Reserva>, StoreError>;
    /// The tickets of `evento_id`'s reservations, for the door's offline list, in one
    /// query: all of them, or (`desde`) those of reservations written after that
    /// `cambio`. Every write of a reservation stamps it with `cambio`, its time in
    /// milliseconds.
    async fn entradas_del_evento(
        &self,
        evento_id: &str,
        desde: Option<i64>,
    ) -> Result<Vec<EntradasDeReserva>, StoreError>;
    /// The reservations of `evento_id` with a ticket that let someone in more than once
    /// (a forced admission), in one query.
    async fn con_forzados(&self, evento_id: &str) -> Result<Vec<Reserva>, StoreError>;
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<(), String>;
}

pub use crate::domain::EstadoPago;

/// One reservation's tickets, as the door's list reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct EntradasDeReserva {
    /// A VALIDA ticket of a reservation no longer CONFIRMADA lets nobody in: its
    /// cancellation has begun.
    pub confirmada: bool,
    pub entradas: Vec<crate::domain::Entrada>,
}

/// The `cambio` stamp of a write made now.
pub fn cambio_ahora() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A charge at the simulated provider, one per reservation at most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pago {
    pub id: String,
    pub reserva_id: String,
    pub monto: i64,
    pub estado: EstadoPago,
    pub motivo: Option<String>,
    pub ultimos4: String,
    pub creado_en: DateTime<Utc>,
}

/// The simulated provider's ledger.
///
/// Contract: `registrar` stores the first charge for a reservation and returns it; any
/// later call returns that same stored charge unchanged (never a second charge).
/// `reembolsar` moves APROBADO to REEMBOLSADO once and returns the current record.
#[async_trait]
pub trait PagoStore: Send + Sync {
    async fn registrar(&self, pago: &Pago) -> Result<Pago, StoreError>;
    async fn reembolsar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError>;
    async fn get(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError>;
}

/// What an `Idempotency-Key` has seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clave {
    /// First use: the caller now owns it.
    Nueva,
    EnCurso {
        hash: String,
        reserva_id: String,
        desde: DateTime<Utc>,
    },
    Completa {
        hash: String,
        status: u16,
        body: String,
    },
}

/// Idempotency keys. Contract: of concurrent `tomar` calls with one key exactly one gets
/// `Nueva`; the rest see the stored state.
#[async_trait]
pub trait IdempotenciaStore: Send + Sync {
    async fn tomar(&self, clave: &str, hash: &str, reserva_id: &str) -> Result<Clave, StoreError>;
    async fn completar(&self, clave: &str, status: u16, body: &str) -> Result<(), StoreError>;
    /// Forgets a key still `EN_CURSO`, so a retry after a transient failure runs again.
    async fn soltar(&self, clave: &str) -> Result<(), StoreError>;
}

pub struct Stores {
    pub reservas: Arc<dyn ReservaStore>,
    pub pagos: Arc<dyn PagoStore>,
    pub idempotencia: Arc<dyn IdempotenciaStore>,
    pub claves: Arc<dyn claves::ClaveStore>,
    /// Rate-limit counters every instance shares (re-sending links).
    pub contadores: Arc<dyn limites::ContadorStore>,
    pub reembolsos: Arc<dyn reembolsos::ReembolsoStore>,
}

pub async fn from_config(cfg: &StoreConfig) -> anyhow::Result<Stores> {
    Ok(match cfg {
        StoreConfig::Embedded => {
            let m = Arc::new(memory::MemoryStore::default());
            Stores {
                reservas: m.clone(),
                pagos: m.clone(),
                idempotencia: m,
                claves: Arc::new(claves::MemoryClaves::default()),
                contadores: Arc::new(limites::MemoryContadores::default()),
                reembolsos: Arc::new(reembolsos::MemoryReembolsos::default()),
            }
        }
        StoreConfig::Mongo { uri, database } => {
            let db = eventflow_shared::mongo::connect(uri.expose(), database).await?;
            let claves = Arc::new(claves::MongoClaves::new(&db));
            let contadores = Arc::new(limites::MongoContadores::new(&db).await?);
            let reembolsos = Arc::new(reembolsos::MongoReembolsos::new(&db).await?);
            let m = Arc::new(mongo::MongoStore::new(db).await?);
            Stores {
                claves,
                contadores,
                reembolsos,
                reservas: m.clone(),
                pagos: m.clone(),
                idempotencia: m,
            }
        }
    })
}
