//! Cross-cutting pieces shared by every EventFlow service. No business rules live here.

pub mod auth;
pub mod cache;
pub mod config;
pub mod error;
pub mod extract;
pub mod health;
pub mod http;
pub mod lock;
pub mod mongo;
pub mod telemetry;
pub mod testing;

pub use error::{ApiError, FieldError, Problem};
pub use extract::{ApiJson, ApiQuery};
