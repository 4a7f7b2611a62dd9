//! The one error of every service's store ports, and how it reaches a client: a unique
//! rule refused the write (409, the service's own problem), MongoDB did not answer (503
//! `dependencia: mongodb`), or anything else (500, logged, no detail to the client).

use crate::error::ApiError;

/// Which unique rule refused a write, as the client is told: each service declares its
/// own (`usuario-duplicado` on `email`, `evento-duplicado` on the id) next to its stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duplicado {
    /// The problem's `type` slug.
    pub tipo: &'static str,
    /// The problem's `detail`, in Spanish.
    pub detalle: &'static str,
    /// The field the rule is on, told to the client as `campo`, when it is one of theirs.
    pub campo: Option<&'static str>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", .0.detalle)]
    Duplicate(Duplicado),
    #[error("MongoDB no disponible: {0}")]
    Unavailable(String),
    #[error("error del almacén: {0}")]
    Other(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Duplicate(d) => {
                let err = ApiError::conflict(d.tipo, d.detalle);
                match d.campo {
                    Some(campo) => err.with("campo", campo),
                    None => err,
                }
            }
            StoreError::Unavailable(d) => {
                tracing::warn!(error = %d, "mongodb unavailable");
                ApiError::unavailable("mongodb", "El almacén de datos no responde")
            }
            StoreError::Other(d) => ApiError::internal(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;

    #[test]
    fn cada_error_su_problema() {
        const EMAIL: Duplicado = Duplicado {
            tipo: "usuario-duplicado",
            detalle: "Ya existe un usuario registrado con ese email",
            campo: Some("email"),
        };
        let e = ApiError::from(StoreError::Duplicate(EMAIL));
        assert_eq!(e.status, StatusCode::CONFLICT);
        assert_eq!(e.kind, "usuario-duplicado");
        assert_eq!(e.extra["campo"], "email");
        let e = ApiError::from(StoreError::Unavailable("timeout".into()));
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.extra["dependencia"], "mongodb");
        let e = ApiError::from(StoreError::Other("boom".into()));
        assert_eq!(e.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            !e.detail.contains("boom"),
            "no internal detail leaks: {}",
            e.detail
        );
    }
}
