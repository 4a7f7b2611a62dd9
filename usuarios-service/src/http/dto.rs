//! Request and response bodies of the usuarios API, with their OpenAPI examples.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::Usuario;

/// Body of `POST /api/usuarios`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "tipo_documento": "DNI", "nro_documento": "45678912",
    "nombre": "Ana", "apellido": "Quispe", "email": "ana.quispe@example.com"
}))]
pub struct CrearUsuario {
    /// One of DNI, CE (carné de extranjería), PASAPORTE, RUC.
    pub tipo_documento: String,
    /// 4 to 20 letters, digits or dashes.
    pub nro_documento: String,
    pub nombre: String,
    pub apellido: String,
    pub email: String,
}

/// Body of `PATCH /api/usuarios/{id}`: any subset of these fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nombre": "Ana María", "email": "ana.maria@example.com"}))]
pub struct ActualizarUsuario {
    pub nombre: Option<String>,
    pub apellido: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paginacion {
    /// Page size, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    pub offset: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaginaUsuarios {
    pub items: Vec<Usuario>,
    #[schema(example = 42)]
    pub total: u64,
    #[schema(example = 20)]
    pub limit: u32,
    #[schema(example = 0)]
    pub offset: u32,
}
