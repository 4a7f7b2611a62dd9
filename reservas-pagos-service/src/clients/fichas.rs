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

use super::eventos::EventoRef;

/// Events kept at most: it bounds memory, and a rush is on a few events, not thousands.
/// Past it, moka (TinyLFU) keeps the events asked for most.
const MAX_FICHAS: u64 = 4096;

pub struct Fichas {
    /// `None` when the TTL is zero: the copy is off.
    cache: Option<moka::sync::Cache<String, EventoRef>>,
}

impl Fichas {
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

    pub fn get(&self, id: &str) -> Option<EventoRef> {
        self.cache.as_ref()?.get(id)
    }

    pub fn guardar(&self, e: &EventoRef) {
        if let Some(c) = &self.cache {
            c.insert(e.id.clone(), e.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evento(id: &str) -> EventoRef {
        EventoRef {
            id: id.into(),
            fecha: chrono::Utc::now(),
            zonas: Vec::new(),
            max_por_comprador: 10,
            organizador_id: None,
        }
    }

    #[test]
    fn serves_within_the_ttl_then_forgets() {
        let f = Fichas::new(Duration::from_millis(50));
        assert!(f.get("e").is_none());
        f.guardar(&evento("e"));
        assert_eq!(f.get("e").map(|e| e.id), Some("e".into()));
        std::thread::sleep(Duration::from_millis(60));
        assert!(f.get("e").is_none(), "expired");
    }

    #[test]
    fn zero_ttl_keeps_nothing() {
        let f = Fichas::new(Duration::ZERO);
        f.guardar(&evento("e"));
        assert!(f.get("e").is_none());
    }

    #[test]
    fn bounded() {
        let f = Fichas::new(Duration::from_secs(60));
        // A hot event, asked for again and again, among a flood of one-off ones.
        f.guardar(&evento("caliente"));
        for i in 0..MAX_FICHAS + 500 {
            f.guardar(&evento(&format!("e{i}")));
            let _ = f.get("caliente");
        }
        let c = f.cache.as_ref().unwrap();
        c.run_pending_tasks();
        assert!(c.entry_count() <= MAX_FICHAS, "{}", c.entry_count());
        assert!(f.get("caliente").is_some(), "the event in demand is kept");
    }
}
