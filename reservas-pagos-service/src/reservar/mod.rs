//! The reservation use case, between HTTP and the SAGA: a typed order in ([`Pedido`]),
//! a typed outcome out ([`Desenlace`]). It owns idempotency, builds the SAGA's context in
//! one place, runs the chain and says how it ended; the HTTP layer only maps the outcome
//! to a status and a body. It imports nothing from `http` (tests/arquitectura.rs).

mod idempotencia;
mod remitente;
pub mod secreto;

use std::net::IpAddr;
use std::sync::Arc;

use axum::http::StatusCode;
use eventflow_shared::identidad::{self, prohibido, Llamante};
use eventflow_shared::ids::{EventoId, ReservaId};
use eventflow_shared::secreto::Secreto;
use eventflow_shared::ApiError;
use tracing::Instrument;

pub use idempotencia::validar as validar_clave;

use self::remitente::Remitente;
use crate::domain::{Estado, Reserva, SolicitudReserva};
use crate::saga::{Cadena, Contexto, Deps, FalloSimulado, Fin};
use crate::store::IdempotenciaStore;

/// A checkout as the HTTP layer hands it in.
pub struct Pedido {
    pub solicitud: SolicitudReserva,
    /// Who sent it: a buyer's session, an organizer, the admin, or nobody (a guest).
    pub llamante: Llamante,
    /// A guest's client address (for the fingerprint of a keyless double submission).
    pub ip_invitado: Option<IpAddr>,
    /// The `Idempotency-Key`, already checked with [`validar_clave`].
    pub clave: Option<String>,
    pub correlacion: String,
    /// Asked for by the request; honoured only with `RESERVAS_SIMULAR_FALLOS=1`.
    pub fallo_simulado: Option<FalloSimulado>,
}

/// How a checkout ended.
#[derive(Debug)]
pub enum Desenlace {
    /// Sold. The guest secret opens the reservation without a session; it is shown now.
    Confirmada { reserva: Reserva, secreto: String },
    /// A step's outcome is unknown and nothing was undone blind: the reservation is
    /// EN_CURSO and recovery finishes it (or refunds it). The buyer follows it.
    Pendiente { reserva: Reserva, secreto: String },
    /// Refused, and whatever was done is undone: the problem says what and why
    /// (`reserva_id`, `paso`, `compensaciones`).
    Rechazada(ApiError),
    /// The request was already answered: an `Idempotency-Key` replay, or a double
    /// submission without a key.
    Repetida(Repeticion),
}

/// The earlier answer a repeated request gets.
#[derive(Debug)]
pub enum Repeticion {
    /// A sale: the reservation as it was confirmed (even if cancelled since), with its
    /// guest secret when it is the key's own confirmation.
    Confirmada {
        reserva: Reserva,
        secreto: Option<String>,
    },
    /// A double submission of a checkout that is still running.
    EnCurso(Reserva),
    /// The outcome recorded on the key: a problem (or, from older versions, a body).
    Grabada { status: u16, cuerpo: String },
}

/// The use case, built once per process.
pub struct Reservar {
    pub deps: Arc<Deps>,
    pub cadena: Arc<Cadena>,
    pub idempotencia: Arc<dyn IdempotenciaStore>,
    pub simular_fallos: bool,
    /// One permit per running SAGA (`RESERVAS_MAX_EN_CURSO`): the load-shedding bound.
    pub en_curso: Arc<tokio::sync::Semaphore>,
    /// The key of request fingerprints (`RESERVAS_CLAVE_HUELLAS`).
    pub clave_huellas: Secreto,
    /// The key guest secrets derive from: itself derived from `clave_huellas`, so
    /// every instance derives the same secret for a reservation.
    clave_secretos: Secreto,
}

impl Reservar {
    pub fn new(
        deps: Arc<Deps>,
        cadena: Arc<Cadena>,
        idempotencia: Arc<dyn IdempotenciaStore>,
        simular_fallos: bool,
        max_en_curso: usize,
        clave_huellas: Secreto,
    ) -> Self {
        let clave_secretos = secreto::clave(&clave_huellas);
        Self {
            deps,
            cadena,
            idempotencia,
            simular_fallos,
            en_curso: Arc::new(tokio::sync::Semaphore::new(max_en_curso)),
            clave_huellas,
            clave_secretos,
        }
    }

    /// Runs a checkout to its end. `Err` is a refusal before anything started: nothing
    /// was held, charged, stored or recorded on the key.
    pub async fn ejecutar(self: &Arc<Self>, mut pedido: Pedido) -> Result<Desenlace, ApiError> {
        // Without a session anyone may buy as a guest, by email or id (the seed's body).
        // A signed-in buyer buys for themselves: naming nobody means them, naming someone
        // else is refused by ValidadorDatos once the name is resolved.
        let sesion =
            match pedido.llamante {
                Llamante::Comprador(u) => {
                    let s = &mut pedido.solicitud;
                    if s.usuario_id.is_none() && s.email.is_none() {
                        s.usuario_id = Some(u.to_string());
                    }
                    Some(u.to_string())
                }
                Llamante::Organizador(_) | Llamante::Staff { .. } => return Err(prohibido(
                    "Una cuenta de organizador o de su personal no compra entradas: inicia sesión como comprador",
                )),
                Llamante::Anonimo | Llamante::Admin => None,
            };
        let remitente = Remitente::de(
            &self.clave_huellas,
            pedido.llamante,
            pedido.ip_invitado,
            &pedido.solicitud,
        );
        // Load shedding: past RESERVAS_MAX_EN_CURSO running SAGAs, answer 503 at once
        // rather than let requests pile up behind a slow dependency.
        let permiso = self.en_curso.clone().try_acquire_owned().map_err(|_| {
            self.deps.metricas.saga("sobrecarga");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "sobrecarga",
                "Servicio sobrecargado",
                "Hay demasiadas reservas en curso; inténtelo de nuevo en unos segundos",
            )
        })?;
        // Detached from the caller: a client that disconnects (a timeout, a closed tab)
        // drops the caller's future, and must not cut the SAGA off half-way, leaving its
        // lock, its hold and an Idempotency-Key stuck "in progress". The permit goes with
        // it: a SAGA counts until it really ends.
        let yo = Arc::clone(self);
        tokio::spawn(
            async move {
                let _permiso = permiso;
                yo.hasta_el_final(pedido, sesion, remitente).await
            }
            .in_current_span(),
        )
        .await
        .map_err(ApiError::internal)?
    }

    async fn hasta_el_final(
        &self,
        pedido: Pedido,
        sesion: Option<String>,
        remitente: Remitente,
    ) -> Result<Desenlace, ApiError> {
        let rid = ReservaId::nuevo();
        // The guest link's secret: the answer carries it, the reservation its hash.
        let secreto = secreto::derivar(&self.clave_secretos, &rid);
        if let Some(clave) = &pedido.clave {
            let hash =
                idempotencia::huella(&self.clave_huellas, &remitente.clase, &pedido.solicitud);
            if let Some(repeticion) = idempotencia::decidir(
                self.idempotencia.as_ref(),
                self.deps.reservas.as_ref(),
                &self.clave_secretos,
                clave,
                &hash,
                &rid,
            )
            .await?
            {
                return Ok(Desenlace::Repetida(repeticion));
            }
        }
        let clave = pedido.clave.clone();
        let mut ctx = self.contexto(rid, &secreto, pedido, sesion, remitente);
        let desenlace = self.correr(&mut ctx, secreto).await;
        if let (Some(clave), Desenlace::Rechazada(e)) = (&clave, &desenlace) {
            // A confirmation or a pending one is found through the key's reservation.
            idempotencia::cerrar(self.idempotencia.as_ref(), clave, e).await;
        }
        Ok(desenlace)
    }

    /// The SAGA's context, built here and nowhere else for a new checkout.
    fn contexto(
        &self,
        rid: ReservaId,
        secreto: &str,
        pedido: Pedido,
        sesion: Option<String>,
        remitente: Remitente,
    ) -> Contexto {
        // The event id as sent: ValidadorDatos parses it and puts the parsed one in its
        // place before anything is stored or asked (a bad one is a 422 naming it).
        let evento_sin_validar = EventoId::confiable(pedido.solicitud.evento_id.clone());
        let mut reserva = Reserva::nueva(rid, evento_sin_validar, 0, pedido.correlacion);
        reserva.secreto_hash = Some(identidad::hash_hex(secreto));
        reserva.origen = Some(remitente.origen);
        Contexto {
            solicitud: Some(pedido.solicitud),
            fallo_simulado: pedido.fallo_simulado.filter(|_| self.simular_fallos),
            con_clave: pedido.clave.is_some(),
            sesion,
            invitado: remitente.invitado,
            secreto: Some(secreto.to_owned()),
            ..Contexto::de(reserva)
        }
    }

    /// Runs the chain and names its outcome.
    async fn correr(&self, ctx: &mut Contexto, secreto: String) -> Desenlace {
        let metricas = &self.deps.metricas;
        match self.cadena.ejecutar(ctx, &self.deps, 0).await {
            Ok(()) => {
                metricas.saga("confirmada");
                Desenlace::Confirmada {
                    reserva: ctx.reserva.clone(),
                    secreto,
                }
            }
            Err(Fin::Fallida(_)) if ctx.repetida.is_some() => {
                // A double submission without a key: the buyer's identical reservation
                // of a moment ago is the answer, not a second charge.
                metricas.saga("repetida");
                let previa = ctx.repetida.take().expect("checked");
                Desenlace::Repetida(if previa.estado == Estado::Confirmada {
                    Repeticion::Confirmada {
                        reserva: previa,
                        secreto: None,
                    }
                } else {
                    Repeticion::EnCurso(previa)
                })
            }
            Err(Fin::Fallida(e)) => {
                metricas.saga(e.kind);
                Desenlace::Rechazada(e)
            }
            Err(Fin::Pendiente) => {
                metricas.saga("pendiente");
                self.pendiente(ctx, secreto).await
            }
        }
    }

    /// A SAGA whose outcome is not known here: if the stored reservation has meanwhile
    /// ended (another instance finished it), that outcome; otherwise it is pending.
    async fn pendiente(&self, ctx: &Contexto, secreto: String) -> Desenlace {
        if let Ok(Some(r)) = self.deps.reservas.get(&ctx.reserva.id).await {
            match idempotencia::terminada(&r, &self.clave_secretos) {
                Some(idempotencia::Terminada::Confirmada(reserva, _)) => {
                    return Desenlace::Confirmada {
                        reserva: *reserva,
                        secreto,
                    }
                }
                Some(idempotencia::Terminada::Fallida(e)) => return Desenlace::Rechazada(e),
                None => {}
            }
        }
        let mut reserva = ctx.reserva.clone();
        // Whatever this run last set in memory, it is running until recovery says.
        reserva.estado = Estado::EnCurso;
        Desenlace::Pendiente { reserva, secreto }
    }
}
