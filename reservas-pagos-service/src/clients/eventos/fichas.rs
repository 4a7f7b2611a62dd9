//! A short-lived in-process copy of the events ValidadorDatos reads (date, zones,
//! prices), so a rush on one event does not make every checkout ask eventos first.
//!
//! Safe because nothing read from it is authoritative: zones and prices never change once
//! an event exists, and eventos checks the zone, the date and the tickets again when it
//! places the hold. A date moved by the organizer is seen here within the TTL; until
//! then a checkout for an event moved into the past is refused at the hold instead
//! (same 409 `evento-finalizado`, one step later). The same goes for the event's
//! tickets-per-buyer limit: a change reaches new checkouts within the TTL.

use std::time::Duration;

/// Events kept at most: it bounds memory, and a rush is on a few events, not thousands.
/// Past it, moka (TinyLFU) keeps the events asked for most.
const MAX_FICHAS: u64 = 4096;

/// Generic over what is kept (the eventos client keeps its `EventoRef`), so this module
/// needs nothing from the client that owns it.
pub struct Fichas<T: Clone + Send + Sync + 'static> {
    /// `None` when the TTL is zero: the copy is off.
    cache: Option<moka::sync::Cache<String, T>>,
}

impl<T: Clone + Send + Sync + 'static> Fichas<T> {
    /// `ttl` zero turns the copy off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            cache: (!ttl.is_zero()).then(|| {
                moka::sync::Cache::builder()
                    .max_capacity(MAX_FICHAS)
                    .time_to_live(ttl)
                    .build()
            }),
        }
    }

    pub fn get(&self, id: &str) -> Option<T> {
        self.cache.as_ref()?.get(id)
    }

    pub fn guardar(&self, id: &str, e: &T) {
        if let Some(c) = &self.cache {
            c.insert(id.to_owned(), e.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What is kept does not matter here: an event's id stands for it.
    fn evento(id: &str) -> String {
        id.to_owned()
    }

    #[test]
    fn serves_within_the_ttl_then_forgets() {
        let f = Fichas::<String>::new(Duration::from_millis(50));
        assert!(f.get("e").is_none());
        f.guardar("e", &evento("e"));
        assert_eq!(f.get("e"), Some("e".into()));
        std::thread::sleep(Duration::from_millis(60));
        assert!(f.get("e").is_none(), "expired");
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let f = Fichas::<String>::new(Duration::ZERO);
        f.guardar("e", &evento("e"));
        assert!(f.get("e").is_none());
    }

    #[test]
    fn bounded() {
        let f = Fichas::<String>::new(Duration::from_secs(60));
        // A hot event, asked for again and again, among a flood of one-off ones.
        f.guardar("caliente", &evento("caliente"));
        for i in 0..MAX_FICHAS + 500 {
            f.guardar(&format!("e{i}"), &evento(&format!("e{i}")));
            let _ = f.get("caliente");
        }
        let c = f.cache.as_ref().unwrap();
        c.run_pending_tasks();
        assert!(c.entry_count() <= MAX_FICHAS, "{}", c.entry_count());
        assert!(f.get("caliente").is_some(), "the event in demand is kept");
    }
}
