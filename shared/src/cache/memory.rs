//! Embedded cache adapter: an in-process map with lazy expiry.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Cache, CacheError, Lectura};

/// A group's entries and when the whole group expires.
type Group = (HashMap<String, String>, Instant);

#[derive(Default)]
struct State {
    values: HashMap<String, (String, Instant)>,
    groups: HashMap<String, Group>,
    versions: HashMap<String, u64>,
}

/// One mutex for values, groups and versions: `set` checks a version and stores under it.
#[derive(Default)]
pub struct MemoryCache {
    state: Mutex<State>,
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str, field: Option<&str>) -> Result<Lectura, CacheError> {
        let mut st = self.state.lock().expect("cache mutex");
        let now = Instant::now();
        let version = st.versions.get(key).copied().unwrap_or(0);
        let valor = match field {
            None => match st.values.get(key) {
                Some((v, exp)) if *exp > now => Some(v.clone()),
                Some(_) => {
                    st.values.remove(key);
                    None
                }
                None => None,
            },
            Some(f) => match st.groups.get(key) {
                Some((_, exp)) if *exp <= now => {
                    st.groups.remove(key);
                    None
                }
                Some((fields, _)) => fields.get(f).cloned(),
                None => None,
            },
        };
        Ok(Lectura { valor, version })
    }

    async fn set(
        &self,
        key: &str,
        field: Option<&str>,
        value: &str,
        ttl: Duration,
        version: u64,
    ) -> Result<bool, CacheError> {
        let mut st = self.state.lock().expect("cache mutex");
        if st.versions.get(key).copied().unwrap_or(0) != version {
            return Ok(false);
        }
        let now = Instant::now();
        match field {
            None => {
                st.values
                    .insert(key.to_owned(), (value.to_owned(), now + ttl));
            }
            Some(f) => {
                let entry = st
                    .groups
                    .entry(key.to_owned())
                    .or_insert_with(|| (HashMap::new(), now + ttl));
                if entry.1 <= now {
                    *entry = (HashMap::new(), now + ttl);
                }
                entry.0.insert(f.to_owned(), value.to_owned());
            }
        }
        Ok(true)
    }

    async fn delete(&self, keys: &[&str]) -> Result<(), CacheError> {
        let mut st = self.state.lock().expect("cache mutex");
        for k in keys {
            st.values.remove(*k);
            st.groups.remove(*k);
            *st.versions.entry((*k).to_owned()).or_insert(0) += 1;
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }
}
