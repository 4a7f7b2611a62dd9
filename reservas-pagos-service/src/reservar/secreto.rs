//! A reservation's guest secret, derived from its id under the server's key: the answer
//! shows it once and the reservation stores only its hash, yet a replay of the same
//! request can show it again without the secret ever being stored.

use base64::Engine;
use eventflow_shared::identidad;
use eventflow_shared::secreto::Secreto;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::Reserva;

/// Kept apart from every other input of the same key (the request fingerprints start
/// with who sent them, never with this).
const ETIQUETA: &str = "eventflow/reservas/secreto-de-reserva/v1:";

/// The secret of reservation `id`: 128 bits of an HMAC under `clave`, in unpadded
/// base64url (22 characters), the form a random secret had.
pub fn derivar(clave: &Secreto, id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(clave.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(ETIQUETA.as_bytes());
    mac.update(id.as_bytes());
    let bytes = mac.finalize().into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..16])
}

/// The secret of a stored reservation, when it is the derived one (a reservation from
/// before derivation had a random secret, which is gone: `None`).
pub fn recuperar(clave: &Secreto, r: &Reserva) -> Option<String> {
    let guardado = r.secreto_hash.as_deref()?;
    let s = derivar(clave, &r.id);
    identidad::secreto_valido(&s, guardado).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn de_cada_reserva_el_suyo_y_solo_con_la_clave() {
        let k = Secreto::new("k".repeat(32));
        let a = derivar(&k, "r1");
        assert_eq!(a.len(), 22);
        assert_eq!(
            a,
            derivar(&k, "r1"),
            "the same reservation, the same secret"
        );
        assert_ne!(a, derivar(&k, "r2"));
        assert_ne!(a, derivar(&Secreto::new("j".repeat(32)), "r1"));
    }
}
