//! MongoDB reservas stores. A reservation is one document holding its projection and
//! its log; each write is a version-guarded `replace_one`, atomic without transactions.

use async_trait::async_trait;
use bson::{doc, Document};
use chrono::{DateTime, Utc};
use eventflow_shared::ids::EventoId;
use eventflow_shared::mongo::is_duplicate_key;
use eventflow_shared::outbox::mongo::{contador, ConMongoOutbox, MongoOutbox, CONTADOR};
use futures::TryStreamExt;
use mongodb::{Collection, Database, IndexModel};

use super::{
    Clave, EntradasDeReserva, IdempotenciaStore, Pago, PagoStore, ReservaStore, StoreError,
};
use crate::domain::Reserva;
use eventflow_shared::mongo::pagina;
use eventflow_shared::mongo::store_error as map_err;

fn other(e: impl std::fmt::Display) -> StoreError {
    StoreError::Other(e.to_string())
}

pub struct MongoStore {
    db: Database,
    outbox: MongoOutbox,
    reservas: Collection<Document>,
    pagos: Collection<Document>,
    claves: Collection<Document>,
}

impl MongoStore {
    pub async fn new(db: Database) -> anyhow::Result<Self> {
        let reservas = db.collection::<Document>("reservas");
        reservas
            .create_indexes([
                IndexModel::builder()
                    .keys(doc! { "usuario_id": 1, "creada": -1 })
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "estado": 1, "actualizada": 1 })
                    .build(),
                IndexModel::builder()
                    .keys(doc! { "reserva.evento_id": 1 })
                    .build(),
                // A ticket's code finds its reservation (the QR, the door).
                IndexModel::builder()
                    .keys(doc! { "reserva.entradas.codigo": 1 })
                    .build(),
                // The tickets cancelled alone still to settle, for recovery.
                IndexModel::builder()
                    .keys(doc! { "reserva.anulaciones.codigo": 1 })
                    .build(),
                // The door's offline list: an event's reservations written since.
                IndexModel::builder()
                    .keys(doc! { "reserva.evento_id": 1, "cambio": 1 })
                    .build(),
            ])
            .await
            .map_err(|e| anyhow::anyhow!("creating reservas indexes: {e}"))?;
        Ok(Self {
            outbox: MongoOutbox::new(reservas.clone(), "reserva.outbox").await?,
            pagos: db.collection("pagos"),
            claves: db.collection("idempotencia"),
            reservas,
            db,
        })
    }
}

impl MongoStore {
    /// Every reservation matching `filtro`.
    async fn buscar(&self, filtro: Document) -> Result<Vec<Reserva>, StoreError> {
        let docs: Vec<Document> = self
            .reservas
            .find(filtro)
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        docs.into_iter().map(from_doc).collect()
    }
}

/// Top-level copies of the fields queries filter on, beside the reservation itself.
fn to_doc(r: &Reserva) -> Result<Document, StoreError> {
    Ok(doc! {
        "_id": &r.id,
        "version": r.version as i64,
        "estado": bson::to_bson(&r.estado).map_err(other)?,
        "usuario_id": r.usuario_id.clone(),
        "creada": bson::DateTime::from_chrono(r.creada_en),
        "actualizada": bson::DateTime::from_chrono(r.actualizada_en),
        CONTADOR: contador(r.outbox.len()),
        // When it was written (ms): the door's list sends what changed since.
        "cambio": super::cambio_ahora(),
        "reserva": bson::to_document(r).map_err(other)?,
    })
}

fn from_doc(d: Document) -> Result<Reserva, StoreError> {
    let inner = d.get_document("reserva").map_err(other)?.clone();
    bson::from_document(inner).map_err(other)
}

#[async_trait]
impl ReservaStore for MongoStore {
    async fn crear(&self, r: &mut Reserva) -> Result<(), StoreError> {
        r.version = 1;
        self.reservas
            .insert_one(to_doc(r)?)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn guardar(&self, r: &mut Reserva) -> Result<bool, StoreError> {
        let expected = r.version;
        r.version += 1;
        let res = self
            .reservas
            .replace_one(
                doc! { "_id": &r.id, "version": expected as i64 },
                to_doc(r)?,
            )
            .await;
        match res {
            Ok(res) if res.matched_count == 1 => Ok(true),
            Ok(_) => {
                r.version = expected;
                Ok(false)
            }
            Err(e) => {
                r.version = expected;
                Err(map_err(e))
            }
        }
    }

    async fn get(&self, id: &str) -> Result<Option<Reserva>, StoreError> {
        self.reservas
            .find_one(doc! { "_id": id })
            .await
            .map_err(map_err)?
            .map(from_doc)
            .transpose()
    }

    async fn por_usuario(
        &self,
        usuario_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Reserva>, u64), StoreError> {
        let filter = doc! { "usuario_id": usuario_id };
        let orden = doc! { "creada": -1, "_id": -1 };
        let (docs, total) = pagina(&self.reservas, filter, orden, None, limit, offset).await?;
        Ok((
            docs.into_iter().map(from_doc).collect::<Result<_, _>>()?,
            total,
        ))
    }

    async fn abandonadas(&self, antes_de: DateTime<Utc>) -> Result<Vec<Reserva>, StoreError> {
        let antes = bson::DateTime::from_chrono(antes_de);
        // Each branch has its index: a ticket cancelled alone leaves its code listed
        // under `anulaciones` (codes are never empty) while its reservation is CONFIRMADA.
        self.buscar(doc! { "$or": [
            {
                "estado": { "$in": ["EN_CURSO", "CANCELANDO"] },
                "actualizada": { "$lt": antes },
            },
            {
                "reserva.anulaciones.codigo": { "$gt": "" },
                "actualizada": { "$lt": antes },
            },
        ] })
        .await
    }

    async fn por_evento(&self, evento_id: &str) -> Result<Vec<Reserva>, StoreError> {
        self.buscar(doc! { "reserva.evento_id": evento_id }).await
    }

    async fn eventos(&self) -> Result<Vec<EventoId>, StoreError> {
        let ids = self
            .reservas
            .distinct("reserva.evento_id", doc! {})
            .await
            .map_err(map_err)?;
        Ok(ids
            .into_iter()
            .filter_map(|b| b.as_str().map(EventoId::confiable))
            .collect())
    }

    async fn del_comprador(
        &self,
        usuario_id: &str,
        evento_id: &str,
    ) -> Result<Vec<Reserva>, StoreError> {
        // The (usuario_id, creada) index narrows it to one buyer's few reservations.
        self.buscar(doc! { "usuario_id": usuario_id, "reserva.evento_id": evento_id })
            .await
    }

    async fn por_codigo(&self, codigo: &str) -> Result<Option<Reserva>, StoreError> {
        self.reservas
            .find_one(doc! { "reserva.entradas.codigo": codigo })
            .await
            .map_err(map_err)?
            .map(from_doc)
            .transpose()
    }

    async fn admitir(
        &self,
        evento_id: &str,
        codigo: &str,
        puerta: Option<&str>,
        nonce: Option<&str>,
        cuando: DateTime<Utc>,
    ) -> Result<Option<Reserva>, StoreError> {
        // The same serde forms the whole-document writes store, so the reservation
        // reads back identically.
        let usada_en = bson::to_bson(&cuando).map_err(other)?;
        let mut set = doc! {
            "reserva.entradas.$.estado": "USADA",
            "reserva.entradas.$.usada_en": usada_en,
        };
        if let Some(p) = puerta {
            set.insert("reserva.entradas.$.puerta", p);
        }
        if let Some(n) = nonce {
            set.insert("reserva.entradas.$.nonce", n);
        }
        set.insert("cambio", super::cambio_ahora());
        self.reservas
            .find_one_and_update(
                doc! {
                    // Narrows to one document through the code's index; the
                    // `$elemMatch` then picks that ticket, and `$` writes it.
                    "reserva.entradas.codigo": codigo,
                    "estado": "CONFIRMADA",
                    "reserva.evento_id": evento_id,
                    "reserva.entradas": { "$elemMatch": { "codigo": codigo, "estado": "VALIDA" } },
                },
                doc! { "$set": set, "$inc": { "version": 1_i64, "reserva.version": 1_i64 } },
            )
            .return_document(mongodb::options::ReturnDocument::After)
            .await
            .map_err(map_err)?
            .map(from_doc)
            .transpose()
    }

    async fn entradas_del_evento(
        &self,
        evento_id: &str,
        desde: Option<i64>,
    ) -> Result<Vec<EntradasDeReserva>, StoreError> {
        let mut filtro =
            doc! { "reserva.evento_id": evento_id, "reserva.entradas.0": { "$exists": true } };
        if let Some(d) = desde {
            filtro.insert("cambio", doc! { "$gt": d });
        }
        // Only what the list shows: not the log, steps or outbox.
        let docs: Vec<Document> = self
            .reservas
            .find(filtro)
            .projection(doc! { "estado": 1, "reserva.entradas": 1 })
            .await
            .map_err(map_err)?
            .try_collect()
            .await
            .map_err(map_err)?;
        docs.into_iter()
            .map(|d| {
                let entradas = match d
                    .get_document("reserva")
                    .ok()
                    .and_then(|r| r.get("entradas"))
                {
                    Some(b) => bson::from_bson(b.clone()).map_err(other)?,
                    None => Vec::new(),
                };
                Ok(EntradasDeReserva {
                    confirmada: d.get_str("estado").map_err(other)? == "CONFIRMADA",
                    entradas,
                })
            })
            .collect()
    }

    async fn con_forzados(&self, evento_id: &str) -> Result<Vec<Reserva>, StoreError> {
        // `forzados` is stored only when not empty.
        self.buscar(doc! {
            "reserva.evento_id": evento_id,
            "reserva.entradas.forzados": { "$exists": true },
        })
        .await
    }

    async fn descartar(&self, r: &Reserva) -> Result<(), StoreError> {
        self.reservas
            .delete_one(doc! { "_id": &r.id, "version": r.version as i64 })
            .await
            .map_err(map_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "mongodb"
    }

    async fn ping(&self) -> Result<(), String> {
        eventflow_shared::mongo::ping(&self.db).await
    }
}

#[async_trait]
impl PagoStore for MongoStore {
    async fn registrar(&self, pago: &Pago) -> Result<Pago, StoreError> {
        let mut d = bson::to_document(pago).map_err(other)?;
        // One charge per reservation: the reservation id is the primary key, so a retry
        // (or a recovery run) finds the first charge instead of making a second.
        d.insert("_id", &pago.reserva_id);
        match self.pagos.insert_one(d).await {
            Ok(_) => Ok(pago.clone()),
            Err(e) if is_duplicate_key(&e) => PagoStore::get(self, &pago.reserva_id)
                .await?
                .ok_or_else(|| other("payment vanished after a duplicate key")),
            Err(e) => Err(map_err(e)),
        }
    }

    async fn reembolsar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError> {
        self.pagos
            .update_one(
                doc! { "_id": reserva_id, "estado": "APROBADO" },
                doc! { "$set": { "estado": "REEMBOLSADO" } },
            )
            .await
            .map_err(map_err)?;
        PagoStore::get(self, reserva_id).await
    }

    async fn get(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError> {
        match self
            .pagos
            .find_one(doc! { "_id": reserva_id })
            .await
            .map_err(map_err)?
        {
            Some(mut d) => {
                d.remove("_id");
                Ok(Some(bson::from_document(d).map_err(other)?))
            }
            None => Ok(None),
        }
    }
}

#[async_trait]
impl IdempotenciaStore for MongoStore {
    async fn tomar(&self, clave: &str, hash: &str, reserva_id: &str) -> Result<Clave, StoreError> {
        let nueva = doc! {
            "_id": clave, "hash": hash, "estado": "EN_CURSO", "reserva_id": reserva_id,
            "desde": bson::DateTime::now(),
        };
        match self.claves.insert_one(nueva).await {
            Ok(_) => return Ok(Clave::Nueva),
            Err(e) if is_duplicate_key(&e) => {}
            Err(e) => return Err(map_err(e)),
        }
        let d = self
            .claves
            .find_one(doc! { "_id": clave })
            .await
            .map_err(map_err)?
            .ok_or_else(|| other("idempotency key vanished"))?;
        let hash = d.get_str("hash").map_err(other)?.to_owned();
        Ok(if d.get_str("estado").map_err(other)? == "COMPLETA" {
            Clave::Completa {
                hash,
                status: d.get_i32("status").map_err(other)? as u16,
                body: d.get_str("body").map_err(other)?.to_owned(),
            }
        } else {
            Clave::EnCurso {
                hash,
                reserva_id: d.get_str("reserva_id").map_err(other)?.to_owned(),
                desde: d.get_datetime("desde").map_err(other)?.to_chrono(),
            }
        })
    }

    async fn completar(&self, clave: &str, status: u16, body: &str) -> Result<(), StoreError> {
        self.claves
            .update_one(
                doc! { "_id": clave, "estado": "EN_CURSO" },
                doc! { "$set": { "estado": "COMPLETA", "status": i32::from(status), "body": body } },
            )
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn soltar(&self, clave: &str) -> Result<(), StoreError> {
        self.claves
            .delete_one(doc! { "_id": clave, "estado": "EN_CURSO" })
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

/// The relay removes a sent message with `$pull`, without bumping `version`: it must not
/// make a running SAGA's next write fail. If that write re-adds the message, it is sent
/// again and the consumer deduplicates it.
impl ConMongoOutbox for MongoStore {
    fn outbox(&self) -> &MongoOutbox {
        &self.outbox
    }
}
