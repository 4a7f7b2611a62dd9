//! reservas routes (named `rutas`, not `handlers`: the SAGA's steps are the handlers): start the SAGA, read reservations and their log, cancel.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{self, prohibido, ConSesion, Llamante};
use eventflow_shared::ids::{EventoId, ReservaId};
use eventflow_shared::pagina::Paginacion;
use eventflow_shared::problemas::{
    BodyProblems, EventNotFound, InvalidId, MongoUnavailable, ServiceCredential, SessionRequired,
};
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, Problem};
use tracing::Instrument;

use super::acceso::{self, ProblemasDeAcceso, ReservaVisible};
use super::dto::{Bitacora, ListarReservas, PaginaReservas, ReservaRespuesta};
use super::idempotencia::{self, Decision};
use super::seed001::ProblemaReserva;
use super::AppState;
use crate::domain::{Estado, Reserva, SolicitudReserva};
use crate::saga::{Contexto, EstadoRetencion, FalloSimulado, Fin};

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
        ("X-Simular-Fallo" = Option<String>, Header, description = "`confirmacion`: falla tras el pago (solo con RESERVAS_SIMULAR_FALLOS=1)"),
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
    let semilla = super::seed001::forma_semilla(&solicitud);
    let resultado = reservar_detached(st, llamante, ip_invitado, corr, headers, solicitud).await;
    super::seed001::responder(resultado, semilla).await
}

async fn reservar_detached(
    st: AppState,
    llamante: Llamante,
    ip_invitado: Option<std::net::IpAddr>,
    corr: String,
    headers: HeaderMap,
    mut solicitud: SolicitudReserva,
) -> Result<Response, ApiError> {
    // Without a session anyone may buy as a guest, by email or id (the seed's body). A
    // signed-in buyer buys for themselves: naming nobody means them, naming someone else
    // is refused by ValidadorDatos once the name is resolved.
    let sesion = match llamante {
        Llamante::Comprador(u) => {
            if solicitud.usuario_id.is_none() && solicitud.email.is_none() {
                solicitud.usuario_id = Some(u.to_string());
            }
            Some(u.to_string())
        }
        Llamante::Organizador(_) => {
            return Err(prohibido(
                "Una cuenta de organizador no compra entradas: inicia sesión como comprador",
            ))
        }
        Llamante::Anonimo | Llamante::Admin => None,
    };
    let remitente = Remitente::de(&st, llamante, ip_invitado, &solicitud);
    // Load shedding: past RESERVAS_MAX_EN_CURSO running SAGAs, answer 503 at once rather
    // than let requests pile up behind a slow dependency. Nothing has been started yet.
    let permiso = st.en_curso.clone().try_acquire_owned().map_err(|_| {
        st.deps.metricas.saga("sobrecarga");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "sobrecarga",
            "Servicio sobrecargado",
            "Hay demasiadas reservas en curso; inténtelo de nuevo en unos segundos",
        )
    })?;
    // Detached from the connection: a client that disconnects (a timeout, a closed tab)
    // drops this future, and must not cut the SAGA off half-way, leaving its lock, its
    // hold and an Idempotency-Key stuck "in progress" with no reservation behind it.
    // The permit goes with it: a SAGA counts until it really ends.
    tokio::spawn(
        async move {
            let _permiso = permiso;
            reservar_hasta_el_final(st, corr, headers, solicitud, sesion, remitente).await
        }
        .in_current_span(),
    )
    .await
    .map_err(ApiError::internal)?
}

async fn reservar_hasta_el_final(
    st: AppState,
    corr: String,
    headers: HeaderMap,
    solicitud: SolicitudReserva,
    sesion: Option<String>,
    remitente: Remitente,
) -> Result<Response, ApiError> {
    let rid = ReservaId::nuevo();
    // The guest link's secret: the answer carries it once, the reservation its hash.
    let secreto = identidad::nuevo_secreto();
    let clave = idempotencia::clave(&headers)?;
    if let Some(clave) = &clave {
        let hash = idempotencia::huella(&st.clave_huellas, &remitente.clase, &solicitud);
        if let Decision::Repetir { status, body } = idempotencia::decidir(
            st.idempotencia.as_ref(),
            st.deps.reservas.as_ref(),
            clave,
            &hash,
            &rid,
        )
        .await?
        {
            let mut res = json_response(status, body);
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(res);
        }
    }
    let fallo_simulado = headers
        .get("x-simular-fallo")
        .and_then(|v| v.to_str().ok())
        .and_then(FalloSimulado::parse)
        .filter(|_| st.simular_fallos);
    // The event id as sent: ValidadorDatos parses it and puts the parsed one in its place
    // before anything is stored or asked (a bad one is a 422 naming it, with the rest).
    let evento_sin_validar = EventoId::confiable(solicitud.evento_id.clone());
    let mut reserva = Reserva::nueva(rid, evento_sin_validar, 0, corr);
    reserva.secreto_hash = Some(identidad::hash_hex(&secreto));
    reserva.origen = Some(remitente.origen);
    let mut ctx = Contexto {
        reserva,
        solicitud: Some(solicitud),
        tarjeta: String::new(),
        lock_tomado: false,
        retencion: EstadoRetencion::Ninguna,
        fallo_simulado,
        con_clave: clave.is_some(),
        max_por_comprador: u32::MAX,
        repetida: None,
        sesion,
        invitado: remitente.invitado,
        secreto: Some(secreto.clone()),
        respuesta_confirmada: Some(respuesta_confirmada),
    };
    // Whether the body was built here with seed 001's `status: "ok"`.
    let mut con_ok = false;
    let (status, body) = match st.cadena.ejecutar(&mut ctx, &st.deps, 0).await {
        Ok(()) => {
            con_ok = true;
            st.deps.metricas.saga("confirmada");
            // With a key, the terminal write stored this answer: the same bytes.
            let body = match ctx.reserva.respuesta.take() {
                Some(body) => body,
                None => respuesta_confirmada(&ctx.reserva, &secreto),
            };
            (201, body)
        }
        Err(Fin::Fallida(_)) if ctx.repetida.is_some() => {
            // A double submission without a key: the buyer's identical reservation of a
            // moment ago is the answer, not a second charge.
            st.deps.metricas.saga("repetida");
            let previa = ctx.repetida.take().expect("checked");
            let status = if previa.estado == Estado::Confirmada {
                201
            } else {
                202
            };
            let body = serde_json::to_string(&ReservaRespuesta::from(&previa))
                .map_err(ApiError::internal)?;
            let mut res = json_response(status, body);
            ubicar(&mut res, &previa.id);
            res.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            return Ok(res);
        }
        Err(Fin::Fallida(e)) => {
            st.deps.metricas.saga(e.kind);
            (e.status.as_u16(), e.body().to_string())
        }
        Err(Fin::Pendiente) => {
            st.deps.metricas.saga("pendiente");
            let (status, body) = pendiente(&st, &ctx.reserva, &secreto).await?;
            if status == 202 {
                // Not an answer to replay: a retry with this key finds the reservation
                // (and its outcome, once recovery has one).
                let mut res = json_response(status, body);
                ubicar(&mut res, &ctx.reserva.id);
                return Ok(res);
            }
            (status, body)
        }
    };
    if let (Some(clave), false) = (&clave, con_ok) {
        // A confirmation's answer is already stored with the reservation.
        idempotencia::cerrar(st.idempotencia.as_ref(), clave, status, &body).await;
    }
    let mut res = json_response(status, body);
    if status == 201 {
        ubicar(&mut res, &ctx.reserva.id);
        if con_ok {
            res.extensions_mut().insert(super::seed001::ConOk);
        }
    }
    Ok(res)
}

/// Who sent a checkout, as replays and disclosure need it.
struct Remitente {
    /// Keys an `Idempotency-Key`'s fingerprint: the same key sent by another caller is
    /// a different request (422), never a replay of someone else's answer.
    clase: String,
    /// Stored with the reservation (`Reserva::origen`): a keyless double submission is
    /// answered with an earlier reservation only when this matches.
    origen: String,
    /// For a guest: the fingerprint of their client and body.
    invitado: Option<String>,
}

impl Remitente {
    fn de(
        st: &AppState,
        llamante: Llamante,
        ip_invitado: Option<std::net::IpAddr>,
        solicitud: &SolicitudReserva,
    ) -> Self {
        match (llamante, ip_invitado) {
            (Llamante::Comprador(u), _) => Self {
                clase: format!("sesion:{u}"),
                origen: format!("sesion:{u}"),
                invitado: None,
            },
            (Llamante::Admin, _) => Self {
                clase: "admin".into(),
                origen: "admin".into(),
                invitado: None,
            },
            (_, ip) => {
                // The client's address and the body, keyed: the same guest repeating
                // the same order is recognised, and neither is stored readable.
                let cliente = ip.map_or_else(String::new, |ip| ip.to_string());
                let huella = idempotencia::huella(
                    &st.clave_huellas,
                    &format!("invitado:{cliente}"),
                    solicitud,
                );
                Self {
                    clase: "invitado".into(),
                    origen: format!("invitado:{huella}"),
                    invitado: Some(huella),
                }
            }
        }
    }
}

/// The answer to a confirmation: the reservation with its guest secret, and seed 001's
/// `status: "ok"` written here, so the answer is never read back to add it.
fn respuesta_confirmada(r: &Reserva, secreto: &str) -> String {
    let mut vista = ReservaRespuesta::from(r);
    vista.secreto = Some(secreto.to_owned());
    // Plain strings and numbers: serialising cannot fail.
    serde_json::to_string(&super::seed001::ConOk::cuerpo(&vista)).unwrap_or_default()
}

fn ubicar(res: &mut Response, id: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!("/api/reservas/{id}")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
}

/// The answer for a SAGA whose outcome is not known yet: if the stored reservation
/// has meanwhile ended (another instance finished it), that outcome; otherwise 202 with
/// the reservation as it stands, EN_CURSO, to follow at its `Location`.
async fn pendiente(st: &AppState, r: &Reserva, secreto: &str) -> Result<(u16, String), ApiError> {
    if let Ok(Some(Decision::Repetir { status, body })) =
        idempotencia::desenlace(st.deps.reservas.as_ref(), &r.id).await
    {
        return Ok((status, body));
    }
    let mut vista = ReservaRespuesta::from(r);
    vista.estado = Estado::EnCurso;
    // A guest follows `Location` with it.
    vista.secreto = Some(secreto.to_owned());
    Ok((
        202,
        serde_json::to_string(&vista).map_err(ApiError::internal)?,
    ))
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
    if let Llamante::Comprador(yo) = llamante {
        if yo != usuario {
            return Err(ApiError::not_found("No hay reservas de ese comprador"));
        }
    }
    let usuario = usuario.to_string();
    let (limit, offset) = (pagina.limit(), pagina.offset());
    if let Llamante::Organizador(o) = llamante {
        return reservas_de_sus_eventos(&st, o, &usuario, limit, offset, &corr).await;
    }
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

/// Reconciliation of one event, now: sales (eventos) ⇔ CONFIRMADA reservations ⇔
/// APROBADO payments; refunds ⇔ FALLIDA or CANCELADA. Repairs what the idempotent steps
/// can and reports the rest. The organizer reaches it through eventos.
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
