//! The accept loop behind `serve`: HTTP/1.1 connections held to `ConnectionLimits`, and a
//! graceful shutdown that stops accepting, lets requests in flight finish, then returns.
//!
//! `axum::serve` exposes none of hyper's connection knobs, so this is its loop with them.
//! HTTP/1 only: nothing here speaks cleartext HTTP/2 (reqwest is built without it, the
//! bench speaks raw HTTP/1.1, browsers never use h2c), and every deadline below is an
//! HTTP/1 one.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::time::Duration;

use axum::body::Body;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use super::budget::Seat;
use super::conn::{WatchedBody, WatchedIo};
use super::{body_deadline, ConnectionLimits};

/// After an accept error that is not about one connection (out of descriptors, mostly),
/// pause this long before the next accept rather than spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` under `limits` until `shutdown` resolves, then drains
/// the connections: idle ones close at once, busy ones after their response.
pub async fn serve_with(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> io::Result<()> {
    let router = body_deadline::layer(router, limits.body_timeout);
    // `stop` tells connections to finish; each holds a `done` receiver, so the sender's
    // `closed()` resolves once the last connection is gone.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, done_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) if per_connection(&e) => continue,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed; closing an idle connection and retrying");
                    limits.budget.evict_longest_free(1);
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let seat = tokio::select! {
            seat = limits.budget.admit() => seat,
            () = &mut shutdown => break,
        };
        tokio::spawn(connection(
            tcp,
            peer,
            seat,
            router.clone(),
            limits.clone(),
            stop_rx.clone(),
            done_rx.clone(),
        ));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

/// Errors that concern only the connection being accepted: the listener is fine.
fn per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
            | io::ErrorKind::Interrupted
    )
}

async fn connection(
    tcp: TcpStream,
    peer: std::net::SocketAddr,
    seat: Seat,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
    _done: watch::Receiver<()>,
) {
    let watch = seat.watch().clone();
    let io = TokioIo::new(WatchedIo::new(
        tcp,
        watch.clone(),
        limits.header_timeout,
        limits.idle_timeout,
    ));
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let busy = watch.request_started();
        // What axum's `ConnectInfo` reads: sign-in limits count attempts per client address.
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let response = router.clone().oneshot(req.map(Body::new));
        async move {
            let response = match response.await {
                Ok(r) => r,
                Err(never) => match never {},
            };
            Ok::<_, Infallible>(response.map(|body| WatchedBody::new(body, busy)))
        }
    });
    let mut builder = http1::Builder::new();
    // Our own clocks (see `conn`) replace hyper's, which would also cut idle time short.
    builder.header_read_timeout(None);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    // An error means `serve_with` is gone without a word: stop too.
    let stopping = async move {
        let _ = stop.wait_for(|stopping| *stopping).await;
    };
    let outcome = tokio::select! {
        outcome = conn.as_mut() => outcome,
        () = stopping => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = outcome {
        // Deadlines, resets and evictions end up here: routine for a server, not news.
        tracing::debug!(error = %e, "connection closed");
    }
    drop(seat);
}
