//! `Notificacion`: what a buyer (or everyone, for a new event) is told, derived from one
//! message. Its id is the message's id, which is what makes consuming idempotent.

use chrono::{DateTime, Utc};
use eventflow_shared::bus::Envelope;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Notificacion {
    /// The `messageId` of the message that caused it.
    #[schema(example = "1d3c0b5e-9a9f-4d53-8c3b-6f2f6b7e0e11")]
    pub id: String,
    /// `nuevo-evento`, `reserva-confirmada`, `reserva-cancelada` or `codigo`.
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
    /// `/reservas/{id}?s=<secreto>`. Only on confirmations made by a live checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enlace: Option<String>,
    /// The address it goes to, when it is not (or not yet) the account's: one-time codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "ana.quispe@example.com")]
    pub email: Option<String>,
}

fn texto(v: &Value, campo: &str) -> Result<String, String> {
    match &v[campo] {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Err(format!("payload without '{campo}'")),
        other => Ok(other.to_string()),
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
fn fecha_legible(raw: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|f| {
            f.with_timezone(&chrono::Utc)
                .format("%d/%m/%Y %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| raw.to_owned())
}

/// The notification a message produces, or why it never can (a poison message).
pub fn desde(env: &Envelope) -> Result<Notificacion, String> {
    let p = &env.payload;
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
    };
    match env.tipo.as_str() {
        "EventCreated" => {
            let nombre = texto(p, "nombre")?;
            let lugar = texto(p, "lugar")?;
            let fecha = texto(p, "fecha")?;
            Ok(base(
                "nuevo-evento",
                None,
                Some(texto(p, "eventId")?),
                None,
                format!("Nuevo evento: {nombre}"),
                format!("{nombre} en {lugar}, el {}.", fecha_legible(&fecha)),
            ))
        }
        "ReservaConfirmada" => {
            let cantidad = p["cantidad"].as_u64().ok_or("payload without 'cantidad'")?;
            let total = p["total"].as_i64().ok_or("payload without 'total'")?;
            let zona = texto(p, "zona")?;
            let enlace = p["enlace"].as_str().map(str::to_owned);
            let mut n = base(
                "reserva-confirmada",
                Some(texto(p, "usuarioId")?),
                Some(texto(p, "eventoId")?),
                Some(texto(p, "reservaId")?),
                "Reserva confirmada".into(),
                format!(
                    "Tu reserva de {cantidad} {} ({zona}) está confirmada. Total: {}.",
                    if cantidad == 1 { "entrada" } else { "entradas" },
                    importe(total)
                ),
            );
            n.enlace = enlace;
            Ok(n)
        }
        "ReservaCancelada" => Ok(base(
            "reserva-cancelada",
            Some(texto(p, "usuarioId")?),
            Some(texto(p, "eventoId")?),
            Some(texto(p, "reservaId")?),
            "Reserva cancelada".into(),
            "Tu reserva fue cancelada y el pago reembolsado.".into(),
        )),
        "CodigoEmitido" => {
            let codigo = texto(p, "codigo")?;
            let para = match p["proposito"].as_str() {
                Some("email") => "confirmar este email en tu cuenta",
                _ => "crear o cambiar tu contraseña",
            };
            let caduca = fecha_legible(&texto(p, "expiraEn")?);
            let mut n = base(
                "codigo",
                Some(texto(p, "usuarioId")?),
                None,
                None,
                format!("Tu código de EventFlow: {codigo}"),
                format!(
                    "Tu código para {para} es {codigo}. Caduca el {caduca} y sirve una sola vez; no lo compartas con nadie."
                ),
            );
            n.email = Some(texto(p, "email")?);
            Ok(n)
        }
        other => Err(format!("unknown message type '{other}'")),
    }
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
        assert_eq!(
            fecha_legible("2027-03-14T21:00:00Z"),
            "14/03/2027 21:00 UTC"
        );
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
    }
}
