//! Embedded usuarios store: maps behind one mutex, so the unique rules hold under races.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use uuid::Uuid;

use super::{Pagina, StoreError, UsuarioStore, DOCUMENTO_DUPLICADO, EMAIL_DUPLICADO};
use crate::domain::{CambiosUsuario, Email, TipoDocumento, Usuario};

#[derive(Default)]
struct Inner {
    by_id: HashMap<Uuid, Usuario>,
    by_email: HashMap<String, Uuid>,
    by_documento: HashMap<(TipoDocumento, String), Uuid>,
    hashes: HashMap<Uuid, String>,
    /// Cancelled reservations, kept out of the history for good.
    anuladas: std::collections::HashSet<(Uuid, String)>,
}

#[derive(Default)]
pub struct MemoryUsuarioStore {
    inner: Mutex<Inner>,
}

#[async_trait]
impl UsuarioStore for MemoryUsuarioStore {
    async fn insert(&self, u: &Usuario, password_hash: Option<&str>) -> Result<(), StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        if inner.by_email.contains_key(u.email.as_str()) {
            return Err(StoreError::Duplicate(EMAIL_DUPLICADO));
        }
        let doc = (u.tipo_documento, u.nro_documento.clone());
        if inner.by_documento.contains_key(&doc) {
            return Err(StoreError::Duplicate(DOCUMENTO_DUPLICADO));
        }
        inner.by_email.insert(u.email.as_str().to_owned(), u.id);
        inner.by_documento.insert(doc, u.id);
        let mut u = u.clone();
        u.tiene_password = password_hash.is_some();
        if let Some(h) = password_hash {
            inner.hashes.insert(u.id, h.to_owned());
        }
        inner.by_id.insert(u.id, u);
        Ok(())
    }

    async fn credenciales(
        &self,
        email: &Email,
    ) -> Result<Option<(Usuario, Option<String>)>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner
            .by_email
            .get(email.as_str())
            .and_then(|id| inner.by_id.get(id))
            .map(|u| (u.clone(), inner.hashes.get(&u.id).cloned())))
    }

    async fn get(&self, id: Uuid) -> Result<Option<Usuario>, StoreError> {
        Ok(self
            .inner
            .lock()
            .expect("store mutex")
            .by_id
            .get(&id)
            .cloned())
    }

    async fn get_by_email(&self, email: &Email) -> Result<Option<Usuario>, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        Ok(inner
            .by_email
            .get(email.as_str())
            .and_then(|id| inner.by_id.get(id))
            .cloned())
    }

    async fn list(&self, limit: u32, offset: u32) -> Result<Pagina, StoreError> {
        let inner = self.inner.lock().expect("store mutex");
        let mut all: Vec<&Usuario> = inner.by_id.values().collect();
        all.sort_by_key(|u| (u.creado_en, u.id));
        Ok(Pagina {
            total: all.len() as u64,
            items: all
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .cloned()
                .collect(),
        })
    }

    async fn update(
        &self,
        id: Uuid,
        cambios: &CambiosUsuario,
    ) -> Result<Option<Usuario>, StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        let Some(current) = inner.by_id.get(&id).cloned() else {
            return Ok(None);
        };
        if let Some(email) = &cambios.email {
            if inner
                .by_email
                .get(email.as_str())
                .is_some_and(|owner| *owner != id)
            {
                return Err(StoreError::Duplicate(EMAIL_DUPLICADO));
            }
        }
        let mut updated = current.clone();
        cambios.apply(&mut updated);
        inner.by_email.remove(current.email.as_str());
        inner.by_email.insert(updated.email.as_str().to_owned(), id);
        inner.by_id.insert(id, updated.clone());
        Ok(Some(updated))
    }

    async fn fijar_password(&self, id: Uuid, password_hash: &str) -> Result<bool, StoreError> {
        let mut inner = self.inner.lock().expect("store mutex");
        let Some(u) = inner.by_id.get_mut(&id) else {
            return Ok(false);
        };
        u.tiene_password = true;
        inner.hashes.insert(id, password_hash.to_owned());
        Ok(true)
    }

    async fn add_compra(&self, id: Uuid, reserva_id: &str) -> Result<bool, StoreError> {
        let mut guard = self.inner.lock().expect("store mutex");
        let inner = &mut *guard;
        let Some(u) = inner.by_id.get_mut(&id) else {
            return Ok(false);
        };
        if !u.historial_compras.iter().any(|r| r == reserva_id)
            && !inner.anuladas.contains(&(id, reserva_id.to_owned()))
        {
            u.historial_compras.push(reserva_id.to_owned());
        }
        Ok(true)
    }

    async fn remove_compra(&self, id: Uuid, reserva_id: &str) -> Result<bool, StoreError> {
        let mut guard = self.inner.lock().expect("store mutex");
        let inner = &mut *guard;
        let Some(u) = inner.by_id.get_mut(&id) else {
            return Ok(false);
        };
        u.historial_compras.retain(|r| r != reserva_id);
        inner.anuladas.insert((id, reserva_id.to_owned()));
        Ok(true)
    }

    fn backend(&self) -> &'static str {
        "embebido"
    }

    async fn ping(&self) -> Result<(), String> {
        Ok(())
    }
}
