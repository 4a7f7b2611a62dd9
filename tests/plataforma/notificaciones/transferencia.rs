//! A transferred ticket's notice, end to end on the embedded bus and on real RabbitMQ:
//! reservas writes `EntradaTransferida` in the transfer's own write (the outbox), and
//! notificaciones records one notice for the new holder, by e-mail, with their link.

use super::common;

use common::{plataforma, Backend};
use serde_json::{json, Value};

async fn aviso_al_nuevo_titular(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let evento = p.evento(5, "corr-evento").await;
    let u = p.usuario(31).await;
    // A guest checkout for a buyer without a password: its answer carries the secret.
    let r: Value = p
        .http
        .post(format!("{}/api/reservar", p.reservas))
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"usuario_id": u, "evento_id": evento}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (id, secreto) = (r["id"].as_str().unwrap(), r["secreto"].as_str().unwrap());
    let codigo = r["entradas"][0]["codigo"].as_str().unwrap();
    let res = p
        .http
        .post(format!("{}/api/entradas/{codigo}/transferir", p.reservas))
        .header("X-Reserva-Secreto", secreto)
        .header("X-Correlation-Id", "corr-transfiere")
        .json(&json!({"email": "beto@example.com", "nombre": "Beto"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let t: Value = res.json().await.unwrap();
    let avisos = p.esperar("tipo=entrada-transferida", 1).await;
    assert_eq!(avisos.len(), 1, "one notice: {avisos:?}");
    let a = &avisos[0];
    assert_eq!(
        (&a["reserva_id"], &a["correlation_id"], &a["enlace"]),
        (&json!(id), &json!("corr-transfiere"), &t["enlace"]),
        "{a}"
    );
    assert!(
        a["mensaje"]
            .as_str()
            .unwrap()
            .contains(t["entrada"]["codigo"].as_str().unwrap()),
        "{a}"
    );
    // Not the buyer's notice: their own list does not show the new holder's link.
    let del_comprador = p.notificaciones_de(&format!("usuario_id={u}")).await;
    assert!(
        del_comprador
            .iter()
            .all(|n| n["tipo"] != "entrada-transferida"),
        "{del_comprador:?}"
    );
}

eventflow_testkit::en_ambos_backends!(
    aviso_al_nuevo_titular(flavor = "multi_thread", worker_threads = 2),
    embebido: Backend::Embedded,
    rabbitmq: Backend::real().await,
    |b| super::aviso_al_nuevo_titular(b),
);
