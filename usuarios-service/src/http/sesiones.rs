//! `/api/sesiones`: sign in with email and password, read and revoke the current session.
//!
//! A wrong email and a wrong password are the same 401 after the same argon2 work (see
//! `domain::contrasena`), so the answer cannot tell which accounts exist.

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use eventflow_shared::identidad::{
    self, formato_valido, hash_hex, nuevo_token, prohibido, sesion_invalida, sin_credencial, Rol,
    SesionVerificada,
};
use eventflow_shared::problemas::{BodyProblems, MongoUnavailable};
use eventflow_shared::{ApiError, ApiJson, Problem};
use uuid::Uuid;

use super::cliente::Cliente;
use super::dto::{IniciarSesion, SesionActual, SesionCreada};
use super::AppState;
use crate::domain::contrasena::MAX_CARACTERES;
use crate::domain::{Email, Proposito, Sesion};

fn credenciales_invalidas() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "credenciales-invalidas",
        "Credenciales inválidas",
        "El email o la contraseña no son correctos",
    )
}

/// 403 `codigo-requerido`: the account had too many failed sign-ins today.
fn codigo_requerido() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "codigo-requerido",
        "Se necesita un código",
        "Hoy hubo demasiados intentos fallidos de entrar en esta cuenta. Pide un código \
         (POST /api/usuarios/codigo con proposito \"sesion\"), que llegará a su email, y \
         envíalo en `codigo` junto con la contraseña",
    )
}

/// The key of an account for the sign-in limits: the role and the email as typed.
fn cuenta(rol: Rol, email: &Email) -> String {
    let rol = match rol {
        Rol::Comprador => "comprador",
        Rol::Organizador => "organizador",
        Rol::Staff => "staff",
    };
    format!("{rol}:{}", email.as_str())
}

/// Sign in. Answers a token to send as `Authorization: Bearer <token>`.
#[utoipa::path(post, path = "/api/sesiones", tag = "sesiones",
    summary = "Iniciar sesión",
    description = "Inicia sesión y devuelve un token que se envía como `Authorization: Bearer <token>`.\n\n\
        Tras 5 intentos fallidos de una cuenta desde una misma dirección, esa dirección espera 1 s, 2 s, 4 s… \
        (hasta 5 minutos) antes del siguiente intento a esa cuenta; las demás direcciones no esperan. \
        Tras 100 intentos fallidos de una cuenta en un día (UTC), desde cualquier dirección, entrar en ella \
        pide también un código de un solo uso enviado a su email (`POST /api/usuarios/codigo` con \
        `proposito: \"sesion\"`), en el campo `codigo`.",
    request_body = IniciarSesion,
    security(()),
    responses(
        (status = 201, description = "Sesión iniciada", body = SesionCreada),
        BodyProblems,
        (status = 401, description = "Email o contraseña incorrectos (la misma respuesta para ambos)", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`codigo-requerido`: demasiados intentos fallidos hoy para esta cuenta; pide un código y envíalo en `codigo`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Email mal formado, contraseña de más de 128 caracteres, o código incorrecto o caducado (con `intentos_restantes`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Demasiados intentos desde esa IP, o demasiados fallos para esa cuenta desde esa IP; ver Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible, o `sobrecarga`: demasiadas contraseñas procesándose a la vez; ver Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn iniciar_sesion(
    State(state): State<AppState>,
    Cliente(ip): Cliente,
    ApiJson(body): ApiJson<IniciarSesion>,
) -> Result<impl IntoResponse, ApiError> {
    let email = Email::parse(&body.email).map_err(|m| ApiError::field("email", m))?;
    // Before any hashing: a megabyte "password" costs nothing.
    if body.password.chars().count() > MAX_CARACTERES {
        return Err(ApiError::field(
            "password",
            "es demasiado larga (máximo 128 caracteres)",
        ));
    }
    let rol = body.rol.unwrap_or(Rol::Comprador);
    let cuenta = cuenta(rol, &email);
    state.limites.intento(&cuenta, ip)?;
    // The daily cap, before any hashing: past it, a guess without the code costs a read.
    let hoy = eventflow_shared::now().date_naive();
    let con_codigo = state.fallos.contar(&cuenta, hoy).await? >= state.limites.fallos_por_dia;
    if con_codigo && body.codigo.is_none() {
        tracing::info!(?rol, "sign-in needs a code: daily failures cap");
        return Err(codigo_requerido());
    }
    let (sujeto_id, hash, usuario) = match rol {
        Rol::Comprador => match state.store.credenciales(&email).await? {
            Some((u, h)) => (Some(u.id), h, json(&u)?),
            None => (None, None, serde_json::Value::Null),
        },
        Rol::Organizador => match state.organizadores.credenciales(&email).await? {
            Some((o, h)) => (Some(o.id), Some(h), json(&o)?),
            None => (None, None, serde_json::Value::Null),
        },
        Rol::Staff => match state.staff.credenciales(&email).await? {
            Some((s, h)) => (Some(s.id), Some(h), json(&s)?),
            None => (None, None, serde_json::Value::Null),
        },
    };
    if let (true, Some(digitos)) = (con_codigo, body.codigo.as_deref()) {
        // An unknown account has no code: the same "wrong or expired" as a wrong one.
        let id = sujeto_id.unwrap_or(Uuid::nil());
        super::codigos::canjear(&state, id, Proposito::Sesion, &email, digitos).await?;
    }
    let ok = state
        .contrasenas
        .verificar(&body.password, hash.as_deref())
        .await?;
    let (true, Some(sujeto_id)) = (ok, sujeto_id) else {
        let n = state.fallos.sumar(&cuenta, hoy).await?;
        tracing::info!(?rol, fallos_hoy = n, "sign-in refused");
        return Err(credenciales_invalidas());
    };
    state.limites.exito(&cuenta, ip);
    let token = nuevo_token();
    let ahora = eventflow_shared::now();
    let sesion = Sesion {
        token_hash: hash_hex(&token),
        sujeto_id,
        rol,
        creada_en: ahora,
        expira_en: ahora
            + chrono::Duration::from_std(state.sesion_ttl).unwrap_or(chrono::Duration::hours(12)),
    };
    state.sesiones.crear(&sesion).await?;
    tracing::info!(%sujeto_id, ?rol, "session started");
    Ok((
        StatusCode::CREATED,
        Json(SesionCreada {
            token,
            expira_en: sesion.expira_en,
            rol,
            usuario,
        }),
    ))
}

fn json(v: &impl serde::Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(v).map_err(ApiError::internal)
}

/// The session behind this request's bearer token: `(token hash, session)`.
async fn sesion_de(
    state: &AppState,
    parts: &Parts,
) -> Result<(String, SesionVerificada), ApiError> {
    let Some(t) = identidad::bearer(parts)? else {
        return Err(sin_credencial());
    };
    if !state.admin_token.is_empty()
        && eventflow_shared::auth::constant_time_eq(t.as_bytes(), state.admin_token.as_bytes())
    {
        return Err(prohibido(
            "El token de administrador no es una sesión: no hay sesión que leer ni cerrar",
        ));
    }
    if !formato_valido(t) {
        return Err(ApiError::unauthorized(
            "El token no tiene el formato de una sesión de EventFlow",
        ));
    }
    let hash = hash_hex(t);
    let s = state
        .verificador
        .verificar(&hash)
        .await?
        .ok_or_else(sesion_invalida)?;
    Ok((hash, s))
}

async fn titular(state: &AppState, rol: Rol, id: Uuid) -> Result<serde_json::Value, ApiError> {
    let v = match rol {
        Rol::Comprador => state.store.get(id).await?.map(|u| json(&u)).transpose()?,
        Rol::Organizador => state
            .organizadores
            .get(id)
            .await?
            .map(|o| json(&o))
            .transpose()?,
        Rol::Staff => state.staff.get(id).await?.map(|s| json(&s)).transpose()?,
    };
    v.ok_or_else(sesion_invalida)
}

/// Who this session belongs to, and until when it lasts.
#[utoipa::path(get, path = "/api/sesiones/actual", tag = "sesiones",
    summary = "Consultar la sesión actual",
    description = "Indica a quién pertenece esta sesión y hasta cuándo dura.",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "La sesión", body = SesionActual),
        (status = 401, description = "Sin sesión, o caducada o cerrada", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "El token de administrador no es una sesión", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn sesion_actual(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Json<SesionActual>, ApiError> {
    let (_, s) = sesion_de(&state, &parts).await?;
    Ok(Json(SesionActual {
        expira_en: s.expira_en,
        rol: s.rol,
        usuario: titular(&state, s.rol, s.sujeto_id).await?,
    }))
}

/// Sign out: the token stops working at once here, and within the session cache TTL
/// (2 s by default) on the other services.
#[utoipa::path(delete, path = "/api/sesiones/actual", tag = "sesiones",
    summary = "Cerrar sesión",
    description = "El token deja de funcionar al instante en este servicio, y en los demás servicios cuando vence la caché de sesiones (2 s por defecto).",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Sesión cerrada"),
        (status = 401, description = "Sin sesión, o caducada o cerrada", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "El token de administrador no es una sesión", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn cerrar_sesion(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<StatusCode, ApiError> {
    let (hash, s) = sesion_de(&state, &parts).await?;
    state.sesiones.revocar(&hash).await?;
    tracing::info!(sujeto_id = %s.sujeto_id, "session closed");
    Ok(StatusCode::NO_CONTENT)
}
