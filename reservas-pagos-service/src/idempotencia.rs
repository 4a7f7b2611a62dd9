//! `Idempotency-Key` on `POST /api/reservar`, after pretix's convention: the same key and
//! body replays the first response; a repeat while the first still runs gets 409; the
//! same key with a different body gets 422. Transient failures (5xx) free the key.

use axum::http::{HeaderMap, StatusCode};
use eventflow_shared::ApiError;
use sha2::{Digest, Sha256};

use crate::store::{Clave, IdempotenciaStore};

/// What to do with a request that carries a key.
pub enum Decision {
    Ejecutar,
    Repetir { status: u16, body: String },
}

pub fn clave(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let v = v.to_str().unwrap_or_default();
    if v.is_empty() || v.len() > 255 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::field(
            "Idempotency-Key",
            "debe tener de 1 a 255 caracteres ASCII visibles",
        ));
    }
    Ok(Some(v.to_owned()))
}

/// Fingerprint of the request body, from its parsed form so formatting does not matter.
pub fn huella<T: serde::Serialize>(body: &T) -> String {
    let canon =
        serde_json::to_string(&serde_json::to_value(body).unwrap_or_default()).unwrap_or_default();
    format!("{:x}", Sha256::digest(canon.as_bytes()))
}

pub async fn decidir(
    store: &dyn IdempotenciaStore,
    clave: &str,
    hash: &str,
    rid: &str,
) -> Result<Decision, ApiError> {
    match store.tomar(clave, hash, rid).await? {
        Clave::Nueva => Ok(Decision::Ejecutar),
        Clave::EnCurso { hash: h, .. } | Clave::Completa { hash: h, .. } if h != hash => {
            Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reutilizada",
                "Idempotency-Key reutilizada",
                "Esta Idempotency-Key ya se usó con otro cuerpo",
            ))
        }
        Clave::EnCurso { reserva_id, .. } => Err(ApiError::conflict(
            "solicitud-en-curso",
            "Una solicitud con esta Idempotency-Key aún se está procesando",
        )
        .with("reserva_id", reserva_id)),
        Clave::Completa { status, body, .. } => Ok(Decision::Repetir { status, body }),
    }
}

/// Records the outcome, or frees the key after a transient failure.
pub async fn cerrar(store: &dyn IdempotenciaStore, clave: &str, status: u16, body: &str) {
    let res = if status >= 500 {
        store.soltar(clave).await
    } else {
        store.completar(clave, status, body).await
    };
    if let Err(e) = res {
        tracing::warn!(error = %e, "could not record the idempotency key's outcome");
    }
}
