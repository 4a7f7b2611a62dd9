//! Many concurrent buyers against one inventory, on embedded and real backends: nothing
//! is oversold, nobody is turned away while tickets remain, and nothing leaks.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::{stack, Backend, Stack};
use reservas_pagos_service::domain::tarjeta;
use serde_json::{json, Value};

/// Fires one reservation per buyer, all at once; returns (status, problem type) per buyer.
async fn rush(
    s: &Arc<Stack>,
    evento: &str,
    compradores: &[String],
    tarjeta_de: impl Fn(usize) -> &'static str,
) -> Vec<(u16, String)> {
    let mut tasks = Vec::new();
    for (i, u) in compradores.iter().enumerate() {
        let s = s.clone();
        let body = json!({"usuario_id": u, "evento_id": evento, "cantidad": 1,
                          "pago": {"metodo": "tarjeta", "numero_tarjeta": tarjeta_de(i)}});
        tasks.push(tokio::spawn(async move {
            let res = s.reservar(body).await;
            let status = res.status().as_u16();
            let v: Value = res.json().await.unwrap();
            (
                status,
                v["type"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit(':')
                    .next()
                    .unwrap_or("")
                    .to_owned(),
            )
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn compradores(s: &Stack, n: usize) -> Vec<String> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n {
        v.push(s.usuario(i).await);
    }
    v
}

fn contar(resultados: &[(u16, String)]) -> HashMap<(u16, String), usize> {
    let mut m = HashMap::new();
    for r in resultados {
        *m.entry(r.clone()).or_default() += 1;
    }
    m
}

/// 500 distinct buyers race for 100 tickets.
async fn quinientos_por_cien(backend: Backend) {
    let s = Arc::new(stack(backend).await);
    let evento = s.evento(&[("General", 5000, 100)]).await;
    let us = compradores(&s, 500).await;
    let r = rush(&s, &evento, &us, |_| tarjeta::APROBADA).await;
    let c = contar(&r);
    assert_eq!(c.get(&(201, String::new())), Some(&100), "{c:?}");
    assert_eq!(
        c.get(&(409, "agotado".into())),
        Some(&400),
        "nobody turned away for another reason: {c:?}"
    );
    let e = s.get_evento(&evento).await;
    assert_eq!(
        (
            e["zonas"][0]["disponibles"].as_u64(),
            e["zonas"][0]["vendidas"].as_u64()
        ),
        (Some(0), Some(100))
    );
    s.sin_retenciones(&evento).await;
    assert!(
        s.lock_keys().await.is_empty(),
        "locks left: {:?}",
        s.lock_keys().await
    );
}

/// The same race where one buyer in five has a declined card.
async fn con_rechazos(backend: Backend) {
    let s = Arc::new(stack(backend).await);
    let evento = s.evento(&[("General", 5000, 100)]).await;
    let us = compradores(&s, 500).await;
    let r = rush(&s, &evento, &us, |i| {
        if i % 5 == 0 {
            tarjeta::RECHAZADA
        } else {
            tarjeta::APROBADA
        }
    })
    .await;
    let c = contar(&r);
    let confirmadas = c.get(&(201, String::new())).copied().unwrap_or(0);
    let rechazos = c.get(&(402, "pago-rechazado".into())).copied().unwrap_or(0);
    let agotados = c.get(&(409, "agotado".into())).copied().unwrap_or(0);
    assert_eq!(
        confirmadas + rechazos + agotados,
        500,
        "only these outcomes: {c:?}"
    );
    // Declined buyers' holds return to sale, but a buyer told `agotado` while they were
    // held does not come back: the sale may end short of capacity. What must hold is
    // that nothing is oversold and the inventory matches the confirmations exactly.
    assert!((50..=100).contains(&confirmadas), "{c:?}");
    assert!(rechazos >= 1, "{c:?}");
    let e = s.get_evento(&evento).await;
    let z = &e["zonas"][0];
    assert_eq!(z["vendidas"].as_u64(), Some(confirmadas as u64));
    assert_eq!(z["disponibles"].as_u64(), Some(100 - confirmadas as u64));
    s.sin_retenciones(&evento).await;
    assert!(s.lock_keys().await.is_empty());
}

/// One buyer double-clicks: 20 identical concurrent requests with one Idempotency-Key.
async fn doble_clic(backend: Backend) {
    let s = Arc::new(stack(backend).await);
    let evento = s.evento(&[("General", 5000, 10)]).await;
    let u = s.usuario(1).await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = s.clone();
        let body = json!({"usuario_id": u, "evento_id": evento, "cantidad": 2});
        tasks.push(tokio::spawn(async move {
            let res = s
                .http
                .post(format!("{}/api/reservar", s.reservas))
                .header("Idempotency-Key", "clic-1")
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let v: Value = res.json().await.unwrap();
            (status, v)
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        let (status, v) = t.await.unwrap();
        match status {
            201 => {
                ids.insert(v["id"].as_str().unwrap().to_owned());
            }
            409 => assert!(
                v["type"].as_str().unwrap().ends_with("solicitud-en-curso"),
                "{v}"
            ),
            other => panic!("unexpected {other}: {v}"),
        }
    }
    assert_eq!(ids.len(), 1, "every 201 is the same reservation");
    let e = s.get_evento(&evento).await;
    assert_eq!(
        e["zonas"][0]["vendidas"].as_u64(),
        Some(2),
        "exactly one purchase of 2"
    );
    let user = s.get_usuario(&u).await;
    assert_eq!(user["historial_compras"].as_array().unwrap().len(), 1);
    s.sin_retenciones(&evento).await;
}

/// 20 concurrent checkouts by one buyer without a key: the lock lets one through at a
/// time; whatever is confirmed is paid once and counted once.
async fn mismo_comprador_sin_clave(backend: Backend) {
    let s = Arc::new(stack(backend).await);
    let evento = s.evento(&[("General", 5000, 50)]).await;
    let u = s.usuario(1).await;
    let us: Vec<String> = (0..20).map(|_| u.clone()).collect();
    let r = rush(&s, &evento, &us, |_| tarjeta::APROBADA).await;
    let c = contar(&r);
    let ok = c.get(&(201, String::new())).copied().unwrap_or(0);
    let lock = c
        .get(&(409, "compra-en-curso".into()))
        .copied()
        .unwrap_or(0);
    assert!(ok >= 1, "{c:?}");
    assert_eq!(ok + lock, 20, "only confirmed or lock conflicts: {c:?}");
    let e = s.get_evento(&evento).await;
    assert_eq!(e["zonas"][0]["vendidas"].as_u64(), Some(ok as u64));
    assert_eq!(
        s.get_usuario(&u).await["historial_compras"]
            .as_array()
            .unwrap()
            .len(),
        ok
    );
    s.sin_retenciones(&evento).await;
    assert!(s.lock_keys().await.is_empty());
}

macro_rules! ambos {
    ($name:ident) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn embebido() {
                super::$name(Backend::Embedded).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn real() {
                let Some(b) = Backend::real().await else {
                    return;
                };
                super::$name(b).await;
            }
        }
    };
}

ambos!(quinientos_por_cien);
ambos!(con_rechazos);
ambos!(doble_clic);
ambos!(mismo_comprador_sin_clave);
