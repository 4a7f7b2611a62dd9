//! The door without network, for eventos only (`/internal/ingresos/{evento_id}/…`): the
//! scanner's list (keys, tickets, revoked codes, by version), its queue uploaded later
//! (idempotent by nonce; the earliest scan wins, a second admission is `forzada`), and
//! the tickets that let more than one person in.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use eventflow_shared::auth::{DeEventos, Interno};
use eventflow_shared::ids::EventoId;
use eventflow_shared::ingresos::{
    self as contrato, Conflicto, Conflictos, DesdeVersion, EntradaEnLista, EscaneoRegistrado,
    EstadoEnLista, Forzado, ListaIngresos, LoteIngresos, PrimeraAdmision, Rechazado, ResultadoLote,
};
use eventflow_shared::problemas::{InvalidId, ServiceCredential, ServiceNotAllowed};
use eventflow_shared::{ApiError, ApiJson, ApiPath, ApiQuery, Problem};
use futures::{StreamExt, TryStreamExt};

use super::entradas::{claves, publicas};
use super::AppState;
use crate::domain::firma::{self, FirmaInvalida};
use crate::domain::ingreso::{self, Resultado};
use crate::domain::{normalizar_codigo, Escaneo, EstadoEntrada};

/// How far behind the reading a list's `version` is: a write stamped before the read
/// but landing after it is still sent next time. A ticket may come twice, never zero
/// times (a write taking longer than this to land is the only way to miss one).
const MARGEN_MS: i64 = 2_000;

/// Attempts at one reservation's version-guarded write before answering 503.
const INTENTOS: usize = 50;

/// Reservations written at once by one upload.
const EN_PARALELO: usize = 8;

/// The scanner's list.
#[utoipa::path(get, path = "/internal/ingresos/{evento_id}/lista", tag = "interno",
    summary = "Lista de la puerta sin red",
    description = "Lo que un escáner necesita para trabajar sin red: las claves públicas, las entradas (código, zona, titular, estado) y los códigos revocados (ANULADA). Con `desde` (la `version` de una respuesta anterior), solo las entradas cambiadas después (`completa: false`). Una sola consulta. Solo la llama eventos-service, con su credencial.",
    params(("evento_id" = String, Path), DesdeVersion), security(("bearer" = [])),
    responses(
        (status = 200, description = "La lista", body = ListaIngresos),
        ServiceCredential, ServiceNotAllowed, InvalidId,
        (status = 422, description = "`desde` no es un número", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lista(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DesdeVersion>,
) -> Result<Json<ListaIngresos>, ApiError> {
    let id = EventoId::parse("evento_id", &evento_id)?;
    // Taken before the read: whatever is written after it comes next time.
    let leida = crate::store::cambio_ahora();
    let claves = publicas(&claves(&st, &id).await?);
    let mut entradas: Vec<EntradaEnLista> = st
        .deps
        .reservas
        .entradas_del_evento(&id, q.desde)
        .await?
        .into_iter()
        .flat_map(|g| {
            g.entradas.into_iter().map(move |e| EntradaEnLista {
                estado: match e.estado {
                    EstadoEntrada::Valida if g.confirmada => EstadoEnLista::Valida,
                    // Its reservation's cancellation has begun: the door refuses it.
                    EstadoEntrada::Valida | EstadoEntrada::Anulada => EstadoEnLista::Anulada,
                    EstadoEntrada::Usada => EstadoEnLista::Usada,
                },
                codigo: e.codigo,
                zona: e.zona,
                titular: e.titular,
            })
        })
        .collect();
    entradas.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    let revocadas = entradas
        .iter()
        .filter(|e| e.estado == EstadoEnLista::Anulada)
        .map(|e| e.codigo.clone())
        .collect();
    Ok(Json(ListaIngresos {
        evento_id: id.to_string(),
        version: q.desde.unwrap_or(0).max(leida - MARGEN_MS),
        completa: q.desde.is_none(),
        claves,
        entradas,
        revocadas,
    }))
}

/// One scan of the batch, its ticket known.
struct Pendiente {
    indice: usize,
    escaneo: Escaneo,
}

/// What happened to the scans of one ticket.
type Salida = Vec<(usize, String, Escaneo, Resultado)>;

/// Writes the scans of ticket `codigo`, in order, in one version-guarded write of its
/// reservation (read again and redone if someone else wrote it first).
async fn registrar_codigo(
    st: &AppState,
    evento: &EventoId,
    codigo: String,
    scans: Vec<Pendiente>,
) -> Result<Salida, ApiError> {
    for _ in 0..INTENTOS {
        let r = st
            .deps
            .reservas
            .por_codigo(&codigo)
            .await?
            .filter(|r| r.evento_id == *evento);
        let Some(mut r) = r else {
            // A typed code of another event is, for this event, no ticket at all.
            return Ok(scans
                .into_iter()
                .map(|p| {
                    let e = p.escaneo;
                    (
                        p.indice,
                        codigo.clone(),
                        e,
                        Resultado::Rechazado("no-existe"),
                    )
                })
                .collect());
        };
        let mut salida = Vec::with_capacity(scans.len());
        for p in &scans {
            let res = ingreso::registrar(&mut r, &codigo, p.escaneo.clone());
            salida.push((p.indice, codigo.clone(), p.escaneo.clone(), res));
        }
        if !salida.iter().any(|(_, _, _, res)| res.escribe())
            || st.deps.reservas.guardar(&mut r).await?
        {
            return Ok(salida);
        }
        tokio::task::yield_now().await;
    }
    Err(ApiError::unavailable(
        "reservas",
        format!("La entrada {codigo} cambia sin parar; suba el lote de nuevo"),
    ))
}

/// A scanner's queue, uploaded.
#[utoipa::path(post, path = "/internal/ingresos/{evento_id}/lote", tag = "interno",
    summary = "Subir escaneos hechos sin red",
    description = "Registra los escaneos de un escáner que trabajó sin red, cada uno con su `nonce` y su hora (`escaneado_en`). Idempotente por nonce: subir el mismo lote otra vez no cambia nada (`repetidos`). Gana el escaneo más temprano; otro ingreso de la misma entrada queda como `forzado`, con la primera admisión. Una entrada anulada, un código desconocido o una firma inválida van en `rechazados` con su `motivo`; pero un escaneo anterior a la anulación es un ingreso forzado (la persona ya entró). A lo sumo 500 escaneos. Solo la llama eventos-service, con su credencial.",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    request_body = LoteIngresos,
    responses(
        (status = 200, description = "Lo que pasó con cada escaneo", body = ResultadoLote),
        ServiceCredential, ServiceNotAllowed, InvalidId,
        (status = 413, description = "Más de 500 escaneos", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Un escaneo sin `nonce` o sin `escaneado_en` (RFC 3339)", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no responde: suba el lote de nuevo (es idempotente)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn lote(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
    ApiJson(lote): ApiJson<LoteIngresos>,
) -> Result<Json<ResultadoLote>, ApiError> {
    let evento = EventoId::parse("evento_id", &evento_id)?;
    let n = lote.escaneos.len();
    if n > contrato::MAX_LOTE {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "lote-demasiado-grande",
            "Lote demasiado grande",
            format!(
                "Un lote lleva a lo sumo {} escaneos y este trae {n}: súbalos en partes",
                contrato::MAX_LOTE
            ),
        ));
    }
    let limpio = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|p| p.chars().take(60).collect::<String>())
    };
    let puerta_lote = limpio(lote.puerta.as_deref());
    let claves = if lote.escaneos.iter().any(|s| s.qr.is_some()) {
        publicas(&claves(&st, &evento).await?)
    } else {
        Vec::new()
    };
    let mut rechazados: Vec<(usize, Rechazado)> = Vec::new();
    let mut por_codigo: BTreeMap<String, Vec<Pendiente>> = BTreeMap::new();
    for (indice, s) in lote.escaneos.into_iter().enumerate() {
        let rechazar = |codigo: Option<String>, motivo: &str| {
            (
                indice,
                Rechazado {
                    nonce: s.nonce.clone(),
                    codigo,
                    motivo: motivo.to_owned(),
                },
            )
        };
        if contrato::nonce_valido(&s.nonce).is_err() {
            rechazados.push(rechazar(s.codigo.clone(), "nonce-invalido"));
            continue;
        }
        let codigo = match (limpio(s.qr.as_deref()), limpio(s.codigo.as_deref())) {
            (Some(qr), _) => match firma::verificar(&qr, &claves, &evento) {
                Ok(v) => v.codigo,
                Err(f) => {
                    let motivo = match f {
                        FirmaInvalida::OtroEvento => "otro-evento",
                        _ => "firma-invalida",
                    };
                    rechazados.push(rechazar(None, motivo));
                    continue;
                }
            },
            (None, Some(c)) => match normalizar_codigo(&c) {
                Some(c) => c,
                None => {
                    rechazados.push(rechazar(Some(c), "no-existe"));
                    continue;
                }
            },
            (None, None) => {
                rechazados.push(rechazar(None, "no-existe"));
                continue;
            }
        };
        let escaneo = Escaneo {
            nonce: Some(s.nonce),
            puerta: limpio(s.puerta.as_deref()).or_else(|| puerta_lote.clone()),
            escaneado_en: s.escaneado_en,
        };
        por_codigo
            .entry(codigo)
            .or_default()
            .push(Pendiente { indice, escaneo });
    }
    let salidas: Vec<Salida> = futures::stream::iter(por_codigo)
        .map(|(codigo, scans)| registrar_codigo(&st, &evento, codigo, scans))
        .buffer_unordered(EN_PARALELO)
        .try_collect()
        .await?;
    let mut out = ResultadoLote::default();
    let mut forzados: Vec<(usize, Forzado)> = Vec::new();
    for (indice, codigo, s, res) in salidas.into_iter().flatten() {
        match res {
            Resultado::Aceptado { desplazada } => {
                out.aceptados += 1;
                if let Some(d) = desplazada {
                    forzados.push((
                        indice,
                        Forzado {
                            codigo,
                            nonce: d.nonce,
                            puerta: d.puerta,
                            escaneado_en: d.escaneado_en,
                            primera: Some(PrimeraAdmision {
                                puerta: s.puerta,
                                usada_en: s.escaneado_en,
                            }),
                            motivo: "ya-usada".into(),
                        },
                    ));
                }
            }
            Resultado::Repetido => out.repetidos += 1,
            Resultado::Forzado { primera } => forzados.push((
                indice,
                Forzado {
                    codigo,
                    nonce: s.nonce,
                    puerta: s.puerta,
                    escaneado_en: s.escaneado_en,
                    motivo: if primera.is_some() {
                        "ya-usada"
                    } else {
                        "anulada"
                    }
                    .into(),
                    primera: primera.map(|(puerta, usada_en)| PrimeraAdmision { puerta, usada_en }),
                },
            )),
            Resultado::Rechazado(motivo) => rechazados.push((
                indice,
                Rechazado {
                    nonce: s.nonce.unwrap_or_default(),
                    codigo: Some(codigo),
                    motivo: motivo.into(),
                },
            )),
        }
    }
    forzados.sort_by_key(|(i, _)| *i);
    rechazados.sort_by_key(|(i, _)| *i);
    out.forzados = forzados.into_iter().map(|(_, f)| f).collect();
    out.rechazados = rechazados.into_iter().map(|(_, r)| r).collect();
    tracing::info!(evento_id = %evento, escaneos = n, aceptados = out.aceptados, repetidos = out.repetidos,
        forzados = out.forzados.len(), rechazados = out.rechazados.len(), "offline scans uploaded");
    Ok(Json(out))
}

/// Tickets that let more than one person in.
#[utoipa::path(get, path = "/internal/ingresos/{evento_id}/conflictos", tag = "interno",
    summary = "Entradas con más de un ingreso",
    description = "Cada entrada que dejó entrar a más de una persona (escáneres sin red que no lo sabían) o a alguien después de anularse, con todos sus escaneos (puerta, hora, nonce), el primero el que cuenta. Solo la llama eventos-service, con su credencial.",
    params(("evento_id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "Los conflictos", body = Conflictos),
        ServiceCredential, ServiceNotAllowed, InvalidId,
        (status = 503, description = "MongoDB no responde", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn conflictos(
    State(st): State<AppState>,
    _: Interno<DeEventos>,
    ApiPath(evento_id): ApiPath<String>,
) -> Result<Json<Conflictos>, ApiError> {
    let id = EventoId::parse("evento_id", &evento_id)?;
    let mut conflictos: Vec<Conflicto> = Vec::new();
    for r in st.deps.reservas.con_forzados(&id).await? {
        for e in r.entradas.into_iter().filter(|e| !e.forzados.is_empty()) {
            let admision = match (e.estado, e.usada_en) {
                (EstadoEntrada::Usada, Some(en)) => Some(EscaneoRegistrado {
                    puerta: e.puerta.clone(),
                    escaneado_en: en,
                    nonce: e.nonce.clone(),
                }),
                _ => None,
            };
            let mut escaneos: Vec<EscaneoRegistrado> = admision
                .into_iter()
                .chain(e.forzados.into_iter().map(|f| EscaneoRegistrado {
                    puerta: f.puerta,
                    escaneado_en: f.escaneado_en,
                    nonce: f.nonce,
                }))
                .collect();
            escaneos.sort_by_key(|s| s.escaneado_en);
            conflictos.push(Conflicto {
                codigo: e.codigo,
                zona: e.zona,
                titular: e.titular,
                escaneos,
            });
        }
    }
    conflictos.sort_by(|a, b| a.codigo.cmp(&b.codigo));
    Ok(Json(Conflictos {
        evento_id: id.to_string(),
        conflictos,
    }))
}
