//! One accepted connection's phase (reading a head, serving a request, idle between
//! requests) and the socket wrapper that closes it when a phase outlives its deadline.
//!
//! hyper's own `header_read_timeout` starts whenever hyper waits for a head, which on a
//! kept-alive connection is right after the previous response: it would close idle
//! connections after the header timeout too. So the clocks live here instead: the header
//! clock runs from the accept, or from the first byte after a response; the idle clock
//! from the end of a response; neither while a request is being served.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes, HttpBody};
use futures::task::AtomicWaker;
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

const HEAD: u8 = 0;
const BUSY: u8 = 1;
const IDLE: u8 = 2;

/// Timestamps are milliseconds since this instant, so they fit in atomics.
static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);

pub(crate) fn now_ms() -> u64 {
    ORIGIN.elapsed().as_millis() as u64
}

fn instant_at(ms: u64) -> tokio::time::Instant {
    tokio::time::Instant::from_std(*ORIGIN + Duration::from_millis(ms))
}

/// What one connection is doing, shared by its socket, its requests and the budget that
/// may ask it to close.
#[derive(Debug)]
pub(crate) struct Watch {
    phase: AtomicU8,
    /// When the current phase began.
    since_ms: AtomicU64,
    /// When the connection last stopped serving (its accept, or its last response): the
    /// budget closes the connection that has been free longest first.
    free_since_ms: AtomicU64,
    evict: AtomicBool,
    /// The connection task, to wake when its phase or eviction changes a deadline.
    waker: AtomicWaker,
}

impl Watch {
    pub(crate) fn new() -> Self {
        let now = now_ms();
        Self {
            phase: AtomicU8::new(HEAD),
            since_ms: AtomicU64::new(now),
            free_since_ms: AtomicU64::new(now),
            evict: AtomicBool::new(false),
            waker: AtomicWaker::new(),
        }
    }

    /// Since when this connection has had no request in flight, unless it has one now or
    /// was already asked to close.
    pub(crate) fn evictable_since(&self) -> Option<u64> {
        let free =
            self.phase.load(Ordering::Acquire) != BUSY && !self.evict.load(Ordering::Acquire);
        free.then(|| self.free_since_ms.load(Ordering::Acquire))
    }

    pub(crate) fn evicted(&self) -> bool {
        self.evict.load(Ordering::Acquire)
    }

    /// Asks the connection to close as soon as it has no request in flight.
    pub(crate) fn evict(&self) {
        self.evict.store(true, Ordering::Release);
        self.waker.wake();
    }

    fn set(&self, phase: u8, now: u64) {
        self.since_ms.store(now, Ordering::Release);
        self.phase.store(phase, Ordering::Release);
    }

    /// Bytes arrived: on an idle connection they start a new head and its clock.
    fn bytes_arrived(&self) {
        if self.phase.load(Ordering::Acquire) == IDLE {
            self.set(HEAD, now_ms());
        }
    }

    /// A request head is complete and its request goes to the router.
    pub(crate) fn request_started(self: &Arc<Self>) -> Busy {
        self.set(BUSY, now_ms());
        Busy(self.clone())
    }
}

/// Held while a request is in flight, until its response body is done with.
#[derive(Debug)]
pub(crate) struct Busy(Arc<Watch>);

impl Drop for Busy {
    fn drop(&mut self) {
        let now = now_ms();
        self.0.free_since_ms.store(now, Ordering::Release);
        self.0.set(IDLE, now);
        // hyper may not read again until the client sends something; the wake makes it
        // read now, so the socket below arms the idle deadline.
        self.0.waker.wake();
    }
}

/// A response body that keeps its connection busy until hyper has sent it all (hyper
/// drops the body then) or gives up on it.
pub(crate) struct WatchedBody {
    inner: Body,
    _busy: Busy,
}

impl WatchedBody {
    pub(crate) fn new(inner: Body, busy: Busy) -> Self {
        Self { inner, _busy: busy }
    }
}

impl HttpBody for WatchedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Ready once `deadline` has passed, reusing the timer in `slot` (created on first use,
/// moved when the deadline moved) so that a poll allocates none.
fn dormir_hasta(
    slot: &mut Option<Pin<Box<Sleep>>>,
    deadline: tokio::time::Instant,
    cx: &mut Context<'_>,
) -> Poll<()> {
    let sleep = slot.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
    if sleep.deadline() != deadline {
        sleep.as_mut().reset(deadline);
    }
    sleep.as_mut().poll(cx)
}

/// The accepted socket, failing hyper's reads when the head or idle deadline passes and
/// its writes when the client has not taken a byte for the idle timeout.
pub(crate) struct WatchedIo<T> {
    inner: T,
    watch: Arc<Watch>,
    header_timeout: Duration,
    idle_timeout: Duration,
    read_sleep: Option<Pin<Box<Sleep>>>,
    write_deadline: Option<tokio::time::Instant>,
    write_sleep: Option<Pin<Box<Sleep>>>,
}

impl<T> WatchedIo<T> {
    pub(crate) fn new(
        inner: T,
        watch: Arc<Watch>,
        header_timeout: Duration,
        idle_timeout: Duration,
    ) -> Self {
        Self {
            inner,
            watch,
            header_timeout,
            idle_timeout,
            read_sleep: None,
            write_deadline: None,
            write_sleep: None,
        }
    }

    /// The socket has nothing to read: decide whether to keep waiting.
    fn poll_read_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Register before looking at the flags, so an eviction in between still wakes us.
        self.watch.waker.register(cx.waker());
        let phase = self.watch.phase.load(Ordering::Acquire);
        if phase == BUSY {
            // Serving a request: its body has its own deadline, its handler none.
            return Poll::Pending;
        }
        if self.watch.evict.load(Ordering::Acquire) {
            // An end of stream rather than an error: hyper still flushes what it wrote.
            return Poll::Ready(Ok(()));
        }
        let (limit, what) = if phase == HEAD {
            (self.header_timeout, "request head")
        } else {
            (self.idle_timeout, "idle keep-alive")
        };
        let deadline = instant_at(self.watch.since_ms.load(Ordering::Acquire)) + limit;
        ready!(dormir_hasta(&mut self.read_sleep, deadline, cx));
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("{what} deadline of {} ms passed", limit.as_millis()),
        )))
    }

    /// A write could not go out: the client is not reading. Fail it once that has lasted
    /// the idle timeout, or a client that never reads would hold its connection forever.
    fn poll_write_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        let deadline = *self
            .write_deadline
            .get_or_insert_with(|| tokio::time::Instant::now() + self.idle_timeout);
        ready!(dormir_hasta(&mut self.write_sleep, deadline, cx));
        Poll::Ready(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "the client took no response byte for {} s",
                self.idle_timeout.as_secs()
            ),
        ))
    }

    fn after_write(
        &mut self,
        cx: &mut Context<'_>,
        r: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        // Writes happen in the connection task too: its waker serves `Busy`'s wake-up.
        self.watch.waker.register(cx.waker());
        match r {
            Poll::Pending => self.poll_write_deadline(cx).map(Err),
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.write_deadline = None;
                }
                Poll::Ready(Ok(n))
            }
            other => other,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WatchedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Pending => this.poll_read_deadline(cx),
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    this.watch.bytes_arrived();
                }
                Poll::Ready(Ok(()))
            }
            err => err,
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WatchedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.after_write(cx, r)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(cx, r)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
