//! Sign-in rate limits, per email and per client IP, with `governor`'s keyed GCRA.
//!
//! Every attempt counts, right or wrong: counting only failures would need a lookup
//! before the check, and a correct password is no reason to let a script hammer a form.
//! The quotas are per minute with a burst of the same size, so a person who mistypes
//! a few times is never stopped, and a guesser gets 10 tries a minute per account.

use std::net::IpAddr;
use std::num::NonZeroU32;

use axum::http::StatusCode;
use eventflow_shared::ApiError;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::config::LimitesSesion;

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

pub struct Limites {
    por_email: Keyed<String>,
    por_ip: Keyed<IpAddr>,
}

fn quota(por_minuto: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(por_minuto).unwrap_or(NonZeroU32::MIN))
}

/// Past this many tracked keys, forget the ones whose allowance is full again: a flood
/// of made-up emails must not grow memory without bound.
const MAX_CLAVES: usize = 100_000;

impl Limites {
    pub fn new(l: LimitesSesion) -> Self {
        Self {
            por_email: RateLimiter::keyed(quota(l.por_email)),
            por_ip: RateLimiter::keyed(quota(l.por_ip)),
        }
    }

    /// One sign-in attempt for `email` from `ip`: `Err(429)` with `Retry-After` when
    /// either has used its allowance.
    pub fn intento(&self, email: &str, ip: IpAddr) -> Result<(), ApiError> {
        if self.por_email.len() > MAX_CLAVES {
            self.por_email.retain_recent();
        }
        if self.por_ip.len() > MAX_CLAVES {
            self.por_ip.retain_recent();
        }
        let espera = |n: governor::NotUntil<_>| {
            n.wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        };
        let por_ip = self.por_ip.check_key(&ip).map_err(espera);
        let por_email = self.por_email.check_key(&email.to_owned()).map_err(espera);
        match (por_ip, por_email) {
            (Ok(()), Ok(())) => Ok(()),
            (Err(s), _) | (_, Err(s)) => Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "demasiados-intentos",
                "Demasiados intentos",
                format!("Demasiados intentos de inicio de sesión; espera {s} s y vuelve a probar"),
            )
            .retry_after(s)),
        }
    }
}
