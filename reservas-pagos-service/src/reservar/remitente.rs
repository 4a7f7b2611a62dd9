//! Who sent a checkout, as replays and disclosure need it: a buyer's session, the
//! platform admin, or a guest known only by their client and body.

use std::net::IpAddr;

use eventflow_shared::identidad::Llamante;
use eventflow_shared::secreto::Secreto;

use super::idempotencia;
use crate::domain::SolicitudReserva;

pub struct Remitente {
    /// Keys an `Idempotency-Key`'s fingerprint: the same key sent by another caller is
    /// a different request (422), never a replay of someone else's answer.
    pub clase: String,
    /// Stored with the reservation (`Reserva::origen`): a keyless double submission is
    /// answered with an earlier reservation only when this matches.
    pub origen: String,
    /// For a guest: the fingerprint of their client and body.
    pub invitado: Option<String>,
}

impl Remitente {
    pub fn de(
        clave_huellas: &Secreto,
        llamante: Llamante,
        ip_invitado: Option<IpAddr>,
        solicitud: &SolicitudReserva,
    ) -> Self {
        match (llamante, ip_invitado) {
            (Llamante::Comprador(u), _) => Self {
                clase: format!("sesion:{u}"),
                origen: format!("sesion:{u}"),
                invitado: None,
            },
            (Llamante::Admin, _) => Self {
                clase: "admin".into(),
                origen: "admin".into(),
                invitado: None,
            },
            (_, ip) => {
                // The client's address and the body, keyed: the same guest repeating
                // the same order is recognised, and neither is stored readable.
                let cliente = ip.map_or_else(String::new, |ip| ip.to_string());
                let huella =
                    idempotencia::huella(clave_huellas, &format!("invitado:{cliente}"), solicitud);
                Self {
                    clase: "invitado".into(),
                    origen: format!("invitado:{huella}"),
                    invitado: Some(huella),
                }
            }
        }
    }
}
