//! `Idempotency-Key` on `POST /api/reservar`, after pretix's convention: the same key and
//! body replays the first answer; a repeat while the first still runs gets 409; the
//! same key with a different body gets 422. Transient failures (5xx) free the key.
//!
//! A confirmation is never recorded on the key: the key's record stays "in progress",
//! naming the reservation, and a replay rebuilds the answer from the reservation as it
//! was confirmed ([`Reserva::como_se_confirmo`]) and its guest secret
//! ([`super::secreto`]). Every other outcome is recorded on the key, as its problem.

use axum::http::StatusCode;
use eventflow_shared::secreto::Secreto;
use eventflow_shared::ApiError;
use hmac::Hmac;
use sha2::Sha256;

use super::{secreto, Repeticion};
use crate::domain::{Estado, Reserva, SolicitudReserva};
use crate::store::{Clave, IdempotenciaStore, ReservaStore};

/// A key still "in progress" this long after its request, with no reservation written,
/// belongs to a request that died before doing anything.
const ABANDONO_SECS: i64 = 60;

/// Checks a key's form: 1 to 255 visible ASCII characters.
pub fn validar(clave: &str) -> Result<(), ApiError> {
    if clave.is_empty() || clave.len() > 255 || !clave.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            "Idempotency-Key",
            "debe tener de 1 a 255 caracteres ASCII visibles",
        ));
    }
    Ok(())
}

/// Fingerprint of a request: an HMAC-SHA256 under the server's key (`clave`) of who
/// sends it (`remitente`) and its body in parsed form (so formatting does not matter),
/// with the card number cut to its last 4 digits first. It is stored with the key, so it
/// must not let anyone who reads the store test guesses of a card number (PCI DSS asks
/// for a keyed hash), and the full number never enters it at all.
pub fn huella(clave: &Secreto, remitente: &str, solicitud: &SolicitudReserva) -> String {
    use hmac::Mac;
    let mut reducida = solicitud.clone();
    if let Some(p) = reducida.pago.as_mut() {
        p.numero_tarjeta = ultimos4(&p.numero_tarjeta);
    }
    let canon = serde_json::to_string(&serde_json::to_value(&reducida).unwrap_or_default())
        .unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(clave.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(remitente.as_bytes());
    mac.update(b"\n");
    mac.update(canon.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The last 4 digits of what was typed as a card number (spaces and dashes dropped).
fn ultimos4(numero: &str) -> String {
    let digitos: Vec<char> = numero.chars().filter(char::is_ascii_digit).collect();
    digitos[digitos.len().saturating_sub(4)..].iter().collect()
}

/// `None`: run the request. `Some`: the answer it already had.
pub async fn decidir(
    store: &dyn IdempotenciaStore,
    reservas: &dyn ReservaStore,
    clave_secretos: &Secreto,
    clave: &str,
    hash: &str,
    rid: &str,
) -> Result<Option<Repeticion>, ApiError> {
    match store.tomar(clave, hash, rid).await? {
        Clave::Nueva => Ok(None),
        Clave::EnCurso { hash: h, .. } | Clave::Completa { hash: h, .. } if h != hash => {
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reutilizada",
                "Idempotency-Key reutilizada",
                "Esta Idempotency-Key ya se usó con otro cuerpo",
            ))
        }
        Clave::EnCurso {
            reserva_id, desde, ..
        } if desde < chrono::Utc::now() - chrono::Duration::seconds(ABANDONO_SECS)
            && reservas.get(&reserva_id).await?.is_none() =>
        {
            // Its request died before writing anything: nothing happened, so the key is
            // free again. Of concurrent retries only one wins the new `tomar`.
            store.soltar(clave).await?;
            match store.tomar(clave, hash, rid).await? {
                Clave::Nueva => Ok(None),
                _ => Err(en_curso()),
            }
        }
        Clave::EnCurso { reserva_id, .. } => {
            match reservas
                .get(&reserva_id)
                .await?
                .and_then(|r| terminada(&r, clave_secretos))
            {
                // A confirmation (the key names its reservation), or a request that died
                // before recording its answer and that recovery has since finished.
                Some(t) => Ok(Some(t.repeticion())),
                None => Err(en_curso().with("reserva_id", reserva_id)),
            }
        }
        Clave::Completa { status, body, .. } => Ok(Some(Repeticion::Grabada {
            status,
            cuerpo: body,
        })),
    }
}

fn en_curso() -> ApiError {
    ApiError::conflict(
        "solicitud-en-curso",
        "Una solicitud con esta Idempotency-Key aún se está procesando",
    )
}

/// How a reservation that is no longer running ended, as its request is answered.
pub enum Terminada {
    /// Sold: the reservation as it was confirmed, and its guest secret.
    Confirmada(Box<Reserva>, Option<String>),
    /// Failed, with what was undone: its problem.
    Fallida(ApiError),
}

impl Terminada {
    fn repeticion(self) -> Repeticion {
        match self {
            Self::Confirmada(reserva, secreto) => Repeticion::Confirmada {
                reserva: *reserva,
                secreto,
            },
            Self::Fallida(e) => Repeticion::Grabada {
                status: e.status.as_u16(),
                cuerpo: e.body().to_string(),
            },
        }
    }
}

/// The outcome a stored reservation stands for, or `None` while it is still running.
pub fn terminada(r: &Reserva, clave_secretos: &Secreto) -> Option<Terminada> {
    if let Some(confirmada) = r.como_se_confirmo() {
        // Even after a cancellation: the answer the confirming request got.
        let secreto = secreto::recuperar(clave_secretos, r);
        return Some(Terminada::Confirmada(Box::new(confirmada), secreto));
    }
    match (r.estado, &r.fallo) {
        (Estado::Fallida, Some(f)) => {
            let status = StatusCode::from_u16(f.status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            Some(Terminada::Fallida(
                ApiError::new(
                    status,
                    "reserva-fallida",
                    "Reserva fallida",
                    f.detalle.clone(),
                )
                .with("reserva_id", r.id.clone())
                .with("paso", f.paso.clone())
                .with(
                    "compensaciones",
                    serde_json::to_value(&r.compensaciones).unwrap_or_default(),
                ),
            ))
        }
        _ => None,
    }
}

/// Records a refusal on the key, or frees the key after a transient failure (5xx).
pub async fn cerrar(store: &dyn IdempotenciaStore, clave: &str, e: &ApiError) {
    let res = if e.status.is_server_error() {
        store.soltar(clave).await
    } else {
        store
            .completar(clave, e.status.as_u16(), &e.body().to_string())
            .await
    };
    if let Err(e) = res {
        tracing::warn!(error = %e, "could not record the idempotency key's outcome");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::store::StoreError;

    /// Reports one key "in progress" since `desde` until it is freed.
    struct Claves {
        desde: chrono::DateTime<chrono::Utc>,
        soltada: Mutex<bool>,
    }

    #[async_trait]
    impl IdempotenciaStore for Claves {
        async fn tomar(&self, _: &str, hash: &str, _: &str) -> Result<Clave, StoreError> {
            if *self.soltada.lock().unwrap() {
                return Ok(Clave::Nueva);
            }
            Ok(Clave::EnCurso {
                hash: hash.into(),
                reserva_id: "nunca-escrita".into(),
                desde: self.desde,
            })
        }
        async fn completar(&self, _: &str, _: u16, _: &str) -> Result<(), StoreError> {
            Ok(())
        }
        async fn soltar(&self, _: &str) -> Result<(), StoreError> {
            *self.soltada.lock().unwrap() = true;
            Ok(())
        }
    }

    async fn decision(hace: chrono::Duration) -> Result<Option<Repeticion>, ApiError> {
        let claves = Claves {
            desde: chrono::Utc::now() - hace,
            soltada: Mutex::new(false),
        };
        let reservas = crate::store::from_config(&eventflow_shared::config::StoreConfig::Embedded)
            .await
            .unwrap()
            .reservas;
        decidir(
            &claves,
            reservas.as_ref(),
            &Secreto::new("s".repeat(32)),
            "k",
            "h",
            "r2",
        )
        .await
    }

    fn solicitud(numero: &str) -> SolicitudReserva {
        serde_json::from_value(serde_json::json!({
            "evento_id": "e1", "email": "ana@example.com",
            "pago": {"metodo": "tarjeta", "numero_tarjeta": numero}
        }))
        .unwrap()
    }

    #[test]
    fn the_fingerprint_is_keyed_and_sees_only_the_last_4_digits() {
        let k = Secreto::new("k".repeat(32));
        let a = huella(&k, "invitado", &solicitud("4242424242424242"));
        assert_eq!(a.len(), 64);
        // The full number never enters it: two cards that end alike are the same request.
        assert_eq!(a, huella(&k, "invitado", &solicitud("4000-0000 0000 4242")));
        assert_ne!(a, huella(&k, "invitado", &solicitud("4000000000000002")));
        // Keyed: another key, or another sender, gives another fingerprint.
        assert_ne!(
            a,
            huella(
                &Secreto::new("j".repeat(32)),
                "invitado",
                &solicitud("4242424242424242")
            )
        );
        assert_ne!(a, huella(&k, "admin", &solicitud("4242424242424242")));
        // Not the plain SHA-256 of the body the old fingerprint was.
        use sha2::Digest;
        let canon =
            serde_json::to_string(&serde_json::to_value(solicitud("4242424242424242")).unwrap())
                .unwrap();
        assert_ne!(a, format!("{:x}", Sha256::digest(canon.as_bytes())));
    }

    #[tokio::test]
    async fn a_key_whose_request_died_before_writing_is_freed_after_a_while() {
        assert!(matches!(
            decision(chrono::Duration::hours(1)).await,
            Ok(None)
        ));
        let recent = decision(chrono::Duration::seconds(1)).await;
        assert!(
            matches!(recent, Err(e) if e.kind == "solicitud-en-curso"),
            "a recent one may still be running"
        );
    }
}
