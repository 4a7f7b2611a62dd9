//! Embedded cache adapter: an in-process map with lazy expiry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Cache, CacheError};

/// A group's entries and when the whole group expires.
type Group = (HashMap<String, String>, Instant);

#[derive(Default)]
pub struct MemoryCache {
    values: Mutex<HashMap<String, (String, Instant)>>,
    groups: Mutex<HashMap<String, Group>>,
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let mut map = self.values.lock().expect("cache mutex");
        match map.get(key) {
            Some((v, exp)) if *exp > Instant::now() => Ok(Some(v.clone())),
            Some(_) => {
                map.remove(key);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn set(&self, key: &str, value: &str, ttl: Duration) -> Result<(), CacheError> {
        let mut map = self.values.lock().expect("cache mutex");
        map.insert(key.to_owned(), (value.to_owned(), Instant::now() + ttl));
        Ok(())
    }

    async fn get_field(&self, key: &str, field: &str) -> Result<Option<String>, CacheError> {
        let mut groups = self.groups.lock().expect("cache mutex");
        match groups.get(key) {
            Some((_, exp)) if *exp <= Instant::now() => {
                groups.remove(key);
                Ok(None)
            }
            Some((fields, _)) => Ok(fields.get(field).cloned()),
            None => Ok(None),
        }
    }

    async fn set_field(
        &self,
        key: &str,
        field: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<(), CacheError> {
        let mut groups = self.groups.lock().expect("cache mutex");
        let now = Instant::now();
        let entry = groups
            .entry(key.to_owned())
            .or_insert_with(|| (HashMap::new(), now + ttl));
        if entry.1 <= now {
            *entry = (HashMap::new(), now + ttl);
        }
        entry.0.insert(field.to_owned(), value.to_owned());
        Ok(())
    }

    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError> {
        let mut values = self.values.lock().expect("cache mutex");
        let mut groups = self.groups.lock().expect("cache mutex");
        for k in keys {
            values.remove(*k);
            groups.remove(*k);
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}
