//! `GET /api/reservas/{id}/entradas.pdf`: a sold reservation's tickets as a PDF, one page
//! each with its signed QR, for whoever may see the reservation. Annulled tickets are
//! left out: they let nobody in.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use eventflow_shared::problemas::MongoUnavailable;
use eventflow_shared::{ApiError, Problem};

use super::acceso::{ProblemasDeAcceso, ReservaVisible};
use super::AppState;
use crate::domain::firma::{self, EstadoClave};
use crate::domain::{Estado, EstadoEntrada};
use crate::pdf::{self, EntradaImpresa, EventoImpreso};
use crate::puertos::dependencia;

/// The tickets' PDF. Same access as the reservation.
#[utoipa::path(get, path = "/api/reservas/{id}/entradas.pdf", tag = "reservas",
    summary = "Descargar las entradas en PDF",
    description = "Las entradas de una reserva confirmada en un PDF, una página por entrada: el evento, su fecha y hora en la zona horaria del lugar (o en UTC, dicho en la página, si el evento no tiene una), el lugar, la zona, el titular, el código y el QR firmado. Las entradas anuladas no se imprimen. Tiene el mismo acceso que la reserva.",
    params(("id" = String, Path)), security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "El PDF", body = Vec<u8>, content_type = "application/pdf"),
        ProblemasDeAcceso,
        (status = 409, description = "`reserva-no-confirmada`: solo una reserva confirmada tiene entradas; `sin-entradas`: todas sus entradas están anuladas", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "eventos o MongoDB no responde", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn entradas_pdf(
    State(st): State<AppState>,
    ReservaVisible { reserva: r, corr }: ReservaVisible,
) -> Result<Response, ApiError> {
    if r.estado != Estado::Confirmada {
        return Err(ApiError::conflict(
            "reserva-no-confirmada",
            "Solo una reserva confirmada tiene entradas que descargar",
        ));
    }
    let vigentes: Vec<_> = r
        .entradas
        .iter()
        .filter(|e| e.estado != EstadoEntrada::Anulada)
        .collect();
    if vigentes.is_empty() {
        return Err(ApiError::conflict(
            "sin-entradas",
            "Todas las entradas de esta reserva están anuladas: no hay nada que imprimir",
        ));
    }
    let evento = st
        .deps
        .eventos
        .obtener(&r.evento_id, &corr)
        .await
        .map_err(|e| dependencia(e, "El evento"))?;
    // One read of the event's keys for every page; signing is in memory.
    let claves = super::entradas::claves(&st, &r.evento_id).await?;
    let activa = claves
        .iter()
        .rev()
        .find(|c| c.estado == EstadoClave::Activa)
        .ok_or_else(|| ApiError::internal(format!("event {} has no active key", r.evento_id)))?;
    let mut impresas = Vec::with_capacity(vigentes.len());
    for e in vigentes {
        impresas.push(EntradaImpresa {
            qr: firma::firmar(activa, &r.evento_id, &e.codigo, e.zona.as_deref())
                .ok_or_else(|| ApiError::internal(format!("key {} is unreadable", activa.kid)))?,
            codigo: e.codigo.clone(),
            zona: e.zona.clone(),
            titular: e.titular.clone(),
            usada: e.estado == EstadoEntrada::Usada,
        });
    }
    let impreso = EventoImpreso {
        nombre: evento.nombre.unwrap_or_else(|| "Evento".into()),
        lugar: evento.lugar,
        fecha: evento.fecha,
        zona_horaria: evento.zona_horaria,
    };
    let id = r.id.to_string();
    // Shaping and subsetting take milliseconds a page: off the async workers.
    let bytes = {
        let id = id.clone();
        tokio::task::spawn_blocking(move || pdf::entradas(&impreso, &id, &impresas))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::internal(e.0))?
    };
    let disposicion = HeaderValue::from_str(&format!("attachment; filename=\"entradas-{id}.pdf\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"entradas.pdf\""));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposicion),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}
