//! Tracing set-up: one subscriber per process, filtered by `RUST_LOG`.
//!
//! lapin's `trace` events are dropped whatever `RUST_LOG` says: they dump every AMQP
//! frame, and the connection's `StartOk` frame carries the broker password (as the bytes
//! of its SASL PLAIN response). Its `debug` and above say nothing secret.

use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;
use tracing_subscriber::{fmt, EnvFilter};

/// Whether an event may reach the log at all (see the module's doc).
fn publicable(m: &tracing::Metadata<'_>) -> bool {
    !(m.target().starts_with("lapin") && *m.level() == tracing::Level::TRACE)
}

/// Installs the global subscriber once; later calls (tests, the launcher) are no-ops.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,mongodb=warn,tower_http=warn"));
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(
            fmt::layer()
                .with_target(false)
                .with_filter(filter_fn(publicable)),
        )
        .try_init();
}
