//! `Notificacion`: what a buyer (or everyone, for a new event) is told, derived from one
//! message. Its id is the message's id, which is what makes consuming idempotent.

use chrono::{DateTime, Utc};
use eventflow_shared::bus::{Envelope, Mensaje};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notificacion {
    /// The `messageId` of the message that caused it.
    #[schema(example = "1d3c0b5e-9a9f-4d53-8c3b-6f2f6b7e0e11")]
    pub id: String,
    /// `nuevo-evento`, `reserva-confirmada`, `reserva-cancelada`, `reserva-reenviada` or
    /// `codigo`.
    #[schema(example = "reserva-confirmada")]
    pub tipo: String,
    /// The buyer it is for; absent on announcements to everyone.
    pub usuario_id: Option<String>,
    pub evento_id: Option<String>,
    pub reserva_id: Option<String>,
    #[schema(example = "Reserva confirmada")]
    pub titulo: String,
    #[schema(example = "Tu reserva de 2 entradas (Platea) está confirmada. Total: 300.00")]
    pub mensaje: String,
    pub correlation_id: String,
    pub creada_en: DateTime<Utc>,
    /// Where the buyer opens the reservation without an account: the booking UI's
    /// `/reservas/{id}?s=<secreto>`. On confirmations made by a live checkout, and on
    /// every re-sent reservation (a new secret; the old link stops working).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enlace: Option<String>,
    /// The address it goes to, when it is not (or not yet) the account's: one-time codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "ana.quispe@example.com")]
    pub email: Option<String>,
    /// A confirmation's tickets, each with its links (they open with the buyer's
    /// session, or with the reservation's secret as `X-Reserva-Secreto`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entradas: Vec<EntradaNotificada>,
    /// A confirmation's tickets as one PDF: `/api/reservas/{id}/entradas.pdf`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "/api/reservas/665f1c2a9b3e4d0012345678/entradas.pdf")]
    pub pdf: Option<String>,
}

/// One ticket of a confirmation, as its e-mail lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EntradaNotificada {
    #[schema(example = "7K2QX9M4TB")]
    pub codigo: String,
    /// `/api/entradas/{codigo}`: the ticket and its signed QR payload.
    #[schema(example = "/api/entradas/7K2QX9M4TB")]
    pub enlace: String,
    /// `/api/entradas/{codigo}/qr.svg`: the QR to show at the door.
    #[schema(example = "/api/entradas/7K2QX9M4TB/qr.svg")]
    pub qr: String,
}

impl EntradaNotificada {
    fn de(codigo: String) -> Self {
        Self {
            enlace: format!("/api/entradas/{codigo}"),
            qr: format!("/api/entradas/{codigo}/qr.svg"),
            codigo,
        }
    }
}

/// "S/ 1,500.00": the same format the booking UI shows.
fn importe(minor: i64) -> String {
    let entero = (minor.abs() / 100).to_string();
    let mut miles = String::new();
    for (i, c) in entero.chars().enumerate() {
        if i > 0 && (entero.len() - i) % 3 == 0 {
            miles.push(',');
        }
        miles.push(c);
    }
    format!(
        "{}S/ {miles}.{:02}",
        if minor < 0 { "-" } else { "" },
        minor.abs() % 100
    )
}

/// "14/03/2027 21:00 UTC" instead of a raw RFC 3339 timestamp.
fn fecha_legible(f: &DateTime<Utc>) -> String {
    f.format("%d/%m/%Y %H:%M UTC").to_string()
}

/// A field the contract marks optional but a notification needs.
fn requerido<T>(v: Option<T>, campo: &str) -> Result<T, String> {
    v.ok_or_else(|| format!("payload without '{campo}'"))
}

/// The notification a message produces, or why it never can (a poison message).
pub fn desde(env: &Envelope) -> Result<Notificacion, String> {
    let base = |tipo: &str,
                usuario: Option<String>,
                evento: Option<String>,
                reserva: Option<String>,
                titulo: String,
                mensaje: String| Notificacion {
        id: env.message_id.to_string(),
        tipo: tipo.into(),
        usuario_id: usuario,
        evento_id: evento,
        reserva_id: reserva,
        titulo,
        mensaje,
        correlation_id: env.correlation_id.clone(),
        creada_en: eventflow_shared::now(),
        enlace: None,
        email: None,
        entradas: Vec::new(),
        pdf: None,
    };
    Ok(match env.mensaje()? {
        Mensaje::EventCreated(m) => base(
            "nuevo-evento",
            None,
            Some(m.event_id.into()),
            None,
            format!("Nuevo evento: {}", m.nombre),
            format!(
                "{} en {}, el {}.",
                m.nombre,
                m.lugar,
                fecha_legible(&m.fecha)
            ),
        ),
        Mensaje::ReservaConfirmada(m) => {
            let (cantidad, total) = (m.cantidad, requerido(m.total, "total")?);
            let zona = requerido(m.zona, "zona")?;
            let mut mensaje = format!(
                "Tu reserva de {} ({zona}) está confirmada. Total: {}.",
                eventflow_shared::texto::contar(u64::from(cantidad), "entrada", "entradas"),
                importe(total)
            );
            if !m.entradas.is_empty() {
                mensaje.push_str(&format!(
                    " Tus entradas: {}. Descárgalas en PDF: /api/reservas/{}/entradas.pdf.",
                    m.entradas.join(", "),
                    m.reserva_id
                ));
            }
            if let Some(enlace) = &m.enlace {
                mensaje.push_str(&format!(" Tu reserva, sin cuenta: {enlace}."));
            }
            let pdf = (!m.entradas.is_empty())
                .then(|| format!("/api/reservas/{}/entradas.pdf", m.reserva_id));
            let mut n = base(
                "reserva-confirmada",
                Some(requerido(m.usuario_id, "usuarioId")?.into()),
                Some(m.evento_id.into()),
                Some(m.reserva_id.into()),
                "Reserva confirmada".into(),
                mensaje,
            );
            n.enlace = m.enlace;
            n.entradas = m.entradas.into_iter().map(EntradaNotificada::de).collect();
            n.pdf = pdf;
            n
        }
        Mensaje::ReservaCancelada(m) => base(
            "reserva-cancelada",
            Some(requerido(m.usuario_id, "usuarioId")?.into()),
            Some(m.evento_id.into()),
            Some(m.reserva_id.into()),
            "Reserva cancelada".into(),
            "Tu reserva fue cancelada y el pago reembolsado.".into(),
        ),
        Mensaje::ReservaReenviada(m) => {
            let que = if m.estado == "CANCELADA" {
                "Tu reserva (cancelada)"
            } else {
                "Tu reserva"
            };
            let mut n = base(
                "reserva-reenviada",
                Some(requerido(m.usuario_id, "usuarioId")?.into()),
                Some(m.evento_id.into()),
                Some(m.reserva_id.into()),
                "Tu reserva, de nuevo".into(),
                format!(
                    "{que}, con un enlace nuevo: {}. Los enlaces que te enviamos antes ya no sirven.",
                    m.enlace
                ),
            );
            n.enlace = Some(m.enlace);
            n
        }
        Mensaje::EntradaTransferida(m) => {
            let zona = m.zona.map(|z| format!(" ({z})")).unwrap_or_default();
            let mut n = base(
                "entrada-transferida",
                None,
                Some(m.evento_id.into()),
                Some(m.reserva_id.into()),
                "Te transfirieron una entrada".into(),
                format!(
                    "{}, te transfirieron una entrada{zona}. Su código es {}; ábrela y muestra su QR en la puerta: {}.",
                    m.nombre, m.codigo, m.enlace
                ),
            );
            n.enlace = Some(m.enlace);
            n.email = Some(m.email);
            n
        }
        Mensaje::CodigoEmitido(m) => {
            let para = match m.proposito.as_str() {
                "email" => "confirmar este email en tu cuenta",
                "sesion" => "iniciar sesión en tu cuenta",
                _ => "crear o cambiar tu contraseña",
            };
            let mut n = base(
                "codigo",
                Some(m.usuario_id.to_string()),
                None,
                None,
                format!("Tu código de EventFlow: {}", m.codigo),
                format!(
                    "Tu código para {para} es {}. Caduca el {} y sirve una sola vez; no lo compartas con nadie.",
                    m.codigo,
                    fecha_legible(&m.expira_en)
                ),
            );
            n.email = Some(m.email);
            n
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_money_and_dates_for_people() {
        assert_eq!(importe(150000), "S/ 1,500.00");
        assert_eq!(importe(2500), "S/ 25.00");
        assert_eq!(importe(0), "S/ 0.00");
        assert_eq!(importe(123456789), "S/ 1,234,567.89");
        let f = "2027-03-14T21:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(fecha_legible(&f), "14/03/2027 21:00 UTC");
    }

    #[test]
    fn a_confirmation_lists_its_tickets_and_links() {
        let env = Envelope::new(
            "ReservaConfirmada",
            "c",
            serde_json::json!({"reservaId": "r", "usuarioId": "u", "eventoId": "e", "zona": "Platea",
                "cantidad": 2, "total": 30000, "enlace": "/reservas/r?s=abc",
                "entradas": ["7K2QX9M4TB", "ABCDEFGHJK"]}),
        );
        let n = desde(&env).unwrap();
        assert_eq!(n.entradas.len(), 2);
        assert_eq!(n.entradas[0].enlace, "/api/entradas/7K2QX9M4TB");
        assert_eq!(n.entradas[1].qr, "/api/entradas/ABCDEFGHJK/qr.svg");
        assert_eq!(n.pdf.as_deref(), Some("/api/reservas/r/entradas.pdf"));
        assert_eq!(n.enlace.as_deref(), Some("/reservas/r?s=abc"));
        assert!(
            n.mensaje.contains("7K2QX9M4TB, ABCDEFGHJK"),
            "{}",
            n.mensaje
        );
        assert!(n.mensaje.contains("/reservas/r?s=abc"), "{}", n.mensaje);
    }

    #[test]
    fn a_transferred_ticket_is_mailed_to_its_new_holder() {
        let env = Mensaje::EntradaTransferida(eventflow_shared::bus::EntradaTransferida {
            reserva_id: eventflow_shared::ids::ReservaId::confiable("r"),
            evento_id: eventflow_shared::ids::EventoId::confiable("e"),
            codigo: "7K2QX9M4TB".into(),
            anterior: "0H1J2K3M4N".into(),
            zona: Some("Platea".into()),
            nombre: "Beto".into(),
            email: "beto@example.com".into(),
            enlace: "/entradas/7K2QX9M4TB?s=x".into(),
        })
        .envelope("c");
        let n = desde(&env).unwrap();
        assert_eq!(n.tipo, "entrada-transferida");
        assert_eq!(n.email.as_deref(), Some("beto@example.com"));
        assert_eq!(n.enlace.as_deref(), Some("/entradas/7K2QX9M4TB?s=x"));
        assert!(n.mensaje.contains("7K2QX9M4TB"), "{}", n.mensaje);
        assert_eq!(n.usuario_id, None, "not the buyer's: the new holder's");
    }

    #[test]
    fn a_confirmation_reads_well() {
        let env = Envelope::new(
            "ReservaConfirmada",
            "c",
            serde_json::json!({"reservaId": "r", "usuarioId": "u", "eventoId": "e", "zona": "Platea", "cantidad": 2, "total": 30000}),
        );
        let n = desde(&env).unwrap();
        assert_eq!(
            n.mensaje,
            "Tu reserva de 2 entradas (Platea) está confirmada. Total: S/ 300.00."
        );
        assert_eq!(n.id, env.message_id.to_string());
        assert!(desde(&Envelope::new("Otro", "c", serde_json::json!({}))).is_err());
        // A later version is not misread: it is refused with the reason.
        let mut nueva = env.clone();
        nueva.version = eventflow_shared::bus::VERSION + 1;
        assert!(desde(&nueva).unwrap_err().contains("newer"));
    }
}
