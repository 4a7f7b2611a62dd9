//! An HTTP proxy for the "unknown outcome" tests: it forwards every request to the peer
//! at once, so the peer does the work, and then holds back the *answer* of the requests
//! a rule picks, past the caller's timeout. That is the lost acknowledgement a TCP proxy
//! cannot aim at one route: the sale is applied, the caller never hears of it.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// Picks requests by method and path.
pub type Filtro = Arc<dyn Fn(&Method, &str) -> bool + Send + Sync>;

/// Which answers to hold back: the requests `filtro` picks, the share of them (per
/// thousand) and for how long.
#[derive(Clone)]
struct Regla {
    filtro: Filtro,
    por_mil: u64,
    retraso: Duration,
}

#[derive(Clone)]
struct Estado {
    destino: Arc<Mutex<String>>,
    http: reqwest::Client,
    regla: Arc<Mutex<Option<Regla>>>,
    retenidas: Arc<AtomicU64>,
    vistas: Arc<AtomicU64>,
}

pub struct ProxyHttp {
    pub url: String,
    estado: Estado,
}

impl ProxyHttp {
    /// Listens on a free loopback port, forwarding to `destino` (`http://host:port`).
    pub async fn nuevo(destino: &str) -> Self {
        let estado = Estado {
            destino: Arc::new(Mutex::new(destino.trim_end_matches('/').to_owned())),
            http: reqwest::Client::builder()
                .pool_max_idle_per_host(256)
                .build()
                .unwrap(),
            regla: Arc::default(),
            retenidas: Arc::default(),
            vistas: Arc::default(),
        };
        let app = axum::Router::new()
            .fallback(reenviar)
            .with_state(estado.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(l, app).await });
        Self { url, estado }
    }

    /// Forwards to another peer from now on (`http://host:port`).
    pub fn destino(&self, destino: &str) {
        *self.estado.destino.lock().unwrap() = destino.trim_end_matches('/').to_owned();
    }

    /// From now on, `por_mil`/1000 of the requests `filtro` picks get their answer
    /// `retraso` late (after the peer has acted on them).
    pub fn retrasar(&self, filtro: Filtro, por_mil: u64, retraso: Duration) {
        *self.estado.regla.lock().unwrap() = Some(Regla {
            filtro,
            por_mil,
            retraso,
        });
    }

    pub fn normal(&self) {
        *self.estado.regla.lock().unwrap() = None;
    }

    /// (requests matched by the rule, answers held back).
    pub fn cuentas(&self) -> (u64, u64) {
        (
            self.estado.vistas.load(Ordering::Relaxed),
            self.estado.retenidas.load(Ordering::Relaxed),
        )
    }
}

async fn reenviar(
    State(st): State<Estado>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ruta = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let destino = st.destino.lock().unwrap().clone();
    let mut req = st
        .http
        .request(method.clone(), format!("{destino}{ruta}"))
        .body(body);
    for (k, v) in &headers {
        if k != "host" && k != "content-length" {
            req = req.header(k, v);
        }
    }
    let res = match req.send().await {
        Ok(r) => r,
        Err(e) => return (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    };
    let status = res.status();
    let cabeceras = res.headers().clone();
    let cuerpo = res.bytes().await.unwrap_or_default();
    let regla = st.regla.lock().unwrap().clone();
    if let Some(r) = regla.filter(|r| (r.filtro)(&method, uri.path())) {
        let n = st.vistas.fetch_add(1, Ordering::Relaxed);
        if mezclar(n) % 1000 < r.por_mil {
            st.retenidas.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(r.retraso).await;
        }
    }
    let mut out = Response::builder().status(status);
    for (k, v) in &cabeceras {
        if k != "transfer-encoding" && k != "connection" && k != "content-length" {
            out = out.header(k, v);
        }
    }
    out.body(Body::from(cuerpo)).unwrap()
}

/// splitmix64: a fixed, well-spread choice of which requests are held back.
fn mezclar(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
