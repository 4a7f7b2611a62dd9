//! ValidadorInventario: takes the buyer's checkout lock (`SET NX PX`) and places the
//! inventory hold in eventos. Compensation releases the hold and deletes the lock only
//! while it still holds this reservation's id (Lua compare-and-delete).

use async_trait::async_trait;
use eventflow_shared::ApiError;
use serde_json::json;

use super::validador_datos::dependencia;
use super::{Contexto, Deps, EstadoRetencion, Handler};
use crate::clients::ClientError;
use crate::domain::{entradas, Progreso};

pub struct ValidadorInventario;

fn redis_down(e: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %e, "redis unavailable");
    ApiError::unavailable("redis", "El servicio de bloqueos no responde")
}

#[async_trait]
impl Handler for ValidadorInventario {
    fn nombre(&self) -> &'static str {
        "ValidadorInventario"
    }

    async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<(), ApiError> {
        let key = ctx.lock_key();
        let rid = ctx.reserva.id.clone();
        if !deps
            .lock
            .acquire(&key, &rid, deps.lock_ttl)
            .await
            .map_err(redis_down)?
        {
            return Err(ApiError::conflict(
                "compra-en-curso",
                "Ya tienes una compra en curso para este evento; espera a que termine",
            ));
        }
        ctx.lock_tomado = true;
        ctx.reserva.registrar(
            "LockAdquirido",
            json!({ "clave": key, "ttl_ms": deps.lock_ttl.as_millis() as u64 }),
        );

        let (evento, zona, cantidad) = (
            ctx.reserva.evento_id.clone(),
            ctx.reserva.zona.clone().unwrap_or_default(),
            ctx.reserva.cantidad,
        );
        match deps
            .eventos
            .retener(&evento, &rid, &zona, cantidad, &ctx.corr())
            .await
        {
            Ok(_) => {
                ctx.retencion = EstadoRetencion::Hecha;
                ctx.reserva.progreso = Progreso::Retenida;
                ctx.reserva.registrar(
                    "InventarioRetenido",
                    json!({ "zona": zona, "cantidad": cantidad }),
                );
                Ok(())
            }
            Err(e) => {
                // Only an outage leaves us unsure whether the hold happened.
                if matches!(e, ClientError::NoDisponible { .. }) {
                    ctx.retencion = EstadoRetencion::Incierta;
                }
                if let ClientError::Rechazo { tipo, cuerpo, .. } = &e {
                    if tipo == "agotado" {
                        return Err(ApiError::conflict(
                            "agotado",
                            format!("No quedan {} en la zona {zona}", entradas(cantidad)),
                        )
                        .with("disponibles", cuerpo["disponibles"].clone())
                        .with("retenidas", cuerpo["retenidas"].clone()));
                    }
                }
                Err(dependencia(e, "El evento"))
            }
        }
    }

    async fn compensar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<Vec<String>, ApiError> {
        let mut hechas = Vec::new();
        if matches!(
            ctx.retencion,
            EstadoRetencion::Hecha | EstadoRetencion::Incierta
        ) {
            let r = &ctx.reserva;
            match deps.eventos.liberar(&r.evento_id, &r.id, &ctx.corr()).await {
                Ok(res) if res == "liberada" => {
                    hechas.push(format!("retención de {} liberada", entradas(r.cantidad)))
                }
                Ok(_) | Err(ClientError::NoEncontrado) => {}
                Err(e) => return Err(dependencia(e, "El evento")),
            }
            ctx.retencion = EstadoRetencion::Ninguna;
        }
        if ctx.lock_tomado {
            if deps
                .lock
                .release(&ctx.lock_key(), &ctx.reserva.id)
                .await
                .map_err(redis_down)?
            {
                hechas.push("bloqueo de compra liberado".into());
            }
            ctx.lock_tomado = false;
        }
        Ok(hechas)
    }
}
