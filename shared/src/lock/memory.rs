//! Embedded lock adapter: an in-process map of leases with deadlines.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Lock, LockError};

#[derive(Default)]
pub struct MemoryLock {
    leases: Mutex<HashMap<String, (String, Instant)>>,
}

impl MemoryLock {
    fn live<'a>(
        map: &'a mut HashMap<String, (String, Instant)>,
        key: &str,
    ) -> Option<&'a (String, Instant)> {
        if map.get(key).is_some_and(|(_, exp)| *exp <= Instant::now()) {
            map.remove(key);
        }
        map.get(key)
    }
}

#[async_trait]
impl Lock for MemoryLock {
    async fn acquire(&self, key: &str, owner: &str, ttl: Duration) -> Result<bool, LockError> {
        let mut map = self.leases.lock().expect("lock mutex");
        if Self::live(&mut map, key).is_some() {
            return Ok(false);
        }
        map.insert(key.to_owned(), (owner.to_owned(), Instant::now() + ttl));
        Ok(true)
    }

    async fn release(&self, key: &str, owner: &str) -> Result<bool, LockError> {
        let mut map = self.leases.lock().expect("lock mutex");
        match Self::live(&mut map, key) {
            Some((holder, _)) if holder == owner => {
                map.remove(key);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn owner(&self, key: &str) -> Result<Option<String>, LockError> {
        let mut map = self.leases.lock().expect("lock mutex");
        Ok(Self::live(&mut map, key).map(|(o, _)| o.clone()))
    }

    async fn keys(&self, pattern_prefix: &str) -> Result<Vec<String>, LockError> {
        let mut map = self.leases.lock().expect("lock mutex");
        let now = Instant::now();
        map.retain(|_, (_, exp)| *exp > now);
        Ok(map
            .keys()
            .filter(|k| k.starts_with(pattern_prefix))
            .cloned()
            .collect())
    }

    async fn ping(&self) -> Result<(), LockError> {
        Ok(())
    }
}
