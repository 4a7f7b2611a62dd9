//! Embedded reservas stores: maps behind mutexes, same semantics as MongoDB.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use eventflow_shared::bus::Pendiente;
use eventflow_shared::ids::{EventoId, ReservaId};
use eventflow_shared::outbox::FuenteOutbox;

use super::{
    Clave, EntradasDeReserva, EstadoPago, IdempotenciaStore, Pago, PagoStore, ReservaStore,
    StoreError,
};
use crate::domain::{Estado, EstadoEntrada, Reserva};

#[derive(Default)]
pub struct MemoryStore {
    reservas: Mutex<HashMap<ReservaId, Reserva>>,
    /// Each reservation's `cambio` (its last write, in ms), as MongoDB keeps it beside
    /// the document.
    cambios: Mutex<HashMap<ReservaId, i64>>,
    pagos: Mutex<HashMap<String, Pago>>,
    claves: Mutex<HashMap<String, Clave>>,
}

impl MemoryStore {
    /// Stamps `id` as written now. Called with the reservations lock held, so stamps
    /// follow the writes' order.
    fn cambio(&self, id: &ReservaId) {
        self.cambios
            .lock()
            .expect("mutex")
            .insert(id.clone(), super::cambio_ahora());
    }
}

#[async_trait]
impl ReservaStore for MemoryStore {
    async fn crear(&self, r: &mut Reserva) -> Result<(), StoreError> {
        let mut map = self.reservas.lock().expect("mutex");
        if map.contains_key(&r.id) {
            return Err(StoreError::Other(format!("reservation {} exists", r.id)));
        }
        r.version = 1;
        map.insert(r.id.clone(), r.clone());
        self.cambio(&r.id);
        Ok(())
    }

    async fn guardar(&self, r: &mut Reserva) -> Result<bool, StoreError> {
        let mut map = self.reservas.lock().expect("mutex");
        match map.get(&r.id) {
            Some(stored) if stored.version == r.version => {
                r.version += 1;
                map.insert(r.id.clone(), r.clone());
                self.cambio(&r.id);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn get(&self, id: &str) -> Result<Option<Reserva>, StoreError> {
        Ok(self.reservas.lock().expect("mutex").get(id).cloned())
    }

    async fn por_usuario(
        &self,
        usuario_id: &str,
        limit: u32,
        offset: u32,
    ) -> Result<(Vec<Reserva>, u64), StoreError> {
        let map = self.reservas.lock().expect("mutex");
        let mut found: Vec<&Reserva> = map
            .values()
            .filter(|r| r.usuario_id.as_deref() == Some(usuario_id))
            .collect();
        found.sort_by(|a, b| (b.creada_en, &b.id).cmp(&(a.creada_en, &a.id)));
        let total = found.len() as u64;
        Ok((
            found
                .into_iter()
                .skip(offset as usize)
                .take(limit as usize)
                .cloned()
                .collect(),
            total,
        ))
    }

    async fn abandonadas(&self, antes_de: DateTime<Utc>) -> Result<Vec<Reserva>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        Ok(map
            .values()
            .filter(|r| {
                (matches!(r.estado, Estado::EnCurso | Estado::Cancelando)
                    || !r.anulaciones.is_empty())
                    && r.actualizada_en < antes_de
            })
            .cloned()
            .collect())
    }

    async fn por_evento(&self, evento_id: &str) -> Result<Vec<Reserva>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        Ok(map
            .values()
            .filter(|r| r.evento_id == evento_id)
            .cloned()
            .collect())
    }

    async fn eventos(&self) -> Result<Vec<EventoId>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        let ids: std::collections::BTreeSet<EventoId> =
            map.values().map(|r| r.evento_id.clone()).collect();
        Ok(ids.into_iter().collect())
    }

    async fn del_comprador(
        &self,
        usuario_id: &str,
        evento_id: &str,
    ) -> Result<Vec<Reserva>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        Ok(map
            .values()
            .filter(|r| r.usuario_id.as_deref() == Some(usuario_id) && r.evento_id == evento_id)
            .cloned()
            .collect())
    }

    async fn por_codigo(&self, codigo: &str) -> Result<Option<Reserva>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        Ok(map
            .values()
            .find(|r| r.entradas.iter().any(|e| e.codigo == codigo))
            .cloned())
    }

    async fn admitir(
        &self,
        evento_id: &str,
        codigo: &str,
        puerta: Option<&str>,
        nonce: Option<&str>,
        cuando: DateTime<Utc>,
    ) -> Result<Option<Reserva>, StoreError> {
        let mut map = self.reservas.lock().expect("mutex");
        let Some(r) = map
            .values_mut()
            .find(|r| r.entradas.iter().any(|e| e.codigo == codigo))
        else {
            return Ok(None);
        };
        if r.evento_id != evento_id || r.estado != Estado::Confirmada {
            return Ok(None);
        }
        let Some(e) = r
            .entradas
            .iter_mut()
            .find(|e| e.codigo == codigo && e.estado == EstadoEntrada::Valida)
        else {
            return Ok(None);
        };
        e.estado = EstadoEntrada::Usada;
        e.usada_en = Some(cuando);
        e.puerta = puerta.map(str::to_owned);
        e.nonce = nonce.map(str::to_owned);
        r.version += 1;
        self.cambio(&r.id);
        Ok(Some(r.clone()))
    }

    async fn entradas_del_evento(
        &self,
        evento_id: &str,
        desde: Option<i64>,
    ) -> Result<Vec<EntradasDeReserva>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        let cambios = self.cambios.lock().expect("mutex");
        Ok(map
            .values()
            .filter(|r| r.evento_id == evento_id && !r.entradas.is_empty())
            .filter(|r| desde.is_none_or(|d| cambios.get(&r.id).is_some_and(|c| *c > d)))
            .map(|r| EntradasDeReserva {
                confirmada: r.estado == Estado::Confirmada,
                entradas: r.entradas.clone(),
            })
            .collect())
    }

    async fn con_forzados(&self, evento_id: &str) -> Result<Vec<Reserva>, StoreError> {
        let map = self.reservas.lock().expect("mutex");
        Ok(map
            .values()
            .filter(|r| {
                r.evento_id == evento_id && r.entradas.iter().any(|e| !e.forzados.is_empty())
            })
            .cloned()
            .collect())
    }

    async fn descartar(&self, r: &Reserva) -> Result<(), StoreError> {
        let mut map = self.reservas.lock().expect("mutex");
        if map.get(&r.id).is_some_and(|s| s.version == r.version) {
            map.remove(&r.id);
        }
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "embebido"
    }

    async fn ping(&self) -> Result<(), String> {
        Ok(())
    }
}

#[async_trait]
impl PagoStore for MemoryStore {
    async fn registrar(&self, pago: &Pago) -> Result<Pago, StoreError> {
        let mut map = self.pagos.lock().expect("mutex");
        Ok(map
            .entry(pago.reserva_id.clone())
            .or_insert_with(|| pago.clone())
            .clone())
    }

    async fn reembolsar(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError> {
        let mut map = self.pagos.lock().expect("mutex");
        Ok(map.get_mut(reserva_id).map(|p| {
            if p.estado == EstadoPago::Aprobado {
                p.estado = EstadoPago::Reembolsado;
            }
            p.clone()
        }))
    }

    async fn get(&self, reserva_id: &str) -> Result<Option<Pago>, StoreError> {
        Ok(self.pagos.lock().expect("mutex").get(reserva_id).cloned())
    }
}

#[async_trait]
impl IdempotenciaStore for MemoryStore {
    async fn tomar(&self, clave: &str, hash: &str, reserva_id: &str) -> Result<Clave, StoreError> {
        let mut map = self.claves.lock().expect("mutex");
        if let Some(c) = map.get(clave) {
            return Ok(c.clone());
        }
        map.insert(
            clave.to_owned(),
            Clave::EnCurso {
                hash: hash.to_owned(),
                reserva_id: reserva_id.to_owned(),
                desde: Utc::now(),
            },
        );
        Ok(Clave::Nueva)
    }

    async fn completar(&self, clave: &str, status: u16, body: &str) -> Result<(), StoreError> {
        let mut map = self.claves.lock().expect("mutex");
        if let Some(Clave::EnCurso { hash, .. }) = map.get(clave).cloned() {
            map.insert(
                clave.to_owned(),
                Clave::Completa {
                    hash,
                    status,
                    body: body.to_owned(),
                },
            );
        }
        Ok(())
    }

    async fn soltar(&self, clave: &str) -> Result<(), StoreError> {
        let mut map = self.claves.lock().expect("mutex");
        if matches!(map.get(clave), Some(Clave::EnCurso { .. })) {
            map.remove(clave);
        }
        Ok(())
    }
}

#[async_trait]
impl FuenteOutbox for MemoryStore {
    async fn pendientes(&self, limite: usize) -> Result<Vec<(String, Pendiente)>, String> {
        let map = self.reservas.lock().expect("mutex");
        Ok(map
            .values()
            .flat_map(|r| r.outbox.iter().map(|p| (r.id.to_string(), p.clone())))
            .take(limite)
            .collect())
    }

    async fn enviado(&self, dueno: &str, message_id: uuid::Uuid) -> Result<(), String> {
        if let Some(r) = self.reservas.lock().expect("mutex").get_mut(dueno) {
            r.outbox.retain(|p| p.envelope.message_id != message_id);
        }
        Ok(())
    }
}
