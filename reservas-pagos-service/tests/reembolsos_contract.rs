//! The partial refunds' store contract (see `src/store/reembolsos.rs`) and the one-ticket
//! parts of the reservation store's (`abandonadas` lists a sold reservation with a
//! ticket still to settle), on the embedded adapter and a real MongoDB.

#[macro_use]
mod comun;

use std::sync::Arc;

use eventflow_shared::ids::{EventoId, ReservaId};
use reservas_pagos_service::domain::{AnulacionEntrada, Estado, Reserva};
use reservas_pagos_service::store::Stores;

/// 20 tries at once to refund one ticket: exactly one stores it; other codes and other
/// reservations are their own.
async fn una_vez_por_codigo(s: Stores) {
    let r = Arc::new(s.reembolsos);
    let tareas: Vec<_> = (0..20)
        .map(|_| {
            let r = r.clone();
            tokio::spawn(async move { r.registrar("r1", "AAAAAAAAAA", 2500).await.unwrap() })
        })
        .collect();
    let hechas = futures::future::join_all(tareas)
        .await
        .into_iter()
        .filter(|x| *x.as_ref().unwrap())
        .count();
    assert_eq!(hechas, 1, "one refund of one ticket");
    assert!(r.registrar("r1", "BBBBBBBBBB", 2500).await.unwrap());
    assert!(r.registrar("r2", "AAAAAAAAAA", 900).await.unwrap());
    assert_eq!(
        r.de("r1").await.unwrap(),
        [
            ("AAAAAAAAAA".to_owned(), 2500),
            ("BBBBBBBBBB".to_owned(), 2500)
        ]
    );
    assert_eq!(r.de("nadie").await.unwrap(), []);
}

/// A CONFIRMADA reservation is recovery's only while a ticket cancelled alone is listed.
async fn abandonada_con_anulacion(s: Stores) {
    let mut r = Reserva::nueva(
        ReservaId::confiable("r-anul"),
        EventoId::confiable("ev-1"),
        2,
        "c".into(),
    );
    r.estado = Estado::Confirmada;
    r.emitir_entradas();
    s.reservas.crear(&mut r).await.unwrap();
    let despues = eventflow_shared::now() + chrono::Duration::seconds(5);
    assert!(s.reservas.abandonadas(despues).await.unwrap().is_empty());
    r.anulaciones.push(AnulacionEntrada {
        codigo: r.entradas[0].codigo.clone(),
        zona: None,
        monto: 100,
        correlation_id: "c".into(),
        desde: eventflow_shared::now(),
    });
    assert!(s.reservas.guardar(&mut r).await.unwrap());
    let lista = s.reservas.abandonadas(despues).await.unwrap();
    assert_eq!(lista.len(), 1);
    assert_eq!(lista[0].anulaciones, r.anulaciones);
    r.anulaciones.clear();
    assert!(s.reservas.guardar(&mut r).await.unwrap());
    assert!(s.reservas.abandonadas(despues).await.unwrap().is_empty());
}

contrato!(una_vez_por_codigo);
contrato!(abandonada_con_anulacion);
