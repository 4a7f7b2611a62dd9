//! Limits on the routes that hash a password or send a code: per client IP, per
//! (account, client IP) after failed sign-ins, and codes per email.
//!
//! - Per client IP (`governor`'s keyed GCRA, 60 a minute with a burst of the same size):
//!   sign-in, registration with a password, asking for a code, setting a password. One
//!   address hammering many accounts, or flooding registrations, is stopped here.
//! - Per (account, client IP), failures only: after 5 failed sign-ins from one address
//!   for one account, that pair waits 1 s, then 2 s, 4 s… up to 5 minutes; a success
//!   starts it over. A stranger's failures slow the stranger, never the owner at her own
//!   address, which the old per-email limit did (15 wrong tries locked the account).
//! - Per account and day, across addresses: `FalloStore` (durable, see `sesiones.rs`).
//!
//! The back-off lives in this process. With several usuarios instances behind a balancer,
//! a guesser gets each instance's allowance (N instances, N times the tries); the daily
//! cap per account, which is in MongoDB, is what bounds guessing overall.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use eventflow_shared::limite::{PorMinuto, Retroceso};
use eventflow_shared::ApiError;

use crate::config::LimitesSesion;

/// The first wait after the free failures, doubled each failure after.
const RETROCESO_BASE: Duration = Duration::from_secs(1);
/// The longest wait between two tries of one account from one address.
pub const RETROCESO_TOPE: Duration = Duration::from_secs(300);

pub struct Limites {
    por_ip: PorMinuto<IpAddr>,
    codigos: PorMinuto<String>,
    retroceso: Retroceso<(String, IpAddr)>,
    /// Failed sign-ins a day per account before a code is needed too.
    pub fallos_por_dia: u32,
}

fn demasiados(que: &str, s: u64) -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "demasiados-intentos",
        "Demasiados intentos",
        format!("{que}; espera {s} s y vuelve a probar"),
    )
    .retry_after(s)
}

impl Limites {
    pub fn new(l: LimitesSesion) -> Self {
        Self {
            por_ip: PorMinuto::new(l.por_ip),
            codigos: PorMinuto::new(l.codigos_por_email),
            retroceso: Retroceso::new(l.fallos_libres, RETROCESO_BASE, RETROCESO_TOPE),
            fallos_por_dia: l.fallos_por_dia,
        }
    }

    /// One request from `ip` to a route that hashes a password or sends a code.
    pub fn por_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.por_ip
            .tomar(&ip)
            .map_err(|s| demasiados("Demasiadas solicitudes desde tu conexión", s))
    }

    /// One sign-in try of `cuenta` (`rol:email`) from `ip`: the per-IP limit, then the
    /// pair's back-off. The try counts as a failure until [`Limites::exito`].
    pub fn intento(&self, cuenta: &str, ip: IpAddr) -> Result<(), ApiError> {
        self.por_ip(ip)?;
        self.retroceso
            .intento(&(cuenta.to_owned(), ip), Instant::now())
            .map_err(|s| {
                demasiados(
                    "Demasiados intentos fallidos para esa cuenta desde tu conexión",
                    s,
                )
            })
    }

    /// The sign-in of `cuenta` from `ip` succeeded: that pair starts over.
    pub fn exito(&self, cuenta: &str, ip: IpAddr) {
        self.retroceso.exito(&(cuenta.to_owned(), ip));
    }

    /// One one-time code requested for `email` from `ip`: each new code resets the
    /// tries, so codes per email are few (3 a minute), which also spares the inbox.
    pub fn codigo(&self, email: &str, ip: IpAddr) -> Result<(), ApiError> {
        let por_ip = self.por_ip(ip);
        let por_email = self.codigos.tomar(&email.to_owned());
        por_ip?;
        por_email.map_err(|s| demasiados("Ya pediste varios códigos", s))
    }
}
