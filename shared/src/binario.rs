//! A service binary's whole `main`, the same for the four services: see [`servicio!`].

use std::future::Future;

use crate::config::{self, BackendMode, Entorno};

/// Telemetry, then the whole configuration through [`config::arranque`] (a bad variable
/// ends the process there, every one named, before anything connects), then `build`, then
/// serving on the bind address and port until SIGINT or SIGTERM.
pub async fn servir<C, R>(
    programa: &str,
    variable_puerto: &str,
    puerto: u16,
    leer: impl FnOnce(&mut Entorno, BackendMode) -> C,
    build: impl FnOnce(C) -> R,
) -> anyhow::Result<()>
where
    R: Future<Output = anyhow::Result<axum::Router>>,
{
    crate::telemetry::init();
    let a = config::arranque(programa, variable_puerto, puerto, leer);
    let router = build(a.config).await?;
    let listener = tokio::net::TcpListener::bind((a.bind.as_str(), a.puerto)).await?;
    tracing::info!("{programa} on http://{}/docs", listener.local_addr()?);
    crate::http::serve(listener, router, crate::http::shutdown_signal()).await?;
    Ok(())
}

/// A service binary: mimalloc as its allocator ([`asignador!`](crate::asignador)) and a
/// `main` that [`servir`]s the crate's `Config::desde` and `build` as `programa`, on the
/// port in `variable_puerto` (`puerto` by default).
#[macro_export]
macro_rules! servicio {
    ($programa:literal, $variable_puerto:literal, $puerto:literal, $servicio:ident) => {
        $crate::asignador!();

        #[::tokio::main]
        async fn main() -> ::anyhow::Result<()> {
            $crate::binario::servir(
                $programa,
                $variable_puerto,
                $puerto,
                $servicio::Config::desde,
                $servicio::build,
            )
            .await
        }
    };
}
