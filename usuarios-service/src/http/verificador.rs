//! `VerificadorLocal`: usuarios-service answers session checks from its own stores, for
//! its own routes and for `/internal/sesiones/verificar`.

use async_trait::async_trait;
use eventflow_shared::identidad::{Rol, SesionVerificada, Verificador};
use eventflow_shared::ApiError;

use crate::store::Almacenes;

pub struct VerificadorLocal(pub Almacenes);

#[async_trait]
impl Verificador for VerificadorLocal {
    /// A live session whose account still exists: deleting an account ends its sessions.
    async fn verificar(&self, token_hash: &str) -> Result<Option<SesionVerificada>, ApiError> {
        let Some(s) = self.0.sesiones.buscar(token_hash).await? else {
            return Ok(None);
        };
        // Staff: its organizer, read from the account now, so a removed staff account's
        // sessions stop verifying.
        let (vive, organizador_id) = match s.rol {
            Rol::Comprador => (self.0.usuarios.get(s.sujeto_id).await?.is_some(), None),
            Rol::Organizador => (self.0.organizadores.get(s.sujeto_id).await?.is_some(), None),
            Rol::Staff => match self.0.staff.get(s.sujeto_id).await? {
                Some(st) => (true, Some(st.organizador_id)),
                None => (false, None),
            },
        };
        Ok(vive.then_some(SesionVerificada {
            sujeto_id: s.sujeto_id,
            rol: s.rol,
            expira_en: s.expira_en,
            organizador_id,
        }))
    }
}
