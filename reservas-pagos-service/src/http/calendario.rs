//! `GET /api/reservas/{id}/evento.ics`: a sold reservation's event as an iCalendar entry
//! (RFC 5545), so the buyer adds it to their calendar with its tickets' codes.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use eventflow_shared::problemas::MongoUnavailable;
use eventflow_shared::{ApiError, Problem};

use super::acceso::{ProblemasDeAcceso, ReservaVisible};
use super::AppState;
use crate::domain::{entradas, Estado, EstadoEntrada, Reserva};
use crate::puertos::{dependencia, EventoRef};

/// The event of a CONFIRMADA reservation, for a calendar. Same access as the
/// reservation.
#[utoipa::path(get, path = "/api/reservas/{id}/evento.ics", tag = "reservas",
    summary = "Añadir el evento al calendario",
    description = "El evento de una reserva confirmada como entrada de calendario iCalendar (RFC 5545): nombre, lugar, fecha y hora (en UTC; el calendario la muestra en la hora local de quien lo abre), y en la descripción la zona y los códigos de las entradas válidas. Tiene el mismo acceso que la reserva.",
    params(("id" = String, Path)), security(("bearer" = []), ("secreto" = [])),
    responses(
        (status = 200, description = "La entrada de calendario", body = String, content_type = "text/calendar"),
        ProblemasDeAcceso,
        (status = 409, description = "`reserva-no-confirmada`: solo una reserva confirmada tiene evento al que ir", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn calendario(
    State(st): State<AppState>,
    ReservaVisible { reserva, corr }: ReservaVisible,
) -> Result<Response, ApiError> {
    if reserva.estado != Estado::Confirmada {
        return Err(ApiError::conflict(
            "reserva-no-confirmada",
            "Solo una reserva confirmada tiene un evento al que ir",
        ));
    }
    let evento = st
        .deps
        .eventos
        .obtener(&reserva.evento_id, &corr)
        .await
        .map_err(|e| dependencia(e, "El evento"))?;
    let ics = ics(&reserva, &evento, eventflow_shared::now());
    let disposicion = HeaderValue::from_static("attachment; filename=\"evento.ics\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposicion),
        ],
        ics,
    )
        .into_response())
}

/// The VCALENDAR text: CRLF line ends, lines folded at 75 octets, text escaped.
fn ics(r: &Reserva, e: &EventoRef, ahora: DateTime<Utc>) -> String {
    let validas: Vec<&str> = r
        .entradas
        .iter()
        .filter(|t| t.estado == EstadoEntrada::Valida)
        .map(|t| t.codigo.as_str())
        .collect();
    let mut descripcion = format!(
        "{} · {}",
        entradas(r.cantidad),
        r.zona.as_deref().unwrap_or("General")
    );
    if !validas.is_empty() {
        descripcion.push_str(&format!("\nCódigos: {}", validas.join(", ")));
    }
    let mut lineas = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".into(),
        "PRODID:-//EventFlow//Entradas//ES".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}@eventflow", r.id),
        format!("DTSTAMP:{}", utc(ahora)),
        format!("DTSTART:{}", utc(e.fecha)),
        format!("SUMMARY:{}", texto(e.nombre.as_deref().unwrap_or("Evento"))),
    ];
    if let Some(lugar) = e.lugar.as_deref() {
        lineas.push(format!("LOCATION:{}", texto(lugar)));
    }
    lineas.push(format!("DESCRIPTION:{}", texto(&descripcion)));
    lineas.push("END:VEVENT".into());
    lineas.push("END:VCALENDAR".into());
    lineas.iter().map(|l| plegar(l)).collect()
}

/// A UTC date-time in RFC 5545's basic form.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// RFC 5545 TEXT: backslash, semicolon, comma and line breaks escaped.
fn texto(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded so no line passes 75 octets (continuations start with a
/// space), never inside a UTF-8 character; ends with CRLF.
fn plegar(linea: &str) -> String {
    let mut out = String::with_capacity(linea.len() + 8);
    let mut usados = 0;
    for c in linea.chars() {
        let n = c.len_utf8();
        if usados + n > 75 {
            out.push_str("\r\n ");
            usados = 1;
        }
        out.push(c);
        usados += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texto_escapado_y_lineas_plegadas() {
        assert_eq!(
            texto("Rock, jazz; y\\más\nfin"),
            "Rock\\, jazz\\; y\\\\más\\nfin"
        );
        let larga = format!("SUMMARY:{}", "ñ".repeat(60));
        let plegada = plegar(&larga);
        for l in plegada.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        // Unfolding (drop CRLF + one space) gives the line back.
        assert_eq!(plegada.replace("\r\n ", "").trim_end(), larga);
    }
}
