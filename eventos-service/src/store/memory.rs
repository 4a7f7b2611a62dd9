//! Embedded eventos store: one mutex makes each inventory transition atomic.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use eventflow_shared::bus::Pendiente;
use eventflow_shared::outbox::FuenteOutbox;

use super::{EventoStore, Pagina, StoreError, EVENTO_DUPLICADO};
use crate::domain::{
    inventario, CambiosEvento, Confirmacion, Devolucion, Efecto, Evento, FiltroEventos, Liberacion,
    Retenida,
};

#[derive(Default)]
pub struct MemoryEventoStore {
    eventos: Mutex<HashMap<String, Evento>>,
}

impl MemoryEventoStore {
    fn with<T>(&self, id: &str, f: impl FnOnce(&mut Evento) -> T) -> Option<T> {
        self.eventos.lock().expect("store mutex").get_mut(id).map(f)
    }
}

#[async_trait]
impl EventoStore for MemoryEventoStore {
    async fn insert(&self, e: &Evento) -> Result<(), StoreError> {
        let mut map = self.eventos.lock().expect("store mutex");
        if map.contains_key(&e.id) {
            return Err(StoreError::Duplicate(EVENTO_DUPLICADO));
        }
        map.insert(e.id.clone(), e.clone());
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<Evento>, StoreError> {
        Ok(self.eventos.lock().expect("store mutex").get(id).cloned())
    }

    async fn ficha(&self, id: &str) -> Result<Option<Evento>, StoreError> {
        Ok(self
            .eventos
            .lock()
            .expect("store mutex")
            .get(id)
            .map(Evento::ficha))
    }

    async fn list(
        &self,
        filtro: &FiltroEventos,
        limit: u32,
        offset: u32,
    ) -> Result<Pagina, StoreError> {
        let map = self.eventos.lock().expect("store mutex");
        let mut found: Vec<&Evento> = map.values().filter(|e| filtro.matches(e)).collect();
        found.sort_by(|a, b| (a.fecha, &a.id).cmp(&(b.fecha, &b.id)));
        Ok(Pagina {
            total: found.len() as u64,
            items: found
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .map(Evento::ficha)
                .collect(),
        })
    }

    async fn update(
        &self,
        id: &str,
        cambios: &CambiosEvento,
    ) -> Result<Option<Evento>, StoreError> {
        Ok(self.with(id, |e| {
            cambios.apply(e);
            e.clone()
        }))
    }

    async fn retener(
        &self,
        id: &str,
        rid: &str,
        zona: usize,
        cantidad: u32,
        ahora: DateTime<Utc>,
    ) -> Result<Option<Efecto<Retenida>>, StoreError> {
        Ok(self.with(id, |e| {
            if zona >= e.zonas.len() {
                return Efecto {
                    resultado: Retenida::Agotado {
                        disponibles: 0,
                        retenidas: 0,
                    },
                    disponibles: 0,
                };
            }
            let resultado = inventario::retener(e, rid, zona, cantidad, ahora);
            Efecto {
                resultado,
                disponibles: e.zonas[zona].disponibles,
            }
        }))
    }

    async fn confirmar(
        &self,
        id: &str,
        rid: &str,
        _pista: Option<(usize, u32)>,
    ) -> Result<Option<Efecto<Confirmacion>>, StoreError> {
        Ok(self.with(id, |e| {
            Efecto::de(e, rid, |e| inventario::confirmar(e, rid))
        }))
    }

    async fn liberar(&self, id: &str, rid: &str) -> Result<Option<Efecto<Liberacion>>, StoreError> {
        Ok(self.with(id, |e| Efecto::de(e, rid, |e| inventario::liberar(e, rid))))
    }

    async fn devolver(
        &self,
        id: &str,
        rid: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError> {
        Ok(self.with(id, |e| Efecto::de(e, rid, |e| inventario::devolver(e, rid))))
    }

    async fn devolver_una(
        &self,
        id: &str,
        rid: &str,
        codigo: &str,
    ) -> Result<Option<Efecto<Devolucion>>, StoreError> {
        Ok(self.with(id, |e| {
            Efecto::de(e, rid, |e| inventario::devolver_una(e, rid, codigo))
        }))
    }

    async fn retenciones_antiguas(
        &self,
        antes_de: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let map = self.eventos.lock().expect("store mutex");
        Ok(map
            .values()
            .flat_map(|e| {
                e.retenciones
                    .iter()
                    .filter(|(_, r)| r.creada_en < antes_de)
                    .map(|(rid, _)| (e.id.clone(), rid.clone()))
            })
            .collect())
    }

    fn backend(&self) -> &'static str {
        "embebido"
    }

    async fn ping(&self) -> Result<(), String> {
        Ok(())
    }
}

#[async_trait]
impl FuenteOutbox for MemoryEventoStore {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String> {
        let map = self.eventos.lock().expect("store mutex");
        Ok(map
            .values()
            .flat_map(|e| e.outbox.iter().map(|p| (e.id.clone(), p.clone())))
            .take(limite)
            .collect())
    }

    async fn enviado(&self, dueno: &str, message_id: uuid::Uuid) -> Result<(), String> {
        if let Some(e) = self.eventos.lock().expect("store mutex").get_mut(dueno) {
            e.outbox.retain(|p| p.envelope.message_id != message_id);
        }
        Ok(())
    }
}
