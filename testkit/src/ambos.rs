//! [`en_ambos_backends!`](crate::en_ambos_backends): one scenario, two tests, one per
//! backend.

/// Runs one scenario as two tests in `mod $nombre`: one on the embedded backends, one on
/// the real ones. Each binds its value to the closure's parameter and awaits the
/// closure's body (usually `super::$nombre(value)`, the scenario's `async fn`).
///
/// ```ignore
/// eventflow_testkit::en_ambos_backends!(
///     escenario (flavor = "multi_thread", worker_threads = 2), // `#[tokio::test]` arguments, optional
///     embebido: Backend::Embedded,                             // the embedded test: its name and value
///     real: Backend::real().await,                             // the real test: its name and an Option
///     |b| super::escenario(b),                                 // the future each test awaits
///     luego: (),                                               // optional: run after the real test
/// );
/// ```
///
/// The real test returns early when its `Option` is `None`: backends absent and not
/// required. Under `EVENTFLOW_REAL_BACKENDS=1` an absent backend panics instead, in
/// [`mongo_uri`](crate::mongo_uri), [`redis_url`](crate::redis_url) and
/// [`amqp_url`](crate::amqp_url). The test names are the caller's (`escenario::embebido`,
/// `escenario::real`), so each crate keeps the names its CI output has always shown.
#[macro_export]
macro_rules! en_ambos_backends {
    (
        $nombre:ident $(($($tokio:tt)*))?,
        $embebido:ident: $valor_embebido:expr,
        $real:ident: $valor_real:expr,
        |$b:ident| $correr:expr
        $(, luego: $luego:expr)?
        $(,)?
    ) => {
        mod $nombre {
            #[allow(unused_imports)]
            use super::*;

            #[::tokio::test($($($tokio)*)?)]
            async fn $embebido() {
                let $b = $valor_embebido;
                $correr.await;
            }

            #[::tokio::test($($($tokio)*)?)]
            async fn $real() {
                let Some($b) = $valor_real else {
                    return;
                };
                $correr.await;
                $( $luego; )?
            }
        }
    };
}
