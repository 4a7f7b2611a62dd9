//! notificaciones HTTP API: listing and its validation, health, readiness, docs, and the
//! OpenAPI snapshot; start-up refuses an unreachable configured backend.

use eventflow_shared::bus::{BusConfig, RabbitConfig};
use eventflow_shared::config::StoreConfig;
use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_shared::identidad::IdentidadConfig;
use eventflow_testkit as testing;
use eventflow_testkit::respuestas::json_de;
use notificaciones_service::Config;
use serde_json::Value;

async fn app() -> String {
    let cfg = Config {
        store: StoreConfig::Embedded,
        bus: BusConfig::Embedded(Default::default()),
        identidad: IdentidadConfig::embedded("http://127.0.0.1:9"),
        correo_en_log: false,
        mostrar_codigos: false,
    };
    testing::spawn(notificaciones_service::build(cfg).await.unwrap()).await
}

#[tokio::test]
async fn listar_valida_sus_parametros() {
    let base = app().await;
    let http = reqwest::Client::new();
    let ok = http
        .get(format!("{base}/api/notificaciones"))
        .bearer_auth(DEV_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let v: Value = ok.json().await.unwrap();
    assert_eq!(
        (
            v["total"].as_u64(),
            v["limit"].as_u64(),
            v["offset"].as_u64()
        ),
        (Some(0), Some(20), Some(0))
    );
    for q in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "usuario_id=a%24b",
        "reserva_id=..%2F",
        "offset=-1",
    ] {
        let res = http
            .get(format!("{base}/api/notificaciones?{q}"))
            .bearer_auth(DEV_ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{q}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{q}"
        );
    }
}

#[tokio::test]
async fn salud_listo_y_documentacion() {
    let base = app().await;
    let http = reqwest::Client::new();
    for path in ["/health", "/docs/"] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    let ready: Value = json_de(http.get(format!("{base}/ready"))).await;
    assert_eq!(ready["dependencias"]["broker"], "ok");
    let doc: Value = json_de(http.get(format!("{base}/api-docs/openapi.json"))).await;
    assert!(doc["paths"]["/api/notificaciones"]["get"].is_object());
}

#[tokio::test]
async fn backends_inalcanzables_impiden_arrancar() {
    let cfg = Config {
        store: StoreConfig::Mongo {
            uri: "mongodb://127.0.0.1:1".into(),
            database: "n".into(),
        },
        bus: BusConfig::Embedded(Default::default()),
        identidad: IdentidadConfig::embedded("http://127.0.0.1:9"),
        correo_en_log: false,
        mostrar_codigos: false,
    };
    let err = arranque_fallido(cfg).await.to_string();
    assert!(format!("{err:#}").contains("127.0.0.1:1"), "{err}");
    let cfg = Config {
        store: StoreConfig::Embedded,
        bus: BusConfig::Rabbit(RabbitConfig::new("amqp://guest:guest@127.0.0.1:1/%2f")),
        identidad: IdentidadConfig::embedded("http://127.0.0.1:9"),
        correo_en_log: false,
        mostrar_codigos: false,
    };
    let err = arranque_fallido(cfg).await;
    assert!(format!("{err:#}").contains("127.0.0.1:1"), "{err:#}");
}

#[test]
fn openapi_snapshot() {
    testing::assert_openapi_snapshot(
        &notificaciones_service::http::openapi(),
        env!("CARGO_MANIFEST_DIR"),
    );
}

async fn arranque_fallido(cfg: Config) -> anyhow::Error {
    match notificaciones_service::build(cfg).await {
        Ok(_) => panic!("must not start"),
        Err(e) => e,
    }
}
