//! The contracts of `ReservaStore`, `PagoStore` and `IdempotenciaStore` (see the doc
//! comments in `src/store/mod.rs`), checked against the embedded adapter and a real
//! MongoDB, so the two backends cannot drift apart.

#[macro_use]
mod comun;

use eventflow_shared::ids::{EventoId, ReservaId, UsuarioId};
use std::collections::HashSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use reservas_pagos_service::domain::{Estado, PagoResumen, Reserva, Suceso};
use reservas_pagos_service::store::{self, Clave, EstadoPago, Pago, Stores};
use serde_json::json;

/// A whole-millisecond instant `secs` seconds from now: what both backends store exactly.
fn instante(secs: i64) -> DateTime<Utc> {
    let t = eventflow_shared::now() + Duration::seconds(secs);
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}

fn reserva(id: &str, usuario: Option<&str>, creada: DateTime<Utc>) -> Reserva {
    let mut r = Reserva::nueva(
        ReservaId::confiable(id),
        EventoId::confiable("evento-1"),
        2,
        "corr-1".into(),
    );
    r.usuario_id = usuario.map(UsuarioId::confiable);
    r.zona = Some("Platea".into());
    r.precio_unitario = Some(15_000);
    r.total = Some(30_000);
    r.creada_en = creada;
    r.actualizada_en = creada;
    r
}

fn pago(reserva_id: &str, n: i64, estado: EstadoPago) -> Pago {
    Pago {
        id: format!("pay_{reserva_id}_{n}"),
        reserva_id: reserva_id.to_owned(),
        monto: 1_000 + n,
        estado,
        motivo: (estado == EstadoPago::Rechazado).then(|| "tarjeta rechazada".to_owned()),
        ultimos4: "4242".into(),
        creado_en: eventflow_shared::now(),
    }
}

// ---- ReservaStore ----

async fn crear_y_get(s: Stores) {
    let st = s.reservas;
    assert_eq!(st.get("r-1").await.unwrap(), None);
    let mut r = reserva("r-1", Some("u-1"), instante(0));
    r.registrar(Suceso::LockAdquirido {
        clave: "lock:evento:e:usuario:u-1".into(),
        ttl_ms: 30_000,
    });
    r.pago = Some(PagoResumen {
        id: "pay_r1".into(),
        estado: EstadoPago::Aprobado,
    });
    st.crear(&mut r).await.unwrap();
    assert_eq!(r.version, 1, "crear stores version 1");
    assert_eq!(
        st.get("r-1").await.unwrap(),
        Some(r.clone()),
        "reads back exactly what was written"
    );

    let mut otra = reserva("r-1", Some("u-2"), instante(0));
    assert!(
        st.crear(&mut otra).await.is_err(),
        "creating an existing id is an error"
    );
    assert_eq!(
        st.get("r-1").await.unwrap(),
        Some(r),
        "the failed crear overwrote nothing"
    );
}

async fn guardar_con_version(s: Stores) {
    let st = s.reservas;
    let mut r = reserva("r-v", Some("u-1"), instante(0));
    st.crear(&mut r).await.unwrap();
    let (mut a, mut b) = (r.clone(), r.clone());

    a.estado = Estado::Confirmada;
    a.registrar(Suceso::ReservaConfirmada { total: Some(100) });
    assert!(st.guardar(&mut a).await.unwrap());
    assert_eq!(a.version, 2, "a successful guardar bumps the version");

    b.estado = Estado::Fallida;
    b.registrar(Suceso::ReservaFallida { paso: "b".into() });
    assert!(
        !st.guardar(&mut b).await.unwrap(),
        "a writer from a stale version loses"
    );
    assert_eq!(b.version, 1, "the loser's version is left as it read it");
    assert_eq!(
        st.get("r-v").await.unwrap(),
        Some(a.clone()),
        "the loser wrote nothing"
    );

    // The loser re-reads and retries: now it goes through.
    let mut b = st.get("r-v").await.unwrap().unwrap();
    b.registrar(Suceso::ReservaCancelada {});
    assert!(st.guardar(&mut b).await.unwrap());
    assert_eq!(b.version, 3);
    assert_eq!(st.get("r-v").await.unwrap(), Some(b));

    // guardar never creates.
    let mut fantasma = reserva("r-fantasma", None, instante(0));
    fantasma.version = 1;
    assert!(!st.guardar(&mut fantasma).await.unwrap());
    assert_eq!(st.get("r-fantasma").await.unwrap(), None);
}

/// Many writers read the same version at once: exactly one wins.
async fn guardar_concurrente(s: Stores) {
    let st = s.reservas;
    let mut r = reserva("r-c", Some("u-1"), instante(0));
    st.crear(&mut r).await.unwrap();
    let mut tareas = Vec::new();
    for i in 0..20 {
        let (st, mut mia) = (st.clone(), r.clone());
        tareas.push(tokio::spawn(async move {
            mia.registrar(Suceso::CancelacionSolicitada {
                correlation_id: format!("escritor-{i}"),
            });
            (i, st.guardar(&mut mia).await.unwrap())
        }));
    }
    let mut ganadores = Vec::new();
    for t in tareas {
        let (i, ok) = t.await.unwrap();
        if ok {
            ganadores.push(i);
        }
    }
    assert_eq!(ganadores.len(), 1, "exactly one writer wins: {ganadores:?}");
    let leida = st.get("r-c").await.unwrap().unwrap();
    assert_eq!(leida.version, 2);
    assert_eq!(leida.eventos.len(), 1);
    assert_eq!(
        leida.eventos[0].datos,
        json!({ "correlation_id": format!("escritor-{}", ganadores[0]) })
    );
}

async fn por_usuario(s: Stores) {
    let st = s.reservas;
    // Created out of order; u-1 has five, two of them at the same instant.
    let base = instante(-3_600);
    let at = |m: i64| base + Duration::minutes(m);
    for (id, u, t) in [
        ("r-c", "u-1", at(3)),
        ("r-a", "u-1", at(1)),
        ("r-x", "u-2", at(10)),
        ("r-e", "u-1", at(5)),
        ("r-b", "u-1", at(2)),
        ("r-d", "u-1", at(3)),
    ] {
        st.crear(&mut reserva(id, Some(u), t)).await.unwrap();
    }
    st.crear(&mut reserva("r-anon", None, at(20)))
        .await
        .unwrap();

    let ids = |v: Vec<Reserva>| {
        v.into_iter()
            .map(|r| r.id.into_string())
            .collect::<Vec<_>>()
    };
    let (todas, total) = st.por_usuario("u-1", 20, 0).await.unwrap();
    assert_eq!(total, 5);
    assert_eq!(
        ids(todas),
        ["r-e", "r-d", "r-c", "r-b", "r-a"],
        "newest first; a tie is broken by id, descending"
    );
    let (pagina, total) = st.por_usuario("u-1", 2, 1).await.unwrap();
    assert_eq!((ids(pagina), total), (vec!["r-d".into(), "r-c".into()], 5));
    let (ultima, total) = st.por_usuario("u-1", 2, 4).await.unwrap();
    assert_eq!((ids(ultima), total), (vec!["r-a".into()], 5));
    let (vacia, total) = st.por_usuario("u-1", 10, 5).await.unwrap();
    assert_eq!((vacia.len(), total), (0, 5));
    let (otro, total) = st.por_usuario("u-2", 20, 0).await.unwrap();
    assert_eq!((ids(otro), total), (vec!["r-x".into()], 1));
    let (nadie, total) = st.por_usuario("u-9", 20, 0).await.unwrap();
    assert_eq!((nadie.len(), total), (0, 0));
}

/// The ids of `reservas`, sorted: for the queries that promise no order.
fn ids_ordenados(reservas: Vec<Reserva>) -> Vec<String> {
    let mut ids: Vec<String> = reservas.into_iter().map(|r| r.id.into_string()).collect();
    ids.sort();
    ids
}

/// The ids `abandonadas(corte)` returns, sorted.
async fn abandonadas_antes_de(
    st: &Arc<dyn store::ReservaStore>,
    corte: DateTime<Utc>,
) -> Vec<String> {
    ids_ordenados(st.abandonadas(corte).await.unwrap())
}

async fn abandonadas(s: Stores) {
    let st = s.reservas;
    let corte = instante(-60);
    let viejo = corte - Duration::seconds(1);
    let casos = [
        ("en-curso-vieja", Estado::EnCurso, viejo, true),
        ("cancelando-vieja", Estado::Cancelando, viejo, true),
        ("en-curso-reciente", Estado::EnCurso, instante(0), false),
        (
            "cancelando-reciente",
            Estado::Cancelando,
            instante(0),
            false,
        ),
        ("en-curso-en-el-corte", Estado::EnCurso, corte, false),
        ("confirmada-vieja", Estado::Confirmada, viejo, false),
        ("fallida-vieja", Estado::Fallida, viejo, false),
        ("cancelada-vieja", Estado::Cancelada, viejo, false),
    ];
    for (id, estado, t, _) in casos {
        let mut r = reserva(id, Some("u-1"), t);
        r.estado = estado;
        st.crear(&mut r).await.unwrap();
    }
    let got = abandonadas_antes_de(&st, corte).await;
    let mut want: Vec<String> = casos
        .iter()
        .filter(|c| c.3)
        .map(|c| c.0.to_owned())
        .collect();
    want.sort();
    assert_eq!(
        got, want,
        "only EN_CURSO/CANCELANDO last written before the cut"
    );

    // A write counts as activity: the reservation is no longer abandoned.
    let mut r = st.get("en-curso-vieja").await.unwrap().unwrap();
    r.registrar(Suceso::ReservaFallida {
        paso: "Recuperacion".into(),
    });
    assert!(st.guardar(&mut r).await.unwrap());
    assert_eq!(abandonadas_antes_de(&st, corte).await, ["cancelando-vieja"]);
}

/// `descartar` deletes only the version it was given: a reservation someone else wrote
/// since is kept.
async fn descartar(s: Stores) {
    let st = s.reservas;
    let mut a = reserva("r-descartada", Some("u-1"), instante(0));
    st.crear(&mut a).await.unwrap();
    st.descartar(&a).await.unwrap();
    assert!(st.get("r-descartada").await.unwrap().is_none());
    st.descartar(&a).await.unwrap();

    let mut b = reserva("r-tocada", Some("u-1"), instante(0));
    st.crear(&mut b).await.unwrap();
    let vieja = b.clone();
    b.registrar(Suceso::ReservaFallida {
        paso: "Recuperacion".into(),
    });
    assert!(st.guardar(&mut b).await.unwrap());
    st.descartar(&vieja).await.unwrap();
    let quedo = st
        .get("r-tocada")
        .await
        .unwrap()
        .expect("a newer version is kept");
    assert_eq!(quedo.version, b.version);
}

/// `del_comprador`: every reservation of one buyer for one event, and nothing else.
async fn del_comprador(s: Stores) {
    let st = s.reservas;
    for (id, u, e) in [
        ("a", "u-1", "e-1"),
        ("b", "u-1", "e-1"),
        ("c", "u-1", "e-2"),
        ("d", "u-2", "e-1"),
    ] {
        let mut r = reserva(id, Some(u), instante(0));
        r.evento_id = EventoId::confiable(e);
        st.crear(&mut r).await.unwrap();
    }
    let ids = ids_ordenados(st.del_comprador("u-1", "e-1").await.unwrap());
    assert_eq!(ids, ["a", "b"]);
    assert!(st.del_comprador("u-9", "e-1").await.unwrap().is_empty());
}

// ---- PagoStore ----

async fn pagos_registrar(s: Stores) {
    let st = s.pagos;
    assert_eq!(st.get("r-p").await.unwrap(), None);
    let primero = pago("r-p", 1, EstadoPago::Aprobado);
    assert_eq!(st.registrar(&primero).await.unwrap(), primero);
    let segundo = pago("r-p", 2, EstadoPago::Rechazado);
    assert_eq!(
        st.registrar(&segundo).await.unwrap(),
        primero,
        "a second registrar returns the first charge"
    );
    assert_eq!(
        st.get("r-p").await.unwrap(),
        Some(primero.clone()),
        "never a second charge"
    );
    // Another reservation is another charge.
    let otro = pago("r-q", 3, EstadoPago::Rechazado);
    assert_eq!(st.registrar(&otro).await.unwrap(), otro);
    assert_eq!(st.get("r-p").await.unwrap(), Some(primero));
}

async fn pagos_registrar_concurrente(s: Stores) {
    let st = s.pagos;
    let mut tareas = Vec::new();
    for i in 0..20 {
        let st = st.clone();
        let p = pago(
            "r-conc",
            i,
            if i % 2 == 0 {
                EstadoPago::Aprobado
            } else {
                EstadoPago::Rechazado
            },
        );
        tareas.push(tokio::spawn(async move { st.registrar(&p).await.unwrap() }));
    }
    let mut vistos = Vec::new();
    for t in tareas {
        vistos.push(t.await.unwrap());
    }
    let guardado = st.get("r-conc").await.unwrap().expect("one charge stored");
    assert!(
        vistos.iter().all(|p| *p == guardado),
        "every caller sees the one stored charge: {vistos:?}"
    );
}

async fn pagos_reembolsar(s: Stores) {
    let st = s.pagos;
    assert_eq!(st.reembolsar("r-nada").await.unwrap(), None);

    let aprobado = pago("r-ok", 1, EstadoPago::Aprobado);
    st.registrar(&aprobado).await.unwrap();
    let reembolsado = Pago {
        estado: EstadoPago::Reembolsado,
        ..aprobado.clone()
    };
    assert_eq!(
        st.reembolsar("r-ok").await.unwrap(),
        Some(reembolsado.clone())
    );
    assert_eq!(
        st.reembolsar("r-ok").await.unwrap(),
        Some(reembolsado.clone()),
        "a repeat changes nothing and returns the current record"
    );
    assert_eq!(st.get("r-ok").await.unwrap(), Some(reembolsado.clone()));
    // A refunded charge cannot be charged again either.
    assert_eq!(
        st.registrar(&pago("r-ok", 2, EstadoPago::Aprobado))
            .await
            .unwrap(),
        reembolsado
    );

    let rechazado = pago("r-no", 1, EstadoPago::Rechazado);
    st.registrar(&rechazado).await.unwrap();
    assert_eq!(
        st.reembolsar("r-no").await.unwrap(),
        Some(rechazado.clone()),
        "a declined charge is not refunded"
    );

    // Concurrent refunds of one charge: it ends REEMBOLSADO, once.
    st.registrar(&pago("r-conc", 1, EstadoPago::Aprobado))
        .await
        .unwrap();
    let mut tareas = Vec::new();
    for _ in 0..20 {
        let st = st.clone();
        tareas.push(tokio::spawn(async move {
            st.reembolsar("r-conc").await.unwrap()
        }));
    }
    for t in tareas {
        assert_eq!(t.await.unwrap().unwrap().estado, EstadoPago::Reembolsado);
    }
    assert_eq!(
        st.get("r-conc").await.unwrap().unwrap().estado,
        EstadoPago::Reembolsado
    );
}

// ---- IdempotenciaStore ----

async fn idempotencia_tomar(s: Stores) {
    let st = s.idempotencia;
    let antes = Utc::now() - Duration::seconds(1);
    assert_eq!(st.tomar("k-1", "h-1", "r-1").await.unwrap(), Clave::Nueva);
    for (hash, rid) in [("h-1", "r-2"), ("h-otro", "r-3")] {
        match st.tomar("k-1", hash, rid).await.unwrap() {
            Clave::EnCurso {
                hash,
                reserva_id,
                desde,
            } => {
                assert_eq!(
                    (hash.as_str(), reserva_id.as_str()),
                    ("h-1", "r-1"),
                    "the first taker's hash and reservation"
                );
                assert!(desde >= antes && desde <= Utc::now() + Duration::seconds(1));
            }
            other => panic!("expected EnCurso, got {other:?}"),
        }
    }
    assert_eq!(
        st.tomar("k-2", "h-1", "r-9").await.unwrap(),
        Clave::Nueva,
        "keys are independent"
    );
}

async fn idempotencia_concurrente(s: Stores) {
    let st = s.idempotencia;
    let mut tareas = Vec::new();
    for i in 0..20 {
        let st = st.clone();
        tareas.push(tokio::spawn(async move {
            let rid = format!("r-{i}");
            (rid.clone(), st.tomar("k-conc", "h", &rid).await.unwrap())
        }));
    }
    let mut nuevas = Vec::new();
    let mut vistas = HashSet::new();
    for t in tareas {
        match t.await.unwrap() {
            (rid, Clave::Nueva) => nuevas.push(rid),
            (_, Clave::EnCurso { reserva_id, .. }) => {
                vistas.insert(reserva_id);
            }
            (_, other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(nuevas.len(), 1, "exactly one Nueva: {nuevas:?}");
    assert!(
        vistas.is_empty() || vistas == HashSet::from([nuevas[0].clone()]),
        "everyone else sees the winner's reservation: {vistas:?} vs {nuevas:?}"
    );
}

async fn idempotencia_completar_soltar(s: Stores) {
    let st = s.idempotencia;
    // completar records the outcome; later calls see it.
    st.tomar("k-c", "h", "r-1").await.unwrap();
    st.completar("k-c", 402, "{\"status\":402}").await.unwrap();
    let completa = Clave::Completa {
        hash: "h".into(),
        status: 402,
        body: "{\"status\":402}".into(),
    };
    assert_eq!(st.tomar("k-c", "h", "r-2").await.unwrap(), completa);
    // A finished key is final: neither completar nor soltar changes it.
    st.completar("k-c", 201, "{}").await.unwrap();
    st.soltar("k-c").await.unwrap();
    assert_eq!(st.tomar("k-c", "h", "r-3").await.unwrap(), completa);

    // soltar forgets a key still in progress: the next tomar owns it again.
    st.tomar("k-s", "h", "r-1").await.unwrap();
    st.soltar("k-s").await.unwrap();
    assert_eq!(st.tomar("k-s", "h2", "r-2").await.unwrap(), Clave::Nueva);
    match st.tomar("k-s", "h2", "r-3").await.unwrap() {
        Clave::EnCurso {
            hash, reserva_id, ..
        } => assert_eq!((hash.as_str(), reserva_id.as_str()), ("h2", "r-2")),
        other => panic!("expected EnCurso, got {other:?}"),
    }

    // Unknown keys: both are no-ops.
    st.completar("k-nadie", 201, "{}").await.unwrap();
    st.soltar("k-nadie").await.unwrap();
    assert_eq!(st.tomar("k-nadie", "h", "r-1").await.unwrap(), Clave::Nueva);
}

contrato!(crear_y_get);
contrato!(guardar_con_version);
contrato!(guardar_concurrente);
contrato!(por_usuario);
contrato!(abandonadas);
contrato!(descartar);
contrato!(del_comprador);
contrato!(pagos_registrar);
contrato!(pagos_registrar_concurrente);
contrato!(pagos_reembolsar);
contrato!(idempotencia_tomar);
contrato!(idempotencia_concurrente);
contrato!(idempotencia_completar_soltar);
