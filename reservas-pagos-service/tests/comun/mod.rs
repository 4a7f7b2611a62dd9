//! What every store contract of reservas shares: the two backends it runs on (the
//! embedded adapters, and a fresh database on a real MongoDB) and the macro that runs
//! one case on both.

use eventflow_shared::config::StoreConfig;
use eventflow_testkit as testing;
use reservas_pagos_service::store::{self, Stores};

pub async fn embebido() -> Stores {
    store::from_config(&StoreConfig::Embedded).await.unwrap()
}

/// A fresh database on the real MongoDB, or `None` when it is not there and not required.
pub async fn mongodb() -> Option<Stores> {
    let uri = testing::mongo_uri().await?;
    let cfg = StoreConfig::Mongo {
        uri: uri.into(),
        database: testing::unique_name("rsv"),
    };
    Some(store::from_config(&cfg).await.unwrap())
}

/// `contrato!(caso)`: the async fn `caso(Stores)` as two tests, `caso::embebido` and
/// `caso::mongodb` (which passes when no MongoDB is there and none is required).
macro_rules! contrato {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embebido() {
                super::$name($crate::comun::embebido().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mongodb() {
                let Some(s) = $crate::comun::mongodb().await else {
                    return;
                };
                super::$name(s).await;
            }
        }
    };
}
