//! The all-in-one launcher: every EventFlow service in one process.
//!
//! Embedded backends by default (nothing to install; data lives in memory). With
//! `EVENTFLOW_BACKENDS=real` it uses MongoDB and Redis from `MONGODB_URI`/`REDIS_URL`.
//! It also serves the booking UI and proxies its `/api` calls on `UI_PORT` (see `ui.rs`).

mod ui;

use std::future::Future;
use std::pin::Pin;

use anyhow::Context;
use axum::Router;
use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::{self, BackendMode, Entorno, DEV_ADMIN_TOKEN};
use eventflow_shared::identidad::ProxiesConfiables;
use futures::FutureExt;
use tokio::net::TcpListener;

eventflow_shared::asignador!();

/// The booking UI's entry in the list of servers: it has no Swagger UI of its own.
const UI: &str = "booking UI";

type Shutdown = futures::future::Shared<Pin<Box<dyn Future<Output = ()> + Send>>>;

struct Servicio {
    nombre: &'static str,
    puerto_var: &'static str,
    puerto: u16,
    router: Router,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    eventflow_shared::telemetry::init();
    // Every variable the launcher and its services read goes through one reader, so a
    // start with several bad ones names them all, before anything connects or listens.
    let mut e = Entorno::del_proceso();
    let mode = BackendMode::desde(&mut e, BackendMode::Embedded);
    let bind = config::bind(&e);
    // Each server reads its connection limits and CORS origins when it starts serving,
    // after the banner: check them here with the rest.
    eventflow_shared::http::ConnectionLimits::desde(&mut e);
    eventflow_shared::http::origenes_cors(&mut e);
    ui::comprobar_entorno(&mut e);

    let puerto_usuarios = config::port(&mut e, "USUARIOS_PORT", 8001);
    let puerto_eventos = config::port(&mut e, "EVENTOS_PORT", 8002);
    let puerto_reservas = config::port(&mut e, "RESERVAS_PORT", 8003);
    let puerto_notificaciones = config::port(&mut e, "NOTIFICACIONES_PORT", 8004);
    let puerto_ui = config::port(&mut e, "UI_PORT", 8080);
    // The SAGA calls its peers over HTTP, in this process or not: point it at ours.
    let local = if bind == "0.0.0.0" {
        "127.0.0.1"
    } else {
        bind.as_str()
    };
    let mut reservas = reservas_pagos_service::Config::desde(&mut e, mode);
    reservas.usuarios_url = format!("http://{local}:{puerto_usuarios}");
    reservas.eventos_url = format!("http://{local}:{puerto_eventos}");
    let simular_fallos = reservas.simular_fallos;
    // One bus for everyone: on embedded backends an in-process queue that eventos and
    // reservas publish to and notificaciones consumes; on real ones, RabbitMQ.
    let bus = BusConfig::desde(&mut e, mode);
    reservas.bus = bus.clone();
    let mut eventos = eventos_service::Config::desde(&mut e, mode);
    eventos.bus = bus.clone();
    eventos.reservas_url = format!("http://{local}:{puerto_reservas}");
    eventos.usuarios_url = format!("http://{local}:{puerto_usuarios}");
    let mut usuarios = usuarios_service::Config::desde(&mut e, mode);
    usuarios.bus = bus.clone();
    usuarios.reservas_url = format!("http://{local}:{puerto_reservas}");
    // The UI proxy (ui.rs) calls the services from loopback and sets X-Forwarded-For to
    // the browser's address: trust it here, beside whatever the operator listed. A
    // standalone service trusts nobody unless told.
    let loopback = ProxiesConfiables::loopback();
    usuarios.proxies = usuarios.proxies.con(&loopback);
    reservas.proxies = reservas.proxies.con(&loopback);
    let mut notificaciones = notificaciones_service::Config::desde(&mut e, mode);
    notificaciones.bus = bus;
    // No mail relay here: print one-time codes on this console (unless told otherwise).
    if !e.definida("NOTIFICACIONES_CORREO_EN_LOG") {
        notificaciones.correo_en_log = true;
    }
    // ... codes included, but only in development: on real backends a code in the log
    // would sign someone in from it, so there only EVENTFLOW_MOSTRAR_CODIGOS=1 shows them.
    if mode == BackendMode::Embedded && !e.definida("EVENTFLOW_MOSTRAR_CODIGOS") {
        notificaciones.mostrar_codigos = true;
    }
    if let Err(err) = e.terminar() {
        config::entorno::salir("eventflow", &err);
    }
    notificaciones.identidad.usuarios_url = format!("http://{local}:{puerto_usuarios}");

    let servicios = vec![
        Servicio {
            nombre: "usuarios-service",
            puerto_var: "USUARIOS_PORT",
            puerto: puerto_usuarios,
            router: usuarios_service::build(usuarios).await?,
        },
        Servicio {
            nombre: "eventos-service",
            puerto_var: "EVENTOS_PORT",
            puerto: puerto_eventos,
            router: eventos_service::build(eventos).await?,
        },
        Servicio {
            nombre: "reservas-pagos-service",
            puerto_var: "RESERVAS_PORT",
            puerto: puerto_reservas,
            router: reservas_pagos_service::build(reservas).await?,
        },
        Servicio {
            nombre: "notificaciones-service",
            puerto_var: "NOTIFICACIONES_PORT",
            puerto: puerto_notificaciones,
            router: notificaciones_service::build(notificaciones).await?,
        },
        Servicio {
            nombre: UI,
            puerto_var: "UI_PORT",
            puerto: puerto_ui,
            router: ui::router(
                ui::dist_dir(),
                ui::Upstreams {
                    usuarios: format!("http://{local}:{puerto_usuarios}"),
                    eventos: format!("http://{local}:{puerto_eventos}"),
                    reservas: format!("http://{local}:{puerto_reservas}"),
                    notificaciones: format!("http://{local}:{puerto_notificaciones}"),
                },
            )?,
        },
    ];

    // Bind every port before serving any, so a port in use fails the start cleanly.
    let mut listeners = Vec::new();
    for s in &servicios {
        let l = TcpListener::bind((bind.as_str(), s.puerto))
            .await
            .with_context(|| {
                format!(
                    "{} cannot listen on {bind}:{} (is it already running? set {} to move it)",
                    s.nombre, s.puerto, s.puerto_var
                )
            })?;
        listeners.push(l);
    }

    banner(mode, &servicios, local, puerto_ui, simular_fallos);

    let shutdown: Shutdown = (Box::pin(eventflow_shared::http::shutdown_signal())
        as Pin<Box<dyn Future<Output = ()> + Send>>)
        .shared();
    let mut tasks = Vec::new();
    for (s, l) in servicios.into_iter().zip(listeners) {
        tasks.push(tokio::spawn(eventflow_shared::http::serve(
            l,
            s.router,
            shutdown.clone(),
        )));
    }
    for t in tasks {
        t.await??;
    }
    println!("EventFlow stopped.");
    Ok(())
}

fn banner(
    mode: BackendMode,
    servicios: &[Servicio],
    host: &str,
    puerto_ui: u16,
    simular_fallos: bool,
) {
    println!();
    match mode {
        BackendMode::Embedded => {
            println!("  EventFlow is running on EMBEDDED backends.");
            println!("  Data lives in memory and is lost when this process stops.");
            println!("  (EVENTFLOW_BACKENDS=real uses MongoDB and Redis instead.)");
        }
        BackendMode::Real => {
            println!("  EventFlow is running on REAL backends (MongoDB, Redis, RabbitMQ).")
        }
    }
    println!();
    println!("  UI: http://{host}:{puerto_ui}");
    let dist = ui::dist_dir();
    if !ui::is_built(&dist) {
        println!("  (not built yet: that page says how; scripts/run.sh builds it and starts all)");
    }
    println!();
    for s in servicios.iter().filter(|s| s.nombre != UI) {
        println!("  {:<24} http://{host}:{}/docs", s.nombre, s.puerto);
    }
    println!();
    match config::env_string("EVENTFLOW_ADMIN_TOKEN") {
        Some(_) => println!("  Organizer token: the value of EVENTFLOW_ADMIN_TOKEN"),
        None => println!("  Organizer token (development): {DEV_ADMIN_TOKEN}"),
    }
    println!("  Use it as 'Authorization: Bearer <token>' for POST/PATCH /api/eventos.");
    if simular_fallos {
        println!("  Fault switch ON: 'X-Simular-Fallo: confirmacion' makes a booking fail after");
        println!("  payment (RESERVAS_SIMULAR_FALLOS=0 turns it off).");
    }
    println!("  Test cards: 4242424242424242 approved, 4000000000000002 declined,");
    println!("  4000000000009995 insufficient funds, 4000000000000119 processing error.");
    println!("  Stop with Ctrl-C.");
    println!();
}
