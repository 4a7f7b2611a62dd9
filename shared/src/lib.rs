//! Cross-cutting pieces shared by every EventFlow service. No business rules live here.

pub mod auth;
/// For [`asignador!`]: the binaries name the allocator through this crate.
pub use mimalloc;
pub mod binario;
pub mod bus;
pub mod cache;
pub mod config;
pub mod cuadre;
pub mod email;
pub mod error;
pub mod extract;
pub mod health;
pub mod http;
pub mod identidad;
pub mod ids;
pub mod ingresos;
pub mod limite;
pub mod lock;
pub mod mongo;
pub mod outbox;
pub mod pagina;
pub mod problemas;
pub mod secreto;
pub mod serde_es;
pub mod store;
pub mod telemetry;
pub mod texto;

pub use error::{ApiError, FieldError, Problem};
pub use extract::{ApiJson, ApiPath, ApiQuery};

/// Now, truncated to milliseconds: the precision MongoDB stores, so a value reads back
/// exactly as it was written, on either backend.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let ms = chrono::Utc::now().timestamp_millis();
    chrono::DateTime::from_timestamp_millis(ms).expect("current time is representable")
}

/// Checks a path id: 1 to 64 letters, digits, `-` or `_`. Anything else (`/`, `..`, `$`,
/// NUL, …) is a 422 naming `campo`, before it can reach a query or a key.
pub fn safe_id<'a>(campo: &str, raw: &'a str) -> Result<&'a str, ApiError> {
    let ok = !raw.is_empty()
        && raw.len() <= 64
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(raw)
    } else {
        Err(ApiError::field(
            campo,
            "debe tener de 1 a 64 letras, dígitos, '-' o '_'",
        ))
    }
}

/// Makes mimalloc the binary's allocator; every EventFlow binary calls it once, at the top
/// of its `main.rs`. Many small, short-lived allocations per request (JSON, BSON,
/// headers) across tokio's worker threads suit mimalloc's per-thread pages better than
/// glibc's arenas: 12-22 % less launcher CPU per confirmation (BENCHMARKS.md).
#[macro_export]
macro_rules! asignador {
    () => {
        #[global_allocator]
        static ASIGNADOR: $crate::mimalloc::MiMalloc = $crate::mimalloc::MiMalloc;
    };
}
