//! What a reservation's audit trail records, one typed variant per kind of entry.
//!
//! Each variant serialises to the stored `{tipo, datos}` pair of an
//! [`EventoReserva`](super::EventoReserva): `tipo` is the variant's name and `datos` its
//! fields. A renamed field or a missing one is a compile error here, not a log entry that
//! recovery, the reconciliation or a reader no longer understands.

use serde::Serialize;
use serde_json::Value;

use super::{Estado, Progreso};

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "tipo", content = "datos")]
pub enum Suceso {
    /// ValidadorDatos: buyer, event, zone and price are known.
    ReservaIniciada {
        usuario_id: String,
        evento_id: String,
        zona: String,
        cantidad: u32,
        total: i64,
    },
    /// ValidadorInventario: the buyer's checkout lock for the event.
    LockAdquirido {
        clave: String,
        ttl_ms: u64,
    },
    InventarioRetenido {
        zona: String,
        cantidad: u32,
    },
    InventarioConfirmado {
        zona: Option<String>,
        cantidad: u32,
    },
    /// Tickets back on sale: a compensation or a cancellation.
    InventarioDevuelto {
        zona: Option<String>,
        cantidad: u32,
    },
    PagoAprobado {
        pago_id: String,
        monto: i64,
        /// Absent when recovery found the charge in the ledger.
        #[serde(skip_serializing_if = "Option::is_none")]
        ultimos4: Option<String>,
        /// `true` when recovery found it, rather than ProcesadorPago making it.
        #[serde(skip_serializing_if = "Option::is_none")]
        recuperado: Option<bool>,
    },
    PagoRechazado {
        pago_id: String,
        motivo: String,
    },
    PagoReembolsado {
        pago_id: String,
        monto: i64,
    },
    HistorialActualizado {
        usuario_id: String,
    },
    ReservaConfirmada {
        total: Option<i64>,
    },
    /// A step timed out or the link failed: its outcome is not known (not a failure).
    ResultadoIncierto {
        paso: String,
        detalle: String,
    },
    CompensacionEjecutada {
        handler: String,
        accion: String,
    },
    CompensacionFallida {
        handler: String,
        detalle: String,
    },
    PasoFallido {
        paso: String,
        status: u16,
        tipo: String,
        detalle: String,
    },
    ReservaFallida {
        paso: String,
    },
    RecuperacionIniciada {
        instancia: String,
        progreso: Progreso,
        estado: Estado,
    },
    CancelacionSolicitada {
        correlation_id: String,
    },
    ReservaCancelada {},
    /// One ticket cancelled alone: annulled now; its refund and its seat follow.
    CancelacionEntradaSolicitada {
        codigo: String,
        monto: i64,
        correlation_id: String,
    },
    /// That ticket's price refunded from the payment (a partial refund).
    EntradaReembolsada {
        codigo: String,
        pago_id: String,
        monto: i64,
    },
    /// That ticket's seat back on sale (one seat of its zone).
    EntradaDevuelta {
        codigo: String,
        zona: Option<String>,
    },
    /// Both settled: the ticket's cancellation is complete.
    EntradaCancelada {
        codigo: String,
    },
    /// A ticket handed to someone else: `anterior` annulled, `nueva` issued to them.
    EntradaTransferida {
        anterior: String,
        nueva: String,
        titular: String,
        correlation_id: String,
    },
}

/// The kind of an audit-trail entry: what recovery and the cancellation look for in a
/// log, by variant rather than by a string that could drift from [`Suceso`]'s names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TipoSuceso {
    ReservaIniciada,
    LockAdquirido,
    InventarioRetenido,
    InventarioConfirmado,
    InventarioDevuelto,
    PagoAprobado,
    PagoRechazado,
    PagoReembolsado,
    HistorialActualizado,
    ReservaConfirmada,
    ResultadoIncierto,
    CompensacionEjecutada,
    CompensacionFallida,
    PasoFallido,
    ReservaFallida,
    RecuperacionIniciada,
    CancelacionSolicitada,
    ReservaCancelada,
    CancelacionEntradaSolicitada,
    EntradaReembolsada,
    EntradaDevuelta,
    EntradaCancelada,
    EntradaTransferida,
}

impl TipoSuceso {
    /// The stored `tipo`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReservaIniciada => "ReservaIniciada",
            Self::LockAdquirido => "LockAdquirido",
            Self::InventarioRetenido => "InventarioRetenido",
            Self::InventarioConfirmado => "InventarioConfirmado",
            Self::InventarioDevuelto => "InventarioDevuelto",
            Self::PagoAprobado => "PagoAprobado",
            Self::PagoRechazado => "PagoRechazado",
            Self::PagoReembolsado => "PagoReembolsado",
            Self::HistorialActualizado => "HistorialActualizado",
            Self::ReservaConfirmada => "ReservaConfirmada",
            Self::ResultadoIncierto => "ResultadoIncierto",
            Self::CompensacionEjecutada => "CompensacionEjecutada",
            Self::CompensacionFallida => "CompensacionFallida",
            Self::PasoFallido => "PasoFallido",
            Self::ReservaFallida => "ReservaFallida",
            Self::RecuperacionIniciada => "RecuperacionIniciada",
            Self::CancelacionSolicitada => "CancelacionSolicitada",
            Self::ReservaCancelada => "ReservaCancelada",
            Self::CancelacionEntradaSolicitada => "CancelacionEntradaSolicitada",
            Self::EntradaReembolsada => "EntradaReembolsada",
            Self::EntradaDevuelta => "EntradaDevuelta",
            Self::EntradaCancelada => "EntradaCancelada",
            Self::EntradaTransferida => "EntradaTransferida",
        }
    }
}

impl Suceso {
    /// Its kind.
    pub fn tipo(&self) -> TipoSuceso {
        match self {
            Self::ReservaIniciada { .. } => TipoSuceso::ReservaIniciada,
            Self::LockAdquirido { .. } => TipoSuceso::LockAdquirido,
            Self::InventarioRetenido { .. } => TipoSuceso::InventarioRetenido,
            Self::InventarioConfirmado { .. } => TipoSuceso::InventarioConfirmado,
            Self::InventarioDevuelto { .. } => TipoSuceso::InventarioDevuelto,
            Self::PagoAprobado { .. } => TipoSuceso::PagoAprobado,
            Self::PagoRechazado { .. } => TipoSuceso::PagoRechazado,
            Self::PagoReembolsado { .. } => TipoSuceso::PagoReembolsado,
            Self::HistorialActualizado { .. } => TipoSuceso::HistorialActualizado,
            Self::ReservaConfirmada { .. } => TipoSuceso::ReservaConfirmada,
            Self::ResultadoIncierto { .. } => TipoSuceso::ResultadoIncierto,
            Self::CompensacionEjecutada { .. } => TipoSuceso::CompensacionEjecutada,
            Self::CompensacionFallida { .. } => TipoSuceso::CompensacionFallida,
            Self::PasoFallido { .. } => TipoSuceso::PasoFallido,
            Self::ReservaFallida { .. } => TipoSuceso::ReservaFallida,
            Self::RecuperacionIniciada { .. } => TipoSuceso::RecuperacionIniciada,
            Self::CancelacionSolicitada { .. } => TipoSuceso::CancelacionSolicitada,
            Self::ReservaCancelada { .. } => TipoSuceso::ReservaCancelada,
            Self::CancelacionEntradaSolicitada { .. } => TipoSuceso::CancelacionEntradaSolicitada,
            Self::EntradaReembolsada { .. } => TipoSuceso::EntradaReembolsada,
            Self::EntradaDevuelta { .. } => TipoSuceso::EntradaDevuelta,
            Self::EntradaCancelada { .. } => TipoSuceso::EntradaCancelada,
            Self::EntradaTransferida { .. } => TipoSuceso::EntradaTransferida,
        }
    }

    /// The stored `(tipo, datos)`.
    pub fn partes(&self) -> (String, Value) {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => {
                let tipo = match m.remove("tipo") {
                    Some(Value::String(t)) => t,
                    _ => String::new(),
                };
                (
                    tipo,
                    m.remove("datos")
                        .unwrap_or(Value::Object(Default::default())),
                )
            }
            // Adjacently tagged structs of strings and numbers are always objects.
            _ => (String::new(), Value::Null),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn el_tipo_es_el_nombre_guardado() {
        for s in [
            Suceso::ReservaCancelada {},
            Suceso::InventarioConfirmado {
                zona: None,
                cantidad: 1,
            },
            Suceso::HistorialActualizado {
                usuario_id: "u".into(),
            },
            Suceso::CancelacionSolicitada {
                correlation_id: "c".into(),
            },
            Suceso::PagoReembolsado {
                pago_id: "p".into(),
                monto: 1,
            },
            Suceso::InventarioDevuelto {
                zona: None,
                cantidad: 1,
            },
            Suceso::EntradaReembolsada {
                codigo: "c".into(),
                pago_id: "p".into(),
                monto: 1,
            },
            Suceso::EntradaDevuelta {
                codigo: "c".into(),
                zona: None,
            },
            Suceso::EntradaCancelada { codigo: "c".into() },
            Suceso::CancelacionEntradaSolicitada {
                codigo: "c".into(),
                monto: 1,
                correlation_id: "x".into(),
            },
            Suceso::EntradaTransferida {
                anterior: "a".into(),
                nueva: "n".into(),
                titular: "t".into(),
                correlation_id: "x".into(),
            },
        ] {
            assert_eq!(s.partes().0, s.tipo().as_str());
        }
    }

    #[test]
    fn tipo_y_datos_como_se_guardan() {
        assert_eq!(
            Suceso::InventarioRetenido {
                zona: "VIP".into(),
                cantidad: 2
            }
            .partes(),
            (
                "InventarioRetenido".into(),
                json!({"zona": "VIP", "cantidad": 2})
            )
        );
        assert_eq!(
            Suceso::ReservaCancelada {}.partes(),
            ("ReservaCancelada".into(), json!({}))
        );
        assert_eq!(
            Suceso::PagoAprobado {
                pago_id: "pay_1".into(),
                monto: 100,
                ultimos4: None,
                recuperado: Some(true)
            }
            .partes(),
            (
                "PagoAprobado".into(),
                json!({"pago_id": "pay_1", "monto": 100, "recuperado": true})
            )
        );
    }
}
