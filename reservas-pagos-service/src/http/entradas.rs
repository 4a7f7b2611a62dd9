//! Tickets outside their reservation: one ticket and its QR for its owner
//! (`/api/entradas/{codigo}…`), and, for eventos only, the event's signing keys and the
//! door (`/internal/claves/…`, `/internal/ingresos/…`). Signing happens here, when a
//! QR is rendered, never on the reservation path.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use eventflow_shared::auth::{DeEventos, Interno};
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::{self, Llamante};
use eventflow_shared::ids::EventoId;
use eventflow_shared::ingresos::{
    Admision, ClavesEvento, IngresosPuerta, IngresosZona, PedidoIngreso, ResumenIngresos,
};
use eventflow_shared::problemas::{InvalidId, ServiceCredential, ServiceNotAllowed};
use eventflow_shared::{ApiError, ApiJson, ApiPath, Problem};
use serde::Serialize;
use utoipa::ToSchema;

use super::acceso::{self, ProblemasDeAcceso};
use super::AppState;
use crate::domain::firma::{self, ClaveFirma, ClavePublica, EstadoClave, FirmaInvalida};
use crate::domain::{normalizar_codigo, Entrada, Estado, EstadoEntrada, MotivoAnulacion, Reserva};

/// A ticket, for its owner, with the payload its QR encodes.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntradaRespuesta {
    #[serde(flatten)]
    pub entrada: Entrada,
    pub evento_id: String,
    pub reserva_id: String,
    /// The signed payload (`EF1.<evento>.<codigo>.<zona>.<kid>.<firma>`) that its QR
    /// encodes; absent for an ANULADA ticket, which lets nobody in.
    #[schema(example = "EF1.665f1c….7K2QX9M4TB.UGxhdGVh.7K2QX9M4.MEUCIQ…")]
    pub qr: Option<String>,
}

/// The event's keys, its first one made now if it has none yet.
pub async fn claves(st: &AppState, evento_id: &str) -> Result<Vec<ClaveFirma>, ApiError> {
    Ok(st.claves.asegurar(evento_id, ClaveFirma::generar()).await?)
}

pub(super) fn publicas(claves: &[ClaveFirma]) -> Vec<ClavePublica> {
    claves.iter().map(ClavePublica::from).collect()
}

/// The signed payload of ticket `e` of reservation `r`, with the event's active key.
async fn payload(st: &AppState, r: &Reserva, e: &Entrada) -> Result<String, ApiError> {
    let claves = claves(st, &r.evento_id).await?;
    let activa = claves
        .iter()
        .rev()
        .find(|c| c.estado == EstadoClave::Activa)
        .ok_or_else(|| ApiError::internal(format!("event {} has no active key", r.evento_id)))?;
    firma::firmar(activa, &r.evento_id, &e.codigo, e.zona.as_deref())
        .ok_or_else(|| ApiError::internal(format!("key {} is unreadable", activa.kid)))
}

/// Ticket `codigo` and its reservation, if the caller may see that reservation (its
/// buyer, its guest secret, the event's organizer, the admin) or holds the ticket's own
/// secret (`X-Entrada-Secreto`, a transferred ticket's holder): anyone else gets the
/// same 404 as for a code that does not exist.
async fn visible(
    st: &AppState,
    llamante: Llamante,
    headers: &HeaderMap,
    codigo: &str,
    corr: &str,
) -> Result<(Reserva, Entrada), ApiError> {
    let secreto = acceso::secreto(headers);
    let de_entrada = headers.contains_key(super::entradas_dueno::CABECERA_SECRETO_ENTRADA);
    if llamante == Llamante::Anonimo && secreto.is_none() && !de_entrada {
        return Err(identidad::sin_credencial());
    }
    let no_existe = || ApiError::not_found(format!("No existe la entrada {codigo}"));
    let codigo = normalizar_codigo(codigo).ok_or_else(no_existe)?;
    let r = st
        .deps
        .reservas
        .por_codigo(&codigo)
        .await?
        .ok_or_else(no_existe)?;
    // A transferred ticket's holder opens it, and only it, with its own secret.
    let titular = de_entrada && super::entradas_dueno::con_secreto_de_entrada(st, headers, &codigo);
    if !titular && !acceso::puede(st, llamante, secreto, &r, corr).await? {
        return Err(no_existe());
    }
    let e = r
        .entradas
        .iter()
        .find(|e| e.codigo == codigo)
        .cloned()
        .ok_or_else(no_existe)?;
    Ok((r, e))
}

/// One ticket, with the payload its QR encodes.
#[utoipa::path(get, path = "/api/entradas/{codigo}", tag = "entradas",
    summary = "Ver una entrada",
    description = "Una entrada (código, zona, estado, titular, ingreso) con `qr`: el contenido firmado (Ed25519, clave del evento) que codifica su QR. Solo para su dueño (la sesión del comprador o `X-Reserva-Secreto` de su reserva), quien la recibió transferida (`X-Entrada-Secreto` de esa entrada), el organizador del evento o el administrador.",
    params(("codigo" = String, Path, description = "El código, como se escriba (mayúsculas, guiones y espacios dan igual)"),
        ("X-Entrada-Secreto" = Option<String>, Header, description = "El secreto de esta entrada, para quien la recibió transferida")),
    security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "La entrada", body = EntradaRespuesta),
        ProblemasDeAcceso,
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn obtener_entrada(
    State(st): State<AppState>,
    llamante: Llamante,
    CorrelationId(corr): CorrelationId,
    headers: HeaderMap,
    ApiPath(codigo): ApiPath<String>,
) -> Result<Json<EntradaRespuesta>, ApiError> {
    let (r, e) = visible(&st, llamante, &headers, &codigo, &corr).await?;
    let qr = if e.estado == EstadoEntrada::Anulada {
        None
    } else {
        Some(payload(&st, &r, &e).await?)
    };
    Ok(Json(EntradaRespuesta {
        entrada: e,
        evento_id: r.evento_id.to_string(),
        reserva_id: r.id.to_string(),
        qr,
    }))
}

/// The ticket's QR as SVG.
#[utoipa::path(get, path = "/api/entradas/{codigo}/qr.svg", tag = "entradas",
    summary = "QR de una entrada",
    description = "El QR de la entrada en SVG: codifica su contenido firmado (`EF1.…`), que la puerta verifica con las claves públicas del evento, incluso sin red. Mismo acceso que la entrada (también `X-Entrada-Secreto`).",
    params(("codigo" = String, Path),
        ("X-Entrada-Secreto" = Option<String>, Header, description = "El secreto de esta entrada, para quien la recibió transferida")),
    security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "El QR", body = String, content_type = "image/svg+xml"),
        ProblemasDeAcceso,
        (status = 409, description = "`entrada-anulada`: no deja entrar a nadie, así que no tiene QR", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn qr_svg(
    State(st): State<AppState>,
    llamante: Llamante,
    CorrelationId(corr): CorrelationId,
    headers: HeaderMap,
    ApiPath(codigo): ApiPath<String>,
) -> Result<Response, ApiError> {
    let (r, e) = visible(&st, llamante, &headers, &codigo, &corr).await?;
    if e.estado == EstadoEntrada::Anulada {
        return Err(ApiError::conflict(
            "entrada-anulada",
            format!(
                "La entrada {} está anulada: no deja entrar a nadie",
                e.codigo
            ),
        ));
    }
    let texto = payload(&st, &r, &e).await?;
    let svg = qrcode::QrCode::new(texto.as_bytes())
        .map_err(ApiError::internal)?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(256, 256)
        .build();
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        svg,
    )
        .into_response())
}

/// The event's public keys (eventos publishes them at `GET /api/eventos/{id}/claves`).
#[utoipa::path(get, path = "/internal/claves/{evento_id}", tag = "interno",
    summary = "Claves públicas de un evento",
    description = "Las claves públicas con que se firman las entradas del evento (la primera se crea al pedirla). Solo la llama eventos-service, con su credencial, que las publica en `/api/eventos/{id}/claves`.",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Las claves, la más antigua primero", body = ClavesEvento),
        ServiceCredential, ServiceNotAllowed, InvalidId,
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn listar_claves(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
) -> Result<Json<ClavesEvento>, ApiError> {
    let id = EventoId::parse("evento_id", &evento_id)?;
    let claves = claves(&st, &id).await?;
    Ok(Json(ClavesEvento {
        evento_id: id.to_string(),
        claves: publicas(&claves),
    }))
}

/// A new active key; the old ones stay listed.
#[utoipa::path(post, path = "/internal/claves/{evento_id}/rotar", tag = "interno",
    summary = "Rotar la clave de un evento",
    description = "Crea una clave activa nueva; las anteriores quedan retiradas pero listadas, y las entradas que firmaron siguen valiendo. Solo la llama eventos-service, con su credencial.",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Las claves, la nueva al final", body = ClavesEvento),
        ServiceCredential, ServiceNotAllowed, InvalidId,
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rotar_claves(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
) -> Result<Json<ClavesEvento>, ApiError> {
    let id = EventoId::parse("evento_id", &evento_id)?;
    let claves = st.claves.rotar(&id, ClaveFirma::generar()).await?;
    tracing::info!(evento_id = %id, kid = %claves.last().map(|c| c.kid.as_str()).unwrap_or_default(), "ticket signing key rotated");
    Ok(Json(ClavesEvento {
        evento_id: id.to_string(),
        claves: publicas(&claves),
    }))
}

fn rechazo(f: FirmaInvalida) -> ApiError {
    let motivo = match f {
        FirmaInvalida::OtroEvento => "otro-evento",
        _ => "firma-invalida",
    };
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        motivo,
        "Entrada inválida",
        f.mensaje(),
    )
    .with("admitido", false)
    .with("motivo", motivo)
}

fn motivo_anulacion(m: Option<MotivoAnulacion>) -> &'static str {
    match m {
        Some(MotivoAnulacion::Transferida) => "transferida",
        Some(MotivoAnulacion::Devuelta) => "devuelta",
        Some(MotivoAnulacion::Cancelada) | None => "cancelada",
    }
}

/// Why ticket `e` of `r` was not admitted now.
fn no_admitida(r: &Reserva, e: &Entrada) -> ApiError {
    match e.estado {
        EstadoEntrada::Usada => {
            ApiError::conflict("ya-usada", format!("La entrada {} ya se usó", e.codigo))
                .with("admitido", false)
                .with("motivo", "ya-usada")
                .with("entrada", e.codigo.clone())
                .with(
                    "usada_en",
                    serde_json::to_value(e.usada_en).unwrap_or_default(),
                )
                .with(
                    "puerta",
                    serde_json::to_value(&e.puerta).unwrap_or_default(),
                )
        }
        // VALIDA in a reservation no longer CONFIRMADA: its cancellation has begun.
        EstadoEntrada::Anulada | EstadoEntrada::Valida => {
            let motivo = if e.estado == EstadoEntrada::Anulada {
                motivo_anulacion(e.motivo)
            } else {
                debug_assert_ne!(r.estado, Estado::Confirmada);
                "cancelada"
            };
            ApiError::conflict(
                "anulada",
                format!("La entrada {} está anulada ({motivo})", e.codigo),
            )
            .with("admitido", false)
            .with("motivo", "anulada")
            .with("anulacion", motivo)
            .with("entrada", e.codigo.clone())
        }
    }
}

/// Lets a ticket in, once.
#[utoipa::path(post, path = "/internal/ingresos/{evento_id}", tag = "interno",
    summary = "Admitir una entrada",
    description = "Admite una entrada del evento, por `qr` (contenido firmado, verificado con las claves del evento) o `codigo`: una sola escritura condicional VALIDA → USADA, así que dos puertas que la escanean a la vez la admiten una sola vez. Con `nonce`, el mismo escaneo repetido (su respuesta se perdió) recibe otra vez 200. Solo la llama eventos-service, con su credencial (`POST /api/eventos/{id}/ingresos`).",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    request_body = PedidoIngreso,
    responses(
        (status = 200, description = "Admitida", body = Admision),
        ServiceCredential, ServiceNotAllowed,
        (status = 404, description = "No existe esa entrada en este evento", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`ya-usada` (con `usada_en` y `puerta`) o `anulada` (con `anulacion`: `cancelada`, `transferida` o `devuelta`); siempre `admitido: false`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`firma-invalida` u `otro-evento` (QR), falta `codigo` y `qr`, o el `nonce` no tiene de 8 a 64 caracteres", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn ingresar(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
    ApiJson(pedido): ApiJson<PedidoIngreso>,
) -> Result<Json<Admision>, ApiError> {
    let evento = EventoId::parse("evento_id", &evento_id)?;
    let limpio = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let codigo = match (limpio(&pedido.qr), limpio(&pedido.codigo)) {
        (Some(qr), _) => {
            let claves = publicas(&claves(&st, &evento).await?);
            firma::verificar(&qr, &claves, &evento)
                .map_err(rechazo)?
                .codigo
        }
        (None, Some(c)) => normalizar_codigo(&c)
            .ok_or_else(|| ApiError::not_found(format!("No existe la entrada {c}")))?,
        (None, None) => return Err(ApiError::field("codigo", "Indique `codigo` o `qr`")),
    };
    let puerta = limpio(&pedido.puerta).map(|p| p.chars().take(60).collect::<String>());
    let nonce = pedido.nonce.as_deref();
    if let Some(n) = nonce {
        eventflow_shared::ingresos::nonce_valido(n).map_err(|m| ApiError::field("nonce", m))?;
    }
    let no_existe = || ApiError::not_found(format!("No existe la entrada {codigo} en este evento"));
    // The write first: the door's common case is one round trip.
    let admitida = st
        .deps
        .reservas
        .admitir(
            &evento,
            &codigo,
            puerta.as_deref(),
            nonce,
            eventflow_shared::now(),
        )
        .await?;
    let r = match &admitida {
        Some(r) => r.clone(),
        // Not let in: read why (used, annulled, another event's, or no such code).
        None => st
            .deps
            .reservas
            .por_codigo(&codigo)
            .await?
            .filter(|r| r.evento_id == evento)
            .ok_or_else(no_existe)?,
    };
    let e = r
        .entradas
        .iter()
        .find(|e| e.codigo == codigo)
        .ok_or_else(no_existe)?;
    // The same scan again (its answer was lost): the same answer.
    let repetida =
        e.estado == EstadoEntrada::Usada && nonce.is_some() && e.nonce.as_deref() == nonce;
    if admitida.is_none() && !repetida {
        return Err(no_admitida(&r, e));
    }
    tracing::info!(evento_id = %evento, entrada = %codigo, puerta = ?puerta, "ticket admitted");
    Ok(Json(Admision {
        admitido: true,
        entrada: codigo.clone(),
        zona: e.zona.clone(),
        titular: e.titular.clone(),
    }))
}

/// Admitted and expected, per zone and per gate.
#[utoipa::path(get, path = "/internal/ingresos/{evento_id}/resumen", tag = "interno",
    summary = "Resumen de ingresos",
    description = "Entradas admitidas y esperadas (válidas o usadas) del evento, por zona y por puerta. Solo la llama eventos-service, con su credencial.",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "El resumen", body = ResumenIngresos),
        ServiceCredential, ServiceNotAllowed, InvalidId,
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn resumen(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
) -> Result<Json<ResumenIngresos>, ApiError> {
    let id = EventoId::parse("evento_id", &evento_id)?;
    let mut zonas: BTreeMap<Option<String>, (u64, u64)> = BTreeMap::new();
    let mut puertas: BTreeMap<Option<String>, u64> = BTreeMap::new();
    for r in st.deps.reservas.por_evento(&id).await? {
        for e in r
            .entradas
            .iter()
            .filter(|e| e.estado != EstadoEntrada::Anulada)
        {
            let z = zonas.entry(e.zona.clone()).or_default();
            z.1 += 1;
            if e.estado == EstadoEntrada::Usada {
                z.0 += 1;
                *puertas.entry(e.puerta.clone()).or_default() += 1;
            }
        }
    }
    Ok(Json(ResumenIngresos {
        evento_id: id.to_string(),
        admitidas: zonas.values().map(|z| z.0).sum(),
        esperadas: zonas.values().map(|z| z.1).sum(),
        por_zona: zonas
            .into_iter()
            .map(|(zona, (admitidas, esperadas))| IngresosZona {
                zona,
                admitidas,
                esperadas,
            })
            .collect(),
        por_puerta: puertas
            .into_iter()
            .map(|(puerta, admitidas)| IngresosPuerta { puerta, admitidas })
            .collect(),
    }))
}
