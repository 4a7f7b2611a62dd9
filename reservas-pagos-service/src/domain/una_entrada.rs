//! One ticket at a time: a ticket being cancelled alone (its refund and its seat still
//! to settle), a ticket handed to someone else, and the secret that opens a ticket for
//! its holder alone (`X-Entrada-Secreto`).

use base64::Engine;
use chrono::{DateTime, Utc};
use eventflow_shared::secreto::Secreto;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// A ticket cancelled alone whose refund or seat is not settled yet. Written, with the
/// ticket ANULADA, by the write that accepts the cancellation; removed by the write
/// that records both done. While one is listed, recovery finishes it if the request
/// that asked does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnulacionEntrada {
    pub codigo: String,
    pub zona: Option<String>,
    /// Its price, refunded from the reservation's payment.
    pub monto: i64,
    pub correlation_id: String,
    pub desde: DateTime<Utc>,
}

/// A ticket handed to someone else: the old code, annulled (`transferida`), and the new
/// one issued to the new holder in the same write. The new holder's e-mail lives here,
/// never on the ticket the door reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transferencia {
    pub anterior: String,
    pub nueva: String,
    pub nombre: String,
    pub email: String,
    pub en: DateTime<Utc>,
}

/// Kept apart from every other input of the same key.
const ETIQUETA: &str = "eventflow/reservas/secreto-de-entrada/v1:";

/// The secret of ticket `codigo` under `clave` (the service's key for tickets): 128 bits
/// of an HMAC of the code, in unpadded base64url. Nothing is stored: the code and the
/// key give it back, so a re-sent link carries the same one. A new code (a transfer)
/// has a new secret, and the old holder's stops opening anything that lets anyone in.
pub fn secreto(clave: &Secreto, codigo: &str) -> Secreto {
    let mut mac = Hmac::<Sha256>::new_from_slice(clave.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(ETIQUETA.as_bytes());
    mac.update(codigo.as_bytes());
    let bytes = mac.finalize().into_bytes();
    Secreto::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..16]))
}

/// Whether `dado` is ticket `codigo`'s secret, compared in constant time.
pub fn secreto_valido(clave: &Secreto, codigo: &str, dado: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(clave.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(ETIQUETA.as_bytes());
    mac.update(codigo.as_bytes());
    // Bounded before decoding; `verify_truncated_left` compares in constant time.
    if dado.len() > 64 {
        return false;
    }
    match base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(dado.trim()) {
        Ok(b) if b.len() == 16 => mac.verify_truncated_left(&b).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cada_entrada_el_suyo_y_solo_con_la_clave() {
        let k = Secreto::new("k".repeat(32));
        let a = secreto(&k, "7K2QX9M4TB");
        assert_eq!(a.expose().len(), 22);
        assert!(secreto_valido(&k, "7K2QX9M4TB", a.expose()));
        assert!(!secreto_valido(&k, "7K2QX9M4TC", a.expose()));
        assert!(!secreto_valido(
            &Secreto::new("j".repeat(32)),
            "7K2QX9M4TB",
            a.expose()
        ));
        assert!(!secreto_valido(&k, "7K2QX9M4TB", "corto"));
        assert!(!format!("{a:?}").contains(a.expose()), "Debug redacts it");
    }
}
