//! Raw organizer input for events, and its parsing into validated values.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use eventflow_shared::FieldError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::fecha::{leer_fecha, zona_horaria};
use super::{Evento, Zona};

const MAX_CAPACIDAD: i64 = 1_000_000;
/// 1,000 million in major units, in céntimos.
const MAX_PRECIO: i64 = 100_000_000_000;
const MAX_ZONAS: usize = 50;

/// Body of `POST /api/eventos`. Either `zonas`, or the seed's `aforo_total` and
/// `entradas_disponibles` (which become one zone `General` at price 0).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(example = json!({
    "nombre": "Rock en el Parque", "fecha": "2027-03-14T21:00:00Z", "lugar": "Estadio Nacional",
    "zonas": [{"nombre": "Campo", "precio": 8000, "capacidad": 1000},
              {"nombre": "Platea", "precio": 15000, "capacidad": 500}]
}))]
#[serde(deny_unknown_fields)]
pub struct CrearEvento {
    /// Optional client-chosen id: 1-64 letters, digits, `-` or `_`. Default: a UUID.
    pub id: Option<String>,
    pub nombre: String,
    /// In the future: RFC 3339 (`2027-03-14T21:00:00-05:00`), or local to the venue
    /// (`2027-03-14T21:00:00`, or `2027-03-14` for 00:00), read in `zona_horaria`.
    #[schema(example = "2027-03-14T21:00:00-05:00")]
    pub fecha: String,
    /// The venue's IANA time zone. Default: `EVENTFLOW_ZONA_HORARIA` (`America/Lima`).
    #[schema(example = "America/Lima")]
    pub zona_horaria: Option<String>,
    pub lugar: String,
    pub zonas: Option<Vec<NuevaZona>>,
    /// Seed format: total capacity, when no `zonas` are given.
    pub aforo_total: Option<i64>,
    /// Seed format: tickets still available (at most `aforo_total`).
    pub entradas_disponibles: Option<i64>,
    /// Tickets one buyer may have across all their reservations, 1 to 1000 (default 10).
    #[schema(example = 4, minimum = 1, maximum = 1000)]
    pub max_por_comprador: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NuevaZona {
    #[schema(example = "Platea")]
    pub nombre: String,
    /// Minor units, >= 0.
    #[schema(example = 15000, minimum = 0, maximum = 100_000_000_000_i64)]
    pub precio: i64,
    /// >= 1.
    #[schema(example = 500, minimum = 1, maximum = 1_000_000)]
    pub capacidad: i64,
}

/// A validated new event.
#[derive(Debug, Clone)]
pub struct NuevoEvento {
    pub id: Option<String>,
    pub nombre: String,
    pub fecha: DateTime<Utc>,
    pub zona_horaria: Tz,
    pub lugar: String,
    pub zonas: Vec<Zona>,
    pub max_por_comprador: u32,
}

/// 1 to 1000 tickets per buyer.
const MAX_POR_COMPRADOR: i64 = 1000;

fn max_por_comprador(v: Option<i64>, errors: &mut Vec<FieldError>) -> Option<u32> {
    match v {
        None => None,
        Some(n) if (1..=MAX_POR_COMPRADOR).contains(&n) => Some(n as u32),
        Some(_) => {
            errors.push(FieldError::new(
                "max_por_comprador",
                format!("debe estar entre 1 y {MAX_POR_COMPRADOR}"),
            ));
            None
        }
    }
}

impl NuevoEvento {
    /// `zona_defecto` reads the date when the body names no `zona_horaria`.
    pub fn parse(
        input: &CrearEvento,
        ahora: DateTime<Utc>,
        zona_defecto: Tz,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(id) = &input.id {
            if eventflow_shared::safe_id("id", id).is_err() {
                errors.push(FieldError::new(
                    "id",
                    "debe tener de 1 a 64 letras, dígitos, '-' o '_'",
                ));
            }
        }
        let nombre = texto("nombre", &input.nombre, 200, &mut errors);
        let lugar = texto("lugar", &input.lugar, 200, &mut errors);
        let zona = match input
            .zona_horaria
            .as_deref()
            .map(|z| zona_horaria("zona_horaria", z))
        {
            None => Some(zona_defecto),
            Some(Ok(z)) => Some(z),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
        };
        let fecha = zona.and_then(|z| fecha_futura("fecha", &input.fecha, z, ahora, &mut errors));
        let zonas = match &input.zonas {
            Some(zonas) => zonas_validas(zonas, input, &mut errors),
            None => zona_general(input, &mut errors),
        };
        let max = max_por_comprador(input.max_por_comprador, &mut errors)
            .unwrap_or(super::MAX_POR_COMPRADOR_DEFECTO);
        match (fecha, zona) {
            (Some(fecha), Some(zona_horaria)) if errors.is_empty() => Ok(Self {
                id: input.id.clone(),
                nombre,
                fecha,
                zona_horaria,
                lugar,
                zonas,
                max_por_comprador: max,
            }),
            _ => Err(errors),
        }
    }

    pub fn into_evento(self, id: String, creado_en: DateTime<Utc>) -> Evento {
        Evento {
            id,
            nombre: self.nombre,
            fecha: self.fecha,
            zona_horaria: self.zona_horaria,
            lugar: self.lugar,
            zonas: self.zonas,
            max_por_comprador: self.max_por_comprador,
            transferencias_permitidas: true,
            organizador_id: None,
            creado_en,
            retenciones: BTreeMap::new(),
            ventas: BTreeMap::new(),
            outbox: Vec::new(),
        }
    }
}

fn zonas_validas(
    zonas: &[NuevaZona],
    input: &CrearEvento,
    errors: &mut Vec<FieldError>,
) -> Vec<Zona> {
    if zonas.is_empty() || zonas.len() > MAX_ZONAS {
        errors.push(FieldError::new(
            "zonas",
            format!("debe tener de 1 a {MAX_ZONAS} zonas"),
        ));
        return Vec::new();
    }
    let mut vistos = HashSet::new();
    let mut out = Vec::new();
    for (i, z) in zonas.iter().enumerate() {
        let nombre = texto(&format!("zonas[{i}].nombre"), &z.nombre, 100, errors);
        if !nombre.is_empty() && !vistos.insert(nombre.to_lowercase()) {
            errors.push(FieldError::new(
                format!("zonas[{i}].nombre"),
                "ya hay una zona con ese nombre en el evento",
            ));
        }
        if !(0..=MAX_PRECIO).contains(&z.precio) {
            errors.push(FieldError::new(
                format!("zonas[{i}].precio"),
                "debe ser un entero >= 0 en unidades menores (céntimos)",
            ));
        }
        if !(1..=MAX_CAPACIDAD).contains(&z.capacidad) {
            errors.push(FieldError::new(
                format!("zonas[{i}].capacidad"),
                format!("debe estar entre 1 y {MAX_CAPACIDAD}"),
            ));
        }
        let capacidad = z.capacidad.clamp(0, MAX_CAPACIDAD) as u32;
        out.push(Zona {
            nombre,
            precio: z.precio,
            capacidad,
            disponibles: capacidad,
            vendidas: 0,
        });
    }
    let total: i64 = out.iter().map(|z| i64::from(z.capacidad)).sum();
    if input.aforo_total.is_some_and(|a| a != total) {
        errors.push(FieldError::new(
            "aforo_total",
            "no coincide con la suma de las capacidades de las zonas",
        ));
    }
    if input.entradas_disponibles.is_some_and(|d| d != total) {
        errors.push(FieldError::new(
            "entradas_disponibles",
            "con zonas, un evento nuevo tiene todas sus entradas disponibles",
        ));
    }
    out
}

/// The seed's shape: one zone `General`, price 0. Tickets not available were sold
/// elsewhere before the event reached EventFlow.
fn zona_general(input: &CrearEvento, errors: &mut Vec<FieldError>) -> Vec<Zona> {
    let Some(aforo) = input.aforo_total else {
        errors.push(FieldError::new(
            "zonas",
            "indique 'zonas', o 'aforo_total' y 'entradas_disponibles'",
        ));
        return Vec::new();
    };
    if !(1..=MAX_CAPACIDAD).contains(&aforo) {
        errors.push(FieldError::new(
            "aforo_total",
            format!("debe estar entre 1 y {MAX_CAPACIDAD}"),
        ));
        return Vec::new();
    }
    let disponibles = input.entradas_disponibles.unwrap_or(aforo);
    if disponibles < 0 || disponibles > aforo {
        errors.push(FieldError::new(
            "entradas_disponibles",
            "debe estar entre 0 y aforo_total",
        ));
        return Vec::new();
    }
    vec![Zona {
        nombre: "General".into(),
        precio: 0,
        capacidad: aforo as u32,
        disponibles: disponibles as u32,
        vendidas: (aforo - disponibles) as u32,
    }]
}

pub(crate) fn texto(campo: &str, raw: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(campo, "no puede estar vacío"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            campo,
            format!("es demasiado largo (máximo {max} caracteres)"),
        ));
    } else if v.chars().any(char::is_control) {
        errors.push(FieldError::new(campo, "contiene caracteres de control"));
    }
    v.to_owned()
}

pub(crate) fn fecha_futura(
    campo: &str,
    raw: &str,
    zona: Tz,
    ahora: DateTime<Utc>,
    errors: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    match leer_fecha(campo, raw, zona) {
        Ok(f) => {
            // Millisecond precision: what MongoDB stores, so reads match writes.
            let f = DateTime::from_timestamp_millis(f.timestamp_millis())?;
            if f <= ahora {
                errors.push(FieldError::new(campo, "debe ser una fecha futura"));
                None
            } else {
                Some(f)
            }
        }
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

/// Changes an organizer may make after creation. Inventory is changed only by sales.
#[derive(Debug, Clone, Default)]
pub struct CambiosEvento {
    pub nombre: Option<String>,
    pub fecha: Option<DateTime<Utc>>,
    pub zona_horaria: Option<Tz>,
    pub lugar: Option<String>,
    pub max_por_comprador: Option<u32>,
    /// Set alone, by `PUT /api/eventos/{id}/transferencias`.
    pub transferencias_permitidas: Option<bool>,
}

/// Body fields of an event change, as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct CambiosCrudos<'a> {
    pub nombre: Option<&'a str>,
    pub fecha: Option<&'a str>,
    pub zona_horaria: Option<&'a str>,
    pub lugar: Option<&'a str>,
    pub max_por_comprador: Option<i64>,
}

impl CambiosEvento {
    /// A new local `fecha` is read in the new `zona_horaria` when the change names one,
    /// else in the event's own `zona`. A new zone alone keeps the instant.
    pub fn parse(
        c: CambiosCrudos<'_>,
        zona: Tz,
        ahora: DateTime<Utc>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let nombre = c.nombre.map(|n| texto("nombre", n, 200, &mut errors));
        let lugar = c.lugar.map(|l| texto("lugar", l, 200, &mut errors));
        let zona_horaria = c.zona_horaria.and_then(|z| {
            zona_horaria("zona_horaria", z)
                .map_err(|e| errors.push(e))
                .ok()
        });
        let fecha = c.fecha.and_then(|f| {
            fecha_futura("fecha", f, zona_horaria.unwrap_or(zona), ahora, &mut errors)
        });
        let max_por_comprador = max_por_comprador(c.max_por_comprador, &mut errors);
        if errors.is_empty() {
            Ok(Self {
                nombre,
                fecha,
                zona_horaria,
                lugar,
                max_por_comprador,
                transferencias_permitidas: None,
            })
        } else {
            Err(errors)
        }
    }

    pub fn apply(&self, e: &mut Evento) {
        if let Some(n) = &self.nombre {
            e.nombre = n.clone();
        }
        if let Some(f) = self.fecha {
            e.fecha = f;
        }
        if let Some(z) = self.zona_horaria {
            e.zona_horaria = z;
        }
        if let Some(l) = &self.lugar {
            e.lugar = l.clone();
        }
        if let Some(m) = self.max_por_comprador {
            e.max_por_comprador = m;
        }
        if let Some(t) = self.transferencias_permitidas {
            e.transferencias_permitidas = t;
        }
    }
}

/// `GET /api/eventos` filters: a date range and an exact place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FiltroEventos {
    pub desde: Option<DateTime<Utc>>,
    pub hasta: Option<DateTime<Utc>>,
    pub lugar: Option<String>,
    /// Only this organizer's events (its id, as events carry it).
    pub organizador_id: Option<String>,
}

impl FiltroEventos {
    pub fn matches(&self, e: &Evento) -> bool {
        self.desde.is_none_or(|d| e.fecha >= d)
            && self.hasta.is_none_or(|h| e.fecha <= h)
            && self.lugar.as_ref().is_none_or(|l| &e.lugar == l)
            && self
                .organizador_id
                .as_ref()
                .is_none_or(|o| e.organizador_id.as_ref() == Some(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> CrearEvento {
        CrearEvento {
            id: None,
            nombre: "Concierto".into(),
            fecha: "2099-01-01T20:00:00Z".into(),
            zona_horaria: None,
            lugar: "Lima".into(),
            zonas: None,
            aforo_total: Some(100),
            entradas_disponibles: Some(80),
            max_por_comprador: None,
        }
    }

    #[test]
    fn seed_body_becomes_one_general_zone() {
        let e = NuevoEvento::parse(&base(), Utc::now(), super::super::fecha::ZONA_DEFECTO).unwrap();
        assert_eq!(e.zonas.len(), 1);
        assert_eq!(
            (e.zonas[0].nombre.as_str(), e.zonas[0].precio),
            ("General", 0)
        );
        assert_eq!(
            (
                e.zonas[0].capacidad,
                e.zonas[0].disponibles,
                e.zonas[0].vendidas
            ),
            (100, 80, 20)
        );
    }

    #[test]
    fn availability_above_capacity_is_rejected() {
        let mut b = base();
        b.entradas_disponibles = Some(101);
        let errs =
            NuevoEvento::parse(&b, Utc::now(), super::super::fecha::ZONA_DEFECTO).unwrap_err();
        assert_eq!(errs[0].campo, "entradas_disponibles");
    }

    #[test]
    fn zones_are_checked_one_by_one() {
        let mut b = base();
        b.aforo_total = None;
        b.entradas_disponibles = None;
        b.fecha = "2001-01-01T00:00:00Z".into();
        b.zonas = Some(vec![
            NuevaZona {
                nombre: "VIP".into(),
                precio: -1,
                capacidad: 0,
            },
            NuevaZona {
                nombre: "vip".into(),
                precio: 10,
                capacidad: 5,
            },
        ]);
        let campos: Vec<String> =
            NuevoEvento::parse(&b, Utc::now(), super::super::fecha::ZONA_DEFECTO)
                .unwrap_err()
                .into_iter()
                .map(|e| e.campo)
                .collect();
        assert_eq!(
            campos,
            [
                "fecha",
                "zonas[0].precio",
                "zonas[0].capacidad",
                "zonas[1].nombre"
            ]
        );
    }
}
