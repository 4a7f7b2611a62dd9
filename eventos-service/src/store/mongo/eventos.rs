//! Events as organizers and buyers see them: create, read, list and edit.

use bson::{doc, Bson, Document};
use eventflow_shared::mongo::{is_duplicate_key, pagina};
use futures::TryStreamExt;
use mongodb::options::ReturnDocument;

use super::comun::MongoEventoStore;
use super::documentos::{n32, EventoDoc, VentaArchivadaDoc};
use crate::domain::{CambiosEvento, Evento, FiltroEventos, Venta};
use crate::store::{Pagina, StoreError, EVENTO_DUPLICADO};
use eventflow_shared::mongo::store_error as map_err;

/// The event as buyers see it: without holds, sales and outbox.
fn sin_mapas() -> Document {
    doc! {
        "retenciones": 0, "ventas": 0, "devueltas": 0, "parciales": 0, "por_archivar": 0,
        "outbox": 0, "outbox_pendientes": 0,
    }
}

pub(super) async fn insert(store: &MongoEventoStore, e: &Evento) -> Result<(), StoreError> {
    match store.col.insert_one(EventoDoc::from(e)).await {
        Ok(_) => Ok(()),
        Err(err) if is_duplicate_key(&err) => Err(StoreError::Duplicate(EVENTO_DUPLICADO)),
        Err(err) => Err(map_err(err)),
    }
}

pub(super) async fn get(store: &MongoEventoStore, id: &str) -> Result<Option<Evento>, StoreError> {
    let Some(mut d) = store
        .col
        .find_one(doc! { "_id": id })
        .await
        .map_err(map_err)?
    else {
        return Ok(None);
    };
    let devueltas = std::mem::take(&mut d.devueltas);
    let parciales = std::mem::take(&mut d.parciales);
    let mut evento = Evento::from(d);
    let archivadas: Vec<VentaArchivadaDoc> = store
        .ventas
        .find(doc! { "evento_id": id })
        .await
        .map_err(map_err)?
        .try_collect()
        .await
        .map_err(map_err)?;
    for a in archivadas {
        if !devueltas.contains_key(&a.reserva_id) {
            evento.ventas.entry(a.reserva_id).or_insert(Venta {
                zona: a.zona as usize,
                cantidad: n32(a.cantidad),
                devueltas: Default::default(),
            });
        }
    }
    // A sale counts its tickets less those given back one by one.
    for (rid, codigos) in parciales {
        if let Some(v) = evento.ventas.get_mut(&rid) {
            v.cantidad = v.cantidad.saturating_sub(codigos.len() as u32);
            v.devueltas = codigos.into_iter().collect();
        }
    }
    Ok(Some(evento))
}

pub(super) async fn ficha(
    store: &MongoEventoStore,
    id: &str,
) -> Result<Option<Evento>, StoreError> {
    Ok(store
        .col
        .find_one(doc! { "_id": id })
        .projection(sin_mapas())
        .await
        .map_err(map_err)?
        .map(Evento::from))
}

pub(super) async fn list(
    store: &MongoEventoStore,
    filtro: &FiltroEventos,
    limit: u32,
    offset: u32,
) -> Result<Pagina, StoreError> {
    let mut filter = Document::new();
    let mut fecha = Document::new();
    if let Some(d) = filtro.desde {
        // Dates are stored in whole milliseconds: round a sub-millisecond lower bound
        // up, or an event just before it would match (the embedded store excludes it).
        let ms = d.timestamp_millis() + i64::from(d.timestamp_subsec_nanos() % 1_000_000 != 0);
        fecha.insert("$gte", bson::DateTime::from_millis(ms));
    }
    if let Some(h) = filtro.hasta {
        fecha.insert("$lte", bson::DateTime::from_chrono(h));
    }
    if !fecha.is_empty() {
        filter.insert("fecha", fecha);
    }
    if let Some(l) = &filtro.lugar {
        // A plain string value: user input never becomes an operator.
        filter.insert("lugar", Bson::String(l.clone()));
    }
    if let Some(o) = &filtro.organizador_id {
        filter.insert("organizador_id", Bson::String(o.clone()));
    }
    let orden = doc! { "fecha": 1, "_id": 1 };
    let (items, total) =
        pagina(&store.col, filter, orden, Some(sin_mapas()), limit, offset).await?;
    Ok(Pagina {
        items: items.into_iter().map(Evento::from).collect(),
        total,
    })
}

pub(super) async fn update(
    store: &MongoEventoStore,
    id: &str,
    cambios: &CambiosEvento,
) -> Result<Option<Evento>, StoreError> {
    let mut set = Document::new();
    if let Some(n) = &cambios.nombre {
        set.insert("nombre", n.as_str());
    }
    if let Some(z) = cambios.zona_horaria {
        set.insert("zona_horaria", z.name());
    }
    if let Some(f) = cambios.fecha {
        set.insert("fecha", bson::DateTime::from_chrono(f));
    }
    if let Some(l) = &cambios.lugar {
        set.insert("lugar", l.as_str());
    }
    if let Some(m) = cambios.max_por_comprador {
        set.insert("max_por_comprador", i64::from(m));
    }
    if let Some(t) = cambios.transferencias_permitidas {
        set.insert("transferencias_permitidas", t);
    }
    if set.is_empty() {
        return ficha(store, id).await;
    }
    let found = store
        .col
        .find_one_and_update(doc! { "_id": id }, doc! { "$set": set })
        .projection(sin_mapas())
        .return_document(ReturnDocument::After)
        .await
        .map_err(map_err)?;
    Ok(found.map(Evento::from))
}
