//! The message contract, pinned: each message's envelope `type`, routing key and JSON
//! payload exactly as consumers (ours, and any other on the broker) read them. A change
//! here is a change of contract: bump `VERSION` and keep old consumers in mind.

use eventflow_shared::bus::{
    CodigoEmitido, EntradaTransferida, Envelope, EventoCreado, Mensaje, ReservaCancelada,
    ReservaConfirmada, ReservaReenviada, VERSION,
};
use eventflow_shared::ids::{EventoId, ReservaId, UsuarioId};
use serde_json::{json, Value};

fn fecha() -> chrono::DateTime<chrono::Utc> {
    "2027-03-14T21:00:00Z".parse().unwrap()
}

/// The envelope's own fields, beside `payload`, of every message.
const SOBRE: [&str; 6] = [
    "correlationId",
    "messageId",
    "occurredAt",
    "payload",
    "type",
    "version",
];

fn fijo(m: Mensaje, tipo: &str, routing_key: &str, payload: Value) -> Value {
    fijo_con(m, tipo, routing_key, payload, &SOBRE)
}

/// Pins one message, with the top-level fields its envelope must have (`campos_sobre`),
/// and returns its wire JSON.
fn fijo_con(
    m: Mensaje,
    tipo: &str,
    routing_key: &str,
    payload: Value,
    campos_sobre: &[&str],
) -> Value {
    let p = m.pendiente("corr-1");
    assert_eq!(
        (p.envelope.tipo.as_str(), p.routing_key.as_str()),
        (tipo, routing_key)
    );
    assert_eq!(p.envelope.payload, payload, "{tipo}");
    assert_eq!(p.envelope.version, VERSION);
    assert_eq!(p.envelope.correlation_id, "corr-1");
    // The wire envelope: seed 000's field names.
    let wire = serde_json::to_value(&p.envelope).unwrap();
    let mut campos: Vec<&str> = wire
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    campos.sort_unstable();
    assert_eq!(campos, campos_sobre, "{tipo}");
    // And it reads back as the same message, through the bytes a broker carries.
    let bytes = serde_json::to_vec(&p.envelope).unwrap();
    let leido = eventflow_shared::bus::decodificar(&bytes).unwrap();
    assert_eq!(leido.mensaje().unwrap(), m);
    wire
}

#[test]
fn evento_creado() {
    let wire = fijo_con(
        Mensaje::EventCreated(EventoCreado {
            event_id: EventoId::confiable("ev-1"),
            nombre: "Rock en el Parque".into(),
            fecha: fecha(),
            lugar: "Estadio Nacional".into(),
            aforo_total: 1500,
        }),
        "EventCreated",
        "evento.creado",
        json!({"eventId": "ev-1", "nombre": "Rock en el Parque", "fecha": "2027-03-14T21:00:00Z",
               "lugar": "Estadio Nacional", "aforoTotal": 1500}),
        &[
            "correlationId",
            "eventId",
            "messageId",
            "name",
            "occurredAt",
            "payload",
            "type",
            "version",
        ],
    );
    // Seed 000's flat shape, `{messageId, eventId, name, occurredAt, correlationId,
    // version}`, as a consumer written for the .NET design reads it.
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct EventCreatedSeed000 {
        message_id: uuid::Uuid,
        event_id: String,
        name: String,
        occurred_at: chrono::DateTime<chrono::Utc>,
        correlation_id: String,
        version: u32,
    }
    let plano: EventCreatedSeed000 = serde_json::from_value(wire).unwrap();
    assert_eq!(
        (plano.event_id.as_str(), plano.name.as_str()),
        ("ev-1", "Rock en el Parque")
    );
    assert_eq!(plano.correlation_id, "corr-1");
}

#[test]
fn reserva_confirmada() {
    let m = ReservaConfirmada {
        reserva_id: ReservaId::confiable("r-1"),
        usuario_id: Some(UsuarioId::confiable("u-1")),
        evento_id: EventoId::confiable("ev-1"),
        zona: Some("Platea".into()),
        cantidad: 2,
        total: Some(30000),
        enlace: Some("/reservas/r-1?s=secreto".into()),
        entradas: vec!["7K2QX9M4TB".into(), "ABCDEFGHJK".into()],
    };
    fijo(
        Mensaje::ReservaConfirmada(m.clone()),
        "ReservaConfirmada",
        "reserva.confirmada",
        json!({"reservaId": "r-1", "usuarioId": "u-1", "eventoId": "ev-1", "zona": "Platea",
               "cantidad": 2, "total": 30000, "enlace": "/reservas/r-1?s=secreto",
               "entradas": ["7K2QX9M4TB", "ABCDEFGHJK"]}),
    );
    // Finished by recovery: no link at all, not a null one (nor, from an older
    // producer, any codes).
    fijo(
        Mensaje::ReservaConfirmada(ReservaConfirmada {
            enlace: None,
            entradas: vec![],
            ..m
        }),
        "ReservaConfirmada",
        "reserva.confirmada",
        json!({"reservaId": "r-1", "usuarioId": "u-1", "eventoId": "ev-1", "zona": "Platea",
               "cantidad": 2, "total": 30000}),
    );
}

#[test]
fn reserva_cancelada() {
    fijo(
        Mensaje::ReservaCancelada(ReservaCancelada {
            reserva_id: ReservaId::confiable("r-1"),
            usuario_id: Some(UsuarioId::confiable("u-1")),
            evento_id: EventoId::confiable("ev-1"),
        }),
        "ReservaCancelada",
        "reserva.cancelada",
        json!({"reservaId": "r-1", "usuarioId": "u-1", "eventoId": "ev-1"}),
    );
}

#[test]
fn reserva_reenviada() {
    fijo(
        Mensaje::ReservaReenviada(ReservaReenviada {
            reserva_id: ReservaId::confiable("r-1"),
            usuario_id: Some(UsuarioId::confiable("u-1")),
            evento_id: EventoId::confiable("ev-1"),
            estado: "CONFIRMADA".into(),
            enlace: "/reservas/r-1?s=nuevo".into(),
        }),
        "ReservaReenviada",
        "reserva.reenviada",
        json!({"reservaId": "r-1", "usuarioId": "u-1", "eventoId": "ev-1",
               "estado": "CONFIRMADA", "enlace": "/reservas/r-1?s=nuevo"}),
    );
}

#[test]
fn entrada_transferida() {
    fijo(
        Mensaje::EntradaTransferida(EntradaTransferida {
            reserva_id: ReservaId::confiable("r-1"),
            evento_id: EventoId::confiable("ev-1"),
            codigo: "7K2QX9M4TB".into(),
            anterior: "0H1J2K3M4N".into(),
            zona: Some("Platea".into()),
            nombre: "Beto Ríos".into(),
            email: "beto@example.com".into(),
            enlace: "/entradas/7K2QX9M4TB?s=secreto".into(),
        }),
        "EntradaTransferida",
        "reserva.entrada-transferida",
        json!({"reservaId": "r-1", "eventoId": "ev-1", "codigo": "7K2QX9M4TB",
               "anterior": "0H1J2K3M4N", "zona": "Platea", "nombre": "Beto Ríos",
               "email": "beto@example.com", "enlace": "/entradas/7K2QX9M4TB?s=secreto"}),
    );
}

#[test]
fn codigo_emitido() {
    let u = uuid::Uuid::parse_str("0b7e2a1c-93d4-4c55-8f0e-6a1d2b3c4d5e").unwrap();
    fijo(
        Mensaje::CodigoEmitido(CodigoEmitido {
            usuario_id: u,
            email: "ana@example.com".into(),
            codigo: "482913".into(),
            proposito: "password".into(),
            expira_en: fecha(),
        }),
        "CodigoEmitido",
        "usuario.codigo",
        json!({"usuarioId": "0b7e2a1c-93d4-4c55-8f0e-6a1d2b3c4d5e", "email": "ana@example.com",
               "codigo": "482913", "proposito": "password", "expiraEn": "2027-03-14T21:00:00Z"}),
    );
}

#[test]
fn lo_que_no_encaja_se_rechaza_con_el_motivo() {
    let env = |tipo: &str, payload: Value| Envelope::new(tipo, "c", payload);
    // A renamed field is a refused message, named, not a half-read one.
    let e = env(
        "ReservaCancelada",
        json!({"reservaID": "r", "usuarioId": "u", "eventoId": "e"}),
    );
    assert!(
        e.mensaje().unwrap_err().contains("reservaId"),
        "{:?}",
        e.mensaje()
    );
    assert!(env("Desconocido", json!({})).mensaje().is_err());
    let mut nueva = env(
        "ReservaCancelada",
        json!({"reservaId": "r", "usuarioId": "u", "eventoId": "e"}),
    );
    assert!(nueva.mensaje().is_ok());
    nueva.version = VERSION + 1;
    assert!(nueva.mensaje().unwrap_err().contains("newer"));
}
