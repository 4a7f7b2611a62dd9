//! Connecting to MongoDB with fail-fast start-up, classifying driver errors (into the
//! stores' [`StoreError`]), one page of a sorted query, and the circuit breaker that sheds
//! requests while no server can take a write.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use anyhow::Context;
use futures::TryStreamExt;
use mongodb::bson::doc;
use mongodb::bson::Document;
use mongodb::error::{Error, ErrorKind, WriteFailure};
use mongodb::event::sdam::SdamEvent;
use mongodb::event::EventHandler;
use mongodb::options::{ClientOptions, ServerAddress};
use mongodb::ServerType;
use mongodb::{Client, Collection, Database};

use crate::store::StoreError;

/// Short selection timeout: when MongoDB is down a request should get a 503 in about two
/// seconds, not hang for the driver's default thirty.
const SELECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the driver checks each server. Its minimum: an outage is seen, and the
/// breaker opened, within about this long, instead of after a request's 2 s wait.
const HEARTBEAT: Duration = Duration::from_millis(500);

/// Open while no server of a deployment can take a write, as the driver's own monitoring
/// sees it: then a request that needs MongoDB is answered 503 at once instead of after
/// the 2 s server selection, and a SAGA is never started only to stall half-way. It
/// closes by itself when a heartbeat finds a writable server again.
#[derive(Debug, Default)]
pub struct Interruptor {
    abierto: AtomicBool,
    /// Each known server, and whether it can take a write now.
    servidores: Mutex<HashMap<ServerAddress, bool>>,
}

impl Interruptor {
    pub fn abierto(&self) -> bool {
        self.abierto.load(Ordering::Relaxed)
    }

    fn observar(&self, evento: SdamEvent) {
        if let SdamEvent::ServerDescriptionChanged(e) = evento {
            let escribible = matches!(
                e.new_description.server_type(),
                ServerType::Standalone
                    | ServerType::RsPrimary
                    | ServerType::Mongos
                    | ServerType::LoadBalancer
            );
            let mut servidores = self.servidores.lock().expect("breaker lock");
            servidores.insert(e.address.clone(), escribible);
            let abierto = !servidores.values().any(|w| *w);
            if abierto != self.abierto.swap(abierto, Ordering::Relaxed) {
                if abierto {
                    tracing::warn!(servidor = %e.address, "no MongoDB server can take a write: shedding requests");
                } else {
                    tracing::info!(servidor = %e.address, "MongoDB writable again: breaker closed");
                }
            }
        }
    }
}

/// The breaker of the deployment at `uri`: one per URI in the process, fed by every
/// client connected to it.
pub fn interruptor(uri: &str) -> Arc<Interruptor> {
    static TODOS: OnceLock<Mutex<HashMap<String, Arc<Interruptor>>>> = OnceLock::new();
    TODOS
        .get_or_init(Default::default)
        .lock()
        .expect("breakers lock")
        .entry(uri.to_owned())
        .or_default()
        .clone()
}

/// Connects and pings. An unreachable server is an error that names the URI, with its
/// password masked: in our words and in the driver's (`secreto::sanear`), since the
/// error chain is printed whole at start-up.
pub async fn connect(uri: &str, database: &str) -> anyhow::Result<Database> {
    let visible = crate::secreto::enmascarar_url(uri);
    let sanear = |e: Error| anyhow::anyhow!(crate::secreto::sanear(&e.to_string(), uri));
    let mut options = ClientOptions::parse(uri)
        .await
        .map_err(sanear)
        .with_context(|| format!("MONGODB_URI {visible} is not a valid MongoDB URI"))?;
    options.server_selection_timeout = Some(SELECTION_TIMEOUT);
    options.connect_timeout = Some(SELECTION_TIMEOUT);
    options.heartbeat_freq = Some(HEARTBEAT);
    let breaker = interruptor(uri);
    options.sdam_event_handler = Some(EventHandler::callback(move |e| breaker.observar(e)));
    options.app_name.get_or_insert_with(|| "eventflow".into());
    // Checked with the rest of the configuration (`StoreConfig::desde`) before this runs.
    if crate::config::env_bool("EVENTFLOW_MONGO_TRAZA", false)? {
        options.command_event_handler = Some(EventHandler::callback(trazar));
    }
    let client = Client::with_options(options)
        .map_err(sanear)
        .context("creating the MongoDB client")?;
    let db = client.database(database);
    db.run_command(doc! { "ping": 1 })
        .await
        .map_err(sanear)
        .with_context(|| format!("MongoDB at {visible} is unreachable"))?;
    Ok(db)
}

/// `EVENTFLOW_MONGO_TRAZA=1`: one log line per command the driver sends (target
/// `mongo_traza`), naming the database, the command and its collection. A diagnostic for
/// counting what one request costs MongoDB (BENCHMARKS.md); off by default.
fn trazar(e: mongodb::event::command::CommandEvent) {
    if let mongodb::event::command::CommandEvent::Started(s) = e {
        if matches!(s.command_name.as_str(), "hello" | "isMaster" | "ping") {
            return;
        }
        let coleccion = s.command.get_str(&s.command_name).unwrap_or("-");
        tracing::info!(target: "mongo_traza", db = %s.db, comando = %s.command_name, coleccion, "mongo");
    }
}

/// True for E11000: a unique index refused the write.
pub fn is_duplicate_key(err: &Error) -> bool {
    match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(e)) => e.code == 11000,
        ErrorKind::Command(e) => e.code == 11000,
        ErrorKind::InsertMany(e) => e
            .write_errors
            .as_ref()
            .is_some_and(|errs| errs.iter().any(|w| w.code == 11000)),
        _ => err.to_string().contains("E11000"),
    }
}

/// True when the server could not be reached, as opposed to a rejected operation.
pub fn is_unavailable(err: &Error) -> bool {
    matches!(
        err.kind.as_ref(),
        ErrorKind::ServerSelection { .. }
            | ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::DnsResolve { .. }
    )
}

/// Pings the database, for `/ready`.
pub async fn ping(db: &Database) -> Result<(), String> {
    db.run_command(doc! { "ping": 1 })
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// A TTL index named `caducidad` on `campo`, a date: MongoDB removes each document once
/// that date has passed (its monitor runs about once a minute, so readers must still
/// filter out what expired since).
pub fn indice_caducidad(campo: &str) -> mongodb::IndexModel {
    mongodb::IndexModel::builder()
        .keys(mongodb::bson::doc! { campo: 1 })
        .options(
            mongodb::options::IndexOptions::builder()
                .expire_after(std::time::Duration::ZERO)
                .name("caducidad".to_owned())
                .build(),
        )
        .build()
}

/// A driver error as the stores report it: an outage is `Unavailable` (503, and the
/// breaker counts it); anything else is `Other` (500).
pub fn store_error(e: Error) -> StoreError {
    if is_unavailable(&e) {
        StoreError::Unavailable(e.to_string())
    } else {
        StoreError::Other(e.to_string())
    }
}

/// One page of the documents matching `filter`, in `orden`, and how many match in all:
/// what every list route serves. `proyeccion` leaves fields out of each document.
pub async fn pagina<T>(
    col: &Collection<T>,
    filter: Document,
    orden: Document,
    proyeccion: Option<Document>,
    limit: u32,
    offset: u32,
) -> Result<(Vec<T>, u64), StoreError>
where
    T: serde::de::DeserializeOwned + Send + Sync,
{
    let total = col
        .count_documents(filter.clone())
        .await
        .map_err(store_error)?;
    let mut find = col
        .find(filter)
        .sort(orden)
        .skip(u64::from(offset))
        .limit(i64::from(limit));
    if let Some(p) = proyeccion {
        find = find.projection(p);
    }
    let items = find
        .await
        .map_err(store_error)?
        .try_collect()
        .await
        .map_err(store_error)?;
    Ok((items, total))
}
