//! The few EventFlow calls the benchmark makes, over one pooled HTTP client, and the
//! classification of a reservation's answer.

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

/// Which API creates a benchmark event (`--api`). Everything else (buyers,
/// reservations, reading the inventory back) goes through the EventFlow API either way:
/// both APIs serve the same events.
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
}

impl EventApi {
    /// The `--api` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Eventflow => "eventflow",
            Self::Seed000 => "seed000",
        }
    }

    /// The route that creates an event.
    pub fn create_path(self) -> &'static str {
        match self {
            Self::Eventflow => "/api/eventos",
            Self::Seed000 => "/events",
        }
    }

    /// The body of [`Self::create_path`] for an event with one zone [`ZONE`] of
    /// `capacidad` tickets at `precio` céntimos.
    pub fn create_body(
        self,
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
}

/// One zone's counters as `GET /api/eventos/{id}` shows them.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Inventory {
    pub capacidad: u64,
    pub disponibles: u64,
    pub vendidas: u64,
}

impl Inventory {
    /// Tickets neither available nor sold: held by checkouts still running (or stuck).
    pub fn retenidas(&self) -> u64 {
        self.capacidad
            .saturating_sub(self.disponibles.saturating_add(self.vendidas))
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
    pub fn new(ep: Endpoints, pool: usize, timeout: Duration) -> anyhow::Result<Self> {
        let http = Client::builder()
            .pool_max_idle_per_host(pool.max(1))
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .tcp_nodelay(true)
            .no_proxy()
            .build()?;
        Ok(Self { http, ep })
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
        let body = via.create_body(nombre, lugar, fecha, capacidad, PRICE_CENTIMOS);
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
        v["id"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("POST {path}: no id in the answer"))
    }

    /// Registers buyer `i` of run `tag`; returns the buyer's id. Retries transport
    /// errors and 5xx twice: registration is set-up, not what is measured.
    pub async fn register_buyer(&self, tag: &str, i: usize) -> anyhow::Result<String> {
        let body = json!({
            "tipo_documento": "DNI",
            "nro_documento": format!("{tag}{i:07}"),
            "nombre": "Bench",
            "apellido": "Comprador",
            "email": format!("b{i}-{}@bench.eventflow.test", tag.to_lowercase()),
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
    /// duration of each SAGA step as the service reported it (`pasos`).
    pub async fn reserve(
        &self,
        usuario_id: &str,
        evento_id: &str,
        card: &str,
    ) -> (Outcome, Vec<(String, u64)>) {
        let body = json!({
            "usuario_id": usuario_id,
            "evento_id": evento_id,
            "zona": ZONE,
            "cantidad": 1,
            "pago": { "metodo": "tarjeta", "numero_tarjeta": card },
        });
        let url = join(&self.ep.reservas, "/api/reservar");
        // One key per attempt, as the UI sends: a retry could never buy twice.
        let clave = uuid::Uuid::new_v4().to_string();
        let res = match self
            .http
            .post(url)
            .header("idempotency-key", clave)
            .json(&body)
            .send()
            .await
        {
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
        let outcome = classify(status, &v);
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
                vendidas: n("vendidas")?,
            },
            cache,
        ))
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
        if !res.status().is_success() {
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            bail!("PATCH /api/eventos/{evento_id} answered {status}: {body}");
        }
        Ok(())
    }
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
        let ef = EventApi::Eventflow.create_body("Rock", "Arena Lima", fecha, 100, 15050);
        assert_eq!(
            ef,
            json!({"nombre": "Rock", "fecha": "2031-02-14T20:00:00.000Z", "lugar": "Arena Lima",
                   "zonas": [{"nombre": "General", "precio": 15050, "capacidad": 100}]})
        );
        let seed = EventApi::Seed000.create_body("Rock", "Arena Lima", fecha, 100, 15050);
        assert_eq!(
            seed,
            json!({"name": "Rock", "date": "2031-02-14T20:00:00.000Z", "place": "Arena Lima",
                   "zones": [{"name": "General", "price": 150.5, "capacity": 100}]})
        );
        assert_eq!(
            EventApi::Seed000.create_body("Rock", "Arena Lima", fecha, 7, 0)["zones"][0]["price"]
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
            vendidas: 85,
        };
        assert_eq!(i.retenidas(), 5);
    }
}
