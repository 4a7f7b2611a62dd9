//! A ticket: one seat of a sold reservation, with a short code a person can read out
//! and type at the door. A reservation of `cantidad` n that is CONFIRMADA has n of them,
//! issued in the write that confirms it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Crockford's base32: no I, L, O or U, so a code read aloud or typed is not misread.
const ALFABETO: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 10 characters: 50 random bits.
pub const LARGO_CODIGO: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EstadoEntrada {
    /// Lets its holder in, once.
    Valida,
    /// Its holder went in.
    Usada,
    /// Lets nobody in; `motivo` says why.
    Anulada,
}

/// Why a ticket no longer lets anyone in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MotivoAnulacion {
    /// Its reservation was cancelled.
    Cancelada,
    /// It changed hands: the new holder has a new code.
    Transferida,
    /// Given back on its own (one ticket of a reservation).
    Devuelta,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Entrada {
    /// Short, unambiguous and typable: 10 characters of Crockford's base32.
    #[schema(example = "7K2QX9M4TB")]
    pub codigo: String,
    #[schema(example = "Platea")]
    pub zona: Option<String>,
    pub estado: EstadoEntrada,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motivo: Option<MotivoAnulacion>,
    /// Who it is for, when the buyer named someone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Ana Quispe")]
    pub titular: Option<String>,
    /// When it let its holder in (USADA), and through which gate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usada_en: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Puerta 2")]
    pub puerta: Option<String>,
    /// The nonce of the scan that let its holder in, when the scanner sent one: that
    /// scan sent again is answered as admitted, not as `ya-usada`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// When it was annulled: an offline scan made before is a forced admission (the
    /// person is inside), one made after is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anulada_en: Option<chrono::DateTime<chrono::Utc>>,
    /// Scans that let someone in with it after it had already let someone in (offline
    /// gates that did not know), or after it was annulled: staff look at these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forzados: Vec<Escaneo>,
}

/// One scan that let someone in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Escaneo {
    /// `None`: an online admission made without a nonce.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub puerta: Option<String>,
    pub escaneado_en: chrono::DateTime<chrono::Utc>,
}

impl Entrada {
    /// A new valid ticket with a fresh code.
    pub fn nueva(zona: Option<String>) -> Self {
        Self {
            codigo: nuevo_codigo(),
            zona,
            estado: EstadoEntrada::Valida,
            motivo: None,
            titular: None,
            usada_en: None,
            puerta: None,
            nonce: None,
            anulada_en: None,
            forzados: Vec::new(),
        }
    }

    /// No longer lets anyone in. A ticket already used stays used: it let someone in.
    pub fn anular(&mut self, motivo: MotivoAnulacion) {
        if self.estado == EstadoEntrada::Valida {
            self.estado = EstadoEntrada::Anulada;
            self.motivo = Some(motivo);
            self.anulada_en = Some(eventflow_shared::now());
        }
    }
}

/// 50 random bits as 10 characters of Crockford's base32.
pub fn nuevo_codigo() -> String {
    let mut bits: u64 = rand::random::<u64>() >> (64 - 5 * LARGO_CODIGO);
    let mut c = [0u8; LARGO_CODIGO];
    for slot in c.iter_mut().rev() {
        *slot = ALFABETO[(bits & 31) as usize];
        bits >>= 5;
    }
    String::from_utf8(c.to_vec()).expect("ASCII")
}

/// A code as a person typed it, in its canonical form: upper case, without spaces or
/// dashes, with the letters Crockford reads as digits (I and L as 1, O as 0). `None`
/// if it cannot be a code.
pub fn normalizar_codigo(escrito: &str) -> Option<String> {
    let mut c = String::with_capacity(LARGO_CODIGO);
    for ch in escrito.chars().filter(|ch| !matches!(ch, ' ' | '-')) {
        let ch = match ch.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            ch => ch,
        };
        if !ch.is_ascii() || !ALFABETO.contains(&(ch as u8)) {
            return None;
        }
        c.push(ch);
    }
    (c.len() == LARGO_CODIGO).then_some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn un_codigo_es_corto_legible_y_se_escribe_de_cualquier_forma() {
        let codigos: std::collections::HashSet<String> =
            (0..1000).map(|_| nuevo_codigo()).collect();
        assert_eq!(codigos.len(), 1000, "50 bits: no repeats in a thousand");
        for c in &codigos {
            assert_eq!(c.len(), LARGO_CODIGO);
            assert!(c.bytes().all(|b| ALFABETO.contains(&b)), "{c}");
            assert_eq!(normalizar_codigo(c).as_deref(), Some(c.as_str()));
        }
        assert_eq!(
            normalizar_codigo("7k2q-x9m4 tb").as_deref(),
            Some("7K2QX9M4TB")
        );
        assert_eq!(
            normalizar_codigo("O1LI000000").as_deref(),
            Some("0111000000")
        );
        assert_eq!(normalizar_codigo("7K2QX9M4T"), None, "too short");
        assert_eq!(
            normalizar_codigo("7K2QX9M4TU"),
            None,
            "U is not in the alphabet"
        );
    }

    #[test]
    fn anular_no_borra_un_ingreso() {
        let mut e = Entrada::nueva(None);
        e.anular(MotivoAnulacion::Cancelada);
        assert_eq!(
            (e.estado, e.motivo),
            (EstadoEntrada::Anulada, Some(MotivoAnulacion::Cancelada))
        );
        let mut usada = Entrada::nueva(None);
        usada.estado = EstadoEntrada::Usada;
        usada.anular(MotivoAnulacion::Cancelada);
        assert_eq!((usada.estado, usada.motivo), (EstadoEntrada::Usada, None));
    }
}
