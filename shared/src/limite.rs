//! Per-key rate limits: how many requests a minute one key (an email, a client IP) may
//! make, with `governor`'s keyed GCRA and a burst of the same size, so a person is never
//! stopped by a few quick retries while a script is ([`PorMinuto`]); and exponential
//! back-off after repeated failures of one key ([`Retroceso`]), with the time passed in,
//! so its tests run a day of tries in microseconds.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// Exponential back-off per key: the first `libres` failures cost nothing; from then on
/// each failure makes the key wait `base`, then twice that, and so on up to `tope`. A
/// success forgets the key.
///
/// Each try is charged as a failure when it starts ([`Retroceso::intento`]) and
/// forgiven by [`Retroceso::exito`]: concurrent tries cannot all slip in before the
/// first failure is counted.
pub struct Retroceso<K: Hash + Eq + Clone> {
    libres: u32,
    base: Duration,
    tope: Duration,
    estado: Mutex<HashMap<K, Fallos>>,
}

#[derive(Debug, Clone, Copy)]
struct Fallos {
    n: u32,
    /// No try before this instant.
    hasta: Instant,
}

/// A key whose wait ended this long ago starts over: a person who mistyped last week
/// is not a guesser today.
const OLVIDO: Duration = Duration::from_secs(24 * 3600);

impl<K: Hash + Eq + Clone> Retroceso<K> {
    pub fn new(libres: u32, base: Duration, tope: Duration) -> Self {
        Self {
            libres,
            base,
            tope: tope.max(base),
            estado: Mutex::new(HashMap::new()),
        }
    }

    /// The wait after `n` failures.
    fn espera(&self, n: u32) -> Duration {
        if n < self.libres {
            return Duration::ZERO;
        }
        let doblados = (n - self.libres).min(31);
        self.base.saturating_mul(1 << doblados).min(self.tope)
    }

    /// Starts a try of `clave` at `ahora`: `Err(seconds to wait)` (at least 1) while the
    /// key is backing off; otherwise the try counts as a failure until
    /// [`Retroceso::exito`] says otherwise.
    pub fn intento(&self, clave: &K, ahora: Instant) -> Result<(), u64> {
        let mut estado = self.estado.lock().expect("back-off mutex");
        if estado.len() > MAX_CLAVES {
            estado.retain(|_, f| f.hasta + OLVIDO > ahora);
            if estado.len() > MAX_CLAVES {
                // Still full of live keys: forget those waiting least, the mildest.
                let mut esperas: Vec<Instant> = estado.values().map(|f| f.hasta).collect();
                esperas.sort_unstable();
                let corte = esperas[esperas.len() / 2];
                estado.retain(|_, f| f.hasta > corte);
            }
        }
        let f = estado
            .entry(clave.clone())
            .or_insert(Fallos { n: 0, hasta: ahora });
        if f.hasta + OLVIDO <= ahora {
            f.n = 0;
        }
        if f.hasta > ahora {
            let falta = f.hasta - ahora;
            return Err(falta.as_secs() + u64::from(falta.subsec_nanos() > 0));
        }
        f.n = f.n.saturating_add(1);
        f.hasta = ahora + self.espera(f.n);
        Ok(())
    }

    /// The try succeeded: the key starts over.
    pub fn exito(&self, clave: &K) {
        self.estado.lock().expect("back-off mutex").remove(clave);
    }

    /// Failures counted for `clave`.
    pub fn fallos(&self, clave: &K) -> u32 {
        self.estado
            .lock()
            .expect("back-off mutex")
            .get(clave)
            .map_or(0, |f| f.n)
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

    fn retroceso() -> Retroceso<&'static str> {
        Retroceso::new(5, Duration::from_secs(1), Duration::from_secs(300))
    }

    #[test]
    fn five_free_failures_then_doubling_waits_up_to_the_cap() {
        let r = retroceso();
        let t0 = Instant::now();
        for _ in 0..4 {
            assert!(r.intento(&"k", t0).is_ok());
        }
        // The 5th failure is allowed, and sets the first wait: 1 s.
        assert!(r.intento(&"k", t0).is_ok());
        assert_eq!(r.intento(&"k", t0), Err(1));
        let mut t = t0 + Duration::from_secs(1);
        let mut esperas = Vec::new();
        for _ in 0..12 {
            assert!(r.intento(&"k", t).is_ok());
            let e = r.intento(&"k", t).unwrap_err();
            esperas.push(e);
            t += Duration::from_secs(e);
        }
        assert_eq!(esperas, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300]);
        // A success starts the key over; other keys never waited.
        r.exito(&"k");
        assert!(r.intento(&"k", t).is_ok());
        assert_eq!(r.fallos(&"k"), 1);
    }

    /// A stranger failing every 6 s for a day, on the owner's account from its own
    /// address: the stranger's key waits, the owner's never does.
    #[test]
    fn a_stranger_failing_every_6_s_for_a_day_never_blocks_another_key() {
        let r: Retroceso<(&str, &str)> =
            Retroceso::new(5, Duration::from_secs(1), Duration::from_secs(300));
        let t0 = Instant::now();
        let (mut intentados, mut rechazados) = (0u32, 0u32);
        for i in 0..(24 * 3600 / 6) {
            let t = t0 + Duration::from_secs(6 * i);
            match r.intento(&("ana@example.com", "10.6.6.6"), t) {
                Ok(()) => intentados += 1,
                Err(_) => rechazados += 1,
            }
            // Every minute the owner signs in, from her address, at once.
            if i % 10 == 0 {
                let dueña = ("ana@example.com", "10.1.1.1");
                assert!(r.intento(&dueña, t).is_ok(), "owner refused at {i}");
                r.exito(&dueña);
            }
        }
        println!("a day of one wrong try every 6 s: {intentados} reached the password check, {rechazados} waited");
        // With the 300 s cap, one try every 300 s after the first dozen: ~300 a day, not
        // 14,400 (and usuarios' daily cap per account stops them far sooner).
        assert!(
            intentados <= 86_400 / 300 + 15,
            "{intentados} tries got through"
        );
        assert_eq!(intentados + rechazados, 14_400);
    }

    #[test]
    fn keys_are_bounded() {
        let r: Retroceso<u32> = Retroceso::new(0, Duration::from_secs(1), Duration::from_secs(1));
        let t = Instant::now();
        for k in 0..(MAX_CLAVES as u32 + 10) {
            let _ = r.intento(&k, t);
        }
        assert!(r.estado.lock().unwrap().len() <= MAX_CLAVES + 1);
    }
}
