//! How long a connection may take over each part of a request, and how many connections
//! a process holds: the configuration `serve` runs with, read from the environment.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::budget::ConnectionBudget;
use crate::config::entorno::{ConfigInvalida, Entorno};

/// The budget's default never exceeds this: past it, idle connections cost more memory
/// (a few KiB of buffers each) than any real load needs.
const MAX_CONNECTIONS_CAP: usize = 10_000;

/// What `serve` allows each connection. The binaries use [`ConnectionLimits::from_env`];
/// tests build one with short timeouts and a budget of their own.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// From a connection's first byte (or its accept) to a complete request head.
    pub header_timeout: Duration,
    /// From a complete request head to the end of its body, in total: a per-read timeout
    /// would let a body dribble in forever, one byte at a time.
    pub body_timeout: Duration,
    /// How long a kept-alive connection may sit between requests, and how long a response
    /// may sit unread by its client.
    pub idle_timeout: Duration,
    /// The connections this server may hold, shared with the other servers drawing on it.
    pub budget: Arc<ConnectionBudget>,
}

impl ConnectionLimits {
    /// `EVENTFLOW_HEADER_TIMEOUT_MS` (5000), `EVENTFLOW_BODY_TIMEOUT_MS` (10000),
    /// `EVENTFLOW_IDLE_TIMEOUT_SECS` (120) and one process-wide budget of
    /// `EVENTFLOW_MAX_CONEXIONES` connections, so the launcher's five servers share it.
    pub fn from_env() -> Result<Self, ConfigInvalida> {
        let mut e = Entorno::del_proceso();
        let l = Self::desde(&mut e);
        e.terminar_con(l)
    }

    /// The same, read through `e`: the binaries read these with the rest of their
    /// configuration, so a bad one stops the start before anything claims to run.
    pub fn desde(e: &mut Entorno) -> Self {
        Self {
            header_timeout: e.milisegundos("EVENTFLOW_HEADER_TIMEOUT_MS", 5_000, 1),
            body_timeout: e.milisegundos("EVENTFLOW_BODY_TIMEOUT_MS", 10_000, 1),
            idle_timeout: e.segundos("EVENTFLOW_IDLE_TIMEOUT_SECS", 120, 1),
            budget: process_budget(e),
        }
    }
}

/// The budget every server in this process draws on. The first call raises the open-file
/// limit and sizes the budget from it; later calls share that budget.
fn process_budget(e: &mut Entorno) -> Arc<ConnectionBudget> {
    static BUDGET: OnceLock<Arc<ConnectionBudget>> = OnceLock::new();
    if let Some(b) = BUDGET.get() {
        return b.clone();
    }
    let files = raise_open_files_limit();
    // Every accepted connection is one descriptor. Half the limit is left for what the
    // process opens itself: the client side of calls between services in the launcher
    // (two descriptors per call, ours and theirs), MongoDB, Redis and RabbitMQ pools.
    let default = files.map_or(MAX_CONNECTIONS_CAP, |n| {
        usize::try_from(n / 2).map_or(MAX_CONNECTIONS_CAP, |half| half.min(MAX_CONNECTIONS_CAP))
    });
    let errores = e.errores().len();
    let max = e.entero("EVENTFLOW_MAX_CONEXIONES", default, 1);
    if e.errores().len() > errores {
        // Refused at start-up: this budget is never served with.
        return ConnectionBudget::new(default);
    }
    BUDGET
        .get_or_init(|| {
            tracing::info!(
                max_conexiones = max,
                open_files = files,
                "connection budget for this process"
            );
            ConnectionBudget::new(max)
        })
        .clone()
}

/// Raises this process's soft open-file limit to its hard limit and returns the result.
///
/// The soft limit is often 1024 while the hard one is far higher, and nothing in this
/// process relies on descriptors staying below 1024 (no `select(2)`, no child that
/// would inherit it and care). `None` when the limit cannot be read.
pub fn raise_open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `lim` is a valid, writable `rlimit` for the duration of the call.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
            return None;
        }
        if lim.rlim_cur < lim.rlim_max {
            let raised = libc::rlimit {
                rlim_cur: lim.rlim_max,
                rlim_max: lim.rlim_max,
            };
            // SAFETY: `raised` is a valid `rlimit`; the kernel only reads it. It refuses
            // values past its own ceiling (an "unlimited" hard limit), and then the old
            // soft limit stays in force, which is what we report.
            if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
                lim.rlim_cur = lim.rlim_max;
            }
        }
        // `rlim_t` is `u64` on Linux but not on every unix.
        #[allow(clippy::unnecessary_cast)]
        Some(lim.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    {
        None
    }
}
