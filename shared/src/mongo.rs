//! Connecting to MongoDB with fail-fast start-up and classifying driver errors.

use std::time::Duration;

use anyhow::Context;
use mongodb::bson::doc;
use mongodb::error::{Error, ErrorKind, WriteFailure};
use mongodb::options::ClientOptions;
use mongodb::{Client, Database};

/// Short selection timeout: when MongoDB is down a request should get a 503 in about two
/// seconds, not hang for the driver's default thirty.
const SELECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// Connects and pings. An unreachable server is an error that names the URI.
pub async fn connect(uri: &str, database: &str) -> anyhow::Result<Database> {
    let mut options = ClientOptions::parse(uri)
        .await
        .with_context(|| format!("MONGODB_URI {uri} is not a valid MongoDB URI"))?;
    options.server_selection_timeout = Some(SELECTION_TIMEOUT);
    options.connect_timeout = Some(SELECTION_TIMEOUT);
    options.app_name.get_or_insert_with(|| "eventflow".into());
    let client = Client::with_options(options).context("creating the MongoDB client")?;
    let db = client.database(database);
    db.run_command(doc! { "ping": 1 })
        .await
        .with_context(|| format!("MongoDB at {uri} is unreachable"))?;
    Ok(db)
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
