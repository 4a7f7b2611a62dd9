//! A service binary as a child process, for the tests that kill it with SIGKILL (no
//! shutdown hook, no last write) and start it again with the same configuration, on the
//! same port, like a real redeploy. Its stdout and stderr go to a log file that is printed
//! if the test fails; the process is SIGKILLed when the [`Proceso`] is dropped.

use std::fs::OpenOptions;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One service binary, started and killed as often as a test needs.
pub struct Proceso {
    /// The environment of every start: edit it between [`Proceso::matar`] and the next
    /// start to restart with another configuration.
    pub env: Vec<(&'static str, String)>,
    /// `http://127.0.0.1:{port}`: where the process listens.
    pub url: String,
    programa: PathBuf,
    nombre: String,
    log: PathBuf,
    hijo: Option<Child>,
}

impl Proceso {
    /// `programa` (an `env!("CARGO_BIN_EXE_…")` path) listening on `port`, which `env`
    /// must tell it to use. Nothing starts yet.
    pub fn nuevo(programa: &str, port: u16, env: Vec<(&'static str, String)>) -> Self {
        let programa = PathBuf::from(programa);
        let nombre = programa
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "proceso".to_owned());
        let log = std::env::temp_dir().join(format!("{}.log", crate::unique_name(&nombre)));
        Self {
            env,
            url: format!("http://127.0.0.1:{port}"),
            programa,
            nombre,
            log,
            hijo: None,
        }
    }

    /// Starts the binary without waiting for it (its output appended to the log).
    pub fn lanzar(&mut self) {
        assert!(self.hijo.is_none(), "{} already running", self.nombre);
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open the child's log");
        let err = log.try_clone().expect("clone the log handle");
        let hijo = Command::new(&self.programa)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.nombre));
        self.hijo = Some(hijo);
    }

    /// Starts the binary and waits until `GET /health` answers 2xx; panics if the process
    /// exits first or `max` passes.
    pub async fn arrancar(&mut self, http: &reqwest::Client, max: Duration) {
        self.lanzar();
        let hijo = self.hijo.as_mut().expect("just started");
        let salud = format!("{}/health", self.url);
        let sano = || async {
            http.get(&salud)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        };
        esperar_arranque(hijo, &self.nombre, "never became healthy", max, sano).await;
    }

    /// The running process's id (to read `/proc/<pid>/status`), `None` when stopped.
    pub fn pid(&self) -> Option<u32> {
        self.hijo.as_ref().map(Child::id)
    }

    /// Everything the process has written so far, stdout and stderr, over every start.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `max` for the process to exit by itself (a start-up error) and reaps
    /// it: its exit status, or `None` if it is still running (or was never started).
    pub async fn esperar_salida(&mut self, max: Duration) -> Option<std::process::ExitStatus> {
        let fin = Instant::now() + max;
        loop {
            let st = self.hijo.as_mut()?.try_wait().ok().flatten();
            if st.is_some() {
                self.hijo = None;
                return st;
            }
            if Instant::now() >= fin {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Starts the binary and expects it to refuse to start: it must exit by itself, with
    /// a failure, within 40 s. Its log, for the test to read what it said.
    pub async fn no_arranca(&mut self) -> String {
        self.lanzar();
        let st = self.esperar_salida(Duration::from_secs(40)).await;
        let log = self.log();
        assert!(
            st.is_some_and(|s| !s.success()),
            "{} should have stopped at start-up ({st:?}):\n{log}",
            self.nombre
        );
        log
    }

    /// SIGKILL, then reap it: the process gets no chance to write anything more. A no-op
    /// when it is not running.
    pub fn matar(&mut self) {
        matar(&mut self.hijo);
    }
}

/// SIGKILL, then reap: when this returns the process is gone and its ports are closed.
/// A no-op on `None`.
pub(crate) fn matar(hijo: &mut Option<Child>) {
    if let Some(mut h) = hijo.take() {
        let _ = h.kill();
        let _ = h.wait();
    }
}

/// Polls `listo` until it answers true. Panics if `hijo` exits first (`que` "exited at
/// start-up") or once `max` has passed (`que` `aun_no` "after" `max`).
pub(crate) async fn esperar_arranque<F>(
    hijo: &mut Child,
    que: &str,
    aun_no: &str,
    max: Duration,
    mut listo: impl FnMut() -> F,
) where
    F: std::future::Future<Output = bool>,
{
    let fin = Instant::now() + max;
    loop {
        if listo().await {
            return;
        }
        if let Ok(Some(st)) = hijo.try_wait() {
            panic!("{que} exited at start-up: {st}");
        }
        assert!(Instant::now() < fin, "{que} {aun_no} after {max:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

impl Drop for Proceso {
    fn drop(&mut self) {
        self.matar();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            eprintln!("--- {} log ---\n{log}--- end of log ---", self.nombre);
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The path of another workspace package's binary, for tests in the root package (which
/// gets `CARGO_BIN_EXE_…` only for its own binaries). `cargo nextest run --workspace`
/// builds it beside this test's executable; a missing or stale one (older than its
/// sources or `shared`'s) stops the test with the command that fixes it, rather than
/// testing yesterday's code. `raiz` is the workspace root (`env!("CARGO_MANIFEST_DIR")`).
pub fn binario_del_workspace(raiz: &str, paquete: &str) -> String {
    let exe = std::env::current_exe().expect("the test's own path");
    // target/<profile>/deps/<test> → target/<profile>/<paquete>
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("a test executable under target/<profile>/deps");
    let bin = dir.join(format!("{paquete}{}", std::env::consts::EXE_SUFFIX));
    let arreglo =
        format!("build it first: cargo build -p {paquete} (cargo nextest run --workspace does)");
    let hecho = std::fs::metadata(&bin)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing; {arreglo}", bin.display()));
    let raiz = PathBuf::from(raiz);
    for fuentes in [
        raiz.join(paquete).join("src"),
        raiz.join("shared").join("src"),
    ] {
        if let Some(nuevo) = mas_reciente(&fuentes) {
            assert!(
                nuevo <= hecho,
                "{} is older than {}; {arreglo}",
                bin.display(),
                fuentes.display()
            );
        }
    }
    bin.to_string_lossy().into_owned()
}

/// The latest modification time of any file under `dir`.
fn mas_reciente(dir: &std::path::Path) -> Option<std::time::SystemTime> {
    let mut max = None;
    for entrada in std::fs::read_dir(dir).ok()?.flatten() {
        let t = if entrada.path().is_dir() {
            mas_reciente(&entrada.path())
        } else {
            entrada.metadata().and_then(|m| m.modified()).ok()
        };
        max = max.max(t);
    }
    max
}
