//! usuarios HTTP API: the router, its state and the OpenAPI document.

mod alta;
mod cliente;
mod codigos;
mod compradores;
mod dto;
mod handlers;
mod internal;
mod limites;
mod organizadores;
mod sesiones;
mod staff;
mod verificador;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use eventflow_shared::health::Readiness;
use eventflow_shared::http::BearerAuth;
use eventflow_shared::identidad::{Identidades, Verificador};
use eventflow_shared::{FieldError, Problem};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use limites::Limites;
pub use verificador::VerificadorLocal;

use crate::domain::Contrasenas;
use crate::store::{
    Almacenes, CodigoStore, FalloStore, OrganizadorStore, SesionStore, StaffStore, UsuarioStore,
};

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn UsuarioStore>,
    pub organizadores: Arc<dyn OrganizadorStore>,
    /// Door staff, each of one organizer.
    pub staff: Arc<dyn StaffStore>,
    pub sesiones: Arc<dyn SesionStore>,
    pub codigos: Arc<dyn CodigoStore>,
    /// Failed sign-ins per account and day.
    pub fallos: Arc<dyn FalloStore>,
    /// Wakes the relay that sends one-time codes.
    pub aviso_codigos: Arc<tokio::sync::Notify>,
    /// Asks reservas-pagos whether a buyer bought from an organizer.
    pub reservas: Arc<compradores::Reservas>,
    pub contrasenas: Arc<Contrasenas>,
    pub limites: Arc<Limites>,
    pub verificador: Arc<dyn Verificador>,
    /// Its own service token and its callers', for `/internal/*`.
    pub servicios: Arc<eventflow_shared::auth::CredencialesServicios>,
    pub admin_token: Arc<str>,
    pub sesion_ttl: Duration,
}

impl AppState {
    pub fn new(
        almacenes: Almacenes,
        contrasenas: Arc<Contrasenas>,
        aviso_codigos: Arc<tokio::sync::Notify>,
        config: &crate::config::Config,
    ) -> Self {
        Self {
            store: almacenes.usuarios.clone(),
            organizadores: almacenes.organizadores.clone(),
            staff: almacenes.staff.clone(),
            sesiones: almacenes.sesiones.clone(),
            codigos: almacenes.codigos.clone(),
            fallos: almacenes.fallos.clone(),
            aviso_codigos,
            reservas: Arc::new(compradores::Reservas::new(
                &config.reservas_url,
                config.servicios.token_propio().expose(),
            )),
            contrasenas,
            limites: Arc::new(Limites::new(config.limites)),
            verificador: Arc::new(VerificadorLocal(almacenes)),
            servicios: Arc::new(config.servicios.clone()),
            admin_token: Arc::from(config.admin_token.expose()),
            sesion_ttl: config.sesion_ttl,
        }
    }
}

impl eventflow_shared::auth::ConCredenciales for AppState {
    fn credenciales(&self) -> &eventflow_shared::auth::CredencialesServicios {
        &self.servicios
    }
}

impl Identidades for AppState {
    fn admin_token(&self) -> &str {
        &self.admin_token
    }

    fn verificador(&self) -> &Arc<dyn Verificador> {
        &self.verificador
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "EventFlow usuarios-service",
        version = "0.1.0",
        description = "Compradores, organizadores y sesiones. Errores en application/problem+json.\n\n\
            Credenciales (todas como `Authorization: Bearer …`, botón *Authorize*): el token de una sesión \
            (`efs_…`, de `POST /api/sesiones`), el token de administrador de la plataforma \
            (`EVENTFLOW_ADMIN_TOKEN`) o, en `/internal/*`, el token de servicio."
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "usuarios", description = "Registro y perfil de compradores"),
        (name = "sesiones", description = "Iniciar y cerrar sesión (compradores y organizadores)"),
        (name = "organizadores", description = "Cuentas de organizadores: las crea el administrador"),
        (name = "staff", description = "Personal de puerta: cuentas que un organizador crea para registrar ingresos a sus eventos, y nada más"),
        (name = "interno", description = "Solo para otros servicios, cada uno con su credencial (EVENTFLOW_TOKEN_<SERVICIO>); cada ruta dice cuáles acepta"),
        (name = "salud", description = "Liveness y readiness"),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(handlers::crear_usuario, handlers::listar_usuarios))
        .routes(routes!(
            handlers::obtener_usuario,
            handlers::actualizar_usuario
        ))
        .routes(routes!(codigos::solicitar_codigo))
        .routes(routes!(codigos::fijar_password))
        .routes(routes!(sesiones::iniciar_sesion))
        .routes(routes!(sesiones::sesion_actual, sesiones::cerrar_sesion))
        .routes(routes!(organizadores::crear_organizador))
        .routes(routes!(staff::crear_staff, staff::listar_staff))
        .routes(routes!(staff::borrar_staff))
        .routes(routes!(internal::agregar_compra, internal::quitar_compra))
        .routes(routes!(internal::buscar_usuario))
        .routes(routes!(internal::verificar_sesion))
}

/// The OpenAPI document, as served at `/api-docs/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    eventflow_shared::http::document(api())
}

pub fn router(state: AppState, readiness: Readiness) -> Router {
    eventflow_shared::http::assemble(api(), state, readiness)
}
