//! Contract tests for `NotificacionStore`, on the embedded and MongoDB adapters.

use std::sync::Arc;

use eventflow_shared::config::StoreConfig;
use eventflow_testkit as testing;
use notificaciones_service::domain::{EntradaNotificada, Notificacion};
use notificaciones_service::store::{self, Filtro, NotificacionStore, Registro};

fn notificacion(id: &str, usuario: Option<&str>, tipo: &str) -> Notificacion {
    Notificacion {
        id: id.into(),
        tipo: tipo.into(),
        usuario_id: usuario.map(str::to_owned),
        evento_id: Some("e".into()),
        reserva_id: Some(format!("r-{id}")),
        titulo: "t".into(),
        mensaje: "m".into(),
        correlation_id: "c".into(),
        creada_en: eventflow_shared::now(),
        // Round-trips through the store: the guest's link to the reservation.
        enlace: (tipo == "reserva-confirmada").then(|| format!("/reservas/r-{id}?s=secreto")),
        // And a code's address.
        email: (tipo == "codigo").then(|| "ana@example.com".to_owned()),
        // And a confirmation's tickets and PDF.
        entradas: if tipo == "reserva-confirmada" {
            vec![EntradaNotificada {
                codigo: "7K2QX9M4TB".into(),
                enlace: "/api/entradas/7K2QX9M4TB".into(),
                qr: "/api/entradas/7K2QX9M4TB/qr.svg".into(),
            }]
        } else {
            vec![]
        },
        pdf: (tipo == "reserva-confirmada").then(|| format!("/api/reservas/r-{id}/entradas.pdf")),
    }
}

async fn contrato(s: Arc<dyn NotificacionStore>) {
    assert_eq!(
        s.registrar(&notificacion("m1", Some("u1"), "reserva-confirmada"))
            .await
            .unwrap(),
        Registro::Nueva
    );
    assert_eq!(
        s.registrar(&notificacion("m1", Some("u1"), "reserva-confirmada"))
            .await
            .unwrap(),
        Registro::Duplicada
    );
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    s.registrar(&notificacion("m2", Some("u1"), "reserva-cancelada"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    s.registrar(&notificacion("m3", None, "nuevo-evento"))
        .await
        .unwrap();

    let ids = |v: Vec<Notificacion>| v.into_iter().map(|n| n.id).collect::<Vec<_>>();
    let (todas, total) = s.listar(&Filtro::default(), 10, 0).await.unwrap();
    assert_eq!(
        (ids(todas), total),
        (vec!["m3".to_owned(), "m2".into(), "m1".into()], 3),
        "newest first"
    );
    let u1 = Filtro {
        usuario_id: Some("u1".into()),
        ..Default::default()
    };
    assert_eq!(ids(s.listar(&u1, 10, 0).await.unwrap().0), ["m2", "m1"]);
    let m1 = s.listar(&u1, 10, 0).await.unwrap().0.pop().unwrap();
    assert_eq!(
        (m1.id.as_str(), m1.enlace.as_deref()),
        ("m1", Some("/reservas/r-m1?s=secreto")),
        "the guest link is kept"
    );
    let tipo = Filtro {
        tipo: Some("nuevo-evento".into()),
        ..Default::default()
    };
    assert_eq!(ids(s.listar(&tipo, 10, 0).await.unwrap().0), ["m3"]);
    // Leaving a type out (a buyer's list never shows codes), alone and with `tipo`.
    let sin = Filtro {
        sin_tipo: Some("reserva-confirmada".into()),
        ..Default::default()
    };
    assert_eq!(ids(s.listar(&sin, 10, 0).await.unwrap().0), ["m3", "m2"]);
    let ambos = Filtro {
        tipo: Some("nuevo-evento".into()),
        sin_tipo: Some("nuevo-evento".into()),
        ..Default::default()
    };
    assert_eq!(s.listar(&ambos, 10, 0).await.unwrap().1, 0);
    let reserva = Filtro {
        reserva_id: Some("r-m1".into()),
        ..Default::default()
    };
    assert_eq!(ids(s.listar(&reserva, 10, 0).await.unwrap().0), ["m1"]);
    let (pagina, total) = s.listar(&Filtro::default(), 1, 1).await.unwrap();
    assert_eq!((ids(pagina), total), (vec!["m2".to_owned()], 3));

    // The same message racing itself: exactly one effect.
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.registrar(&notificacion("carrera", Some("u2"), "reserva-confirmada"))
                .await
                .unwrap()
        }));
    }
    let mut nuevas = 0;
    for t in tasks {
        nuevas += (t.await.unwrap() == Registro::Nueva) as usize;
    }
    assert_eq!(nuevas, 1);
    s.ping().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contrato_embebido() {
    contrato(store::from_config(&StoreConfig::Embedded).await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn contrato_mongodb() {
    let Some(uri) = testing::mongo_uri().await else {
        return;
    };
    let cfg = StoreConfig::Mongo {
        uri: uri.into(),
        database: testing::unique_name("ntf"),
    };
    contrato(store::from_config(&cfg).await.unwrap()).await;
}
