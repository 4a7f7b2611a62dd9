//! Request and response bodies of the usuarios API, with their OpenAPI examples.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};
use eventflow_shared::identidad::Rol;

use crate::domain::Usuario;

/// Body of `POST /api/usuarios`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "tipo_documento": "DNI", "nro_documento": "45678912",
    "nombre": "Ana", "apellido": "Quispe", "email": "ana.quispe@example.com",
    "password": "caballo-bateria-grapa"
}))]
#[serde(deny_unknown_fields)]
pub struct CrearUsuario {
    /// One of DNI, CE (carné de extranjería), PASAPORTE, RUC.
    pub tipo_documento: String,
    /// 4 to 20 letters, digits or dashes.
    pub nro_documento: String,
    pub nombre: String,
    pub apellido: String,
    pub email: String,
    /// Optional: 10 to 128 characters, not a common one. Without it the buyer buys as a
    /// guest, by email, and can set one later.
    #[schema(format = Password)]
    pub password: Option<String>,
    /// Seed field, accepted so the seed's clients keep working, and ignored: the history
    /// is the buyer's purchases, written by reservas-pagos.
    #[serde(default)]
    #[allow(dead_code)]
    pub historial_compras: Option<Vec<String>>,
}

/// Body of `PATCH /api/usuarios/{id}`: any subset of these fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nombre": "Ana María", "email": "ana.maria@example.com"}))]
pub struct ActualizarUsuario {
    pub nombre: Option<String>,
    pub apellido: Option<String>,
    pub email: Option<String>,
    /// To change `email`, this or `codigo` (the platform admin needs neither).
    #[schema(format = Password)]
    pub password_actual: Option<String>,
    /// To change `email`: the 6-digit code sent to the new address
    /// (`POST /api/usuarios/codigo` with `proposito: "email"`).
    #[schema(example = "482913")]
    pub codigo: Option<String>,
}

/// Body of `POST /api/usuarios/codigo`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ana.quispe@example.com"}))]
pub struct SolicitarCodigo {
    /// For `password`, the account's email; for `email`, the new address to confirm.
    pub email: String,
    /// `password` (default): set or reset the password, no session needed.
    /// `email`: confirm a new email, as the signed-in buyer.
    /// `sesion`: sign in to an account that had too many failed sign-ins today (the
    /// 403 `codigo-requerido` of `POST /api/sesiones`), no session needed.
    #[serde(default)]
    pub proposito: crate::domain::Proposito,
    /// With `proposito: "sesion"` only: `comprador` (default) or `organizador`, the
    /// account the code is for.
    pub rol: Option<Rol>,
}

/// Answer of `POST /api/usuarios/codigo`: the same whether or not the email has an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodigoSolicitado {
    #[schema(
        example = "Si el email tiene una cuenta, le enviamos un código de 6 dígitos. Caduca en 10 minutos."
    )]
    pub mensaje: String,
    #[schema(example = 10)]
    pub vigencia_minutos: i64,
}

/// Body of `POST /api/usuarios/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ana.quispe@example.com", "codigo": "482913", "password": "caballo-bateria-grapa"}))]
pub struct FijarPassword {
    pub email: String,
    /// The 6 digits from the notification.
    pub codigo: String,
    /// The new password: 10 to 128 characters, not a common one.
    #[schema(format = Password)]
    pub password: String,
}

/// Answer of `POST /api/usuarios/password`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordFijada {
    #[schema(
        example = "Contraseña guardada. Inicia sesión con ella; las sesiones anteriores se cerraron."
    )]
    pub mensaje: String,
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

/// Body of `POST /api/sesiones`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "ana.quispe@example.com", "password": "caballo-bateria-grapa"}))]
pub struct IniciarSesion {
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
    /// `comprador` (default), `organizador` or `staff`.
    pub rol: Option<Rol>,
    /// Only after a 403 `codigo-requerido`: the 6 digits sent to the account's email
    /// (`POST /api/usuarios/codigo` with `proposito: "sesion"`). Ignored otherwise.
    #[schema(example = "482913")]
    pub codigo: Option<String>,
}

/// Answer of `POST /api/sesiones`: keep `token` and send it as `Authorization: Bearer`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SesionCreada {
    #[schema(example = "efs_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5")]
    pub token: String,
    pub expira_en: DateTime<Utc>,
    pub rol: Rol,
    /// The buyer (`Usuario`) or the organizer (`Organizador`).
    #[schema(value_type = Object)]
    pub usuario: serde_json::Value,
}

/// Answer of `GET /api/sesiones/actual`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SesionActual {
    pub expira_en: DateTime<Utc>,
    pub rol: Rol,
    #[schema(value_type = Object)]
    pub usuario: serde_json::Value,
}

/// Body of `POST /api/organizadores`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nombre": "Producciones Andinas", "email": "boleteria@andinas.pe", "password": "quena-charango-1984"}))]
pub struct CrearOrganizador {
    pub nombre: String,
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}
