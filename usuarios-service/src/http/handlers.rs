//! Public usuarios handlers: parse the input, call the store, map the result.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use eventflow_shared::identidad::{prohibido, ConSesion, Llamante};
use eventflow_shared::problemas::{BodyProblems, MongoUnavailable};
use eventflow_shared::{ApiError, ApiJson, ApiPath, FieldError, Problem};
use uuid::Uuid;

use super::cliente::{Cliente, TokenActual};
use super::dto::{ActualizarUsuario, CrearUsuario, PaginaUsuarios};
use super::AppState;
use crate::domain::{CambiosUsuario, Contrasena, Email, NuevoUsuario, Proposito, Usuario};
use eventflow_shared::pagina::Paginacion;

/// 404 for a buyer the caller may not see: a 403 would confirm the account exists.
fn no_existe(id: &str) -> ApiError {
    ApiError::not_found(format!("No existe el usuario {id}"))
}

/// A buyer by UUID or email.
pub(super) async fn buscar(state: &AppState, id: &str) -> Result<Option<Usuario>, ApiError> {
    Ok(if let Ok(uuid) = Uuid::parse_str(id) {
        state.store.get(uuid).await?
    } else if id.contains('@') {
        let email = Email::parse(id).map_err(|m| ApiError::field("id", m))?;
        state.store.get_by_email(&email).await?
    } else {
        return Err(ApiError::field("id", "debe ser un UUID o un email"));
    })
}

/// Register a buyer.
#[utoipa::path(post, path = "/api/usuarios", tag = "usuarios",
    summary = "Registrar un comprador",
    description = "Registra la cuenta de un comprador nuevo.",
    request_body = CrearUsuario,
    security(()),
    responses(
        (status = 201, description = "Usuario creado", body = Usuario),
        BodyProblems,
        (status = 409, description = "Email o documento ya registrado", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos, cada uno nombrado en `errors`", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Con `password`: demasiados registros desde esa IP; ver Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB no disponible, o `sobrecarga`: demasiadas contraseñas procesándose a la vez; ver Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn crear_usuario(
    State(state): State<AppState>,
    Cliente(ip): Cliente,
    ApiJson(body): ApiJson<CrearUsuario>,
) -> Result<impl IntoResponse, ApiError> {
    let nuevo = NuevoUsuario::parse(
        &body.tipo_documento,
        &body.nro_documento,
        &body.nombre,
        &body.apellido,
        &body.email,
    );
    let password = body
        .password
        .as_deref()
        .map(|p| Contrasena::parse(p, &body.email))
        .transpose();
    let (nuevo, password) = match (nuevo, password) {
        (Ok(n), Ok(p)) => (n, p),
        (n, p) => {
            let mut errors = n.err().unwrap_or_default();
            if let Err(m) = p {
                errors.push(FieldError::new("password", m));
            }
            return Err(ApiError::validation(errors));
        }
    };
    // Only a registration with a password costs a hash; the seed's guest registrations
    // (no password) are not limited per address.
    let hash = match &password {
        Some(p) => {
            state.limites.por_ip(ip)?;
            Some(state.contrasenas.hash(p).await?)
        }
        None => None,
    };
    let mut usuario = nuevo.into_usuario(Uuid::new_v4(), eventflow_shared::now());
    state.store.insert(&usuario, hash.as_deref()).await?;
    usuario.tiene_password = hash.is_some();
    tracing::info!(usuario_id = %usuario.id, "usuario registrado");
    let location = format!("/api/usuarios/{}", usuario.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(usuario),
    ))
}

/// List buyers in registration order, a page at a time (platform admin only).
#[utoipa::path(get, path = "/api/usuarios", tag = "usuarios",
    summary = "Listar compradores",
    description = "Lista los compradores por orden de registro, una página cada vez. Solo puede hacerlo el administrador de la plataforma.",
    params(Paginacion),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Una página de usuarios", body = PaginaUsuarios),
        (status = 401, description = "Sin credencial", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Solo el administrador de la plataforma", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit u offset inválidos", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn listar_usuarios(
    State(state): State<AppState>,
    llamante: Llamante,
    pagina: Paginacion,
) -> Result<Json<PaginaUsuarios>, ApiError> {
    llamante.exigir_admin()?;
    let (limit, offset) = (pagina.limit(), pagina.offset());
    let pagina = state.store.list(limit, offset).await?;
    Ok(Json(PaginaUsuarios {
        items: pagina.items,
        total: pagina.total,
        limit,
        offset,
    }))
}

/// A buyer's profile, by id (UUID) or email: the buyer's own, a buyer of one of your
/// events as an organizer, or any for the admin.
#[utoipa::path(get, path = "/api/usuarios/{id}", tag = "usuarios",
    summary = "Consultar el perfil de un comprador",
    description = "Devuelve el perfil de un comprador por id (UUID) o email. Pueden verlo el propio comprador, un organizador si es comprador de uno de sus eventos, o el administrador.",
    params(("id" = String, Path, description = "UUID del usuario, o su email", example = "ana.quispe@example.com")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "El usuario", body = Usuario),
        (status = 401, description = "Sin sesión", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe, o no es tuyo (ni comprador de tus eventos)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ni UUID ni email válido", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "MongoDB, o reservas-pagos para un organizador, no disponible", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn obtener_usuario(
    State(state): State<AppState>,
    llamante: Llamante,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Usuario>, ApiError> {
    let llamante = llamante.exigir_sesion()?;
    if let (Llamante::Comprador(yo), Ok(uuid)) = (llamante, Uuid::parse_str(&id)) {
        // Someone else's id: not even a lookup.
        if yo != uuid {
            return Err(no_existe(&id));
        }
    }
    let u = buscar(&state, &id).await?.ok_or_else(|| no_existe(&id))?;
    let visible = match llamante {
        // An organizer sees the buyers who booked one of its events (reservas knows).
        Llamante::Organizador(o) => state.reservas.es_comprador_de(o, u.id).await?,
        _ => llamante.es_comprador(u.id),
    };
    if visible {
        Ok(Json(u))
    } else {
        Err(no_existe(&id))
    }
}

/// Change a buyer's name, surname or email: the buyer's own profile, or any for the
/// admin. A buyer changing the email confirms it with `password_actual`, or with the
/// `codigo` sent to the new address. A new email ends every other session of the
/// account (all of them when the admin changes it).
#[utoipa::path(patch, path = "/api/usuarios/{id}", tag = "usuarios",
    summary = "Modificar los datos de un comprador",
    description = "Cambia el nombre, los apellidos o el email: el comprador en su propio perfil, o el administrador en cualquiera. Un comprador que cambia su email lo confirma con `password_actual` o con el `codigo` enviado a la nueva dirección. Un email nuevo cierra al instante las demás sesiones de la cuenta en este servicio (en los demás, cuando vence su caché de sesiones: `EVENTFLOW_SESION_CACHE_MS`, 2 s por defecto); la sesión que hace el cambio sigue abierta. Si lo cambia el administrador, se cierran todas.",
    params(("id" = Uuid, Path, description = "UUID del usuario")),
    request_body = ActualizarUsuario,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "El usuario actualizado", body = Usuario),
        BodyProblems,
        (status = 401, description = "Sin sesión", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "password_actual incorrecta", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No existe, o no es tuyo", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "El email pertenece a otro usuario", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Campos inválidos o no modificables, o código incorrecto", body = Problem, content_type = "application/problem+json"),
        MongoUnavailable,
    ))]
pub async fn actualizar_usuario(
    State(state): State<AppState>,
    ConSesion(llamante): ConSesion,
    TokenActual(sesion): TokenActual,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<ActualizarUsuario>,
) -> Result<Json<Usuario>, ApiError> {
    let uuid = parse_uuid(&id)?;
    if !llamante.es_comprador(uuid) {
        return Err(no_existe(&id));
    }
    let cambios = CambiosUsuario::parse(
        body.nombre.as_deref(),
        body.apellido.as_deref(),
        body.email.as_deref(),
    )
    .map_err(ApiError::validation)?;
    if let (Some(nuevo), false) = (&cambios.email, llamante.es_admin()) {
        match body.codigo.as_deref() {
            // The code sent to the new address proves the buyer reads it.
            Some(c) => super::codigos::canjear(&state, uuid, Proposito::Email, nuevo, c).await?,
            None => confirmar_password(&state, uuid, body.password_actual.as_deref()).await?,
        }
    }
    let antes = match cambios.email {
        Some(_) => state.store.get(uuid).await?,
        None => None,
    };
    let u = state
        .store
        .update(uuid, &cambios)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("No existe el usuario {id}")))?;
    if antes.is_some_and(|a| a.email != u.email) {
        // The admin's token is no session of hers: every session ends then.
        let propia = sesion.filter(|_| !llamante.es_admin());
        super::cliente::revocar_otras(&state, uuid, propia.as_deref()).await?;
        tracing::info!(usuario_id = %uuid, "email cambiado: otras sesiones cerradas");
    }
    Ok(Json(u))
}

/// An email change by the buyer: their current password must come with it, so a
/// stolen session cannot move the account to another address.
async fn confirmar_password(
    state: &AppState,
    id: Uuid,
    password: Option<&str>,
) -> Result<(), ApiError> {
    let Some(password) = password else {
        return Err(ApiError::field(
            "password_actual",
            "es obligatoria para cambiar el email (o un código enviado al email nuevo)",
        ));
    };
    if password.chars().count() > crate::domain::contrasena::MAX_CARACTERES {
        return Err(ApiError::field("password_actual", "es demasiado larga"));
    }
    let hash = match state.store.get(id).await? {
        Some(u) => state
            .store
            .credenciales(&u.email)
            .await?
            .and_then(|(_, h)| h),
        None => None,
    };
    if state
        .contrasenas
        .verificar(password, hash.as_deref())
        .await?
    {
        Ok(())
    } else {
        Err(prohibido("La contraseña actual no es correcta"))
    }
}

pub(super) fn parse_uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::field("id", "debe ser un UUID"))
}
