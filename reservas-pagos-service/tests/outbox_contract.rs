//! The reservations' outbox, on the embedded and MongoDB stores: messages written with a
//! reservation are listed until marked sent; marking one sent does not disturb the
//! SAGA's version-guarded writes.

use eventflow_shared::bus::{Pendiente, RESERVA_CONFIRMADA};
use eventflow_shared::config::StoreConfig;
use eventflow_shared::ids::{EventoId, ReservaId};
use eventflow_testkit as testing;
use reservas_pagos_service::domain::{Reserva, Suceso};
use reservas_pagos_service::store::{self, Stores};

async fn contrato(s: Stores) {
    let store = s.reservas;
    let mut r = Reserva::nueva(
        ReservaId::confiable("r-ob"),
        EventoId::confiable("e1"),
        1,
        "corr".into(),
    );
    store.crear(&mut r).await.unwrap();
    assert!(store.pendientes(10).await.unwrap().is_empty());

    let p = Pendiente::new(
        RESERVA_CONFIRMADA,
        "corr",
        serde_json::json!({"reservaId": "r-ob"}),
    );
    r.outbox.push(p.clone());
    assert!(store.guardar(&mut r).await.unwrap());
    assert_eq!(
        store.pendientes(10).await.unwrap(),
        vec![("r-ob".to_owned(), p.clone())]
    );

    store.enviado("r-ob", p.envelope.message_id).await.unwrap();
    assert!(
        store.pendientes(10).await.unwrap().is_empty(),
        "marked sent means gone"
    );
    store.enviado("r-ob", p.envelope.message_id).await.unwrap();

    // The relay does not bump the version: the SAGA's next write still goes through.
    let mut again = store.get("r-ob").await.unwrap().unwrap();
    assert!(again.outbox.is_empty());
    again.registrar(Suceso::ReservaCancelada {});
    assert!(store.guardar(&mut again).await.unwrap());
}

#[tokio::test]
async fn outbox_embebido() {
    contrato(store::from_config(&StoreConfig::Embedded).await.unwrap()).await;
}

#[tokio::test]
async fn outbox_mongodb() {
    let Some(uri) = testing::mongo_uri().await else {
        return;
    };
    let cfg = StoreConfig::Mongo {
        uri: uri.into(),
        database: testing::unique_name("rsv"),
    };
    contrato(store::from_config(&cfg).await.unwrap()).await;
}

/// Reservations stored before the outbox counter existed: their waiting messages are
/// counted at start-up and published like any other; the counter follows each removal.
#[tokio::test]
async fn outbox_mongodb_cuenta_mensajes_antiguos() {
    use mongodb::bson::{self, doc, Document};
    let Some(uri) = testing::mongo_uri().await else {
        return;
    };
    let database = testing::unique_name("rsv");
    let db = eventflow_shared::mongo::connect(&uri, &database)
        .await
        .unwrap();
    let mut r = Reserva::nueva(
        ReservaId::confiable("r-vieja"),
        EventoId::confiable("e1"),
        1,
        "corr".into(),
    );
    let p = Pendiente::new(
        RESERVA_CONFIRMADA,
        "corr",
        serde_json::json!({"reservaId": "r-vieja"}),
    );
    r.outbox.push(p.clone());
    // The shape an earlier version wrote: no `outbox_pendientes`.
    let col = db.collection::<Document>("reservas");
    col.insert_one(doc! {
        "_id": "r-vieja", "version": 1_i64, "estado": "CONFIRMADA", "usuario_id": "u1",
        "creada": bson::DateTime::now(), "actualizada": bson::DateTime::now(),
        "reserva": bson::to_document(&r).unwrap(),
    })
    .await
    .unwrap();

    let cfg = StoreConfig::Mongo {
        uri: uri.into(),
        database,
    };
    let store = store::from_config(&cfg).await.unwrap().reservas;
    assert_eq!(
        store.pendientes(10).await.unwrap(),
        vec![("r-vieja".to_owned(), p.clone())]
    );
    let contador = |d: Option<Document>| d.unwrap().get_i64("outbox_pendientes").unwrap();
    assert_eq!(
        contador(col.find_one(doc! {"_id": "r-vieja"}).await.unwrap()),
        1
    );
    store
        .enviado("r-vieja", p.envelope.message_id)
        .await
        .unwrap();
    store
        .enviado("r-vieja", p.envelope.message_id)
        .await
        .unwrap();
    assert_eq!(
        contador(col.find_one(doc! {"_id": "r-vieja"}).await.unwrap()),
        0
    );
    assert!(store.pendientes(10).await.unwrap().is_empty());
}
