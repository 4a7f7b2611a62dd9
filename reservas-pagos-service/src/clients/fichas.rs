//! A short-lived in-process copy of the events ValidadorDatos reads (date, zones,
//! prices), so a rush on one event does not make every checkout ask eventos first.
//!
//! Safe because nothing read from it is authoritative: zones and prices never change once
//! an event exists, and eventos checks the zone, the date and the tickets again when it
//! places the hold. A date moved by the organizer is seen here within the TTL; until
//! then a checkout for an event moved into the past is refused at the hold instead
//! (same 409 `evento-finalizado`, one step later). The same goes for the event's
//! tickets-per-buyer limit: a change reaches new checkouts within the TTL.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::eventos::EventoRef;

/// More distinct events than this in one TTL and the copy starts over: it bounds memory,
/// and a rush is on a few events, not thousands.
const MAX_FICHAS: usize = 4096;

pub struct Fichas {
    ttl: Duration,
    mapa: Mutex<HashMap<String, (Instant, EventoRef)>>,
}

impl Fichas {
    /// `ttl` zero turns the copy off.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            mapa: Mutex::default(),
        }
    }

    pub fn get(&self, id: &str) -> Option<EventoRef> {
        let mapa = self.mapa.lock().expect("fichas mutex");
        mapa.get(id)
            .filter(|(t, _)| t.elapsed() < self.ttl)
            .map(|(_, e)| e.clone())
    }

    pub fn guardar(&self, e: &EventoRef) {
        if self.ttl.is_zero() {
            return;
        }
        let mut mapa = self.mapa.lock().expect("fichas mutex");
        if mapa.len() >= MAX_FICHAS {
            let ttl = self.ttl;
            mapa.retain(|_, (t, _)| t.elapsed() < ttl);
            if mapa.len() >= MAX_FICHAS {
                mapa.clear();
            }
        }
        mapa.insert(e.id.clone(), (Instant::now(), e.clone()));
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
        for i in 0..MAX_FICHAS + 10 {
            f.guardar(&evento(&format!("e{i}")));
        }
        assert!(f.mapa.lock().unwrap().len() <= MAX_FICHAS);
        assert!(
            f.get(&format!("e{}", MAX_FICHAS + 9)).is_some(),
            "the newest is kept"
        );
    }
}
