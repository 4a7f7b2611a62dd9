//! Per-key rate limits: how many requests a minute one key (an email, a client IP) may
//! make, with `governor`'s keyed GCRA and a burst of the same size, so a person is never
//! stopped by a few quick retries while a script is.

use std::hash::Hash;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// Past this many tracked keys, forget the ones whose allowance is full again: a flood of
/// made-up keys must not grow memory without bound.
const MAX_CLAVES: usize = 100_000;

pub struct PorMinuto<K: Hash + Eq + Clone> {
    limite: RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>,
}

impl<K: Hash + Eq + Clone> PorMinuto<K> {
    /// `por_minuto` requests a minute per key (at least 1).
    pub fn new(por_minuto: u32) -> Self {
        let q = Quota::per_minute(NonZeroU32::new(por_minuto).unwrap_or(NonZeroU32::MIN));
        Self {
            limite: RateLimiter::keyed(q),
        }
    }

    /// Takes one request for `clave`: `Err(seconds to wait)` (at least 1) once its
    /// allowance is spent.
    pub fn tomar(&self, clave: &K) -> Result<(), u64> {
        if self.limite.len() > MAX_CLAVES {
            self.limite.retain_recent();
        }
        self.limite.check_key(clave).map_err(|n| {
            n.wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_allowance() {
        let l = PorMinuto::new(3);
        for _ in 0..3 {
            assert!(l.tomar(&"a").is_ok());
        }
        let espera = l.tomar(&"a").unwrap_err();
        assert!((1..=60).contains(&espera), "{espera}");
        assert!(l.tomar(&"b").is_ok());
    }
}
