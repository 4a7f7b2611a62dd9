//! One-time codes: ask for one (`POST /api/usuarios/codigo`), then use it to set a
//! password (`POST /api/usuarios/password`) or, in `PATCH /api/usuarios/{id}`, to
//! confirm a new email. The code travels as a `CodigoEmitido` message to notificaciones,
//! from an outbox written with the code itself.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use eventflow_shared::bus::{CodigoEmitido, Mensaje};
use eventflow_shared::identidad::{prohibido, Llamante, Rol};
use eventflow_shared::problemas::{BodyProblems, MongoUnavailable};
use eventflow_shared::{ApiError, ApiJson, Problem};
use uuid::Uuid;

use super::cliente::{Cliente, TokenActual};
use super::dto::{CodigoSolicitado, FijarPassword, PasswordFijada, SolicitarCodigo};
use super::AppState;
use crate::domain::codigo::{self, VIGENCIA_MIN};
use crate::domain::{Canje, Codigo, Contrasena, Email, Proposito};
use crate::store::{StoreError, EMAIL_DUPLICADO};

/// Send a 6-digit one-time code: to the account's email (`proposito: "password"`, to set
/// or reset the password; `"sesion"`, to sign in past the daily failures cap), or to a
/// new email of the signed-in buyer (`"email"`).
#[utoipa::path(post, path = "/api/usuarios/codigo", tag = "usuarios",
    summary = "Enviar un código de un solo uso",
    description = "Envía un código de 6 dígitos de un solo uso: al email de la cuenta (`proposito: \"password\"`, para fijar o restablecer la contraseña; `\"sesion\"`, para iniciar sesión en una cuenta con demasiados intentos fallidos hoy, con `rol` si es de organizador), o a un email nuevo del comprador con sesión iniciada (`\"email\"`).",
    request_body = SolicitarCodigo,
    security((), ("bearer" = [])),
    responses(
        (status = 202, description = "Enviado si el email tiene cuenta (la misma respuesta si no la tiene)", body = CodigoSolicitado),
        BodyProblems,
        (status = 401, description = "`proposito: email` sin sesión", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`proposito: email` con una sesión que no es de comprador", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`proposito: email`: ese email ya es de otro usuario", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Email o propósito inválido", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Demasiados códigos para ese email o desde esa IP; ver Retry-After", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
#[tracing::instrument(skip_all)]
pub async fn solicitar_codigo(
    State(state): State<AppState>,
    Cliente(ip): Cliente,
    // Only `proposito: email` reads the session: for a password code, as on the other
    // public routes, a credential is ignored.
    llamante: Result<Llamante, ApiError>,
    ApiJson(body): ApiJson<SolicitarCodigo>,
) -> Result<(StatusCode, Json<CodigoSolicitado>), ApiError> {
    let email = Email::parse(&body.email).map_err(|m| ApiError::field("email", m))?;
    let mensaje = match body.proposito {
        Proposito::Password => {
            state.limites.codigo(email.as_str(), ip)?;
            // Registration already answers 409 for a taken email, so the same answer
            // here hides nothing new; it just does not confirm accounts for free.
            if let Some(u) = state.store.get_by_email(&email).await? {
                emitir(&state, u.id, Proposito::Password, email).await?;
            }
            format!(
                "Si el email tiene una cuenta, le enviamos un código de 6 dígitos. Caduca en {VIGENCIA_MIN} minutos."
            )
        }
        Proposito::Sesion => {
            state.limites.codigo(email.as_str(), ip)?;
            let id = match body.rol.unwrap_or(Rol::Comprador) {
                Rol::Comprador => state.store.get_by_email(&email).await?.map(|u| u.id),
                Rol::Organizador => state
                    .organizadores
                    .credenciales(&email)
                    .await?
                    .map(|(o, _)| o.id),
                Rol::Staff => state.staff.credenciales(&email).await?.map(|(s, _)| s.id),
            };
            if let Some(id) = id {
                emitir(&state, id, Proposito::Sesion, email).await?;
            }
            format!(
                "Si el email tiene una cuenta, le enviamos un código de 6 dígitos para iniciar sesión. Caduca en {VIGENCIA_MIN} minutos."
            )
        }
        Proposito::Email => {
            let Llamante::Comprador(yo) = llamante?.exigir_sesion()? else {
                return Err(prohibido(
                    "Solo un comprador con sesión confirma un email nuevo",
                ));
            };
            state.limites.codigo(email.as_str(), ip)?;
            match state.store.get_by_email(&email).await? {
                Some(u) if u.id == yo => {
                    return Err(ApiError::field("email", "ya es el email de tu cuenta"))
                }
                // The same 409 a taken email gets everywhere else.
                Some(_) => return Err(StoreError::Duplicate(EMAIL_DUPLICADO).into()),
                None => emitir(&state, yo, Proposito::Email, email).await?,
            }
            format!(
                "Te enviamos un código de 6 dígitos al email nuevo. Caduca en {VIGENCIA_MIN} minutos."
            )
        }
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(CodigoSolicitado {
            mensaje,
            vigencia_minutos: VIGENCIA_MIN,
        }),
    ))
}

/// Stores a fresh code with the message that sends it, and wakes the relay.
async fn emitir(
    state: &AppState,
    usuario_id: Uuid,
    proposito: Proposito,
    destino: Email,
) -> Result<(), ApiError> {
    let (c, digitos) = Codigo::emitir(usuario_id, proposito, destino, eventflow_shared::now());
    let mensaje = Mensaje::CodigoEmitido(CodigoEmitido {
        usuario_id,
        email: c.destino.as_str().to_owned(),
        codigo: digitos,
        proposito: proposito.as_str().to_owned(),
        expira_en: c.expira_en,
    })
    .pendiente(&Uuid::new_v4().to_string());
    state.codigos.emitir(&c, &mensaje).await?;
    state.aviso_codigos.notify_one();
    tracing::info!(%usuario_id, proposito = proposito.as_str(), "código emitido");
    Ok(())
}

fn codigo_invalido() -> ApiError {
    ApiError::field("codigo", "no es correcto o caducó; pide uno nuevo")
}

/// Takes one try of `digitos` for the buyer's live code sent to `destino`.
pub(super) async fn canjear(
    state: &AppState,
    usuario_id: Uuid,
    proposito: Proposito,
    destino: &Email,
    digitos: &str,
) -> Result<(), ApiError> {
    if !codigo::formato_valido(digitos) {
        return Err(ApiError::field("codigo", "debe tener 6 dígitos"));
    }
    let hash = codigo::hash(usuario_id, proposito, destino, digitos);
    match state.codigos.canjear(usuario_id, proposito, &hash).await? {
        Canje::Valido { .. } => Ok(()),
        Canje::Incorrecto { restantes } => {
            Err(codigo_invalido().with("intentos_restantes", restantes))
        }
        Canje::NoHay => Err(codigo_invalido().with("intentos_restantes", 0)),
    }
}

/// Set a first password, or reset a forgotten one, with a code from
/// `POST /api/usuarios/codigo`. Signs out every other session of the account: all of
/// them, unless the request carries one of the account's sessions, which stays.
#[utoipa::path(post, path = "/api/usuarios/password", tag = "usuarios",
    summary = "Fijar o restablecer la contraseña",
    description = "Fija una primera contraseña, o restablece una olvidada, con un código pedido en `POST /api/usuarios/codigo`. Cierra al instante todas las sesiones de la cuenta en este servicio (en los demás, cuando vence su caché de sesiones: `EVENTFLOW_SESION_CACHE_MS`, 2 s por defecto), salvo la sesión de la cuenta con la que se hace el cambio, si la hay.",
    request_body = FijarPassword,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Contraseña guardada", body = PasswordFijada),
        BodyProblems,
        (status = 422, description = "Contraseña débil, o código incorrecto o caducado (con `intentos_restantes`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Demasiadas solicitudes desde esa IP; ver Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible, o `sobrecarga`: demasiadas contraseñas procesándose a la vez; ver Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn fijar_password(
    State(state): State<AppState>,
    Cliente(ip): Cliente,
    TokenActual(sesion): TokenActual,
    ApiJson(body): ApiJson<FijarPassword>,
) -> Result<Json<PasswordFijada>, ApiError> {
    let email = Email::parse(&body.email).map_err(|m| ApiError::field("email", m))?;
    // Checked (length first) before the code is spent or anything is hashed.
    let password = Contrasena::parse(&body.password, email.as_str())
        .map_err(|m| ApiError::field("password", m))?;
    state.limites.por_ip(ip)?;
    let Some(u) = state.store.get_by_email(&email).await? else {
        return Err(codigo_invalido().with("intentos_restantes", 0));
    };
    // Sent to the account's email: if that changed since, the code no longer matches.
    canjear(&state, u.id, Proposito::Password, &email, &body.codigo).await?;
    let hash = state.contrasenas.hash(&password).await?;
    state.store.fijar_password(u.id, &hash).await?;
    let conservada = super::cliente::revocar_otras(&state, u.id, sesion.as_deref()).await?;
    tracing::info!(usuario_id = %u.id, conservada, "contraseña fijada con código");
    let mensaje = if conservada {
        "Contraseña guardada. Se cerraron las demás sesiones de tu cuenta; esta sigue abierta."
    } else {
        "Contraseña guardada. Inicia sesión con ella; las sesiones anteriores se cerraron."
    };
    Ok(Json(PasswordFijada {
        mensaje: mensaje.into(),
    }))
}
