//! Security around the APIs rather than inside one: the security headers of every
//! service's answers, and no secret in any process's log.

mod cabeceras;
mod logs;
