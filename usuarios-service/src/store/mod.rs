//! The usuarios store port and the function that picks its adapter from config.

mod codigos;
mod fallos;
mod memory;
mod mongo;
mod organizadores;
mod sesiones;
mod staff;

use std::sync::Arc;

use async_trait::async_trait;
use eventflow_shared::config::StoreConfig;
use uuid::Uuid;

pub use codigos::{CodigoStore, MemoryCodigoStore, MongoCodigoStore};
pub use fallos::{FalloStore, MemoryFalloStore, MongoFalloStore};
pub use memory::MemoryUsuarioStore;
pub use mongo::MongoUsuarioStore;
pub use organizadores::{MemoryOrganizadorStore, MongoOrganizadorStore, OrganizadorStore};
pub use sesiones::{MemorySesionStore, MongoSesionStore, SesionStore};
pub use staff::{MemoryStaffStore, MongoStaffStore, StaffStore, STAFF_DUPLICADO};

use crate::domain::{CambiosUsuario, Email, Usuario};

pub use eventflow_shared::store::{Duplicado, StoreError};

/// A buyer or organizer with that email exists.
pub const EMAIL_DUPLICADO: Duplicado = Duplicado {
    tipo: "usuario-duplicado",
    detalle: "Ya existe un usuario registrado con ese email",
    campo: Some("email"),
};

/// An organizer with that email exists.
pub const ORGANIZADOR_DUPLICADO: Duplicado = Duplicado {
    tipo: "organizador-duplicado",
    detalle: "Ya existe un organizador con ese email",
    campo: Some("email"),
};

/// A buyer with that document type and number exists.
pub const DOCUMENTO_DUPLICADO: Duplicado = Duplicado {
    tipo: "usuario-duplicado",
    detalle: "Ya existe un usuario registrado con ese tipo y número de documento",
    campo: Some("documento"),
};

/// A page of users in registration order.
pub struct Pagina {
    pub items: Vec<Usuario>,
    pub total: u64,
}

/// Where users live.
///
/// Contract (checked by `tests/store_contract.rs` against every adapter):
/// - `insert` MUST return `Duplicate(EMAIL_DUPLICADO)` when the email is taken and
///   `Duplicate(DOCUMENTO_DUPLICADO)` when the (tipo, nro) pair is, even when the clashing
///   inserts race each other: exactly one of them wins.
/// - `update` MUST apply only the given changes, return `Ok(None)` for an unknown id, and
///   `Duplicate(EMAIL_DUPLICADO)` when the new email belongs to someone else.
/// - `add_compra`/`remove_compra` MUST be idempotent (a set, not a list), and a removed
///   reservation MUST stay removed: `add_compra` of it later adds nothing (the history is
///   written from the bus, where a confirmation can be redelivered after its
///   cancellation). Both return `false` only for an unknown buyer.
/// - `list` MUST order by registration time, then id, so pages never overlap.
#[async_trait]
pub trait UsuarioStore: Send + Sync {
    /// `password_hash` is the argon2id PHC string, or `None` for a guest buyer.
    async fn insert(
        &self,
        usuario: &Usuario,
        password_hash: Option<&str>,
    ) -> Result<(), StoreError>;
    /// The buyer with this email and its password hash, for sign-in.
    async fn credenciales(
        &self,
        email: &Email,
    ) -> Result<Option<(Usuario, Option<String>)>, StoreError>;
    async fn get(&self, id: Uuid) -> Result<Option<Usuario>, StoreError>;
    async fn get_by_email(&self, email: &Email) -> Result<Option<Usuario>, StoreError>;
    async fn list(&self, limit: u32, offset: u32) -> Result<Pagina, StoreError>;
    async fn update(
        &self,
        id: Uuid,
        cambios: &CambiosUsuario,
    ) -> Result<Option<Usuario>, StoreError>;
    /// Sets (or replaces) the password hash; `false` for an unknown id.
    async fn fijar_password(&self, id: Uuid, password_hash: &str) -> Result<bool, StoreError>;
    async fn add_compra(&self, id: Uuid, reserva_id: &str) -> Result<bool, StoreError>;
    async fn remove_compra(&self, id: Uuid, reserva_id: &str) -> Result<bool, StoreError>;
    /// `"mongodb"` or `"embebido"`, for `/ready` and logs.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> Result<(), String>;
}

/// Every store usuarios-service owns, on one backend.
#[derive(Clone)]
pub struct Almacenes {
    pub usuarios: Arc<dyn UsuarioStore>,
    pub organizadores: Arc<dyn OrganizadorStore>,
    /// Door staff, each of one organizer.
    pub staff: Arc<dyn StaffStore>,
    pub sesiones: Arc<dyn SesionStore>,
    pub codigos: Arc<dyn CodigoStore>,
    /// Failed sign-ins per account and day.
    pub fallos: Arc<dyn FalloStore>,
}

/// Picks the adapters. A configured MongoDB that is unreachable fails here, naming the URI.
pub async fn from_config(cfg: &StoreConfig) -> anyhow::Result<Almacenes> {
    Ok(match cfg {
        StoreConfig::Embedded => Almacenes {
            usuarios: Arc::new(MemoryUsuarioStore::default()),
            organizadores: Arc::new(MemoryOrganizadorStore::default()),
            staff: Arc::new(MemoryStaffStore::default()),
            sesiones: Arc::new(MemorySesionStore::default()),
            codigos: Arc::new(MemoryCodigoStore::default()),
            fallos: Arc::new(MemoryFalloStore::default()),
        },
        StoreConfig::Mongo { uri, database } => {
            let db = eventflow_shared::mongo::connect(uri.expose(), database).await?;
            Almacenes {
                usuarios: Arc::new(MongoUsuarioStore::new(db.clone()).await?),
                organizadores: Arc::new(MongoOrganizadorStore::new(&db).await?),
                staff: Arc::new(MongoStaffStore::new(&db).await?),
                sesiones: Arc::new(MongoSesionStore::new(&db).await?),
                codigos: Arc::new(MongoCodigoStore::new(&db).await?),
                fallos: Arc::new(MongoFalloStore::new(&db).await?),
            }
        }
    })
}
