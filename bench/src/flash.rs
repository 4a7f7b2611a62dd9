//! `flash-sale`: N distinct buyers race for C tickets of one fresh event, K at a time.
//!
//! Phases: create the event; register the buyers (concurrently); fire exactly N
//! reservations, one per buyer, through K workers that take the next buyer from a shared
//! counter (so at most K requests are in flight, and none is retried); read the final
//! inventory. The whole reservation phase runs under one global timeout.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use futures::StreamExt;
use serde::Serialize;

use crate::api::{Api, EventApi, Inventory, Outcome, CARD_APPROVED, CARD_DECLINED};
use crate::mongo::{MongoReport, Servidor};
use crate::stats::{self, Cpu, Latency, Rss};

#[derive(Debug, Clone, Args)]
pub struct FlashArgs {
    /// Distinct buyers; each makes exactly one reservation of one ticket.
    #[arg(long, default_value_t = 1000)]
    pub buyers: usize,
    /// Tickets on sale (one zone).
    #[arg(long, default_value_t = 1000)]
    pub tickets: u64,
    /// Reservations in flight at once.
    #[arg(long, default_value_t = 50)]
    pub concurrency: usize,
    /// Percentage of buyers (spread evenly) who pay with the declined test card.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub declined_pct: u8,
    /// Registrations in flight at once (set-up, not measured).
    #[arg(long, default_value_t = 32)]
    pub register_concurrency: usize,
    /// Global limit for the reservation phase, in seconds; what is unanswered by then
    /// counts as `not_completed` and the run fails.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
    /// Per-request limit, in seconds.
    #[arg(long, default_value_t = 30)]
    pub request_timeout_secs: u64,
    /// Judge the run by consistency alone: nothing oversold, every answer in, and no
    /// hold left (waiting up to 60 s for recovery to settle what was unknown). Buyers
    /// turned away do not fail it: for runs that provoke timeouts on purpose.
    #[arg(long)]
    pub consistency_only: bool,
    /// Visitors refreshing `GET /api/eventos/{id}` in a loop during the reservation phase
    /// (not counted in the reservation figures; they make the cache race visible).
    #[arg(long, default_value_t = 0)]
    pub readers: usize,
    /// The API spoken: `eventflow` (`POST /api/eventos`) or `seed000` (`POST /events`,
    /// seed 000's API) only create the event, and buyers, reservations and the final read
    /// go through the EventFlow API; `seed001` is seed 001's API for every call (runs
    /// against EventFlow or against that seed itself; no cards, so no --declined-pct).
    #[arg(long, value_enum, default_value_t = EventApi::Eventflow)]
    pub api: EventApi,
    /// The MongoDB the services use (e.g. `mongodb://127.0.0.1:27017`): the report then
    /// counts its operations during the sale (`serverStatus` opcounters, per confirmation)
    /// and the event document's size after it. Use a server nothing else is using.
    #[arg(long)]
    pub mongo_uri: Option<String>,
}

impl FlashArgs {
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.buyers == 0 || self.tickets == 0 || self.concurrency == 0 {
            bail!("--buyers, --tickets and --concurrency must be at least 1");
        }
        if self.buyers > 1_000_000 || self.tickets > 1_000_000 {
            bail!("--buyers and --tickets are capped at 1,000,000");
        }
        if self.register_concurrency == 0 {
            bail!("--register-concurrency must be at least 1");
        }
        if self.api == EventApi::Seed001 && self.declined_pct > 0 {
            // Seed 001's booking carries no payment: nothing could be declined.
            bail!("--declined-pct needs a card, and --api seed001 sends none");
        }
        Ok(())
    }
}

/// Whether buyer `i` pays with the declined card: exactly ⌊N·P/100⌋ of N buyers, spread
/// evenly over the firing order (like Bresenham's line).
pub fn declined(i: usize, pct: u8) -> bool {
    let p = usize::from(pct);
    (i + 1) * p / 100 > i * p / 100
}

/// Rejections by reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rejections {
    /// 409 `agotado`.
    pub agotado: u64,
    /// 409 `compra-en-curso` (the per-buyer lock; never expected: buyers are distinct).
    pub lock: u64,
    /// 402.
    pub payment: u64,
    /// Everything else, with a breakdown by `"<status> <slug>"` or `"error: <kind>"`.
    pub other: u64,
    pub other_breakdown: BTreeMap<String, u64>,
}

/// The parts of `turned_away_while_tickets_remained` (see BENCHMARKS.md).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct TurnedAway {
    /// `agotado` answers that said `retenidas == 0` and `disponibles > 0`: told "sold
    /// out" while tickets were free and none was even held.
    pub agotado_with_free_tickets: u64,
    /// Tickets still available at the end (`disponibles` of the final read).
    pub remaining_at_end: u64,
    /// Buyers rejected for any reason but payment (agotado, lock, other, not completed).
    pub rejected_not_for_payment: u64,
    /// `min(remaining_at_end, rejected_not_for_payment)`: buyers turned away who could
    /// have had one of the tickets left over.
    pub could_have_bought: u64,
    /// `agotado_with_free_tickets + could_have_bought`.
    pub total: u64,
}

impl TurnedAway {
    pub fn compute(
        agotado_with_free_tickets: u64,
        remaining_at_end: u64,
        rejected_not_for_payment: u64,
    ) -> Self {
        let could_have_bought = remaining_at_end.min(rejected_not_for_payment);
        Self {
            agotado_with_free_tickets,
            remaining_at_end,
            rejected_not_for_payment,
            could_have_bought,
            total: agotado_with_free_tickets + could_have_bought,
        }
    }
}

/// `oversold`: more confirmations than tickets that left availability, or a sold count
/// that disagrees with the confirmations (or exceeds capacity). Without a sold count
/// (seed 001) only the first rule can be checked.
pub fn oversold(confirmed: u64, inv: &Inventory) -> bool {
    confirmed > inv.capacidad.saturating_sub(inv.disponibles)
        || inv
            .vendidas
            .is_some_and(|v| v != confirmed || v > inv.capacidad)
}

#[derive(Debug, Clone, Serialize)]
pub struct FinalInventory {
    #[serde(flatten)]
    pub inventory: Inventory,
    /// capacidad − disponibles − vendidas at the end: holds left behind. Absent without
    /// a sold count (seed 001).
    pub retenidas: Option<u64>,
    /// capacidad − disponibles − confirmed, when positive: tickets that left availability
    /// with no confirmation seen by the bench (a hold, or a sale whose answer was lost).
    /// Measured from the answers, so it exists for every API.
    pub gone_unconfirmed: u64,
    /// `x-cache` of the first read after the sale.
    pub first_read_cache: String,
    /// The first read (possibly from the cache) disagreed with the read made after
    /// invalidating the cache: eventos served a stale entry.
    pub stale_cache: bool,
    /// What the first read said, when stale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_read: Option<Inventory>,
}

/// What the `--readers` saw during the reservation phase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadersReport {
    pub readers: usize,
    pub reads: u64,
    pub hits: u64,
    pub errors: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct FlashReport {
    pub mode: &'static str,
    pub event_id: String,
    /// The API that created the event (`--api`).
    pub event_api: EventApi,
    pub buyers: usize,
    pub tickets: u64,
    pub concurrency: usize,
    pub declined_pct: u8,
    pub declined_buyers: usize,
    pub requests_sent: u64,
    pub responses: u64,
    /// Reservations never answered because the global timeout struck.
    pub not_completed: u64,
    pub confirmed: u64,
    pub rejections: Rejections,
    /// `agotado` answers with `retenidas > 0`: sold out for now, tickets held by
    /// checkouts that might still fail.
    pub agotado_while_held: u64,
    #[serde(rename = "final")]
    pub final_inventory: FinalInventory,
    pub oversold: bool,
    pub turned_away_while_tickets_remained: u64,
    pub turned_away: TurnedAway,
    pub register_secs: f64,
    pub phase_secs: f64,
    pub confirmations_per_sec: f64,
    pub requests_per_sec: f64,
    /// When the last confirmation arrived, since the phase started: the selling window
    /// (shorter than the phase when the event sells out before every buyer was answered).
    pub last_confirmation_secs: f64,
    /// `confirmed / last_confirmation_secs`: the sales rate while tickets were selling.
    pub confirmations_per_sec_while_selling: f64,
    /// Every reservation request, whatever its answer.
    pub latency_ms: Latency,
    /// Confirmed reservations only.
    pub latency_confirmed_ms: Latency,
    /// Mean duration of each SAGA step over confirmed reservations, from their `pasos`
    /// (whole milliseconds as the service reports them).
    pub saga_steps_mean_ms: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readers: Option<ReadersReport>,
    pub rss: Vec<Rss>,
    /// CPU each `--pids` process (and the bench itself) used during the reservation phase.
    pub cpu: Vec<Cpu>,
    /// MongoDB's side of the sale, with `--mongo-uri`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mongo: Option<MongoReport>,
    /// `!oversold && turned_away_while_tickets_remained == 0 && not_completed == 0`.
    pub correct: bool,
}

struct Rec {
    outcome: Outcome,
    latency: Duration,
    /// When the answer arrived, since the phase started.
    done_at: Duration,
    pasos: Vec<(String, u64)>,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Registers `n` buyers with `conc` in flight; returns their ids in order.
pub async fn register(
    api: &Api,
    tag: &str,
    n: usize,
    conc: usize,
    quiet: bool,
) -> anyhow::Result<Vec<String>> {
    let pb = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        stats::bar(n as u64, "registering")
    };
    let mut ids = vec![String::new(); n];
    let mut stream = futures::stream::iter(0..n)
        .map(|i| async move { (i, api.register_buyer(tag, i).await) })
        .buffer_unordered(conc);
    while let Some((i, r)) = stream.next().await {
        ids[i] = r?;
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(ids)
}

pub async fn run(
    api: Arc<Api>,
    a: &FlashArgs,
    pids: &[(String, u32)],
    quiet: bool,
) -> anyhow::Result<FlashReport> {
    a.validate()?;
    api.check_up().await?;
    let tag = run_tag();
    let nombre = format!("Bench flash sale {tag}");
    let fecha = chrono::Utc::now() + chrono::Duration::days(30);
    let evento_id = api
        .create_event(a.api, &nombre, "Bench Arena", fecha, a.tickets)
        .await?;
    if !quiet {
        eprintln!(
            "event {evento_id} (POST {}): {} tickets; registering {} buyers",
            a.api.create_path(),
            a.tickets,
            a.buyers
        );
    }

    let t_reg = Instant::now();
    let buyers = Arc::new(register(&api, &tag, a.buyers, a.register_concurrency, quiet).await?);
    let register_secs = t_reg.elapsed().as_secs_f64();

    // The reservation phase: K workers, one shared counter, exactly N requests.
    let pb = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        stats::bar(a.buyers as u64, "reserving")
    };
    let next = Arc::new(AtomicUsize::new(0));
    let sent = Arc::new(AtomicUsize::new(0));
    let recs: Arc<Mutex<Vec<Rec>>> = Arc::new(Mutex::new(Vec::with_capacity(a.buyers)));
    let mut workers = tokio::task::JoinSet::new();
    let servidor = match &a.mongo_uri {
        Some(uri) => Some(Servidor::conectar(uri).await?),
        None => None,
    };
    let ops_antes = match &servidor {
        Some(m) => Some(m.opcounters().await?),
        None => None,
    };
    let meter = stats::CpuMeter::start(pids);
    marcar("reservas");
    let t0 = Instant::now();
    for _ in 0..a.concurrency.min(a.buyers) {
        let (api, buyers, next, sent, recs, pb) = (
            api.clone(),
            buyers.clone(),
            next.clone(),
            sent.clone(),
            recs.clone(),
            pb.clone(),
        );
        let (evento_id, pct) = (evento_id.clone(), a.declined_pct);
        workers.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= buyers.len() {
                    break;
                }
                let card = if declined(i, pct) {
                    CARD_DECLINED
                } else {
                    CARD_APPROVED
                };
                sent.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                let (outcome, pasos) = api.reserve(&buyers[i], &evento_id, card).await;
                let latency = t.elapsed();
                let done_at = t0.elapsed();
                recs.lock().expect("no panics while holding it").push(Rec {
                    outcome,
                    latency,
                    done_at,
                    pasos,
                });
                pb.inc(1);
            }
        });
    }
    // Visitors refreshing the event page while the sale runs, until it ends.
    let stop_readers = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..a.readers {
        let (api, evento_id, stop) = (api.clone(), evento_id.clone(), stop_readers.clone());
        readers.spawn(async move {
            let (mut reads, mut hits, mut errors) = (0u64, 0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                match api.inventory(&evento_id).await {
                    Ok((_, cache)) => {
                        reads += 1;
                        hits += u64::from(cache == "HIT");
                    }
                    Err(_) => errors += 1,
                }
            }
            (reads, hits, errors)
        });
    }
    let all_done = async {
        while let Some(r) = workers.join_next().await {
            r.context("a reservation worker panicked")?;
        }
        anyhow::Ok(())
    };
    let timed_out = match tokio::time::timeout(Duration::from_secs(a.timeout_secs), all_done).await
    {
        Ok(r) => {
            r?;
            false
        }
        Err(_) => true,
    };
    let phase = t0.elapsed();
    let cpu = meter.stop();
    workers.abort_all();
    stop_readers.store(true, Ordering::Relaxed);
    let mut seen = ReadersReport {
        readers: a.readers,
        ..ReadersReport::default()
    };
    while let Some(r) = readers.join_next().await {
        if let Ok((reads, hits, errors)) = r {
            seen.reads += reads;
            seen.hits += hits;
            seen.errors += errors;
        }
    }
    pb.finish_and_clear();
    if timed_out {
        eprintln!(
            "WARNING: the reservation phase hit --timeout-secs {}; unanswered requests count as not_completed",
            a.timeout_secs
        );
    }
    let recs = std::mem::take(&mut *recs.lock().expect("workers are done"));
    let requests_sent = sent.load(Ordering::Relaxed) as u64;
    // The outbox relay publishes (and marks) each confirmation just after its answer:
    // give it a second, so its writes count with the sale's, before anything else reads.
    let ops = match (&servidor, ops_antes) {
        (Some(m), Some(antes)) => {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Some(antes.hasta(&m.opcounters().await?))
        }
        _ => None,
    };
    marcar("fin");

    // Final inventory: the first read may come from the cache; a PATCH then drops the
    // entry, so the second read is the store's truth. A difference is a stale cache.
    let (first, first_cache) = api.inventory(&evento_id).await?;
    api.invalidate(&evento_id, &nombre).await?;
    let (mut inv, _) = api.inventory(&evento_id).await?;
    if a.consistency_only {
        // A hold whose outcome was unknown is released by its compensation or by
        // recovery, a little after its answer: give them time.
        let fin = Instant::now() + Duration::from_secs(60);
        while inv.retenidas().is_some_and(|r| r > 0) && Instant::now() < fin {
            tokio::time::sleep(Duration::from_millis(500)).await;
            api.invalidate(&evento_id, &nombre).await?;
            inv = api.inventory(&evento_id).await?.0;
        }
    }
    let stale = first != inv;
    if stale {
        eprintln!(
            "WARNING: GET /api/eventos/{evento_id} after the sale served a stale entry (x-cache: {first_cache}): {first:?}; after invalidating: {inv:?}"
        );
    }

    let mut report = summarize(a, &evento_id, recs, requests_sent, phase, inv);
    report.final_inventory.first_read_cache = first_cache;
    report.final_inventory.stale_cache = stale;
    report.final_inventory.stale_read = stale.then_some(first);
    report.register_secs = round2(register_secs);
    report.rss = pids.iter().map(|(n, p)| stats::rss(n, *p)).collect();
    report.cpu = cpu;
    report.readers = (a.readers > 0).then_some(seen);
    if let (Some(m), Some(ops)) = (&servidor, ops) {
        let por_confirmacion = ops.total() as f64 / report.confirmed.max(1) as f64;
        report.mongo = Some(MongoReport {
            ops,
            ops_per_confirmation: round2(por_confirmacion),
            event_doc_bytes: m.bytes_del_evento(&evento_id).await?,
        });
    }
    Ok(report)
}

fn summarize(
    a: &FlashArgs,
    evento_id: &str,
    recs: Vec<Rec>,
    requests_sent: u64,
    phase: Duration,
    inv: Inventory,
) -> FlashReport {
    let mut rej = Rejections::default();
    let (mut confirmed, mut free_agotado, mut held_agotado) = (0u64, 0u64, 0u64);
    let mut all = stats::histogram();
    let mut ok = stats::histogram();
    let mut steps: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut last_ok = Duration::ZERO;
    for r in &recs {
        stats::record(&mut all, r.latency);
        match &r.outcome {
            Outcome::Confirmed => {
                confirmed += 1;
                last_ok = last_ok.max(r.done_at);
                stats::record(&mut ok, r.latency);
                for (h, ms) in &r.pasos {
                    let e = steps.entry(h.clone()).or_default();
                    e.0 += ms;
                    e.1 += 1;
                }
            }
            Outcome::Agotado {
                disponibles,
                retenidas,
            } => {
                rej.agotado += 1;
                if *retenidas == Some(0) && disponibles.is_some_and(|d| d > 0) {
                    free_agotado += 1;
                }
                if retenidas.is_some_and(|r| r > 0) {
                    held_agotado += 1;
                }
            }
            Outcome::Lock => rej.lock += 1,
            Outcome::Payment => rej.payment += 1,
            Outcome::Other(k) => {
                rej.other += 1;
                *rej.other_breakdown.entry(k.clone()).or_default() += 1;
            }
        }
    }
    let responses = recs.len() as u64;
    let not_completed = a.buyers as u64 - responses;
    let rejected_not_for_payment = rej.agotado + rej.lock + rej.other + not_completed;
    let turned = TurnedAway::compute(free_agotado, inv.disponibles, rejected_not_for_payment);
    let oversold = oversold(confirmed, &inv);
    let secs = phase.as_secs_f64().max(1e-9);
    FlashReport {
        mode: "flash-sale",
        event_id: evento_id.to_owned(),
        event_api: a.api,
        buyers: a.buyers,
        tickets: a.tickets,
        concurrency: a.concurrency,
        declined_pct: a.declined_pct,
        declined_buyers: (0..a.buyers)
            .filter(|&i| declined(i, a.declined_pct))
            .count(),
        requests_sent,
        responses,
        not_completed,
        confirmed,
        rejections: rej,
        agotado_while_held: held_agotado,
        final_inventory: FinalInventory {
            inventory: inv,
            retenidas: inv.retenidas(),
            gone_unconfirmed: inv
                .capacidad
                .saturating_sub(inv.disponibles)
                .saturating_sub(confirmed),
            first_read_cache: String::new(),
            stale_cache: false,
            stale_read: None,
        },
        oversold,
        turned_away_while_tickets_remained: turned.total,
        turned_away: turned.clone(),
        register_secs: 0.0,
        phase_secs: round2(secs),
        confirmations_per_sec: round2(confirmed as f64 / secs),
        requests_per_sec: round2(responses as f64 / secs),
        last_confirmation_secs: round2(last_ok.as_secs_f64()),
        confirmations_per_sec_while_selling: if confirmed == 0 {
            0.0
        } else {
            round2(confirmed as f64 / last_ok.as_secs_f64().max(1e-9))
        },
        latency_ms: Latency::of(&all),
        latency_confirmed_ms: Latency::of(&ok),
        saga_steps_mean_ms: steps
            .into_iter()
            .map(|(h, (sum, n))| (h, round2(sum as f64 / n as f64)))
            .collect(),
        readers: None,
        rss: Vec::new(),
        cpu: Vec::new(),
        mongo: None,
        correct: !oversold
            && not_completed == 0
            && if a.consistency_only {
                // Without a sold count, what left availability unconfirmed stands in for
                // holds: both are tickets neither on sale nor sold to an answered buyer.
                inv.retenidas().unwrap_or(
                    inv.capacidad
                        .saturating_sub(inv.disponibles)
                        .saturating_sub(confirmed),
                ) == 0
            } else {
                turned.total == 0
            },
    }
}

/// A short random tag making this run's documents and emails unique (persistent
/// backends keep earlier runs' buyers).
pub fn run_tag() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_uppercase()
}

/// A figure the API may not tell: `-` when absent.
fn absent(v: Option<u64>) -> String {
    v.map_or("-".into(), |v| v.to_string())
}

/// The human-readable table (stdout).
pub fn print_table(r: &FlashReport) {
    let l = &r.latency_ms;
    let f = &r.final_inventory;
    println!(
        "flash sale: event {} (created through POST {}, --api {})",
        r.event_id,
        r.event_api.create_path(),
        r.event_api.name()
    );
    println!(
        "  buyers {} | tickets {} | concurrency {} | declined cards {} ({}%)",
        r.buyers, r.tickets, r.concurrency, r.declined_buyers, r.declined_pct
    );
    println!(
        "  {:<38} {:>12}",
        "requests sent / answered",
        format!("{}/{}", r.requests_sent, r.responses)
    );
    println!("  {:<38} {:>12}", "confirmed", r.confirmed);
    println!("  {:<38} {:>12}", "rejected: agotado", r.rejections.agotado);
    println!(
        "  {:<38} {:>12}",
        "  of which tickets were held", r.agotado_while_held
    );
    println!(
        "  {:<38} {:>12}",
        "rejected: lock (compra-en-curso)", r.rejections.lock
    );
    println!(
        "  {:<38} {:>12}",
        "rejected: payment (402)", r.rejections.payment
    );
    println!("  {:<38} {:>12}", "rejected: other", r.rejections.other);
    for (k, n) in &r.rejections.other_breakdown {
        println!("  {:<38} {:>12}", format!("  {k}"), n);
    }
    if r.not_completed > 0 {
        println!(
            "  {:<38} {:>12}",
            "NOT COMPLETED (global timeout)", r.not_completed
        );
    }
    println!(
        "  {:<38} {:>12}",
        "final capacidad/disponibles/vendidas",
        format!(
            "{}/{}/{}",
            f.inventory.capacidad,
            f.inventory.disponibles,
            absent(f.inventory.vendidas)
        )
    );
    println!("  {:<38} {:>12}", "final retenidas", absent(f.retenidas));
    println!(
        "  {:<38} {:>12}",
        "gone from sale without a confirmation", f.gone_unconfirmed
    );
    if f.stale_cache {
        println!("  {:<38} {:>12}", "STALE CACHE after the sale", "yes");
    }
    println!("  {:<38} {:>12}", "oversold", r.oversold);
    println!(
        "  {:<38} {:>12}",
        "turned away while tickets remained", r.turned_away_while_tickets_remained
    );
    println!("  {:<38} {:>12.2}", "reservation phase (s)", r.phase_secs);
    println!(
        "  {:<38} {:>12.1}",
        "confirmations/s", r.confirmations_per_sec
    );
    println!("  {:<38} {:>12.1}", "requests/s", r.requests_per_sec);
    println!(
        "  {:<38} {:>12}",
        "last confirmation at (s) / rate",
        format!(
            "{:.2} / {:.1}/s",
            r.last_confirmation_secs, r.confirmations_per_sec_while_selling
        )
    );
    println!(
        "  {:<38} {:>12}",
        "latency p50/p90/p99/max (ms)",
        format!("{}/{}/{}/{}", l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms)
    );
    if !r.saga_steps_mean_ms.is_empty() {
        let steps: Vec<String> = r
            .saga_steps_mean_ms
            .iter()
            .map(|(h, ms)| format!("{h} {ms}"))
            .collect();
        println!("  saga steps, mean ms (confirmed): {}", steps.join(", "));
    }
    for m in &r.rss {
        match (m.peak_mib, &m.error) {
            (Some(p), _) => println!(
                "  {:<38} {:>12}",
                format!("peak RSS {} (pid {})", m.name, m.pid),
                format!("{p} MiB")
            ),
            (None, e) => println!(
                "  peak RSS {} (pid {}): {}",
                m.name,
                m.pid,
                e.as_deref().unwrap_or("?")
            ),
        }
    }
    if let Some(rd) = &r.readers {
        println!(
            "  {:<38} {:>12}",
            format!("page refreshes by {} readers (hits)", rd.readers),
            format!("{} ({})", rd.reads, rd.hits)
        );
    }
    if let Some(m) = &r.mongo {
        println!(
            "  {:<38} {:>12}",
            "MongoDB ops per confirmation", m.ops_per_confirmation
        );
        println!(
            "  MongoDB ops during the phase: {} inserts, {} queries, {} updates, {} deletes, {} getmores, {} commands",
            m.ops.insert, m.ops.query, m.ops.update, m.ops.delete, m.ops.getmore, m.ops.command
        );
        let bytes = m
            .event_doc_bytes
            .map_or("not found in eventos.eventos".to_owned(), |b| {
                format!("{b} B")
            });
        println!("  {:<38} {:>12}", "event document after the sale", bytes);
    }
    if !r.cpu.is_empty() {
        let cpu: Vec<String> = r
            .cpu
            .iter()
            .map(|c| format!("{} {:.2} s ({:.2} cores)", c.name, c.cpu_secs, c.cores))
            .collect();
        println!("  CPU during the phase: {}", cpu.join(", "));
    }
    println!(
        "  {:<38} {:>12}",
        "CORRECT",
        if r.correct { "yes" } else { "NO" }
    );
}

/// `EVENTFLOW_BENCH_MARCA=FILE`: appends `EVENTFLOW-BENCH-FASE <name>` to FILE where a
/// phase starts and ends, so a log written to the same file (the launcher's, with
/// `EVENTFLOW_MONGO_TRAZA=1`) can be cut to the sale: `bench/ops-por-reserva.sh`.
fn marcar(fase: &str) {
    use std::io::Write;
    if let Some(f) = std::env::var_os("EVENTFLOW_BENCH_MARCA") {
        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(f) {
            let _ = writeln!(f, "EVENTFLOW-BENCH-FASE {fase}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declined_cards_are_exact_and_spread() {
        for (n, p, want) in [
            (200, 20, 40),
            (5000, 20, 1000),
            (1000, 0, 0),
            (10, 100, 10),
            (7, 50, 3),
        ] {
            let got = (0..n).filter(|&i| declined(i, p)).count();
            assert_eq!(got, want, "n={n} p={p}");
        }
        // Spread: every window of 5 buyers holds exactly one declined card at 20%.
        for w in 0..40 {
            assert_eq!((w * 5..w * 5 + 5).filter(|&i| declined(i, 20)).count(), 1);
        }
    }

    fn inv(c: u64, d: u64, v: u64) -> Inventory {
        Inventory {
            capacidad: c,
            disponibles: d,
            vendidas: Some(v),
        }
    }

    #[test]
    fn oversell_rule() {
        assert!(!oversold(100, &inv(100, 0, 100)));
        assert!(!oversold(80, &inv(100, 20, 80)));
        assert!(oversold(101, &inv(100, 0, 100)));
        assert!(oversold(100, &inv(100, 0, 99)));
        // A hold left behind takes a ticket out of availability without a sale.
        assert!(!oversold(99, &inv(100, 0, 99)));
        assert!(oversold(100, &inv(100, 1, 100)));
        // Seed 001: no sold count, only what left availability can be checked.
        let seed = |c, d| Inventory {
            capacidad: c,
            disponibles: d,
            vendidas: None,
        };
        assert!(!oversold(100, &seed(100, 0)));
        assert!(oversold(101, &seed(100, 0)));
        assert!(oversold(100, &seed(100, 1)));
        assert!(!oversold(3, &seed(100, 90)));
    }

    #[test]
    fn turned_away_rule() {
        // Sold out, everyone else told agotado: nobody turned away.
        assert_eq!(TurnedAway::compute(0, 0, 4900).total, 0);
        // 20 tickets left while 300 buyers were refused: 20 could have bought.
        let t = TurnedAway::compute(0, 20, 300);
        assert_eq!((t.could_have_bought, t.total), (20, 20));
        // Tickets left only because cards were declined: fine.
        assert_eq!(TurnedAway::compute(0, 200, 0).total, 0);
        // Inconsistent agotado answers count one each.
        assert_eq!(TurnedAway::compute(3, 0, 10).total, 3);
    }

    #[test]
    fn summary_counts() {
        let a = FlashArgs {
            buyers: 6,
            tickets: 3,
            concurrency: 2,
            declined_pct: 0,
            register_concurrency: 1,
            timeout_secs: 1,
            request_timeout_secs: 1,
            readers: 0,
            consistency_only: false,
            api: EventApi::Seed000,
            mongo_uri: None,
        };
        let ms = Duration::from_millis;
        let rec = |o: Outcome| Rec {
            outcome: o,
            latency: ms(10),
            done_at: ms(500),
            pasos: vec![("ValidadorDatos".into(), 2)],
        };
        let recs = vec![
            rec(Outcome::Confirmed),
            rec(Outcome::Confirmed),
            rec(Outcome::Payment),
            rec(Outcome::Agotado {
                disponibles: Some(0),
                retenidas: Some(1),
            }),
            rec(Outcome::Other("503 servicio-no-disponible".into())),
        ];
        let r = summarize(&a, "e", recs, 5, Duration::from_secs(1), inv(3, 1, 2));
        assert_eq!(r.confirmed, 2);
        assert_eq!(r.not_completed, 1);
        assert_eq!(
            r.rejections.other_breakdown["503 servicio-no-disponible"],
            1
        );
        assert_eq!(r.agotado_while_held, 1);
        assert!(!r.oversold);
        // One ticket left; agotado + other + not completed = 3 refused: 1 could have bought.
        assert_eq!(r.turned_away_while_tickets_remained, 1);
        assert!(!r.correct);
        assert_eq!(r.saga_steps_mean_ms["ValidadorDatos"], 2.0);
        assert_eq!(r.confirmations_per_sec, 2.0);
        assert_eq!(r.last_confirmation_secs, 0.5);
        assert_eq!(r.confirmations_per_sec_while_selling, 4.0);
        assert_eq!(r.event_api, EventApi::Seed000);
        assert_eq!(serde_json::to_value(&r).unwrap()["event_api"], "seed000");
    }
}
