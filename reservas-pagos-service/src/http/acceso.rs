//! Who may see or cancel a reservation: its buyer's session, its guest secret, the
//! event's organizer, or the platform admin. Everyone else gets the same 404 as for a
//! reservation that does not exist, so ids reveal nothing.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{self, Llamante, CABECERA_SECRETO};
use eventflow_shared::ids::{EventoId, ReservaId};
use eventflow_shared::{ApiError, ApiPath, Problem};
use utoipa::IntoResponses;

use super::AppState;
use crate::domain::Reserva;

/// The reservation of `/api/reservas/{id}…`, loaded only when the caller may act on it
/// ([`cargar`]), with the request's correlation id.
pub struct ReservaVisible {
    pub reserva: Reserva,
    pub corr: String,
}

impl FromRequestParts<AppState> for ReservaVisible {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, ApiError> {
        let llamante = Llamante::from_request_parts(parts, st).await?;
        let Ok(CorrelationId(corr)) = CorrelationId::from_request_parts(parts, st).await;
        let ApiPath(id) = ApiPath::<String>::from_request_parts(parts, st).await?;
        let reserva = cargar(st, llamante, &parts.headers, &id, &corr).await?;
        Ok(Self { reserva, corr })
    }
}

/// What every route about one reservation answers a caller who may not see it.
#[derive(IntoResponses)]
#[allow(dead_code)] // Only describes responses.
pub enum ProblemasDeAcceso {
    #[response(
        status = 401,
        description = "Sin sesión ni `X-Reserva-Secreto`, o sesión caducada o cerrada",
        content_type = "application/problem+json"
    )]
    SinCredencial(Problem),
    #[response(
        status = 404,
        description = "No existe, o no es suya (o el secreto no es el suyo)",
        content_type = "application/problem+json"
    )]
    NoEsSuya(Problem),
    #[response(
        status = 422,
        description = "Id inválido",
        content_type = "application/problem+json"
    )]
    IdInvalido(Problem),
}

/// The `X-Reserva-Secreto` header, if present and readable.
pub fn secreto(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(CABECERA_SECRETO)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn no_existe(id: &str) -> ApiError {
    ApiError::not_found(format!("No existe la reserva {id}"))
}

/// Loads reservation `id` if the caller may act on it. An anonymous caller without a
/// secret gets 401 before anything is looked up.
pub async fn cargar(
    st: &AppState,
    llamante: Llamante,
    headers: &HeaderMap,
    id: &str,
    corr: &str,
) -> Result<Reserva, ApiError> {
    let secreto = secreto(headers);
    if llamante == Llamante::Anonimo && secreto.is_none() {
        return Err(identidad::sin_credencial());
    }
    let id = &ReservaId::parse("id", id)?;
    let r = st
        .deps
        .reservas
        .get(id)
        .await?
        .ok_or_else(|| no_existe(id))?;
    if puede(st, llamante, secreto, &r, corr).await? {
        Ok(r)
    } else {
        Err(no_existe(id))
    }
}

pub(super) async fn puede(
    st: &AppState,
    llamante: Llamante,
    secreto: Option<&str>,
    r: &Reserva,
    corr: &str,
) -> Result<bool, ApiError> {
    if let (Some(s), Some(h)) = (secreto, r.secreto_hash.as_deref()) {
        if identidad::secreto_valido(s, h) {
            return Ok(true);
        }
    }
    Ok(match llamante {
        Llamante::Admin => true,
        Llamante::Comprador(u) => r.usuario_id.as_deref() == Some(u.to_string().as_str()),
        Llamante::Organizador(o) => es_del_organizador(st, &r.evento_id, o, corr).await?,
        // Door staff admit tickets; they do not read reservations.
        Llamante::Staff { .. } | Llamante::Anonimo => false,
    })
}

/// Does organizer `o` own event `evento_id`? An event that no longer exists has no
/// organizer to ask for it.
pub async fn es_del_organizador(
    st: &AppState,
    evento_id: &EventoId,
    o: uuid::Uuid,
    corr: &str,
) -> Result<bool, ApiError> {
    match st.deps.eventos.obtener(evento_id, corr).await {
        Ok(e) => Ok(e.organizador_id.as_deref() == Some(o.to_string().as_str())),
        Err(crate::puertos::ClientError::NotFound) => Ok(false),
        Err(e) => Err(crate::puertos::dependencia(e, "El evento")),
    }
}

/// Buyer `usuario`'s reservations for events of organizer `o`, oldest owner order kept.
pub async fn del_organizador(
    st: &AppState,
    o: uuid::Uuid,
    usuario: &str,
    corr: &str,
) -> Result<Vec<Reserva>, ApiError> {
    // A buyer has a handful of reservations (max_por_comprador per event), so reading
    // them all and keeping the organizer's is cheap; each event is asked about once.
    let mut todas = Vec::new();
    loop {
        let (pagina, total) = st
            .deps
            .reservas
            .por_usuario(usuario, 100, todas.len() as u32)
            .await?;
        let fin = pagina.is_empty() || todas.len() as u64 + pagina.len() as u64 >= total;
        todas.extend(pagina);
        if fin {
            break;
        }
    }
    let mut visto = std::collections::HashMap::new();
    let mut suyas = Vec::new();
    for r in todas {
        let propio = match visto.get(&r.evento_id) {
            Some(p) => *p,
            None => {
                let p = es_del_organizador(st, &r.evento_id, o, corr).await?;
                visto.insert(r.evento_id.clone(), p);
                p
            }
        };
        if propio {
            suyas.push(r);
        }
    }
    Ok(suyas)
}
