//! `reads`: closed-loop GETs of `/api/eventos/{id}` and `/api/eventos` over K persistent
//! HTTP/1.1 connections (one raw hyper connection each, so exactly K sockets and no pool
//! logic in the way), then the same for the list.
//!
//! Cached (default): every request reads the same event (or the same first page), after
//! one warm-up read, so all but the warm-up are expected to be cache hits.
//!
//! Uncached (`--uncached`): the tool first creates `--events` events, each on its own date.
//! The id phase then reads each event exactly once (a never-read key is a miss by
//! construction), and the list phase reads each page `?desde=<date of event i>` exactly
//! once (a keyset page: 20 events from that date on, each a distinct cache field). A phase
//! ends when its pool is used up, its duration is over, or `--requests` is reached,
//! whichever comes first. The `x-cache` header of every answer is counted, so the hit
//! ratio shows whether the reads really missed.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use bytes::Bytes;
use clap::{Args, ValueEnum};
use futures::StreamExt;
use http_body_util::{BodyExt, Empty};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use serde::Serialize;

use crate::api::{Api, EventApi};
use crate::flash::run_tag;
use crate::stats::{self, Cpu, Latency, Rss};
use crate::target::socket_addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Endpoint {
    /// GET /api/eventos/{id}
    Id,
    /// GET /api/eventos
    List,
    /// Both, one phase each (id first).
    Both,
}

#[derive(Debug, Clone, Args)]
pub struct ReadsArgs {
    /// Persistent connections, each with one request in flight.
    #[arg(long, default_value_t = 50)]
    pub connections: usize,
    /// Seconds per phase (id, then list).
    #[arg(long, default_value_t = 10)]
    pub duration: u64,
    /// At most this many requests per phase.
    #[arg(long)]
    pub requests: Option<u64>,
    /// Measure cache misses (see BENCHMARKS.md for how).
    #[arg(long)]
    pub uncached: bool,
    /// With --uncached: events to create, i.e. the most misses a phase can make.
    #[arg(long, default_value_t = 20_000)]
    pub events: usize,
    /// Which endpoint(s) to load.
    #[arg(long, value_enum, default_value_t = Endpoint::Both)]
    pub endpoint: Endpoint,
    /// The API that creates the events read: `eventflow` (`POST /api/eventos`) or
    /// `seed000` (`POST /events`). They are read through `/api/eventos` either way.
    #[arg(long, value_enum, default_value_t = EventApi::Eventflow)]
    pub api: EventApi,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CacheCount {
    pub hit: u64,
    pub miss: u64,
    /// Answers without an `x-cache` header.
    pub none: u64,
    pub hit_ratio: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseReport {
    pub endpoint: &'static str,
    pub requests: u64,
    pub ok: u64,
    pub non_200: u64,
    pub errors: u64,
    pub secs: f64,
    pub requests_per_sec: f64,
    pub latency_ms: Latency,
    pub cache: CacheCount,
    /// `duration`, `requests` (the --requests budget) or `pool` (uncached: every key read).
    pub stopped_by: &'static str,
    pub bytes: u64,
    /// CPU each `--pids` process (and the bench itself) used during the phase.
    pub cpu: Vec<Cpu>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadsReport {
    pub mode: &'static str,
    pub uncached: bool,
    pub connections: usize,
    pub duration_secs: u64,
    pub events_created: usize,
    /// The API that created the events (`--api`).
    pub event_api: EventApi,
    pub phases: Vec<PhaseReport>,
    pub rss: Vec<Rss>,
    /// No transport errors and no non-200 answers.
    pub correct: bool,
}

/// What a phase reads: one fixed path, or each path of a pool once.
enum Paths {
    Fixed(String),
    Pool(Vec<String>),
}

pub async fn run(
    api: Arc<Api>,
    a: &ReadsArgs,
    pids: &[(String, u32)],
) -> anyhow::Result<ReadsReport> {
    if a.connections == 0 || a.duration == 0 {
        bail!("--connections and --duration must be at least 1");
    }
    if a.duration > 3600 {
        bail!("--duration is capped at 3600 s");
    }
    if a.api == EventApi::Seed001 {
        // Seed 001 has no event listing, and `reads` loads it.
        bail!("reads does not take --api seed001 (the seed has no GET /api/eventos listing)");
    }
    api.check_up().await?;
    let addr = socket_addr(&api.ep.eventos).await?;
    let host = api
        .ep
        .eventos
        .host_str()
        .map(|h| match api.ep.eventos.port() {
            Some(p) => format!("{h}:{p}"),
            None => h.to_owned(),
        })
        .context("eventos URL without host")?;
    let base_path = api.ep.eventos.path().trim_end_matches('/').to_owned();
    let tag = run_tag();
    let fecha0 = chrono::Utc::now() + chrono::Duration::days(365);

    let (id_paths, list_paths, created) = if a.uncached {
        if a.events == 0 {
            bail!("--events must be at least 1 with --uncached");
        }
        let ids = create_events(&api, a.api, &tag, fecha0, a.events).await?;
        let id_paths = ids
            .iter()
            .map(|id| format!("{base_path}/api/eventos/{id}"))
            .collect();
        let list_paths = (0..a.events)
            .map(|i| {
                let d = (fecha0 + chrono::Duration::minutes(i as i64))
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                format!("{base_path}/api/eventos?desde={d}")
            })
            .collect();
        (Paths::Pool(id_paths), Paths::Pool(list_paths), ids.len())
    } else {
        let id = api
            .create_event(
                a.api,
                &format!("Bench reads {tag}"),
                "Bench Arena",
                fecha0,
                100,
            )
            .await?;
        let id_path = format!("{base_path}/api/eventos/{id}");
        let list_path = format!("{base_path}/api/eventos");
        // Warm-up: the first read of each fills the cache.
        for p in [&id_path, &list_path] {
            let mut c = connect(addr).await?;
            get(&mut c, &host, p).await?;
        }
        (Paths::Fixed(id_path), Paths::Fixed(list_path), 1)
    };

    let mut phases = Vec::new();
    if matches!(a.endpoint, Endpoint::Id | Endpoint::Both) {
        phases.push(phase(addr, &host, "GET /api/eventos/{id}", id_paths, a, pids).await?);
    }
    if matches!(a.endpoint, Endpoint::List | Endpoint::Both) {
        phases.push(phase(addr, &host, "GET /api/eventos", list_paths, a, pids).await?);
    }
    let correct = phases.iter().all(|p| p.errors == 0 && p.non_200 == 0);
    Ok(ReadsReport {
        mode: "reads",
        uncached: a.uncached,
        connections: a.connections,
        duration_secs: a.duration,
        events_created: created,
        event_api: a.api,
        phases,
        rss: pids.iter().map(|(n, p)| stats::rss(n, *p)).collect(),
        correct,
    })
}

async fn create_events(
    api: &Api,
    via: EventApi,
    tag: &str,
    fecha0: chrono::DateTime<chrono::Utc>,
    n: usize,
) -> anyhow::Result<Vec<String>> {
    let pb = stats::bar(n as u64, "creating");
    let mut ids = vec![String::new(); n];
    let mut s = futures::stream::iter(0..n)
        .map(|i| async move {
            let fecha = fecha0 + chrono::Duration::minutes(i as i64);
            let r = api
                .create_event(
                    via,
                    &format!("Bench uncached {tag} #{i}"),
                    "Bench Arena",
                    fecha,
                    100,
                )
                .await;
            (i, r)
        })
        .buffer_unordered(16);
    while let Some((i, r)) = s.next().await {
        ids[i] = r?;
        pb.inc(1);
    }
    pb.finish_and_clear();
    Ok(ids)
}

type Conn = SendRequest<Empty<Bytes>>;

async fn connect(addr: SocketAddr) -> anyhow::Result<Conn> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// One GET; returns the status, the `x-cache` header and the body's length.
async fn get(c: &mut Conn, host: &str, path: &str) -> anyhow::Result<(u16, Option<bool>, usize)> {
    c.ready().await?;
    let req = hyper::Request::get(path)
        .header(hyper::header::HOST, host)
        .body(Empty::<Bytes>::new())?;
    let res = c.send_request(req).await?;
    let status = res.status().as_u16();
    let hit = res
        .headers()
        .get("x-cache")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.eq_ignore_ascii_case("HIT"));
    let body = res.into_body().collect().await?.to_bytes();
    Ok((status, hit, body.len()))
}

struct Worker {
    hist: hdrhistogram::Histogram<u64>,
    ok: u64,
    non_200: u64,
    errors: u64,
    hit: u64,
    miss: u64,
    none: u64,
    bytes: u64,
}

async fn phase(
    addr: SocketAddr,
    host: &str,
    endpoint: &'static str,
    paths: Paths,
    a: &ReadsArgs,
    pids: &[(String, u32)],
) -> anyhow::Result<PhaseReport> {
    let paths = Arc::new(paths);
    let budget = a.requests.unwrap_or(u64::MAX);
    let issued = Arc::new(AtomicU64::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let pool_done = Arc::new(AtomicBool::new(false));
    let duration = Duration::from_secs(a.duration);
    // Connect all first, so the timed part measures requests only.
    let mut conns = Vec::with_capacity(a.connections);
    for _ in 0..a.connections {
        conns.push(connect(addr).await?);
    }
    let pb = stats::bar(a.duration * 10, endpoint);
    pb.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix:>24} [{elapsed_precise}] {wide_bar} {msg}",
        )
        .expect("valid template"),
    );
    let meter = stats::CpuMeter::start(pids);
    let t0 = Instant::now();
    let deadline = t0 + duration;
    let mut set = tokio::task::JoinSet::new();
    for mut c in conns {
        let (paths, issued, next, pool_done, host) = (
            paths.clone(),
            issued.clone(),
            next.clone(),
            pool_done.clone(),
            host.to_owned(),
        );
        set.spawn(async move {
            let mut w = Worker {
                hist: stats::histogram(),
                ok: 0,
                non_200: 0,
                errors: 0,
                hit: 0,
                miss: 0,
                none: 0,
                bytes: 0,
            };
            while Instant::now() < deadline {
                if issued.fetch_add(1, Ordering::Relaxed) >= budget {
                    break;
                }
                let path = match &*paths {
                    Paths::Fixed(p) => p.as_str(),
                    Paths::Pool(v) => match v.get(next.fetch_add(1, Ordering::Relaxed)) {
                        Some(p) => p.as_str(),
                        None => {
                            pool_done.store(true, Ordering::Relaxed);
                            issued.fetch_sub(1, Ordering::Relaxed);
                            break;
                        }
                    },
                };
                let t = Instant::now();
                match get(&mut c, &host, path).await {
                    Ok((status, hit, len)) => {
                        stats::record(&mut w.hist, t.elapsed());
                        w.bytes += len as u64;
                        if status == 200 {
                            w.ok += 1;
                        } else {
                            w.non_200 += 1;
                        }
                        match hit {
                            Some(true) => w.hit += 1,
                            Some(false) => w.miss += 1,
                            None => w.none += 1,
                        }
                    }
                    Err(_) => {
                        w.errors += 1;
                        // The connection is unusable: open another (bounded by the loop).
                        match connect(addr).await {
                            Ok(nc) => c = nc,
                            Err(_) => break,
                        }
                    }
                }
            }
            w
        });
    }
    // Progress: a ticker until the workers are done (or a hard stop past the deadline).
    let ticker = {
        let (pb, issued) = (pb.clone(), issued.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let el = t0.elapsed().as_millis() as u64 / 100;
                pb.set_position(el);
                pb.set_message(format!("{} requests", issued.load(Ordering::Relaxed)));
            }
        })
    };
    let mut workers = Vec::new();
    let hard_stop = duration + Duration::from_secs(30);
    let collected = tokio::time::timeout(hard_stop, async {
        while let Some(r) = set.join_next().await {
            workers.push(r.context("a read worker panicked")?);
        }
        anyhow::Ok(())
    })
    .await;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = meter.stop();
    ticker.abort();
    pb.finish_and_clear();
    set.abort_all();
    match collected {
        Ok(r) => r?,
        Err(_) => bail!("{endpoint}: workers still running 30 s past the deadline"),
    }

    let mut hist = stats::histogram();
    let mut rep = PhaseReport {
        endpoint,
        requests: 0,
        ok: 0,
        non_200: 0,
        errors: 0,
        secs: (secs * 100.0).round() / 100.0,
        requests_per_sec: 0.0,
        latency_ms: Latency::default(),
        cache: CacheCount::default(),
        stopped_by: "duration",
        bytes: 0,
        cpu,
    };
    for w in &workers {
        hist.add(&w.hist).expect("same bounds");
        rep.ok += w.ok;
        rep.non_200 += w.non_200;
        rep.errors += w.errors;
        rep.cache.hit += w.hit;
        rep.cache.miss += w.miss;
        rep.cache.none += w.none;
        rep.bytes += w.bytes;
    }
    rep.requests = rep.ok + rep.non_200 + rep.errors;
    rep.requests_per_sec = ((rep.requests as f64 / secs) * 10.0).round() / 10.0;
    rep.latency_ms = Latency::of(&hist);
    let answered = rep.cache.hit + rep.cache.miss + rep.cache.none;
    if answered > 0 {
        rep.cache.hit_ratio =
            ((rep.cache.hit as f64 / answered as f64) * 10000.0).round() / 10000.0;
    }
    rep.stopped_by = if pool_done.load(Ordering::Relaxed) {
        "pool"
    } else if rep.requests >= budget {
        "requests"
    } else {
        "duration"
    };
    Ok(rep)
}

pub fn print_table(r: &ReadsReport) {
    println!(
        "reads: {} connections, {} s per phase, {}; created through POST {} (--api {})",
        r.connections,
        r.duration_secs,
        if r.uncached {
            format!(
                "UNCACHED ({} events created, each key read once)",
                r.events_created
            )
        } else {
            "cached (one event / one page, warmed up)".to_owned()
        },
        r.event_api.create_path(),
        r.event_api.name()
    );
    println!(
        "  {:<24} {:>9} {:>10} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9}  stop",
        "endpoint",
        "requests",
        "req/s",
        "errors",
        "non200",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "hit ratio"
    );
    for p in &r.phases {
        let l = &p.latency_ms;
        println!(
            "  {:<24} {:>9} {:>10.1} {:>7} {:>7} {:>8} {:>8} {:>8} {:>8} {:>9.4}  {}",
            p.endpoint,
            p.requests,
            p.requests_per_sec,
            p.errors,
            p.non_200,
            l.p50_ms,
            l.p90_ms,
            l.p99_ms,
            l.max_ms,
            p.cache.hit_ratio,
            p.stopped_by
        );
    }
    for p in &r.phases {
        let cpu: Vec<String> = p
            .cpu
            .iter()
            .map(|c| format!("{} {:.2} cores", c.name, c.cores))
            .collect();
        println!("  CPU during {}: {}", p.endpoint, cpu.join(", "));
    }
    for m in &r.rss {
        match m.peak_mib {
            Some(p) => println!("  peak RSS {} (pid {}): {p} MiB", m.name, m.pid),
            None => println!(
                "  peak RSS {} (pid {}): {}",
                m.name,
                m.pid,
                m.error.as_deref().unwrap_or("?")
            ),
        }
    }
    println!(
        "  CORRECT (no errors, all 200): {}",
        if r.correct { "yes" } else { "NO" }
    );
}
