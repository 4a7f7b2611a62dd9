//! The chain on in-process fakes of its ports: each path (confirmed, declined, sold out,
//! an unknown confirmation) and what each port was asked, with no network or backend.
//! The HTTP and real-backend tests (`tests/`) cover the same paths end to end.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use eventflow_shared::bus::Mensaje;
use eventflow_shared::ids::{EventoId, ReservaId, UsuarioId};
use eventflow_shared::lock::MemoryLock;

use super::{Cadena, Contexto, Deps, Fin};
use crate::domain::{Estado, PagoSolicitud, Reserva, SolicitudReserva};
use crate::pagos::PasarelaSimulada;
use crate::puertos::{Buyers, Inventory};
use crate::puertos::{
    ClientError, Comprador, Confirmacion, EventoRef, Inventario, Liberacion, Retencion, ZonaRef,
};
use crate::store::EstadoPago;
use crate::store::MemoryStore;

const COMPRADOR: &str = "0b7e2a1c-93d4-4c55-8f0e-6a1d2b3c4d5e";

/// What the fakes were asked, in order.
type Llamadas = Arc<Mutex<Vec<String>>>;

struct Compradores(Llamadas);

#[async_trait]
impl Buyers for Compradores {
    async fn buscar(&self, id: &str, _: &str) -> Result<Comprador, ClientError> {
        self.0.lock().unwrap().push(format!("buscar {id}"));
        Ok(Comprador {
            id: UsuarioId::confiable(id),
            tiene_password: false,
        })
    }
    async fn quitar_compra(
        &self,
        _: &UsuarioId,
        rid: &ReservaId,
        _: &str,
    ) -> Result<(), ClientError> {
        self.0.lock().unwrap().push(format!("quitar {rid}"));
        Ok(())
    }
}

/// One event `e1`, zone `General` at 50.00, with `agotado` or an unknown confirmation
/// when asked to.
struct Inventario1 {
    llamadas: Llamadas,
    agotado: bool,
    confirmacion_incierta: bool,
}

#[async_trait]
impl Inventory for Inventario1 {
    async fn obtener(&self, id: &EventoId, _: &str) -> Result<EventoRef, ClientError> {
        Ok(EventoRef {
            nombre: None,
            lugar: None,
            zona_horaria: None,
            id: id.to_string(),
            fecha: Utc::now() + chrono::Duration::days(30),
            zonas: vec![ZonaRef {
                nombre: "General".into(),
                precio: 5000,
            }],
            max_por_comprador: 10,
            organizador_id: None,
        })
    }
    async fn retener(
        &self,
        _: &EventoId,
        _: &ReservaId,
        _: &str,
        cantidad: u32,
        _: &str,
    ) -> Result<Retencion, ClientError> {
        self.llamadas
            .lock()
            .unwrap()
            .push(format!("retener {cantidad}"));
        if self.agotado {
            return Ok(Retencion::Agotada {
                disponibles: 0,
                retenidas: 0,
            });
        }
        Ok(Retencion::Retenida)
    }
    async fn confirmar(
        &self,
        _: &EventoId,
        _: &ReservaId,
        _: &str,
        _: u32,
        _: &str,
    ) -> Result<Confirmacion, ClientError> {
        self.llamadas.lock().unwrap().push("confirmar".into());
        if self.confirmacion_incierta {
            return Err(ClientError::Unknown {
                dependencia: "eventos",
                detalle: "sin respuesta".into(),
                respuesta: None,
            });
        }
        Ok(Confirmacion::Confirmada)
    }
    async fn devolver_una(
        &self,
        _: &EventoId,
        _: &ReservaId,
        _: &str,
        _: &str,
    ) -> Result<Liberacion, ClientError> {
        self.llamadas.lock().unwrap().push("devolver_una".into());
        Ok(Liberacion::Devuelta)
    }
    async fn transferencias_permitidas(&self, _: &EventoId, _: &str) -> Result<bool, ClientError> {
        Ok(true)
    }
    async fn liberar(
        &self,
        _: &EventoId,
        _: &ReservaId,
        _: &str,
    ) -> Result<Liberacion, ClientError> {
        self.llamadas.lock().unwrap().push("liberar".into());
        Ok(Liberacion::Liberada)
    }
    async fn devolver(
        &self,
        _: &EventoId,
        _: &ReservaId,
        _: &str,
    ) -> Result<Liberacion, ClientError> {
        self.llamadas.lock().unwrap().push("devolver".into());
        Ok(Liberacion::Devuelta)
    }
    async fn inventario(&self, _: &EventoId, _: &str) -> Result<Inventario, ClientError> {
        Ok(Inventario::default())
    }
}

struct Mundo {
    deps: Deps,
    inventario: Llamadas,
    compradores: Llamadas,
}

fn mundo(agotado: bool, confirmacion_incierta: bool) -> Mundo {
    let (inventario, compradores) = (Llamadas::default(), Llamadas::default());
    let store = Arc::new(MemoryStore::default());
    let deps = Deps {
        usuarios: Arc::new(Compradores(compradores.clone())),
        eventos: Arc::new(Inventario1 {
            llamadas: inventario.clone(),
            agotado,
            confirmacion_incierta,
        }),
        lock: Arc::new(MemoryLock::default()),
        pasarela: Arc::new(PasarelaSimulada::new(
            store.clone(),
            Arc::new(crate::store::reembolsos::MemoryReembolsos::default()),
        )),
        reservas: store,
        metricas: Arc::default(),
        lock_ttl: Duration::from_secs(30),
        max_cantidad: 10,
        instancia: "prueba".into(),
        outbox: Arc::default(),
    };
    Mundo {
        deps,
        inventario,
        compradores,
    }
}

fn contexto(tarjeta: &str) -> Contexto {
    let reserva = Reserva::nueva(
        ReservaId::nuevo(),
        EventoId::confiable("e1"),
        0,
        "corr".into(),
    );
    Contexto {
        solicitud: Some(SolicitudReserva {
            usuario_id: Some(COMPRADOR.into()),
            email: None,
            evento_id: "e1".into(),
            zona: Some("General".into()),
            cantidad: Some(2),
            pago: Some(PagoSolicitud {
                metodo: "tarjeta".into(),
                numero_tarjeta: tarjeta.into(),
                titular: None,
            }),
        }),
        ..Contexto::de(reserva)
    }
}

fn llamadas(l: &Llamadas) -> Vec<String> {
    l.lock().unwrap().clone()
}

async fn sin_lock(m: &Mundo, ctx: &Contexto) {
    let libre = m
        .deps
        .lock
        .acquire(&ctx.lock_key(), "otro", Duration::from_secs(1))
        .await
        .unwrap();
    assert!(libre, "the checkout lock was released");
}

#[tokio::test]
async fn confirma_y_cada_puerto_hace_lo_suyo() {
    let m = mundo(false, false);
    let mut ctx = contexto("4242424242424242");
    let fin = Cadena::estandar().ejecutar(&mut ctx, &m.deps, 0).await;
    assert!(fin.is_ok(), "{fin:?}");
    assert_eq!(ctx.reserva.estado, Estado::Confirmada);
    assert_eq!(ctx.reserva.total, Some(10_000));
    assert_eq!(llamadas(&m.inventario), ["retener 2", "confirmar"]);
    assert_eq!(llamadas(&m.compradores), [format!("buscar {COMPRADOR}")]);
    // The history is usuarios' to write, from this message, stored with CONFIRMADA.
    let mensajes: Vec<_> = ctx
        .reserva
        .outbox
        .iter()
        .map(|p| p.envelope.mensaje().unwrap())
        .collect();
    match mensajes.as_slice() {
        [Mensaje::ReservaConfirmada(c)] => {
            assert_eq!(c.usuario_id.as_deref(), Some(COMPRADOR));
            assert_eq!(c.reserva_id, ctx.reserva.id);
        }
        otro => panic!("expected one ReservaConfirmada: {otro:?}"),
    }
    let pago = m.deps.pasarela.consultar(&ctx.reserva.id).await.unwrap();
    assert_eq!(
        pago.map(|p| (p.estado, p.monto)),
        Some((EstadoPago::Aprobado, 10_000))
    );
    sin_lock(&m, &ctx).await;
}

#[tokio::test]
async fn pago_rechazado_libera_la_retencion_y_no_toca_el_historial() {
    let m = mundo(false, false);
    let mut ctx = contexto("4000000000000002");
    match Cadena::estandar().ejecutar(&mut ctx, &m.deps, 0).await {
        Err(Fin::Fallida(e)) => assert_eq!(e.status.as_u16(), 402, "{e}"),
        otro => panic!("expected a 402: {otro:?}"),
    }
    assert_eq!(ctx.reserva.estado, Estado::Fallida);
    assert_eq!(llamadas(&m.inventario), ["retener 2", "liberar"]);
    assert_eq!(llamadas(&m.compradores), [format!("buscar {COMPRADOR}")]);
    sin_lock(&m, &ctx).await;
}

/// A signed-in buyer buying for themselves is not looked up: the session says who they
/// are. Naming anyone else (here, by email) still is.
#[tokio::test]
async fn con_sesion_propia_no_se_busca_al_comprador() {
    let m = mundo(false, false);
    let mut ctx = contexto("4242424242424242");
    ctx.sesion = Some(COMPRADOR.into());
    let fin = Cadena::estandar().ejecutar(&mut ctx, &m.deps, 0).await;
    assert!(fin.is_ok(), "{fin:?}");
    assert!(llamadas(&m.compradores).is_empty());

    let m = mundo(false, false);
    let mut ctx = contexto("4242424242424242");
    ctx.sesion = Some(COMPRADOR.into());
    let s = ctx.solicitud.as_mut().unwrap();
    (s.usuario_id, s.email) = (None, Some("otra@example.com".into()));
    match Cadena::estandar().ejecutar(&mut ctx, &m.deps, 0).await {
        Err(Fin::Fallida(e)) => assert_eq!(e.status.as_u16(), 403, "{e}"),
        otro => panic!("someone else's purchase is refused: {otro:?}"),
    }
    assert_eq!(llamadas(&m.compradores), ["buscar otra@example.com"]);
}

#[tokio::test]
async fn agotado_no_cobra() {
    let m = mundo(true, false);
    let mut ctx = contexto("4242424242424242");
    match Cadena::estandar().ejecutar(&mut ctx, &m.deps, 0).await {
        Err(Fin::Fallida(e)) => assert_eq!((e.status.as_u16(), e.kind), (409, "agotado")),
        otro => panic!("expected sold out: {otro:?}"),
    }
    assert!(m
        .deps
        .pasarela
        .consultar(&ctx.reserva.id)
        .await
        .unwrap()
        .is_none());
    assert!(!llamadas(&m.inventario).contains(&"confirmar".to_owned()));
    sin_lock(&m, &ctx).await;
}

#[tokio::test]
async fn una_confirmacion_incierta_no_se_compensa() {
    let m = mundo(false, true);
    let mut ctx = contexto("4242424242424242");
    let fin = Cadena::estandar().ejecutar(&mut ctx, &m.deps, 0).await;
    assert!(matches!(fin, Err(Fin::Pendiente)), "{fin:?}");
    assert_eq!(ctx.reserva.estado, Estado::EnCurso);
    let pedidas = llamadas(&m.inventario);
    assert!(
        pedidas.iter().filter(|l| *l == "confirmar").count() > 1,
        "asked again: {pedidas:?}"
    );
    assert!(
        !pedidas.contains(&"liberar".to_owned()),
        "nothing undone blind: {pedidas:?}"
    );
    let pago = m.deps.pasarela.consultar(&ctx.reserva.id).await.unwrap();
    assert_eq!(
        pago.map(|p| p.estado),
        Some(EstadoPago::Aprobado),
        "not refunded"
    );
}

/// A reservation begun by an earlier version wrote its buyer's history itself, so undoing
/// its confirmation takes that entry back. One begun now never asks usuarios: its
/// history entry only comes from a confirmation message, which was never let out.
#[tokio::test]
async fn deshacer_la_confirmacion_solo_quita_el_historial_escrito() {
    use super::confirmador_reserva::ConfirmadorReserva;
    use super::Handler;
    use crate::domain::Suceso;

    let m = mundo(false, false);
    let mut ctx = contexto("4242424242424242");
    ctx.reserva.usuario_id = Some(UsuarioId::confiable(COMPRADOR));
    let hechas = ConfirmadorReserva
        .compensar(&mut ctx, &m.deps)
        .await
        .unwrap();
    assert!(hechas.is_empty(), "{hechas:?}");
    assert!(llamadas(&m.compradores).is_empty());

    ctx.reserva.registrar(Suceso::HistorialActualizado {
        usuario_id: COMPRADOR.into(),
    });
    let hechas = ConfirmadorReserva
        .compensar(&mut ctx, &m.deps)
        .await
        .unwrap();
    assert_eq!(hechas, ["reserva quitada del historial de compras"]);
    assert_eq!(
        llamadas(&m.compradores),
        [format!("quitar {}", ctx.reserva.id)]
    );
}
