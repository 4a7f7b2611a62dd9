//! Inventory routes for reservas-pagos (`/internal/*`), behind the service token. Every
//! call is idempotent on the reservation id and invalidates the event's cache entries.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use chrono::Utc;
use eventflow_shared::auth::{DeReservas, Interno};
use eventflow_shared::ids::{EventoId, EventoYReserva, ReservaId};
use eventflow_shared::problemas::{
    BodyProblems, EventNotFound, InvalidId, InvalidIds, MongoUnavailable, ServiceCredential,
};
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, Problem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::domain::{indice_de_zona, Confirmacion, Devolucion, Efecto, Liberacion, Retenida};

/// Body of a hold request.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"reserva_id": "0b6f3c1e-2f4d-4c55-9d2a-7f1e2d3c4b5a", "zona": "Platea", "cantidad": 2}))]
pub struct PedirRetencion {
    pub reserva_id: String,
    /// Zone name (case-insensitive).
    pub zona: String,
    #[schema(minimum = 1)]
    pub cantidad: u32,
}

/// What an inventory call did. `resultado` is one of: `retenida`, `ya_retenida`,
/// `ya_vendida`, `confirmada`, `ya_confirmada`, `liberada`, `sin_retencion`,
/// `devuelta`, `sin_venta`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultadoInventario {
    #[schema(example = "retenida")]
    pub resultado: &'static str,
    /// Available tickets right after the call: in the zone it touched, or in the whole
    /// event when it touched none (nothing held or sold under this id).
    #[schema(example = 498)]
    pub disponibles: u32,
}

/// Answers with what the call did and the counters the store read in the same step, and
/// drops the event's cache entries unless the call was refused (then nothing changed).
async fn after<T>(
    state: &AppState,
    id: &str,
    efecto: Option<Efecto<T>>,
    slug: impl FnOnce(T) -> Result<&'static str, ApiError>,
) -> Result<Json<ResultadoInventario>, ApiError> {
    let efecto = efecto.ok_or_else(|| no_evento(id))?;
    let resultado = slug(efecto.resultado)?;
    state.cache.invalidar(Some(id)).await;
    Ok(Json(ResultadoInventario {
        resultado,
        disponibles: efecto.disponibles,
    }))
}

/// `X-Plazo-Ms`: when the caller stops waiting for a hold, in milliseconds since the
/// Unix epoch. Optional; a hold arriving or landing after it is not kept.
fn plazo(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    headers
        .get("x-plazo-ms")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ApiError::field("X-Plazo-Ms", "debe ser un número de milisegundos"))
        })
        .transpose()
}

fn vigente(plazo: Option<i64>) -> Result<(), ApiError> {
    match plazo {
        Some(p) if Utc::now().timestamp_millis() > p => Err(vencido()),
        _ => Ok(()),
    }
}

fn vencido() -> ApiError {
    ApiError::conflict(
        "plazo-vencido",
        "La reserva dejó de esperar esta retención; no se retuvo nada",
    )
}

fn no_evento(id: &str) -> ApiError {
    ApiError::not_found(format!("No existe el evento {id}"))
}

/// Hold tickets for a reservation whose checkout is running.
#[utoipa::path(post, path = "/internal/eventos/{id}/retenciones", tag = "interno",
    summary = "Retener entradas",
    description = "Retiene entradas para una reserva cuya compra está en curso. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`): eventos no conoce otra, y cualquier otra recibe 401.",
    params(("id" = String, Path),
        ("X-Plazo-Ms" = Option<i64>, Header, description = "Hasta cuándo espera quien pide (ms desde 1970): una retención que llega o se aplica después no se conserva"),
    ), request_body = PedirRetencion, security(("bearer" = [])),
    responses(
        (status = 200, description = "Retenidas (o ya lo estaban)", body = ResultadoInventario),
        BodyProblems,
        ServiceCredential,
        EventNotFound,
        (status = 409, description = "`agotado`: no quedan suficientes entradas; `evento-finalizado`; `plazo-vencido`: llegó o se aplicó después de `X-Plazo-Ms` y no se retuvo nada", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Zona desconocida o datos inválidos", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn retener(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<PedirRetencion>,
) -> Result<Json<ResultadoInventario>, ApiError> {
    let plazo = plazo(&headers)?;
    vigente(plazo)?;
    let id = &EventoId::parse("id", &id)?;
    let rid = &ReservaId::parse("reserva_id", &body.reserva_id)?;
    if body.cantidad == 0 {
        return Err(ApiError::field("cantidad", "debe ser al menos 1"));
    }
    // The zone's index from memory, and the sale date checked inside the hold's own
    // guarded write: one round trip to the store when the hold is placed.
    let zonas = state
        .zonas
        .de(state.store.as_ref(), id)
        .await?
        .ok_or_else(|| no_evento(id))?;
    let zona = indice_de_zona(zonas.iter().map(String::as_str), &body.zona)
        .ok_or_else(|| ApiError::field("zona", "el evento no tiene esa zona"))?;
    let efecto = state
        .store
        .retener(id, rid, zona, body.cantidad, Utc::now())
        .await?;
    // Placed after its caller stopped waiting: the caller has counted it as unknown and
    // may already have released "it", before it existed. Take it back ourselves, so a
    // late hold can never outlive the checkout that asked for it.
    if efecto.as_ref().is_some_and(|e| e.resultado == Retenida::Si) && vigente(plazo).is_err() {
        state.store.liberar(id, rid).await?;
        state.cache.invalidar(Some(id)).await;
        return Err(vencido());
    }
    after(&state, id, efecto, |r| match r {
        Retenida::Si => Ok("retenida"),
        Retenida::YaRetenida => Ok("ya_retenida"),
        Retenida::YaVendida => Ok("ya_vendida"),
        Retenida::FueraDeVenta => Err(ApiError::conflict(
            "evento-finalizado",
            "El evento ya ocurrió; no se venden entradas",
        )),
        // Tickets held by running checkouts may come back if those fail: say how many,
        // so a client can tell "sold out" from "try again in a moment".
        Retenida::Agotado {
            disponibles,
            retenidas,
        } => Err(ApiError::conflict(
            "agotado",
            format!("Quedan {disponibles} entradas en la zona {}", zonas[zona]),
        )
        .with("disponibles", disponibles)
        .with("retenidas", retenidas)),
    })
    .await
}

/// What the caller believes the hold is: tried first, so a confirmation needs no read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PistaConfirmacion {
    /// Zone name of the hold (case-insensitive).
    pub zona: Option<String>,
    /// Tickets held.
    pub cantidad: Option<u32>,
}

/// Turn a hold into a sale.
#[utoipa::path(post, path = "/internal/eventos/{id}/retenciones/{reserva_id}/confirmar", tag = "interno",
    summary = "Confirmar una retención",
    description = "Convierte una retención de entradas en una venta. `zona` y `cantidad` son opcionales: si coinciden con la retención, la confirmación se hace en una sola escritura; si no, se lee la retención y se confirma la que haya. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`): eventos no conoce otra, y cualquier otra recibe 401.",
    params(("id" = String, Path), ("reserva_id" = String, Path), PistaConfirmacion), security(("bearer" = [])),
    responses(
        (status = 200, description = "Vendidas (o ya lo estaban)", body = ResultadoInventario),
        ServiceCredential,
        EventNotFound,
        (status = 409, description = "`sin-retencion`: la retención ya no existe (liberada o vencida)", body = Problem, content_type = "application/problem+json"),
        InvalidIds,
        MongoUnavailable,
    ))]
pub async fn confirmar(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    EventoYReserva(id, rid): EventoYReserva,
    ApiQuery(pista): ApiQuery<PistaConfirmacion>,
) -> Result<Json<ResultadoInventario>, ApiError> {
    let (id, rid) = (&id, &rid);
    let pista = match (pista.zona, pista.cantidad) {
        (Some(z), Some(n)) => state
            .zonas
            .indice(state.store.as_ref(), id, &z)
            .await?
            .flatten()
            .map(|k| (k, n)),
        _ => None,
    };
    let efecto = state.store.confirmar(id, rid, pista).await?;
    if matches!(
        efecto.as_ref().map(|e| &e.resultado),
        Some(Confirmacion::Confirmada)
    ) {
        state.archivo.notify_one();
    }
    after(&state, id, efecto, |c| match c {
        Confirmacion::Confirmada => Ok("confirmada"),
        Confirmacion::YaConfirmada => Ok("ya_confirmada"),
        Confirmacion::SinRetencion => Err(ApiError::conflict(
            "sin-retencion",
            "La retención ya no existe: fue liberada o venció",
        )),
    })
    .await
}

/// Undo whatever inventory a reservation has (compensation): release its hold, or, when
/// the hold already became a sale (a confirmation whose answer was lost), return the
/// sale. Undoing nothing is fine. Idempotent.
#[utoipa::path(delete, path = "/internal/eventos/{id}/retenciones/{reserva_id}", tag = "interno",
    summary = "Deshacer el inventario de una reserva",
    description = "Compensación: libera la retención de la reserva o, si ya se convirtió en venta (una confirmación cuya respuesta se perdió), devuelve la venta. Es idempotente y no falla si no hay nada que deshacer. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`): eventos no conoce otra, y cualquier otra recibe 401.",
    params(("id" = String, Path), ("reserva_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "`liberada` (había retención), `devuelta` (había venta) o `sin_retencion` (no había nada)", body = ResultadoInventario),
        ServiceCredential,
        EventNotFound,
        InvalidIds,
        MongoUnavailable,
    ))]
pub async fn liberar(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    EventoYReserva(id, rid): EventoYReserva,
) -> Result<Json<ResultadoInventario>, ApiError> {
    let (id, rid) = (&id, &rid);
    let efecto = match state.store.liberar(id, rid).await? {
        Some(e) if e.resultado == Liberacion::SinRetencion => {
            // No hold: if it was confirmed behind the caller's back, undo the sale. The
            // move hold → sale is atomic, so one of the two calls sees it.
            state.store.devolver(id, rid).await?.map(|d| Efecto {
                resultado: match d.resultado {
                    Devolucion::Devuelta => "devuelta",
                    Devolucion::SinVenta => "sin_retencion",
                },
                disponibles: d.disponibles,
            })
        }
        other => other.map(|l| Efecto {
            resultado: "liberada",
            disponibles: l.disponibles,
        }),
    };
    after(&state, id, efecto, Ok).await
}

/// A reservation's hold in the inventory view: how many tickets and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetencionVista {
    pub cantidad: u32,
    pub creada_en: chrono::DateTime<Utc>,
}

/// Every sale and hold of an event by reservation id: what the reconciliation checks
/// against the reservations and the payments.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventarioVista {
    /// Tickets sold, by reservation id (less those given back one by one).
    pub ventas: std::collections::BTreeMap<String, u32>,
    pub retenciones: std::collections::BTreeMap<String, RetencionVista>,
}

/// Every sale and hold of the event, by reservation id.
#[utoipa::path(get, path = "/internal/eventos/{id}/inventario", tag = "interno",
    summary = "Consultar el inventario de un evento",
    description = "Todas las ventas y retenciones del evento, por id de reserva. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`): eventos no conoce otra, y cualquier otra recibe 401.",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Ventas y retenciones por reserva", body = InventarioVista),
        ServiceCredential,
        EventNotFound,
        InvalidId,
        MongoUnavailable,
    ))]
pub async fn inventario(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<InventarioVista>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    let e = state.store.get(id).await?.ok_or_else(|| no_evento(id))?;
    Ok(Json(InventarioVista {
        // A sale whose tickets were all given back one by one sells nothing.
        ventas: e
            .ventas
            .into_iter()
            .filter(|(_, v)| v.cantidad > 0)
            .map(|(k, v)| (k, v.cantidad))
            .collect(),
        retenciones: e
            .retenciones
            .into_iter()
            .map(|(k, r)| {
                (
                    k,
                    RetencionVista {
                        cantidad: r.cantidad,
                        creada_en: r.creada_en,
                    },
                )
            })
            .collect(),
    }))
}

/// Return sold tickets to availability (cancellation). Returning nothing is fine.
#[utoipa::path(post, path = "/internal/eventos/{id}/ventas/{reserva_id}/devolver", tag = "interno",
    summary = "Devolver entradas vendidas",
    description = "Devuelve las entradas vendidas a la disponibilidad (cancelación). No falla si no hay nada que devolver. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`): eventos no conoce otra, y cualquier otra recibe 401.",
    params(("id" = String, Path), ("reserva_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Devueltas, o no había venta", body = ResultadoInventario),
        ServiceCredential,
        EventNotFound,
        InvalidIds,
        MongoUnavailable,
    ))]
pub async fn devolver(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    EventoYReserva(id, rid): EventoYReserva,
) -> Result<Json<ResultadoInventario>, ApiError> {
    let (id, rid) = (&id, &rid);
    let efecto = state.store.devolver(id, rid).await?;
    after(&state, id, efecto, |d| {
        Ok(match d {
            Devolucion::Devuelta => "devuelta",
            Devolucion::SinVenta => "sin_venta",
        })
    })
    .await
}

/// The code of one ticket, as reservas-pagos names it in `devolver_una`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"codigo": "7K2QX9M4TB"}))]
pub struct PedirDevolucionUna {
    /// The ticket's code: 10 characters of Crockford's base32.
    pub codigo: String,
}

/// Return one sold ticket to availability (one ticket of a reservation cancelled alone).
#[utoipa::path(post, path = "/internal/eventos/{id}/ventas/{reserva_id}/devolver-una", tag = "interno",
    summary = "Devolver una entrada vendida",
    description = "Devuelve a la disponibilidad un asiento de la zona de la venta: la entrada `codigo`, cancelada sola. Idempotente por código: repetirla no devuelve nada más (`sin_venta`), ni tampoco si la venta ya se devolvió entera o no le queda nada. Solo la llama reservas-pagos, con su credencial (`EVENTFLOW_TOKEN_RESERVAS`): eventos no conoce otra, y cualquier otra recibe 401.",
    params(("id" = String, Path), ("reserva_id" = String, Path)), security(("bearer" = [])),
    request_body = PedirDevolucionUna,
    responses(
        (status = 200, description = "`devuelta` (un asiento vuelve a la venta) o `sin_venta` (ya se había devuelto)", body = ResultadoInventario),
        ServiceCredential,
        EventNotFound,
        InvalidIds,
        BodyProblems,
        MongoUnavailable,
    ))]
pub async fn devolver_una(
    State(state): State<AppState>,
    _: Interno<DeReservas>,
    EventoYReserva(id, rid): EventoYReserva,
    ApiJson(pedido): ApiJson<PedirDevolucionUna>,
) -> Result<Json<ResultadoInventario>, ApiError> {
    let codigo = pedido.codigo.trim();
    // Stored as written: only a canonical code (upper-case Crockford) is accepted.
    if codigo.len() != 10
        || !codigo
            .bytes()
            .all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b))
    {
        return Err(ApiError::field(
            "codigo",
            "debe ser el código de una entrada (10 caracteres)",
        ));
    }
    let (id, rid) = (&id, &rid);
    let efecto = state.store.devolver_una(id, rid, codigo).await?;
    after(&state, id, efecto, |d| {
        Ok(match d {
            Devolucion::Devuelta => "devuelta",
            Devolucion::SinVenta => "sin_venta",
        })
    })
    .await
}
