//! `Usuario` and the validated inputs that create and change one.

use chrono::{DateTime, Utc};
use eventflow_shared::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Email;

/// Accepted identity documents: DNI, carné de extranjería, pasaporte and RUC.
pub const TIPOS_DOCUMENTO: [&str; 4] = ["DNI", "CE", "PASAPORTE", "RUC"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum TipoDocumento {
    Dni,
    Ce,
    Pasaporte,
    Ruc,
}

impl TipoDocumento {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_uppercase().as_str() {
            "DNI" => Some(Self::Dni),
            "CE" => Some(Self::Ce),
            "PASAPORTE" => Some(Self::Pasaporte),
            "RUC" => Some(Self::Ruc),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dni => "DNI",
            Self::Ce => "CE",
            Self::Pasaporte => "PASAPORTE",
            Self::Ruc => "RUC",
        }
    }
}

/// A registered buyer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Usuario {
    #[schema(example = "6f1c2a54-3b0e-4d8e-9a51-2f7c8e9d0a11")]
    pub id: Uuid,
    pub tipo_documento: TipoDocumento,
    #[schema(example = "45678912")]
    pub nro_documento: String,
    #[schema(example = "Ana")]
    pub nombre: String,
    #[schema(example = "Quispe")]
    pub apellido: String,
    #[schema(value_type = String, example = "ana.quispe@example.com")]
    pub email: Email,
    /// Ids of this buyer's confirmed reservations.
    pub historial_compras: Vec<String>,
    pub creado_en: DateTime<Utc>,
    /// Whether this buyer can sign in. Without a password (the seed's registration) the
    /// buyer buys as a guest, by email.
    pub tiene_password: bool,
}

/// Validated input for a new user.
#[derive(Debug, Clone)]
pub struct NuevoUsuario {
    pub tipo_documento: TipoDocumento,
    pub nro_documento: String,
    pub nombre: String,
    pub apellido: String,
    pub email: Email,
}

impl NuevoUsuario {
    /// Checks every field and reports all invalid ones at once, not just the first.
    pub fn parse(
        tipo_documento: &str,
        nro_documento: &str,
        nombre: &str,
        apellido: &str,
        email: &str,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let tipo = TipoDocumento::parse(tipo_documento);
        if tipo.is_none() {
            errors.push(FieldError::new(
                "tipo_documento",
                format!("debe ser uno de: {}", TIPOS_DOCUMENTO.join(", ")),
            ));
        }
        let nro = nro_documento.trim();
        if nro.len() < 4
            || nro.len() > 20
            || !nro.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.push(FieldError::new(
                "nro_documento",
                "debe tener de 4 a 20 letras, dígitos o guiones",
            ));
        }
        let nombre = nombre_valido("nombre", nombre, &mut errors);
        let apellido = nombre_valido("apellido", apellido, &mut errors);
        let email = Email::parse(email).map_err(|m| errors.push(FieldError::new("email", m)));
        match (tipo, email) {
            (Some(tipo_documento), Ok(email)) if errors.is_empty() => Ok(Self {
                tipo_documento,
                nro_documento: nro.to_uppercase(),
                nombre,
                apellido,
                email,
            }),
            _ => Err(errors),
        }
    }

    pub fn into_usuario(self, id: Uuid, creado_en: DateTime<Utc>) -> Usuario {
        Usuario {
            id,
            tipo_documento: self.tipo_documento,
            nro_documento: self.nro_documento,
            nombre: self.nombre,
            apellido: self.apellido,
            email: self.email,
            historial_compras: Vec::new(),
            creado_en,
            tiene_password: false,
        }
    }
}

/// Validated changes to a profile: only what the client sent.
#[derive(Debug, Clone, Default)]
pub struct CambiosUsuario {
    pub nombre: Option<String>,
    pub apellido: Option<String>,
    pub email: Option<Email>,
}

impl CambiosUsuario {
    pub fn parse(
        nombre: Option<&str>,
        apellido: Option<&str>,
        email: Option<&str>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let nombre = nombre.map(|n| nombre_valido("nombre", n, &mut errors));
        let apellido = apellido.map(|a| nombre_valido("apellido", a, &mut errors));
        let email = email.and_then(|e| {
            Email::parse(e)
                .map_err(|m| errors.push(FieldError::new("email", m)))
                .ok()
        });
        if errors.is_empty() {
            Ok(Self {
                nombre,
                apellido,
                email,
            })
        } else {
            Err(errors)
        }
    }

    pub fn apply(&self, u: &mut Usuario) {
        if let Some(n) = &self.nombre {
            u.nombre = n.clone();
        }
        if let Some(a) = &self.apellido {
            u.apellido = a.clone();
        }
        if let Some(e) = &self.email {
            u.email = e.clone();
        }
    }
}

fn nombre_valido(campo: &str, raw: &str, errors: &mut Vec<FieldError>) -> String {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(campo, "no puede estar vacío"));
    } else if v.chars().count() > 100 {
        errors.push(FieldError::new(
            campo,
            "es demasiado largo (máximo 100 caracteres)",
        ));
    } else if v.chars().any(char::is_control) {
        errors.push(FieldError::new(campo, "contiene caracteres de control"));
    }
    v.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_every_invalid_field() {
        let errs = NuevoUsuario::parse("LIBRETA", "1", " ", "", "nope").unwrap_err();
        let campos: Vec<_> = errs.iter().map(|e| e.campo.as_str()).collect();
        assert_eq!(
            campos,
            [
                "tipo_documento",
                "nro_documento",
                "nombre",
                "apellido",
                "email"
            ]
        );
    }

    #[test]
    fn normalises_valid_input() {
        let u = NuevoUsuario::parse("dni", "ab-1234", " Ana ", "Quispe", "ANA@X.PE").unwrap();
        assert_eq!(u.tipo_documento, TipoDocumento::Dni);
        assert_eq!(u.nro_documento, "AB-1234");
        assert_eq!(u.nombre, "Ana");
        assert_eq!(u.email.as_str(), "ana@x.pe");
    }
}
