//! `Email`: a normalised (trimmed, lower-case) address that has passed validation.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld` with no spaces or control characters. Lower-cased so
    /// that `Ana@X.com` and `ana@x.com` are one account, as users expect.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let v = raw.trim().to_lowercase();
        if v.is_empty() {
            return Err("no puede estar vacío");
        }
        if v.len() > 254 {
            return Err("es demasiado largo (máximo 254 caracteres)");
        }
        let Some((local, domain)) = v.split_once('@') else {
            return Err("no es un email válido: falta '@'");
        };
        let bad = |s: &str| {
            s.is_empty()
                || s.chars()
                    .any(|c| c.is_whitespace() || c.is_control() || "@<>()[],;:\"\\$".contains(c))
        };
        if bad(local) || bad(domain) {
            return Err("no es un email válido");
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
            return Err("no es un email válido: el dominio necesita un punto");
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_valid_addresses() {
        assert_eq!(
            Email::parse(" Ana@Example.COM ").unwrap().as_str(),
            "ana@example.com"
        );
        assert!(Email::parse("a.b+c@sub.example.pe").is_ok());
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "ana@x",
            "a na@x.com",
            "ana@x..com",
            "a@b@c.com",
            "ana@x.com\u{0}",
            "{\"$ne\":null}@x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
