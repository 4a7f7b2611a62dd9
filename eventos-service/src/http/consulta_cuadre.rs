//! The consulta de cuadre: `GET /api/eventos/{id}/conciliacion` (the public name, kept),
//! where an organizer asks for their event's cuadre. eventos squares nothing itself:
//! reservas-pagos runs the cuadre (it owns the reservations, the payments and the steps
//! that repair); eventos is where the organizer manages the event, so it asks on their
//! behalf, and its `/metrics` gauges what the organizers' latest reports left unrepaired.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::Json;
use eventflow_shared::cuadre::Informe;
use eventflow_shared::http::CorrelationId;
use eventflow_shared::identidad::Publicador;
use eventflow_shared::ids::EventoId;
use eventflow_shared::{ApiError, ApiPath};

use super::AppState;

/// reservas-pagos as seen from eventos: one pooled client for its cuadre route
/// (`/internal/conciliacion/{evento_id}`).
#[derive(Clone)]
pub struct Reservas {
    pub(super) base: reqwest::Url,
    pub(super) http: reqwest::Client,
    /// Unrepaired discrepancies of each event's latest report through eventos: the
    /// organizers' view, exposed as a gauge on eventos' `/metrics`.
    pendientes: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl Reservas {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let base = reqwest::Url::parse(base)
            .map_err(|e| anyhow::anyhow!("RESERVAS_URL {base:?} is not valid: {e}"))?;
        // A big event's check reads every reservation and payment: give it time.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .connect_timeout(Duration::from_secs(2))
            .build()?;
        Ok(Self {
            base,
            http,
            pendientes: Arc::default(),
        })
    }

    /// Discrepancies left unrepaired, over each event's latest report.
    pub fn pendientes(&self) -> u64 {
        self.pendientes.lock().expect("gauge lock").values().sum()
    }
}

/// The consulta de cuadre (public name and operationId `conciliacion`, kept as the API
/// contract): reservas' cuadre of the event, asked for now. Every sale ⇔ a CONFIRMADA reservation, every APROBADO
/// payment ⇔ a CONFIRMADA reservation, every REEMBOLSADO payment ⇔ a FALLIDA or
/// CANCELADA one. Runs now; repairs through the normal idempotent steps what it can
/// (returns a sale, refunds a charge, releases a hold) and reports the rest.
#[utoipa::path(get, path = "/api/eventos/{id}/conciliacion", tag = "eventos",
    summary = "Conciliar un evento",
    description = "Concilia ahora el evento: cada venta y cada pago APROBADO ⇔ una reserva CONFIRMADA, y cada pago REEMBOLSADO ⇔ una FALLIDA o CANCELADA. Repara lo que puede con los pasos idempotentes habituales (devuelve una venta, reembolsa un cobro, libera una retención) e informa del resto.",
    params(("id" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, description = "El informe: cifras y discrepancias (`pendientes` 0 es lo sano)", body = Informe),
        super::problemas::DelOrganizador,
    ))]
pub async fn conciliacion(
    State(state): State<AppState>,
    publicador: Publicador,
    CorrelationId(corr): CorrelationId,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Informe>, ApiError> {
    let id = &EventoId::parse("id", &id)?;
    super::handlers::del_publicador(&state, publicador, id).await?;
    let r = &state.reservas;
    let mut url = r.base.clone();
    url.path_segments_mut()
        .expect("http URL")
        .pop_if_empty()
        .extend(["internal", "conciliacion", id]);
    let caida = |e: String| {
        tracing::warn!(error = %e, "reservas-pagos unavailable for a consulta de cuadre");
        ApiError::unavailable(
            "reservas",
            "El servicio de reservas no responde; inténtelo de nuevo",
        )
    };
    let res = r
        .http
        .get(url)
        .bearer_auth(state.servicios.token_propio().expose())
        .header("x-correlation-id", corr)
        .send()
        .await
        .map_err(|e| caida(e.to_string()))?;
    if !res.status().is_success() {
        return Err(caida(format!("reservas answered {}", res.status())));
    }
    let informe = res
        .json::<Informe>()
        .await
        .map_err(|e| caida(e.to_string()))?;
    r.pendientes
        .lock()
        .expect("gauge lock")
        .insert(informe.evento_id.clone(), informe.pendientes);
    Ok(Json(informe))
}

/// Prometheus metrics: the cuadre's gauge, as organizers last saw it (the metric keeps
/// its public name, `eventflow_conciliacion_discrepancias`, as on reservas).
#[utoipa::path(get, path = "/metrics", tag = "salud",
    summary = "Métricas de Prometheus",
    description = "Métricas de Prometheus: el indicador de conciliación, según la última consulta de los organizadores.",
    security(()),
    responses((status = 200, description = "Formato de exposición de Prometheus", body = String, content_type = "text/plain")))]
pub async fn metricas(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    let texto = format!(
        "# HELP eventflow_conciliacion_discrepancias Discrepancies between sales, reservations and payments left unrepaired, over each event's latest reconciliation requested through eventos.\n\
         # TYPE eventflow_conciliacion_discrepancias gauge\n\
         eventflow_conciliacion_discrepancias {}\n",
        state.reservas.pendientes()
    );
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        texto,
    )
}
