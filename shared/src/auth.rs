//! Bearer-token checks, compared in constant time, and the service credentials of the
//! `/internal/*` routes: one token per service, and per route the services it accepts.

use std::marker::PhantomData;

use axum::http::{header, HeaderMap, StatusCode};

use crate::config::{BackendMode, Entorno};
use crate::error::ApiError;
use crate::secreto::Secreto;

/// Compares without an early exit (RustCrypto's `subtle`), so response timing does not
/// reveal how much of a guessed token was right. Only the length can leak, which tokens
/// do not keep secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

/// Checks `Authorization: Bearer <expected>`. `realm` names the credential in the error.
pub fn require_bearer(headers: &HeaderMap, expected: &str, realm: &str) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(token)
            if !expected.is_empty() && constant_time_eq(token.as_bytes(), expected.as_bytes()) =>
        {
            Ok(())
        }
        Some(_) => Err(ApiError::unauthorized(format!(
            "Credencial de {realm} inválida"
        ))),
        None => Err(ApiError::unauthorized(format!(
            "Falta la credencial de {realm}: 'Authorization: Bearer <token>'"
        ))),
    }
}

/// An EventFlow service, as a caller of another one's `/internal/*` routes. Each has its
/// own credential, so a leaked one opens only the routes that service may call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Servicio {
    Usuarios,
    Eventos,
    Reservas,
    Notificaciones,
}

impl Servicio {
    pub const TODOS: [Servicio; 4] = [
        Servicio::Usuarios,
        Servicio::Eventos,
        Servicio::Reservas,
        Servicio::Notificaciones,
    ];

    /// The name in errors and documentation.
    pub fn nombre(self) -> &'static str {
        match self {
            Servicio::Usuarios => "usuarios",
            Servicio::Eventos => "eventos",
            Servicio::Reservas => "reservas",
            Servicio::Notificaciones => "notificaciones",
        }
    }

    /// The variable that holds its token.
    pub fn variable(self) -> &'static str {
        match self {
            Servicio::Usuarios => "EVENTFLOW_TOKEN_USUARIOS",
            Servicio::Eventos => "EVENTFLOW_TOKEN_EVENTOS",
            Servicio::Reservas => "EVENTFLOW_TOKEN_RESERVAS",
            Servicio::Notificaciones => "EVENTFLOW_TOKEN_NOTIFICACIONES",
        }
    }

    /// The documented development token, used on embedded backends when the variable is
    /// unset; never on real ones.
    pub fn token_dev(self) -> &'static str {
        match self {
            Servicio::Usuarios => "eventflow-dev-usuarios",
            Servicio::Eventos => "eventflow-dev-eventos",
            Servicio::Reservas => "eventflow-dev-reservas",
            Servicio::Notificaciones => "eventflow-dev-notificaciones",
        }
    }

    /// Its token from the environment: the development one on embedded backends, and on
    /// real ones an error naming the variable (and what replaced the old shared one).
    pub fn token_desde(self, e: &mut Entorno, mode: BackendMode) -> Secreto {
        match (e.secreto(self.variable()), mode) {
            (Some(t), _) => t,
            (None, BackendMode::Embedded) => Secreto::new(self.token_dev()),
            (None, BackendMode::Real) => {
                let mensaje = if e.definida(ANTIGUA) {
                    format!(
                        "no está definida: {ANTIGUA} ya no se lee; ahora cada servicio tiene \
                         su propio token (EVENTFLOW_TOKEN_USUARIOS, EVENTFLOW_TOKEN_EVENTOS, \
                         EVENTFLOW_TOKEN_RESERVAS, EVENTFLOW_TOKEN_NOTIFICACIONES), cada uno \
                         un secreto distinto"
                    )
                } else {
                    "no está definida: en backends reales el servicio no arranca sin ella".into()
                };
                e.invalida(self.variable(), mensaje);
                Secreto::new("")
            }
        }
    }
}

/// The one shared service token this replaced, named in the start-up error.
const ANTIGUA: &str = "EVENTFLOW_SERVICE_TOKEN";

impl std::fmt::Display for Servicio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.nombre())
    }
}

/// A service's credentials: its own token, which it presents to the others, and the
/// tokens of the services allowed to call it, which it checks. Nothing else: a service
/// does not hold the token of one that never calls it.
#[derive(Debug, Clone)]
pub struct CredencialesServicios {
    propio: Servicio,
    token_propio: Secreto,
    aceptados: Vec<(Servicio, Secreto)>,
}

impl CredencialesServicios {
    /// `propio` presenting `token_propio`, accepting no caller yet.
    pub fn new(propio: Servicio, token_propio: impl Into<Secreto>) -> Self {
        Self {
            propio,
            token_propio: token_propio.into(),
            aceptados: Vec::new(),
        }
    }

    /// Also accepts `servicio` presenting `token`. An empty token is kept but never
    /// matches.
    pub fn aceptando(mut self, servicio: Servicio, token: impl Into<Secreto>) -> Self {
        self.aceptados.retain(|(s, _)| *s != servicio);
        self.aceptados.push((servicio, token.into()));
        self
    }

    /// The development tokens of `propio` and of `llamantes`.
    pub fn dev(propio: Servicio, llamantes: &[Servicio]) -> Self {
        llamantes
            .iter()
            .fold(Self::new(propio, propio.token_dev()), |c, s| {
                c.aceptando(*s, s.token_dev())
            })
    }

    /// `propio`'s token and those of `llamantes`, from their `EVENTFLOW_TOKEN_*`
    /// variables. Two services with the same token would be indistinguishable, so that
    /// is refused too.
    pub fn desde(
        e: &mut Entorno,
        propio: Servicio,
        llamantes: &[Servicio],
        mode: BackendMode,
    ) -> Self {
        let mut c = Self::new(propio, propio.token_desde(e, mode));
        for s in llamantes {
            c = c.aceptando(*s, s.token_desde(e, mode));
        }
        let mut leidos = vec![(propio, c.token_propio.clone())];
        leidos.extend(c.aceptados.iter().cloned());
        for (i, (a, ta)) in leidos.iter().enumerate() {
            for (b, tb) in &leidos[i + 1..] {
                // An empty one is a missing token, already reported.
                if a != b && ta == tb && !ta.is_empty() {
                    e.invalida(
                        b.variable(),
                        format!(
                            "tiene el mismo token que {}: cada servicio necesita su propio secreto",
                            a.variable()
                        ),
                    );
                }
            }
        }
        c
    }

    /// The service these credentials belong to.
    pub fn propio(&self) -> Servicio {
        self.propio
    }

    /// The token this service presents to the others.
    pub fn token_propio(&self) -> &Secreto {
        &self.token_propio
    }

    /// The accepted service whose token is `presentado`, if any. Every configured token is
    /// compared, in constant time and without an early exit, so timing does not tell
    /// which service a guess was close to; an empty token never matches.
    pub fn identificar(&self, presentado: &str) -> Option<Servicio> {
        let mut hallado = None;
        for (s, t) in &self.aceptados {
            let igual = !t.is_empty()
                && !presentado.is_empty()
                && constant_time_eq(presentado.as_bytes(), t.expose().as_bytes());
            if igual && hallado.is_none() {
                hallado = Some(*s);
            }
        }
        hallado
    }
}

/// Implemented by a service's state to hand [`Interno`] its credentials.
pub trait ConCredenciales {
    fn credenciales(&self) -> &CredencialesServicios;
}

/// The services a route accepts: a marker type per set, named in [`Interno`].
pub trait Permitidos: Send + Sync + 'static {
    const SERVICIOS: &'static [Servicio];
}

/// Only reservas-pagos (the SAGA's inventory and buyer calls).
pub struct DeReservas;
/// Only eventos (its reconciliation report).
pub struct DeEventos;
/// Only usuarios (an organizer's buyers).
pub struct DeUsuarios;
/// Any EventFlow service (a session check).
pub struct DeServicios;

impl Permitidos for DeReservas {
    const SERVICIOS: &'static [Servicio] = &[Servicio::Reservas];
}
impl Permitidos for DeEventos {
    const SERVICIOS: &'static [Servicio] = &[Servicio::Eventos];
}
impl Permitidos for DeUsuarios {
    const SERVICIOS: &'static [Servicio] = &[Servicio::Usuarios];
}
impl Permitidos for DeServicios {
    const SERVICIOS: &'static [Servicio] = &Servicio::TODOS;
}

/// Extractor proving the caller is one of the services `P` allows. As an extractor it runs
/// before the body is read: 401 for a missing or unknown token, 403 (`prohibido`) for a
/// known service that may not call this route.
pub struct Interno<P: Permitidos> {
    pub servicio: Servicio,
    _p: PhantomData<P>,
}

impl<P: Permitidos, S: ConCredenciales + Send + Sync> axum::extract::FromRequestParts<S>
    for Interno<P>
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let servicio = identificar::<P>(&parts.headers, state.credenciales())?;
        Ok(Self {
            servicio,
            _p: PhantomData,
        })
    }
}

/// The check behind [`Interno`], apart so it can be tested without a request.
pub fn identificar<P: Permitidos>(
    headers: &HeaderMap,
    credenciales: &CredencialesServicios,
) -> Result<Servicio, ApiError> {
    let presentado = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = presentado else {
        return Err(ApiError::unauthorized(
            "Falta la credencial de servicio: 'Authorization: Bearer <token>'",
        ));
    };
    match credenciales.identificar(token) {
        None => Err(ApiError::unauthorized("Credencial de servicio inválida")),
        Some(s) if P::SERVICIOS.contains(&s) => Ok(s),
        Some(s) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "prohibido",
            "Prohibido",
            format!("El servicio {s} no puede llamar a esta ruta"),
        )),
    }
}

#[cfg(test)]
mod interno_tests {
    use super::*;
    use axum::http::HeaderValue;

    fn con(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
        );
        h
    }

    fn de_eventos() -> CredencialesServicios {
        CredencialesServicios::dev(Servicio::Eventos, &[Servicio::Reservas])
            .aceptando(Servicio::Notificaciones, "tok-notificaciones")
    }

    #[test]
    fn unknown_or_missing_token_is_401() {
        let c = de_eventos();
        for h in [
            HeaderMap::new(),
            con("otro"),
            con(Servicio::Eventos.token_dev()),
        ] {
            let e = identificar::<DeReservas>(&h, &c).expect_err("refused");
            assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        }
        // A prefix of an accepted token is unknown too.
        let e = identificar::<DeReservas>(&con("eventflow-dev-reserva"), &c).unwrap_err();
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn known_service_not_allowed_is_403_naming_it() {
        let e = identificar::<DeReservas>(&con("tok-notificaciones"), &de_eventos())
            .expect_err("notificaciones may not");
        assert_eq!(e.status, StatusCode::FORBIDDEN);
        assert_eq!(e.kind, "prohibido");
        assert_eq!(
            e.detail,
            "El servicio notificaciones no puede llamar a esta ruta"
        );
    }

    #[test]
    fn allowed_service_passes_and_is_named() {
        let c = de_eventos();
        let h = con(Servicio::Reservas.token_dev());
        assert_eq!(
            identificar::<DeReservas>(&h, &c).unwrap(),
            Servicio::Reservas
        );
        assert_eq!(
            identificar::<DeServicios>(&con("tok-notificaciones"), &c).unwrap(),
            Servicio::Notificaciones
        );
    }

    #[test]
    fn empty_configured_token_never_matches() {
        let c =
            CredencialesServicios::new(Servicio::Eventos, "t").aceptando(Servicio::Reservas, "");
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        let e = identificar::<DeServicios>(&h, &c).expect_err("empty never matches");
        assert_eq!(e.status, StatusCode::UNAUTHORIZED);
        assert_eq!(c.identificar(""), None);
        assert_eq!(c.identificar(" "), None);
    }

    #[test]
    fn dev_tokens_differ() {
        let mut vistos = std::collections::HashSet::new();
        for s in Servicio::TODOS {
            assert!(vistos.insert(s.token_dev()));
        }
    }

    /// eventos' credentials, accepting reservas', read from `vars` on real backends: what
    /// start-up gets, or the error it stops with.
    fn eventos_con_reservas(vars: &[(&str, &str)]) -> Result<CredencialesServicios, String> {
        let mut e = Entorno::de(vars.iter().copied());
        let c = CredencialesServicios::desde(
            &mut e,
            Servicio::Eventos,
            &[Servicio::Reservas],
            BackendMode::Real,
        );
        e.terminar().map(|()| c).map_err(|err| err.to_string())
    }

    /// The start-up errors on real backends: every missing token named, what replaced
    /// the shared one said, and no secret echoed.
    #[test]
    fn startup_names_the_missing_variable_and_what_replaced_the_shared_one() {
        let mut e = Entorno::de::<&str, &str>([]);
        Servicio::Reservas.token_desde(&mut e, BackendMode::Real);
        let err = e.terminar().unwrap_err().to_string();
        assert!(
            err.contains("EVENTFLOW_TOKEN_RESERVAS: no está definida"),
            "{err}"
        );
        let mut e = Entorno::de::<&str, &str>([]);
        let t = Servicio::Reservas.token_desde(&mut e, BackendMode::Embedded);
        assert_eq!(t.expose(), "eventflow-dev-reservas");
        assert!(e.terminar().is_ok());

        let err = eventos_con_reservas(&[(ANTIGUA, "viejo-compartido")]).unwrap_err();
        // Both missing tokens, in one report.
        assert!(
            err.contains("EVENTFLOW_TOKEN_EVENTOS: no está definida"),
            "{err}"
        );
        assert!(
            err.contains("EVENTFLOW_TOKEN_RESERVAS: no está definida"),
            "{err}"
        );
        assert!(
            err.contains("EVENTFLOW_SERVICE_TOKEN ya no se lee"),
            "{err}"
        );
        assert!(!err.contains("viejo-compartido"), "{err}");

        // The same secret for two services is refused: they would be indistinguishable.
        let err = eventos_con_reservas(&[
            ("EVENTFLOW_TOKEN_EVENTOS", "igual-para-ambos"),
            ("EVENTFLOW_TOKEN_RESERVAS", "igual-para-ambos"),
        ])
        .unwrap_err();
        assert!(err.contains("tiene el mismo token que"), "{err}");
        assert!(!err.contains("igual-para-ambos"), "{err}");

        let c = eventos_con_reservas(&[
            ("EVENTFLOW_TOKEN_EVENTOS", "igual-para-ambos"),
            ("EVENTFLOW_TOKEN_RESERVAS", "otro-distinto"),
        ])
        .expect("two distinct tokens");
        assert_eq!(c.identificar("otro-distinto"), Some(Servicio::Reservas));
        assert_eq!(
            c.identificar("igual-para-ambos"),
            None,
            "its own is not a caller"
        );
    }

    #[test]
    fn debug_never_prints_a_token() {
        let c = CredencialesServicios::new(Servicio::Eventos, "propio-123")
            .aceptando(Servicio::Reservas, "ajeno-456");
        let impreso = format!("{c:?}");
        assert!(!impreso.contains("propio-123") && !impreso.contains("ajeno-456"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accepts_only_the_exact_token() {
        let mut h = HeaderMap::new();
        assert!(require_bearer(&h, "secreto", "organizador").is_err());
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer secret"),
        );
        assert!(require_bearer(&h, "secreto", "organizador").is_err());
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Bearer secreto"),
        );
        assert!(require_bearer(&h, "secreto", "organizador").is_ok());
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("secreto"));
        assert!(require_bearer(&h, "secreto", "organizador").is_err());
        // An empty configured token must never match an empty presented one.
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer "));
        assert!(require_bearer(&h, "", "organizador").is_err());
    }

    #[test]
    fn prefixes_empty_and_extended_tokens_fail() {
        let expected = "eventflow-dev-service";
        let check = |auth: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::AUTHORIZATION, HeaderValue::from_str(auth).unwrap());
            require_bearer(&h, expected, "servicio")
        };
        // Every proper prefix, the empty token included, is refused...
        for n in 0..expected.len() {
            let err = check(&format!("Bearer {}", &expected[..n]))
                .expect_err("a prefix of the token must not pass");
            assert_eq!(err.status, axum::http::StatusCode::UNAUTHORIZED);
        }
        // ...and so are the token with more after it, and a bare "Bearer".
        assert!(check(&format!("Bearer {expected}x")).is_err());
        assert!(check(&format!("Bearer {expected}{expected}")).is_err());
        assert!(check("Bearer").is_err());
        assert!(check("Bearer ").is_err());
        assert!(check(&format!("Bearer {expected}")).is_ok());
        assert!(!constant_time_eq(b"", expected.as_bytes()));
        assert!(!constant_time_eq(
            &expected.as_bytes()[..3],
            expected.as_bytes()
        ));
    }

    #[test]
    fn constant_time_eq_matches_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
