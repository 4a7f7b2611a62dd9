//! The event's tickets at the door: its public signing keys, their rotation, admission
//! and the door's summary (`/api/eventos/{id}/claves…`, `/api/eventos/{id}/ingresos…`).
//! reservas-pagos owns tickets, keys and admissions; eventos is where the organizer
//! manages the event, so it decides who may ask (the event's organizer or the admin)
//! and asks reservas with its service credential, as the consulta de cuadre does. The
//! answer, success or refusal, is reservas' own, passed through unchanged.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, Response, StatusCode};
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::Publicador;
use eventflow_shared::ids::EventoId;
use eventflow_shared::ingresos::{Admision, ClavesEvento, PedidoIngreso, ResumenIngresos};
use eventflow_shared::problemas::{BodyProblems, InvalidId};
use eventflow_shared::{ApiError, ApiJson, ApiPath, Problem};

use super::problemas::DelOrganizador;
use super::AppState;

/// Asks reservas' `/internal/<ruta…>` and hands back its answer as it came.
async fn reenviar(
    state: &AppState,
    metodo: Method,
    ruta: &[&str],
    cuerpo: Option<&PedidoIngreso>,
    corr: &str,
) -> Result<Response<Body>, ApiError> {
    let r = &state.reservas;
    let mut url = r.base.clone();
    url.path_segments_mut()
        .expect("http URL")
        .pop_if_empty()
        .push("internal")
        .extend(ruta);
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
    reenviar(&state, Method::GET, &["claves", id], None, &corr).await
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
    reenviar(&state, Method::POST, &["claves", id, "rotar"], None, &corr).await
}

/// Lets a ticket in, once.
#[utoipa::path(post, path = "/api/eventos/{id}/ingresos", tag = "entradas",
    summary = "Registrar un ingreso",
    description = "Admite una entrada del evento por su QR (`qr`, contenido firmado) o su código (`codigo`), opcionalmente en una `puerta`. Una sola escritura condicional VALIDA → USADA: dos puertas que escanean la misma entrada a la vez la admiten una sola vez. Para el organizador del evento o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    request_body = PedidoIngreso,
    responses(
        (status = 200, description = "Admitida: `admitido: true`", body = Admision),
        BodyProblems,
        DelOrganizador,
        (status = 404, description = "No existe el evento (o es de otro organizador), o no existe esa entrada en este evento", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`admitido: false`: `ya-usada` (con `usada_en` y `puerta`) o `anulada` (con `anulacion`: `cancelada`, `transferida` o `devuelta`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`firma-invalida`: el QR no está firmado por este evento o está alterado; `otro-evento`: es una entrada de otro evento; o falta `codigo` y `qr`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ingresar(
    State(state): State<AppState>,
    publicador: Publicador,
    CorrelationId(corr): CorrelationId,
    ApiPath(id): ApiPath<String>,
    ApiJson(pedido): ApiJson<PedidoIngreso>,
) -> Result<Response<Body>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    super::handlers::del_publicador(&state, publicador, id).await?;
    reenviar(
        &state,
        Method::POST,
        &["ingresos", id],
        Some(&pedido),
        &corr,
    )
    .await
}

/// Admitted and expected, per zone and per gate.
#[utoipa::path(get, path = "/api/eventos/{id}/ingresos/resumen", tag = "entradas",
    summary = "Resumen de ingresos",
    description = "Entradas admitidas y esperadas (válidas o usadas), por zona y por puerta. Para el organizador del evento o el administrador.",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "El resumen", body = ResumenIngresos),
        DelOrganizador,
    ))]
pub async fn resumen(
    State(state): State<AppState>,
    publicador: Publicador,
    CorrelationId(corr): CorrelationId,
    ApiPath(id): ApiPath<String>,
) -> Result<Response<Body>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    super::handlers::del_publicador(&state, publicador, id).await?;
    reenviar(
        &state,
        Method::GET,
        &["ingresos", id, "resumen"],
        None,
        &corr,
    )
    .await
}
