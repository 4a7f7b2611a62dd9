//! The caller as the routes that sign in or change an account need it: the client's
//! address, the hash of the session making the change, and ending the other sessions.
//! Apart from `sesiones` and `codigos`, which both use it (and sign-in redeems a code).

use axum::http::request::Parts;
use eventflow_shared::identidad::{self, formato_valido, hash_hex, ip_cliente, Rol};
use eventflow_shared::ApiError;
use uuid::Uuid;

use super::AppState;

/// The client's address, for the per-IP limit.
pub struct Cliente(pub std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Cliente {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(ip_cliente(parts)))
    }
}

/// The SHA-256 of the request's bearer token, if it has one: the session that changes
/// an email or a password, which stays signed in while the others end.
pub struct TokenActual(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for TokenActual {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(
            identidad::bearer(parts)
                .ok()
                .flatten()
                .filter(|t| formato_valido(t))
                .map(hash_hex),
        ))
    }
}

/// Ends every session of the buyer `sujeto_id` but the caller's, when `token_hash` is
/// one of hers (the session making a change stays signed in); all of them otherwise (a
/// code-based reset, the admin). `true` when the caller's session stays.
pub async fn revocar_otras(
    state: &AppState,
    sujeto_id: Uuid,
    token_hash: Option<&str>,
) -> Result<bool, ApiError> {
    let propia = match token_hash {
        Some(h) => state
            .sesiones
            .buscar(h)
            .await?
            .filter(|s| s.sujeto_id == sujeto_id && s.rol == Rol::Comprador)
            .map(|_| h),
        None => None,
    };
    match propia {
        Some(h) => state.sesiones.revocar_otras(sujeto_id, h).await?,
        None => state.sesiones.revocar_todas(sujeto_id).await?,
    }
    Ok(propia.is_some())
}
