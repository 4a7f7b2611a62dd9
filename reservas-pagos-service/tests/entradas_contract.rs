//! The ticket parts of the store contracts (see `src/store/mod.rs` and
//! `src/store/claves.rs`): finding a reservation by ticket code, admitting a ticket
//! once, and the events' signing keys, on the embedded adapter and a real MongoDB.

#[macro_use]
mod comun;

use std::sync::Arc;

use eventflow_shared::ids::{EventoId, ReservaId};
use reservas_pagos_service::domain::firma::{ClaveFirma, EstadoClave};
use reservas_pagos_service::domain::{Estado, EstadoEntrada, MotivoAnulacion, Reserva};
use reservas_pagos_service::store::Stores;

/// A CONFIRMADA reservation of 2 tickets of `evento`, stored.
async fn confirmada(s: &Stores, id: &str, evento: &str) -> Reserva {
    let mut r = Reserva::nueva(
        ReservaId::confiable(id),
        EventoId::confiable(evento),
        2,
        "corr-1".into(),
    );
    r.zona = Some("Platea".into());
    r.estado = Estado::Confirmada;
    r.emitir_entradas();
    s.reservas.crear(&mut r).await.unwrap();
    r
}

async fn por_codigo_y_admitir(s: Stores) {
    let r = confirmada(&s, "r-1", "ev-1").await;
    let otra = confirmada(&s, "r-2", "ev-1").await;
    let codigo = r.entradas[0].codigo.clone();
    assert_eq!(
        s.reservas.por_codigo(&codigo).await.unwrap().map(|x| x.id),
        Some(r.id.clone())
    );
    assert_eq!(
        s.reservas
            .por_codigo(&otra.entradas[1].codigo)
            .await
            .unwrap()
            .map(|x| x.id),
        Some(otra.id.clone())
    );
    assert_eq!(s.reservas.por_codigo("0000000000").await.unwrap(), None);

    // Another event's gate does not admit it.
    let cuando = eventflow_shared::now();
    assert!(s
        .reservas
        .admitir("ev-2", &codigo, None, None, cuando)
        .await
        .unwrap()
        .is_none());
    let admitida = s
        .reservas
        .admitir("ev-1", &codigo, Some("Norte"), None, cuando)
        .await
        .unwrap()
        .expect("admitted");
    assert!(
        s.reservas
            .admitir("ev-1", &codigo, Some("Sur"), None, cuando)
            .await
            .unwrap()
            .is_none(),
        "once"
    );
    let leida = s.reservas.get(&r.id).await.unwrap().unwrap();
    assert_eq!(admitida, leida, "it returns the reservation as written");
    assert_eq!(
        leida.version,
        r.version + 1,
        "the admission bumps the version"
    );
    let e = &leida.entradas[0];
    assert_eq!(
        (
            e.estado,
            e.puerta.as_deref(),
            e.usada_en.map(|t| t.timestamp())
        ),
        (
            EstadoEntrada::Usada,
            Some("Norte"),
            Some(cuando.timestamp())
        )
    );
    assert_eq!(
        leida.entradas[1].estado,
        EstadoEntrada::Valida,
        "only that one"
    );

    // A cancel that read before the admission fails its guarded write; re-read, the
    // used ticket stays used.
    let mut vieja = r.clone();
    vieja.anular_entradas(MotivoAnulacion::Cancelada);
    assert!(!s.reservas.guardar(&mut vieja).await.unwrap());
    let mut nueva = leida.clone();
    nueva.estado = Estado::Cancelada;
    nueva.anular_entradas(MotivoAnulacion::Cancelada);
    assert!(s.reservas.guardar(&mut nueva).await.unwrap());
    let fin = s.reservas.get(&r.id).await.unwrap().unwrap();
    assert_eq!(
        (fin.entradas[0].estado, fin.entradas[1].estado),
        (EstadoEntrada::Usada, EstadoEntrada::Anulada)
    );
    assert!(
        s.reservas
            .admitir("ev-1", &fin.entradas[1].codigo, None, None, cuando)
            .await
            .unwrap()
            .is_none(),
        "an annulled ticket lets nobody in"
    );
}

async fn admitir_concurrente(s: Stores) {
    let r = confirmada(&s, "r-1", "ev-1").await;
    let reservas = s.reservas.clone();
    let codigo = Arc::new(r.entradas[0].codigo.clone());
    let intentos = (0..20).map(|i| {
        let (st, c) = (reservas.clone(), codigo.clone());
        tokio::spawn(async move {
            st.admitir(
                "ev-1",
                &c,
                Some(&format!("P{i}")),
                None,
                eventflow_shared::now(),
            )
            .await
            .unwrap()
            .is_some()
        })
    });
    let si = futures::future::join_all(intentos)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert_eq!(si, 1);
}

async fn claves(s: Stores) {
    let c = s.claves.clone();
    let primeras = (0..20).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.asegurar("ev-1", ClaveFirma::generar()).await.unwrap() })
    });
    let vistas: Vec<Vec<ClaveFirma>> = futures::future::join_all(primeras)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(vistas[0].len(), 1);
    assert!(vistas.iter().all(|v| *v == vistas[0]), "one first key");
    let primera = vistas[0][0].clone();
    let rotadas = c.rotar("ev-1", ClaveFirma::generar()).await.unwrap();
    assert_eq!(rotadas.len(), 2);
    assert_eq!(rotadas[0].kid, primera.kid);
    assert_eq!(
        (rotadas[0].estado, rotadas[1].estado),
        (EstadoClave::Retirada, EstadoClave::Activa)
    );
    assert_eq!(
        c.asegurar("ev-1", ClaveFirma::generar()).await.unwrap(),
        rotadas,
        "read back as written, private key included"
    );
    assert_eq!(
        c.asegurar("ev-2", ClaveFirma::generar())
            .await
            .unwrap()
            .len(),
        1,
        "each event its own"
    );
}

/// The door's list and conflicts: an event's tickets in one query, all or only those of
/// reservations written after a `cambio`; the admission's nonce read back; the
/// reservations with a forced admission.
async fn lista_y_forzados(s: Stores) {
    let r = confirmada(&s, "r-1", "ev-1").await;
    let otra = confirmada(&s, "r-2", "ev-1").await;
    confirmada(&s, "r-3", "ev-2").await;
    let todas = s.reservas.entradas_del_evento("ev-1", None).await.unwrap();
    assert_eq!(todas.len(), 2);
    assert!(todas.iter().all(|g| g.confirmada && g.entradas.len() == 2));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let desde = chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(s
        .reservas
        .entradas_del_evento("ev-1", Some(desde))
        .await
        .unwrap()
        .is_empty());
    let c = r.entradas[0].codigo.clone();
    let admitida = s
        .reservas
        .admitir(
            "ev-1",
            &c,
            Some("Norte"),
            Some("nonce-0001"),
            eventflow_shared::now(),
        )
        .await
        .unwrap()
        .expect("admitted");
    assert_eq!(admitida.entradas[0].nonce.as_deref(), Some("nonce-0001"));
    let cambiadas = s
        .reservas
        .entradas_del_evento("ev-1", Some(desde))
        .await
        .unwrap();
    assert_eq!(cambiadas.len(), 1, "only the reservation written since");
    assert_eq!(cambiadas[0].entradas, admitida.entradas);
    assert!(s.reservas.con_forzados("ev-1").await.unwrap().is_empty());
    // A second admission recorded (what an offline upload writes), through `guardar`.
    let mut o = otra.clone();
    o.entradas[1].estado = EstadoEntrada::Usada;
    o.entradas[1].usada_en = Some(eventflow_shared::now());
    o.entradas[1]
        .forzados
        .push(reservas_pagos_service::domain::Escaneo {
            nonce: Some("nonce-0002".into()),
            puerta: Some("Sur".into()),
            escaneado_en: eventflow_shared::now(),
        });
    assert!(s.reservas.guardar(&mut o).await.unwrap());
    let con = s.reservas.con_forzados("ev-1").await.unwrap();
    assert_eq!(con.len(), 1);
    assert_eq!(con[0], s.reservas.get(&otra.id).await.unwrap().unwrap());
    assert_eq!(
        s.reservas
            .entradas_del_evento("ev-1", Some(desde))
            .await
            .unwrap()
            .len(),
        2
    );
}

contrato!(lista_y_forzados);
contrato!(por_codigo_y_admitir);
contrato!(admitir_concurrente);
contrato!(claves);
