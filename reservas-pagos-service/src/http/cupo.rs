//! The per-IP allowance of checkouts without a session: an extractor that runs before
//! the body is read, so a flood of guest checkouts from one address, well formed or
//! not, is turned away with 429 before it reaches the SAGA.

use axum::extract::FromRequestParts;
use axum::http::{request::Parts, StatusCode};
use eventflow_shared::identidad::{ip_cliente, Llamante};
use eventflow_shared::ApiError;

use super::AppState;

/// Counted against the caller's IP when it has no session; signed-in buyers (held by
/// their checkout lock and `max_por_comprador`) and the admin are not. Carries that IP
/// for a guest, `None` for anyone signed in.
pub struct CupoAnonimo(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for CupoAnonimo {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        if Llamante::from_request_parts(parts, st).await? != Llamante::Anonimo {
            return Ok(Self(None));
        }
        let ip = ip_cliente(parts);
        st.anonimas.tomar(&ip).map_err(|s| {
            st.deps.metricas.saga("limitada");
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "demasiadas-reservas",
                "Demasiadas reservas",
                format!(
                    "Demasiadas compras sin cuenta desde tu conexión; espera {s} s o inicia sesión"
                ),
            )
            .retry_after(s)
        })?;
        Ok(Self(Some(ip)))
    }
}
