//! Inventory transitions: hold, confirm, release and return, each idempotent on the
//! reservation id. The embedded store applies these functions under a lock; the MongoDB
//! store expresses the same guards as single-document conditional updates.

use chrono::{DateTime, Utc};

use super::{Evento, Retencion, Venta};

/// Outcome of placing a hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retenida {
    /// Newly held.
    Si,
    /// This reservation already holds these tickets (a retry): nothing changed.
    YaRetenida,
    /// This reservation already bought them: nothing changed.
    YaVendida,
    /// The event has started: nothing is sold any more.
    FueraDeVenta,
    /// Not enough tickets in the zone. `retenidas` are held by running checkouts and
    /// come back if those fail; both counts come from the same snapshot.
    Agotado { disponibles: u32, retenidas: u32 },
}

/// An inventory call's outcome, with the available tickets right after it, read in the
/// same step: in the zone it touched, or in the whole event when it touched none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Efecto<T> {
    pub resultado: T,
    pub disponibles: u32,
}

impl<T> Efecto<T> {
    /// The outcome of `f` on `e`, with the counters of the zone of `rid`'s hold or sale
    /// as they are after it (the hold's zone is looked up before `f` removes it).
    pub fn de(e: &mut Evento, rid: &str, f: impl FnOnce(&mut Evento) -> T) -> Self {
        let zona = e
            .retenciones
            .get(rid)
            .map(|r| r.zona)
            .or_else(|| e.ventas.get(rid).map(|v| v.zona));
        let resultado = f(e);
        let disponibles = zona
            .and_then(|k| e.zonas.get(k))
            .map_or_else(|| e.entradas_disponibles(), |z| z.disponibles);
        Self {
            resultado,
            disponibles,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmacion {
    Confirmada,
    YaConfirmada,
    /// No hold to confirm: it was released (compensated or expired).
    SinRetencion,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Liberacion {
    Liberada,
    /// Nothing held under this id (already released, or never held).
    SinRetencion,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Devolucion {
    Devuelta,
    /// Nothing sold under this id (already returned, or never sold).
    SinVenta,
}

pub fn retener(
    e: &mut Evento,
    rid: &str,
    zona: usize,
    cantidad: u32,
    ahora: DateTime<Utc>,
) -> Retenida {
    if !e.en_venta(ahora) {
        return Retenida::FueraDeVenta;
    }
    if e.retenciones.contains_key(rid) {
        return Retenida::YaRetenida;
    }
    if e.ventas.contains_key(rid) {
        return Retenida::YaVendida;
    }
    let z = &mut e.zonas[zona];
    if z.disponibles < cantidad {
        return Retenida::Agotado {
            disponibles: z.disponibles,
            retenidas: z.retenidas(),
        };
    }
    z.disponibles -= cantidad;
    e.retenciones.insert(
        rid.to_owned(),
        Retencion {
            zona,
            cantidad,
            creada_en: ahora,
        },
    );
    Retenida::Si
}

pub fn confirmar(e: &mut Evento, rid: &str) -> Confirmacion {
    match e.retenciones.remove(rid) {
        Some(r) => {
            e.zonas[r.zona].vendidas += r.cantidad;
            e.ventas.insert(
                rid.to_owned(),
                Venta {
                    zona: r.zona,
                    cantidad: r.cantidad,
                    devueltas: Default::default(),
                },
            );
            Confirmacion::Confirmada
        }
        None if e.ventas.contains_key(rid) => Confirmacion::YaConfirmada,
        None => Confirmacion::SinRetencion,
    }
}

pub fn liberar(e: &mut Evento, rid: &str) -> Liberacion {
    match e.retenciones.remove(rid) {
        Some(r) => {
            e.zonas[r.zona].disponibles += r.cantidad;
            Liberacion::Liberada
        }
        None => Liberacion::SinRetencion,
    }
}

pub fn devolver(e: &mut Evento, rid: &str) -> Devolucion {
    match e.ventas.remove(rid) {
        // Every ticket was given back one by one already.
        Some(v) if v.cantidad == 0 => Devolucion::SinVenta,
        Some(v) => {
            let z = &mut e.zonas[v.zona];
            z.vendidas -= v.cantidad;
            z.disponibles += v.cantidad;
            Devolucion::Devuelta
        }
        None => Devolucion::SinVenta,
    }
}

/// Gives back one ticket, `codigo`, of `rid`'s sale (a buyer cancelled that ticket
/// alone): one seat of its zone returns to sale and the sale counts one less.
/// Idempotent on the code: a retry returns nothing more (`SinVenta`), as does a sale
/// already returned whole, or with nothing left.
pub fn devolver_una(e: &mut Evento, rid: &str, codigo: &str) -> Devolucion {
    let Some(v) = e.ventas.get_mut(rid) else {
        return Devolucion::SinVenta;
    };
    if v.cantidad == 0 || v.devueltas.contains(codigo) {
        return Devolucion::SinVenta;
    }
    v.cantidad -= 1;
    v.devueltas.insert(codigo.to_owned());
    let z = &mut e.zonas[v.zona];
    z.vendidas -= 1;
    z.disponibles += 1;
    Devolucion::Devuelta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Zona;
    use std::collections::BTreeMap;

    fn evento(capacidad: u32) -> Evento {
        Evento {
            id: "e".into(),
            nombre: "n".into(),
            // Still on sale: a hold on a started event is `FueraDeVenta`.
            fecha: Utc::now() + chrono::Duration::days(1),
            zona_horaria: crate::domain::fecha::ZONA_DEFECTO,
            lugar: "l".into(),
            zonas: vec![Zona {
                nombre: "General".into(),
                precio: 0,
                capacidad,
                disponibles: capacidad,
                vendidas: 0,
            }],
            max_por_comprador: 10,
            organizador_id: None,
            transferencias_permitidas: true,
            creado_en: Utc::now(),
            retenciones: BTreeMap::new(),
            ventas: BTreeMap::new(),
            outbox: Vec::new(),
        }
    }

    #[test]
    fn every_transition_is_idempotent_and_conserves_tickets() {
        let mut e = evento(5);
        let now = Utc::now();
        assert_eq!(retener(&mut e, "r1", 0, 3, now), Retenida::Si);
        assert_eq!(retener(&mut e, "r1", 0, 3, now), Retenida::YaRetenida);
        assert_eq!(
            retener(&mut e, "r2", 0, 3, now),
            Retenida::Agotado {
                disponibles: 2,
                retenidas: 3
            }
        );
        assert_eq!(e.zonas[0].disponibles, 2);
        assert_eq!(confirmar(&mut e, "r1"), Confirmacion::Confirmada);
        assert_eq!(confirmar(&mut e, "r1"), Confirmacion::YaConfirmada);
        assert_eq!(retener(&mut e, "r1", 0, 1, now), Retenida::YaVendida);
        assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (2, 3));
        assert_eq!(retener(&mut e, "r3", 0, 2, now), Retenida::Si);
        assert_eq!(liberar(&mut e, "r3"), Liberacion::Liberada);
        assert_eq!(liberar(&mut e, "r3"), Liberacion::SinRetencion);
        assert_eq!(confirmar(&mut e, "r3"), Confirmacion::SinRetencion);
        assert_eq!(devolver(&mut e, "r1"), Devolucion::Devuelta);
        assert_eq!(devolver(&mut e, "r1"), Devolucion::SinVenta);
        assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (5, 0));
        assert!(e.retenciones.is_empty() && e.ventas.is_empty());
    }

    #[test]
    fn one_ticket_at_a_time_returns_one_seat_once() {
        let mut e = evento(5);
        let now = Utc::now();
        assert_eq!(retener(&mut e, "r1", 0, 3, now), Retenida::Si);
        assert_eq!(confirmar(&mut e, "r1"), Confirmacion::Confirmada);
        assert_eq!(devolver_una(&mut e, "r1", "A"), Devolucion::Devuelta);
        assert_eq!(devolver_una(&mut e, "r1", "A"), Devolucion::SinVenta);
        assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (3, 2));
        assert_eq!(e.ventas["r1"].cantidad, 2);
        // The rest of the sale, whole: only the two still sold.
        assert_eq!(devolver(&mut e, "r1"), Devolucion::Devuelta);
        assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (5, 0));
        assert_eq!(devolver_una(&mut e, "r1", "B"), Devolucion::SinVenta);
        // Given back one by one to the last: nothing left to return whole.
        assert_eq!(retener(&mut e, "r2", 0, 1, now), Retenida::Si);
        assert_eq!(confirmar(&mut e, "r2"), Confirmacion::Confirmada);
        assert_eq!(devolver_una(&mut e, "r2", "C"), Devolucion::Devuelta);
        assert_eq!(devolver(&mut e, "r2"), Devolucion::SinVenta);
        assert_eq!((e.zonas[0].disponibles, e.zonas[0].vendidas), (5, 0));
    }
}
