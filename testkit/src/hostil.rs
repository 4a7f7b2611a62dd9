//! Hostile input for the services' `tests/hostil.rs`: oversized, deeply nested and
//! non-UTF-8 bodies, out-of-range numbers, path-traversal and operator-looking ids, MongoDB
//! operator injection, and a raw HTTP/1.1 client that sends request targets exactly as
//! written (reqwest would normalise `%2E%2E` away, as URL parsers must).

use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Nesting depth of the "deeply nested" bodies: far past serde_json's recursion limit
/// (128), still under the 64 KiB body limit.
pub const PROFUNDIDAD: usize = 10_000;

/// `[[[…]]]`, `depth` levels.
pub fn arrays_anidados(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// `{"a":{"a":…1…}}`, `depth` levels.
pub fn objetos_anidados(depth: usize) -> String {
    format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))
}

/// A JSON body over the 64 KiB limit: `plantilla` with one field padded.
pub fn cuerpo_enorme(plantilla: &Value) -> Vec<u8> {
    let mut v = plantilla.clone();
    if let Some(o) = v.as_object_mut() {
        o.insert("relleno".into(), Value::String("x".repeat(65 * 1024)));
    }
    let bytes = serde_json::to_vec(&v).expect("serialise");
    assert!(bytes.len() > 64 * 1024);
    bytes
}

/// Bodies a JSON parser must refuse without ever reaching a handler: nesting far past the
/// recursion limit (at the top and inside each known field) and bytes that are not UTF-8.
/// Nesting inside an *unknown* field is [`anidado_en_campo_desconocido`]: serde skips
/// unknown values without recursing, so it is no threat, and bodies that allow unknown
/// fields accept it.
pub fn cuerpos_malformados(plantilla: &Value) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        (
            "arrays anidados".to_owned(),
            arrays_anidados(PROFUNDIDAD).into_bytes(),
        ),
        (
            "objetos anidados".to_owned(),
            objetos_anidados(PROFUNDIDAD).into_bytes(),
        ),
        (
            "UTF-8 inválido en un string".to_owned(),
            b"{\"nombre\": \"\xff\xfe\xc3\x28\"}".to_vec(),
        ),
        ("UTF-8 inválido suelto".to_owned(), b"\xff\xfe\xfd".to_vec()),
        ("NUL".to_owned(), b"\0".to_vec()),
    ];
    let Some(obj) = plantilla.as_object() else {
        return out;
    };
    for campo in obj.keys() {
        for (tipo, anidado) in [
            ("arrays", arrays_anidados(PROFUNDIDAD)),
            ("objetos", objetos_anidados(PROFUNDIDAD)),
        ] {
            let mut v = obj.clone();
            v.insert(campo.clone(), Value::Null);
            let texto = serde_json::to_string(&Value::Object(v)).expect("serialise");
            // Splice the raw nested text in place of `null`: serde_json::Value itself
            // could not even hold it without recursing that deep.
            let clave = serde_json::to_string(&campo).expect("serialise");
            let texto = texto.replacen(&format!("{clave}:null"), &format!("{clave}:{anidado}"), 1);
            out.push((format!("{tipo} anidados en `{campo}`"), texto.into_bytes()));
        }
        // Invalid UTF-8 inside this field's string.
        let mut v = obj.clone();
        v.insert(campo.clone(), Value::String("MARCA".into()));
        let texto = serde_json::to_vec(&Value::Object(v)).expect("serialise");
        let pos = texto
            .windows(5)
            .position(|w| w == b"MARCA")
            .expect("marker");
        let mut bytes = texto[..pos].to_vec();
        bytes.extend_from_slice(b"\xc3\x28\xff");
        bytes.extend_from_slice(&texto[pos + 5..]);
        out.push((format!("UTF-8 inválido en `{campo}`"), bytes));
    }
    out
}

/// `plantilla` plus an unknown field holding 10,000 nested arrays, then objects.
pub fn anidado_en_campo_desconocido(plantilla: &Value) -> Vec<(String, Vec<u8>)> {
    let texto = serde_json::to_string(plantilla).expect("serialise");
    let cuerpo = texto.strip_suffix('}').expect("a JSON object");
    let sep = if cuerpo.ends_with('{') { "" } else { "," };
    [
        ("arrays", arrays_anidados(PROFUNDIDAD)),
        ("objetos", objetos_anidados(PROFUNDIDAD)),
    ]
    .into_iter()
    .map(|(tipo, anidado)| {
        (
            format!("{tipo} anidados en un campo desconocido"),
            format!("{cuerpo}{sep}\"campo_desconocido\":{anidado}}}").into_bytes(),
        )
    })
    .collect()
}

/// MongoDB query operators in the shapes a client could smuggle them.
pub fn operadores() -> Vec<Value> {
    vec![
        json!({"$ne": null}),
        json!({"$gt": ""}),
        json!({"$regex": ".*"}),
        json!({"$where": "sleep(1000) || true"}),
        json!({"$exists": true}),
        json!(["$ne", null]),
    ]
}

/// `plantilla` with each string field (at any depth) replaced by each operator. Each entry
/// is (a path naming the field, the body).
pub fn con_operadores(plantilla: &Value) -> Vec<(String, Value)> {
    let mut caminos = Vec::new();
    caminos_de_strings(plantilla, String::new(), &mut caminos);
    let mut out = Vec::new();
    for camino in caminos {
        for op in operadores() {
            let mut v = plantilla.clone();
            *v.pointer_mut(&camino).expect("pointer") = op.clone();
            out.push((format!("{camino} = {op}"), v));
        }
    }
    out
}

fn caminos_de_strings(v: &Value, camino: String, out: &mut Vec<String>) {
    match v {
        Value::String(_) => out.push(camino),
        Value::Object(o) => {
            for (k, x) in o {
                caminos_de_strings(x, format!("{camino}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                caminos_de_strings(x, format!("{camino}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Ids for JSON fields: traversal, separators, operators, NUL, over-long.
pub fn ids_hostiles() -> Vec<String> {
    vec![
        "a/b".into(),
        "..".into(),
        "../../etc/passwd".into(),
        "$ne".into(),
        "$where".into(),
        "a$b".into(),
        "a\0b".into(),
        "\0".into(),
        "a.b".into(),
        "{\"$ne\":null}".into(),
        "x".repeat(65),
        String::new(),
    ]
}

/// The same ids, percent-encoded for a path segment (as written on the wire).
pub fn segmentos_hostiles() -> Vec<&'static str> {
    vec![
        "a%2Fb",
        "%2F",
        "%2E%2E",
        "%2e%2e",
        "..%2F..%2Fetc%2Fpasswd",
        "%24ne",
        "%24where",
        "a%24b",
        "a%00b",
        "%00",
        "a.b",
        "%7B%22%24ne%22%3Anull%7D",
        "%FF%FE",
    ]
}

/// Numbers no `i64` (or `u32`) field can hold, as JSON text.
pub fn numeros_enormes() -> Vec<&'static str> {
    vec![
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "1e400",
        "4294967296",
        "1.5",
        "-0.0",
    ]
}

/// What came back from [`enviar`].
#[derive(Debug)]
pub struct Respuesta {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Respuesta {
    /// Asserts a 4xx RFC 9457 problem, never a 5xx; `que` names the input in the message.
    pub fn assert_problema_4xx(&self, que: &str) -> Value {
        assert!(
            (400..500).contains(&self.status),
            "{que}: status {} (expected a 4xx); body: {}",
            self.status,
            self.body
        );
        assert_eq!(
            self.content_type, "application/problem+json",
            "{que}: status {}; body: {}",
            self.status, self.body
        );
        let v: Value = serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{que}: problem body is not JSON ({e}): {}", self.body));
        assert_eq!(v["status"], self.status, "{que}: {v}");
        assert!(
            v["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:eventflow:problem:")),
            "{que}: {v}"
        );
        v
    }
}

/// Sends one HTTP/1.1 request with `target` exactly as given (no normalisation, no
/// re-encoding) and reads the whole response. `base` is `http://host:port`.
pub async fn enviar(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Respuesta {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .unwrap_or_else(|e| panic!("connect {host}: {e}"));
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in headers {
        req.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    req.extend_from_slice(b"\r\n");
    req.extend_from_slice(body);
    // The server may answer (413, 401) and close before reading everything we send.
    let _ = stream.write_all(&req).await;
    let mut raw = Vec::new();
    let leido = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut raw)).await;
    assert!(leido.is_ok(), "{method} {target}: no response within 20 s");
    parse_respuesta(&raw).unwrap_or_else(|| {
        panic!(
            "{method} {target}: unreadable response: {:?}",
            String::from_utf8_lossy(&raw)
        )
    })
}

fn parse_respuesta(raw: &[u8]) -> Option<Respuesta> {
    let fin = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let cabecera = std::str::from_utf8(&raw[..fin]).ok()?;
    let mut lineas = cabecera.split("\r\n");
    let status: u16 = lineas.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut content_type = String::new();
    let mut chunked = false;
    for l in lineas {
        let (k, v) = l.split_once(':')?;
        let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
        if k == "content-type" {
            content_type = v.to_owned();
        } else if k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked") {
            chunked = true;
        }
    }
    let mut body = raw[fin + 4..].to_vec();
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let eol = rest.windows(2).position(|w| w == b"\r\n")?;
            let n =
                usize::from_str_radix(std::str::from_utf8(&rest[..eol]).ok()?.trim(), 16).ok()?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(rest.get(eol + 2..eol + 2 + n)?);
            rest = rest.get(eol + 2 + n + 2..)?;
        }
        body = out;
    }
    Some(Respuesta {
        status,
        content_type,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// The `Authorization` values that must never open a protected route, given the real token:
/// none at all, an empty bearer, a prefix, the token with one byte changed or appended,
/// another scheme, and the bare token.
pub fn credenciales_malas(token: &str) -> Vec<(String, Option<String>)> {
    let mut cambiado = token.as_bytes().to_vec();
    if let Some(b) = cambiado.last_mut() {
        *b = if *b == b'x' { b'y' } else { b'x' };
    }
    let cambiado = String::from_utf8(cambiado).expect("ascii token");
    let mut out = vec![
        ("sin Authorization".to_owned(), None),
        ("Bearer vacío".to_owned(), Some("Bearer ".to_owned())),
        ("Bearer sin espacio".to_owned(), Some("Bearer".to_owned())),
        ("token solo".to_owned(), Some(token.to_owned())),
        ("Basic".to_owned(), Some(format!("Basic {token}"))),
        (
            "último byte cambiado".to_owned(),
            Some(format!("Bearer {cambiado}")),
        ),
        (
            "con un byte de más".to_owned(),
            Some(format!("Bearer {token}x")),
        ),
        (
            "token doble".to_owned(),
            Some(format!("Bearer {token}{token}")),
        ),
        (
            "token de un carácter".to_owned(),
            Some("Bearer e".to_owned()),
        ),
    ];
    for n in [1, token.len() / 2, token.len().saturating_sub(1)] {
        if n > 0 && n < token.len() {
            out.push((
                format!("prefijo de {n} bytes"),
                Some(format!("Bearer {}", &token[..n])),
            ));
        }
    }
    out
}
