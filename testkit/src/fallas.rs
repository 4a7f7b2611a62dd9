//! Fault injection for the real-backend fault tests: PRIVATE Redis and SecantusDB
//! processes that a test may kill and restart (the shared ones are never touched), and a
//! TCP proxy that can cut every connection (a broker outage) or hold each answer back (a
//! slow dependency). Used by `tests/plataforma/reservas/fallas.rs` and
//! `tests/plataforma/notificaciones/corte_rabbit_proxy.rs`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::proceso::{esperar_arranque, matar};

/// A free loopback port (bound, then released: the caller binds it again at once).
pub fn puerto_libre() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn dir_temporal(prefijo: &str) -> PathBuf {
    let d = std::env::temp_dir().join(crate::unique_name(prefijo));
    std::fs::create_dir_all(&d).expect("create a temp dir");
    d
}

/// Waits until `127.0.0.1:port` accepts a TCP connection, or panics after `max`.
async fn esperar_puerto(port: u16, max: Duration, que: &str, hijo: &mut Child) {
    let escucha = || async move { TcpStream::connect(("127.0.0.1", port)).await.is_ok() };
    let aun_no = format!("not listening on {port}");
    esperar_arranque(hijo, que, &aun_no, max, escucha).await;
}

/// A private `redis-server` (no persistence) on its own port. Killed when dropped.
pub struct RedisPrivado {
    pub port: u16,
    dir: PathBuf,
    hijo: Option<Child>,
}

impl RedisPrivado {
    pub async fn arrancar() -> Self {
        let mut r = Self {
            port: puerto_libre(),
            dir: dir_temporal("redis"),
            hijo: None,
        };
        r.iniciar().await;
        r
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// (Re)starts it on the same port.
    pub async fn iniciar(&mut self) {
        assert!(self.hijo.is_none(), "redis already running");
        let mut hijo = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server (apt-get install redis-server)");
        esperar_puerto(
            self.port,
            Duration::from_secs(10),
            "redis-server",
            &mut hijo,
        )
        .await;
        self.hijo = Some(hijo);
    }

    /// SIGKILL, and reaped: the port is closed when this returns.
    pub fn matar(&mut self) {
        matar(&mut self.hijo);
    }
}

impl Drop for RedisPrivado {
    fn drop(&mut self) {
        self.matar();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A private `secantusd-rs` (MongoDB wire) on its own port and storage path. Killed with
/// SIGKILL and restarted on the same storage path by the durability test.
pub struct SecantusPrivado {
    pub port: u16,
    dir: PathBuf,
    log: PathBuf,
    hijo: Option<Child>,
}

fn secantusd() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .expect("HOME");
    let bin = home.join("bin").join("secantusd-rs");
    if bin.exists() {
        bin
    } else {
        PathBuf::from("secantusd-rs")
    }
}

impl SecantusPrivado {
    pub async fn arrancar() -> Self {
        let dir = dir_temporal("secantus");
        let mut s = Self {
            port: puerto_libre(),
            log: dir.join("secantusd.log"),
            dir,
            hijo: None,
        };
        std::fs::write(s.dir.join("vacio.toml"), "").expect("write an empty config");
        s.iniciar().await;
        s
    }

    pub fn uri(&self) -> String {
        format!("mongodb://127.0.0.1:{}", self.port)
    }

    /// (Re)starts it on the same port and storage path; returns once it answers a ping.
    pub async fn iniciar(&mut self) {
        assert!(self.hijo.is_none(), "secantusd already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open the secantusd log");
        let err = log.try_clone().expect("clone the log handle");
        let mut hijo = Command::new(secantusd())
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--storage-path")
            .arg(self.dir.join("data"))
            .arg("--config")
            .arg(self.dir.join("vacio.toml"))
            .args([
                "--standalone",
                "--cache-size",
                "128M",
                "--log-file-max",
                "16MB",
            ])
            .args(["--log-level", "WARNING"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn secantusd-rs (cargo install secantus-mdb, see README)");
        esperar_puerto(
            self.port,
            Duration::from_secs(60),
            "secantusd-rs",
            &mut hijo,
        )
        .await;
        self.hijo = Some(hijo);
        let fin = Instant::now() + Duration::from_secs(30);
        while eventflow_shared::mongo::connect(&self.uri(), "admin")
            .await
            .is_err()
        {
            assert!(Instant::now() < fin, "secantusd-rs never answered a ping");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown hook, no last flush.
    pub fn matar(&mut self) {
        matar(&mut self.hijo);
    }
}

impl Drop for SecantusPrivado {
    fn drop(&mut self) {
        self.matar();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let cola: String = log.lines().rev().take(40).collect::<Vec<_>>().join("\n");
            eprintln!("--- private secantusd log (last lines, reversed) ---\n{cola}");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct ProxyEstado {
    destino: Mutex<String>,
    cortado: AtomicBool,
    /// Each chunk the upstream answers is held back this long before it is forwarded.
    retraso_ms: AtomicU64,
    /// Bumped by `cortar`: every open connection is dropped.
    generacion: watch::Sender<u64>,
    conexiones: AtomicU64,
    rechazadas: AtomicU64,
}

/// A TCP proxy on a loopback port of its own, in front of `destino` (`host:port`).
/// `cortar` drops every open connection and refuses new ones (a dead server, as its
/// clients see it) until `restaurar`; `retrasar` makes every answer late.
#[derive(Clone)]
pub struct Proxy {
    pub port: u16,
    estado: Arc<ProxyEstado>,
}

impl Proxy {
    pub async fn nuevo(destino: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().unwrap().port();
        let estado = Arc::new(ProxyEstado {
            destino: Mutex::new(destino.to_owned()),
            cortado: AtomicBool::new(false),
            retraso_ms: AtomicU64::new(0),
            generacion: watch::channel(0).0,
            conexiones: AtomicU64::new(0),
            rechazadas: AtomicU64::new(0),
        });
        let e = estado.clone();
        tokio::spawn(async move {
            loop {
                let Ok((cliente, _)) = listener.accept().await else {
                    continue;
                };
                if e.cortado.load(Ordering::SeqCst) {
                    e.rechazadas.fetch_add(1, Ordering::SeqCst);
                    drop(cliente);
                    continue;
                }
                e.conexiones.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(conectar(cliente, e.clone()));
            }
        });
        Self { port, estado }
    }

    /// The proxy's address as `http://127.0.0.1:port`.
    pub fn http(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn destino(&self, destino: &str) {
        *self.estado.destino.lock().unwrap() = destino.to_owned();
    }

    pub fn cortar(&self) {
        self.estado.cortado.store(true, Ordering::SeqCst);
        self.estado.generacion.send_modify(|g| *g += 1);
    }

    pub fn restaurar(&self) {
        self.estado.cortado.store(false, Ordering::SeqCst);
    }

    pub fn retrasar(&self, d: Duration) {
        self.estado
            .retraso_ms
            .store(d.as_millis() as u64, Ordering::SeqCst);
    }

    /// Connections forwarded, and connections refused while cut.
    pub fn cuentas(&self) -> (u64, u64) {
        (
            self.estado.conexiones.load(Ordering::SeqCst),
            self.estado.rechazadas.load(Ordering::SeqCst),
        )
    }
}

async fn conectar(cliente: TcpStream, e: Arc<ProxyEstado>) {
    let mut cambio = e.generacion.subscribe();
    let destino = e.destino.lock().unwrap().clone();
    let Ok(servidor) = TcpStream::connect(&destino).await else {
        return;
    };
    let _ = cliente.set_nodelay(true);
    let _ = servidor.set_nodelay(true);
    let (cr, cw) = cliente.into_split();
    let (sr, sw) = servidor.into_split();
    let ida = bombear(cr, sw, None);
    let vuelta = bombear(sr, cw, Some(e.clone()));
    tokio::select! {
        _ = futures::future::join(ida, vuelta) => {}
        // Cut: dropping both halves closes both sockets.
        _ = cambio.changed() => {}
    }
}

async fn bombear(
    mut r: tokio::net::tcp::OwnedReadHalf,
    mut w: tokio::net::tcp::OwnedWriteHalf,
    retraso: Option<Arc<ProxyEstado>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(e) = &retraso {
            let ms = e.retraso_ms.load(Ordering::SeqCst);
            if ms > 0 {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
        if w.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = w.shutdown().await;
}

/// A cheap random number in `0..n` (no extra crate): the clock's nanoseconds.
pub fn azar(n: u64) -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    (t ^ (t >> 7)).wrapping_mul(0x9E37_79B9_7F4A_7C15) % n.max(1)
}
