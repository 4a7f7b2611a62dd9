//! `VerificadorRemoto`: asks usuarios-service whether a token hash is a live session,
//! and remembers the answer for a short TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{SesionVerificada, Verificador, VerificarSesion};
use crate::ApiError;

/// Past this many cached answers the cache starts over: a flood of made-up tokens must
/// not grow memory without bound.
const MAX_ENTRADAS: usize = 50_000;

pub struct VerificadorRemoto {
    http: reqwest::Client,
    url: String,
    service_token: String,
    ttl: Duration,
    cache: Mutex<HashMap<String, (Instant, Option<SesionVerificada>)>>,
}

impl VerificadorRemoto {
    /// `usuarios_url` is usuarios-service's base URL; `ttl` 0 disables the cache.
    pub fn new(usuarios_url: &str, service_token: &str, ttl: Duration) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(2))
                .build()
                .expect("reqwest client"),
            url: format!(
                "{}/internal/sesiones/verificar",
                usuarios_url.trim_end_matches('/')
            ),
            service_token: service_token.to_owned(),
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    fn en_cache(&self, hash: &str) -> Option<Option<SesionVerificada>> {
        let cache = self.cache.lock().expect("cache lock");
        let (cuando, v) = cache.get(hash)?;
        (cuando.elapsed() < self.ttl).then(|| v.clone())
    }

    fn guardar(&self, hash: &str, v: Option<SesionVerificada>) {
        if self.ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().expect("cache lock");
        if cache.len() >= MAX_ENTRADAS {
            cache.clear();
        }
        cache.insert(hash.to_owned(), (Instant::now(), v));
    }
}

fn no_disponible(detalle: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %detalle, "session check failed");
    ApiError::unavailable(
        "usuarios",
        "No podemos comprobar tu sesión ahora; reintenta",
    )
}

#[async_trait]
impl Verificador for VerificadorRemoto {
    async fn verificar(&self, token_hash: &str) -> Result<Option<SesionVerificada>, ApiError> {
        let vigente = |v: Option<SesionVerificada>| v.filter(|s| s.expira_en > chrono::Utc::now());
        if let Some(v) = self.en_cache(token_hash) {
            return Ok(vigente(v));
        }
        let res = self
            .http
            .post(&self.url)
            .bearer_auth(&self.service_token)
            .json(&VerificarSesion {
                token_hash: token_hash.to_owned(),
            })
            .send()
            .await
            .map_err(no_disponible)?;
        let v = match res.status() {
            reqwest::StatusCode::OK => Some(
                res.json::<SesionVerificada>()
                    .await
                    .map_err(no_disponible)?,
            ),
            reqwest::StatusCode::NOT_FOUND => None,
            other => return Err(no_disponible(format!("usuarios answered {other}"))),
        };
        self.guardar(token_hash, v.clone());
        Ok(vigente(v))
    }
}
