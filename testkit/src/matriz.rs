//! Authorization matrices for tests: each documented route against each kind of caller,
//! asserting every status, with the routes read from the service's OpenAPI document so a
//! route without a row fails.

use reqwest::{Client, Method};
use serde_json::{json, Value};

/// A kind of caller: a bearer token and/or a reservation secret (`X-Reserva-Secreto`).
pub struct Llamante {
    pub nombre: &'static str,
    pub token: Option<String>,
    pub secreto: Option<String>,
}

impl Llamante {
    pub fn new(nombre: &'static str, token: Option<&str>, secreto: Option<&str>) -> Self {
        Self {
            nombre,
            token: token.map(str::to_owned),
            secreto: secreto.map(str::to_owned),
        }
    }

    /// One caller per service credential, with its development token, in the order of
    /// `Servicio::TODOS` (usuarios, eventos, reservas, notificaciones): the columns every
    /// platform matrix ends with.
    pub fn servicios() -> Vec<Self> {
        eventflow_shared::auth::Servicio::TODOS
            .iter()
            .map(|s| Self::new(s.nombre(), Some(s.token_dev()), None))
            .collect()
    }
}

/// `(method, documented path, concrete path, body, one status per caller)`.
pub type Fila = (&'static str, &'static str, String, Option<Value>, Vec<u16>);

/// Asserts that `filas` covers exactly the routes `doc` declares, then sends every row as
/// every caller (in the order of `llamantes`) to `base` with `http` (a client with no
/// default credentials) and asserts each status; every 4xx/5xx must be a problem with a
/// `detail`.
pub async fn recorrer(
    http: &Client,
    base: &str,
    doc: &utoipa::openapi::OpenApi,
    llamantes: &[Llamante],
    filas: &[Fila],
) {
    let en_tabla: std::collections::BTreeSet<(String, String)> = filas
        .iter()
        .map(|(m, p, ..)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(
        super::rutas_documentadas(doc),
        en_tabla,
        "every documented route is in the matrix, and only those"
    );
    for (m, _, path, body, esperados) in filas {
        assert_eq!(esperados.len(), llamantes.len(), "{m} {path}");
        for (quien, esperado) in llamantes.iter().zip(esperados) {
            let metodo: Method = m.to_uppercase().parse().expect("an HTTP method");
            let mut req = http.request(metodo, format!("{base}{path}"));
            if let Some(t) = &quien.token {
                req = req.bearer_auth(t);
            }
            if let Some(s) = &quien.secreto {
                req = req.header("X-Reserva-Secreto", s);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            let r = req.send().await.expect("the service answers");
            let status = r.status().as_u16();
            let texto = r.text().await.unwrap_or_default();
            assert_eq!(status, *esperado, "{m} {path} as {}: {texto}", quien.nombre);
            if status >= 400 {
                let p: Value = serde_json::from_str(&texto)
                    .unwrap_or_else(|_| panic!("{m} {path}: not a problem: {texto}"));
                assert!(p["detail"].is_string(), "{m} {path}: {p}");
            }
        }
    }
}

/// Registers a buyer with `password` at usuarios (`base`) and signs them in; returns
/// `(id, token)`.
pub async fn comprador(
    http: &Client,
    base: &str,
    email: &str,
    nro_documento: &str,
    password: &str,
) -> (String, String) {
    let r = http
        .post(format!("{base}/api/usuarios"))
        .json(
            &json!({"tipo_documento": "DNI", "nro_documento": nro_documento, "nombre": "Ana",
                      "apellido": "Quispe", "email": email, "password": password}),
        )
        .send()
        .await
        .expect("POST /api/usuarios");
    let id = crate::respuestas::id_creado(r).await;
    (id, sesion(http, base, email, password, "comprador").await)
}

/// Creates an organizer account (as the development admin) and signs it in; returns
/// the token.
pub async fn organizador(http: &Client, base: &str, email: &str, password: &str) -> String {
    organizador_con_id(http, base, email, password).await.1
}

/// [`organizador`], also handing back the organizer's id.
pub async fn organizador_con_id(
    http: &Client,
    base: &str,
    email: &str,
    password: &str,
) -> (String, String) {
    let r = http
        .post(format!("{base}/api/organizadores"))
        .bearer_auth(eventflow_shared::config::DEV_ADMIN_TOKEN)
        .json(&json!({"nombre": "Producciones Andinas", "email": email, "password": password}))
        .send()
        .await
        .expect("POST /api/organizadores");
    let id = crate::respuestas::id_creado(r).await;
    (id, sesion(http, base, email, password, "organizador").await)
}

/// `POST /api/sesiones` as `rol`, asserting 201; returns the token.
pub async fn sesion(http: &Client, base: &str, email: &str, password: &str, rol: &str) -> String {
    let r = http
        .post(format!("{base}/api/sesiones"))
        .json(&json!({"email": email, "password": password, "rol": rol}))
        .send()
        .await
        .expect("POST /api/sesiones");
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    r.json::<Value>().await.expect("JSON")["token"]
        .as_str()
        .expect("a token")
        .to_owned()
}

/// Creates a door staff account for the organizer signed in with `t_org` and signs it
/// in as `staff`; returns the token.
pub async fn staff(http: &Client, base: &str, t_org: &str, email: &str, password: &str) -> String {
    let r = http
        .post(format!("{base}/api/staff"))
        .bearer_auth(t_org)
        .json(&json!({"nombre": "Rosa Mamani", "email": email, "password": password}))
        .send()
        .await
        .expect("POST /api/staff");
    assert_eq!(r.status(), 201, "{:?}", r.text().await);
    sesion(http, base, email, password, "staff").await
}
