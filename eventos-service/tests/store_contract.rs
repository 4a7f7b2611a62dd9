//! Contract tests for `EventoStore`, against the embedded and MongoDB adapters: CRUD,
//! filters, and inventory transitions under many concurrent buyers.

use std::sync::Arc;

use chrono::{Duration, Utc};
use eventflow_shared::config::StoreConfig;
use eventflow_testkit as testing;
use eventos_service::domain::{
    fecha, CambiosCrudos, CambiosEvento, Confirmacion, CrearEvento, Devolucion, Efecto, Evento,
    FiltroEventos, Liberacion, NuevaZona, NuevoEvento, Retenida,
};
use eventos_service::store::{self, EventoStore, StoreError, EVENTO_DUPLICADO};

fn evento(id: &str, dias: i64, lugar: &str, zonas: &[(&str, i64, i64)]) -> Evento {
    let input = CrearEvento {
        id: Some(id.into()),
        nombre: format!("Evento {id}"),
        fecha: (Utc::now() + Duration::days(dias)).to_rfc3339(),
        // Each venue in its own zone, so the store must keep it.
        zona_horaria: Some(
            if lugar == "Lima" {
                "America/Lima"
            } else {
                "Europe/Madrid"
            }
            .into(),
        ),
        lugar: lugar.into(),
        zonas: Some(
            zonas
                .iter()
                .map(|(n, p, c)| NuevaZona {
                    nombre: (*n).into(),
                    precio: *p,
                    capacidad: *c,
                })
                .collect(),
        ),
        aforo_total: None,
        entradas_disponibles: None,
        max_por_comprador: None,
    };
    NuevoEvento::parse(&input, Utc::now(), fecha::ZONA_DEFECTO)
        .unwrap()
        .into_evento(id.into(), eventflow_shared::now())
}

/// An outcome with the available tickets the store says it left.
fn ef<T>(resultado: T, disponibles: u32) -> Option<Efecto<T>> {
    Some(Efecto {
        resultado,
        disponibles,
    })
}

async fn crud(s: Arc<dyn EventoStore>) {
    let a = evento("a", 30, "Lima", &[("General", 0, 10)]);
    let b = evento("b", 10, "Cusco", &[("VIP", 20000, 5), ("Campo", 5000, 50)]);
    let mut c = evento("c", 20, "Lima", &[("General", 0, 10)]);
    c.organizador_id = Some("0b7e2a1c-93d4-4c55-8f0e-6a1d2b3c4d5e".into());
    for e in [&a, &b, &c] {
        s.insert(e).await.unwrap();
    }
    assert!(matches!(
        s.insert(&a).await,
        Err(StoreError::Duplicate(EVENTO_DUPLICADO))
    ));
    assert_eq!(s.get("b").await.unwrap().as_ref(), Some(&b));
    assert_eq!(s.get("nope").await.unwrap(), None);

    let ids = |p: store::Pagina| p.items.into_iter().map(|e| e.id).collect::<Vec<_>>();
    let todos = s.list(&FiltroEventos::default(), 10, 0).await.unwrap();
    assert_eq!(todos.total, 3);
    assert_eq!(ids(todos), ["b", "c", "a"], "sorted by date");
    let lima = FiltroEventos {
        lugar: Some("Lima".into()),
        ..Default::default()
    };
    assert_eq!(ids(s.list(&lima, 10, 0).await.unwrap()), ["c", "a"]);
    let rango = FiltroEventos {
        desde: Some(Utc::now() + Duration::days(15)),
        hasta: Some(Utc::now() + Duration::days(25)),
        ..Default::default()
    };
    assert_eq!(ids(s.list(&rango, 10, 0).await.unwrap()), ["c"]);
    let del_organizador = FiltroEventos {
        organizador_id: c.organizador_id.clone(),
        ..Default::default()
    };
    let suyos = s.list(&del_organizador, 10, 0).await.unwrap();
    assert_eq!((suyos.total, ids(suyos)), (1, vec!["c".to_owned()]));
    let p2 = s.list(&FiltroEventos::default(), 2, 2).await.unwrap();
    assert_eq!((p2.total, ids(p2)), (3, vec!["a".to_owned()]));

    let manana = (Utc::now() + Duration::days(1)).to_rfc3339();
    let cambios = CambiosEvento::parse(
        CambiosCrudos {
            nombre: Some("Nuevo nombre"),
            fecha: Some(&manana),
            zona_horaria: Some("America/Bogota"),
            max_por_comprador: Some(4),
            ..Default::default()
        },
        fecha::ZONA_DEFECTO,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(
        s.get("b").await.unwrap().unwrap().zona_horaria.name(),
        "Europe/Madrid"
    );
    assert_eq!(s.get("a").await.unwrap().unwrap().max_por_comprador, 10);
    let up = s.update("a", &cambios).await.unwrap().unwrap();
    assert_eq!(
        (up.nombre.as_str(), up.lugar.as_str(), up.max_por_comprador),
        ("Nuevo nombre", "Lima", 4)
    );
    assert_eq!(s.get("a").await.unwrap().unwrap().max_por_comprador, 4);
    assert_eq!(
        s.get("a").await.unwrap().unwrap().zona_horaria.name(),
        "America/Bogota"
    );
    assert_eq!(
        s.ficha("a").await.unwrap().unwrap().zona_horaria.name(),
        "America/Bogota"
    );
    assert_eq!(
        ids(s.list(&FiltroEventos::default(), 10, 0).await.unwrap()),
        ["a", "b", "c"]
    );
    assert!(s.update("nope", &cambios).await.unwrap().is_none());
    s.ping().await.unwrap();
}

async fn transitions(s: Arc<dyn EventoStore>) {
    let e = evento("t", 5, "Lima", &[("VIP", 20000, 5), ("Campo", 5000, 50)]);
    s.insert(&e).await.unwrap();
    let now = Utc::now();
    assert_eq!(
        s.retener("t", "r1", 0, 3, now).await.unwrap(),
        ef(Retenida::Si, 2)
    );
    assert_eq!(
        s.retener("t", "r1", 0, 3, now).await.unwrap(),
        ef(Retenida::YaRetenida, 2)
    );
    assert_eq!(
        s.retener("t", "r2", 0, 3, now).await.unwrap(),
        ef(
            Retenida::Agotado {
                disponibles: 2,
                retenidas: 3
            },
            2
        )
    );
    assert_eq!(s.retener("nope", "r2", 0, 1, now).await.unwrap(), None);
    let got = s.get("t").await.unwrap().unwrap();
    assert_eq!(
        (got.zonas[0].disponibles, got.entradas_disponibles()),
        (2, 52)
    );
    assert_eq!(got.retenciones["r1"].cantidad, 3);

    assert_eq!(
        s.confirmar("t", "r1", None).await.unwrap(),
        ef(Confirmacion::Confirmada, 2)
    );
    assert_eq!(
        s.confirmar("t", "r1", None).await.unwrap(),
        ef(Confirmacion::YaConfirmada, 2)
    );
    assert_eq!(
        s.retener("t", "r1", 0, 1, now).await.unwrap(),
        ef(Retenida::YaVendida, 2)
    );
    let got = s.get("t").await.unwrap().unwrap();
    assert_eq!((got.zonas[0].disponibles, got.zonas[0].vendidas), (2, 3));
    assert!(got.retenciones.is_empty());

    assert_eq!(
        s.retener("t", "r3", 1, 10, now).await.unwrap(),
        ef(Retenida::Si, 40)
    );
    assert_eq!(
        s.liberar("t", "r3").await.unwrap(),
        ef(Liberacion::Liberada, 50)
    );
    // Nothing held under r3 any more: the whole event's count (2 + 50).
    assert_eq!(
        s.liberar("t", "r3").await.unwrap(),
        ef(Liberacion::SinRetencion, 52)
    );
    assert_eq!(
        s.confirmar("t", "r3", None).await.unwrap(),
        ef(Confirmacion::SinRetencion, 52)
    );
    assert_eq!(
        s.devolver("t", "r1").await.unwrap(),
        ef(Devolucion::Devuelta, 5)
    );
    assert_eq!(
        s.devolver("t", "r1").await.unwrap(),
        ef(Devolucion::SinVenta, 55)
    );
    let got = s.get("t").await.unwrap().unwrap();
    assert_eq!(
        got.zonas
            .iter()
            .map(|z| (z.disponibles, z.vendidas))
            .collect::<Vec<_>>(),
        [(5, 0), (50, 0)]
    );
    assert_eq!(got.entradas_disponibles(), 55);

    // The reaper's view: only holds older than the cut.
    let viejo = Utc::now() - Duration::minutes(10);
    s.retener("t", "vieja", 1, 1, viejo).await.unwrap();
    s.retener("t", "nueva", 1, 1, Utc::now()).await.unwrap();
    let antiguas = s
        .retenciones_antiguas(Utc::now() - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(antiguas, [("t".to_owned(), "vieja".to_owned())]);

    // `ficha` and `list`: the same event and counters, without the per-reservation maps.
    let full = s.get("t").await.unwrap().unwrap();
    assert_eq!(full.retenciones.len(), 2);
    let ficha = s.ficha("t").await.unwrap().unwrap();
    assert_eq!((&ficha.zonas, &ficha.nombre), (&full.zonas, &full.nombre));
    assert!(ficha.retenciones.is_empty() && ficha.ventas.is_empty() && ficha.outbox.is_empty());
    let listed = s.list(&FiltroEventos::default(), 10, 0).await.unwrap();
    assert_eq!(listed.items[0].zonas, full.zonas);
    assert!(listed.items[0].retenciones.is_empty());
    assert_eq!(s.ficha("nope").await.unwrap(), None);
}

/// 500 distinct buyers race for 100 tickets: exactly 100 holds, none oversold; then
/// half confirm and half release, and the counters add up.
async fn race(s: Arc<dyn EventoStore>) {
    s.insert(&evento("race", 5, "Lima", &[("General", 0, 100)]))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..500 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.retener("race", &format!("r{i}"), 0, 1, Utc::now())
                .await
                .unwrap()
                .unwrap()
                .resultado
        }));
    }
    let (mut held, mut agotado) = (Vec::new(), 0);
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Retenida::Si => held.push(format!("r{i}")),
            // Sold out while all 100 are only held: the answer says so.
            Retenida::Agotado {
                disponibles,
                retenidas,
            } => {
                assert!(
                    disponibles == 0 && retenidas > 0,
                    "{disponibles} {retenidas}"
                );
                agotado += 1
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((held.len(), agotado), (100, 400));
    let e = s.get("race").await.unwrap().unwrap();
    assert_eq!((e.zonas[0].disponibles, e.retenciones.len()), (0, 100));

    let mut tasks = Vec::new();
    for (i, rid) in held.into_iter().enumerate() {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            if i % 2 == 0 {
                assert_eq!(
                    s.confirmar("race", &rid, None)
                        .await
                        .unwrap()
                        .unwrap()
                        .resultado,
                    Confirmacion::Confirmada
                );
            } else {
                assert_eq!(
                    s.liberar("race", &rid).await.unwrap().unwrap().resultado,
                    Liberacion::Liberada
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let e = s.get("race").await.unwrap().unwrap();
    assert_eq!(
        (
            e.zonas[0].disponibles,
            e.zonas[0].vendidas,
            e.entradas_disponibles()
        ),
        (50, 50, 50)
    );
    assert!(e.retenciones.is_empty());
    assert_eq!(e.ventas.len(), 50);
}

/// Holds come and go on a small event while other buyers keep trying: every `agotado`
/// must be true of the snapshot it reports (fewer free tickets than asked), never a
/// "sold out" said while a ticket was free because a release landed mid-answer.
async fn agotado_coherente(s: Arc<dyn EventoStore>) {
    s.insert(&evento("churn", 5, "Lima", &[("General", 0, 1)]))
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for w in 0..24 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let mut agotados = Vec::new();
            for i in 0..25 {
                let rid = format!("w{w}-{i}");
                let e = s
                    .retener("churn", &rid, 0, 1, Utc::now())
                    .await
                    .unwrap()
                    .unwrap();
                match e.resultado {
                    Retenida::Si => {
                        // Keep it a moment, so others meet a sold-out zone.
                        for _ in 0..3 {
                            tokio::task::yield_now().await;
                        }
                        s.liberar("churn", &rid).await.unwrap();
                    }
                    Retenida::Agotado {
                        disponibles,
                        retenidas,
                    } => agotados.push((disponibles, retenidas)),
                    other => panic!("unexpected {other:?}"),
                }
            }
            agotados
        }));
    }
    let mut n = 0;
    for t in tasks {
        for (disponibles, retenidas) in t.await.unwrap() {
            assert!(disponibles < 1, "agotado with {disponibles} free");
            assert_eq!(disponibles + retenidas, 1, "same snapshot");
            n += 1;
        }
    }
    assert!(
        n > 0,
        "the churn must produce some agotado answers to check"
    );
    let e = s.get("churn").await.unwrap().unwrap();
    assert_eq!((e.zonas[0].disponibles, e.retenciones.len()), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agotado_coherente_embedded() {
    agotado_coherente(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agotado_coherente_mongodb() {
    let Some(s) = mongo().await else { return };
    agotado_coherente(s).await;
}

async fn mongo() -> Option<Arc<dyn EventoStore>> {
    let uri = testing::mongo_uri().await?;
    let cfg = StoreConfig::Mongo {
        uri: uri.into(),
        database: testing::unique_name("evt"),
    };
    Some(store::from_config(&cfg).await.unwrap())
}

async fn embedded() -> Arc<dyn EventoStore> {
    store::from_config(&StoreConfig::Embedded).await.unwrap()
}

#[tokio::test]
async fn crud_embedded() {
    crud(embedded().await).await;
}

#[tokio::test]
async fn crud_mongodb() {
    let Some(s) = mongo().await else { return };
    crud(s).await;
}

#[tokio::test]
async fn transitions_embedded() {
    transitions(embedded().await).await;
}

#[tokio::test]
async fn transitions_mongodb() {
    let Some(s) = mongo().await else { return };
    transitions(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn race_500_buyers_100_tickets_embedded() {
    race(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn race_500_buyers_100_tickets_mongodb() {
    let Some(s) = mongo().await else { return };
    race(s).await;
}

/// The outbox: messages stored with the event are listed until marked sent, once each.
async fn outbox(s: Arc<dyn EventoStore>) {
    use eventflow_shared::bus::{Pendiente, EVENT_CREATED};
    let mut e = evento("ob", 5, "Lima", &[("General", 0, 10)]);
    let p = Pendiente::new(EVENT_CREATED, "corr", serde_json::json!({"eventId": "ob"}));
    e.outbox.push(p.clone());
    s.insert(&e).await.unwrap();
    s.insert(&evento("sin", 5, "Lima", &[("General", 0, 10)]))
        .await
        .unwrap();
    let pend = s.pendientes(10).await.unwrap();
    assert_eq!(pend, vec![("ob".to_owned(), p.clone())]);
    s.enviado("ob", p.envelope.message_id).await.unwrap();
    assert!(
        s.pendientes(10).await.unwrap().is_empty(),
        "marked sent means gone"
    );
    s.enviado("ob", p.envelope.message_id).await.unwrap();
    // Inventory changes leave the outbox alone.
    s.retener("ob", "r1", 0, 1, Utc::now()).await.unwrap();
    assert!(s.pendientes(10).await.unwrap().is_empty());

    // Several owners at once, as the relay marks a whole pass: one with one message,
    // one with two. Marked once; marking again changes nothing.
    let mut a = evento("ob-a", 5, "Lima", &[("General", 0, 10)]);
    a.outbox.push(Pendiente::new(
        EVENT_CREATED,
        "c",
        serde_json::json!({"eventId": "ob-a"}),
    ));
    let mut b = evento("ob-b", 5, "Lima", &[("General", 0, 10)]);
    for _ in 0..2 {
        b.outbox.push(Pendiente::new(
            EVENT_CREATED,
            "c",
            serde_json::json!({"eventId": "ob-b"}),
        ));
    }
    s.insert(&a).await.unwrap();
    s.insert(&b).await.unwrap();
    let pend = s.pendientes(10).await.unwrap();
    assert_eq!(pend.len(), 3, "{pend:?}");
    let lista: Vec<(String, uuid::Uuid)> = pend
        .iter()
        .map(|(d, p)| (d.clone(), p.envelope.message_id))
        .collect();
    s.enviados(&lista).await.unwrap();
    assert!(s.pendientes(10).await.unwrap().is_empty());
    s.enviados(&lista).await.unwrap();
    assert!(s.pendientes(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn outbox_embedded() {
    outbox(embedded().await).await;
}

#[tokio::test]
async fn outbox_mongodb() {
    let Some(s) = mongo().await else { return };
    outbox(s).await;
}

/// Sales leave the event's document (MongoDB moves them to `ventas` with
/// `archivar_ventas`): before and after the move, every call answers as if they were
/// still there, and a return is final.
async fn archivo(s: Arc<dyn EventoStore>) {
    s.insert(&evento("arch", 5, "Lima", &[("General", 0, 100)]))
        .await
        .unwrap();
    let now = Utc::now();
    for rid in ["r1", "r2", "r3", "r4", "r5"] {
        s.retener("arch", rid, 0, 1, now).await.unwrap();
    }
    // The right hint, a wrong one and none: all confirm the hold there is.
    assert_eq!(
        s.confirmar("arch", "r1", Some((0, 1))).await.unwrap(),
        ef(Confirmacion::Confirmada, 95)
    );
    assert_eq!(
        s.confirmar("arch", "r2", Some((0, 7))).await.unwrap(),
        ef(Confirmacion::Confirmada, 95)
    );
    assert_eq!(
        s.confirmar("arch", "r4", None).await.unwrap(),
        ef(Confirmacion::Confirmada, 95)
    );
    assert_eq!(
        s.liberar("arch", "r3").await.unwrap(),
        ef(Liberacion::Liberada, 96)
    );
    // A sold hold not moved yet: a release never undoes it, the reaper never lists it.
    assert_eq!(
        s.liberar("arch", "r4").await.unwrap(),
        ef(Liberacion::SinRetencion, 96)
    );
    let antiguas = s
        .retenciones_antiguas(Utc::now() + Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(antiguas, [("arch".to_owned(), "r5".to_owned())]);
    // Returned before the move, then moved: it stays returned.
    assert_eq!(
        s.devolver("arch", "r4").await.unwrap(),
        ef(Devolucion::Devuelta, 97)
    );
    let movidas = s.archivar_ventas().await.unwrap();
    if s.backend() == "mongodb" {
        assert_eq!(movidas, 2, "r1 and r2 leave the document");
    }
    assert_eq!(
        s.archivar_ventas().await.unwrap(),
        0,
        "nothing left to move"
    );
    assert_eq!(
        s.confirmar("arch", "r1", Some((0, 1))).await.unwrap(),
        ef(Confirmacion::YaConfirmada, 97)
    );
    assert_eq!(
        s.confirmar("arch", "r4", None).await.unwrap(),
        ef(Confirmacion::SinRetencion, 97)
    );
    let e = s.get("arch").await.unwrap().unwrap();
    assert_eq!(
        e.ventas.keys().map(String::as_str).collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    assert_eq!(e.retenciones.keys().collect::<Vec<_>>(), ["r5"]);
    assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (97, 2));
    // Returned after the move: once.
    assert_eq!(
        s.devolver("arch", "r1").await.unwrap(),
        ef(Devolucion::Devuelta, 98)
    );
    assert_eq!(
        s.devolver("arch", "r1").await.unwrap(),
        ef(Devolucion::SinVenta, 98)
    );
    assert_eq!(
        s.confirmar("arch", "r1", None).await.unwrap(),
        ef(Confirmacion::SinRetencion, 98)
    );
    let e = s.get("arch").await.unwrap().unwrap();
    assert_eq!(e.ventas.keys().collect::<Vec<_>>(), ["r2"]);
    assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (98, 1));
    // The event has started: no more holds.
    assert_eq!(
        s.retener("arch", "r9", 0, 1, Utc::now() + Duration::days(6))
            .await
            .unwrap()
            .map(|e| e.resultado),
        Some(Retenida::FueraDeVenta)
    );
}

#[tokio::test]
async fn archivo_embedded() {
    archivo(embedded().await).await;
}

#[tokio::test]
async fn archivo_mongodb() {
    let Some(s) = mongo().await else { return };
    archivo(s).await;
}

/// 200 buyers confirm and then half of them cancel, while the archiver keeps moving
/// sales out of the document: no sale is lost, doubled or returned twice, and the
/// counters match the sales that remain.
async fn archivo_en_carrera(s: Arc<dyn EventoStore>) {
    s.insert(&evento("carrera", 5, "Lima", &[("General", 0, 300)]))
        .await
        .unwrap();
    let archivador = {
        let s = s.clone();
        tokio::spawn(async move {
            loop {
                s.archivar_ventas().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
    };
    let mut tasks = Vec::new();
    for i in 0..200 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let rid = format!("c{i}");
            s.retener("carrera", &rid, 0, 1, Utc::now()).await.unwrap();
            assert_eq!(
                s.confirmar("carrera", &rid, Some((0, 1)))
                    .await
                    .unwrap()
                    .unwrap()
                    .resultado,
                Confirmacion::Confirmada
            );
            if i % 2 == 1 {
                // Twice, as a retried cancellation would: returned once.
                let a = s.devolver("carrera", &rid).await.unwrap().unwrap();
                let b = s.devolver("carrera", &rid).await.unwrap().unwrap();
                assert_eq!(
                    (a.resultado, b.resultado),
                    (Devolucion::Devuelta, Devolucion::SinVenta)
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    archivador.abort();
    s.archivar_ventas().await.unwrap();
    let e = s.get("carrera").await.unwrap().unwrap();
    let esperadas: Vec<String> = {
        let mut v: Vec<String> = (0..200).step_by(2).map(|i| format!("c{i}")).collect();
        v.sort();
        v
    };
    assert_eq!(e.ventas.keys().cloned().collect::<Vec<_>>(), esperadas);
    assert!(e.retenciones.is_empty(), "{:?}", e.retenciones);
    assert_eq!(
        (
            e.zonas[0].disponibles,
            e.zonas[0].vendidas,
            e.entradas_disponibles()
        ),
        (200, 100, 200)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn archivo_en_carrera_embedded() {
    archivo_en_carrera(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn archivo_en_carrera_mongodb() {
    let Some(s) = mongo().await else { return };
    archivo_en_carrera(s).await;
}

/// The event document does not grow with its sales: after 400 sales and the archiver's
/// runs it is the size it had before the first (give or take its counters' digits).
#[tokio::test]
async fn documento_de_tamano_constante_mongodb() {
    use bson::{doc, Document};
    let Some(uri) = testing::mongo_uri().await else {
        return;
    };
    let nombre = testing::unique_name("evt");
    let s = store::from_config(&StoreConfig::Mongo {
        uri: uri.clone().into(),
        database: nombre.clone(),
    })
    .await
    .unwrap();
    let db = eventflow_shared::mongo::connect(&uri, &nombre)
        .await
        .unwrap();
    let tamano = || async {
        let d = db
            .collection::<Document>("eventos")
            .find_one(doc! { "_id": "grande" })
            .await
            .unwrap()
            .unwrap();
        bson::to_vec(&d).unwrap().len()
    };
    s.insert(&evento("grande", 5, "Lima", &[("General", 0, 10_000)]))
        .await
        .unwrap();
    let antes = tamano().await;
    for lote in 0..8 {
        for i in 0..50 {
            let rid = format!("v{lote}-{i}");
            s.retener("grande", &rid, 0, 1, Utc::now()).await.unwrap();
            s.confirmar("grande", &rid, Some((0, 1))).await.unwrap();
        }
        assert_eq!(s.archivar_ventas().await.unwrap(), 50);
    }
    let despues = tamano().await;
    assert!(
        despues <= antes + 64,
        "the event document grew from {antes} to {despues} bytes over 400 sales"
    );
    assert_eq!(s.get("grande").await.unwrap().unwrap().ventas.len(), 400);
}

/// Tickets given back one by one (one ticket of a reservation cancelled alone): each
/// code returns one seat once, before and after the sale leaves the document, however
/// many tries race; never more seats than the sale had; a whole return afterwards
/// returns only the rest.
async fn una_a_una(s: Arc<dyn EventoStore>) {
    s.insert(&evento("unas", 5, "Lima", &[("General", 0, 20)]))
        .await
        .unwrap();
    let now = Utc::now();
    for (rid, n) in [("r1", 3), ("r2", 4)] {
        s.retener("unas", rid, 0, n, now).await.unwrap();
        s.confirmar("unas", rid, Some((0, n))).await.unwrap();
    }
    assert_eq!(
        s.devolver_una("unas", "r2", "AAAAAAAAA1").await.unwrap(),
        ef(Devolucion::Devuelta, 14)
    );
    s.archivar_ventas().await.unwrap();
    assert_eq!(
        s.devolver_una("unas", "r2", "AAAAAAAAA1").await.unwrap(),
        ef(Devolucion::SinVenta, 14),
        "a retry returns nothing more"
    );
    assert_eq!(
        s.devolver_una("unas", "r2", "AAAAAAAAA2").await.unwrap(),
        ef(Devolucion::Devuelta, 15)
    );
    assert_eq!(
        s.get("unas").await.unwrap().unwrap().ventas["r2"].cantidad,
        2
    );
    assert_eq!(
        s.devolver("unas", "r2").await.unwrap(),
        ef(Devolucion::Devuelta, 17),
        "the rest: two"
    );
    // r1's 3 tickets: 4 codes, each tried 5 times at once, while the archiver runs.
    let archivador = {
        let s = s.clone();
        tokio::spawn(async move {
            loop {
                s.archivar_ventas().await.unwrap();
                tokio::time::sleep(std::time::Duration::from_millis(3)).await;
            }
        })
    };
    let mut tareas = Vec::new();
    for i in 0..20 {
        let s = s.clone();
        tareas.push(tokio::spawn(async move {
            let codigo = format!("BBBBBBBBB{}", i % 4);
            s.devolver_una("unas", "r1", &codigo)
                .await
                .unwrap()
                .unwrap()
                .resultado
        }));
    }
    let mut devueltas = 0;
    for t in tareas {
        if t.await.unwrap() == Devolucion::Devuelta {
            devueltas += 1;
        }
    }
    archivador.abort();
    assert_eq!(devueltas, 3, "three seats, never four");
    let e = s.get("unas").await.unwrap().unwrap();
    assert_eq!(e.ventas.get("r1").map_or(0, |v| v.cantidad), 0);
    assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (20, 0));
    assert_eq!(
        s.devolver("unas", "r1").await.unwrap(),
        ef(Devolucion::SinVenta, 20)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn una_a_una_embedded() {
    una_a_una(embedded().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn una_a_una_mongodb() {
    let Some(s) = mongo().await else { return };
    una_a_una(s).await;
}
