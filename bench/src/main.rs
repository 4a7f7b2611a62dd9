//! `eventflow-bench`: load and correctness benchmarks for an EventFlow deployment on this
//! machine (loopback targets only). See BENCHMARKS.md.
//!
//! Output: a human table, then one JSON line (the last line of stdout). Progress bars go
//! to stderr, only when it is a terminal.
//!
//! Exit codes: 0 correct; 1 a correctness check failed (oversold, buyers turned away while
//! tickets remained, reservations never answered, read errors); 2 bad usage; 3 the
//! benchmark could not run (target refused or down, set-up failed).

mod api;
mod checkin;
mod flash;
mod mongo;
mod reads;
mod stats;
mod sweep;
mod target;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::api::{Api, EventApi};
use crate::target::{Endpoints, TargetArgs};

#[derive(Debug, Parser)]
#[command(name = "eventflow-bench", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// N distinct buyers race for C tickets of a fresh event, K reservations at a time.
    FlashSale {
        #[command(flatten)]
        target: TargetArgs,
        #[command(flatten)]
        flash: flash::FlashArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Closed-loop GET /api/eventos/{id} and GET /api/eventos over K connections.
    Reads {
        #[command(flatten)]
        target: TargetArgs,
        #[command(flatten)]
        reads: reads::ReadsArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Flash sales at several concurrency levels, and an SVG chart of throughput and p99.
    Sweep {
        #[command(flatten)]
        target: TargetArgs,
        #[command(flatten)]
        sweep: sweep::SweepArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// G gates scan N sold tickets at once, then rescan them: admissions per second.
    Checkin {
        #[command(flatten)]
        target: TargetArgs,
        #[command(flatten)]
        checkin: checkin::CheckinArgs,
        #[command(flatten)]
        out: OutArgs,
    },
    /// Redraws the SVG chart of a saved sweep report (`sweep --json-out`); sends nothing.
    Chart {
        #[command(flatten)]
        chart: sweep::ChartArgs,
    },
}

#[derive(Debug, Clone, Args)]
struct OutArgs {
    /// Processes whose peak RSS (VmHWM) to report, as name=pid (comma-separated).
    #[arg(long, value_delimiter = ',', value_parser = stats::parse_pid)]
    pids: Vec<(String, u32)>,
    /// Also write the JSON report to this file.
    #[arg(long)]
    json_out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(3);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("FAILED: a correctness check did not pass (see the report above)");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}

async fn api(
    target: &TargetArgs,
    via: EventApi,
    pool: usize,
    timeout: Duration,
) -> anyhow::Result<Arc<Api>> {
    // Checked (and `localhost` resolved) before anything is sent.
    let ep = Endpoints::from_args(target).await?;
    Ok(Arc::new(Api::new(ep, via, pool, timeout)?))
}

/// Runs the command; `Ok(correct)`.
async fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.cmd {
        Cmd::FlashSale { target, flash, out } => {
            flash.validate()?;
            let pool = flash.concurrency.max(flash.register_concurrency);
            let api = api(
                &target,
                flash.api,
                pool,
                Duration::from_secs(flash.request_timeout_secs),
            )
            .await?;
            let r = flash::run(api, &flash, &out.pids, false).await?;
            flash::print_table(&r);
            emit(&r, &out)?;
            Ok(r.correct)
        }
        Cmd::Reads { target, reads, out } => {
            let api = api(&target, reads.api, 16, Duration::from_secs(30)).await?;
            let r = reads::run(api, &reads, &out.pids).await?;
            reads::print_table(&r);
            emit(&r, &out)?;
            Ok(r.correct)
        }
        Cmd::Sweep { target, sweep, out } => {
            let pool = sweep.levels.iter().copied().max().unwrap_or(1).max(32);
            let api = api(&target, sweep.api, pool, Duration::from_secs(30)).await?;
            let r = sweep::run(api, &sweep, &out.pids).await?;
            sweep::print_table(&r);
            emit(&r, &out)?;
            Ok(r.correct)
        }
        Cmd::Checkin {
            target,
            checkin,
            out,
        } => {
            checkin.validate()?;
            let pool = checkin
                .gates
                .iter()
                .copied()
                .max()
                .unwrap_or(1)
                .max(checkin.setup_concurrency);
            let api = api(&target, EventApi::Eventflow, pool, Duration::from_secs(30)).await?;
            let r = checkin::run(api, &checkin).await?;
            checkin::print_table(&r);
            emit(&r, &out)?;
            Ok(r.correct)
        }
        Cmd::Chart { chart } => {
            sweep::redraw(&chart)?;
            Ok(true)
        }
    }
}

/// The JSON line on stdout, and the file when asked.
fn emit<T: Serialize>(report: &T, out: &OutArgs) -> anyhow::Result<()> {
    let line = serde_json::to_string(report)?;
    println!("{line}");
    if let Some(path) = &out.json_out {
        std::fs::write(path, format!("{line}\n"))
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
    }
    Ok(())
}
