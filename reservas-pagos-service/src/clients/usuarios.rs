//! Client for usuarios-service: look buyers up, and take a reservation begun by an earlier
//! version back out of the purchase history it wrote.

use async_trait::async_trait;
use eventflow_shared::ids::{ReservaId, UsuarioId};
use reqwest::Method;

use super::Peer;
use crate::puertos::{Buyers, ClientError, Comprador};

#[derive(Clone)]
pub struct UsuariosClient(pub Peer);

#[async_trait]
impl Buyers for UsuariosClient {
    async fn buscar(&self, id_o_email: &str, corr: &str) -> Result<Comprador, ClientError> {
        let body = self
            .0
            .send(
                self.0
                    .internal(Method::GET, &["internal", "usuarios", id_o_email]),
                corr,
            )
            .await?;
        let id = body["id"].as_str().ok_or(ClientError::Unavailable {
            dependencia: "usuarios",
            detalle: "respuesta sin id".into(),
        })?;
        Ok(Comprador {
            id: UsuarioId::confiable(id),
            // Absent in an older usuarios' answer: then the account is treated as one
            // with a password, so a guest never books in its name.
            tiene_password: body["tiene_password"].as_bool().unwrap_or(true),
        })
    }

    async fn quitar_compra(
        &self,
        u: &UsuarioId,
        rid: &ReservaId,
        corr: &str,
    ) -> Result<(), ClientError> {
        let req = self.0.internal(
            Method::DELETE,
            &["internal", "usuarios", u, "historial", rid],
        );
        self.0.send(req, corr).await.map(|_| ())
    }
}
