//! One-time codes: six digits sent to an address, to set or reset a password or to
//! confirm a new email. Single use, 10 minutes, a bounded number of tries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Email;

/// How long a code is good for.
pub const VIGENCIA_MIN: i64 = 10;
/// Wrong tries a code takes before it is spent. With at most a few codes a minute per
/// email (see `http::limites`), guessing one of a million codes is hopeless.
pub const INTENTOS: u32 = 5;

/// What a code is for. One live code per buyer and purpose: a new one replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Proposito {
    /// Set a first password, or reset a forgotten one. Sent to the account's email.
    #[default]
    Password,
    /// Confirm a new email. Sent to the new address, for the signed-in buyer.
    Email,
    /// Sign in to an account that had too many failed sign-ins today, with the
    /// password. Sent to the account's email (a buyer's, or an organizer's with `rol`).
    Sesion,
}

impl Proposito {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::Email => "email",
            Self::Sesion => "sesion",
        }
    }
}

/// A code as stored: only its hash, bound to the buyer and the purpose.
#[derive(Debug, Clone, PartialEq)]
pub struct Codigo {
    pub usuario_id: Uuid,
    pub proposito: Proposito,
    /// Where it was sent; for [`Proposito::Email`], the email being confirmed.
    pub destino: Email,
    pub hash: String,
    pub intentos: u32,
    pub expira_en: DateTime<Utc>,
}

impl Codigo {
    /// A fresh code for `usuario_id`: the stored record and the six digits to send.
    pub fn emitir(
        usuario_id: Uuid,
        proposito: Proposito,
        destino: Email,
        ahora: DateTime<Utc>,
    ) -> (Self, String) {
        use rand::Rng;
        let digitos = format!("{:06}", rand::rng().random_range(0..1_000_000u32));
        let c = Self {
            usuario_id,
            proposito,
            hash: hash(usuario_id, proposito, &destino, &digitos),
            destino,
            intentos: INTENTOS,
            expira_en: ahora + chrono::Duration::minutes(VIGENCIA_MIN),
        };
        (c, digitos)
    }

    /// The store key: one live code per buyer and purpose. Leads with the buyer, so it
    /// shards with the account.
    pub fn clave(&self) -> String {
        clave(self.usuario_id, self.proposito)
    }
}

pub fn clave(usuario_id: Uuid, proposito: Proposito) -> String {
    format!("{usuario_id}:{}", proposito.as_str())
}

/// The stored form of a code. Bound to the buyer, the purpose and the address it was
/// sent to: the same six digits never hash alike for two buyers, and a code confirms
/// only the address that received it (for another one it is just a wrong try).
pub fn hash(usuario_id: Uuid, proposito: Proposito, destino: &Email, digitos: &str) -> String {
    eventflow_shared::identidad::hash_hex(&format!(
        "{usuario_id}:{}:{}:{digitos}",
        proposito.as_str(),
        destino.as_str()
    ))
}

/// Whether `raw` looks like a code at all: six ASCII digits.
pub fn formato_valido(raw: &str) -> bool {
    raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit())
}

/// What trying a code gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Canje {
    /// Right, and now spent: it was sent to `destino`.
    Valido { destino: Email },
    /// Wrong; `restantes` tries left on this code.
    Incorrecto { restantes: u32 },
    /// No live code: never sent, expired, used, or out of tries.
    NoHay,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_hashed_per_buyer() {
        let id = Uuid::new_v4();
        let email = Email::parse("ana@example.com").unwrap();
        let otro = Email::parse("ana2@example.com").unwrap();
        let (c, d) = Codigo::emitir(id, Proposito::Password, email.clone(), Utc::now());
        assert!(formato_valido(&d), "{d}");
        assert_eq!(c.hash, hash(id, Proposito::Password, &email, &d));
        assert_ne!(
            c.hash,
            hash(Uuid::new_v4(), Proposito::Password, &email, &d)
        );
        assert_ne!(c.hash, hash(id, Proposito::Email, &email, &d));
        assert_ne!(c.hash, hash(id, Proposito::Password, &otro, &d));
        assert!(
            !formato_valido("12345")
                && !formato_valido("12345a")
                && !formato_valido("１２３４５６")
        );
    }
}
