//! One deadline for a whole request body, and the 408 problem when a body misses it.
//!
//! tower-http 0.6's `RequestBodyTimeoutLayer` restarts its timer on every frame, so a body
//! sent at one byte a second never trips it. Here the clock starts when the head is
//! complete and does not stop until the body ends; with bodies capped at 64 KiB, the
//! default 10 s asks for no more than 6.5 KB/s.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

use crate::error::ApiError;

/// `router` with every request body held to `limit`.
pub(crate) fn layer(router: Router, limit: Duration) -> Router {
    router.layer(middleware::from_fn_with_state(limit, enforce))
}

async fn enforce(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    if req.body().is_end_stream() {
        return next.run(req).await;
    }
    let missed = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + limit;
    let flag = missed.clone();
    let req = req.map(move |inner| {
        Body::new(DeadlineBody {
            inner,
            deadline,
            sleep: None,
            missed: flag,
        })
    });
    let res = next.run(req).await;
    if missed.load(Ordering::Acquire) {
        // Whatever the handler made of the failed read (a 400 from a JSON extractor, a
        // 500 from a handler that unwrapped), the cause is the client's slowness.
        too_slow(res, limit)
    } else {
        res
    }
}

/// The 408 problem, keeping the headers the inner layers set (request and correlation
/// ids, CORS), and closing the connection: the rest of that body is not worth waiting for.
fn too_slow(res: Response, limit: Duration) -> Response {
    tracing::warn!(
        plazo_ms = limit.as_millis() as u64,
        handler_status = res.status().as_u16(),
        "request body did not arrive in time: 408"
    );
    let problem = ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "cuerpo-lento",
        "Tiempo de espera agotado",
        "El cuerpo de la solicitud no llegó a tiempo",
    )
    .with("plazo_ms", limit.as_millis() as u64)
    .into_response();
    let (mut parts, _) = res.into_parts();
    let (problem_parts, body) = problem.into_parts();
    parts.status = problem_parts.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in &problem_parts.headers {
        parts.headers.insert(name.clone(), value.clone());
    }
    parts
        .headers
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    Response::from_parts(parts, body)
}

/// A request body that fails once its deadline passes while it still waits for bytes.
struct DeadlineBody {
    inner: Body,
    deadline: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
    missed: Arc<AtomicBool>,
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        let deadline = this.deadline;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        ready!(sleep.as_mut().poll(cx));
        this.missed.store(true, Ordering::Release);
        Poll::Ready(Some(Err(axum::Error::new(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "request body deadline passed",
        )))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
