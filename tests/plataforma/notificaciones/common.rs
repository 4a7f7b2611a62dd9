//! The whole platform in one test: usuarios, eventos, reservas-pagos and notificaciones
//! on ephemeral ports, all on one bus (embedded, or an isolated RabbitMQ topology).
#![allow(dead_code)]

use std::time::Duration;

use eventflow_shared::bus::BusConfig;
use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_testkit as testing;
use reqwest::Client;
use serde_json::{json, Value};

use crate::comun;

pub struct Plataforma {
    pub usuarios: String,
    pub eventos: String,
    pub reservas: String,
    pub notificaciones: String,
    pub http: Client,
    pub bus: BusConfig,
}

/// The RabbitMQ URL of a platform on real backends.
#[derive(Clone)]
pub struct Rabbit(pub String);

pub type Backend = crate::comun::Backend<Rabbit>;

impl Backend {
    pub async fn real() -> Option<Self> {
        let mongo = testing::mongo_uri().await?;
        let otro = Rabbit(testing::amqp_url().await?);
        Some(Self::Real { mongo, otro })
    }

    pub fn bus(&self) -> BusConfig {
        match self {
            Self::Embedded => BusConfig::Embedded(Default::default()),
            Self::Real { otro, .. } => BusConfig::Rabbit(testing::rabbit_aislado(&otro.0)),
        }
    }
}

/// Starts every service. Set `con_notificaciones` false to start the consumer later.
pub async fn plataforma(backend: &Backend, bus: BusConfig, con_notificaciones: bool) -> Plataforma {
    let mut u = usuarios_service::Config::embedded();
    u.store = backend.store("usr");
    u.bus = bus.clone();
    let usuarios = testing::spawn(usuarios_service::build(u).await.unwrap()).await;
    let mut e = eventos_service::Config::embedded();
    e.store = backend.store("evt");
    e.bus = bus.clone();
    e.usuarios_url = usuarios.clone();
    let eventos = testing::spawn(eventos_service::build(e).await.unwrap()).await;
    let mut r = reservas_pagos_service::Config::embedded(&usuarios, &eventos);
    r.store = backend.store("rsv");
    r.bus = bus.clone();
    r.http_timeout = Duration::from_secs(10);
    // Many guests from one address: the per-IP limit is tested in reservas.
    r.anonimas_por_ip = u32::MAX;
    let reservas = testing::spawn(reservas_pagos_service::build(r).await.unwrap()).await;
    let notificaciones = if con_notificaciones {
        notificaciones_con(backend, &bus, &usuarios).await
    } else {
        String::new()
    };
    Plataforma {
        usuarios,
        eventos,
        reservas,
        notificaciones,
        // The platform tests act as the admin, who reads and cancels any reservation;
        // autorizacion.rs walks every other caller with a client of its own.
        http: Client::builder()
            .default_headers(testing::cabeceras_admin())
            .build()
            .unwrap(),
        bus,
    }
}

/// notificaciones alone: sessions cannot be checked (no usuarios), the admin reads.
pub async fn notificaciones(backend: &Backend, bus: &BusConfig) -> String {
    notificaciones_con(backend, bus, "http://127.0.0.1:9").await
}

/// notificaciones checking sessions with the usuarios at `usuarios`.
pub async fn notificaciones_con(backend: &Backend, bus: &BusConfig, usuarios: &str) -> String {
    let cfg = notificaciones_service::Config {
        store: backend.store("ntf"),
        bus: bus.clone(),
        identidad: eventflow_shared::identidad::IdentidadConfig::embedded(usuarios),
        correo_en_log: false,
        mostrar_codigos: false,
    };
    testing::spawn(notificaciones_service::build(cfg).await.unwrap()).await
}

impl Plataforma {
    pub async fn evento(&self, capacidad: i64, corr: &str) -> String {
        let cuerpo = json!({"nombre": "Festival", "fecha": "2099-01-01T20:00:00Z", "lugar": "Lima",
                            "max_por_comprador": 1000,
                            "zonas": [{"nombre": "General", "precio": 2500, "capacidad": capacidad}]});
        comun::crear_evento(&self.http, &self.eventos, cuerpo, Some(corr)).await
    }

    pub async fn usuario(&self, i: usize) -> String {
        let cuerpo = json!({"tipo_documento": "DNI", "nro_documento": format!("{i:08}"), "nombre": "A",
                            "apellido": "B", "email": format!("n{i}@example.com")});
        comun::registrar_comprador(&self.http, &self.usuarios, cuerpo).await
    }

    /// Books one ticket; returns the reservation id.
    pub async fn reservar(&self, usuario: &str, evento: &str, corr: &str) -> String {
        let res = self
            .http
            .post(format!("{}/api/reservar", self.reservas))
            .header("X-Correlation-Id", corr)
            .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
            .json(&json!({"usuario_id": usuario, "evento_id": evento}))
            .send()
            .await
            .unwrap();
        testing::respuestas::id_creado(res).await
    }

    /// The buyer's `historial_compras` once `listo` holds for it (or after 10 s).
    pub async fn historial_cuando(
        &self,
        usuario: &str,
        listo: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let mut h = Vec::new();
        for _ in 0..200 {
            h = comun::historial_compras(&self.http, &self.usuarios, usuario).await;
            if listo(&h) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        h
    }

    /// Every buyer's notifications matching `query`: the platform admin reads them.
    pub async fn notificaciones_de(&self, query: &str) -> Vec<Value> {
        self.notificaciones_como(query, DEV_ADMIN_TOKEN).await["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// `GET /api/notificaciones?limit=100&{query}` with `token`: the whole page.
    pub async fn notificaciones_como(&self, query: &str, token: &str) -> Value {
        let url = format!(
            "{}/api/notificaciones?limit=100&{query}",
            self.notificaciones
        );
        testing::respuestas::json_de(self.http.get(url).bearer_auth(token)).await
    }

    /// Waits until `query` lists at least `n` notifications (or 20 s), then returns them.
    pub async fn esperar(&self, query: &str, n: usize) -> Vec<Value> {
        for _ in 0..200 {
            let v = self.notificaciones_de(query).await;
            if v.len() >= n {
                // Give a duplicate the chance to show up before the caller counts.
                tokio::time::sleep(Duration::from_millis(300)).await;
                return self.notificaciones_de(query).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.notificaciones_de(query).await
    }
}
