//! MongoDB notificaciones store: `_id` is the message id, so the primary key is the
//! idempotency record, written in the same insert as the notification.

use async_trait::async_trait;
use bson::{doc, Document};
use chrono::{DateTime, Utc};
use eventflow_shared::mongo::is_duplicate_key;
use mongodb::{Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};

use super::{Filtro, NotificacionStore, Registro, StoreError};
use crate::domain::{EntradaNotificada, Notificacion};
use eventflow_shared::mongo::pagina;
use eventflow_shared::mongo::store_error as map_err;

#[derive(Serialize, Deserialize)]
struct Doc {
    #[serde(rename = "_id")]
    id: String,
    tipo: String,
    usuario_id: Option<String>,
    evento_id: Option<String>,
    reserva_id: Option<String>,
    titulo: String,
    mensaje: String,
    correlation_id: String,
    #[serde(with = "bson::serde_helpers::chrono_datetime_as_bson_datetime")]
    creada_en: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enlace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    entradas: Vec<EntradaNotificada>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pdf: Option<String>,
}

pub struct MongoStore {
    db: Database,
    col: Collection<Doc>,
}

impl MongoStore {
    pub async fn new(db: Database) -> anyhow::Result<Self> {
        let col = db.collection::<Doc>("notificaciones");
        col.create_indexes([
            IndexModel::builder()
                .keys(doc! { "usuario_id": 1, "creada_en": -1 })
                .build(),
            IndexModel::builder().keys(doc! { "reserva_id": 1 }).build(),
        ])
        .await
        .map_err(|e| anyhow::anyhow!("creating notificaciones indexes: {e}"))?;
        Ok(Self { db, col })
    }
}

#[async_trait]
impl NotificacionStore for MongoStore {
    async fn registrar(&self, n: &Notificacion) -> Result<Registro, StoreError> {
        let d = Doc {
            id: n.id.clone(),
            tipo: n.tipo.clone(),
            usuario_id: n.usuario_id.clone(),
            evento_id: n.evento_id.clone(),
            reserva_id: n.reserva_id.clone(),
            titulo: n.titulo.clone(),
            mensaje: n.mensaje.clone(),
            correlation_id: n.correlation_id.clone(),
            creada_en: n.creada_en,
            enlace: n.enlace.clone(),
            email: n.email.clone(),
            entradas: n.entradas.clone(),
            pdf: n.pdf.clone(),
        };
        match self.col.insert_one(d).await {
            Ok(_) => Ok(Registro::Nueva),
            Err(e) if is_duplicate_key(&e) => Ok(Registro::Duplicada),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn listar(
        &self,
        f: &Filtro,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Notificacion>, u64), StoreError> {
        let mut filter = Document::new();
        for (k, v) in [("usuario_id", &f.usuario_id), ("reserva_id", &f.reserva_id)] {
            if let Some(v) = v {
                filter.insert(k, bson::Bson::String(v.clone()));
            }
        }
        // Plain string values inside `$eq`/`$ne`: user input never becomes an operator.
        let mut tipo = Document::new();
        if let Some(t) = &f.tipo {
            tipo.insert("$eq", bson::Bson::String(t.clone()));
        }
        if let Some(t) = &f.sin_tipo {
            tipo.insert("$ne", bson::Bson::String(t.clone()));
        }
        if !tipo.is_empty() {
            filter.insert("tipo", tipo);
        }
        let orden = doc! { "creada_en": -1, "_id": -1 };
        let (docs, total) = pagina(&self.col, filter, orden, None, limit, offset).await?;
        let items = docs
            .into_iter()
            .map(|d| Notificacion {
                id: d.id,
                tipo: d.tipo,
                usuario_id: d.usuario_id,
                evento_id: d.evento_id,
                reserva_id: d.reserva_id,
                titulo: d.titulo,
                mensaje: d.mensaje,
                correlation_id: d.correlation_id,
                creada_en: d.creada_en,
                enlace: d.enlace,
                email: d.email,
                entradas: d.entradas,
                pdf: d.pdf,
            })
            .collect();
        Ok((items, total))
    }

    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> Result<(), String> {
        eventflow_shared::mongo::ping(&self.db).await
    }
}
