//! The cuadre of one event: its sales (eventos), reservations and payments squared
//! against each other, and the report (`eventflow_shared::cuadre::Informe`). Every sale ⇔
//! a CONFIRMADA reservation, counting tickets (those cancelled one by one are neither
//! sold nor confirmed, and each was refunded its price once); every APROBADO payment ⇔
//! a CONFIRMADA reservation; every
//! REEMBOLSADO payment ⇔ a FALLIDA or CANCELADA one. What the normal idempotent steps can
//! mend is mended (return a sale, refund a charge, release a hold); the rest is reported.
//!
//! It runs on demand (`GET /internal/conciliacion/{evento_id}`, the public name kept) and
//! over every event from the background job `tareas::barrido`.

use eventflow_shared::cuadre::{Discrepancia, Informe};
use eventflow_shared::ids::EventoId;
use eventflow_shared::ApiError;

use crate::domain::{entradas, Estado, EstadoEntrada, MotivoAnulacion, Reserva};
use crate::puertos::dependencia;
use crate::saga::Deps;
use crate::store::EstadoPago;

/// Squares one event now, repairing what it can, and reports.
pub async fn cuadrar(deps: &Deps, evento_id: &EventoId) -> Result<Informe, ApiError> {
    let corr = format!("cuadre-{}", uuid::Uuid::new_v4().simple());
    let inicio = eventflow_shared::now();
    // The sales first: every sale read here belongs to a reservation stored before it
    // (a reservation is written before its hold), so the list read next has them all.
    let inv = deps
        .eventos
        .inventario(evento_id, &corr)
        .await
        .map_err(|e| dependencia(e, "El evento"))?;
    let reservas = deps.reservas.por_evento(evento_id).await?;
    let mut informe = Informe {
        evento_id: evento_id.to_string(),
        revisado_en: inicio,
        vendidas: inv.ventas.values().map(|n| u64::from(*n)).sum(),
        confirmadas: 0,
        reservas: Default::default(),
        pagos: Default::default(),
        en_curso: 0,
        discrepancias: Vec::new(),
        pendientes: 0,
    };
    let mut vistas = std::collections::HashSet::new();
    for r in &reservas {
        vistas.insert(r.id.as_str());
        *informe.reservas.entry(estado(r.estado).into()).or_default() += 1;
        if r.estado == Estado::Confirmada {
            // Tickets, not reservations: one of 3 cancelled alone leaves 2 sold.
            informe.confirmadas += vigentes(r) as u64;
        }
        // Running, changed after the sales were read, or with a ticket cancelled alone
        // whose seat and refund are still settling: not judged this time.
        if !r.estado.terminal() || r.actualizada_en >= inicio || !r.anulaciones.is_empty() {
            informe.en_curso += 1;
            continue;
        }
        let pago = deps.pasarela.consultar(&r.id).await?.map(|p| p.estado);
        if let Some(p) = pago {
            *informe.pagos.entry(estado_pago(p).into()).or_default() += 1;
        }
        revisar(deps, r, &inv, pago, &corr, &mut informe).await;
    }
    // Sales and holds whose reservation does not exist at all.
    let viejo = inicio - chrono::Duration::from_std(deps.lock_ttl).unwrap_or_default();
    for (rid, n) in &inv.ventas {
        if !vistas.contains(rid.as_str()) {
            let reparada = deps.eventos.devolver(evento_id, rid, &corr).await.is_ok();
            anotar(
                &mut informe,
                "venta-sin-reserva-confirmada",
                rid,
                format!(
                    "eventos tiene vendidas {} de una reserva que no existe",
                    entradas(*n)
                ),
                reparada,
            );
        }
    }
    for (rid, h) in &inv.retenciones {
        if !vistas.contains(rid.as_str()) && h.creada_en < viejo {
            let reparada = deps.eventos.liberar(evento_id, rid, &corr).await.is_ok();
            anotar(
                &mut informe,
                "retencion-huerfana",
                rid,
                format!("una retención de {} sin reserva", entradas(h.cantidad)),
                reparada,
            );
        }
    }
    deps.metricas.cuadre(
        evento_id,
        informe.pendientes,
        informe.discrepancias.len() as u64 - informe.pendientes,
    );
    if informe.pendientes > 0 {
        tracing::warn!(
            %evento_id,
            pendientes = informe.pendientes,
            "cuadre found discrepancies it could not repair"
        );
    }
    Ok(informe)
}

/// Judges one terminal reservation against its sale, its hold and its payment.
async fn revisar(
    deps: &Deps,
    r: &Reserva,
    inv: &crate::puertos::Inventario,
    pago: Option<EstadoPago>,
    corr: &str,
    informe: &mut Informe,
) {
    let vendida = inv.ventas.get(&r.id).copied();
    let ev = &r.evento_id;
    match r.estado {
        Estado::Confirmada => {
            match vendida {
                None => anotar(
                    informe,
                    "confirmada-sin-venta",
                    &r.id,
                    "la reserva está CONFIRMADA pero eventos no tiene su venta".into(),
                    false,
                ),
                Some(n) if n as usize != vigentes(r) => anotar(
                    informe,
                    "venta-distinta",
                    &r.id,
                    format!(
                        "eventos tiene vendidas {} de una reserva con {} vigentes",
                        entradas(n),
                        vigentes(r)
                    ),
                    false,
                ),
                Some(_) => {}
            }
            // Tickets cancelled alone: each refunded its price, exactly once.
            let canceladas = r
                .entradas
                .iter()
                .filter(|e| {
                    e.estado == EstadoEntrada::Anulada
                        && e.motivo == Some(MotivoAnulacion::Cancelada)
                })
                .count() as i64;
            if canceladas > 0 {
                let esperado = canceladas * r.precio_unitario.unwrap_or(0);
                match deps.pasarela.reembolsos_parciales(&r.id).await {
                    Ok(v) if v.iter().map(|(_, m)| m).sum::<i64>() != esperado => anotar(
                        informe,
                        "reembolso-distinto",
                        &r.id,
                        format!(
                            "{} canceladas una a una deben {esperado} reembolsados; el pago registra {}",
                            entradas(canceladas as u32),
                            v.iter().map(|(_, m)| m).sum::<i64>()
                        ),
                        false,
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(reserva_id = %r.id, error = %e, "cuadre could not read the partial refunds"),
                }
            }
            match pago {
                Some(EstadoPago::Aprobado) => {}
                Some(EstadoPago::Reembolsado) => anotar(
                    informe,
                    "confirmada-reembolsada",
                    &r.id,
                    "la reserva está CONFIRMADA pero su pago fue reembolsado".into(),
                    false,
                ),
                _ => anotar(
                    informe,
                    "confirmada-sin-pago",
                    &r.id,
                    "la reserva está CONFIRMADA sin un pago aprobado".into(),
                    false,
                ),
            }
        }
        _ => {
            let cual = estado(r.estado);
            if let Some(n) = vendida {
                let reparada = deps.eventos.devolver(ev, &r.id, corr).await.is_ok();
                anotar(
                    informe,
                    "venta-sin-reserva-confirmada",
                    &r.id,
                    format!(
                        "eventos tiene vendidas {} de una reserva {cual}",
                        entradas(n)
                    ),
                    reparada,
                );
            }
            if pago == Some(EstadoPago::Aprobado) {
                let reparada = deps.pasarela.reembolsar(&r.id).await.is_ok();
                anotar(
                    informe,
                    "pago-sin-reserva-confirmada",
                    &r.id,
                    format!("un pago APROBADO de una reserva {cual}"),
                    reparada,
                );
            }
            if let Some(h) = inv.retenciones.get(&r.id) {
                let reparada = deps.eventos.liberar(ev, &r.id, corr).await.is_ok();
                anotar(
                    informe,
                    "retencion-huerfana",
                    &r.id,
                    format!(
                        "una retención de {} de una reserva {cual}",
                        entradas(h.cantidad)
                    ),
                    reparada,
                );
            }
        }
    }
}

/// The tickets a reservation still sells: VALIDA or USADA (its `cantidad` for one from
/// before tickets existed).
fn vigentes(r: &Reserva) -> usize {
    if r.entradas.is_empty() {
        r.cantidad as usize
    } else {
        r.entradas_vigentes()
    }
}

fn anotar(informe: &mut Informe, tipo: &str, rid: &str, detalle: String, reparada: bool) {
    tracing::warn!(reserva_id = rid, tipo, reparada, "cuadre: {detalle}");
    if !reparada {
        informe.pendientes += 1;
    }
    informe.discrepancias.push(Discrepancia {
        tipo: tipo.into(),
        reserva_id: rid.into(),
        detalle,
        reparada,
    });
}

fn estado(e: Estado) -> &'static str {
    match e {
        Estado::EnCurso => "EN_CURSO",
        Estado::Confirmada => "CONFIRMADA",
        Estado::Fallida => "FALLIDA",
        Estado::Cancelando => "CANCELANDO",
        Estado::Cancelada => "CANCELADA",
    }
}

fn estado_pago(e: EstadoPago) -> &'static str {
    match e {
        EstadoPago::Aprobado => "APROBADO",
        EstadoPago::Rechazado => "RECHAZADO",
        EstadoPago::Reembolsado => "REEMBOLSADO",
    }
}
