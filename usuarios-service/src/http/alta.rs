//! What a new account with a password brings, checked once for every kind of account
//! (organizers, door staff): a name, an email and a password, every bad one named in one
//! 422.

use eventflow_shared::{ApiError, FieldError};

use crate::domain::{Contrasena, Email};

/// The trimmed name, the email and the password, or a 422 naming each bad field.
pub fn validar(
    nombre: &str,
    email: &str,
    password: &str,
) -> Result<(String, Email, Contrasena), ApiError> {
    let mut errors = Vec::new();
    let nombre = nombre.trim().to_owned();
    if nombre.is_empty() || nombre.chars().count() > 100 || nombre.chars().any(char::is_control) {
        errors.push(FieldError::new(
            "nombre",
            "debe tener de 1 a 100 caracteres, sin caracteres de control",
        ));
    }
    let correo = Email::parse(email).map_err(|m| errors.push(FieldError::new("email", m)));
    let clave =
        Contrasena::parse(password, email).map_err(|m| errors.push(FieldError::new("password", m)));
    match (correo, clave, errors.is_empty()) {
        (Ok(correo), Ok(clave), true) => Ok((nombre, correo, clave)),
        _ => Err(ApiError::validation(errors)),
    }
}
