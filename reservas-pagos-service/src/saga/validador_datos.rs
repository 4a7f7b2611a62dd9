//! ValidadorDatos: checks the request's shape, that the buyer and the event exist, that
//! the event is on sale and has the zone. No side effects, so nothing to compensate.

use async_trait::async_trait;
use chrono::Utc;
use eventflow_shared::ids::{EventoId, UsuarioId};
use eventflow_shared::{ApiError, FieldError};

use super::{Contexto, Deps, Fallo, Handler};
use crate::domain::tarjeta;
use crate::domain::Suceso;
use crate::puertos::{dependencia, Comprador, EventoRef};
use eventflow_shared::email::Email;

pub struct ValidadorDatos;

#[async_trait]
impl Handler for ValidadorDatos {
    fn nombre(&self) -> &'static str {
        "ValidadorDatos"
    }

    fn persiste(&self) -> bool {
        false
    }

    async fn ejecutar(&self, ctx: &mut Contexto, deps: &Deps) -> Result<(), Fallo> {
        let s = ctx
            .solicitud
            .clone()
            .ok_or_else(|| ApiError::internal("ValidadorDatos without a request"))?;
        let mut errors = Vec::new();
        let comprador = match (&s.usuario_id, &s.email) {
            (Some(id), _) if uuid::Uuid::parse_str(id).is_ok() => Some(id.clone()),
            (Some(_), _) => {
                errors.push(FieldError::new("usuario_id", "debe ser un UUID"));
                None
            }
            // The same normalisation usuarios stores (NFKC, lower case, IDNA), so a buyer
            // typed with a fullwidth letter or an upper-case domain is found. A `/` would
            // change the lookup's path.
            (None, Some(email)) => match Email::parse(email) {
                Ok(e) if !e.as_str().contains('/') => Some(e.as_str().to_owned()),
                Ok(_) => {
                    errors.push(FieldError::new("email", "no es un email válido"));
                    None
                }
                Err(mensaje) => {
                    errors.push(FieldError::new("email", mensaje));
                    None
                }
            },
            (None, None) => {
                errors.push(FieldError::new("usuario_id", "indique usuario_id o email"));
                None
            }
        };
        let evento_id = EventoId::parse("evento_id", &s.evento_id)
            .map_err(|e| errors.extend(e.errors))
            .ok();
        let cantidad = s.cantidad.unwrap_or(1);
        if cantidad < 1 || cantidad > i64::from(deps.max_cantidad) {
            errors.push(FieldError::new(
                "cantidad",
                format!("debe estar entre 1 y {}", deps.max_cantidad),
            ));
        }
        let pago = s.pago.clone();
        let numero = pago
            .as_ref()
            .map_or(tarjeta::APROBADA, |p| p.numero_tarjeta.as_str());
        if pago.as_ref().is_some_and(|p| p.metodo != "tarjeta") {
            errors.push(FieldError::new(
                "pago.metodo",
                "el único método es 'tarjeta'",
            ));
        }
        match tarjeta::normalizar(numero) {
            Ok(n) => ctx.tarjeta = n,
            Err(m) => errors.push(FieldError::new("pago.numero_tarjeta", m)),
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors).into());
        }
        let comprador = comprador.expect("checked above");
        let evento_id = evento_id.expect("checked above");
        let corr = ctx.corr();
        // A signed-in buyer buying for their own id needs no lookup: the verified
        // session already says who they are and that they exist (users are never
        // deleted). Anyone else is looked up, together with the event.
        let buscar = async {
            match &ctx.sesion {
                Some(yo) if *yo == comprador => Ok(Comprador {
                    id: UsuarioId::confiable(yo),
                    tiene_password: true,
                }),
                _ => deps.usuarios.buscar(&comprador, &corr).await,
            }
        };
        let (usuario, evento) = tokio::join!(buscar, deps.eventos.obtener(&evento_id, &corr));
        let usuario = usuario.map_err(|e| dependencia(e, "El usuario"))?;
        if ctx.invitado.is_some() && usuario.tiene_password {
            // A guest naming an account that signs in: only its owner's session buys in
            // its name. Said before anything is held, charged or stored, and the answer
            // tells nothing of the account (no id, no count, no limit).
            return Err(ApiError::conflict(
                "inicia-sesion",
                "Esa cuenta tiene contraseña: inicia sesión para comprar con ella",
            )
            .into());
        }
        let usuario_id = usuario.id;
        if ctx.sesion.as_ref().is_some_and(|yo| usuario_id != *yo) {
            return Err(eventflow_shared::identidad::prohibido(
                "Con tu sesión solo puedes reservar para ti: quita usuario_id o email, o usa los tuyos",
            )
            .into());
        }
        let evento = evento.map_err(|e| dependencia(e, "El evento"))?;
        ctx.reserva.usuario_id = Some(usuario_id.clone());
        ctx.reserva.evento_id = evento_id.clone();
        if evento.fecha <= Utc::now() {
            return Err(ApiError::conflict(
                "evento-finalizado",
                "El evento ya ocurrió; no se venden entradas",
            )
            .into());
        }
        let zona = elegir_zona(&evento, s.zona.as_deref())?;
        ctx.max_por_comprador = evento.max_por_comprador;
        let cantidad = cantidad as u32;
        let total = zona
            .precio
            .checked_mul(i64::from(cantidad))
            .ok_or_else(|| ApiError::field("cantidad", "el total no cabe en un entero"))?;
        let r = &mut ctx.reserva;
        r.zona = Some(zona.nombre.clone());
        r.cantidad = cantidad;
        r.precio_unitario = Some(zona.precio);
        r.total = Some(total);
        r.registrar(Suceso::ReservaIniciada {
            usuario_id: usuario_id.to_string(),
            evento_id: evento_id.to_string(),
            zona: zona.nombre.clone(),
            cantidad,
            total,
        });
        Ok(())
    }

    async fn compensar(&self, _: &mut Contexto, _: &Deps) -> Result<Vec<String>, ApiError> {
        Ok(Vec::new())
    }
}

/// The requested zone (case-insensitive); without one, the only zone or `General`.
fn elegir_zona<'a>(
    e: &'a EventoRef,
    pedida: Option<&str>,
) -> Result<&'a crate::puertos::ZonaRef, ApiError> {
    let nombres = || {
        e.zonas
            .iter()
            .map(|z| z.nombre.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match pedida {
        Some(p) => e
            .zonas
            .iter()
            .find(|z| {
                z.nombre.eq_ignore_ascii_case(p.trim())
                    || z.nombre.to_lowercase() == p.trim().to_lowercase()
            })
            .ok_or_else(|| {
                ApiError::field(
                    "zona",
                    &format!("el evento no tiene la zona '{p}' (zonas: {})", nombres()),
                )
            }),
        None if e.zonas.len() == 1 => Ok(&e.zonas[0]),
        None => e
            .zonas
            .iter()
            .find(|z| z.nombre == "General")
            .ok_or_else(|| {
                ApiError::field("zona", &format!("indique la zona (zonas: {})", nombres()))
            }),
    }
}
