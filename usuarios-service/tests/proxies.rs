//! `X-Forwarded-For` and the per-IP sign-in limit: the header names the client only when
//! the peer is in `EVENTFLOW_PROXIES_CONFIABLES` (`Config::proxies`). By default nobody
//! is trusted, loopback included, so a local client cannot pick the address it is
//! counted under.

mod common;

use common::{cliente_desde, TestApp};
use eventflow_shared::identidad::ProxiesConfiables;
use serde_json::json;
use usuarios_service::Config;

/// Three sign-in attempts a minute per client address.
const POR_IP: u32 = 3;

fn sin_proxies(c: &mut Config) {
    c.limites.por_ip = POR_IP;
    c.proxies = ProxiesConfiables::ninguno();
}

/// Only 127.0.0.1 is a proxy: 127.0.0.2 is another machine.
fn proxy_en_127_0_0_1(c: &mut Config) {
    c.limites.por_ip = POR_IP;
    c.proxies = ProxiesConfiables::parse("127.0.0.1").unwrap();
}

/// Sign-in attempts from `cliente`, each claiming the address in `reenviadas` and using
/// an email of its own (no account-level limit applies): the statuses.
async fn intentos(app: &TestApp, cliente: &reqwest::Client, reenviadas: &[&str]) -> Vec<u16> {
    let mut estados = Vec::new();
    for ip in reenviadas {
        let r = cliente
            .post(app.url("/api/sesiones"))
            .header("x-forwarded-for", *ip)
            .json(
                &json!({"email": format!("x{}@example.com", uuid::Uuid::new_v4().simple()),
                          "password": "no-es-la-clave"}),
            )
            .send()
            .await
            .unwrap();
        estados.push(r.status().as_u16());
    }
    estados
}

const CINCO: [&str; 5] = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"];

both_backends_con!(xff_ignorado_por_defecto, sin_proxies);
async fn xff_ignorado_por_defecto(app: &TestApp) {
    // Five addresses claimed from 127.0.0.1: one client, limited as such.
    assert_eq!(
        intentos(app, &app.client, &CINCO).await,
        [401, 401, 401, 429, 429]
    );
    // Another real address has its own allowance, whatever it claims.
    let otro = cliente_desde([127, 0, 0, 2]);
    assert_eq!(
        intentos(app, &otro, &["10.0.0.1", "10.0.0.1"]).await,
        [401, 401]
    );
}

both_backends_con!(xff_de_un_proxy_confiable, proxy_en_127_0_0_1);
async fn xff_de_un_proxy_confiable(app: &TestApp) {
    // Through the proxy, five clients: none is limited.
    assert_eq!(
        intentos(app, &app.client, &CINCO).await,
        [401, 401, 401, 401, 401]
    );
    // One client through the proxy is limited by its own address.
    assert_eq!(
        intentos(app, &app.client, &["10.0.0.9"; 4]).await,
        [401, 401, 401, 429]
    );
    // A peer that is not the proxy is counted by its own address, whatever it claims.
    let otro = cliente_desde([127, 0, 0, 2]);
    assert_eq!(
        intentos(app, &otro, &CINCO).await,
        [401, 401, 401, 429, 429]
    );
}
