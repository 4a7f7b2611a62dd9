//! Event dates as organizers and the seed clients write them, read in the venue's time zone.
//!
//! Three forms are accepted: RFC 3339 with an offset (`2027-11-10T20:00:00-05:00`), a local
//! date-time without one (`2027-11-10T20:00:00`, what Python's `isoformat()` writes) and a
//! date alone (`2027-11-10`, the seed's data model), which means 00:00. The last two are
//! read in the event's zone, because an event happens at a venue: 20:00 in Lima is 20:00
//! in Lima whatever the organizer's browser or the server's clock say.

use std::str::FromStr;

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use eventflow_shared::FieldError;

/// The zone events are read in when neither the event nor `EVENTFLOW_ZONA_HORARIA` say.
pub const ZONA_DEFECTO: Tz = chrono_tz::America::Lima;

/// An IANA time zone name (`America/Lima`), or a Spanish message naming what was wrong.
pub fn zona_horaria(campo: &str, raw: &str) -> Result<Tz, FieldError> {
    Tz::from_str(raw.trim()).map_err(|_| {
        FieldError::new(
            campo,
            "debe ser una zona horaria IANA, p. ej. America/Lima o Europe/Madrid",
        )
    })
}

/// Reads `raw` in any of the three forms; local forms are read in `zona`.
pub fn leer_fecha(campo: &str, raw: &str, zona: Tz) -> Result<DateTime<Utc>, FieldError> {
    let raw = raw.trim();
    if let Ok(f) = DateTime::parse_from_rfc3339(raw) {
        return Ok(f.with_timezone(&Utc));
    }
    let local = local(raw).ok_or_else(|| {
        FieldError::new(
            campo,
            "debe ser una fecha como 2027-03-14, 2027-03-14T21:00:00 (hora del lugar) \
             o 2027-03-14T21:00:00-05:00",
        )
    })?;
    match zona.from_local_datetime(&local) {
        LocalResult::Single(f) => Ok(f.with_timezone(&Utc)),
        // The hour repeated when clocks go back: the first one, as calendars do.
        LocalResult::Ambiguous(primera, _) => Ok(primera.with_timezone(&Utc)),
        LocalResult::None => Err(FieldError::new(
            campo,
            format!(
                "la hora {} no existe en {} (ese día se adelantan los relojes)",
                local.format("%Y-%m-%d %H:%M"),
                zona.name()
            ),
        )),
    }
}

fn local(raw: &str) -> Option<NaiveDateTime> {
    const FORMAS: [&str; 4] = [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ];
    FORMAS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        })
}

/// `instante` as RFC 3339 with the offset `zona` has then: what responses show.
pub fn en_zona(instante: DateTime<Utc>, zona: Tz) -> String {
    instante
        .with_timezone(&zona)
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lima(raw: &str) -> Result<String, FieldError> {
        leer_fecha("fecha", raw, ZONA_DEFECTO).map(|f| f.to_rfc3339())
    }

    #[test]
    fn las_tres_formas() {
        for (raw, utc) in [
            ("2027-11-10", "2027-11-10T05:00:00+00:00"),
            ("2027-11-10T20:00:00", "2027-11-11T01:00:00+00:00"),
            ("2027-11-10T20:00", "2027-11-11T01:00:00+00:00"),
            ("2027-11-10T20:00:00.5", "2027-11-11T01:00:00.500+00:00"),
            ("2027-11-10T20:00:00Z", "2027-11-10T20:00:00+00:00"),
            ("2027-11-10T20:00:00+01:00", "2027-11-10T19:00:00+00:00"),
        ] {
            assert_eq!(lima(raw).unwrap(), utc, "{raw}");
        }
    }

    #[test]
    fn hueco_del_cambio_de_hora() {
        let madrid = zona_horaria("zona_horaria", "Europe/Madrid").unwrap();
        // 2027-03-28: 02:00 jumps to 03:00 in Madrid.
        let e = leer_fecha("fecha", "2027-03-28T02:30:00", madrid).unwrap_err();
        assert_eq!(e.campo, "fecha");
        assert!(
            e.mensaje.contains("no existe en Europe/Madrid"),
            "{}",
            e.mensaje
        );
        // The repeated hour in October takes the first (summer) one.
        let f = leer_fecha("fecha", "2027-10-31T02:30:00", madrid).unwrap();
        assert_eq!(f.to_rfc3339(), "2027-10-31T00:30:00+00:00");
    }

    #[test]
    fn respuesta_con_el_desfase_del_lugar() {
        let f = leer_fecha("fecha", "2027-11-10T20:00:00", ZONA_DEFECTO).unwrap();
        assert_eq!(en_zona(f, ZONA_DEFECTO), "2027-11-10T20:00:00-05:00");
        assert_eq!(en_zona(f, chrono_tz::UTC), "2027-11-11T01:00:00+00:00");
    }

    #[test]
    fn basura_y_zonas_desconocidas() {
        assert!(lima("mañana").is_err());
        assert!(lima("2027-02-30").is_err());
        assert!(zona_horaria("zona_horaria", "Lima/Peru").is_err());
        assert!(zona_horaria("zona_horaria", "").is_err());
    }
}
