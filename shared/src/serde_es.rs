//! serde's English, in the house's Spanish: a body or query that does not fit becomes a
//! field error a buyer can read ("es obligatorio", "debe ser un número entero"), naming
//! the field by its path, with no serde text and no line and column.

use crate::error::FieldError;

/// The field error for one serde message, such as
/// `zonas[0].precio: invalid type: floating point `150.5`, expected i64 at line 1 column 80`.
pub fn traducir(msg: &str) -> FieldError {
    let msg = sin_posicion(msg.trim());
    let (ruta, interno) = match msg.split_once(": ") {
        Some((p, resto)) if es_ruta(p) => (if p == "." { "" } else { p }, resto),
        _ => ("", msg),
    };
    let unir = |campo: &str| {
        // serde_path_to_error already ends an unknown field's path with its name.
        if ruta == campo || ruta.ends_with(&format!(".{campo}")) {
            ruta.to_owned()
        } else if ruta.is_empty() {
            campo.to_owned()
        } else {
            format!("{ruta}.{campo}")
        }
    };
    let ruta_o_cuerpo = || {
        if ruta.is_empty() {
            "body".to_owned()
        } else {
            ruta.to_owned()
        }
    };
    if let Some(campo) = entre_comillas(interno, "missing field `") {
        return FieldError::new(unir(&campo), "es obligatorio");
    }
    if let Some(campo) = entre_comillas(interno, "unknown field `") {
        return FieldError::new(
            unir(&campo),
            format!("no es un campo admitido{}", admitidos(interno)),
        );
    }
    if let Some(campo) = entre_comillas(interno, "duplicate field `") {
        return FieldError::new(unir(&campo), "está repetido");
    }
    if interno.starts_with("unknown variant `") {
        return FieldError::new(
            ruta_o_cuerpo(),
            format!("no es un valor admitido{}", admitidos(interno)),
        );
    }
    let mensaje = if let Some(resto) = interno.strip_prefix("invalid type: ") {
        let esperado = resto.split_once(", expected ").map_or("", |(_, e)| e);
        format!("debe ser {}", tipo(esperado))
    } else if let Some(resto) = interno.strip_prefix("invalid value: ") {
        let esperado = resto.split_once(", expected ").map_or("", |(_, e)| e);
        format!("tiene un valor no válido: debe ser {}", tipo(esperado))
    } else if interno.starts_with("invalid length") {
        "tiene una cantidad de elementos no válida".to_owned()
    } else if interno.contains("out of range") {
        "está fuera de rango".to_owned()
    } else if interno.starts_with("invalid digit") || interno.starts_with("cannot parse") {
        "debe ser un número".to_owned()
    } else if parece_ingles(interno) {
        // Some other English (a library's own message): say it plainly instead.
        "tiene un valor no válido".to_owned()
    } else {
        // Our own Deserialize impls already speak Spanish.
        interno.to_owned()
    };
    FieldError::new(ruta_o_cuerpo(), mensaje)
}

/// Words of serde's and libraries' messages that never start ours.
fn parece_ingles(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    [
        "expected",
        "invalid",
        "unknown",
        "missing",
        "must",
        "failed",
        "error",
        "found",
        "cannot",
        "premature",
        "trailing",
        "input",
    ]
    .iter()
    .any(|w| m.contains(w))
}

/// A serde_path_to_error path: `nombre`, `zonas[0].precio`, `.`.
fn es_ruta(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '-' | '?'))
}

fn sin_posicion(msg: &str) -> &str {
    match msg.rfind(" at line ") {
        Some(i) if msg[i..].contains(" column ") => &msg[..i],
        _ => msg,
    }
}

fn entre_comillas(msg: &str, prefijo: &str) -> Option<String> {
    let resto = msg.strip_prefix(prefijo)?;
    resto.split('`').next().map(str::to_owned)
}

/// " (se admiten: a, b)" from serde's "expected one of `a`, `b`" / "expected `a` or `b`".
fn admitidos(msg: &str) -> String {
    let Some((_, esperado)) = msg.split_once("expected ") else {
        return String::new();
    };
    let nombres: Vec<&str> = esperado
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, n)| n)
        .collect();
    if nombres.is_empty() {
        String::new()
    } else {
        format!(" (se admiten: {})", nombres.join(", "))
    }
}

/// serde's "expected …" in Spanish.
fn tipo(esperado: &str) -> &'static str {
    let e = esperado.trim();
    match e {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "un número entero no negativo",
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "an integer" | "integer" => {
            "un número entero"
        }
        "f32" | "f64" | "a number" => "un número",
        "a string" | "a borrowed string" | "string" | "a character" | "char" => "un texto",
        "a boolean" | "bool" => "verdadero o falso",
        "a sequence" | "a list" | "an array" => "una lista",
        "a map" | "map" => "un objeto",
        "unit" | "null" => "vacío",
        _ if e.starts_with("struct ") || e.starts_with("a map") => "un objeto",
        _ if e.starts_with("a sequence") || e.starts_with("a tuple") || e.starts_with("tuple") => {
            "una lista"
        }
        _ if e.contains("UUID") => "un UUID",
        _ if e.contains("date") || e.contains("time") => "una fecha y hora",
        _ if e.contains("variant") || e.starts_with("enum ") => "uno de los valores admitidos",
        _ => "de otro tipo",
    }
}

#[cfg(test)]
mod tests {
    use super::traducir;

    #[track_caller]
    fn es(msg: &str, campo: &str, mensaje: &str) {
        let f = traducir(msg);
        assert_eq!(
            (f.campo.as_str(), f.mensaje.as_str()),
            (campo, mensaje),
            "{msg}"
        );
    }

    #[test]
    fn cada_clase_de_error_de_serde() {
        es(
            "missing field `nombre` at line 1 column 126",
            "nombre",
            "es obligatorio",
        );
        es(
            "zonas[0]: missing field `precio` at line 1 column 40",
            "zonas[0].precio",
            "es obligatorio",
        );
        es(
            "zonas[0].precio: invalid type: floating point `150.5`, expected i64 at line 1 column 80",
            "zonas[0].precio",
            "debe ser un número entero",
        );
        es(
            "cantidad: invalid type: string \"tres\", expected i64 at line 1 column 30",
            "cantidad",
            "debe ser un número entero",
        );
        es(
            "zonas: invalid type: string \"VIP\", expected a sequence at line 1 column 9",
            "zonas",
            "debe ser una lista",
        );
        es(
            "pago: invalid type: integer `1`, expected struct PagoSolicitud at line 1 column 9",
            "pago",
            "debe ser un objeto",
        );
        es(
            "limit: invalid value: integer `-1`, expected u32",
            "limit",
            "tiene un valor no válido: debe ser un número entero no negativo",
        );
        es(
            "unknown field `cantdad`, expected one of `usuario_id`, `email`, `evento_id` at line 1 column 12",
            "cantdad",
            "no es un campo admitido (se admiten: usuario_id, email, evento_id)",
        );
        es(
            "cantdad: unknown field `cantdad`, expected one of `usuario_id`",
            "cantdad",
            "no es un campo admitido (se admiten: usuario_id)",
        );
        es(
            "pago.cvv: unknown field `cvv`, expected one of `metodo`, `numero_tarjeta`",
            "pago.cvv",
            "no es un campo admitido (se admiten: metodo, numero_tarjeta)",
        );
        es(
            "proposito: unknown variant `sms`, expected `password` or `email`",
            "proposito",
            "no es un valor admitido (se admiten: password, email)",
        );
        es(
            "number out of range at line 1 column 40",
            "body",
            "está fuera de rango",
        );
        es(
            "invalid type: map, expected a string",
            "body",
            "debe ser un texto",
        );
        es(
            "limit: invalid digit found in string",
            "limit",
            "debe ser un número",
        );
        es(
            "fecha: debe ser una fecha RFC 3339",
            "fecha",
            "debe ser una fecha RFC 3339",
        );
        es("premature end of input", "body", "tiene un valor no válido");
    }
}
