//! The signed payload a ticket's QR encodes, and the per-event Ed25519 keys that sign it.
//!
//! `EF1.<evento_id>.<codigo>.<zona b64url>.<kid>.<firma b64url>`: the signature covers
//! every byte before its last dot, so a scanner with the event's public keys
//! (`GET /api/eventos/{id}/claves`) tells a real ticket from a forged one with no network.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use ed25519_dalek::{Signer, SigningKey, Verifier, VerifyingKey};
pub use eventflow_shared::ingresos::{ClavePublica, EstadoClave};
use eventflow_shared::secreto::Secreto;

/// The payload's format and version: a scanner refuses any other.
pub const VERSION: &str = "EF1";

/// An event's signing key. The private half lives only in reservas' storage: it is
/// never in an answer, and its `Debug` shows `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaveFirma {
    /// Short id the payload names, so a scanner picks the key without trying them all.
    pub kid: String,
    /// The 32-byte Ed25519 public key, base64url without padding.
    pub publica: String,
    /// The 32-byte Ed25519 seed, base64url without padding.
    pub privada: Secreto,
    pub creada_en: DateTime<Utc>,
    pub estado: EstadoClave,
}

impl ClaveFirma {
    /// A fresh active key pair with a random 8-character kid.
    pub fn generar() -> Self {
        let semilla: [u8; 32] = rand::random();
        let firmante = SigningKey::from_bytes(&semilla);
        let kid = super::entrada::nuevo_codigo()[..8].to_owned();
        Self {
            kid,
            publica: URL_SAFE_NO_PAD.encode(firmante.verifying_key().as_bytes()),
            privada: Secreto::new(URL_SAFE_NO_PAD.encode(semilla)),
            creada_en: eventflow_shared::now(),
            estado: EstadoClave::Activa,
        }
    }

    fn firmante(&self) -> Option<SigningKey> {
        let semilla: [u8; 32] = URL_SAFE_NO_PAD
            .decode(self.privada.expose())
            .ok()?
            .try_into()
            .ok()?;
        Some(SigningKey::from_bytes(&semilla))
    }
}

impl From<&ClaveFirma> for ClavePublica {
    fn from(c: &ClaveFirma) -> Self {
        Self {
            kid: c.kid.clone(),
            publica: c.publica.clone(),
            estado: c.estado,
            creada_en: c.creada_en,
        }
    }
}

/// What a valid payload says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verificada {
    pub codigo: String,
    pub zona: Option<String>,
    pub kid: String,
}

/// Why a payload does not let anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirmaInvalida {
    /// Not an `EF1.…` payload with six parts.
    Malformada,
    /// A ticket of another event.
    OtroEvento,
    /// Its `kid` is not one of this event's listed keys.
    ClaveDesconocida,
    /// The signature does not match the contents: altered, or forged.
    FirmaIncorrecta,
}

impl FirmaInvalida {
    /// What the door and the API say, in Spanish.
    pub fn mensaje(self) -> &'static str {
        match self {
            Self::Malformada => "El QR no es una entrada de EventFlow",
            Self::OtroEvento => "La entrada es de otro evento",
            Self::ClaveDesconocida => {
                "La entrada está firmada con una clave que este evento no tiene"
            }
            Self::FirmaIncorrecta => {
                "La firma de la entrada no es válida: está alterada o es falsa"
            }
        }
    }
}

fn contenido(evento_id: &str, codigo: &str, zona: Option<&str>, kid: &str) -> String {
    format!(
        "{VERSION}.{evento_id}.{codigo}.{}.{kid}",
        URL_SAFE_NO_PAD.encode(zona.unwrap_or_default())
    )
}

/// The signed payload of ticket `codigo` (zone `zona`) of `evento_id`, with `clave`.
/// `None` only if the stored private key is unreadable.
pub fn firmar(
    clave: &ClaveFirma,
    evento_id: &str,
    codigo: &str,
    zona: Option<&str>,
) -> Option<String> {
    let texto = contenido(evento_id, codigo, zona, &clave.kid);
    let firma = clave.firmante()?.sign(texto.as_bytes());
    Some(format!(
        "{texto}.{}",
        URL_SAFE_NO_PAD.encode(firma.to_bytes())
    ))
}

/// Checks `payload` against the keys listed for `evento_esperado`.
pub fn verificar(
    payload: &str,
    claves: &[ClavePublica],
    evento_esperado: &str,
) -> Result<Verificada, FirmaInvalida> {
    let payload = payload.trim();
    let (texto, firma) = payload.rsplit_once('.').ok_or(FirmaInvalida::Malformada)?;
    let partes: Vec<&str> = texto.split('.').collect();
    let [version, evento, codigo, zona, kid] = partes[..] else {
        return Err(FirmaInvalida::Malformada);
    };
    if version != VERSION || codigo.is_empty() || kid.is_empty() {
        return Err(FirmaInvalida::Malformada);
    }
    let zona = URL_SAFE_NO_PAD
        .decode(zona)
        .ok()
        .and_then(|z| String::from_utf8(z).ok())
        .ok_or(FirmaInvalida::Malformada)?;
    let firma: [u8; 64] = URL_SAFE_NO_PAD
        .decode(firma)
        .ok()
        .and_then(|f| f.try_into().ok())
        .ok_or(FirmaInvalida::Malformada)?;
    if evento != evento_esperado {
        return Err(FirmaInvalida::OtroEvento);
    }
    let clave = claves
        .iter()
        .find(|c| c.kid == kid)
        .ok_or(FirmaInvalida::ClaveDesconocida)?;
    let publica: [u8; 32] = URL_SAFE_NO_PAD
        .decode(&clave.publica)
        .ok()
        .and_then(|p| p.try_into().ok())
        .ok_or(FirmaInvalida::ClaveDesconocida)?;
    let publica =
        VerifyingKey::from_bytes(&publica).map_err(|_| FirmaInvalida::ClaveDesconocida)?;
    publica
        .verify(
            texto.as_bytes(),
            &ed25519_dalek::Signature::from_bytes(&firma),
        )
        .map_err(|_| FirmaInvalida::FirmaIncorrecta)?;
    Ok(Verificada {
        codigo: codigo.to_owned(),
        zona: (!zona.is_empty()).then_some(zona),
        kid: kid.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listada(c: &ClaveFirma) -> Vec<ClavePublica> {
        vec![ClavePublica::from(c)]
    }

    #[test]
    fn una_entrada_firmada_se_verifica_y_una_alterada_no() {
        let clave = ClaveFirma::generar();
        let p = firmar(&clave, "ev1", "7K2QX9M4TB", Some("Platea Alta")).unwrap();
        assert!(p.starts_with("EF1.ev1.7K2QX9M4TB."), "{p}");
        let v = verificar(&p, &listada(&clave), "ev1").unwrap();
        assert_eq!(
            (v.codigo.as_str(), v.zona.as_deref(), v.kid.as_str()),
            ("7K2QX9M4TB", Some("Platea Alta"), clave.kid.as_str())
        );
        let otro_codigo = p.replace("7K2QX9M4TB", "7K2QX9M4TC");
        assert_eq!(
            verificar(&otro_codigo, &listada(&clave), "ev1"),
            Err(FirmaInvalida::FirmaIncorrecta)
        );
        assert_eq!(
            verificar(&p, &listada(&clave), "ev2"),
            Err(FirmaInvalida::OtroEvento)
        );
        let ajena = ClaveFirma::generar();
        assert_eq!(
            verificar(&p, &listada(&ajena), "ev1"),
            Err(FirmaInvalida::ClaveDesconocida)
        );
        // Another event's key, under this key's kid: the signature gives it away.
        let mut suplantada = ClaveFirma::generar();
        suplantada.kid = clave.kid.clone();
        let falsa = firmar(&suplantada, "ev1", "7K2QX9M4TB", Some("Platea Alta")).unwrap();
        assert_eq!(
            verificar(&falsa, &listada(&clave), "ev1"),
            Err(FirmaInvalida::FirmaIncorrecta)
        );
        for basura in ["", "hola", "EF2.ev1.A.B.C.D", "EF1.ev1.A.%%.k.f"] {
            assert_eq!(
                verificar(basura, &listada(&clave), "ev1"),
                Err(FirmaInvalida::Malformada),
                "{basura}"
            );
        }
    }

    #[test]
    fn la_clave_privada_no_se_imprime() {
        let c = ClaveFirma::generar();
        let visto = format!("{c:?}");
        assert!(!visto.contains(c.privada.expose()), "{visto}");
        assert!(visto.contains(&c.publica));
    }
}
