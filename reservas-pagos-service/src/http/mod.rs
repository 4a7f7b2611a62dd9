//! reservas HTTP API: the router, its state and the OpenAPI document.

mod acceso;
mod calendario;
mod compradores;
mod cupo;
pub(crate) mod dto;
mod entradas;
mod entradas_dueno;
mod ingresos;
mod pdf;
mod reenvio;
mod rutas;
mod seed001;

use std::sync::Arc;

use axum::Router;
use eventflow_shared::health::Readiness;
use eventflow_shared::http::{BearerAuth, SecretoReserva};
use eventflow_shared::identidad::{Identidades, Verificador};
use eventflow_shared::{FieldError, Problem};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use dto::ReservaRespuesta;

use crate::saga::Deps;

#[derive(Clone)]
pub struct AppState {
    pub deps: Arc<Deps>,
    /// `POST /api/reservar`'s use case.
    pub reservar: Arc<crate::reservar::Reservar>,
    /// Its own service token and its callers' (eventos, usuarios) for `/internal/*`.
    pub servicios: Arc<eventflow_shared::auth::CredencialesServicios>,
    /// `EVENTFLOW_ADMIN_TOKEN`: the platform admin.
    pub admin_token: Arc<str>,
    /// Asks usuarios whether a session token is live (cached briefly).
    pub verificador: Arc<dyn Verificador>,
    /// Guest checkouts a minute per client IP (`RESERVAS_ANONIMAS_POR_IP`).
    pub anonimas: Arc<eventflow_shared::limite::PorMinuto<std::net::IpAddr>>,
    /// The events' ticket-signing keys.
    pub claves: Arc<dyn crate::store::claves::ClaveStore>,
    /// Re-sends per email and per IP this hour, shared by every instance.
    pub contadores: Arc<dyn crate::store::limites::ContadorStore>,
    /// How many re-sends an hour (`RESERVAS_REENVIOS_POR_*`).
    pub reenvios: crate::config::LimitesReenvio,
}

impl Identidades for AppState {
    fn admin_token(&self) -> &str {
        &self.admin_token
    }

    fn verificador(&self) -> &Arc<dyn Verificador> {
        &self.verificador
    }
}

impl eventflow_shared::auth::ConCredenciales for AppState {
    fn credenciales(&self) -> &eventflow_shared::auth::CredencialesServicios {
        &self.servicios
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "EventFlow reservas-pagos-service",
        version = "0.1.0",
        description = "La SAGA de reserva: ValidadorDatos → ValidadorInventario → ProcesadorPago → \
            ConfirmadorReserva, con compensación. Tarjetas de prueba: 4242424242424242 aprobada, \
            4000000000000002 rechazada, 4000000000009995 fondos insuficientes, \
            4000000000000119 error de procesamiento. Errores en application/problem+json con \
            `reserva_id`, `paso` y `compensaciones`."
    ),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "reservas", description = "Reservar, consultar y cancelar"),
        (name = "entradas", description = "Una entrada y su QR firmado, para su dueño"),
        (name = "salud", description = "Liveness, readiness y métricas"),
        (name = "interno", description = "Para otros servicios, cada uno con su credencial (EVENTFLOW_TOKEN_<SERVICIO>): la conciliación solo para eventos, los compradores de un organizador solo para usuarios"),
    ),
    modifiers(&BearerAuth, &SecretoReserva)
)]
struct ApiDoc;

fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(rutas::reservar))
        .routes(routes!(rutas::listar_reservas))
        .routes(routes!(rutas::obtener_reserva))
        .routes(routes!(rutas::bitacora))
        .routes(routes!(calendario::calendario))
        .routes(routes!(pdf::entradas_pdf))
        .routes(routes!(reenvio::reenviar))
        .routes(routes!(rutas::cancelar))
        .routes(routes!(rutas::metricas))
        .routes(routes!(rutas::conciliacion))
        .routes(routes!(compradores::es_comprador))
        .routes(routes!(entradas::obtener_entrada))
        .routes(routes!(entradas::qr_svg))
        .routes(routes!(entradas_dueno::cancelar_entrada))
        .routes(routes!(entradas_dueno::transferir_entrada))
        .routes(routes!(entradas::listar_claves))
        .routes(routes!(entradas::rotar_claves))
        .routes(routes!(entradas::ingresar))
        .routes(routes!(entradas::resumen))
        .routes(routes!(ingresos::lista))
        .routes(routes!(ingresos::conflictos))
        // A scanner's queue: 500 scans with their signed QR are more than the usual body.
        .merge(OpenApiRouter::new().routes(routes!(ingresos::lote)).layer(
            axum::extract::DefaultBodyLimit::max(eventflow_shared::ingresos::LIMITE_CUERPO_LOTE),
        ))
}

/// The OpenAPI document, as served at `/api-docs/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    eventflow_shared::http::document(api())
}

pub fn router(state: AppState, readiness: Readiness) -> Router {
    eventflow_shared::http::assemble(api(), state, readiness)
}
