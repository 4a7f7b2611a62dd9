//! Passwords: what is acceptable, and argon2id hashing off the async runtime.
//!
//! Rules: 10 to 128 characters; not one of the 10,000 most common passwords
//! (`contrasenas_comunes.txt`, from zxcvbn 4.4.2, MIT, compared lower-cased); not one
//! character repeated (`aaaaaaaaaa`, ten spaces), nor blank; and not containing the
//! account's email local part (case-insensitive, when it has 3 or more characters), the
//! first thing a guesser who knows the email tries. The length cap is checked before any
//! hashing, so a 1 MB "password" costs a length check, not seconds of argon2.
//!
//! Hashing is bounded: each argon2id hash holds about 19 MiB for its duration, so
//! `Contrasenas` lets at most `simultaneos` run at once and answers any more at once
//! with 503 `sobrecarga` (a try, never a queue): memory stays bounded under a flood.
//!
//! `Contrasenas` also keeps a dummy hash: signing in with an unknown email verifies
//! against it, so an unknown email and a wrong password cost the same argon2 work and
//! answer in the same time. `verificaciones()` counts every verification, which is how
//! the tests prove both paths do one.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::http::StatusCode;
use eventflow_shared::ApiError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const MIN_CARACTERES: usize = 10;
pub const MAX_CARACTERES: usize = 128;

fn comunes() -> &'static HashSet<&'static str> {
    static LISTA: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LISTA.get_or_init(|| include_str!("contrasenas_comunes.txt").lines().collect())
}

/// A password that passed the rules. Never `Debug`-printed, never serialised.
pub struct Contrasena(String);

impl Contrasena {
    /// `raw` as the password of the account whose email is `email` (as typed: only its
    /// local part is compared).
    pub fn parse(raw: &str, email: &str) -> Result<Self, &'static str> {
        // Bytes first: a cheap bound before counting characters of a huge input.
        if raw.len() > MAX_CARACTERES * 4 || raw.chars().count() > MAX_CARACTERES {
            return Err("es demasiado larga (máximo 128 caracteres)");
        }
        if raw.chars().count() < MIN_CARACTERES {
            return Err("es demasiado corta (mínimo 10 caracteres)");
        }
        if raw.chars().any(char::is_control) {
            return Err("contiene caracteres de control");
        }
        if raw.trim().is_empty() {
            return Err("no puede ser solo espacios");
        }
        let mut chars = raw.chars();
        let primero = chars.next();
        if chars.all(|c| Some(c) == primero) {
            return Err("no puede ser un mismo carácter repetido");
        }
        let minusculas = raw.to_lowercase();
        if comunes().contains(minusculas.as_str()) {
            return Err("es una de las contraseñas más usadas; elige otra");
        }
        let local = email
            .split('@')
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        if local.chars().count() >= 3 && minusculas.contains(&local) {
            return Err("no puede contener tu email (la parte antes de la @)");
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Contrasena {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Contrasena(***)")
    }
}

/// Hashes run at once by default: about 19 MiB each, so 4 add some 80 MiB to a process
/// that idles near 20 MiB, and a flood of registrations or sign-ins stays well under
/// 256 MiB resident (`USUARIOS_HASHES_SIMULTANEOS`; the test `inundacion` measures it).
/// On 2 cores more than a few would only wait for CPU anyway.
pub const HASHES_SIMULTANEOS: usize = 4;

/// Hashes and verifies on the blocking pool: argon2id takes tens of milliseconds of CPU
/// and holds about 19 MiB, so at most `simultaneos` run at once.
pub struct Contrasenas {
    dummy: String,
    verificaciones: AtomicU64,
    cupo: Arc<Semaphore>,
}

impl Default for Contrasenas {
    fn default() -> Self {
        Self::new(HASHES_SIMULTANEOS)
    }
}

/// 503 `sobrecarga`: every hashing slot is busy. Answered at once, so a flood of
/// requests costs a refusal each, not memory or a growing queue.
pub fn sobrecarga() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "sobrecarga",
        "Servicio ocupado",
        "Hay demasiadas contraseñas procesándose en este momento; vuelve a probar en un segundo",
    )
    .retry_after(1)
}

fn hash_sync(password: &str) -> String {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16-byte salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2id with default parameters")
        .to_string()
}

fn verify_sync(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

impl Contrasenas {
    /// At most `simultaneos` (at least 1) hashes or verifications at once.
    pub fn new(simultaneos: usize) -> Self {
        let azar = eventflow_shared::identidad::nuevo_token();
        Self {
            dummy: hash_sync(&azar),
            verificaciones: AtomicU64::new(0),
            cupo: Arc::new(Semaphore::new(simultaneos.max(1))),
        }
    }

    /// A hashing slot now, or 503 `sobrecarga`. The permit moves into the blocking task,
    /// so a client that hangs up does not free the slot before argon2 is done.
    fn turno(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.cupo.clone().try_acquire_owned().map_err(|_| {
            tracing::warn!("password hashing at capacity: 503");
            sobrecarga()
        })
    }

    pub async fn hash(&self, c: &Contrasena) -> Result<String, ApiError> {
        let turno = self.turno()?;
        let p = c.0.clone();
        tokio::task::spawn_blocking(move || {
            let h = hash_sync(&p);
            drop(turno);
            h
        })
        .await
        .map_err(|e| ApiError::internal(e.to_string()))
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is no
    /// account (`None`), so both cost the same. `false` in that case whatever the input;
    /// 503 `sobrecarga` when every slot is busy (for both, again).
    pub async fn verificar(
        self: &Arc<Self>,
        password: &str,
        hash: Option<&str>,
    ) -> Result<bool, ApiError> {
        let turno = self.turno()?;
        self.verificaciones.fetch_add(1, Ordering::Relaxed);
        let real = hash.is_some();
        let h = hash.unwrap_or(&self.dummy).to_owned();
        let p = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            let ok = verify_sync(&p, &h);
            drop(turno);
            ok
        })
        .await
        .unwrap_or(false);
        Ok(ok && real)
    }

    /// How many verifications this instance has run.
    pub fn verificaciones(&self) -> u64 {
        self.verificaciones.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMAIL: &str = "ana.quispe@example.com";

    #[test]
    fn rules() {
        let parse = |p: &str| Contrasena::parse(p, EMAIL);
        assert!(parse("corta").is_err());
        assert!(parse("1234567890").is_err(), "common");
        assert!(parse("Password123").is_err(), "common, any case");
        assert!(parse(&"x".repeat(129)).is_err());
        assert!(parse(&"x".repeat(1 << 20)).is_err());
        assert!(parse("caballo-bateria-grapa").is_ok());
        assert_eq!(comunes().len(), 10_000);
        assert_eq!(
            format!("{:?}", parse("caballo-bateria-grapa").unwrap()),
            "Contrasena(***)"
        );
    }

    #[test]
    fn refuses_repeats_blanks_and_the_email() {
        let parse = |p: &str, e: &str| Contrasena::parse(p, e).map(|_| ()).unwrap_err();
        assert_eq!(
            parse("aaaaaaaaaa", EMAIL),
            "no puede ser un mismo carácter repetido"
        );
        assert_eq!(
            parse("ññññññññññññ", EMAIL),
            "no puede ser un mismo carácter repetido"
        );
        assert_eq!(parse(&" ".repeat(10), EMAIL), "no puede ser solo espacios");
        assert_eq!(
            parse(" \u{3000} \u{a0}      ", EMAIL),
            "no puede ser solo espacios"
        );
        let tuyo = "no puede contener tu email (la parte antes de la @)";
        assert_eq!(parse("ana.quispe2024", EMAIL), tuyo);
        assert_eq!(parse("x-ANA.Quispe-x", EMAIL), tuyo, "any case");
        assert_eq!(parse("mi-ana.quispe@example.com", EMAIL), tuyo);
        assert_eq!(parse("joséramírez-99", "JOSÉRAMÍREZ@example.com"), tuyo);
        // Short local parts would refuse half the dictionary: only 3+ characters count.
        assert!(Contrasena::parse("caballo-de-al-lado", "al@example.com").is_ok());
        assert!(Contrasena::parse("caballo-de-ana-lado", "ana@example.com").is_err());
        // Not all one character: fine.
        assert!(Contrasena::parse("aaaaaaaaab-z", EMAIL).is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_pass() {
        let c = Arc::new(Contrasenas::default());
        let p = Contrasena::parse("caballo-bateria-grapa", EMAIL).unwrap();
        let h = c.hash(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(c
            .verificar("caballo-bateria-grapa", Some(&h))
            .await
            .unwrap());
        assert!(!c
            .verificar("caballo-bateria-grapo", Some(&h))
            .await
            .unwrap());
        assert!(!c.verificar("caballo-bateria-grapa", None).await.unwrap());
        assert_eq!(c.verificaciones(), 3);
    }

    /// Past the slots, the answer is an immediate 503, and the slots come back.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn past_the_slots_is_503_at_once() {
        let c = Arc::new(Contrasenas::new(2));
        let p = Arc::new(Contrasena::parse("caballo-bateria-grapa", EMAIL).unwrap());
        let tareas: Vec<_> = (0..20)
            .map(|_| {
                let (c, p) = (c.clone(), p.clone());
                tokio::spawn(async move { c.hash(&p).await })
            })
            .collect();
        let (mut ok, mut ocupado) = (0, 0);
        for t in tareas {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert_eq!(e.body()["type"], "urn:eventflow:problem:sobrecarga");
                    ocupado += 1;
                }
            }
        }
        assert!(ok >= 2 && ocupado >= 1, "{ok} hashed, {ocupado} refused");
        assert_eq!(c.cupo.available_permits(), 2);
        assert!(c.hash(&p).await.is_ok());
    }
}
