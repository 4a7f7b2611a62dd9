//! Seed 000's API (the .NET design): `/events` over the same events as `/api/eventos`,
//! with English field names and prices as decimals in currency units.
//!
//! Nothing here stores anything of its own: a body becomes a [`CrearEvento`] and goes
//! through the same validation, insert, outbox and cache as `/api/eventos`, so an event
//! made through either API is listed and sold through both.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::Publicador;
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, FieldError, Problem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use eventflow_shared::pagina::limite;
use eventflow_shared::problemas::{
    BodyProblems, InvalidId, InvalidParams, MongoUnavailable, SessionRequired,
};

use super::handlers::{cached_json, creado, evento_por_cache, publicar, to_json};
use super::AppState;
use crate::cache::Forma;
use crate::domain::fecha::en_zona;
use crate::domain::{CrearEvento, Evento, FiltroEventos, NuevaZona, NuevoEvento};

/// 1,000 million currency units: the largest price `/api/eventos` takes, in céntimos.
const MAX_PRICE: f64 = 1_000_000_000.0;

/// Body of `POST /events`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Rock Festival", "date": "2027-02-14T20:00:00", "place": "Arena Lima",
    "zones": [{"name": "VIP", "price": 150, "capacity": 100},
              {"name": "General", "price": 50.5, "capacity": 500}]
}))]
pub struct SeedEventInput {
    pub name: String,
    /// In the future, in the venue's zone unless it carries an offset:
    /// `2027-02-14T20:00:00`, `2027-02-14` or `2027-02-14T20:00:00-05:00`.
    #[schema(example = "2027-02-14T20:00:00")]
    pub date: String,
    pub place: String,
    pub zones: Vec<SeedZoneInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeedZoneInput {
    #[schema(example = "VIP")]
    pub name: String,
    /// Currency units, at most 2 decimals, 0 to 1,000 million: `150` or `150.5`.
    #[schema(example = 150.5, minimum = 0, maximum = 1_000_000_000)]
    pub price: f64,
    #[schema(example = 100, minimum = 1, maximum = 1_000_000)]
    pub capacity: i64,
}

/// An event in seed 000's shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct SeedEvent {
    #[schema(example = "5b0c3f6e-8f0a-4b8e-9a3e-0c1d2e3f4a5b")]
    pub id: String,
    #[schema(example = "Rock Festival")]
    pub name: String,
    /// RFC 3339 with the venue's offset.
    #[schema(example = "2027-02-14T20:00:00-05:00", format = DateTime)]
    pub date: String,
    #[schema(example = "Arena Lima")]
    pub place: String,
    pub zones: Vec<SeedZone>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeedZone {
    #[schema(example = "VIP")]
    pub name: String,
    /// Currency units.
    #[schema(example = 150.5)]
    pub price: f64,
    #[schema(example = 100)]
    pub capacity: u32,
    /// Tickets that can still be bought.
    #[schema(example = 97)]
    pub available: u32,
}

impl From<Evento> for SeedEvent {
    fn from(e: Evento) -> Self {
        Self {
            date: en_zona(e.fecha, e.zona_horaria),
            id: e.id,
            name: e.nombre,
            place: e.lugar,
            zones: e
                .zonas
                .into_iter()
                .map(|z| SeedZone {
                    name: z.nombre,
                    price: z.precio as f64 / 100.0,
                    capacity: z.capacidad,
                    available: z.disponibles,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListEvents {
    /// Page size, 1 to 100 (default 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Events to skip (default 0).
    // A u32 on the server: the schema says so, not int32.
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_i64)]
    pub offset: Option<u32>,
}

/// A decimal price in currency units as céntimos, exactly: the shortest decimal that
/// reads back as the same `f64` (what the client wrote, for any sane client) must have
/// at most 2 decimals, so `150.5` is 15050 and `0.015` is refused, never rounded.
pub fn centimos(campo: &str, price: f64) -> Result<i64, FieldError> {
    let malo = |m: &str| FieldError::new(campo, m);
    if !price.is_finite() || price < 0.0 {
        return Err(malo("debe ser un importe de 0 o más, p. ej. 150 o 150.50"));
    }
    if price > MAX_PRICE {
        return Err(malo("no puede pasar de 1.000 millones"));
    }
    let texto = price.to_string();
    let (entero, decimales) = texto.split_once('.').unwrap_or((&texto, ""));
    if decimales.len() > 2 {
        return Err(malo("admite como mucho 2 decimales (céntimos)"));
    }
    let entero: i64 = entero
        .parse()
        .map_err(|_| malo("no es un importe válido"))?;
    let frac: i64 = format!("{decimales:0<2}")
        .parse()
        .map_err(|_| malo("no es un importe válido"))?;
    Ok(entero * 100 + frac)
}

/// `/api/eventos` field names in validation errors, as this API names them.
fn campo_seed(campo: &str) -> String {
    let c = campo
        .replacen("zonas", "zones", 1)
        .replace(".nombre", ".name")
        .replace(".precio", ".price")
        .replace(".capacidad", ".capacity");
    match c.as_str() {
        "nombre" => "name".into(),
        "fecha" => "date".into(),
        "lugar" => "place".into(),
        _ => c,
    }
}

/// Create an event (seed 000 compatibility).
#[utoipa::path(post, path = "/events", tag = "seed 000 compatibility",
    summary = "Publicar un evento (API de la semilla 000)",
    description = "Lo mismo que POST /api/eventos con el cuerpo de la semilla .NET: nombres en inglés y precios decimales en unidades de moneda (150.5 son 15050 céntimos). Requiere la sesión de un organizador o el token de administrador.",
    request_body = SeedEventInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Evento creado", body = SeedEvent),
        BodyProblems,
        SessionRequired,
        (status = 403, description = "Una cuenta de comprador no publica eventos", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos, cada uno nombrado en `errors`", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn create_event(
    State(state): State<AppState>,
    CorrelationId(corr): CorrelationId,
    publicador: Publicador,
    ApiJson(body): ApiJson<SeedEventInput>,
) -> Result<Response, ApiError> {
    let mut errors = Vec::new();
    let zonas = body
        .zones
        .iter()
        .enumerate()
        .map(|(i, z)| NuevaZona {
            nombre: z.name.clone(),
            precio: centimos(&format!("zones[{i}].price"), z.price)
                .map_err(|e| errors.push(e))
                .unwrap_or(0),
            capacidad: z.capacity,
        })
        .collect();
    let input = CrearEvento {
        id: None,
        nombre: body.name,
        fecha: body.date,
        zona_horaria: None,
        lugar: body.place,
        zonas: Some(zonas),
        aforo_total: None,
        entradas_disponibles: None,
        max_por_comprador: None,
    };
    let nuevo = NuevoEvento::parse(&input, Utc::now(), state.zona_horaria);
    let nuevo = match nuevo {
        Ok(n) if errors.is_empty() => n,
        Ok(_) => return Err(ApiError::validation(errors)),
        Err(otros) => {
            errors.extend(otros.into_iter().map(|e| FieldError {
                campo: campo_seed(&e.campo),
                mensaje: e.mensaje,
            }));
            return Err(ApiError::validation(errors));
        }
    };
    let evento = publicar(&state, &corr, publicador, nuevo).await?;
    let location = format!("/events/{}", evento.id);
    creado(&location, to_json(&SeedEvent::from(evento))?)
}

/// List events (seed 000 compatibility).
#[utoipa::path(get, path = "/events", tag = "seed 000 compatibility",
    summary = "Listar eventos (API de la semilla 000)",
    description = "Los eventos ordenados por fecha, como un arreglo en la forma de la semilla .NET. Usa la misma caché de Redis que el listado de /api/eventos (cabecera X-Cache).",
    security(()),
    params(ListEvents),
    responses(
        (status = 200, description = "Los eventos", body = Vec<SeedEvent>,
            headers(("x-cache" = String, description = "HIT si vino de la caché"))),
        InvalidParams,
        MongoUnavailable,
    ))]
pub async fn list_events(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListEvents>,
) -> Result<Response, ApiError> {
    let limit = limite(q.limit, 100).map_err(|e| ApiError::validation(vec![e]))?;
    let offset = q.offset.unwrap_or(0);
    let consulta = serde_json::json!(["seed000", limit, offset]).to_string();
    let leida = state.cache.lista(&consulta).await;
    if let Some(hit) = leida.valor {
        return Ok(cached_json(StatusCode::OK, hit, true));
    }
    let pagina = state
        .store
        .list(&FiltroEventos::default(), limit, offset)
        .await?;
    let body = to_json(
        &pagina
            .items
            .into_iter()
            .map(SeedEvent::from)
            .collect::<Vec<_>>(),
    )?;
    state
        .cache
        .guardar_lista(&consulta, &body, leida.version)
        .await;
    Ok(cached_json(StatusCode::OK, body, false))
}

/// One event (seed 000 compatibility).
#[utoipa::path(get, path = "/events/{id}", tag = "seed 000 compatibility",
    summary = "Consultar un evento (API de la semilla 000)",
    description = "Un evento con sus zonas y su disponibilidad, en la forma de la semilla .NET.",
    security(()),
    params(("id" = String, Path, description = "Id del evento", example = "5b0c3f6e-8f0a-4b8e-9a3e-0c1d2e3f4a5b")),
    responses(
        (status = 200, description = "El evento", body = SeedEvent,
            headers(("x-cache" = String, description = "HIT si vino de la caché"))),
        (status = 404, description = "No existe", body = Problem, content_type = "application/problem+json"),
        InvalidId,
        MongoUnavailable,
    ))]
pub async fn get_event(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    evento_por_cache(&state, &id, Forma::Seed000, |e| {
        to_json(&SeedEvent::from(e))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimales_a_centimos_exactos() {
        for (precio, c) in [
            (0.0, 0),
            (0.01, 1),
            (0.1, 10),
            (150.0, 15000),
            (150.5, 15050),
            (99999.99, 9999999),
            (1_000_000_000.0, 100_000_000_000),
        ] {
            assert_eq!(centimos("price", precio).unwrap(), c, "{precio}");
            assert_eq!(c as f64 / 100.0, precio, "back to {precio}");
        }
        for malo in [-0.01, 0.015, 150.555, f64::NAN, f64::INFINITY, 1e10] {
            let e = centimos("zones[0].price", malo).unwrap_err();
            assert_eq!(e.campo, "zones[0].price");
        }
    }

    #[test]
    fn campos_con_nombres_de_la_semilla() {
        assert_eq!(campo_seed("fecha"), "date");
        assert_eq!(campo_seed("zonas[1].capacidad"), "zones[1].capacity");
        assert_eq!(campo_seed("zonas"), "zones");
    }
}
