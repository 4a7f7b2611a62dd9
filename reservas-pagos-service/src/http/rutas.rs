//! reservas routes (named `rutas`, not `handlers`: the SAGA's steps are the handlers): start the SAGA, read reservations and their log, cancel.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{ConSesion, Llamante};
use eventflow_shared::ids::EventoId;
use eventflow_shared::pagina::Paginacion;
use eventflow_shared::problemas::{
    BodyProblems, EventNotFound, InvalidId, MongoUnavailable, ServiceCredential, SessionRequired,
};
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, Problem};

use super::acceso::{self, ProblemasDeAcceso, ReservaVisible};
use super::dto::{Bitacora, ListarReservas, PaginaReservas, ReservaRespuesta};
use super::seed001::{self, ProblemaReserva};
use super::AppState;
use crate::domain::{Reserva, SolicitudReserva};
use crate::reservar::{self, Desenlace, Pedido, Repeticion};
use crate::saga::FalloSimulado;

fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let ct = if status.is_success() {
        "application/json"
    } else {
        "application/problem+json"
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(ct))],
        body,
    )
        .into_response()
}

/// Book tickets: runs the SAGA `ValidadorDatos → ValidadorInventario → ProcesadorPago →
/// ConfirmadorReserva`. On failure every completed step is compensated.
#[utoipa::path(post, path = "/api/reservar", tag = "reservas",
    summary = "Reservar entradas",
    description = "Reserva entradas ejecutando la SAGA `ValidadorDatos → ValidadorInventario → ProcesadorPago → ConfirmadorReserva`. Si algo falla, se compensa cada paso ya completado.",
    security((), ("bearer" = [])),
    request_body = SolicitudReserva,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "Misma clave y cuerpo: repite la primera respuesta"),
        ("X-Simular-Fallo" = Option<String>, Header, description = "`confirmacion`: falla tras el pago; `incierto`: la confirmación queda sin respuesta (202) y la recuperación la completa (solo con RESERVAS_SIMULAR_FALLOS=1)"),
    ),
    responses(
        (status = 201, description = "Reserva CONFIRMADA, con los pasos de la SAGA y `secreto`: sin cuenta, es lo que abre la reserva después (`X-Reserva-Secreto` o el enlace `/reservas/{id}?s=<secreto>`); se muestra una sola vez. Sin Idempotency-Key, una solicitud idéntica (evento, zona y cantidad) a una reserva del mismo remitente (la misma sesión, o el mismo invitado: mismo cuerpo y misma conexión) de hace menos de 10 s recibe esa reserva, con `Idempotent-Replayed: true`, en vez de un segundo cobro. Lleva `status: \"ok\"`, como la semilla 001", body = ReservaRespuesta),
        (status = 202, description = "Reserva EN_CURSO: un paso tras el pago no respondió a tiempo y su resultado aún no se conoce. No se deshace nada a ciegas: la reserva se completa sola (o se reembolsa si no puede); consúltela en `Location`", body = ReservaRespuesta),
        BodyProblems,
        (status = 401, description = "Token con formato inválido, o sesión caducada o cerrada", body = Problem, content_type = "application/problem+json"),
        (status = 402, description = "Pago rechazado; retención liberada y bloqueo borrado", body = ProblemaReserva, content_type = "application/problem+json"),
        (status = 403, description = "Con una sesión de comprador solo se reserva para uno mismo; una cuenta de organizador no compra", body = ProblemaReserva, content_type = "application/problem+json"),
        (status = 404, description = "El usuario o el evento no existe", body = ProblemaReserva, content_type = "application/problem+json"),
        (status = 409, description = "`agotado`, `compra-en-curso` (bloqueo), `limite-por-comprador` (supera `max_por_comprador` del evento, con `maximo`, y `ya_tienes` solo para una sesión o el administrador), `evento-finalizado`, `solicitud-en-curso`, o `inicia-sesion`: sin sesión, la cuenta nombrada tiene contraseña (no se reserva ni se cobra nada)", body = ProblemaReserva, content_type = "application/problem+json"),
        (status = 422, description = "Datos inválidos, zona desconocida o Idempotency-Key reutilizada", body = ProblemaReserva, content_type = "application/problem+json"),
        (status = 429, description = "`demasiadas-reservas`: sin sesión, esta IP ya empezó RESERVAS_ANONIMAS_POR_IP compras en el último minuto; `Retry-After` dice cuánto esperar. No se empezó nada", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Segundos"))),
        (status = 503, description = "Una dependencia no responde; todo lo hecho se compensó. O `sobrecarga`: ya hay RESERVAS_MAX_EN_CURSO reservas en curso y esta se rechaza al instante, sin empezar nada", body = ProblemaReserva, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn reservar(
    State(st): State<AppState>,
    llamante: Llamante,
    super::cupo::CupoAnonimo(ip_invitado): super::cupo::CupoAnonimo,
    CorrelationId(corr): CorrelationId,
    headers: HeaderMap,
    ApiJson(solicitud): ApiJson<SolicitudReserva>,
) -> Response {
    let semilla = seed001::forma_semilla(&solicitud);
    let clave = match clave(&headers) {
        Ok(c) => c,
        Err(e) => return seed001::problema(e, semilla),
    };
    let pedido = Pedido {
        solicitud,
        llamante,
        ip_invitado,
        clave,
        correlacion: corr,
        fallo_simulado: headers
            .get("x-simular-fallo")
            .and_then(|v| v.to_str().ok())
            .and_then(FalloSimulado::parse),
    };
    match st.reservar.ejecutar(pedido).await {
        Ok(desenlace) => responder(desenlace, semilla),
        Err(e) => seed001::problema(e, semilla),
    }
}

/// The request's `Idempotency-Key`, if it has one of the right form.
fn clave(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let v = v.to_str().unwrap_or_default();
    reservar::validar_clave(v)?;
    Ok(Some(v.to_owned()))
}

/// The outcome as a status and a body: EventFlow's, with seed 001's fields.
fn responder(desenlace: Desenlace, semilla: bool) -> Response {
    match desenlace {
        Desenlace::Confirmada { reserva, secreto } => confirmada(&reserva, Some(secreto)),
        Desenlace::Pendiente { reserva, secreto } => en_curso(&reserva, Some(secreto)),
        Desenlace::Rechazada(e) => seed001::problema(e, semilla),
        Desenlace::Repetida(repeticion) => {
            let mut res = match repeticion {
                Repeticion::Confirmada { reserva, secreto } => confirmada(&reserva, secreto),
                Repeticion::EnCurso(reserva) => en_curso(&reserva, None),
                Repeticion::Grabada { status, cuerpo } => {
                    json_response(status, seed001::grabada(status, cuerpo, semilla))
                }
            };
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            res
        }
    }
}

/// 201: the reservation, its guest secret when shown, and seed 001's `status: "ok"`.
fn confirmada(r: &Reserva, secreto: Option<String>) -> Response {
    let mut vista = ReservaRespuesta::from(r);
    vista.secreto = secreto;
    // Plain strings and numbers: serialising cannot fail.
    let body = serde_json::to_string(&seed001::con_ok(&vista)).unwrap_or_default();
    ubicado(json_response(201, body), &r.id)
}

/// 202: the reservation as it stands, EN_CURSO, to follow at its `Location` (a guest
/// with the secret).
fn en_curso(r: &Reserva, secreto: Option<String>) -> Response {
    let mut vista = ReservaRespuesta::from(r);
    vista.secreto = secreto;
    let body = serde_json::to_string(&vista).unwrap_or_default();
    ubicado(json_response(202, body), &r.id)
}

fn ubicado(mut res: Response, id: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("/api/reservas/{id}")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// A buyer's reservations, newest first: your own with a buyer's session (`usuario_id`
/// may be left out), any buyer's as the platform admin, and a buyer's reservations for
/// your events as an organizer.
#[utoipa::path(get, path = "/api/reservas", tag = "reservas",
    summary = "Listar reservas",
    description = "Reservas de un comprador, de la más reciente a la más antigua: las tuyas con una sesión de comprador (`usuario_id` puede omitirse), las de cualquier comprador como administrador de la plataforma, y como organizador las de un comprador para tus eventos.",
    params(ListarReservas, Paginacion), security(("bearer" = [])),
    responses(
        (status = 200, description = "Las reservas del comprador", body = PaginaReservas),
        SessionRequired,
        (status = 404, description = "Las reservas de otro comprador", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`usuario_id` inválido, o ausente siendo administrador u organizador", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn listar_reservas(
    State(st): State<AppState>,
    ConSesion(llamante): ConSesion,
    CorrelationId(corr): CorrelationId,
    pagina: Paginacion,
    ApiQuery(q): ApiQuery<ListarReservas>,
) -> Result<Json<PaginaReservas>, ApiError> {
    let usuario = match (q.usuario_id, llamante) {
        (None, Llamante::Comprador(u)) => u.to_string(),
        (None, _) => return Err(ApiError::field("usuario_id", "es obligatorio")),
        (Some(u), _) => u,
    };
    // Stored ids are canonical (lower case, hyphenated): query with that form.
    let usuario = uuid::Uuid::parse_str(&usuario)
        .map_err(|_| ApiError::field("usuario_id", "debe ser un UUID"))?;
    let usuario_txt = usuario.to_string();
    let (limit, offset) = (pagina.limit(), pagina.offset());
    // Every kind of caller named: a new one must not fall through to the admin's view.
    match llamante {
        Llamante::Admin => {}
        Llamante::Comprador(yo) if yo == usuario => {}
        Llamante::Organizador(o) => {
            return reservas_de_sus_eventos(&st, o, &usuario_txt, limit, offset, &corr).await;
        }
        // Another buyer's; door staff read no reservations.
        Llamante::Comprador(_) | Llamante::Staff { .. } | Llamante::Anonimo => {
            return Err(ApiError::not_found("No hay reservas de ese comprador"));
        }
    }
    let usuario = usuario_txt;
    let (items, total) = st
        .deps
        .reservas
        .por_usuario(&usuario, limit, offset)
        .await?;
    Ok(Json(PaginaReservas {
        items: items.iter().map(ReservaRespuesta::from).collect(),
        total,
        limit,
        offset,
    }))
}

/// An organizer sees a buyer's reservations for the organizer's own events only; a
/// buyer with none of them is, to that organizer, a buyer it cannot see (404).
async fn reservas_de_sus_eventos(
    st: &AppState,
    o: uuid::Uuid,
    usuario: &str,
    limit: u32,
    offset: u32,
    corr: &str,
) -> Result<Json<PaginaReservas>, ApiError> {
    let suyas = acceso::del_organizador(st, o, usuario, corr).await?;
    if suyas.is_empty() {
        return Err(ApiError::not_found("No hay reservas de ese comprador"));
    }
    let total = suyas.len() as u64;
    Ok(Json(PaginaReservas {
        items: suyas
            .iter()
            .skip(offset as usize)
            .take(limit as usize)
            .map(ReservaRespuesta::from)
            .collect(),
        total,
        limit,
        offset,
    }))
}

/// One reservation: its buyer's (session or `X-Reserva-Secreto`), its event's
/// organizer's or the platform admin's.
#[utoipa::path(get, path = "/api/reservas/{id}", tag = "reservas",
    summary = "Consultar una reserva",
    description = "Una reserva. Pueden verla su comprador (con sesión o `X-Reserva-Secreto`), el organizador de su evento o el administrador de la plataforma.",
    params(("id" = String, Path)), security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "La reserva", body = ReservaRespuesta),
        ProblemasDeAcceso,
        MongoUnavailable,
    ))]
pub async fn obtener_reserva(
    ReservaVisible { reserva, .. }: ReservaVisible,
) -> Json<ReservaRespuesta> {
    Json(ReservaRespuesta::from(&reserva))
}

/// The reservation's audit trail: its append-only event log. Same access as the
/// reservation.
#[utoipa::path(get, path = "/api/reservas/{id}/eventos", tag = "reservas",
    summary = "Consultar la bitácora de una reserva",
    description = "La auditoría de la reserva: su registro de eventos, al que solo se añaden entradas. Tiene el mismo acceso que la reserva.",
    params(("id" = String, Path)), security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "Eventos en orden (`seq` desde 1)", body = Bitacora),
        ProblemasDeAcceso,
        MongoUnavailable,
    ))]
pub async fn bitacora(ReservaVisible { reserva, .. }: ReservaVisible) -> Json<Bitacora> {
    Json(Bitacora {
        reserva_id: reserva.id.into(),
        eventos: reserva.eventos,
    })
}

/// Cancel a confirmed reservation: refund, return the tickets, drop it from the history.
/// Idempotent. Its buyer (session or `X-Reserva-Secreto`), its event's organizer or the
/// platform admin.
#[utoipa::path(post, path = "/api/reservas/{id}/cancelar", tag = "reservas",
    summary = "Cancelar una reserva",
    description = "Cancela una reserva confirmada: reembolsa el pago, devuelve las entradas y la quita del historial; es idempotente. Pueden hacerlo su comprador (con sesión o `X-Reserva-Secreto`), el organizador de su evento o el administrador de la plataforma.",
    params(("id" = String, Path)), security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "Reserva CANCELADA (también si ya lo estaba)", body = ReservaRespuesta),
        ProblemasDeAcceso,
        (status = 409, description = "No está confirmada, o el evento ya ocurrió", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Una dependencia no responde; la cancelación se completará sola", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn cancelar(
    State(st): State<AppState>,
    ReservaVisible { reserva, corr }: ReservaVisible,
) -> Result<Json<ReservaRespuesta>, ApiError> {
    let r = crate::saga::cancelacion::cancelar(&st.deps, reserva, &corr).await?;
    Ok(Json(ReservaRespuesta::from(&r)))
}

/// The cuadre of one event, now (the public name `conciliacion` is kept): sales
/// (eventos) ⇔ CONFIRMADA reservations ⇔ APROBADO payments; refunds ⇔ FALLIDA or
/// CANCELADA. Repairs what the idempotent steps can and reports the rest. The organizer
/// reaches it through eventos (the consulta de cuadre).
#[utoipa::path(get, path = "/internal/conciliacion/{evento_id}", tag = "interno",
    summary = "Conciliar reservas y pagos de un evento",
    description = "Concilia ahora un evento: ventas (eventos) ⇔ reservas CONFIRMADA ⇔ pagos APROBADO, y reembolsos ⇔ reservas FALLIDA o CANCELADA. Repara lo que permiten los pasos idempotentes e informa del resto; el organizador llega aquí a través de eventos. Solo la llama eventos-service, con su credencial (`EVENTFLOW_TOKEN_EVENTOS`); otro servicio recibe 401 o 403.",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "El informe", body = eventflow_shared::cuadre::Informe),
        ServiceCredential,
        eventflow_shared::problemas::ServiceNotAllowed,
        EventNotFound,
        InvalidId,
        (status = 503, description = "eventos o MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn conciliacion(
    State(st): State<AppState>,
    _: eventflow_shared::auth::Interno<eventflow_shared::auth::DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
) -> Result<Json<eventflow_shared::cuadre::Informe>, ApiError> {
    let id = EventoId::parse("evento_id", &evento_id)?;
    Ok(Json(crate::cuadre::cuadrar(&st.deps, &id).await?))
}

/// Prometheus metrics: SAGAs by outcome and per-step latency.
#[utoipa::path(get, path = "/metrics", tag = "salud",
    summary = "Métricas de Prometheus",
    description = "Métricas de Prometheus: SAGAs por resultado y latencia de cada paso.",
    security(()),
    responses((status = 200, description = "Formato de exposición de Prometheus", body = String, content_type = "text/plain")))]
pub async fn metricas(State(st): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        st.deps.metricas.render(),
    )
}
