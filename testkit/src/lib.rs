//! EventFlow's dev-only test kit: every helper the services' tests share. It is a
//! `[dev-dependencies]` entry only, so none of it (the raw HTTP/1.1 client included) is
//! ever compiled into a production binary.
//!
//! This root holds the helpers for tests that need real backends: where they are, and
//! whether they must be. `scripts/test.sh` starts Redis, RabbitMQ and SecantusDB and sets
//! `EVENTFLOW_REAL_BACKENDS=1`. Then an unreachable backend fails the test: it never
//! passes by skipping. Without that variable (a bare `cargo test`), real-backend tests
//! use the default local URLs when they answer and say loudly that they skipped otherwise.
//! [`en_ambos_backends!`] runs one scenario on the embedded backends and on the real ones.
//!
//! Modules: [`hostil`] (hostile input and a raw HTTP/1.1 client), [`matriz`]
//! (authorization matrices), [`proceso`] (a service binary as a child process, for
//! `kill -9` tests), [`fallas`] (private Redis/SecantusDB processes and a cuttable TCP
//! proxy, for fault injection) and [`respuestas`] (reading created ids and JSON answers).

use eventflow_shared::config::env_string;

pub mod fallas;
pub mod hostil;
pub mod matriz;
pub mod proceso;
pub mod respuestas;
pub mod secretos;

mod ambos;

pub fn real_backends_required() -> bool {
    env_string("EVENTFLOW_REAL_BACKENDS").as_deref() == Some("1")
}

fn unreachable(what: &str, url: &str, err: impl std::fmt::Display) -> Option<String> {
    if real_backends_required() {
        panic!("EVENTFLOW_REAL_BACKENDS=1 but {what} at {url} is unreachable: {err:#}");
    }
    eprintln!("SKIPPED: {what} at {url} is unreachable ({err:#}); run scripts/test.sh");
    None
}

/// The MongoDB URI for tests, once it has answered a ping.
pub async fn mongo_uri() -> Option<String> {
    let uri = env_string("MONGODB_URI").unwrap_or_else(|| "mongodb://127.0.0.1:27017".into());
    match eventflow_shared::mongo::connect(&uri, "admin").await {
        Ok(_) => Some(uri),
        Err(e) => unreachable("MongoDB", &uri, e),
    }
}

/// The Redis URL for tests, once it has answered a ping.
pub async fn redis_url() -> Option<String> {
    let url = env_string("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    match eventflow_shared::lock::connect_redis(&url).await {
        Ok(_) => Some(url),
        Err(e) => unreachable("Redis", &url, e),
    }
}

/// A name no other test uses: a database name or a key prefix, so tests run in parallel
/// against one server without seeing each other's data. It carries its creation time
/// (`t_{prefix}_{unix seconds, hex}_{random}`), so `limpiar-bases` can tell a database
/// an earlier run left behind from one a running test still uses.
pub fn unique_name(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let segundos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("t_{prefix}_{segundos:x}_{}", &id[..8])
}

/// Whether database `nombre` is a test's (`unique_name`) created before `antes_de`
/// (Unix seconds). Names of the older form, without a time, count as old.
pub fn base_de_prueba_antigua(nombre: &str, antes_de: u64) -> bool {
    let Some(resto) = nombre.strip_prefix("t_") else {
        return false;
    };
    let partes: Vec<&str> = resto.split('_').collect();
    let hex = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit());
    match partes.as_slice() {
        [prefijo, id] if !prefijo.is_empty() && id.len() == 12 && hex(id) => true,
        [prefijo, t, id] if !prefijo.is_empty() && hex(t) && id.len() == 8 && hex(id) => {
            u64::from_str_radix(t, 16).is_ok_and(|t| t < antes_de)
        }
        _ => false,
    }
}

/// Serves `router` on an ephemeral loopback port and returns its base URL. The server
/// lives as long as the test's runtime.
pub async fn spawn(router: axum::Router) -> String {
    spawn_on(listen().await, router).await
}

/// A bound ephemeral loopback port, for a service whose URL its peers need before it is
/// built (two services that call each other).
pub async fn listen() -> tokio::net::TcpListener {
    tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port")
}

/// [`spawn`] on a listener from [`listen`].
pub async fn spawn_on(listener: tokio::net::TcpListener, router: axum::Router) -> String {
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(eventflow_shared::http::serve(
        listener,
        router,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// Compares a service's OpenAPI document with its committed snapshot, `openapi.snap` at
/// the root of the crate in `crate_dir` (an insta snapshot: a short header, then the
/// document as JSON), so an API change shows up in review as a diff. Accept an intended
/// change with `INSTA_UPDATE=always cargo nextest run --workspace openapi` (or
/// `cargo insta review`), then `npm run gen:api` regenerates the UI's types from it.
/// First, what a reader of the document needs whatever the snapshot says: every
/// operation summarised in Spanish, every security scheme declared.
pub fn assert_openapi_snapshot(doc: &utoipa::openapi::OpenApi, crate_dir: &str) {
    resumenes_en_castellano(doc);
    assert_esquemas_declarados(doc);
    let actual = doc.to_pretty_json().expect("serialise OpenAPI");
    let mut ajustes = insta::Settings::clone_current();
    ajustes.set_snapshot_path(std::path::Path::new(crate_dir));
    ajustes.set_prepend_module_to_snapshot(false);
    ajustes.set_omit_expression(true);
    ajustes.bind(|| insta::assert_snapshot!("openapi", actual));
}

/// Every security scheme an operation requires is declared in `components`: otherwise
/// Swagger UI's "Authorize" has no field for it and clients cannot know how to send it.
pub fn assert_esquemas_declarados(doc: &utoipa::openapi::OpenApi) {
    let v = serde_json::to_value(doc).expect("serialise OpenAPI");
    let declarados = &v["components"]["securitySchemes"];
    for (ruta, item) in v["paths"].as_object().into_iter().flatten() {
        for (metodo, op) in item.as_object().into_iter().flatten() {
            for requisito in op["security"].as_array().into_iter().flatten() {
                for esquema in requisito.as_object().into_iter().flatten().map(|(k, _)| k) {
                    assert!(
                        declarados.get(esquema).is_some(),
                        "{metodo} {ruta} requires the security scheme '{esquema}', which the \
                         document does not declare in components.securitySchemes"
                    );
                }
            }
        }
    }
}

/// English words that never occur in Spanish prose: one in an operation's summary or
/// description means the text is English (the handler's `///` doc comment leaked in).
const PALABRAS_EN_INGLES: &[&str] = &[
    "the", "returns", "a buyer", "list", "create", "get", "of the", "with", "and", "is", "for",
    "to", "by", "or", "its", "your", "when", "an", "into", "from", "buyer",
];

/// Every operation has a `summary`, and neither it nor the `description` reads as English:
/// Swagger UI shows them to people who read Spanish. utoipa takes both from the handler's
/// `///` doc comment (English developer prose) unless `summary = "..."` and
/// `description = "..."` are given in `#[utoipa::path]`. Panics listing every offender.
pub fn resumenes_en_castellano(doc: &utoipa::openapi::OpenApi) {
    let v = serde_json::to_value(doc).expect("serialise OpenAPI");
    let mut fallos = Vec::new();
    for (ruta, item) in v["paths"].as_object().into_iter().flatten() {
        for (metodo, op) in item.as_object().into_iter().flatten() {
            let metodos = [
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ];
            let (true, Some(op)) = (metodos.contains(&metodo.as_str()), op.as_object()) else {
                continue;
            };
            let operacion = format!("{} {ruta}", metodo.to_uppercase());
            match op.get("summary").and_then(|s| s.as_str()) {
                Some(s) if !s.trim().is_empty() => {}
                _ => fallos.push(format!("{operacion}: no summary")),
            }
            for campo in ["summary", "description"] {
                let Some(texto) = op.get(campo).and_then(|s| s.as_str()) else {
                    continue;
                };
                let ingles = palabras_en_ingles(texto);
                if !ingles.is_empty() {
                    fallos.push(format!(
                        "{operacion}: {campo} {texto:?} has English ({ingles:?})"
                    ));
                }
            }
        }
    }
    assert!(
        fallos.is_empty(),
        "operations without a Spanish summary/description (add `summary = \"...\"` and \
         `description = \"...\"` in Spanish to their #[utoipa::path]):\n  {}",
        fallos.join("\n  ")
    );
}

/// The entries of [`PALABRAS_EN_INGLES`] that occur in `texto` as whole words, ignoring
/// case and punctuation.
fn palabras_en_ingles(texto: &str) -> Vec<&'static str> {
    let limpio: String = texto
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .to_lowercase();
    let limpio = format!(
        " {} ",
        limpio.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    PALABRAS_EN_INGLES
        .iter()
        .copied()
        .filter(|p| limpio.contains(&format!(" {p} ")))
        .collect()
}

/// Whether the server behind `uri` is SecantusDB (its `buildInfo` says so). Tests use this
/// only to step around documented deviations of the test server from mongod, and say so.
pub async fn is_secantus(uri: &str) -> bool {
    let Ok(db) = eventflow_shared::mongo::connect(uri, "admin").await else {
        return false;
    };
    db.run_command(mongodb::bson::doc! { "buildInfo": 1 })
        .await
        .map(|info| info.contains_key("secantusVersion"))
        .unwrap_or(false)
}

/// The RabbitMQ URL for tests, once the broker has accepted a connection.
pub async fn amqp_url() -> Option<String> {
    let url =
        env_string("AMQP_URL").unwrap_or_else(|| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let cfg = eventflow_shared::bus::RabbitConfig {
        prefix: unique_name("probe") + ".",
        expira_ms: Some(10_000),
        ..eventflow_shared::bus::RabbitConfig::new(&url)
    };
    match eventflow_shared::bus::RabbitBus::connect(cfg).await {
        Ok(_) => Some(url),
        Err(e) => unreachable("RabbitMQ", &url, e),
    }
}

/// Messages ready in the RabbitMQ queue `queue` at `url` (a passive declare reports the
/// count without creating the queue), on a connection of its own that is closed after.
pub async fn mensajes_en_cola(url: &str, queue: &str) -> usize {
    use lapin::options::QueueDeclareOptions;
    let conn = lapin::Connection::connect(url, lapin::ConnectionProperties::default())
        .await
        .unwrap();
    let ch = conn.create_channel().await.unwrap();
    let q = ch
        .queue_declare(
            queue.into(),
            QueueDeclareOptions {
                passive: true,
                ..Default::default()
            },
            Default::default(),
        )
        .await
        .unwrap();
    let n = q.message_count() as usize;
    let _ = conn.close(0, "".into()).await;
    n
}

/// `x-expires` of a test's queues: every declarer of one queue must give the same value
/// (RabbitMQ refuses a redeclaration that differs), in process or in a child's env.
pub const COLAS_EXPIRAN_MS: u32 = 120_000;

/// A RabbitMQ config whose exchange and queues belong to this test alone, and expire.
pub fn rabbit_aislado(url: &str) -> eventflow_shared::bus::RabbitConfig {
    eventflow_shared::bus::RabbitConfig {
        prefix: unique_name("bus") + ".",
        expira_ms: Some(COLAS_EXPIRAN_MS),
        ..eventflow_shared::bus::RabbitConfig::new(url)
    }
}

/// Headers that make a test client the platform admin (the development token), for
/// tests about the SAGA rather than about who may call it: the admin may read and
/// cancel any reservation. The authorization matrices test each kind of caller.
pub fn cabeceras_admin() -> reqwest::header::HeaderMap {
    let mut h = reqwest::header::HeaderMap::new();
    h.insert(
        reqwest::header::AUTHORIZATION,
        reqwest::header::HeaderValue::from_str(&format!(
            "Bearer {}",
            eventflow_shared::config::DEV_ADMIN_TOKEN
        ))
        .expect("ascii"),
    );
    h
}

/// Every service's `EVENTFLOW_TOKEN_*` with its development token: the environment a
/// service binary started as a child process on real backends needs (each reads the ones
/// it uses and ignores the rest).
pub fn env_tokens_de_servicio() -> Vec<(&'static str, String)> {
    eventflow_shared::auth::Servicio::TODOS
        .iter()
        .map(|s| (s.variable(), s.token_dev().to_owned()))
        .collect()
}

/// Every `(method, path)` an OpenAPI document declares, methods lower-case: what an
/// authorization matrix must cover, so a new route without a row fails its test.
pub fn rutas_documentadas(
    doc: &utoipa::openapi::OpenApi,
) -> std::collections::BTreeSet<(String, String)> {
    let doc = serde_json::to_value(doc).expect("serialise OpenAPI");
    doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .iter()
                .flat_map(|(p, item)| {
                    item.as_object()
                        .into_iter()
                        .flat_map(|o| o.keys())
                        .map(move |m| (m.clone(), p.clone()))
                })
                .filter(|(m, _)| ["get", "put", "post", "delete", "patch"].contains(&m.as_str()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solo_las_bases_de_prueba_antiguas() {
        let nueva = unique_name("evt");
        let ahora = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(!base_de_prueba_antigua(&nueva, ahora - 3600), "{nueva}");
        assert!(base_de_prueba_antigua(&nueva, ahora + 1), "{nueva}");
        assert!(base_de_prueba_antigua("t_evt_0123456789ab", ahora));
        for ajena in [
            "eventos",
            "reservas",
            "t_",
            "t_evt",
            "seed001_bench_1_2",
            "t_evt_zz_12345678",
        ] {
            assert!(!base_de_prueba_antigua(ajena, ahora), "{ajena}");
        }
    }
}
