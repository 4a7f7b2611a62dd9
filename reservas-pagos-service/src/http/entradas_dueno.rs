//! What a ticket's owner does with it alone: cancel it (`POST /api/entradas/{codigo}/
//! cancelar`) and hand it to someone else (`…/transferir`). Parse, ask who may, render;
//! the steps are the SAGA's (`saga::cancelacion_entrada`, `saga::transferencia`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use eventflow_shared::email::Email;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{self, Llamante};
use eventflow_shared::problemas::BodyProblems;
use eventflow_shared::secreto::Secreto;
use eventflow_shared::{ApiError, ApiJson, ApiPath, Problem};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::acceso;
use super::AppState;
use crate::domain::{normalizar_codigo, una_entrada, Entrada, Reserva};
use crate::saga::transferencia::NuevoTitular;

/// `X-Entrada-Secreto`: one ticket's own secret, for a holder who is not its buyer
/// (someone it was transferred to). It opens that ticket and nothing else.
pub const CABECERA_SECRETO_ENTRADA: &str = "x-entrada-secreto";

/// The key tickets' secrets derive from: itself derived from the service's key
/// (`RESERVAS_CLAVE_HUELLAS`), under a label of its own.
pub fn clave_entradas(st: &AppState) -> Secreto {
    crate::config::derivar_clave(
        st.reservar.clave_huellas.expose(),
        "eventflow/reservas/secretos-de-entrada/v1",
    )
}

/// Whether the request carries ticket `codigo`'s own secret.
pub fn con_secreto_de_entrada(st: &AppState, headers: &HeaderMap, codigo: &str) -> bool {
    headers
        .get(CABECERA_SECRETO_ENTRADA)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| una_entrada::secreto_valido(&clave_entradas(st), codigo, s))
}

fn no_existe(codigo: &str) -> ApiError {
    ApiError::not_found(format!("No existe la entrada {codigo}"))
}

/// Ticket `codigo`'s reservation, if the caller owns the ticket: its buyer's session,
/// its reservation's guest secret, the ticket's own secret when `por_titular`, or the
/// admin when `admin`. Anyone else, the event's organizer included, gets the same 404
/// as for a code that does not exist. Returns the canonical code too.
async fn del_dueno(
    st: &AppState,
    llamante: Llamante,
    headers: &HeaderMap,
    codigo: &str,
    admin: bool,
    por_titular: bool,
) -> Result<(Reserva, String), ApiError> {
    let secreto = acceso::secreto(headers);
    let de_entrada = headers.contains_key(CABECERA_SECRETO_ENTRADA) && por_titular;
    if llamante == Llamante::Anonimo && secreto.is_none() && !de_entrada {
        return Err(identidad::sin_credencial());
    }
    let canonico = normalizar_codigo(codigo).ok_or_else(|| no_existe(codigo))?;
    let r = st
        .deps
        .reservas
        .por_codigo(&canonico)
        .await?
        .ok_or_else(|| no_existe(codigo))?;
    let suya = match (secreto, r.secreto_hash.as_deref()) {
        (Some(s), Some(h)) if identidad::secreto_valido(s, h) => true,
        _ => match llamante {
            Llamante::Admin => admin,
            Llamante::Comprador(u) => r.usuario_id.as_deref() == Some(u.to_string().as_str()),
            _ => false,
        },
    } || (de_entrada && con_secreto_de_entrada(st, headers, &canonico));
    if !suya {
        return Err(no_existe(codigo));
    }
    Ok((r, canonico))
}

/// The answer to cancelling one ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntradaCanceladaRespuesta {
    pub reserva_id: String,
    /// The ticket, now ANULADA (`motivo: cancelada`).
    pub entrada: Entrada,
    /// What was refunded for it, in minor units: its price.
    #[schema(example = 2500)]
    pub reembolsado: i64,
    /// VALIDA tickets the reservation has left. At 0 with none used, the reservation
    /// was cancelled with it (CANCELADA).
    #[schema(example = 2)]
    pub entradas_validas: usize,
}

/// Cancel one ticket: its price refunded, one seat back on sale, the rest kept.
#[utoipa::path(post, path = "/api/entradas/{codigo}/cancelar", tag = "entradas",
    summary = "Cancelar una entrada",
    description = "Cancela una sola entrada de una reserva confirmada: queda ANULADA (`cancelada`) al instante, se reembolsa exactamente su precio (un reembolso parcial del pago) y un asiento de su zona vuelve a la venta; la reserva sigue CONFIRMADA con las demás. Si era la última entrada que deja entrar a alguien, la reserva se cancela entera (CANCELADA) por los pasos de la cancelación. Cada paso es idempotente y queda en la bitácora; si una dependencia no responde, la cancelación se completa sola. Solo su dueño (la sesión del comprador o `X-Reserva-Secreto` de su reserva) o el administrador.",
    params(("codigo" = String, Path, description = "El código, como se escriba")),
    security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "Cancelada", body = EntradaCanceladaRespuesta),
        (status = 401, description = "Sin sesión ni `X-Reserva-Secreto`, o sesión caducada", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe, o no es suya", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`entrada-usada`, `entrada-anulada` (ya cancelada o transferida, o su reserva se está cancelando), `evento-finalizado`, o `reserva-modificada` (demasiados cambios a la vez: intente de nuevo)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Una dependencia no responde; la cancelación se completará sola", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancelar_entrada(
    State(st): State<AppState>,
    llamante: Llamante,
    CorrelationId(corr): CorrelationId,
    headers: HeaderMap,
    ApiPath(codigo): ApiPath<String>,
) -> Result<Json<EntradaCanceladaRespuesta>, ApiError> {
    let (r, codigo) = del_dueno(&st, llamante, &headers, &codigo, true, false).await?;
    let hecho = crate::saga::cancelacion_entrada::cancelar(&st.deps, r, &codigo, &corr).await?;
    tracing::info!(reserva_id = %hecho.reserva.id, entrada = %codigo, reembolsado = hecho.reembolsado, "ticket cancelled alone");
    Ok(Json(EntradaCanceladaRespuesta {
        reserva_id: hecho.reserva.id.to_string(),
        entradas_validas: hecho.reserva.entradas_validas(),
        entrada: hecho.entrada,
        reembolsado: hecho.reembolsado,
    }))
}

/// Body of `POST /api/entradas/{codigo}/transferir`: who the ticket goes to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "beto@example.com", "nombre": "Beto Ríos"}))]
pub struct PedirTransferencia {
    /// Where their ticket's link is sent.
    pub email: String,
    /// The new holder's name: the ticket's `titular`, shown at the door.
    pub nombre: String,
}

/// The answer to a transfer.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransferenciaRespuesta {
    /// The old code, now ANULADA (`transferida`).
    #[schema(example = "0H1J2K3M4N")]
    pub anterior: String,
    /// The new ticket, VALIDA, with the new holder as `titular`.
    pub entrada: Entrada,
    /// The new holder's link to it, with the ticket's own secret (also sent to them).
    #[schema(example = "/entradas/7K2QX9M4TB?s=3q2-7wE1l3mFZ9bX0aQvKA")]
    pub enlace: String,
}

/// Hand one ticket to someone else: the old code annulled, a new one issued to them.
#[utoipa::path(post, path = "/api/entradas/{codigo}/transferir", tag = "entradas",
    summary = "Transferir una entrada",
    description = "Entrega una entrada a otra persona: en una sola escritura el código anterior queda ANULADO (`transferida`) y se emite un código nuevo a su nombre (`titular`), así que una captura del QR anterior ya no entra. El nuevo titular recibe un aviso con su enlace (`/entradas/{codigo}?s=<secreto>`); con ese secreto (`X-Entrada-Secreto`) abre su entrada y su QR. Solo su dueño: la sesión del comprador, `X-Reserva-Secreto` de su reserva, o `X-Entrada-Secreto` de esa entrada. El organizador puede prohibirlo por evento.",
    params(
        ("codigo" = String, Path, description = "El código, como se escriba"),
        ("X-Entrada-Secreto" = Option<String>, Header, description = "El secreto de esta entrada, para quien la recibió transferida"),
    ),
    request_body = PedirTransferencia,
    security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 201, description = "Transferida", body = TransferenciaRespuesta),
        BodyProblems,
        (status = 401, description = "Sin credencial, o sesión caducada", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe, o no es suya", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`entrada-usada`, `entrada-anulada`, `transferencias-no-permitidas` (el organizador no lo permite) o `reserva-modificada` (demasiados cambios a la vez: intente de nuevo)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos: `email` o `nombre`, o un campo que no se admite", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "eventos o MongoDB no responde; no se transfirió nada", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn transferir_entrada(
    State(st): State<AppState>,
    llamante: Llamante,
    CorrelationId(corr): CorrelationId,
    headers: HeaderMap,
    ApiPath(codigo): ApiPath<String>,
    ApiJson(pedido): ApiJson<PedirTransferencia>,
) -> Result<(StatusCode, Json<TransferenciaRespuesta>), ApiError> {
    let email = Email::parse(&pedido.email).map_err(|m| ApiError::field("email", m))?;
    let nombre = pedido.nombre.trim();
    if nombre.is_empty() || nombre.chars().count() > 100 {
        return Err(ApiError::field(
            "nombre",
            "debe tener entre 1 y 100 caracteres",
        ));
    }
    let (r, codigo) = del_dueno(&st, llamante, &headers, &codigo, false, true).await?;
    let a = NuevoTitular {
        nombre: nombre.to_owned(),
        email: email.to_string(),
    };
    let clave = clave_entradas(&st);
    let t = crate::saga::transferencia::transferir(&st.deps, r, &codigo, &a, &clave, &corr).await?;
    tracing::info!(reserva_id = %t.reserva.id, anterior = %t.anterior.codigo, nueva = %t.nueva.codigo, "ticket transferred");
    Ok((
        StatusCode::CREATED,
        Json(TransferenciaRespuesta {
            anterior: t.anterior.codigo,
            enlace: crate::saga::transferencia::enlace(&t.nueva.codigo, &t.secreto),
            entrada: t.nueva,
        }),
    ))
}
