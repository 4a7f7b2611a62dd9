//! Embedded notificaciones store: a map keyed by message id behind a mutex.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{Filtro, NotificacionStore, Registro, StoreError};
use crate::domain::Notificacion;

#[derive(Default)]
pub struct MemoryStore {
    items: Mutex<HashMap<String, Notificacion>>,
}

pub(crate) fn coincide(f: &Filtro, n: &Notificacion) -> bool {
    f.usuario_id
        .as_ref()
        .is_none_or(|u| n.usuario_id.as_ref() == Some(u))
        && f.tipo.as_ref().is_none_or(|t| &n.tipo == t)
        && f.sin_tipo.as_ref().is_none_or(|t| &n.tipo != t)
        && f.reserva_id
            .as_ref()
            .is_none_or(|r| n.reserva_id.as_ref() == Some(r))
}

#[async_trait]
impl NotificacionStore for MemoryStore {
    async fn registrar(&self, n: &Notificacion) -> Result<Registro, StoreError> {
        let mut items = self.items.lock().expect("mutex");
        if items.contains_key(&n.id) {
            return Ok(Registro::Duplicada);
        }
        items.insert(n.id.clone(), n.clone());
        Ok(Registro::Nueva)
    }

    async fn listar(
        &self,
        f: &Filtro,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Notificacion>, u64), StoreError> {
        let items = self.items.lock().expect("mutex");
        let mut v: Vec<&Notificacion> = items.values().filter(|n| coincide(f, n)).collect();
        v.sort_by(|a, b| (b.creada_en, &b.id).cmp(&(a.creada_en, &a.id)));
        let total = v.len() as u64;
        Ok((
            v.into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .cloned()
                .collect(),
            total,
        ))
    }

    fn backend(&self) -> &'static str {
        "embebido"
    }

    async fn ping(&self) -> Result<(), String> {
        Ok(())
    }
}
