//! Bearer-token checks for organizer and service credentials, compared in constant time.

use axum::http::{header, HeaderMap};

use crate::error::ApiError;

/// Compares without an early exit (RustCrypto's `subtle`), so response timing does not
/// reveal how much of a guessed token was right. Only the length can leak, which tokens
/// do not keep secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Checks `Authorization: Bearer <expected>`. `realm` names the credential in the error.
pub fn require_bearer(headers: &HeaderMap, expected: &str, realm: &str) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(token)
            if !expected.is_empty() && constant_time_eq(token.as_bytes(), expected.as_bytes()) =>
        {
            Ok(())
        }
        Some(_) => Err(ApiError::unauthorized(format!(
            "Credencial de {realm} inválida"
        ))),
        None => Err(ApiError::unauthorized(format!(
            "Falta la credencial de {realm}: 'Authorization: Bearer <token>'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accepts_only_the_exact_token() {
        let mut h = HeaderMap::new();
        assert!(require_bearer(&h, "secreto", "organizador").is_err());
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer secret"),
        );
        assert!(require_bearer(&h, "secreto", "organizador").is_err());
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer secreto"),
        );
        assert!(require_bearer(&h, "secreto", "organizador").is_ok());
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("secreto"));
        assert!(require_bearer(&h, "secreto", "organizador").is_err());
        // An empty configured token must never match an empty presented one.
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert!(require_bearer(&h, "", "organizador").is_err());
    }

    #[test]
    fn prefixes_empty_and_extended_tokens_fail() {
        let expected = "eventflow-dev-service";
        let check = |auth: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
            require_bearer(&h, expected, "servicio")
        };
        // Every proper prefix, the empty token included, is refused...
        for n in 0..expected.len() {
            let err = check(&format!("Bearer {}", &expected[..n]))
                .expect_err("a prefix of the token must not pass");
            assert_eq!(err.status, axum::http::StatusCode::UNAUTHORIZED);
        }
        // ...and so are the token with more after it, and a bare "Bearer".
        assert!(check(&format!("Bearer {expected}x")).is_err());
        assert!(check(&format!("Bearer {expected}{expected}")).is_err());
        assert!(check("Bearer").is_err());
        assert!(check("Bearer ").is_err());
        assert!(check(&format!("Bearer {expected}")).is_ok());
        assert!(!constant_time_eq(b"", expected.as_bytes()));
        assert!(!constant_time_eq(
            &expected.as_bytes()[..3],
            expected.as_bytes()
        ));
    }

    #[test]
    fn constant_time_eq_matches_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}

/// Which credential a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Realm {
    /// `EVENTFLOW_ADMIN_TOKEN`: organizer writes.
    Organizador,
    /// `EVENTFLOW_SERVICE_TOKEN`: service-to-service `/internal/*` routes.
    Servicio,
}

/// Implemented by a service's state to hand the extractors their expected tokens.
pub trait Tokens {
    fn token(&self, realm: Realm) -> &str;
}

/// Extractor proving the caller is an organizer. As an extractor it runs before the body
/// is read, so an anonymous caller gets 401 whatever it sent.
pub struct Organizador;

/// Extractor proving the caller is another EventFlow service.
pub struct Servicio;

impl<S: Tokens + Send + Sync> axum::extract::FromRequestParts<S> for Organizador {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        require_bearer(
            &parts.headers,
            state.token(Realm::Organizador),
            "organizador",
        )?;
        Ok(Self)
    }
}

impl<S: Tokens + Send + Sync> axum::extract::FromRequestParts<S> for Servicio {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        require_bearer(&parts.headers, state.token(Realm::Servicio), "servicio")?;
        Ok(Self)
    }
}
