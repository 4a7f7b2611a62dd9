//! The event's tickets at the door: its public signing keys, their rotation, admission
//! and the door's summary (`/api/eventos/{id}/claves…`, `/api/eventos/{id}/ingresos…`).
//! reservas-pagos owns tickets, keys and admissions; eventos is where the organizer
//! manages the event, so it decides who may ask (the event's organizer or the admin)
//! and asks reservas with its service credential, as the consulta de cuadre does. The
//! answer, success or refusal, is reservas' own, passed through unchanged.

use axum::body::Body;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, Method, Response, StatusCode};
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{Portero, Publicador};
use eventflow_shared::ids::EventoId;
use eventflow_shared::ingresos::{
    Admision, ClavesEvento, Conflictos, DesdeVersion, ListaIngresos, LoteIngresos, PedidoIngreso,
    ResultadoLote, ResumenIngresos,
};
use eventflow_shared::problemas::{BodyProblems, InvalidId};
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, Problem};

use super::problemas::DelOrganizador;
use super::AppState;

/// Asks reservas' `/internal/<ruta…>` and hands back its answer as it came.
async fn reenviar<B: serde::Serialize>(
    state: &AppState,
    metodo: Method,
    ruta: &[&str],
    cuerpo: Option<&B>,
    corr: &str,
) -> Result<Response<Body>, ApiError> {
    reenviar_con(state, metodo, ruta, &[], cuerpo, corr).await
}

/// [`reenviar`] with a query string.
async fn reenviar_con<B: serde::Serialize>(
    state: &AppState,
    metodo: Method,
    ruta: &[&str],
    consulta: &[(&str, String)],
    cuerpo: Option<&B>,
    corr: &str,
) -> Result<Response<Body>, ApiError> {
    let r = &state.reservas;
    let mut url = r.base.clone();
    url.path_segments_mut()
        .expect("http URL")
        .pop_if_empty()
        .push("internal")
        .extend(ruta);
    if !consulta.is_empty() {
        url.query_pairs_mut().extend_pairs(consulta);
    }
    let caida = |e: String| {
        tracing::warn!(error = %e, "reservas-pagos unavailable for the door");
        ApiError::unavailable(
            "reservas",
            "El servicio de reservas no responde; inténtelo de nuevo",
        )
    };
    let mut req = r
        .http
        .request(metodo, url)
        .bearer_auth(state.servicios.token_propio().expose())
        .header("x-correlation-id", corr);
    if let Some(c) = cuerpo {
        req = req.json(c);
    }
    let res = req.send().await.map_err(|e| caida(e.to_string()))?;
    let status = res.status();
    // Its credential refused, or reservas failing: not the caller's doing.
    if status.is_server_error() || matches!(status.as_u16(), 401 | 403) {
        return Err(caida(format!("reservas answered {status}")));
    }
    let tipo = res.headers().get(header::CONTENT_TYPE).cloned();
    let cuerpo = res.bytes().await.map_err(|e| caida(e.to_string()))?;
    let mut out = Response::new(Body::from(cuerpo));
    *out.status_mut() = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
    if let Some(t) = tipo {
        out.headers_mut().insert(header::CONTENT_TYPE, t);
    }
    Ok(out)
}

/// A door request: the event `id`, whose door the caller works (its organizer, the
/// organizer's staff or the admin; anyone else gets the same 404 as no event, as another
/// organizer does), and the request's correlation id. Every door route starts here, so
/// the check is written once.
pub struct Puerta {
    id: EventoId,
    corr: String,
}

impl FromRequestParts<AppState> for Puerta {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The caller first (401/403 before anything about the event), as the handlers'
        // own extractors ran before.
        let portero = Portero::from_request_parts(parts, state).await?;
        let Ok(CorrelationId(corr)) = CorrelationId::from_request_parts(parts, state).await;
        let ApiPath(id) = ApiPath::<String>::from_request_parts(parts, state).await?;
        let id = EventoId::parse("id", &id)?;
        let no_existe = || ApiError::not_found(format!("No existe el evento {id}"));
        let ficha = state.store.ficha(&id).await?.ok_or_else(no_existe)?;
        if !portero.atiende(ficha.organizador_id.as_deref()) {
            return Err(no_existe());
        }
        Ok(Self { id, corr })
    }
}

impl Puerta {
    /// Asks reservas' `/internal/ingresos/{id}/<resto…>`.
    async fn reenviar<B: serde::Serialize>(
        &self,
        state: &AppState,
        metodo: Method,
        resto: &[&str],
        consulta: &[(&str, String)],
        cuerpo: Option<&B>,
    ) -> Result<Response<Body>, ApiError> {
        let mut ruta = vec!["ingresos", self.id.as_ref()];
        ruta.extend(resto);
        reenviar_con(state, metodo, &ruta, consulta, cuerpo, &self.corr).await
    }
}

/// The event's public keys: public on purpose, so a scanner verifies offline.
#[utoipa::path(get, path = "/api/eventos/{id}/claves", tag = "entradas",
    summary = "Claves públicas de las entradas",
    description = "Las claves públicas Ed25519 con que se firman los QR de las entradas del evento (la primera se crea al pedirla). Pública a propósito: un escáner las descarga y verifica las entradas sin red; no revela nada de nadie. Las claves retiradas siguen listadas y las entradas que firmaron siguen valiendo.",
    params(("id" = String, Path)), security(()),
    responses(
        (status = 200, description = "Las claves, la más antigua primero; exactamente una `ACTIVA`", body = ClavesEvento),
        (status = 404, description = "No existe el evento", body = Problem, content_type = "application/problem+json"),
        InvalidId,
        (status = 503, description = "reservas-pagos o MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn claves(
    State(state): State<AppState>,
    CorrelationId(corr): CorrelationId,
    ApiPath(id): ApiPath<String>,
) -> Result<Response<Body>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    if state.store.ficha(id).await?.is_none() {
        return Err(ApiError::not_found(format!("No existe el evento {id}")));
    }
    reenviar(&state, Method::GET, &["claves", id], None::<&()>, &corr).await
}

/// A new active signing key; earlier ones stay listed.
#[utoipa::path(post, path = "/api/eventos/{id}/claves/rotar", tag = "entradas",
    summary = "Rotar la clave de las entradas",
    description = "Crea una clave activa nueva para firmar los QR del evento. Las anteriores quedan retiradas pero listadas: las entradas ya descargadas siguen valiendo. Para el organizador del evento o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Las claves, la nueva al final", body = ClavesEvento),
        DelOrganizador,
    ))]
pub async fn rotar_claves(
    State(state): State<AppState>,
    publicador: Publicador,
    CorrelationId(corr): CorrelationId,
    ApiPath(id): ApiPath<String>,
) -> Result<Response<Body>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    super::handlers::del_publicador(&state, publicador, id).await?;
    reenviar(
        &state,
        Method::POST,
        &["claves", id, "rotar"],
        None::<&()>,
        &corr,
    )
    .await
}

/// Lets a ticket in, once.
#[utoipa::path(post, path = "/api/eventos/{id}/ingresos", tag = "entradas",
    summary = "Registrar un ingreso",
    description = "Admite una entrada del evento por su QR (`qr`, contenido firmado) o su código (`codigo`), opcionalmente en una `puerta`. Una sola escritura condicional VALIDA → USADA: dos puertas que escanean la misma entrada a la vez la admiten una sola vez. Con `nonce` (8 a 64 caracteres, elegido por el escáner), el mismo escaneo repetido porque se perdió su respuesta recibe otra vez 200, nunca `ya-usada`. Para el organizador del evento, su personal de puerta o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    request_body = PedidoIngreso,
    responses(
        (status = 200, description = "Admitida: `admitido: true`", body = Admision),
        BodyProblems,
        DelOrganizador,
        (status = 404, description = "No existe el evento (o es de otro organizador), o no existe esa entrada en este evento", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`admitido: false`: `ya-usada` (con `usada_en` y `puerta`) o `anulada` (con `anulacion`: `cancelada`, `transferida` o `devuelta`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`firma-invalida`: el QR no está firmado por este evento o está alterado; `otro-evento`: es una entrada de otro evento; falta `codigo` y `qr`, o el `nonce` no tiene de 8 a 64 caracteres", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ingresar(
    State(state): State<AppState>,
    puerta: Puerta,
    ApiJson(pedido): ApiJson<PedidoIngreso>,
) -> Result<Response<Body>, ApiError> {
    puerta
        .reenviar(&state, Method::POST, &[], &[], Some(&pedido))
        .await
}

/// Admitted and expected, per zone and per gate.
#[utoipa::path(get, path = "/api/eventos/{id}/ingresos/resumen", tag = "entradas",
    summary = "Resumen de ingresos",
    description = "Entradas admitidas y esperadas (válidas o usadas), por zona y por puerta. Para el organizador del evento, su personal de puerta o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "El resumen", body = ResumenIngresos),
        DelOrganizador,
    ))]
pub async fn resumen(
    State(state): State<AppState>,
    puerta: Puerta,
) -> Result<Response<Body>, ApiError> {
    puerta
        .reenviar(&state, Method::GET, &["resumen"], &[], None::<&()>)
        .await
}

/// The scanner's list, for working with no network.
#[utoipa::path(get, path = "/api/eventos/{id}/ingresos/lista", tag = "entradas",
    summary = "Lista de la puerta sin red",
    description = "Lo que un escáner necesita para trabajar sin red: las claves públicas, las entradas del evento (código, zona, titular, estado) y `revocadas` (cada código ANULADA). Con `desde` (la `version` de una respuesta anterior), solo las entradas cambiadas después (`completa: false`); alguna puede repetirse, ninguna falta. Para el organizador del evento, su personal de puerta o el administrador.",
    params(("id" = String, Path), DesdeVersion), security(("bearer" = [])),
    responses(
        (status = 200, description = "La lista", body = ListaIngresos),
        DelOrganizador,
    ))]
pub async fn lista(
    State(state): State<AppState>,
    puerta: Puerta,
    ApiQuery(q): ApiQuery<DesdeVersion>,
) -> Result<Response<Body>, ApiError> {
    let consulta: Vec<(&str, String)> = q
        .desde
        .map(|d| ("desde", d.to_string()))
        .into_iter()
        .collect();
    puerta
        .reenviar(&state, Method::GET, &["lista"], &consulta, None::<&()>)
        .await
}

/// A scanner's queue, uploaded when the network is back.
#[utoipa::path(post, path = "/api/eventos/{id}/ingresos/lote", tag = "entradas",
    summary = "Subir escaneos hechos sin red",
    description = "Registra los escaneos que un escáner hizo sin red, cada uno con su `nonce` y su hora (`escaneado_en`, RFC 3339). Idempotente por nonce: el mismo lote subido dos veces no cambia nada y vuelve como `repetidos`. Gana el escaneo más temprano; cualquier otro ingreso de la misma entrada queda `forzado` (con la primera admisión: puerta y hora), y se lista también en `…/ingresos/conflictos`. Una entrada anulada (`anulada`), un código desconocido (`no-existe`) o una firma inválida (`firma-invalida`, `otro-evento`) van en `rechazados`; pero un escaneo anterior a la anulación es un ingreso forzado: la persona ya entró. A lo sumo 500 escaneos por lote. Para el organizador del evento, su personal de puerta o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    request_body = LoteIngresos,
    responses(
        (status = 200, description = "Lo que pasó con cada escaneo", body = ResultadoLote),
        BodyProblems,
        DelOrganizador,
        (status = 413, description = "Más de 500 escaneos, o un cuerpo de más de 512 KiB", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lote(
    State(state): State<AppState>,
    puerta: Puerta,
    ApiJson(lote): ApiJson<LoteIngresos>,
) -> Result<Response<Body>, ApiError> {
    puerta
        .reenviar(&state, Method::POST, &["lote"], &[], Some(&lote))
        .await
}

/// Tickets that let more than one person in, for staff to act.
#[utoipa::path(get, path = "/api/eventos/{id}/ingresos/conflictos", tag = "entradas",
    summary = "Entradas con más de un ingreso",
    description = "Cada entrada que dejó entrar a más de una persona (escáneres sin red que no lo sabían) o a alguien después de anularse, con todos sus escaneos (puerta, hora y nonce), el primero el que cuenta. Para el organizador del evento, su personal de puerta o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Los conflictos", body = Conflictos),
        DelOrganizador,
    ))]
pub async fn conflictos(
    State(state): State<AppState>,
    puerta: Puerta,
) -> Result<Response<Body>, ApiError> {
    puerta
        .reenviar(&state, Method::GET, &["conflictos"], &[], None::<&()>)
        .await
}
