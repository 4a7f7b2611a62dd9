//! Sign-in rate limits, per email and per client IP, with `governor`'s keyed GCRA.
//!
//! Every attempt counts, right or wrong: counting only failures would need a lookup
//! before the check, and a correct password is no reason to let a script hammer a form.
//! The quotas are per minute with a burst of the same size, so a person who mistypes
//! a few times is never stopped, and a guesser gets 10 tries a minute per account.

use std::net::IpAddr;

use axum::http::StatusCode;
use eventflow_shared::limite::PorMinuto;
use eventflow_shared::ApiError;

use crate::config::LimitesSesion;

pub struct Limites {
    por_email: PorMinuto<String>,
    por_ip: PorMinuto<IpAddr>,
    codigos: PorMinuto<String>,
}

impl Limites {
    pub fn new(l: LimitesSesion) -> Self {
        Self {
            por_email: PorMinuto::new(l.por_email),
            por_ip: PorMinuto::new(l.por_ip),
            codigos: PorMinuto::new(l.codigos_por_email),
        }
    }

    /// One sign-in attempt for `email` from `ip`: `Err(429)` with `Retry-After` when
    /// either has used its allowance.
    pub fn intento(&self, email: &str, ip: IpAddr) -> Result<(), ApiError> {
        self.tomar(
            &self.por_email,
            email,
            ip,
            "Demasiados intentos de inicio de sesión",
        )
    }

    /// One one-time code requested for `email` from `ip`: each new code resets the
    /// tries, so codes per email are few (3 a minute), which also spares the inbox.
    pub fn codigo(&self, email: &str, ip: IpAddr) -> Result<(), ApiError> {
        self.tomar(&self.codigos, email, ip, "Ya pediste varios códigos")
    }

    fn tomar(
        &self,
        por_email: &PorMinuto<String>,
        email: &str,
        ip: IpAddr,
        que: &str,
    ) -> Result<(), ApiError> {
        let por_ip = self.por_ip.tomar(&ip);
        let por_email = por_email.tomar(&email.to_owned());
        match (por_ip, por_email) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(s), _) | (_, Err(s)) => Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "demasiados-intentos",
                "Demasiados intentos",
                format!("{que}; espera {s} s y vuelve a probar"),
            )
            .retry_after(s)),
        }
    }
}
