//! The usuarios domain: buyers, organizers, passwords and sessions, validated at the boundary.

pub mod codigo;
pub mod contrasena;
mod cuenta;
mod usuario;

pub use codigo::{Canje, Codigo, Proposito};
pub use contrasena::{Contrasena, Contrasenas};
pub use cuenta::{Organizador, Sesion, Staff};
pub use eventflow_shared::email::Email;
pub use usuario::{CambiosUsuario, NuevoUsuario, TipoDocumento, Usuario, TIPOS_DOCUMENTO};
