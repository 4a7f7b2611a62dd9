//! Client for usuarios-service: look buyers up and keep their purchase history.

use reqwest::Method;

use super::{ClientError, Peer};

#[derive(Clone)]
pub struct UsuariosClient(pub Peer);

impl UsuariosClient {
    /// Finds a buyer by UUID or email; returns the buyer's id.
    pub async fn buscar(&self, id_o_email: &str, corr: &str) -> Result<String, ClientError> {
        let body = self
            .0
            .send(
                self.0
                    .internal(Method::GET, &["internal", "usuarios", id_o_email]),
                corr,
            )
            .await?;
        body["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or(ClientError::Unavailable {
                dependencia: "usuarios",
                detalle: "respuesta sin id".into(),
            })
    }

    pub async fn agregar_compra(
        &self,
        usuario_id: &str,
        rid: &str,
        corr: &str,
    ) -> Result<(), ClientError> {
        let req = self.0.internal(
            Method::PUT,
            &["internal", "usuarios", usuario_id, "historial", rid],
        );
        self.0.send(req, corr).await.map(|_| ())
    }

    pub async fn quitar_compra(
        &self,
        usuario_id: &str,
        rid: &str,
        corr: &str,
    ) -> Result<(), ClientError> {
        let req = self.0.internal(
            Method::DELETE,
            &["internal", "usuarios", usuario_id, "historial", rid],
        );
        self.0.send(req, corr).await.map(|_| ())
    }
}
