//! The usuarios domain: a buyer's profile, parsed and validated at the boundary.

mod email;
mod usuario;

pub use email::Email;
pub use usuario::{CambiosUsuario, NuevoUsuario, TipoDocumento, Usuario, TIPOS_DOCUMENTO};
