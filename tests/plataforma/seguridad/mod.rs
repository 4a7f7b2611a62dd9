//! Security around the APIs rather than inside one: the security headers of every
//! service's answers, no secret in any process's log, and each service's own credential
//! required at start-up.

mod cabeceras;
mod credenciales;
mod logs;
