//! MongoDB usuarios store: unique indexes enforce the email and document rules.

use async_trait::async_trait;
use bson::{doc, Document};
use chrono::{DateTime, Utc};
use eventflow_shared::mongo::is_duplicate_key;
use mongodb::options::{IndexOptions, ReturnDocument};
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Pagina, StoreError, UsuarioStore, DOCUMENTO_DUPLICADO, EMAIL_DUPLICADO};
use crate::domain::{CambiosUsuario, Email, TipoDocumento, Usuario};
use eventflow_shared::mongo::pagina;
pub(super) use eventflow_shared::mongo::store_error as map_err;

/// Cancelled reservations, kept so a late confirmation cannot bring one back into the
/// history. Not part of [`UsuarioDoc`]: nothing but these two updates reads it.
const ANULADAS: &str = "compras_anuladas";

/// The stored shape. `_id` is the UUID as a string, so it reads well in the shell.
#[derive(Debug, Serialize, Deserialize)]
struct UsuarioDoc {
    #[serde(rename = "_id")]
    id: String,
    tipo_documento: TipoDocumento,
    nro_documento: String,
    nombre: String,
    apellido: String,
    email: String,
    #[serde(default)]
    historial_compras: Vec<String>,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creado_en: DateTime<Utc>,
    /// argon2id PHC string; absent for a guest buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    password_hash: Option<String>,
}

impl From<&Usuario> for UsuarioDoc {
    fn from(u: &Usuario) -> Self {
        Self {
            id: u.id.to_string(),
            tipo_documento: u.tipo_documento,
            nro_documento: u.nro_documento.clone(),
            nombre: u.nombre.clone(),
            apellido: u.apellido.clone(),
            email: u.email.as_str().to_owned(),
            historial_compras: u.historial_compras.clone(),
            creado_en: u.creado_en,
            password_hash: None,
        }
    }
}

impl TryFrom<UsuarioDoc> for Usuario {
    type Error = StoreError;

    fn try_from(d: UsuarioDoc) -> Result<Self, StoreError> {
        Ok(Usuario {
            id: Uuid::parse_str(&d.id).map_err(|e| StoreError::Other(e.to_string()))?,
            tipo_documento: d.tipo_documento,
            nro_documento: d.nro_documento,
            nombre: d.nombre,
            apellido: d.apellido,
            email: Email::parse(&d.email).map_err(|e| StoreError::Other(e.into()))?,
            historial_compras: d.historial_compras,
            creado_en: d.creado_en,
            tiene_password: d.password_hash.is_some(),
        })
    }
}

pub struct MongoUsuarioStore {
    db: Database,
    col: Collection<UsuarioDoc>,
}

impl MongoUsuarioStore {
    /// Creates the unique indexes before serving: the rules hold from the first request.
    pub async fn new(db: Database) -> anyhow::Result<Self> {
        let col = db.collection::<UsuarioDoc>("usuarios");
        let unique = |name: &str| {
            IndexOptions::builder()
                .unique(true)
                .name(name.to_owned())
                .build()
        };
        col.create_indexes([
            IndexModel::builder()
                .keys(doc! { "email": 1 })
                .options(unique("email_unico"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "tipo_documento": 1, "nro_documento": 1 })
                .options(unique("documento_unico"))
                .build(),
            IndexModel::builder()
                .keys(doc! { "creado_en": 1, "_id": 1 })
                .build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating usuarios indexes: {e}"))?;
        Ok(Self { db, col })
    }

    /// The one user matching `filtro` (an `_id` or the unique email), if any.
    async fn uno(&self, filtro: Document) -> Result<Option<Usuario>, StoreError> {
        let found = self.col.find_one(filtro).await.map_err(map_err)?;
        found.map(Usuario::try_from).transpose()
    }

    /// E11000 does not reliably say which index clashed across servers, so ask.
    async fn which_duplicate(&self, email: &str) -> StoreError {
        match self.col.find_one(doc! { "email": email }).await {
            Ok(Some(_)) => StoreError::Duplicate(EMAIL_DUPLICADO),
            Ok(None) => StoreError::Duplicate(DOCUMENTO_DUPLICADO),
            Err(e) => map_err(e),
        }
    }
}

#[async_trait]
impl UsuarioStore for MongoUsuarioStore {
    async fn insert(&self, u: &Usuario, password_hash: Option<&str>) -> Result<(), StoreError> {
        let mut d = UsuarioDoc::from(u);
        d.password_hash = password_hash.map(str::to_owned);
        match self.col.insert_one(d).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate_key(&e) => Err(self.which_duplicate(u.email.as_str()).await),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn get(&self, id: Uuid) -> Result<Option<Usuario>, StoreError> {
        self.uno(doc! { "_id": id.to_string() }).await
    }

    async fn get_by_email(&self, email: &Email) -> Result<Option<Usuario>, StoreError> {
        self.uno(doc! { "email": email.as_str() }).await
    }

    async fn credenciales(
        &self,
        email: &Email,
    ) -> Result<Option<(Usuario, Option<String>)>, StoreError> {
        let Some(mut d) = self
            .col
            .find_one(doc! { "email": email.as_str() })
            .await
            .map_err(map_err)?
        else {
            return Ok(None);
        };
        let hash = d.password_hash.take();
        let mut u = Usuario::try_from(d)?;
        u.tiene_password = hash.is_some();
        Ok(Some((u, hash)))
    }

    async fn list(&self, limit: u32, offset: u32) -> Result<Pagina, StoreError> {
        let orden = doc! { "creado_en": 1, "_id": 1 };
        let (docs, total) = pagina(&self.col, doc! {}, orden, None, limit, offset).await?;
        let items = docs
            .into_iter()
            .map(Usuario::try_from)
            .collect::<Result<_, _>>()?;
        Ok(Pagina { items, total })
    }

    async fn update(
        &self,
        id: Uuid,
        cambios: &CambiosUsuario,
    ) -> Result<Option<Usuario>, StoreError> {
        let mut set = Document::new();
        if let Some(n) = &cambios.nombre {
            set.insert("nombre", n.as_str());
        }
        if let Some(a) = &cambios.apellido {
            set.insert("apellido", a.as_str());
        }
        if let Some(e) = &cambios.email {
            set.insert("email", e.as_str());
        }
        if set.is_empty() {
            return self.get(id).await;
        }
        let res = self
            .col
            .find_one_and_update(doc! { "_id": id.to_string() }, doc! { "$set": set })
            .return_document(ReturnDocument::After)
            .await;
        match res {
            Ok(found) => found.map(Usuario::try_from).transpose(),
            Err(e) if is_duplicate_key(&e) => Err(StoreError::Duplicate(EMAIL_DUPLICADO)),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn fijar_password(&self, id: Uuid, password_hash: &str) -> Result<bool, StoreError> {
        let res = self
            .col
            .update_one(
                doc! { "_id": id.to_string() },
                doc! { "$set": { "password_hash": password_hash } },
            )
            .await
            .map_err(map_err)?;
        Ok(res.matched_count == 1)
    }

    async fn add_compra(&self, id: Uuid, reserva_id: &str) -> Result<bool, StoreError> {
        let res = self
            .col
            .update_one(
                doc! { "_id": id.to_string(), ANULADAS: { "$ne": reserva_id } },
                doc! { "$addToSet": { "historial_compras": reserva_id } },
            )
            .await
            .map_err(map_err)?;
        if res.matched_count == 1 {
            return Ok(true);
        }
        // An unknown buyer, or a cancelled reservation kept out: the rare case pays the
        // read that tells them apart.
        let n = self
            .col
            .count_documents(doc! { "_id": id.to_string() })
            .await
            .map_err(map_err)?;
        Ok(n == 1)
    }

    async fn remove_compra(&self, id: Uuid, reserva_id: &str) -> Result<bool, StoreError> {
        let res = self
            .col
            .update_one(
                doc! { "_id": id.to_string() },
                doc! {
                    "$pull": { "historial_compras": reserva_id },
                    "$addToSet": { ANULADAS: reserva_id },
                },
            )
            .await
            .map_err(map_err)?;
        Ok(res.matched_count == 1)
    }

    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> Result<(), String> {
        eventflow_shared::mongo::ping(&self.db).await
    }
}
