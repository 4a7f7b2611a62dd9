//! The ticket e-mail, on the embedded bus and on real backends: a confirmation's stored
//! notification lists each ticket with its links and the PDF, and its reservation link
//! opens the reservation (its secret reaches this buyer's notification only).

use reqwest::Client;
use serde_json::{json, Value};

use super::common::{plataforma, Backend};

macro_rules! ambos {
    ($name:ident) => {
        eventflow_testkit::en_ambos_backends!(
            $name(flavor = "multi_thread", worker_threads = 2),
            embebido: Backend::Embedded,
            rabbitmq: Backend::real().await,
            |b| super::$name(b),
        );
    };
}

async fn correo_con_entradas(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let evento = p.evento(10, "corr-evento").await;
    let u = p.usuario(2).await;
    let otro = p.usuario(3).await;
    let res = Client::new()
        .post(format!("{}/api/reservar", p.reservas))
        .json(&json!({"evento_id": evento, "email": "n2@example.com", "cantidad": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let r: Value = res.json().await.unwrap();
    let id = r["id"].as_str().unwrap();
    let mut codigos: Vec<&str> = r["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["codigo"].as_str().unwrap())
        .collect();
    codigos.sort_unstable();
    assert_eq!(codigos.len(), 3);

    let mias = p
        .esperar(&format!("usuario_id={u}&tipo=reserva-confirmada"), 1)
        .await;
    assert_eq!(mias.len(), 1, "{mias:?}");
    let n = &mias[0];
    let mut notificados: Vec<&str> = n["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["codigo"].as_str().unwrap())
        .collect();
    notificados.sort_unstable();
    assert_eq!(notificados, codigos, "{n}");
    for e in n["entradas"].as_array().unwrap() {
        let c = e["codigo"].as_str().unwrap();
        assert_eq!(e["enlace"], format!("/api/entradas/{c}"));
        assert_eq!(e["qr"], format!("/api/entradas/{c}/qr.svg"));
        assert!(n["mensaje"].as_str().unwrap().contains(c), "{n}");
    }
    assert_eq!(n["pdf"], format!("/api/reservas/{id}/entradas.pdf"));

    // The reservation link works: its secret opens the reservation, a ticket's QR and
    // the PDF, the paths the e-mail names.
    let enlace = n["enlace"].as_str().unwrap();
    let secreto = enlace
        .strip_prefix(&format!("/reservas/{id}?s="))
        .unwrap_or_else(|| panic!("{enlace}"));
    for ruta in [
        format!("/api/reservas/{id}"),
        n["pdf"].as_str().unwrap().to_owned(),
        n["entradas"][0]["qr"].as_str().unwrap().to_owned(),
    ] {
        let res = Client::new()
            .get(format!("{}{ruta}", p.reservas))
            .header("X-Reserva-Secreto", secreto)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{ruta}");
    }

    // Nobody else's notifications carry it.
    let ajenas = p.notificaciones_de(&format!("usuario_id={otro}")).await;
    assert!(
        ajenas.iter().all(|x| !x.to_string().contains(secreto)),
        "{ajenas:?}"
    );
    let anuncios = p.notificaciones_de("tipo=nuevo-evento").await;
    assert!(anuncios.iter().all(|x| !x.to_string().contains(secreto)));
}

ambos!(correo_con_entradas);
