//! Passwords: what is acceptable, and argon2id hashing off the async runtime.
//!
//! Rules: 10 to 128 characters, and not one of the 10,000 most common passwords
//! (`contrasenas_comunes.txt`, from zxcvbn 4.4.2, MIT, compared lower-cased). The length
//! cap is checked before any hashing, so a 1 MB "password" costs a length check, not
//! seconds of argon2.
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
use eventflow_shared::ApiError;

pub const MIN_CARACTERES: usize = 10;
pub const MAX_CARACTERES: usize = 128;

fn comunes() -> &'static HashSet<&'static str> {
    static LISTA: OnceLock<HashSet<&'static str>> = OnceLock::new();
    LISTA.get_or_init(|| include_str!("contrasenas_comunes.txt").lines().collect())
}

/// A password that passed the rules. Never `Debug`-printed, never serialised.
pub struct Contrasena(String);

impl Contrasena {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
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
        if comunes().contains(raw.to_lowercase().as_str()) {
            return Err("es una de las contraseñas más usadas; elige otra");
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

/// Hashes and verifies on the blocking pool: argon2id takes tens of milliseconds of CPU.
pub struct Contrasenas {
    dummy: String,
    verificaciones: AtomicU64,
}

impl Default for Contrasenas {
    fn default() -> Self {
        let azar = eventflow_shared::identidad::nuevo_token();
        Self {
            dummy: hash_sync(&azar),
            verificaciones: AtomicU64::new(0),
        }
    }
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
    pub async fn hash(&self, c: &Contrasena) -> Result<String, ApiError> {
        let p = c.0.clone();
        tokio::task::spawn_blocking(move || hash_sync(&p))
            .await
            .map_err(|e| ApiError::internal(e.to_string()))
    }

    /// Verifies `password` against `hash`, or against the dummy hash when there is no
    /// account (`None`), so both cost the same. `false` in that case whatever the input.
    pub async fn verificar(self: &Arc<Self>, password: &str, hash: Option<&str>) -> bool {
        self.verificaciones.fetch_add(1, Ordering::Relaxed);
        let real = hash.is_some();
        let h = hash.unwrap_or(&self.dummy).to_owned();
        let p = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || verify_sync(&p, &h))
            .await
            .unwrap_or(false);
        ok && real
    }

    /// How many verifications this instance has run.
    pub fn verificaciones(&self) -> u64 {
        self.verificaciones.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(Contrasena::parse("corta").is_err());
        assert!(Contrasena::parse("1234567890").is_err(), "common");
        assert!(
            Contrasena::parse("Password123").is_err(),
            "common, any case"
        );
        assert!(Contrasena::parse(&"x".repeat(129)).is_err());
        assert!(Contrasena::parse(&"x".repeat(1 << 20)).is_err());
        assert!(Contrasena::parse("caballo-bateria-grapa").is_ok());
        assert_eq!(comunes().len(), 10_000);
        assert_eq!(
            format!("{:?}", Contrasena::parse("caballo-bateria-grapa").unwrap()),
            "Contrasena(***)"
        );
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_pass() {
        let c = Arc::new(Contrasenas::default());
        let p = Contrasena::parse("caballo-bateria-grapa").unwrap();
        let h = c.hash(&p).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(c.verificar("caballo-bateria-grapa", Some(&h)).await);
        assert!(!c.verificar("caballo-bateria-grapo", Some(&h)).await);
        assert!(!c.verificar("caballo-bateria-grapa", None).await);
        assert_eq!(c.verificaciones(), 3);
    }
}
