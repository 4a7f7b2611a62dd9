//! A reservation's guest secret, derived from its id and its `secreto_version` under the
//! server's key: the answer shows it and the reservation stores only its hash, yet a
//! replay of the same request can show it again without the secret ever being stored.
//! Re-sending the buyer's links ([`renovar`]) moves to the next version: a new secret,
//! and the old links stop working.

use base64::Engine;
use eventflow_shared::identidad;
use eventflow_shared::secreto::Secreto;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::Reserva;

/// Kept apart from every other input of the same key (the request fingerprints start
/// with who sent them, never with this).
const ETIQUETA: &str = "eventflow/reservas/secreto-de-reserva/v1:";

/// The key guest secrets derive from, itself derived from `RESERVAS_CLAVE_HUELLAS`:
/// every instance derives the same secret for a reservation.
pub fn clave(clave_huellas: &Secreto) -> Secreto {
    crate::config::derivar_clave(clave_huellas.expose(), "eventflow/reservas/secretos/v1")
}

/// The first secret of reservation `id` (version 0).
pub fn derivar(clave: &Secreto, id: &str) -> String {
    derivar_version(clave, id, 0)
}

/// The secret of reservation `id` at `version`: 128 bits of an HMAC under `clave`, in
/// unpadded base64url (22 characters), the form a random secret had. Version 0 is the
/// HMAC of the id alone, as before versions existed, so earlier links keep working.
pub fn derivar_version(clave: &Secreto, id: &str, version: u32) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(clave.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(ETIQUETA.as_bytes());
    mac.update(id.as_bytes());
    if version > 0 {
        // An id never holds '#': no id and version can read as another id.
        mac.update(format!("#v{version}").as_bytes());
    }
    let bytes = mac.finalize().into_bytes();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..16])
}

/// The current secret of a stored reservation, when it is the derived one (a
/// reservation from before derivation had a random secret, which is gone: `None`).
/// After a re-send it is the new one: a replay of the checkout gets a link that works.
pub fn recuperar(clave: &Secreto, r: &Reserva) -> Option<String> {
    let guardado = r.secreto_hash.as_deref()?;
    let s = derivar_version(clave, &r.id, r.secreto_version);
    identidad::secreto_valido(&s, guardado).then_some(s)
}

/// Moves `r` to its next secret, in memory: the caller stores it (one version-guarded
/// write, with the message that sends the new link) and hands the secret only to that
/// message. The old secret no longer matches `secreto_hash`.
pub fn renovar(clave: &Secreto, r: &mut Reserva) -> String {
    r.secreto_version = r.secreto_version.saturating_add(1);
    let s = derivar_version(clave, &r.id, r.secreto_version);
    r.secreto_hash = Some(identidad::hash_hex(&s));
    s
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

    #[test]
    fn renovar_cambia_el_secreto_y_recuperar_da_el_vigente() {
        let k = Secreto::new("k".repeat(32));
        let mut r = Reserva::nueva(
            eventflow_shared::ids::ReservaId::confiable("r1"),
            eventflow_shared::ids::EventoId::confiable("e1"),
            1,
            "c".into(),
        );
        let viejo = derivar(&k, &r.id);
        r.secreto_hash = Some(identidad::hash_hex(&viejo));
        assert_eq!(recuperar(&k, &r).as_deref(), Some(viejo.as_str()));
        let nuevo = renovar(&k, &mut r);
        assert_eq!(r.secreto_version, 1);
        assert_ne!(nuevo, viejo);
        assert_eq!(nuevo.len(), 22);
        let h = r.secreto_hash.as_deref().unwrap();
        assert!(identidad::secreto_valido(&nuevo, h));
        assert!(
            !identidad::secreto_valido(&viejo, h),
            "the old link is dead"
        );
        assert_eq!(recuperar(&k, &r).as_deref(), Some(nuevo.as_str()));
        assert_ne!(renovar(&k, &mut r), nuevo);
    }
}
