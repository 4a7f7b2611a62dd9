//! How many connections a process holds at once. At the limit, a new connection takes the
//! place of the one that has been free longest, so a flood of idle or half-sent
//! connections can never shut out a health check or a buyer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::conn::Watch;

/// When no slot comes free for this long (every connection is serving a request, or
/// those asked to close are still finishing theirs), scan again: one that finished and
/// stays open for its next request keeps its slot until asked.
const RESCAN: Duration = Duration::from_millis(100);

/// At most one "budget full" warning this often: a flood would otherwise flood the log.
const WARN_EVERY_MS: u64 = 10_000;

/// The connections one or more servers may hold. `serve` takes a slot per accepted
/// connection and gives it back when the connection closes.
#[derive(Debug)]
pub struct ConnectionBudget {
    max: usize,
    slots: Arc<Semaphore>,
    open: Mutex<HashMap<u64, Arc<Watch>>>,
    next_id: AtomicU64,
    evicted: AtomicU64,
    /// Connections asked to close that still hold their slot.
    pending: AtomicUsize,
    last_warning_ms: AtomicU64,
}

impl ConnectionBudget {
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            max,
            slots: Arc::new(Semaphore::new(max)),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            last_warning_ms: AtomicU64::new(0),
        })
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// Connections holding a slot now.
    pub fn open(&self) -> usize {
        self.max - self.slots.available_permits()
    }

    /// Connections closed so far to make room for new ones.
    pub fn evicted(&self) -> u64 {
        self.evicted.load(Ordering::Relaxed)
    }

    /// A slot for a connection just accepted. At the limit, asks the connections free
    /// longest to close and takes one of their slots; when every connection is serving a
    /// request, waits for one to finish (the next connections queue in the kernel).
    pub(crate) async fn admit(self: &Arc<Self>) -> Seat {
        let mut waited = false;
        loop {
            if let Ok(permit) = self.slots.clone().try_acquire_owned() {
                return self.seat(permit);
            }
            // Connections already asked to close will free slots for the next accepts;
            // asking more would close connections nobody needs closed yet.
            if waited || self.pending.load(Ordering::Acquire) == 0 {
                self.evict_longest_free(self.batch());
            }
            match tokio::time::timeout(RESCAN, self.slots.clone().acquire_owned()).await {
                Ok(Ok(permit)) => return self.seat(permit),
                _ => waited = true,
            }
        }
    }

    /// How many connections one scan asks to close: a sixty-fourth of the budget, so a
    /// flood pays for one scan every few dozen accepts instead of one per accept.
    fn batch(&self) -> usize {
        (self.max / 64).clamp(1, 256)
    }

    fn seat(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Seat {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let watch = Arc::new(Watch::new());
        self.registry().insert(id, watch.clone());
        Seat {
            budget: self.clone(),
            id,
            watch,
            _permit: permit,
        }
    }

    /// Asks up to `n` connections without a request in flight, those free longest, to
    /// close. A scan of every open connection: it runs only at the limit, once per batch.
    pub(crate) fn evict_longest_free(&self, n: usize) -> usize {
        let open = self.registry();
        let mut free: Vec<(u64, &Arc<Watch>)> = open
            .values()
            .filter_map(|w| w.evictable_since().map(|since| (since, w)))
            .collect();
        let n = n.min(free.len());
        if n == 0 {
            return 0;
        }
        if n < free.len() {
            free.select_nth_unstable_by_key(n - 1, |(since, _)| *since);
        }
        self.pending.fetch_add(n, Ordering::AcqRel);
        for (_, watch) in &free[..n] {
            watch.evict();
        }
        let evicted = self.evicted.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        drop(open);
        self.warn_full(evicted);
        n
    }

    fn warn_full(&self, evicted: u64) {
        let now = super::conn::now_ms();
        let last = self.last_warning_ms.load(Ordering::Relaxed);
        if (last == 0 || now.saturating_sub(last) >= WARN_EVERY_MS)
            && self
                .last_warning_ms
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                max_conexiones = self.max,
                evicted_total = evicted,
                "connection budget full: closing the connections idle longest"
            );
        }
    }

    fn registry(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Watch>>> {
        // A panic while holding the lock leaves the map intact (inserts and removes only).
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One connection's slot in the budget; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct Seat {
    budget: Arc<ConnectionBudget>,
    id: u64,
    watch: Arc<Watch>,
    _permit: OwnedSemaphorePermit,
}

impl Seat {
    pub(crate) fn watch(&self) -> &Arc<Watch> {
        &self.watch
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        self.budget.registry().remove(&self.id);
        if self.watch.evicted() {
            self.budget.pending.fetch_sub(1, Ordering::AcqRel);
        }
    }
}
