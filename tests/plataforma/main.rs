//! Cross-service tests: the SAGA across usuarios, eventos and reservas-pagos, the fault
//! and recovery tests that start several services, and the notifications end to end.
//!
//! They live in the root package, which links every service, so that no service crate
//! needs another as a dev-dependency (ARCHITECTURE.md; `tests/arquitectura.rs` checks it).
//! One test binary rather than one per file: each would link all four services again.

#[macro_use]
mod comun;
mod notificaciones;
mod reservas;
mod seguridad;
