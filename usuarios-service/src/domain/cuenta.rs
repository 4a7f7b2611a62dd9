//! Organizer accounts and sessions: who can sign in besides buyers, and what a session is.

use chrono::{DateTime, Utc};
use eventflow_shared::identidad::Rol;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::Email;

/// An organizer: a tenant who runs events. Created by the platform admin.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Organizador {
    #[schema(example = "0b7e2a1c-93d4-4c55-8f0e-6a1d2b3c4d5e")]
    pub id: Uuid,
    #[schema(example = "Producciones Andinas")]
    pub nombre: String,
    #[schema(value_type = String, example = "boleteria@andinas.pe")]
    pub email: Email,
    pub creado_en: DateTime<Utc>,
}

/// A door staff member of one organizer: signs in as `staff` and lets people in to that
/// organizer's events, nothing else. Created and removed by the organizer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Staff {
    #[schema(example = "5d1c7e2a-93d4-4c55-8f0e-6a1d2b3c4d5e")]
    pub id: Uuid,
    #[schema(value_type = String, example = "puerta2@andinas.pe")]
    pub email: Email,
    #[schema(example = "Rosa Mamani")]
    pub nombre: String,
    /// Always `staff`.
    pub rol: Rol,
    /// The organizer it works for.
    pub organizador_id: Uuid,
    pub creado_en: DateTime<Utc>,
}

/// A session as stored: only the token's SHA-256, never the token.
#[derive(Debug, Clone, PartialEq)]
pub struct Sesion {
    pub token_hash: String,
    pub sujeto_id: Uuid,
    pub rol: Rol,
    pub creada_en: DateTime<Utc>,
    pub expira_en: DateTime<Utc>,
}
