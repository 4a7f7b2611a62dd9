//! The message handler: one message, one notification, recorded under the message's id
//! so redeliveries and duplicates have no second effect.

use std::sync::Arc;

use async_trait::async_trait;
use eventflow_shared::bus::{Envelope, Manejador, Resultado};
use tracing::Instrument;

use crate::domain;
use crate::store::{NotificacionStore, Registro};

pub struct Registrador {
    pub store: Arc<dyn NotificacionStore>,
    /// Print what would be emailed (see `Config::correo_en_log`).
    pub correo_en_log: bool,
    /// One-time codes too (see `Config::mostrar_codigos`); otherwise their mail is
    /// announced without its text, which carries the code.
    pub mostrar_codigos: bool,
}

impl Registrador {
    /// A buyer's reservation mail (confirmed with its tickets, re-sent, cancelled) on
    /// the console, addressed to the account. Its link carries the reservation's guest
    /// secret, which opens it like a one-time code signs in: shown only where codes are.
    fn correo_de_reserva(&self, n: &domain::Notificacion) {
        if !n.tipo.starts_with("reserva-") {
            return;
        }
        let para = n.usuario_id.as_deref().unwrap_or("?");
        if n.enlace.is_some() && !self.mostrar_codigos {
            let codigos: Vec<&str> = n.entradas.iter().map(|e| e.codigo.as_str()).collect();
            tracing::info!(
                comprador = %para,
                entradas = %codigos.join(", "),
                "correo (simulado): {}, con el enlace de la reserva, que no se muestra \
                 (EVENTFLOW_MOSTRAR_CODIGOS=1 lo muestra)",
                n.titulo
            );
        } else {
            tracing::info!(comprador = %para, "correo (simulado): {} — {}", n.titulo, n.mensaje);
        }
    }
}

#[async_trait]
impl Manejador for Registrador {
    async fn manejar(&self, env: Envelope) -> Resultado {
        let span = tracing::info_span!("message", message_id = %env.message_id, tipo = %env.tipo, correlation_id = %env.correlation_id);
        async {
            let n = match domain::desde(&env) {
                Ok(n) => n,
                Err(why) => return Resultado::Descartar(why),
            };
            match self.store.registrar(&n).await {
                Ok(Registro::Nueva) => {
                    tracing::info!(tipo = %n.tipo, "notification recorded");
                    if self.correo_en_log && n.email.is_none() {
                        self.correo_de_reserva(&n);
                    }
                    if let (true, Some(para)) = (self.correo_en_log, &n.email) {
                        if n.tipo == "codigo" && !self.mostrar_codigos {
                            tracing::info!(
                                %para,
                                "correo (simulado): un código de un solo uso, que no se muestra \
                                 (EVENTFLOW_MOSTRAR_CODIGOS=1 lo muestra)"
                            );
                        } else {
                            tracing::info!(%para, "correo (simulado): {} — {}", n.titulo, n.mensaje);
                        }
                    }
                    Resultado::Hecho
                }
                Ok(Registro::Duplicada) => {
                    tracing::info!("duplicate message: already handled, acking");
                    Resultado::Hecho
                }
                Err(e) => Resultado::Reintentar(e.to_string()),
            }
        }
        .instrument(span)
        .await
    }
}
