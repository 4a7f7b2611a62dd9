//! Each event's zone names, kept in memory: an inventory call finds its zone's index
//! without reading the event first. Zones never change once an event exists (no route
//! edits them), so an entry never goes stale.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::domain::indice_de_zona;
use crate::store::{EventoStore, StoreError};

/// Events remembered at most; past it the map starts again (one read per event).
const LIMITE: usize = 10_000;

#[derive(Default)]
pub struct NombresDeZonas {
    mapa: RwLock<HashMap<String, Arc<[String]>>>,
}

impl NombresDeZonas {
    /// The zone names of event `id`, read once per process; `None` if it does not exist.
    pub async fn de(
        &self,
        store: &dyn EventoStore,
        id: &str,
    ) -> Result<Option<Arc<[String]>>, StoreError> {
        if let Some(z) = self.mapa.read().expect("zonas lock").get(id) {
            return Ok(Some(z.clone()));
        }
        let Some(e) = store.ficha(id).await? else {
            return Ok(None);
        };
        let nombres: Arc<[String]> = e.zonas.into_iter().map(|z| z.nombre).collect();
        let mut mapa = self.mapa.write().expect("zonas lock");
        if mapa.len() >= LIMITE {
            mapa.clear();
        }
        mapa.insert(id.to_owned(), nombres.clone());
        Ok(Some(nombres))
    }

    /// The index of zone `nombre` of event `id` (as buyers type it), when both exist.
    pub async fn indice(
        &self,
        store: &dyn EventoStore,
        id: &str,
        nombre: &str,
    ) -> Result<Option<Option<usize>>, StoreError> {
        Ok(self
            .de(store, id)
            .await?
            .map(|z| indice_de_zona(z.iter().map(String::as_str), nombre)))
    }
}
