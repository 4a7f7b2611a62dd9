//! Public eventos handlers: organizer writes behind the admin token, cached public reads.

use axum::extract::State;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use eventflow_shared::bus::{EventoCreado, Mensaje};
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{Llamante, Publicador};
use eventflow_shared::ids::EventoId;
use eventflow_shared::pagina::Paginacion;
use eventflow_shared::problemas::{
    BodyProblems, InvalidId, InvalidParams, MongoUnavailable, SessionRequired,
};
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, FieldError, Problem};

use super::dto::{ActualizarEvento, EventoRespuesta, ListarEventos, PaginaEventos};
use super::AppState;
use crate::cache::Forma;
use crate::domain::fecha::leer_fecha;
use crate::domain::{
    CambiosCrudos, CambiosEvento, CrearEvento, Evento, FiltroEventos, NuevoEvento,
};

static X_CACHE: HeaderName = HeaderName::from_static("x-cache");

/// A JSON body, saying whether it came from the cache (`X-Cache: HIT` or `MISS`).
pub(super) fn cached_json(status: StatusCode, body: String, hit: bool) -> Response {
    let mut res = (status, body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        X_CACHE.clone(),
        HeaderValue::from_static(if hit { "HIT" } else { "MISS" }),
    );
    res
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> Result<String, ApiError> {
    serde_json::to_string(v).map_err(ApiError::internal)
}

/// Publish an event: an organizer's session (the event is then theirs) or the platform
/// admin.
#[utoipa::path(post, path = "/api/eventos", tag = "eventos",
    summary = "Publicar un evento",
    description = "Publica un evento. Pueden hacerlo un organizador con su sesión (el evento pasa a ser suyo) o el administrador de la plataforma.",
    request_body = CrearEvento,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Evento creado", body = EventoRespuesta),
        BodyProblems,
        SessionRequired,
        (status = 403, description = "Una cuenta de comprador no publica eventos", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Ya existe un evento con ese id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos, cada uno nombrado en `errors`", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
#[tracing::instrument(skip_all)]
pub async fn crear_evento(
    State(state): State<AppState>,
    CorrelationId(corr): CorrelationId,
    publicador: Publicador,
    ApiJson(body): ApiJson<CrearEvento>,
) -> Result<Response, ApiError> {
    let nuevo =
        NuevoEvento::parse(&body, Utc::now(), state.zona_horaria).map_err(ApiError::validation)?;
    let evento = publicar(&state, &corr, publicador, nuevo).await?;
    let location = format!("/api/eventos/{}", evento.id);
    creado(&location, to_json(&EventoRespuesta::from(evento))?)
}

/// A 201 with its `Location`, and no `X-Cache` (a write is never a cache read).
pub(super) fn creado(location: &str, body: String) -> Result<Response, ApiError> {
    let mut res = cached_json(StatusCode::CREATED, body, false);
    res.headers_mut().remove(&X_CACHE);
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Stores a validated event for `publicador` (an organizer owns it), with its
/// `EventCreated` in the same insert, and drops the cached lists. Both APIs publish here.
pub(super) async fn publicar(
    state: &AppState,
    corr: &str,
    publicador: Publicador,
    nuevo: NuevoEvento,
) -> Result<Evento, ApiError> {
    let id = nuevo
        .id
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let mut evento = nuevo.into_evento(id, eventflow_shared::now());
    if let Llamante::Organizador(o) = publicador.0 {
        evento.organizador_id = Some(o.to_string());
    }
    // EventCreated is stored in the same insert as the event (the outbox): it cannot be
    // lost, and it is never sent for an event that was not stored.
    let creado = Mensaje::EventCreated(EventoCreado {
        event_id: EventoId::confiable(evento.id.clone()),
        nombre: evento.nombre.clone(),
        fecha: evento.fecha,
        lugar: evento.lugar.clone(),
        aforo_total: evento.aforo_total(),
    });
    evento.outbox.push(creado.pendiente(corr));
    state.store.insert(&evento).await?;
    state.outbox.notify_one();
    state.cache.invalidar(None).await;
    tracing::info!(evento_id = %evento.id, aforo = evento.aforo_total(), "evento creado");
    Ok(evento)
}

/// Upcoming and past events by date, filtered by date range, place and organizer.
#[utoipa::path(get, path = "/api/eventos", tag = "eventos",
    summary = "Listar eventos",
    description = "Eventos próximos y pasados ordenados por fecha, filtrados por rango de fechas, lugar y organizador.",
    security(()),
    params(ListarEventos, Paginacion),
    responses(
        (status = 200, description = "Una página de eventos ordenados por fecha", body = PaginaEventos,
            headers(("x-cache" = String, description = "HIT si vino de la caché"))),
        InvalidParams,
        MongoUnavailable,
    ))]
pub async fn listar_eventos(
    State(state): State<AppState>,
    pagina: Paginacion,
    ApiQuery(q): ApiQuery<ListarEventos>,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let desde = fecha_param("desde", q.desde.as_deref(), state.zona_horaria, &mut errors);
    let hasta = fecha_param("hasta", q.hasta.as_deref(), state.zona_horaria, &mut errors);
    let limit = pagina.limit();
    if let (Some(d), Some(h)) = (desde, hasta) {
        if d > h {
            errors.push(FieldError::new("hasta", "debe ser posterior a 'desde'"));
        }
    }
    // Canonical (lower-case, hyphenated), as events store it.
    let organizador_id = q.organizador_id.as_deref().and_then(|o| {
        let u = uuid::Uuid::parse_str(o.trim()).ok();
        if u.is_none() {
            errors.push(FieldError::new("organizador_id", "debe ser un UUID"));
        }
        u.map(|u| u.to_string())
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let offset = pagina.offset();
    let filtro = FiltroEventos {
        desde,
        hasta,
        lugar: q.lugar.map(|l| l.trim().to_owned()),
        organizador_id,
    };
    // The canonical query is the cache field, so equivalent requests share an entry.
    let consulta = serde_json::json!([
        desde,
        hasta,
        filtro.lugar,
        filtro.organizador_id,
        limit,
        offset
    ])
    .to_string();
    let leida = state.cache.lista(&consulta).await;
    if let Some(hit) = leida.valor {
        return Ok(cached_json(StatusCode::OK, hit, true));
    }
    let pagina = state.store.list(&filtro, limit, offset).await?;
    let body = to_json(&PaginaEventos {
        items: pagina
            .items
            .into_iter()
            .map(EventoRespuesta::from)
            .collect(),
        total: pagina.total,
        limit,
        offset,
    })?;
    state
        .cache
        .guardar_lista(&consulta, &body, leida.version)
        .await;
    Ok(cached_json(StatusCode::OK, body, false))
}

/// One event with its zones and live availability.
#[utoipa::path(get, path = "/api/eventos/{id}", tag = "eventos",
    summary = "Consultar un evento",
    description = "Un evento con sus zonas y su disponibilidad en tiempo real.",
    security(()),
    params(("id" = String, Path, description = "Id del evento", example = "5b0c3f6e-8f0a-4b8e-9a3e-0c1d2e3f4a5b")),
    responses(
        (status = 200, description = "El evento", body = EventoRespuesta,
            headers(("x-cache" = String, description = "HIT si vino de la caché"))),
        (status = 404, description = "No existe", body = Problem, content_type = "application/problem+json"),
        InvalidId,
        MongoUnavailable,
    ))]
pub async fn obtener_evento(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    evento_por_cache(&state, &id, Forma::EventFlow, |e| {
        to_json(&EventoRespuesta::from(e))
    })
    .await
}

/// Event `id` read through the cache in `forma`: the cached body (`X-Cache: HIT`), or
/// the store's event rendered by `render` and cached for the next reader. Both APIs'
/// single-event routes read here.
pub(super) async fn evento_por_cache(
    state: &AppState,
    id: &str,
    forma: Forma,
    render: impl FnOnce(Evento) -> Result<String, ApiError>,
) -> Result<Response, ApiError> {
    let id = &EventoId::parse("id", id)?;
    let leida = state.cache.evento(id, forma).await;
    if let Some(hit) = leida.valor {
        return Ok(cached_json(StatusCode::OK, hit, true));
    }
    let evento = state
        .store
        .ficha(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No existe el evento {id}")))?;
    let body = render(evento)?;
    state
        .cache
        .guardar_evento(id, forma, &body, leida.version)
        .await;
    Ok(cached_json(StatusCode::OK, body, false))
}

/// Change an event's name, date or place: its organizer or the platform admin. Zones and
/// prices are fixed once tickets may have been sold.
#[utoipa::path(patch, path = "/api/eventos/{id}", tag = "eventos",
    summary = "Modificar un evento",
    description = "Cambia el nombre, la fecha o el lugar de un evento; pueden hacerlo su organizador o el administrador de la plataforma. Las zonas y los precios quedan fijos en cuanto puede haberse vendido alguna entrada.",
    params(("id" = String, Path, description = "Id del evento")),
    request_body = ActualizarEvento,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "El evento actualizado", body = EventoRespuesta),
        BodyProblems,
        SessionRequired,
        (status = 403, description = "Una cuenta de comprador no gestiona eventos", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe, o es de otro organizador", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos o no modificables", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn actualizar_evento(
    State(state): State<AppState>,
    publicador: Publicador,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ActualizarEvento>,
) -> Result<axum::Json<EventoRespuesta>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    let actual = del_publicador(&state, publicador, id).await?;
    let cambios = CambiosEvento::parse(
        CambiosCrudos {
            nombre: body.nombre.as_deref(),
            fecha: body.fecha.as_deref(),
            zona_horaria: body.zona_horaria.as_deref(),
            lugar: body.lugar.as_deref(),
            max_por_comprador: body.max_por_comprador,
        },
        actual.zona_horaria,
        Utc::now(),
    )
    .map_err(ApiError::validation)?;
    let evento = state
        .store
        .update(id, &cambios)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No existe el evento {id}")))?;
    state.cache.invalidar(Some(id)).await;
    Ok(axum::Json(EventoRespuesta::from(evento)))
}

/// Event `id` (without its maps), or 404 unless the caller manages it: another
/// organizer's event looks exactly like one that does not exist.
pub async fn del_publicador(
    state: &AppState,
    publicador: Publicador,
    id: &str,
) -> Result<Evento, ApiError> {
    let no_existe = || ApiError::not_found(format!("No existe el evento {id}"));
    let ficha = state.store.ficha(id).await?.ok_or_else(no_existe)?;
    if publicador.gestiona(ficha.organizador_id.as_deref()) {
        Ok(ficha)
    } else {
        Err(no_existe())
    }
}

/// A `desde`/`hasta` filter: any of the event date forms, local ones read in the
/// platform's zone (`EVENTFLOW_ZONA_HORARIA`), as a list spans many venues.
pub(super) fn fecha_param(
    campo: &str,
    raw: Option<&str>,
    zona: chrono_tz::Tz,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    leer_fecha(campo, raw?, zona)
        .map_err(|e| errors.push(e))
        .ok()
}
