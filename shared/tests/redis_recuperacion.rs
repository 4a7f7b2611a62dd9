//! Redis dies and comes back: calls fail fast while it is down, and the very first call
//! after it returns succeeds (the connection manager must not hand back a stale error).
//! Uses a private redis-server, so the shared one is never touched.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use eventflow_shared::cache;
use eventflow_shared::config::RedisConfig;
use eventflow_shared::lock;

struct Servidor(Child);

impl Drop for Servidor {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arrancar(port: u16) -> Servidor {
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("redis-server (scripts/backends.sh installs it)");
    let s = Servidor(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("private redis-server did not start");
}

#[tokio::test]
async fn la_primera_llamada_tras_volver_redis_funciona() {
    if std::process::Command::new("redis-server")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            !eventflow_testkit::real_backends_required(),
            "redis-server is required"
        );
        eprintln!("SKIPPED: no redis-server binary");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let servidor = arrancar(port);
    let cfg = RedisConfig::Redis {
        url: format!("redis://127.0.0.1:{port}").into(),
        prefix: "t:".into(),
    };
    let l = lock::from_config(&cfg).await.unwrap();
    let c = cache::from_config(&cfg).await.unwrap();
    assert!(l
        .acquire("lock:a", "r1", Duration::from_secs(30))
        .await
        .unwrap());

    drop(servidor);
    let t = Instant::now();
    assert!(l
        .acquire("lock:b", "r1", Duration::from_secs(30))
        .await
        .is_err());
    assert!(c.get("k", None).await.is_err());
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "fails fast while down: {:?}",
        t.elapsed()
    );
    // Let the manager's background reconnect attempt fail while Redis is still down.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let _servidor = arrancar(port);
    assert!(
        l.acquire("lock:c", "r2", Duration::from_secs(30))
            .await
            .unwrap(),
        "first call after recovery"
    );
    let v = c.get("k", None).await.unwrap().version;
    assert!(c
        .set("k", None, "v", Duration::from_secs(30), v)
        .await
        .unwrap());
    assert_eq!(c.get("k", None).await.unwrap().valor.as_deref(), Some("v"));
    l.ping().await.unwrap();
}
