//! `POST /api/reservas/reenviar` `{email}`: a buyer who lost their link asks for it
//! again. Every sold reservation of that email (CONFIRMADA, or CANCELADA since) gets a
//! new guest secret and its link goes out as a `ReservaReenviada` message, written in the
//! same single-document write as the new secret, so a link is never changed without
//! being sent (nor sent without being changed). The old links stop working.
//!
//! The answer is the same 202 whatever the email: the work runs after it, so neither the
//! body nor the time tells whether the email bought anything. Limited per email and per
//! client IP, an hour at a time, with counters in the reservations' store, so the limits
//! hold across instances.

use std::net::IpAddr;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Duration, DurationRound, Utc};
use eventflow_shared::bus::{Mensaje, ReservaReenviada};
use eventflow_shared::email::Email;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::ip_cliente;
use eventflow_shared::problemas::BodyProblems;
use eventflow_shared::secreto::Secreto;
use eventflow_shared::{ApiError, ApiJson, Problem};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

use super::AppState;
use crate::domain::{Estado, Reserva};
use crate::puertos::ClientError;
use crate::reservar::secreto;

/// A write that lost to another writer (a cancel, the door, the relay, another re-send
/// of the same email) reads and tries again, after a short random pause so racing
/// writers spread out: of N at once, the last needs up to N tries.
const INTENTOS: usize = 40;

/// The same words whatever the email: they must not tell whether it bought anything.
pub const MENSAJE: &str = "Si ese email tiene reservas, te enviamos de nuevo sus enlaces. \
    Los enlaces anteriores dejan de funcionar.";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PedidoReenvio {
    /// The email the reservations were bought with.
    #[schema(example = "ana.quispe@example.com")]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReenvioAceptado {
    #[schema(
        example = "Si ese email tiene reservas, te enviamos de nuevo sus enlaces. Los enlaces anteriores dejan de funcionar."
    )]
    pub mensaje: String,
}

/// The caller's IP, as the trusted proxies tell it.
pub struct IpCliente(pub IpAddr);

impl FromRequestParts<AppState> for IpCliente {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        Ok(Self(ip_cliente(parts)))
    }
}

/// Sends the buyer's reservations again, with new links.
#[utoipa::path(post, path = "/api/reservas/reenviar", tag = "reservas",
    summary = "Reenviar los enlaces de mis reservas",
    description = "Para quien perdió el enlace de su reserva: envía de nuevo (como notificación, que hace de correo) cada reserva vendida de ese email, confirmada o cancelada, con un enlace nuevo `/reservas/{id}?s=<secreto>`; los enlaces anteriores dejan de funcionar. Responde siempre el mismo 202, tenga o no reservas ese email, y el envío ocurre después de responder. Sin sesión. Como mucho 3 por hora por email y 20 por hora por IP (RESERVAS_REENVIOS_POR_EMAIL y RESERVAS_REENVIOS_POR_IP), contados en el almacén, así que valen en todas las instancias.",
    request_body = PedidoReenvio, security(()),
    responses(
        (status = 202, description = "Aceptado: si el email tiene reservas, se reenvían", body = ReenvioAceptado),
        BodyProblems,
        (status = 422, description = "El email no es válido", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`demasiados-reenvios`: demasiados reenvíos para ese email o desde esa IP en esta hora; `Retry-After` dice cuánto esperar", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Segundos"))),
        (status = 503, description = "MongoDB no responde: no se contó ni se envió nada", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reenviar(
    State(st): State<AppState>,
    IpCliente(ip): IpCliente,
    CorrelationId(corr): CorrelationId,
    ApiJson(pedido): ApiJson<PedidoReenvio>,
) -> Result<(StatusCode, Json<ReenvioAceptado>), ApiError> {
    let ahora = eventflow_shared::now();
    // The address first: a flood of any body from one address stops here.
    let por = st.reenvios;
    limitar(
        &st,
        &format!("ip:{ip}"),
        por.por_ip,
        ahora,
        "desde tu conexión",
    )
    .await?;
    let email = Email::parse(&pedido.email).map_err(|m| ApiError::field("email", m))?;
    let clave = format!(
        "email:{}",
        huella(&st.reservar.clave_huellas, email.as_str())
    );
    limitar(&st, &clave, por.por_email, ahora, "para ese email").await?;
    let st2 = st.clone();
    tokio::spawn(async move {
        if let Err(e) = reenviar_todas(&st2, email.as_str(), &corr).await {
            // The buyer may ask again; nothing was half-done (each write is whole).
            tracing::warn!(error = %e, "re-send stopped");
        }
    });
    Ok((
        StatusCode::ACCEPTED,
        Json(ReenvioAceptado {
            mensaje: MENSAJE.into(),
        }),
    ))
}

/// The email as the counters store it: keyed, so the store holds no address in clear.
fn huella(clave: &Secreto, email: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(clave.expose().as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(b"eventflow/reservas/reenvios/v1:");
    mac.update(email.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Counts one for `clave` in this hour; past `max`, 429 until the hour ends.
async fn limitar(
    st: &AppState,
    clave: &str,
    max: u32,
    ahora: DateTime<Utc>,
    de_quien: &str,
) -> Result<(), ApiError> {
    let ventana = ahora
        .duration_trunc(Duration::hours(1))
        .map_err(ApiError::internal)?;
    let fin = ventana + Duration::hours(1);
    let n = st
        .contadores
        .sumar(clave, ventana, fin + Duration::hours(1))
        .await?;
    if n <= max {
        return Ok(());
    }
    let s = (fin - ahora).num_seconds().max(1) as u64;
    Err(ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "demasiados-reenvios",
        "Demasiados reenvíos",
        format!("Ya pediste varios reenvíos {de_quien}; espera {s} s y vuelve a probar"),
    )
    .retry_after(s))
}

/// Every sold reservation of `email`, each with a new secret and its message.
async fn reenviar_todas(st: &AppState, email: &str, corr: &str) -> Result<(), ApiError> {
    let comprador = match st.deps.usuarios.buscar(email, corr).await {
        Ok(c) => c,
        // No such buyer: nothing to send, and the answer already went out the same.
        Err(ClientError::NotFound) => return Ok(()),
        Err(e) => return Err(crate::puertos::dependencia(e, "usuarios")),
    };
    let clave = secreto::clave(&st.reservar.clave_huellas);
    let usuario = comprador.id.to_string();
    let mut ids = Vec::new();
    loop {
        let (pagina, total) = st
            .deps
            .reservas
            .por_usuario(&usuario, 100, ids.len() as u32)
            .await?;
        let fin = pagina.is_empty() || ids.len() as u64 + pagina.len() as u64 >= total;
        ids.extend(pagina.into_iter().map(|r| r.id));
        if fin {
            break;
        }
    }
    let mut enviadas = 0;
    for id in ids {
        if reenviar_una(st, &clave, &id, corr).await? {
            enviadas += 1;
        }
    }
    tracing::info!(reservas = enviadas, "links re-sent");
    Ok(())
}

/// A sold reservation's next secret and its message, in one version-guarded write;
/// `false` for one that is not sold or is still running (a SAGA or a cancellation owns
/// it; its own outcome reaches the buyer).
async fn reenviar_una(
    st: &AppState,
    clave: &Secreto,
    id: &str,
    corr: &str,
) -> Result<bool, ApiError> {
    for _ in 0..INTENTOS {
        let Some(mut r) = st.deps.reservas.get(id).await? else {
            return Ok(false);
        };
        if !matches!(r.estado, Estado::Confirmada | Estado::Cancelada) {
            return Ok(false);
        }
        let s = secreto::renovar(clave, &mut r);
        // The re-send request's id, as every notification carries its request's.
        r.outbox.push(mensaje(&r, &s).pendiente(corr));
        if st.deps.reservas.guardar(&mut r).await? {
            st.deps.outbox.notify_one();
            return Ok(true);
        }
        let pausa = rand::random::<u64>() % 20 + 1;
        tokio::time::sleep(std::time::Duration::from_millis(pausa)).await;
    }
    Err(ApiError::internal(format!(
        "reservation {id} kept changing under {INTENTOS} tries"
    )))
}

fn mensaje(r: &Reserva, s: &str) -> Mensaje {
    Mensaje::ReservaReenviada(ReservaReenviada {
        reserva_id: r.id.clone(),
        usuario_id: r.usuario_id.clone(),
        evento_id: r.evento_id.clone(),
        estado: if r.estado == Estado::Cancelada {
            "CANCELADA"
        } else {
            "CONFIRMADA"
        }
        .into(),
        enlace: format!("/reservas/{}?s={s}", r.id),
    })
}
