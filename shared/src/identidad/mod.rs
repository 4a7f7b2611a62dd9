//! Who is calling: the `Llamante` extractor every service uses, and the session-token format.
//!
//! A session token is opaque: `efs_` and 32 random bytes in base64url. Only its SHA-256
//! travels between services and only that hash is stored, so a leaked database or log
//! line cannot be replayed as a session. usuarios-service owns the sessions; the other
//! services ask it through `/internal/sesiones/verificar` (see `remoto`), with a short
//! cache. The trade-off, written down in README "Identidad": a revoked token keeps
//! working on the *other* services for at most the cache TTL (2 s by default), in
//! exchange for one small internal call per token per TTL instead of per request, and
//! no signing key to share, rotate or leak.

mod cliente;
mod remoto;

use std::sync::Arc;

use async_trait::async_trait;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, StatusCode};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use cliente::{ip_cliente, ProxiesConfiables};
pub use remoto::VerificadorRemoto;

use crate::auth::constant_time_eq;
use crate::ApiError;

const PREFIJO: &str = "efs_";
/// The header that opens a guest's reservation: the secret from `POST /api/reservar`.
pub const CABECERA_SECRETO: &str = "x-reserva-secreto";
/// 32 bytes in unpadded base64url.
const LARGO_ALEATORIO: usize = 43;

/// What an account is. A buyer, an organizer and a door staff member may share an email:
/// they are separate accounts, told apart at sign-in by `rol`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Rol {
    Comprador,
    Organizador,
    /// Door staff of one organizer: lets people in to that organizer's events, nothing
    /// else.
    Staff,
}

/// A live session, as usuarios-service vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SesionVerificada {
    /// The buyer's or the organizer's id.
    pub sujeto_id: Uuid,
    pub rol: Rol,
    pub expira_en: DateTime<Utc>,
    /// For `staff`: the organizer it works for (read from the account at each check, so a
    /// removed staff account's sessions stop verifying).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizador_id: Option<Uuid>,
}

/// Body of `POST /internal/sesiones/verificar`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VerificarSesion {
    /// SHA-256 of the token, in lower-case hex.
    pub token_hash: String,
}

/// The caller of a request, from its `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Llamante {
    Anonimo,
    Comprador(Uuid),
    Organizador(Uuid),
    /// Door staff: its own id and its organizer's.
    Staff {
        id: Uuid,
        organizador: Uuid,
    },
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform operator.
    Admin,
}

impl Llamante {
    /// 401 for an anonymous caller.
    pub fn exigir_sesion(self) -> Result<Self, ApiError> {
        match self {
            Self::Anonimo => Err(sin_credencial()),
            other => Ok(other),
        }
    }

    /// 401 anonymous, 403 anyone but the platform admin.
    pub fn exigir_admin(self) -> Result<(), ApiError> {
        match self {
            Self::Admin => Ok(()),
            Self::Anonimo => Err(sin_credencial()),
            _ => Err(prohibido(
                "Solo el administrador de la plataforma puede hacer esto",
            )),
        }
    }

    pub fn es_admin(self) -> bool {
        self == Self::Admin
    }

    /// Is this the buyer `id` (or the admin)?
    pub fn es_comprador(self, id: Uuid) -> bool {
        self == Self::Comprador(id) || self.es_admin()
    }
}

/// 401: a session is needed.
pub fn sin_credencial() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "sesion-requerida",
        "Inicia sesión",
        "Esta operación necesita una sesión: 'Authorization: Bearer <token>' de POST /api/sesiones",
    )
}

/// 401: the token was well formed but is not a live session.
pub fn sesion_invalida() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "sesion-invalida",
        "Sesión no válida",
        "La sesión caducó o se cerró: vuelve a iniciar sesión",
    )
}

/// 403: known caller, not allowed.
pub fn prohibido(detail: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "prohibido", "Prohibido", detail)
}

/// Answers whether a token hash is a live session.
#[async_trait]
pub trait Verificador: Send + Sync {
    /// `Ok(None)`: no such session, or expired, or revoked, or its account is gone.
    async fn verificar(&self, token_hash: &str) -> Result<Option<SesionVerificada>, ApiError>;
}

/// Implemented by a service's state so `Llamante` can be extracted.
pub trait Identidades {
    fn admin_token(&self) -> &str;
    fn verificador(&self) -> &Arc<dyn Verificador>;
}

/// A fresh session token.
pub fn nuevo_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    format!(
        "{PREFIJO}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A reservation's guest secret: 128 random bits in unpadded base64url (22 characters).
/// Shown once to whoever booked; only its [`hash_hex`] is stored.
pub fn nuevo_secreto() -> String {
    use base64::Engine;
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Does `presentado` hash to `guardado` (a [`hash_hex`])? Compared in constant time.
pub fn secreto_valido(presentado: &str, guardado: &str) -> bool {
    // Bounded before hashing: a header of any length must not cost more than a short one.
    presentado.len() <= 64 && constant_time_eq(hash_hex(presentado).as_bytes(), guardado.as_bytes())
}

/// `EVENTFLOW_SESION_CACHE_MS` (default 2000): how long a service reuses usuarios' answer
/// about a token, so the most a signed-out token keeps working outside usuarios.
pub fn cache_de_sesiones(e: &mut crate::config::Entorno) -> std::time::Duration {
    e.milisegundos("EVENTFLOW_SESION_CACHE_MS", 2_000, 0)
}

/// What a service other than usuarios needs to know who calls it.
#[derive(Debug, Clone)]
pub struct IdentidadConfig {
    /// usuarios-service's base URL (`USUARIOS_URL`), where sessions are verified.
    pub usuarios_url: String,
    /// The holder's own service token (notificaciones': `EVENTFLOW_TOKEN_NOTIFICACIONES`),
    /// presented to usuarios' `/internal/sesiones/verificar`.
    pub service_token: crate::secreto::Secreto,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin.
    pub admin_token: crate::secreto::Secreto,
    /// `EVENTFLOW_SESION_CACHE_MS`.
    pub cache: std::time::Duration,
}

impl IdentidadConfig {
    /// Development tokens and usuarios at `usuarios_url`.
    pub fn embedded(usuarios_url: &str) -> Self {
        Self {
            usuarios_url: usuarios_url.to_owned(),
            service_token: crate::auth::Servicio::Notificaciones.token_dev().into(),
            admin_token: crate::config::DEV_ADMIN_TOKEN.into(),
            cache: std::time::Duration::from_secs(2),
        }
    }

    /// `USUARIOS_URL` (http://127.0.0.1:8001), `EVENTFLOW_TOKEN_NOTIFICACIONES`,
    /// `EVENTFLOW_ADMIN_TOKEN`, `EVENTFLOW_SESION_CACHE_MS`.
    pub fn desde(e: &mut crate::config::Entorno, mode: crate::config::BackendMode) -> Self {
        use crate::config::{required_token, DEV_ADMIN_TOKEN};
        Self {
            usuarios_url: e.url_http("USUARIOS_URL", "http://127.0.0.1:8001"),
            service_token: crate::auth::Servicio::Notificaciones.token_desde(e, mode),
            admin_token: required_token(e, "EVENTFLOW_ADMIN_TOKEN", mode, DEV_ADMIN_TOKEN),
            cache: cache_de_sesiones(e),
        }
    }

    /// The verifier that asks usuarios.
    pub fn verificador(&self) -> Arc<dyn Verificador> {
        Arc::new(VerificadorRemoto::new(
            &self.usuarios_url,
            self.service_token.expose(),
            self.cache,
        ))
    }
}

/// Does `t` look like one of our session tokens? Checked before any lookup.
pub fn formato_valido(t: &str) -> bool {
    t.strip_prefix(PREFIJO).is_some_and(|r| {
        r.len() == LARGO_ALEATORIO
            && r.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

/// SHA-256 in lower-case hex: how tokens (and reservation secrets) are stored.
pub fn hash_hex(secreto: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(secreto.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bearer token of a request, if any. `Err` for an `Authorization` that is not a bearer.
pub fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(v) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| ApiError::unauthorized("La cabecera Authorization no es texto válido"))?;
    match v.strip_prefix("Bearer ") {
        Some(t) if !t.trim().is_empty() => Ok(Some(t.trim())),
        _ => Err(ApiError::unauthorized(
            "La cabecera Authorization debe ser 'Bearer <token>'",
        )),
    }
}

impl<S: Identidades + Send + Sync> FromRequestParts<S> for Llamante {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if let Some(cached) = parts.extensions.get::<Llamante>() {
            return Ok(*cached);
        }
        let llamante = match bearer(parts)? {
            None => Llamante::Anonimo,
            Some(t) => {
                let admin = state.admin_token();
                if !admin.is_empty() && constant_time_eq(t.as_bytes(), admin.as_bytes()) {
                    Llamante::Admin
                } else if !formato_valido(t) {
                    return Err(ApiError::unauthorized(
                        "El token no tiene el formato de una sesión de EventFlow",
                    ));
                } else {
                    match state.verificador().verificar(&hash_hex(t)).await? {
                        Some(s) => match s.rol {
                            Rol::Comprador => Llamante::Comprador(s.sujeto_id),
                            Rol::Organizador => Llamante::Organizador(s.sujeto_id),
                            Rol::Staff => match s.organizador_id {
                                Some(organizador) => Llamante::Staff {
                                    id: s.sujeto_id,
                                    organizador,
                                },
                                None => return Err(sesion_invalida()),
                            },
                        },
                        None => return Err(sesion_invalida()),
                    }
                }
            }
        };
        parts.extensions.insert(llamante);
        Ok(llamante)
    }
}

/// A caller with a session (or the admin): rejects anonymous requests with 401 before
/// the body is read, so a stranger learns nothing from validation errors.
#[derive(Debug, Clone, Copy)]
pub struct ConSesion(pub Llamante);

impl<S: Identidades + Send + Sync> FromRequestParts<S> for ConSesion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Ok(Self(
            Llamante::from_request_parts(parts, state)
                .await?
                .exigir_sesion()?,
        ))
    }
}

/// Who publishes and manages events: an organizer's session or the platform admin. 401
/// anonymous, 403 a buyer, before the body is read.
#[derive(Debug, Clone, Copy)]
pub struct Publicador(pub Llamante);

impl Publicador {
    /// May this caller manage an event owned by `organizador_id`? The admin manages
    /// every event; an organizer only its own (events the admin made have no owner).
    pub fn gestiona(self, organizador_id: Option<&str>) -> bool {
        match self.0 {
            Llamante::Admin => true,
            Llamante::Organizador(o) => organizador_id == Some(o.to_string().as_str()),
            Llamante::Comprador(_) | Llamante::Staff { .. } | Llamante::Anonimo => false,
        }
    }
}

impl<S: Identidades + Send + Sync> FromRequestParts<S> for Publicador {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Llamante::from_request_parts(parts, state).await? {
            Llamante::Anonimo => Err(sin_credencial()),
            Llamante::Comprador(_) => Err(prohibido(
                "Solo una cuenta de organizador publica y gestiona eventos",
            )),
            Llamante::Staff { .. } => Err(prohibido(
                "El personal de puerta solo registra ingresos: esto lo hace su organizador",
            )),
            otro => Ok(Self(otro)),
        }
    }
}

/// Who works an event's door: its organizer, the organizer's door staff, or the
/// platform admin. 401 anonymous, 403 a buyer, before the body is read.
#[derive(Debug, Clone, Copy)]
pub struct Portero(pub Llamante);

impl Portero {
    /// May this caller work the door of an event owned by `organizador_id`?
    pub fn atiende(self, organizador_id: Option<&str>) -> bool {
        match self.0 {
            Llamante::Staff { organizador, .. } => {
                organizador_id == Some(organizador.to_string().as_str())
            }
            otro => Publicador(otro).gestiona(organizador_id),
        }
    }
}

impl<S: Identidades + Send + Sync> FromRequestParts<S> for Portero {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Llamante::from_request_parts(parts, state).await? {
            Llamante::Anonimo => Err(sin_credencial()),
            Llamante::Comprador(_) => Err(prohibido(
                "Solo el organizador del evento o su personal de puerta registran ingresos",
            )),
            otro => Ok(Self(otro)),
        }
    }
}

/// The platform admin only: 401 anonymous, 403 anyone else, before the body is read.
#[derive(Debug, Clone, Copy)]
pub struct AdminPlataforma;

impl<S: Identidades + Send + Sync> FromRequestParts<S> for AdminPlataforma {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Llamante::from_request_parts(parts, state)
            .await?
            .exigir_admin()?;
        Ok(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_well_formed() {
        let a = nuevo_token();
        let b = nuevo_token();
        assert_ne!(a, b);
        assert!(formato_valido(&a), "{a}");
        for bad in [
            "",
            "efs_",
            "efs_abc",
            "xyz_",
            &a[1..],
            &format!("{a}x"),
            &a.replace('_', "/"),
        ] {
            assert!(!formato_valido(bad), "{bad:?}");
        }
        assert_eq!(hash_hex("abc").len(), 64);
        assert_eq!(
            hash_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
