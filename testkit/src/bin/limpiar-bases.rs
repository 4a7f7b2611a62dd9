//! `limpiar-bases`: drops the MongoDB databases that earlier test runs left behind
//! (`unique_name`'s `t_*`, created more than an hour ago), so a long-lived server does
//! not make every test and benchmark slower with thousands of dead databases.
//! `scripts/test.sh` runs it before the tests; a test still running, even a long one
//! from another run, is far younger than an hour.

use eventflow_testkit::base_de_prueba_antigua;

const UNA_HORA: u64 = 3600;

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let uri = std::env::var("MONGODB_URI").unwrap_or_else(|_| "mongodb://127.0.0.1:27017".into());
    let db = eventflow_shared::mongo::connect(&uri, "admin").await?;
    let ahora = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let nombres = db.client().list_database_names().await?;
    let viejas: Vec<&String> = nombres
        .iter()
        .filter(|n| base_de_prueba_antigua(n, ahora - UNA_HORA))
        .collect();
    for n in &viejas {
        db.client().database(n).drop().await?;
    }
    println!(
        "limpiar-bases: {} old test databases dropped, {} databases left",
        viejas.len(),
        nombres.len() - viejas.len()
    );
    Ok(())
}
