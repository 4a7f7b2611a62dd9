//! Messages end to end, on the embedded bus and on real RabbitMQ: one notification per
//! message with the request's correlation id, duplicates without a second effect, and
//! poison messages dead-lettered while the consumer keeps going.

use super::common;

use common::{plataforma, Backend};
use eventflow_shared::bus::{BusConfig, Envelope, Mensaje, ReservaConfirmada, RESERVA_CONFIRMADA};
use eventflow_shared::ids::{EventoId, ReservaId, UsuarioId};
use serde_json::json;

async fn una_notificacion_por_mensaje(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let evento = p.evento(5, "corr-evento").await;
    let u = p.usuario(1).await;
    let reserva = p.reservar(&u, &evento, "corr-compra").await;

    let anuncios = p.esperar("tipo=nuevo-evento", 1).await;
    let anuncio: Vec<_> = anuncios
        .iter()
        .filter(|n| n["evento_id"] == evento.as_str())
        .collect();
    assert_eq!(anuncio.len(), 1, "{anuncios:?}");
    assert_eq!(anuncio[0]["correlation_id"], "corr-evento");
    assert_eq!(anuncio[0]["titulo"], "Nuevo evento: Festival");

    let mias = p.esperar(&format!("usuario_id={u}"), 1).await;
    assert_eq!(mias.len(), 1, "{mias:?}");
    assert_eq!(mias[0]["tipo"], "reserva-confirmada");
    assert_eq!(mias[0]["reserva_id"], reserva.as_str());
    assert_eq!(mias[0]["correlation_id"], "corr-compra");

    // Cancelling produces the cancellation notice, with the cancel request's id.
    let res = p
        .http
        .post(format!("{}/api/reservas/{reserva}/cancelar", p.reservas))
        .header("X-Correlation-Id", "corr-cancela")
        .bearer_auth(eventflow_shared::config::DEV_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let mias = p.esperar(&format!("usuario_id={u}"), 2).await;
    assert_eq!(mias.len(), 2, "{mias:?}");
    assert_eq!(mias[0]["tipo"], "reserva-cancelada");
    assert_eq!(mias[0]["correlation_id"], "corr-cancela");
}

/// A guest buyer sets a first password with a one-time code that reaches them as a
/// notification (usuarios' outbox → the bus → notificaciones), then signs in and reads it.
async fn codigo_por_notificacion(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let u = p.usuario(7).await;
    let post = |path: &str, body: serde_json::Value| {
        p.http
            .post(format!("{}{path}", p.usuarios))
            .json(&body)
            .send()
    };
    let r = post("/api/usuarios/codigo", json!({"email": "n7@example.com"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let n = p.esperar(&format!("usuario_id={u}&tipo=codigo"), 1).await;
    assert_eq!(n.len(), 1, "{n:?}");
    assert_eq!(n[0]["email"], "n7@example.com");
    let titulo = n[0]["titulo"].as_str().unwrap();
    let codigo = titulo.rsplit(' ').next().unwrap();
    assert!(
        codigo.len() == 6 && codigo.bytes().all(|b| b.is_ascii_digit()),
        "{titulo}"
    );
    assert!(
        n[0]["mensaje"].as_str().unwrap().contains(codigo),
        "{:?}",
        n[0]
    );
    let r = post(
        "/api/usuarios/password",
        json!({"email": "n7@example.com", "codigo": codigo, "password": "quena-charango-1984"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let r = post(
        "/api/sesiones",
        json!({"email": "n7@example.com", "password": "quena-charango-1984"}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 201);
    let token = r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // Signed in, the buyer's own list does not show the code: it is a credential, and
    // only the mail relay (the admin) reads it.
    let mias = p
        .notificaciones_como(&format!("usuario_id={u}"), &token)
        .await;
    assert_eq!(mias["total"], 0, "{mias}");
    let pedidas = p
        .notificaciones_como(&format!("usuario_id={u}&tipo=codigo"), &token)
        .await;
    assert_eq!(pedidas["total"], 0, "not even asked by name: {pedidas}");
}

async fn duplicado_sin_segundo_efecto(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let publicador = p.bus.publicador().await.unwrap();
    let env = Envelope::new(
        RESERVA_CONFIRMADA.0,
        "corr-dup",
        json!({"reservaId": "r-dup", "usuarioId": "u-dup", "eventoId": "e", "zona": "General", "cantidad": 1, "total": 2500}),
    );
    for _ in 0..3 {
        publicador
            .publicar(RESERVA_CONFIRMADA.1, &env)
            .await
            .unwrap();
    }
    let n = p.esperar("reserva_id=r-dup", 1).await;
    assert_eq!(n.len(), 1, "three deliveries, one notification: {n:?}");
    assert_eq!(n[0]["id"], env.message_id.to_string());
}

async fn veneno_a_la_dlq(b: Backend) {
    let bus = b.bus();
    let p = plataforma(&b, bus.clone(), true).await;
    match &bus {
        BusConfig::Embedded(e) => e.publicar_crudo(b"{roto".to_vec()),
        BusConfig::Rabbit(c) => eventflow_shared::bus::RabbitBus::connect(c.clone())
            .await
            .unwrap()
            .publicar_crudo("reserva.confirmada", b"{roto")
            .await
            .unwrap(),
    }
    // A well-formed message of an unknown type is poison too.
    let raro = Envelope::new("Desconocido", "c", json!({}));
    p.bus
        .publicador()
        .await
        .unwrap()
        .publicar("reserva.rara", &raro)
        .await
        .unwrap();
    // The consumer keeps going.
    let evento = p.evento(1, "corr-despues").await;
    let n = p.esperar("tipo=nuevo-evento", 1).await;
    assert!(n.iter().any(|x| x["evento_id"] == evento.as_str()));
    let muertos = match &bus {
        BusConfig::Embedded(e) => e.dlq().len(),
        BusConfig::Rabbit(c) => contar(c).await,
    };
    assert_eq!(muertos, 2, "both poison messages dead-lettered");
}

pub async fn contar(c: &eventflow_shared::bus::RabbitConfig) -> usize {
    for _ in 0..50 {
        let n = eventflow_testkit::mensajes_en_cola(c.url.expose(), &c.dlq()).await;
        if n >= 2 {
            return n;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    0
}

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

/// The buyer's purchase history follows the bus: a confirmation adds the reservation, its
/// cancellation takes it out, and a confirmation redelivered after that cannot bring it
/// back. usuarios' queue is consumed in order, so once a later message shows, the stale
/// one before it was handled.
async fn historial_por_el_bus(b: Backend) {
    let p = plataforma(&b, b.bus(), true).await;
    let evento = p.evento(5, "corr-evento").await;
    let u = p.usuario(3).await;
    let reserva = p.reservar(&u, &evento, "corr-compra").await;
    assert_eq!(
        p.historial_cuando(&u, |h| !h.is_empty()).await,
        [reserva.as_str()]
    );

    let res = p
        .http
        .post(format!("{}/api/reservas/{reserva}/cancelar", p.reservas))
        .bearer_auth(eventflow_shared::config::DEV_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(p.historial_cuando(&u, |h| h.is_empty()).await.is_empty());

    let confirmada = |rid: &str| {
        Mensaje::ReservaConfirmada(ReservaConfirmada {
            reserva_id: ReservaId::confiable(rid),
            usuario_id: Some(UsuarioId::confiable(&u)),
            evento_id: EventoId::confiable(&evento),
            zona: Some("General".into()),
            cantidad: 1,
            total: Some(2500),
            enlace: None,
            entradas: vec![],
        })
    };
    let bus = p.bus.publicador().await.unwrap();
    for rid in [reserva.as_str(), "posterior"] {
        let m = confirmada(rid);
        bus.publicar(m.routing_key(), &m.envelope("corr-tarde"))
            .await
            .unwrap();
    }
    assert_eq!(
        p.historial_cuando(&u, |h| !h.is_empty()).await,
        ["posterior"],
        "the cancelled reservation stays out"
    );
}

ambos!(una_notificacion_por_mensaje);
ambos!(historial_por_el_bus);
ambos!(codigo_por_notificacion);
ambos!(duplicado_sin_segundo_efecto);
ambos!(veneno_a_la_dlq);
