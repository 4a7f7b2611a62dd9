//! Contract tests for the cache and lock ports, run against the embedded and Redis adapters.

use std::sync::Arc;
use std::time::Duration;

use eventflow_shared::cache::{self, Cache};
use eventflow_shared::config::RedisConfig;
use eventflow_shared::lock::{self, Lock};
use eventflow_testkit as testing;

async fn redis_config() -> Option<RedisConfig> {
    let url = testing::redis_url().await?;
    Some(RedisConfig::Redis {
        url: url.into(),
        prefix: format!("{}:", testing::unique_name("cl")),
    })
}

async fn cache_contract(c: Arc<dyn Cache>) {
    let min = Duration::from_secs(60);
    let l = c.get("evento:1", None).await.unwrap();
    assert_eq!(l.valor, None);
    assert!(c
        .set("evento:1", None, "uno", min, l.version)
        .await
        .unwrap());
    assert_eq!(
        c.get("evento:1", None).await.unwrap().valor.as_deref(),
        Some("uno")
    );

    // Expiry
    let v = c.get("corto", None).await.unwrap().version;
    c.set("corto", None, "x", Duration::from_millis(50), v)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(c.get("corto", None).await.unwrap().valor, None);

    // Groups: entries are dropped together by deleting the group key.
    let v = c.get("listas", Some("p1")).await.unwrap().version;
    assert!(c.set("listas", Some("p1"), "a", min, v).await.unwrap());
    assert!(c.set("listas", Some("p2"), "b", min, v).await.unwrap());
    assert_eq!(
        c.get("listas", Some("p2")).await.unwrap().valor.as_deref(),
        Some("b")
    );
    c.delete(&["evento:1", "listas"]).await.unwrap();
    assert_eq!(c.get("evento:1", None).await.unwrap().valor, None);
    assert_eq!(c.get("listas", Some("p1")).await.unwrap().valor, None);
    assert_eq!(c.get("listas", Some("p2")).await.unwrap().valor, None);

    // The race a read-through cache loses without versions: a reader misses, a write
    // lands and invalidates, then the reader stores what it read before the write. The
    // store is refused, for values and for group entries; a read after the write caches.
    for field in [None, Some("p1")] {
        let key = if field.is_some() {
            "listas"
        } else {
            "evento:1"
        };
        let antes = c.get(key, field).await.unwrap();
        c.delete(&[key]).await.unwrap();
        assert!(
            !c.set(key, field, "viejo", min, antes.version)
                .await
                .unwrap(),
            "a value read before the delete must not be stored after it"
        );
        assert_eq!(c.get(key, field).await.unwrap().valor, None);
        let despues = c.get(key, field).await.unwrap();
        assert_ne!(despues.version, antes.version);
        assert!(c
            .set(key, field, "nuevo", min, despues.version)
            .await
            .unwrap());
        assert_eq!(
            c.get(key, field).await.unwrap().valor.as_deref(),
            Some("nuevo")
        );
    }

    // A group's TTL counts from its first entry: a later page does not extend it.
    let v = c.get("g", Some("a")).await.unwrap().version;
    c.set("g", Some("a"), "1", Duration::from_millis(150), v)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
    c.set("g", Some("b"), "2", min, v).await.unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(c.get("g", Some("b")).await.unwrap().valor, None);
    c.ping().await.unwrap();
}

async fn lock_contract(l: Arc<dyn Lock>) {
    let key = "lock:evento:e1:usuario:u1";
    let ttl = Duration::from_secs(30);
    assert!(l.acquire(key, "r1", ttl).await.unwrap());
    assert!(
        !l.acquire(key, "r2", ttl).await.unwrap(),
        "NX: second owner refused"
    );
    assert_eq!(l.owner(key).await.unwrap().as_deref(), Some("r1"));
    assert!(
        !l.release(key, "r2").await.unwrap(),
        "only the owner may release"
    );
    assert_eq!(l.owner(key).await.unwrap().as_deref(), Some("r1"));
    assert_eq!(l.keys("lock:").await.unwrap(), vec![key.to_owned()]);
    assert!(l.release(key, "r1").await.unwrap());
    assert_eq!(l.owner(key).await.unwrap(), None);
    assert!(l.keys("lock:").await.unwrap().is_empty());

    // After the TTL passes, another owner takes it, and the stale owner cannot free it.
    assert!(l
        .acquire(key, "viejo", Duration::from_millis(50))
        .await
        .unwrap());
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert!(l.acquire(key, "nuevo", ttl).await.unwrap());
    assert!(!l.release(key, "viejo").await.unwrap());
    assert_eq!(l.owner(key).await.unwrap().as_deref(), Some("nuevo"));
    assert!(l.release(key, "nuevo").await.unwrap());

    // Many concurrent takers: exactly one wins.
    let mut tasks = Vec::new();
    for i in 0..50 {
        let l = l.clone();
        tasks.push(tokio::spawn(async move {
            l.acquire("lock:carrera", &format!("r{i}"), ttl)
                .await
                .unwrap()
        }));
    }
    let mut winners = 0;
    for t in tasks {
        winners += t.await.unwrap() as usize;
    }
    assert_eq!(winners, 1);
    l.ping().await.unwrap();
}

#[tokio::test]
async fn cache_contract_embedded() {
    cache_contract(cache::from_config(&RedisConfig::Embedded).await.unwrap()).await;
}

#[tokio::test]
async fn cache_contract_redis() {
    let Some(cfg) = redis_config().await else {
        return;
    };
    cache_contract(cache::from_config(&cfg).await.unwrap()).await;
}

#[tokio::test]
async fn lock_contract_embedded() {
    lock_contract(lock::from_config(&RedisConfig::Embedded).await.unwrap()).await;
}

#[tokio::test]
async fn lock_contract_redis() {
    let Some(cfg) = redis_config().await else {
        return;
    };
    lock_contract(lock::from_config(&cfg).await.unwrap()).await;
}

#[tokio::test]
async fn unreachable_redis_is_a_startup_error_naming_the_url() {
    let cfg = RedisConfig::Redis {
        url: "redis://127.0.0.1:1".into(),
        prefix: String::new(),
    };
    let err = match cache::from_config(&cfg).await {
        Ok(_) => panic!("an unreachable Redis must not yield a cache"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("redis://127.0.0.1:1"), "{err}");
}
