//! The door when the answer or the network is lost, on both backends: an online scan
//! repeated with its nonce is admitted again (never `ya-usada`); the scanner's offline
//! list (keys, tickets, revoked codes, changes since a version); its queue uploaded
//! later, idempotent by nonce, where the earliest scan wins and a second admission is
//! `forzada`, listed with both gates; and concurrent uploads that never admit a ticket
//! twice.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use eventflow_testkit::respuestas::json_de;
use serde_json::{json, Value};

use super::common::{self, Backend, Stack};
use super::entradas_comun::{codigos, comprar, ingresar};
use reservas_pagos_service::domain::EstadoEntrada;

/// `POST /api/eventos/{evento}/ingresos/lote` as the admin: (status, body).
async fn lote(s: &Stack, evento: &str, cuerpo: &Value) -> (u16, Value) {
    let r = s
        .http
        .post(format!("{}/api/eventos/{evento}/ingresos/lote", s.eventos))
        .json(cuerpo)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn lista(s: &Stack, evento: &str, desde: Option<i64>) -> Value {
    let q = desde.map(|d| format!("?desde={d}")).unwrap_or_default();
    json_de(s.http.get(format!(
        "{}/api/eventos/{evento}/ingresos/lista{q}",
        s.eventos
    )))
    .await
}

fn hace(minutos: i64) -> DateTime<Utc> {
    eventflow_shared::now() - Duration::minutes(minutos)
}

/// A gate whose answer was lost scans again with the same nonce: 200 again. Another
/// nonce is another scan: `ya-usada`. 20 scans at once, half with one nonce: one
/// admission.
async fn nonce_idempotente(backend: Backend) {
    let s = Arc::new(common::stack(backend).await);
    let e = s.evento(&[("General", 1_000, 10)]).await;
    let r = comprar(&s, &e, 2, 1).await;
    let (c1, c2) = (codigos(&r)[0].clone(), codigos(&r)[1].clone());
    let pedido = json!({"codigo": c1, "puerta": "Norte", "nonce": "scan-0001-norte"});
    let (st, primera) = ingresar(&s, &e, pedido.clone()).await;
    assert_eq!(st, 200, "{primera}");
    let (st, otra_vez) = ingresar(&s, &e, pedido).await;
    assert_eq!((st, &otra_vez), (200, &primera), "the lost answer, again");
    let (st, b) = ingresar(&s, &e, json!({"codigo": c1, "nonce": "scan-0002-sur"})).await;
    assert_eq!((st, &b["motivo"]), (409, &json!("ya-usada")), "{b}");
    assert_eq!(b["puerta"], "Norte");
    let (st, b) = ingresar(&s, &e, json!({"codigo": c1})).await;
    assert_eq!((st, &b["motivo"]), (409, &json!("ya-usada")), "{b}");
    for malo in ["corto", &"x".repeat(65), "con espacio 1"] {
        let (st, b) = ingresar(&s, &e, json!({"codigo": c2, "nonce": malo})).await;
        assert_eq!(st, 422, "{malo}: {b}");
        assert!(
            b["errors"][0]["mensaje"]
                .as_str()
                .unwrap()
                .contains("caracteres"),
            "{b}"
        );
    }

    // 20 at once: 10 repeat one scan, 10 are other scans.
    let mut tareas = Vec::new();
    for i in 0..20 {
        let (s, e, c) = (s.clone(), e.clone(), c2.clone());
        let nonce = if i % 2 == 0 {
            "el-mismo-escaneo".to_owned()
        } else {
            format!("otro-escaneo-{i:02}")
        };
        tareas.push(tokio::spawn(async move {
            let (st, b) = ingresar(&s, &e, json!({"codigo": c, "nonce": nonce.clone()})).await;
            (nonce, st, b)
        }));
    }
    let res: Vec<(String, u16, Value)> = futures::future::join_all(tareas)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let t = s.deps.reservas.por_codigo(&c2).await.unwrap().unwrap();
    let usada = t.entradas.iter().find(|x| x.codigo == c2).unwrap();
    assert_eq!(usada.estado, EstadoEntrada::Usada);
    let ganador = usada.nonce.clone().expect("stored with the admission");
    for (nonce, st, b) in &res {
        if *nonce == ganador {
            assert_eq!(*st, 200, "{nonce}: {b}");
        } else {
            assert_eq!(
                (*st, &b["motivo"]),
                (409, &json!("ya-usada")),
                "{nonce}: {b}"
            );
        }
    }
    let admitidas = res.iter().filter(|(_, st, _)| *st == 200).count();
    let esperadas = if ganador == "el-mismo-escaneo" { 10 } else { 1 };
    assert_eq!(admitidas, esperadas, "{res:?}");
}

/// Two scanners admit one ticket offline; the later upload reports it `forzada` with
/// both gates, and the organizer's conflicts list both. A revoked code is in the list
/// and refused in the batch; the same batch twice changes nothing; the earliest scan
/// wins over an online admission; a scan made before an annulment is a forced entry.
async fn dos_escaneres_sin_red(backend: Backend) {
    let s = common::stack(backend).await;
    let e = s.evento(&[("Platea", 15_000, 10)]).await;
    let r = comprar(&s, &e, 3, 1).await;
    let cs = codigos(&r);
    let anulada = comprar(&s, &e, 1, 2).await;
    let revocada = codigos(&anulada)[0].clone();

    let l = lista(&s, &e, None).await;
    assert_eq!(
        (&l["evento_id"], &l["completa"]),
        (&json!(e), &json!(true)),
        "{l}"
    );
    assert_eq!(l["claves"][0]["estado"], "ACTIVA", "{l}");
    assert_eq!(l["entradas"].as_array().unwrap().len(), 4, "{l}");
    assert!(l["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["estado"] == "VALIDA" && x["zona"] == "Platea"));
    assert_eq!(l["revocadas"], json!([]));
    let cancelada_en = eventflow_shared::now();
    let c = s
        .http
        .post(format!(
            "{}/api/reservas/{}/cancelar",
            s.reservas,
            anulada["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200);
    let l = lista(&s, &e, None).await;
    assert_eq!(l["revocadas"], json!([revocada]), "{l}");

    // Gate A at 20:00, gate B at 20:05, both offline, the same ticket.
    let (ta, tb) = (hace(30), hace(25));
    let a = json!({"puerta": "A", "escaneos": [{"nonce": "a-000000001", "codigo": cs[0], "escaneado_en": ta}]});
    let (st, ra) = lote(&s, &e, &a).await;
    assert_eq!(st, 200, "{ra}");
    assert_eq!(
        ra,
        json!({"aceptados": 1, "repetidos": 0, "forzados": [], "rechazados": []})
    );
    let b = json!({"puerta": "B", "escaneos": [
        {"nonce": "b-000000001", "codigo": cs[0], "escaneado_en": tb},
        {"nonce": "b-000000002", "codigo": revocada, "escaneado_en": eventflow_shared::now()},
        {"nonce": "b-000000003", "qr": "EF1.x.y.z.w.firma", "escaneado_en": tb},
        {"nonce": "b-000000004", "codigo": "0000000000", "escaneado_en": tb},
        {"nonce": "b-000000005", "codigo": cs[1], "escaneado_en": tb, "puerta": "B2"},
    ]});
    let (st, rb) = lote(&s, &e, &b).await;
    assert_eq!(st, 200, "{rb}");
    assert_eq!(
        (&rb["aceptados"], &rb["repetidos"]),
        (&json!(1), &json!(0)),
        "{rb}"
    );
    assert_eq!(
        rb["forzados"],
        json!([{"codigo": cs[0], "nonce": "b-000000001", "puerta": "B", "escaneado_en": tb,
            "primera": {"puerta": "A", "usada_en": ta}, "motivo": "ya-usada"}]),
        "{rb}"
    );
    let motivos: Vec<(&str, &str)> = rb["rechazados"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["nonce"].as_str().unwrap(), x["motivo"].as_str().unwrap()))
        .collect();
    assert_eq!(
        motivos,
        [
            ("b-000000002", "anulada"),
            ("b-000000003", "firma-invalida"),
            ("b-000000004", "no-existe")
        ]
    );
    // Uploaded again (the answer was lost): nothing changes.
    let antes = s.get_reserva(r["id"].as_str().unwrap()).await;
    let (st, otra) = lote(&s, &e, &b).await;
    assert_eq!(st, 200);
    assert_eq!(
        (&otra["aceptados"], &otra["repetidos"]),
        (&json!(0), &json!(2)),
        "{otra}"
    );
    assert_eq!(otra["forzados"], json!([]));
    assert_eq!(otra["rechazados"], rb["rechazados"]);
    assert_eq!(
        s.get_reserva(r["id"].as_str().unwrap()).await["entradas"],
        antes["entradas"]
    );

    // Online now, then an upload of an earlier offline scan: the earliest wins.
    let (st, _) = ingresar(&s, &e, json!({"codigo": cs[2], "puerta": "En línea"})).await;
    assert_eq!(st, 200);
    let tc = hace(10);
    let (_, rc) = lote(&s, &e, &json!({"escaneos": [
        {"nonce": "c-000000001", "codigo": cs[2], "escaneado_en": tc, "puerta": "C"},
        // Before the annulment: the person went in.
        {"nonce": "c-000000002", "codigo": revocada, "escaneado_en": cancelada_en - Duration::minutes(1), "puerta": "C"},
    ]}))
    .await;
    assert_eq!(rc["aceptados"], 1, "{rc}");
    let f = &rc["forzados"].as_array().unwrap();
    assert_eq!(f.len(), 2, "{rc}");
    assert_eq!(
        (
            &f[0]["codigo"],
            &f[0]["nonce"],
            &f[0]["puerta"],
            &f[0]["primera"]["puerta"]
        ),
        (&json!(cs[2]), &json!(null), &json!("En línea"), &json!("C")),
        "{rc}"
    );
    assert_eq!(
        (&f[1]["codigo"], &f[1]["motivo"], &f[1]["primera"]),
        (&json!(revocada), &json!("anulada"), &json!(null)),
        "{rc}"
    );
    let t = s.deps.reservas.por_codigo(&cs[2]).await.unwrap().unwrap();
    let t = t.entradas.iter().find(|x| x.codigo == cs[2]).unwrap();
    assert_eq!((t.puerta.as_deref(), t.usada_en), (Some("C"), Some(tc)));

    // The organizer's page: every ticket let in twice, with both gates and times.
    let k: Value = json_de(
        s.http
            .get(format!("{}/api/eventos/{e}/ingresos/conflictos", s.eventos)),
    )
    .await;
    let mut esperados = vec![
        json!({"codigo": cs[0], "zona": "Platea", "titular": null, "escaneos": [
            {"puerta": "A", "escaneado_en": ta, "nonce": "a-000000001"},
            {"puerta": "B", "escaneado_en": tb, "nonce": "b-000000001"}]}),
        json!({"codigo": cs[2], "zona": "Platea", "titular": null, "escaneos": [
            {"puerta": "C", "escaneado_en": tc, "nonce": "c-000000001"},
            {"puerta": "En línea", "escaneado_en": k["conflictos"].as_array().unwrap().iter()
                .find(|x| x["codigo"] == cs[2]).map(|x| x["escaneos"][1]["escaneado_en"].clone()).unwrap_or_default(), "nonce": null}]}),
        json!({"codigo": revocada, "zona": "Platea", "titular": null, "escaneos": [
            {"puerta": "C", "escaneado_en": cancelada_en - Duration::minutes(1), "nonce": "c-000000002"}]}),
    ];
    esperados.sort_by(|a, b| a["codigo"].as_str().cmp(&b["codigo"].as_str()));
    assert_eq!(k["conflictos"], json!(esperados), "{k}");
    let resumen: Value = json_de(
        s.http
            .get(format!("{}/api/eventos/{e}/ingresos/resumen", s.eventos)),
    )
    .await;
    assert_eq!(resumen["admitidas"], 3, "{resumen}");
}

/// 4 scanners upload overlapping queues at once (and again) while an online gate scans
/// every ticket: every ticket is admitted once, at its earliest scan, with the others as
/// forced entries.
async fn cuatro_lotes_a_la_vez(backend: Backend) {
    const N: usize = 24;
    let s = Arc::new(common::stack(backend).await);
    let e = s.evento(&[("General", 1_000, N as i64)]).await;
    let mut todos = Vec::new();
    for i in 0..N / 6 {
        todos.extend(codigos(&comprar(&s, &e, 6, i).await));
    }
    let lotes: Vec<Value> = (0..4)
        .map(|g| {
            let escaneos: Vec<Value> = todos
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    // A different earliest gate for different tickets.
                    let minuto = ((i + g * 7) % 4) as i64;
                    json!({"nonce": format!("g{g}-{i:04}-xxxx"), "codigo": c,
                        "escaneado_en": hace(60 - minuto), "puerta": format!("P{g}")})
                })
                .collect();
            json!({ "escaneos": escaneos })
        })
        .collect();
    let lotes = Arc::new(lotes);
    for ronda in 0..2 {
        let subidas = (0..4).map(|g| {
            let (s, e, lotes) = (s.clone(), e.clone(), lotes.clone());
            tokio::spawn(async move { lote(&s, &e, &lotes[g]).await })
        });
        // Meanwhile an online gate scans every ticket (now: later than any offline scan).
        let en_linea = (ronda == 0).then(|| {
            let (s, e, todos) = (s.clone(), e.clone(), todos.clone());
            tokio::spawn(async move {
                for c in &todos {
                    let (st, b) =
                        ingresar(&s, &e, json!({"codigo": c, "puerta": "En línea"})).await;
                    assert!(
                        st == 200 || (st == 409 && b["motivo"] == "ya-usada"),
                        "{st} {b}"
                    );
                }
            })
        });
        let res: Vec<(u16, Value)> = futures::future::join_all(subidas)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        if let Some(t) = en_linea {
            t.await.unwrap();
        }
        assert!(
            res.iter()
                .all(|(st, b)| *st == 200 && b["rechazados"] == json!([])),
            "{res:?}"
        );
        let repetidos: u64 = res
            .iter()
            .map(|(_, b)| b["repetidos"].as_u64().unwrap())
            .sum();
        assert_eq!(
            repetidos,
            if ronda == 0 { 0 } else { 4 * N as u64 },
            "{res:?}"
        );
    }
    let mut primeras: HashMap<String, DateTime<Utc>> = HashMap::new();
    for l in lotes.iter() {
        for x in l["escaneos"].as_array().unwrap() {
            let t: DateTime<Utc> = serde_json::from_value(x["escaneado_en"].clone()).unwrap();
            let p = primeras
                .entry(x["codigo"].as_str().unwrap().to_owned())
                .or_insert(t);
            *p = (*p).min(t);
        }
    }
    for c in &todos {
        let r = s.deps.reservas.por_codigo(c).await.unwrap().unwrap();
        let t = r.entradas.iter().find(|x| x.codigo == *c).unwrap();
        assert_eq!(t.estado, EstadoEntrada::Usada);
        assert_eq!(t.usada_en, Some(primeras[c]), "the earliest scan: {t:?}");
        // The other three offline scans, and the online one if it got in before them.
        let en_linea = t.forzados.iter().filter(|f| f.nonce.is_none()).count();
        assert!(en_linea <= 1, "{t:?}");
        assert_eq!(t.forzados.len(), 3 + en_linea, "the others forced: {t:?}");
    }
    let k: Value = json_de(
        s.http
            .get(format!("{}/api/eventos/{e}/ingresos/conflictos", s.eventos)),
    )
    .await;
    assert_eq!(k["conflictos"].as_array().unwrap().len(), N);
    assert!(k["conflictos"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| (4..=5).contains(&x["escaneos"].as_array().unwrap().len())));
}

/// `desde` sends only what changed after a version; a batch is at most 500 scans, and
/// 500 scans fit in the body even past the usual 64 KiB.
async fn lista_desde_y_limites(backend: Backend) {
    let s = common::stack(backend).await;
    let e = s.evento(&[("General", 1_000, 10)]).await;
    let r1 = comprar(&s, &e, 2, 1).await;
    let r2 = comprar(&s, &e, 2, 2).await;
    // Past the list's safety margin, so the purchases are before its version.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let l = lista(&s, &e, None).await;
    assert_eq!(l["entradas"].as_array().unwrap().len(), 4);
    let v = l["version"].as_i64().unwrap();
    let nada = lista(&s, &e, Some(v)).await;
    assert_eq!(
        (&nada["completa"], &nada["entradas"]),
        (&json!(false), &json!([])),
        "{nada}"
    );
    assert!(nada["version"].as_i64().unwrap() >= v);
    let c = codigos(&r1)[1].clone();
    let (st, _) = ingresar(&s, &e, json!({"codigo": c, "puerta": "Norte"})).await;
    assert_eq!(st, 200);
    let cambios = lista(&s, &e, Some(v)).await;
    let mut vistos: Vec<(String, String)> = cambios["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["codigo"].as_str().unwrap().to_owned(),
                x["estado"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    vistos.sort();
    let mut esperados: Vec<(String, String)> = codigos(&r1)
        .into_iter()
        .map(|x| {
            let estado = if x == c { "USADA" } else { "VALIDA" };
            (x, estado.to_owned())
        })
        .collect();
    esperados.sort();
    assert_eq!(vistos, esperados, "only the changed reservation: {cambios}");
    assert!(!cambios.to_string().contains(&codigos(&r2)[0]));
    let r = s
        .http
        .get(format!(
            "{}/api/eventos/{e}/ingresos/lista?desde=ayer",
            s.eventos
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);

    let escaneo = |i: usize| {
        json!({"nonce": format!("{i:04}-{}", "n".repeat(59)), "codigo": "0000000000",
            "escaneado_en": hace(1), "puerta": "Puerta principal del estadio"})
    };
    let quinientos: Vec<Value> = (0..500).map(escaneo).collect();
    let cuerpo = json!({ "escaneos": quinientos });
    assert!(cuerpo.to_string().len() > 64 * 1024);
    let (st, b) = lote(&s, &e, &cuerpo).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["rechazados"].as_array().unwrap().len(), 500);
    let demasiados: Vec<Value> = (0..501).map(escaneo).collect();
    let (st, b) = lote(&s, &e, &json!({ "escaneos": demasiados })).await;
    assert_eq!(
        (st, &b["type"]),
        (413, &json!("urn:eventflow:problem:lote-demasiado-grande")),
        "{b}"
    );
    let (st, b) = lote(
        &s,
        &e,
        &json!({"escaneos": [{"nonce": "sin-fecha-01", "codigo": "0000000000"}]}),
    )
    .await;
    assert_eq!(st, 422, "{b}");
}

/// An event of a new organizer (with its session) and door staff of it and of another
/// organizer: `(evento, t_org, t_staff, t_staff_otro)`.
async fn con_personal(s: &Stack) -> (String, String, String, String) {
    use eventflow_testkit::matriz;
    let http = reqwest::Client::new();
    let u = &s.usuarios;
    let clave = "quena-charango-1984";
    let t_org = matriz::organizador(&http, u, "org@example.com", clave).await;
    let t_otro = matriz::organizador(&http, u, "otro@example.com", clave).await;
    let t_staff = matriz::staff(&http, u, &t_org, "puerta@example.com", clave).await;
    let t_staff_otro = matriz::staff(&http, u, &t_otro, "puerta2@example.com", clave).await;
    let r = http
        .post(format!("{}/api/eventos", s.eventos))
        .bearer_auth(&t_org)
        .json(
            &json!({"nombre": "Festival", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
            "zonas": [{"nombre": "General", "precio": 2500, "capacidad": 100}]}),
        )
        .send()
        .await
        .unwrap();
    let e = eventflow_testkit::respuestas::id_creado(r).await;
    (e, t_org, t_staff, t_staff_otro)
}

/// Door staff admit tickets of their organizer's events, online and offline, and read
/// its list and conflicts; staff of another organizer get the 404 of a stranger; staff
/// manage nothing else (keys, the event, its reconciliation: 403).
async fn personal_de_puerta(backend: Backend) {
    let s = common::stack(backend).await;
    let (e, _t_org, t_staff, t_otro) = con_personal(&s).await;
    let cs = codigos(&comprar(&s, &e, 2, 1).await);
    let http = reqwest::Client::new();
    let como = |t: &str, m: reqwest::Method, ruta: &str| {
        http.request(m, format!("{}/api/eventos/{e}{ruta}", s.eventos))
            .bearer_auth(t.to_owned())
    };
    use reqwest::Method;
    let r = como(&t_otro, Method::POST, "/ingresos")
        .json(&json!({"codigo": cs[0]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "another organizer's staff");
    let r = como(&t_staff, Method::POST, "/ingresos")
        .json(&json!({"codigo": cs[0], "puerta": "Norte", "nonce": "staff-0000001"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        (&b["admitido"], &b["entrada"]),
        (&json!(true), &json!(cs[0])),
        "{b}"
    );
    let (st, b) = lote_como(
        &s,
        &e,
        &t_staff,
        &json!({"puerta": "Sur", "escaneos": [
        {"nonce": "staff-0000002", "codigo": cs[1], "escaneado_en": hace(3)}]}),
    )
    .await;
    assert_eq!((st, &b["aceptados"]), (200, &json!(1)), "{b}");
    let (st, _) = lote_como(&s, &e, &t_otro, &json!({"escaneos": []})).await;
    assert_eq!(st, 404);
    for ruta in [
        "/ingresos/lista",
        "/ingresos/resumen",
        "/ingresos/conflictos",
    ] {
        let r = como(&t_staff, Method::GET, ruta).send().await.unwrap();
        assert_eq!(r.status(), 200, "{ruta}");
        let r = como(&t_otro, Method::GET, ruta).send().await.unwrap();
        assert_eq!(r.status(), 404, "{ruta}");
    }
    // Nothing but the door.
    for (m, ruta) in [
        (Method::POST, "/claves/rotar"),
        (Method::GET, "/conciliacion"),
        (Method::PATCH, ""),
    ] {
        let r = como(&t_staff, m.clone(), ruta)
            .json(&json!({"lugar": "Cusco"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{m} {ruta}");
        let p: Value = r.json().await.unwrap();
        assert!(
            p["detail"].as_str().unwrap().contains("personal de puerta"),
            "{p}"
        );
    }
    let r = http
        .post(format!("{}/api/eventos", s.eventos))
        .bearer_auth(&t_staff)
        .json(
            &json!({"nombre": "Otro", "fecha": "2099-06-01T21:00:00Z", "lugar": "Lima",
            "zonas": [{"nombre": "General", "precio": 2500, "capacidad": 10}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

/// `POST /api/eventos/{evento}/ingresos/lote` with `token`.
async fn lote_como(s: &Stack, evento: &str, token: &str, cuerpo: &Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/eventos/{evento}/ingresos/lote", s.eventos))
        .bearer_auth(token)
        .json(cuerpo)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

ambos!(personal_de_puerta);
ambos!(nonce_idempotente, 4);
ambos!(dos_escaneres_sin_red);
ambos!(cuatro_lotes_a_la_vez, 4);
ambos!(lista_desde_y_limites);
