//! ValidadorInventario: takes the buyer's checkout lock (`SET NX PX`) and places the
//! inventory hold in eventos. Compensation undoes whatever inventory the reservation has
//! (its hold, or the sale a lost confirmation made of it) and deletes the lock only while
//! it still holds this reservation's id (Lua compare-and-delete).
//!
//! A hold whose answer never came is asked again (the call is idempotent). If it is still
//! unknown, the step fails *with the hold marked uncertain*: no money has moved yet, and
//! the compensation, which undoes exactly what eventos has, resolves it.

use async_trait::async_trait;
use eventflow_shared::ApiError;

use super::escritura::{persistir, NoEscrita};
use super::{Contexto, Deps, EstadoRetencion, Fallo, Handler, VENTANA_REPETIDA};
use crate::domain::Suceso;
use crate::domain::{entradas, Estado, Progreso};
use crate::puertos::dependencia;
use crate::puertos::{hasta_saber, hasta_saber_con_dudas, ClientError, Liberacion, Retencion};

pub struct ValidadorInventario;

fn redis_down(e: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %e, "redis unavailable");
    ApiError::unavailable("redis", "El servicio de bloqueos no responde")
}

/// Inside the buyer's checkout lock, so no other checkout of theirs for this event runs
/// meanwhile: a double submission sent without a key (identical to a reservation of the
/// last [`VENTANA_REPETIDA`]) is answered with that reservation, and the event's
/// tickets-per-buyer limit counts every live reservation they have.
async fn comprobar_limites(ctx: &mut Contexto, deps: &Deps) -> Result<(), Fallo> {
    let usuario = ctx.reserva.comprador()?;
    let previas = deps
        .reservas
        .del_comprador(&usuario, &ctx.reserva.evento_id)
        .await?;
    let vivas = || {
        previas
            .iter()
            .filter(|r| matches!(r.estado, Estado::EnCurso | Estado::Confirmada))
    };
    if !ctx.con_clave {
        let desde = eventflow_shared::now()
            - chrono::Duration::from_std(VENTANA_REPETIDA).unwrap_or_default();
        // Only the same sender's: the same buyer's session, or a guest with the same
        // client and body. A stranger repeating someone's order gets no reservation of
        // theirs back (and, if it is allowed at all, buys anew).
        let origen = ctx.reserva.origen.as_deref();
        let igual = vivas()
            .filter(|r| {
                r.zona == ctx.reserva.zona
                    && r.cantidad == ctx.reserva.cantidad
                    && r.creada_en >= desde
                    && origen.is_some()
                    && r.origen.as_deref() == origen
            })
            .max_by_key(|r| r.creada_en);
        if let Some(r) = igual {
            ctx.repetida = Some(r.clone());
            return Err(ApiError::conflict(
                "solicitud-repetida",
                "Esta compra ya se hizo hace un momento; para comprar otra vez, envíe una Idempotency-Key nueva",
            )
            .into());
        }
    }
    let tiene: u32 = vivas().map(|r| r.cantidad).sum();
    let max = ctx.max_por_comprador;
    if tiene + ctx.reserva.cantidad > max {
        if ctx.invitado.is_some() {
            // A guest may be anyone who knows the email: the limit, never the count.
            return Err(ApiError::conflict(
                "limite-por-comprador",
                format!(
                    "Con esta compra se supera el máximo de {} por comprador para este evento",
                    entradas(max)
                ),
            )
            .with("maximo", max)
            .into());
        }
        let detalle = if tiene == 0 {
            format!(
                "Puedes comprar como máximo {} para este evento",
                entradas(max)
            )
        } else {
            format!(
                "Puedes comprar como máximo {} para este evento y ya tienes {}",
                entradas(max),
                entradas(tiene)
            )
        };
        return Err(ApiError::conflict("limite-por-comprador", detalle)
            .with("maximo", max)
            .with("ya_tienes", tiene)
            .into());
    }
    Ok(())
}

#[async_trait]
impl Handler for ValidadorInventario {
    fn nombre(&self) -> &'static str {
        "ValidadorInventario"
    }

    /// It writes the reservation itself, before the hold. The hold's success needs no
    /// write of its own: recovery releases a possible hold of any unpaid reservation,
    /// and the terminal write records it.
    fn persiste(&self) -> bool {
        false
    }

    async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<(), Fallo> {
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
            )
            .into());
        }
        ctx.lock_tomado = true;
        ctx.reserva.registrar(Suceso::LockAdquirido {
            clave: key.clone(),
            ttl_ms: deps.lock_ttl.as_millis() as u64,
        });
        comprobar_limites(ctx, deps).await?;
        // Stored before the hold, so that from here on a crash leaves a record recovery
        // finds: a hold is never orphaned. (A checkout refused at the lock is not stored.)
        persistir(ctx, deps).await.map_err(|e| match e {
            NoEscrita::Incierta(e) => ApiError::from(e),
            NoEscrita::Ajena => ApiError::conflict("reserva-modificada", "La reserva ya existe"),
        })?;

        let (evento, zona, cantidad) = (
            ctx.reserva.evento_id.clone(),
            ctx.reserva.zona.clone().unwrap_or_default(),
            ctx.reserva.cantidad,
        );
        let corr = ctx.corr();
        let (res, dudas) =
            hasta_saber_con_dudas(|| deps.eventos.retener(&evento, &rid, &zona, cantidad, &corr))
                .await;
        let agotada = |disponibles: u64, retenidas: u64| -> Fallo {
            ApiError::conflict(
                "agotado",
                eventflow_shared::texto::sin_entradas_suficientes(
                    &zona,
                    disponibles,
                    u64::from(cantidad),
                ),
            )
            .with("disponibles", disponibles)
            .with("retenidas", retenidas)
            .into()
        };
        match res {
            Ok(Retencion::Retenida | Retencion::YaRetenida | Retencion::YaVendida) => {
                ctx.retencion = EstadoRetencion::Hecha;
                ctx.reserva.progreso = Progreso::Retenida;
                ctx.reserva.registrar(Suceso::InventarioRetenido {
                    zona: zona.clone(),
                    cantidad,
                });
                Ok(())
            }
            Ok(refusal) => {
                // An earlier try that timed out may have held even if this one did not.
                if dudas {
                    ctx.retencion = EstadoRetencion::Incierta;
                }
                Err(match refusal {
                    Retencion::Agotada {
                        disponibles,
                        retenidas,
                    } => agotada(disponibles, retenidas),
                    // The answer came after we stopped waiting; eventos kept nothing.
                    _ => ApiError::unavailable(
                        "eventos",
                        "eventos no respondió a tiempo; no se retuvo nada",
                    )
                    .into(),
                })
            }
            Err(e) => {
                if dudas || e.is_unknown() {
                    ctx.retencion = EstadoRetencion::Incierta;
                }
                Err(dependencia(e, "El evento").into())
            }
        }
    }

    async fn compensar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<Vec<String>, ApiError> {
        let mut hechas = Vec::new();
        // Vendida too: ConfirmadorReserva normally returns the sale first, but if it
        // could not, the hold compensation still undoes whatever eventos has.
        if ctx.retencion != EstadoRetencion::Ninguna {
            let (evento, rid, corr) = (
                ctx.reserva.evento_id.clone(),
                ctx.reserva.id.clone(),
                ctx.corr(),
            );
            let n = ctx.reserva.cantidad;
            match hasta_saber(|| deps.eventos.liberar(&evento, &rid, &corr)).await {
                Ok(Liberacion::Liberada) => {
                    hechas.push(format!("retención de {} liberada", entradas(n)))
                }
                // The hold had become a sale behind our back (its answer was lost).
                Ok(Liberacion::Devuelta) => {
                    ctx.reserva.registrar(Suceso::InventarioDevuelto {
                        zona: ctx.reserva.zona.clone(),
                        cantidad: n,
                    });
                    hechas.push(format!("{} de vuelta a la venta", entradas(n)))
                }
                Ok(_) | Err(ClientError::NotFound) => {}
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
