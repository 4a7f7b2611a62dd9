//! The few EventFlow calls the benchmark makes, over one pooled HTTP client, and the
//! classification of a reservation's answer. With `--api seed001` every call is seed
//! 001's own (the FastAPI design), so the same sale runs against that seed or EventFlow.

use std::time::Duration;

use anyhow::{bail, Context};
use clap::ValueEnum;
use reqwest::{Client, StatusCode};
use serde::Serialize;
use serde_json::{json, Value};

use crate::target::{join, Endpoints};

pub const CARD_APPROVED: &str = "4242424242424242";
pub const CARD_DECLINED: &str = "4000000000000002";
/// The only zone of a benchmark event.
pub const ZONE: &str = "General";
/// Its price, in céntimos (50.00).
pub const PRICE_CENTIMOS: u64 = 5000;

/// Which API the benchmark speaks (`--api`). `eventflow` and `seed000` only differ in the
/// call that creates the event: buyers, reservations and the inventory read go through
/// the EventFlow API either way (both serve the same events). `seed001` speaks seed 001's
/// API for every call, so the sale can also run against that seed itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventApi {
    /// `POST /api/eventos`: Spanish field names, prices in céntimos.
    #[default]
    #[value(name = "eventflow")]
    Eventflow,
    /// `POST /events`: seed 000's API (the .NET design), English field names, prices as
    /// decimals in currency units.
    #[value(name = "seed000")]
    Seed000,
    /// Seed 001's API (the FastAPI design) for everything: `POST /api/usuarios` (buyers
    /// known by email), `POST /api/eventos` `{id, nombre, fecha, lugar, aforo_total,
    /// entradas_disponibles}`, `POST /api/reservar` `{evento_id, email}` and
    /// `GET /api/eventos/{id}` (`aforo_total`, `entradas_disponibles`; no sold count).
    #[value(name = "seed001")]
    Seed001,
}

impl EventApi {
    /// The `--api` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Eventflow => "eventflow",
            Self::Seed000 => "seed000",
            Self::Seed001 => "seed001",
        }
    }

    /// The route that creates an event.
    pub fn create_path(self) -> &'static str {
        match self {
            Self::Eventflow => "/api/eventos",
            Self::Seed000 => "/events",
            Self::Seed001 => "/api/eventos",
        }
    }

    /// The body of [`Self::create_path`] for an event with one zone [`ZONE`] of
    /// `capacidad` tickets at `precio` céntimos. Seed 001's client picks the event's
    /// `id` (its body has no zones nor prices: EventFlow makes one zone `General` at 0).
    pub fn create_body(
        self,
        id: &str,
        nombre: &str,
        lugar: &str,
        fecha: chrono::DateTime<chrono::Utc>,
        capacidad: u64,
        precio: u64,
    ) -> Value {
        let fecha = fecha.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        match self {
            Self::Eventflow => json!({
                "nombre": nombre,
                "fecha": fecha,
                "lugar": lugar,
                "zonas": [{ "nombre": ZONE, "precio": precio, "capacidad": capacidad }],
            }),
            Self::Seed000 => json!({
                "name": nombre,
                "date": fecha,
                "place": lugar,
                "zones": [{ "name": ZONE, "price": price_units(precio), "capacity": capacidad }],
            }),
            Self::Seed001 => json!({
                "id": id,
                "nombre": nombre,
                "fecha": fecha,
                "lugar": lugar,
                "aforo_total": capacidad,
                "entradas_disponibles": capacidad,
            }),
        }
    }
}

/// A price in céntimos as seed 000's decimal in currency units, exactly: a JSON integer
/// when it is whole (`15000` → `150`), else the `f64` nearest to céntimos/100, whose
/// shortest form (what serde_json writes and eventos reads back) is that decimal with at
/// most 2 decimals (`15050` → `150.5`, `1` → `0.01`). Exact for any price up to
/// 10^13 céntimos (15 significant digits); eventos takes up to 10^11.
pub fn price_units(centimos: u64) -> Value {
    if centimos % 100 == 0 {
        json!(centimos / 100)
    } else {
        json!(centimos as f64 / 100.0)
    }
}

pub struct Api {
    pub http: Client,
    pub ep: Endpoints,
    /// The API spoken for buyers, reservations and the inventory read (`--api`).
    pub via: EventApi,
}

/// One zone's counters as `GET /api/eventos/{id}` shows them.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Inventory {
    pub capacidad: u64,
    pub disponibles: u64,
    /// `None` where the API does not tell (seed 001 keeps no sold count): absent, never
    /// inferred from the other two.
    pub vendidas: Option<u64>,
}

impl Inventory {
    /// Tickets neither available nor sold: held by checkouts still running (or stuck).
    /// Unknown without a sold count.
    pub fn retenidas(&self) -> Option<u64> {
        self.vendidas.map(|v| {
            self.capacidad
                .saturating_sub(self.disponibles.saturating_add(v))
        })
    }
}

/// What one `POST /api/reservar` came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Confirmed,
    /// 409 `agotado`, with the body's `disponibles` and `retenidas` when present.
    Agotado {
        disponibles: Option<u64>,
        retenidas: Option<u64>,
    },
    /// 409 `compra-en-curso`: the per-buyer checkout lock.
    Lock,
    /// 402: the card was declined.
    Payment,
    /// Anything else, keyed as `"<status> <problem slug>"` or `"error: <kind>"`.
    Other(String),
}

/// The slug of a problem+json `type` (`urn:eventflow:problem:agotado` → `agotado`).
pub fn slug(body: &Value) -> &str {
    body["type"]
        .as_str()
        .and_then(|t| t.rsplit(':').next())
        .unwrap_or("")
}

/// Classifies an answer of `POST /api/reservar`.
pub fn classify(status: u16, body: &Value) -> Outcome {
    let s = slug(body);
    match (status, s) {
        (201, _) if body["estado"] == "CONFIRMADA" => Outcome::Confirmed,
        (201, _) => Outcome::Other(format!(
            "201 estado={}",
            body["estado"].as_str().unwrap_or("?")
        )),
        (409, "agotado") => Outcome::Agotado {
            disponibles: body["disponibles"].as_u64(),
            retenidas: body["retenidas"].as_u64(),
        },
        (409, "compra-en-curso") => Outcome::Lock,
        (402, _) => Outcome::Payment,
        (_, "") => Outcome::Other(status.to_string()),
        (_, s) => Outcome::Other(format!("{status} {s}")),
    }
}

/// Seed 001's reasons (reservas_pagos_service/chain.py), as it words them.
pub const SEED001_SIN_DISPONIBILIDAD: &str = "Sin disponibilidad";
/// The conditional decrement found no ticket left: sold out by a concurrent buyer.
pub const SEED001_COMPETENCIA: &str = "No se pudo confirmar (competencia)";
/// Its one lock per event (Redis `SET NX`): another checkout of the event is running.
pub const SEED001_BLOQUEADO: &str = "Evento bloqueado, intente nuevamente";

/// Classifies an answer of `POST /api/reservar` to seed 001's `{evento_id, email}`, from
/// the seed itself or from EventFlow. The seed answers 200 to everything and says what
/// happened in `status` (`"ok"` / `"error"`) and `reason`; EventFlow answers 201 with
/// `status: "ok"` or a problem (with `type`) whose `status` is `"error"`.
pub fn classify_seed001(status: u16, body: &Value) -> Outcome {
    let ok_2xx = (200..300).contains(&status);
    match body["status"].as_str() {
        // EventFlow's 201 also carries the reservation's `estado`: a 2xx whose reservation
        // is not confirmed is not a sale, whatever `status` says.
        Some("ok") if ok_2xx => match body["estado"].as_str() {
            None | Some("CONFIRMADA") => Outcome::Confirmed,
            Some(e) => Outcome::Other(format!("{status} estado={e}")),
        },
        // A problem of EventFlow's: its `type` says more than `reason` (and carries the
        // agotado counters).
        Some("error") if body["type"].is_string() => classify(status, body),
        Some("error") => match body["reason"].as_str().unwrap_or("") {
            // Both are the seed's sold out: the first read found 0, or the decrement did.
            SEED001_SIN_DISPONIBILIDAD | SEED001_COMPETENCIA => Outcome::Agotado {
                disponibles: None,
                retenidas: None,
            },
            SEED001_BLOQUEADO => Outcome::Lock,
            "" => Outcome::Other(format!("{status} error")),
            r => Outcome::Other(format!("{status} {r}")),
        },
        // Neither shape (FastAPI's 422, a 5xx, a followed 202): the general rules.
        _ => classify(status, body),
    }
}

/// A transport failure, by kind (its details vary per request and would not group).
pub fn transport_kind(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "request"
    };
    format!("error: {kind}")
}

impl Api {
    pub fn new(
        ep: Endpoints,
        via: EventApi,
        pool: usize,
        timeout: Duration,
    ) -> anyhow::Result<Self> {
        let http = Client::builder()
            .pool_max_idle_per_host(pool.max(1))
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .no_proxy()
            .build()?;
        Ok(Self { http, ep, via })
    }

    /// `GET /health` on the three services, so a missing launcher fails clearly.
    pub async fn check_up(&self) -> anyhow::Result<()> {
        for (name, base) in [
            ("usuarios", &self.ep.usuarios),
            ("eventos", &self.ep.eventos),
            ("reservas-pagos", &self.ep.reservas),
        ] {
            let url = join(base, "/health");
            let res = self.http.get(url.clone()).send().await.with_context(|| {
                format!(
                    "{name} is not answering at {url} (is the launcher running? see BENCHMARKS.md)"
                )
            })?;
            if !res.status().is_success() {
                bail!("{name}: GET {url} answered {}", res.status());
            }
        }
        Ok(())
    }

    /// Creates an event with one zone `General` of `capacidad` tickets through `via`;
    /// returns its id.
    pub async fn create_event(
        &self,
        via: EventApi,
        nombre: &str,
        lugar: &str,
        fecha: chrono::DateTime<chrono::Utc>,
        capacidad: u64,
    ) -> anyhow::Result<String> {
        let path = via.create_path();
        // Seed 001's client names the event; the run's name makes the id unique.
        let id = format!("bench-{}", uuid::Uuid::new_v4().simple());
        let body = via.create_body(&id, nombre, lugar, fecha, capacidad, PRICE_CENTIMOS);
        let url = join(&self.ep.eventos, path);
        let res = self
            .http
            .post(url)
            .bearer_auth(&self.ep.admin_token)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {path}"))?;
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if status != StatusCode::CREATED {
            bail!("POST {path} answered {status}: {v}");
        }
        if via == EventApi::Seed000 {
            // The answer is the stored event: the price must have come out as sent.
            let z = &v["zones"][0];
            let price_ok = z["price"].as_f64() == Some(PRICE_CENTIMOS as f64 / 100.0);
            if !price_ok || z["capacity"].as_u64() != Some(capacidad) || z["name"] != ZONE {
                bail!("POST {path}: the event does not read back as sent: sent {body}, got {v}");
            }
        }
        if via == EventApi::Seed001 {
            // The seed answers `{"mensaje": "Evento creado"}` (EventFlow the event): the
            // id is ours, and the event must read back through the seed's own route.
            let (inv, _) = self.inventory(&id).await?;
            if (inv.capacidad, inv.disponibles) != (capacidad, capacidad) {
                bail!(
                    "POST {path}: the event does not read back as sent: sent {body}, got {inv:?}"
                );
            }
            return Ok(id);
        }
        v["id"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("POST {path}: no id in the answer"))
    }

    /// Registers buyer `i` of run `tag`; returns the buyer's id (with `--api seed001`,
    /// the email: the seed's answer carries no id and its buyers are known by email).
    /// Retries transport errors and 5xx twice: registration is set-up, not what is
    /// measured.
    pub async fn register_buyer(&self, tag: &str, i: usize) -> anyhow::Result<String> {
        let email = buyer_email(self.via, tag, i);
        let body = json!({
            "tipo_documento": "DNI",
            "nro_documento": format!("{tag}{i:07}"),
            "nombre": "Bench",
            "apellido": "Comprador",
            "email": email,
        });
        let url = join(&self.ep.usuarios, "/api/usuarios");
        let mut last = String::new();
        for attempt in 0..3 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
            }
            match self.http.post(url.clone()).json(&body).send().await {
                Ok(res) => {
                    let status = res.status();
                    let v: Value = res.json().await.unwrap_or(Value::Null);
                    if status == StatusCode::CREATED && self.via == EventApi::Seed001 {
                        return Ok(email);
                    }
                    if status == StatusCode::CREATED {
                        return v["id"]
                            .as_str()
                            .map(str::to_owned)
                            .context("POST /api/usuarios: no id in the answer");
                    }
                    last = format!("answered {status}: {v}");
                    if !status.is_server_error() {
                        break;
                    }
                }
                Err(e) => last = e.to_string(),
            }
        }
        bail!("registering buyer {i}: POST /api/usuarios {last}")
    }

    /// One reservation of one ticket. Returns the outcome and, when confirmed, the
    /// duration of each SAGA step as the service reported it (`pasos`). With `--api
    /// seed001`, `usuario_id` is the buyer's email and the request is the seed's own
    /// (its JMeter plan's): `{evento_id, email}`, no card, no idempotency key.
    pub async fn reserve(
        &self,
        usuario_id: &str,
        evento_id: &str,
        card: &str,
    ) -> (Outcome, Vec<(String, u64)>) {
        let url = join(&self.ep.reservas, "/api/reservar");
        let req = if self.via == EventApi::Seed001 {
            self.http
                .post(url)
                .json(&json!({ "evento_id": evento_id, "email": usuario_id }))
        } else {
            let body = json!({
                "usuario_id": usuario_id,
                "evento_id": evento_id,
                "zona": ZONE,
                "cantidad": 1,
                "pago": { "metodo": "tarjeta", "numero_tarjeta": card },
            });
            // One key per attempt, as the UI sends: a retry could never buy twice.
            let clave = uuid::Uuid::new_v4().to_string();
            self.http
                .post(url)
                .header("idempotency-key", clave)
                .json(&body)
        };
        let res = match req.send().await {
            Ok(r) => r,
            Err(e) => return (Outcome::Other(transport_kind(&e)), Vec::new()),
        };
        let status = res.status().as_u16();
        let v: Value = match res.bytes().await {
            Ok(b) => serde_json::from_slice(&b).unwrap_or(Value::Null),
            Err(e) => return (Outcome::Other(transport_kind(&e)), Vec::new()),
        };
        // 202: the outcome was not known yet. Follow the reservation to its end, as a
        // buyer's page would; it is counted by how it ended.
        let (status, v) = if status == 202 {
            match self.seguir(&v).await {
                Some(fin) if fin["estado"] == "CONFIRMADA" => (201, fin),
                Some(fin) => (
                    202,
                    json!({ "type": format!("pendiente-{}", fin["estado"].as_str().unwrap_or("?")) }),
                ),
                None => (202, json!({ "type": "pendiente-sin-fin" })),
            }
        } else {
            (status, v)
        };
        let outcome = if self.via == EventApi::Seed001 {
            classify_seed001(status, &v)
        } else {
            classify(status, &v)
        };
        let pasos = if outcome == Outcome::Confirmed {
            v["pasos"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| {
                            Some((
                                p["handler"].as_str()?.to_owned(),
                                p["duracion_ms"].as_u64()?,
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        (outcome, pasos)
    }

    /// Polls an EN_CURSO reservation until it is terminal (at most 60 s), as the guest
    /// who bought it: with the secret the 202 carried.
    async fn seguir(&self, v: &Value) -> Option<Value> {
        let id = v["id"].as_str()?;
        let secreto = v["secreto"].as_str()?.to_owned();
        let url = join(&self.ep.reservas, &format!("/api/reservas/{id}"));
        for _ in 0..300 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let req = self
                .http
                .get(url.clone())
                .header("x-reserva-secreto", &secreto);
            let Ok(res) = req.send().await else {
                continue;
            };
            let Ok(fin) = res.json::<Value>().await else {
                continue;
            };
            if matches!(
                fin["estado"].as_str(),
                Some("CONFIRMADA" | "FALLIDA" | "CANCELADA")
            ) {
                return Some(fin);
            }
        }
        None
    }

    /// `GET /api/eventos/{id}`: the zone's counters and the `x-cache` header.
    pub async fn inventory(&self, evento_id: &str) -> anyhow::Result<(Inventory, String)> {
        let (v, cache) = self.leer_evento(evento_id).await?;
        if self.via == EventApi::Seed001 {
            // Read as seed 001's client reads it: `aforo_total` and `entradas_disponibles`.
            // The seed keeps no sold count, so `vendidas` is absent.
            return Ok((parse_inventory_seed001(&v)?, cache));
        }
        let z = v["zonas"]
            .as_array()
            .and_then(|zs| zs.iter().find(|z| z["nombre"] == ZONE))
            .with_context(|| format!("event {evento_id} has no zone {ZONE}: {v}"))?;
        let n = |k: &str| {
            z[k].as_u64()
                .with_context(|| format!("zone {ZONE} has no numeric {k}: {z}"))
        };
        Ok((
            Inventory {
                capacidad: n("capacidad")?,
                disponibles: n("disponibles")?,
                vendidas: Some(n("vendidas")?),
            },
            cache,
        ))
    }

    /// `GET /api/eventos/{id}`: the body (a 200 only) and the `x-cache` header.
    async fn leer_evento(&self, evento_id: &str) -> anyhow::Result<(Value, String)> {
        let url = join(&self.ep.eventos, &format!("/api/eventos/{evento_id}"));
        let res = self
            .http
            .get(url)
            .send()
            .await
            .context("GET /api/eventos/{id}")?;
        let status = res.status();
        let cache = res
            .headers()
            .get("x-cache")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        if status != StatusCode::OK {
            bail!("GET /api/eventos/{evento_id} answered {status}: {v}");
        }
        Ok((v, cache))
    }

    /// `PATCH /api/eventos/{id}` with an unchanged-in-spirit name: an organizer write, so
    /// eventos drops the event's cache entry and the next read comes from the store.
    pub async fn invalidate(&self, evento_id: &str, nombre: &str) -> anyhow::Result<()> {
        let url = join(&self.ep.eventos, &format!("/api/eventos/{evento_id}"));
        let res = self
            .http
            .patch(url)
            .bearer_auth(&self.ep.admin_token)
            .json(&json!({ "nombre": nombre }))
            .send()
            .await
            .context("PATCH /api/eventos/{id}")?;
        // Seed 001 has neither the route nor a cache (its GET reads MongoDB): FastAPI's
        // 405 means there is nothing to drop.
        if self.via == EventApi::Seed001 && res.status() == StatusCode::METHOD_NOT_ALLOWED {
            return Ok(());
        }
        if !res.status().is_success() {
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            bail!("PATCH /api/eventos/{evento_id} answered {status}: {body}");
        }
        Ok(())
    }
}

/// Buyer `i`'s email. Seed 001 validates it with `EmailStr` (email-validator), which
/// refuses special-use domains such as `.test`; `example.com` is reserved for examples
/// and accepted by both.
pub fn buyer_email(via: EventApi, tag: &str, i: usize) -> String {
    let tag = tag.to_lowercase();
    match via {
        EventApi::Seed001 => format!("b{i}-{tag}@bench.example.com"),
        _ => format!("b{i}-{tag}@bench.eventflow.test"),
    }
}

/// Seed 001's event as its `GET /api/eventos/{id}` shows it (EventFlow adds more fields).
pub fn parse_inventory_seed001(v: &Value) -> anyhow::Result<Inventory> {
    let n = |k: &str| {
        v[k].as_u64()
            .with_context(|| format!("the event has no numeric {k}: {v}"))
    };
    Ok(Inventory {
        capacidad: n("aforo_total")?,
        disponibles: n("entradas_disponibles")?,
        vendidas: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_answers() {
        assert_eq!(
            classify(201, &json!({"estado": "CONFIRMADA"})),
            Outcome::Confirmed
        );
        assert_eq!(
            classify(201, &json!({"estado": "EN_CURSO"})),
            Outcome::Other("201 estado=EN_CURSO".into())
        );
        assert_eq!(
            classify(
                409,
                &json!({"type": "urn:eventflow:problem:agotado", "disponibles": 0, "retenidas": 3})
            ),
            Outcome::Agotado {
                disponibles: Some(0),
                retenidas: Some(3)
            }
        );
        assert_eq!(
            classify(409, &json!({"type": "urn:eventflow:problem:agotado"})),
            Outcome::Agotado {
                disponibles: None,
                retenidas: None
            }
        );
        assert_eq!(
            classify(
                409,
                &json!({"type": "urn:eventflow:problem:compra-en-curso"})
            ),
            Outcome::Lock
        );
        assert_eq!(
            classify(
                402,
                &json!({"type": "urn:eventflow:problem:pago-rechazado"})
            ),
            Outcome::Payment
        );
        assert_eq!(
            classify(
                503,
                &json!({"type": "urn:eventflow:problem:servicio-no-disponible"})
            ),
            Outcome::Other("503 servicio-no-disponible".into())
        );
        assert_eq!(classify(500, &Value::Null), Outcome::Other("500".into()));
    }

    #[test]
    fn prices_in_currency_units() {
        for (c, text) in [
            (15050, "150.5"),
            (1, "0.01"),
            (0, "0"),
            (5000, "50"),
            (15000, "150"),
            (10, "0.1"),
            (99, "0.99"),
            (12345, "123.45"),
            (100_000_000_000, "1000000000"),
            (99_999_999_999, "999999999.99"),
        ] {
            assert_eq!(price_units(c).to_string(), text, "{c} céntimos");
        }
    }

    /// What eventos does with the number it reads (seed000.rs `centimos`): the shortest
    /// decimal of the f64, at most 2 decimals, as céntimos.
    fn read_back(v: &Value) -> u64 {
        let f = v.as_f64().expect("a number");
        let text = f.to_string();
        let (int, dec) = text.split_once('.').unwrap_or((&text, ""));
        assert!(dec.len() <= 2, "{text} has more than 2 decimals");
        int.parse::<u64>().unwrap() * 100 + format!("{dec:0<2}").parse::<u64>().unwrap()
    }

    #[test]
    fn prices_read_back_exactly() {
        let big = 1_000_000_000 * 100;
        for c in (0..=300_000).chain(big - 300_000..=big) {
            assert_eq!(read_back(&price_units(c)), c, "{c} céntimos");
        }
    }

    #[test]
    fn seed000_body_is_the_eventflow_body_in_seed_terms() {
        let fecha = chrono::DateTime::parse_from_rfc3339("2031-02-14T20:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let ef = EventApi::Eventflow.create_body("evt1", "Rock", "Arena Lima", fecha, 100, 15050);
        assert_eq!(
            ef,
            json!({"nombre": "Rock", "fecha": "2031-02-14T20:00:00.000Z", "lugar": "Arena Lima",
                   "zonas": [{"nombre": "General", "precio": 15050, "capacidad": 100}]})
        );
        let seed = EventApi::Seed000.create_body("evt1", "Rock", "Arena Lima", fecha, 100, 15050);
        assert_eq!(
            seed,
            json!({"name": "Rock", "date": "2031-02-14T20:00:00.000Z", "place": "Arena Lima",
                   "zones": [{"name": "General", "price": 150.5, "capacity": 100}]})
        );
        assert_eq!(
            EventApi::Seed000.create_body("evt1", "Rock", "Arena Lima", fecha, 7, 0)["zones"][0]
                ["price"]
                .to_string(),
            "0"
        );
        assert_eq!(EventApi::Seed000.create_path(), "/events");
        assert_eq!(EventApi::Eventflow.create_path(), "/api/eventos");
        assert_eq!(EventApi::default(), EventApi::Eventflow);
        assert_eq!(serde_json::to_value(EventApi::Seed000).unwrap(), "seed000");
    }

    #[test]
    fn held_tickets() {
        let i = Inventory {
            capacidad: 100,
            disponibles: 10,
            vendidas: Some(85),
        };
        assert_eq!(i.retenidas(), Some(5));
        // Without a sold count nothing says what is held.
        let seed = Inventory {
            vendidas: None,
            ..i
        };
        assert_eq!(seed.retenidas(), None);
    }

    /// Seed 001's answers, as reservas_pagos_service/chain.py words them (always 200),
    /// and EventFlow's answers to the same `{evento_id, email}`.
    #[test]
    fn classifies_seed001_answers() {
        let seed = |status: &str, reason: Option<&str>| match reason {
            Some(r) => json!({"status": status, "reason": r}),
            None => json!({"status": status, "mensaje": "Reserva confirmada"}),
        };
        // The seed itself.
        assert_eq!(classify_seed001(200, &seed("ok", None)), Outcome::Confirmed);
        let agotado = Outcome::Agotado {
            disponibles: None,
            retenidas: None,
        };
        assert_eq!(
            classify_seed001(200, &seed("error", Some("Sin disponibilidad"))),
            agotado
        );
        assert_eq!(
            classify_seed001(
                200,
                &seed("error", Some("No se pudo confirmar (competencia)"))
            ),
            agotado
        );
        assert_eq!(
            classify_seed001(
                200,
                &seed("error", Some("Evento bloqueado, intente nuevamente"))
            ),
            Outcome::Lock
        );
        assert_eq!(
            classify_seed001(200, &seed("error", Some("Usuario inexistente"))),
            Outcome::Other("200 Usuario inexistente".into())
        );
        assert_eq!(
            classify_seed001(200, &json!({"status": "error"})),
            Outcome::Other("200 error".into())
        );
        // "ok" outside a 2xx is no sale.
        assert_eq!(
            classify_seed001(500, &seed("ok", None)),
            Outcome::Other("500".into())
        );
        // FastAPI's own validation error, and a server error with no JSON.
        assert_eq!(
            classify_seed001(422, &json!({"detail": [{"msg": "field required"}]})),
            Outcome::Other("422".into())
        );
        assert_eq!(
            classify_seed001(500, &Value::Null),
            Outcome::Other("500".into())
        );
        // A 200 with neither shape is not a sale either.
        assert_eq!(
            classify_seed001(200, &json!({"mensaje": "?"})),
            Outcome::Other("200".into())
        );

        // EventFlow: 201 with `status: "ok"` and the reservation.
        assert_eq!(
            classify_seed001(
                201,
                &json!({"status": "ok", "estado": "CONFIRMADA", "id": "r"})
            ),
            Outcome::Confirmed
        );
        assert_eq!(
            classify_seed001(201, &json!({"status": "ok", "estado": "FALLIDA"})),
            Outcome::Other("201 estado=FALLIDA".into())
        );
        // Its problems: `type` decides, `reason` is only the seed's reading of them.
        assert_eq!(
            classify_seed001(
                409,
                &json!({"type": "urn:eventflow:problem:agotado", "status": "error",
                        "reason": "La zona General está agotada",
                        "disponibles": 0, "retenidas": 2})
            ),
            Outcome::Agotado {
                disponibles: Some(0),
                retenidas: Some(2)
            }
        );
        assert_eq!(
            classify_seed001(
                409,
                &json!({"type": "urn:eventflow:problem:compra-en-curso", "status": "error"})
            ),
            Outcome::Lock
        );
        assert_eq!(
            classify_seed001(
                404,
                &json!({"type": "urn:eventflow:problem:no-encontrado", "status": "error",
                        "reason": "El usuario no existe"})
            ),
            Outcome::Other("404 no-encontrado".into())
        );
    }

    #[test]
    fn seed001_event_and_inventory() {
        let fecha = chrono::DateTime::parse_from_rfc3339("2031-02-14T20:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(
            EventApi::Seed001.create_body("evt1", "Rock", "Arena Lima", fecha, 100, 15050),
            json!({"id": "evt1", "nombre": "Rock", "fecha": "2031-02-14T20:00:00.000Z",
                   "lugar": "Arena Lima", "aforo_total": 100, "entradas_disponibles": 100})
        );
        assert_eq!(EventApi::Seed001.create_path(), "/api/eventos");
        // The seed's GET, and EventFlow's (more fields): the same reading, no sold count.
        for v in [
            json!({"id": "evt1", "aforo_total": 100, "entradas_disponibles": 7}),
            json!({"id": "evt1", "aforo_total": 100, "entradas_disponibles": 7,
                   "zonas": [{"nombre": "General", "capacidad": 100, "disponibles": 7, "vendidas": 93}]}),
        ] {
            assert_eq!(
                parse_inventory_seed001(&v).unwrap(),
                Inventory {
                    capacidad: 100,
                    disponibles: 7,
                    vendidas: None
                }
            );
        }
        assert!(parse_inventory_seed001(&json!({"aforo_total": 1})).is_err());
        // The seed's EmailStr refuses `.test`.
        assert!(buyer_email(EventApi::Seed001, "AB12", 3).ends_with("@bench.example.com"));
        assert_eq!(
            buyer_email(EventApi::Seed001, "AB12", 3),
            "b3-ab12@bench.example.com"
        );
        assert!(buyer_email(EventApi::Eventflow, "AB12", 3).ends_with(".test"));
    }
}
