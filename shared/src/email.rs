//! `Email`: a normalised address that has passed validation. Emails are identities
//! (sign-in, one-time codes), so two addresses that look the same must be one address.
//!
//! Normalisation: NFKC (fullwidth `ａｎａ` is `ana`, a combining accent composes with its
//! letter), lower case, and the domain in its canonical IDNA form (`xn--` labels shown
//! as Unicode). Refused: invisible and formatting characters (zero-width space, bidi
//! overrides, soft hyphen...), combining marks left over after NFKC, and a local part or a
//! domain label that mixes scripts (a Cyrillic `і` among Latin letters). One known
//! limit: Japanese local parts mixing Han and kana are refused too (UTS 39's "augmented
//! scripts" would allow them); ASCII and single-script addresses cover our buyers.

use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;
use unicode_script::{Script, UnicodeScript};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

/// Invisible or formatting code points (Unicode category Cf, variation selectors, the
/// combining grapheme joiner and fillers) that would make two addresses look alike.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{0600}'..='\u{0605}' | '\u{06DD}'
        | '\u{070F}' | '\u{E0000}'..='\u{E0FFF}')
}

/// One script at most, ignoring the characters every script shares (digits, `.`, `-`).
fn un_solo_alfabeto(s: &str) -> bool {
    let mut visto: Option<Script> = None;
    for c in s.chars() {
        let sc = c.script();
        if matches!(sc, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        match visto {
            None => visto = Some(sc),
            Some(v) if v == sc => {}
            Some(_) => return false,
        }
    }
    true
}

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.len() > 1024 {
            return Err("es demasiado largo (máximo 254 caracteres)");
        }
        if raw.chars().any(invisible) {
            return Err("contiene caracteres invisibles o de formato");
        }
        let v: String = raw.trim().nfkc().collect::<String>().to_lowercase();
        if v.is_empty() {
            return Err("no puede estar vacío");
        }
        if v.chars().any(|c| is_combining_mark(c) || invisible(c)) {
            return Err("contiene marcas combinantes sueltas");
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
        let ascii = idna::domain_to_ascii(domain).map_err(|_| "el dominio no es válido")?;
        let (unicode, res) = idna::domain_to_unicode(&ascii);
        res.map_err(|_| "el dominio no es válido")?;
        if !un_solo_alfabeto(local) {
            return Err("mezcla alfabetos distintos antes de '@'");
        }
        if !unicode.split('.').all(un_solo_alfabeto) {
            return Err("el dominio mezcla alfabetos distintos");
        }
        let email = format!("{local}@{unicode}");
        if email.len() > 254 {
            return Err("es demasiado largo (máximo 254 caracteres)");
        }
        Ok(Self(email))
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
        // Fullwidth letters are the ASCII address.
        assert_eq!(
            Email::parse("ａｎａ@example.com").unwrap().as_str(),
            "ana@example.com"
        );
        // A combining accent composes: one address, not two.
        assert_eq!(
            Email::parse("jose\u{301}@example.com").unwrap(),
            Email::parse("josé@example.com").unwrap()
        );
        // Punycode and Unicode domains are one domain; single-script non-Latin is fine.
        assert_eq!(
            Email::parse("ana@xn--e1afmkfd.com").unwrap(),
            Email::parse("ana@пример.com").unwrap()
        );
        assert!(Email::parse("иван@пример.рф").is_ok());
    }

    #[test]
    fn rejects_malformed_and_lookalike_addresses() {
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
            "ana\u{200B}@example.com",
            "ana\u{202E}@example.com",
            "an\u{AD}a@example.com",
            "\u{456}van@example.com",
            "ana@\u{435}xample.com",
            "ana@exam\u{FEFF}ple.com",
            "1\u{301}@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
