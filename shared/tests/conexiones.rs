//! Connection hygiene through `serve_with`, over real loopback sockets: slow heads and
//! bodies are cut at their deadlines, idle keep-alive connections close, a flood of idle
//! connections never keeps `/health` from answering, and shutdown still drains.
//!
//! Each test serves the real `http::finish` pipeline with short limits of its own and
//! prints a `FIGURES` line on stderr (`cargo nextest run --no-capture` shows it).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::Router;
use eventflow_shared::health::{self, Readiness};
use eventflow_shared::http::{self, ConnectionBudget, ConnectionLimits};
use eventflow_shared::ApiJson;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const MARGIN: Duration = Duration::from_millis(1_000);

fn limits(header_ms: u64, body_ms: u64, idle_ms: u64, max: usize) -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: Duration::from_millis(header_ms),
        body_timeout: Duration::from_millis(body_ms),
        idle_timeout: Duration::from_millis(idle_ms),
        budget: ConnectionBudget::new(max),
    }
}

async fn eco(ApiJson(v): ApiJson<serde_json::Value>) -> axum::Json<serde_json::Value> {
    axum::Json(v)
}

async fn lento() -> &'static str {
    tokio::time::sleep(Duration::from_millis(500)).await;
    "listo"
}

/// `/health`, `/ready`, a JSON echo and a slow handler, behind the services' own layers.
fn app() -> Router {
    let (health, _) = health::router::<()>(Readiness::default()).split_for_parts();
    http::finish(health.route("/eco", post(eco)).route("/lento", get(lento)))
}

async fn start(
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(http::serve_with(listener, app(), shutdown, limits));
    (addr, server)
}

/// Reads until the server closes the connection (EOF or reset); returns what it sent.
async fn until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
        }
    }
}

/// One response on a kept-alive connection: its status and whole text.
async fn response(stream: &mut TcpStream) -> (u16, String) {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.expect("read a response");
        assert!(
            n > 0,
            "closed before a whole response: {:?}",
            String::from_utf8_lossy(&data)
        );
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let head = text[..end].to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().unwrap())
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                let status = text[9..12].parse().unwrap();
                return (status, text);
            }
        }
    }
}

/// `GET /health` on a fresh connection, as a health checker does: status and time taken.
async fn probe(addr: SocketAddr) -> (u16, Duration) {
    let started = Instant::now();
    let mut s = TcpStream::connect(addr).await.expect("connect a probe");
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (status, _) = tokio::time::timeout(Duration::from_secs(5), response(&mut s))
        .await
        .expect("/health answered within 5 s");
    (status, started.elapsed())
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_heads_are_closed_at_the_header_deadline() {
    let header = Duration::from_millis(1_000);
    let (addr, _server) = start(limits(1_000, 10_000, 30_000, 1_000), std::future::pending()).await;

    let mut tasks = Vec::new();
    for i in 0..50 {
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let (mut rx, mut tx) = TcpStream::connect(addr).await.unwrap().into_split();
            // Half dribble a head faster than the deadline, so a timer that restarts on
            // every byte would never fire; half send nothing at all.
            if i % 2 == 0 {
                tokio::spawn(async move {
                    if tx
                        .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Lento: ")
                        .await
                        .is_err()
                    {
                        return;
                    }
                    loop {
                        tokio::time::sleep(Duration::from_millis(250)).await;
                        if tx.write_all(b"a").await.is_err() {
                            return;
                        }
                    }
                });
            } else {
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    drop(tx);
                });
            }
            let closed = tokio::time::timeout(header + MARGIN * 3, until_closed(&mut rx)).await;
            (i, closed.is_ok(), started.elapsed())
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        let (i, closed, took) = t.await.unwrap();
        assert!(closed, "connection {i} still open after {} ms", ms(took));
        times.push(took);
    }
    let (min, max) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
    eprintln!(
        "FIGURES slow heads: 50/50 closed, header_timeout {} ms, closed after min {} ms max {} ms",
        ms(header),
        ms(min),
        ms(max)
    );
    assert!(
        min >= header - Duration::from_millis(100),
        "closed before the deadline: {} ms",
        ms(min)
    );
    assert!(max <= header + MARGIN, "closed too late: {} ms", ms(max));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bodies_get_408_at_the_body_deadline() {
    let body = Duration::from_millis(2_000);
    // The header deadline (1 s) is shorter than the body one: it must not cut a request
    // whose head is complete.
    let (addr, _server) = start(limits(1_000, 2_000, 30_000, 1_000), std::future::pending()).await;

    let mut tasks = Vec::new();
    for i in 0..50 {
        tasks.push(tokio::spawn(async move {
            let (mut rx, mut tx) = TcpStream::connect(addr).await.unwrap().into_split();
            tx.write_all(
                b"POST /eco HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                  Content-Length: 1000\r\n\r\n[",
            )
            .await
            .unwrap();
            let sent = Instant::now();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    if tx.write_all(b" ").await.is_err() {
                        return;
                    }
                }
            });
            let got = tokio::time::timeout(body + MARGIN * 3, until_closed(&mut rx)).await;
            (i, got.ok(), sent.elapsed())
        }));
    }
    let mut times = Vec::new();
    for t in tasks {
        let (i, got, took) = t.await.unwrap();
        let got = got.unwrap_or_else(|| panic!("connection {i} still open after {} ms", ms(took)));
        let text = String::from_utf8_lossy(&got);
        assert!(
            text.starts_with("HTTP/1.1 408"),
            "connection {i} got {text:?}"
        );
        assert!(
            text.contains("El cuerpo de la solicitud no llegó a tiempo"),
            "{text}"
        );
        let lower = text.to_ascii_lowercase();
        assert!(
            lower.contains("content-type: application/problem+json"),
            "{text}"
        );
        assert!(
            lower.contains("x-request-id:"),
            "the inner layers' headers are kept: {text}"
        );
        assert!(lower.contains("connection: close"), "{text}");
        times.push(took);
    }
    let (min, max) = (*times.iter().min().unwrap(), *times.iter().max().unwrap());
    eprintln!(
        "FIGURES slow bodies: 50/50 got 408 and were closed, body_timeout {} ms, after min {} ms max {} ms",
        ms(body),
        ms(min),
        ms(max)
    );
    assert!(
        min >= body - Duration::from_millis(100),
        "cut before the deadline: {} ms",
        ms(min)
    );
    assert!(max <= body + MARGIN, "cut too late: {} ms", ms(max));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_keep_alive_connections_close_at_the_idle_deadline() {
    let idle = Duration::from_millis(2_000);
    let (addr, _server) = start(limits(500, 10_000, 2_000, 1_000), std::future::pending()).await;

    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(response(&mut s).await.0, 200);
    // Past the header deadline but within the idle one: still open, and it serves.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(
        response(&mut s).await.0,
        200,
        "a kept-alive connection outlives the header deadline"
    );
    let answered = Instant::now();
    let (mut rx, _tx) = s.into_split();
    let closed = tokio::time::timeout(idle + MARGIN * 3, until_closed(&mut rx)).await;
    let took = answered.elapsed();
    assert!(
        closed.is_ok(),
        "idle connection still open after {} ms",
        ms(took)
    );
    eprintln!(
        "FIGURES idle keep-alive: served again after 1200 ms idle (header_timeout 500 ms), \
         closed {} ms after its last response, idle_timeout {} ms",
        ms(took),
        ms(idle)
    );
    assert!(
        took >= idle - Duration::from_millis(100),
        "closed before the idle deadline: {} ms",
        ms(took)
    );
    assert!(took <= idle + MARGIN, "closed too late: {} ms", ms(took));
}

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `n` idle connections to `addr`, opened one after the other (oldest first).
async fn flood(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut conns = Vec::with_capacity(n);
    for _ in 0..n {
        conns.push(
            TcpStream::connect(addr)
                .await
                .expect("connect a flood connection"),
        );
    }
    conns
}

/// 20 probes, a few milliseconds apart: (all 200, max, median).
async fn probes(addr: SocketAddr) -> (bool, Duration, Duration) {
    let mut times = Vec::new();
    let mut all_ok = true;
    for _ in 0..20 {
        let (status, took) = probe(addr).await;
        all_ok &= status == 200;
        times.push(took);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    times.sort();
    (all_ok, times[times.len() - 1], times[times.len() / 2])
}

/// Which connections the server has closed (EOF or reset within 200 ms of asking).
async fn closed_by_server(conns: &mut [TcpStream]) -> Vec<bool> {
    futures::future::join_all(conns.iter_mut().map(|c| async move {
        let mut b = [0u8; 1];
        matches!(
            tokio::time::timeout(Duration::from_millis(200), c.read(&mut b)).await,
            Ok(Ok(0)) | Ok(Err(_))
        )
    }))
    .await
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_under_5000_idle_connections() {
    const FLOOD: usize = 5_000;
    // Both ends of every connection live in this process.
    let files = http::raise_open_files_limit().unwrap_or(0);
    assert!(
        files >= (2 * FLOOD + 1_000) as u64,
        "open-file limit {files} is too low for {FLOOD} connections on both ends: raise `ulimit -Hn`"
    );
    let slow = 60_000;

    // Under the budget: every idle connection stays, and /health does not notice them.
    let roomy = limits(slow, slow, slow, FLOOD + 1_000);
    let budget = roomy.budget.clone();
    let (addr, _server) = start(roomy, std::future::pending()).await;
    let rss_before = rss_kib();
    let opened = Instant::now();
    let mut conns = flood(addr, FLOOD).await;
    wait_until("every flood connection accepted", || budget.open() >= FLOOD).await;
    let open_took = opened.elapsed();
    let rss_per_conn = rss_before
        .zip(rss_kib())
        .map(|(b, a)| a.saturating_sub(b) as f64 / FLOOD as f64);
    let (ok_a, max_a, p50_a) = probes(addr).await;
    let closed_a = closed_by_server(&mut conns)
        .await
        .iter()
        .filter(|c| **c)
        .count();
    assert!(ok_a, "/health failed under {FLOOD} idle connections");
    assert_eq!(closed_a, 0, "no connection is closed below the budget");
    assert_eq!(budget.evicted(), 0);
    drop(conns);

    // Over the budget: each new connection takes the place of the one idle longest.
    let max = 1_000;
    let tight = limits(slow, slow, slow, max);
    let budget = tight.budget.clone();
    let (addr, _server) = start(tight, std::future::pending()).await;
    let opened = Instant::now();
    let mut conns = flood(addr, FLOOD).await;
    wait_until("the flood to be absorbed", || {
        budget.evicted() >= (FLOOD - max) as u64
    })
    .await;
    let absorb_took = opened.elapsed();
    let (ok_b, max_b, p50_b) = probes(addr).await;
    let closed = closed_by_server(&mut conns).await;
    let closed_b = closed.iter().filter(|c| **c).count();
    let open_b = budget.open();
    eprintln!(
        "FIGURES flood: budget {} holds {FLOOD} idle connections (opened in {} ms, none \
         closed): /health max {} ms p50 {} ms, RSS {:.1} KiB per connection (both ends); \
         budget {max} absorbs {FLOOD} in {} ms: /health max {} ms p50 {} ms, {closed_b} of \
         {FLOOD} closed by the server, {} evictions, {open_b} open",
        FLOOD + 1_000,
        ms(open_took),
        ms(max_a),
        ms(p50_a),
        rss_per_conn.unwrap_or(f64::NAN),
        ms(absorb_took),
        ms(max_b),
        ms(p50_b),
        budget.evicted(),
    );
    assert!(ok_b, "/health failed with the budget full");
    assert!(
        max_a < Duration::from_millis(100),
        "/health took {} ms under the budget",
        ms(max_a)
    );
    assert!(
        max_b < Duration::from_millis(100),
        "/health took {} ms over the budget",
        ms(max_b)
    );
    assert!(open_b <= max, "{open_b} connections open, budget {max}");
    // The oldest went first, the newest stayed: allow for connections accepted within the
    // same millisecond, which tie.
    assert!(
        closed[..3_500].iter().all(|c| *c),
        "an old idle connection survived"
    );
    assert!(
        closed[FLOOD - 500..].iter().all(|c| !*c),
        "a recent connection was closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_idle_connections_and_lets_requests_finish() {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, server) = start(limits(5_000, 10_000, 60_000, 1_000), async {
        let _ = rx.await;
    })
    .await;

    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert_eq!(response(&mut idle).await.0, 200);
    let mut busy = TcpStream::connect(addr).await.unwrap();
    busy.write_all(b"GET /lento HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;

    let asked = Instant::now();
    tx.send(()).unwrap();
    let (status, text) = response(&mut busy).await;
    assert_eq!(status, 200, "the request in flight finishes: {text}");
    assert!(text.ends_with("listo"));
    let (mut idle_rx, _idle_tx) = idle.into_split();
    tokio::time::timeout(Duration::from_secs(1), until_closed(&mut idle_rx))
        .await
        .expect("the idle connection closes at shutdown");
    tokio::time::timeout(Duration::from_secs(2), server)
        .await
        .expect("serve returns once drained")
        .unwrap()
        .unwrap();
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );
    eprintln!(
        "FIGURES shutdown: drained in {} ms (one 500 ms request in flight)",
        ms(asked.elapsed())
    );
}
