//! `checkin`: the door under a crowd. For each gate count G, a fresh event's N tickets are
//! sold (set-up, not measured), then G gates scan every ticket once, concurrently, through
//! `POST /api/eventos/{id}/ingresos` (measured: admissions per second and latency), then
//! every ticket is scanned once more at another gate, and each of those must be refused
//! as `ya-usada`. Correct when every ticket was admitted exactly once, every rescan was
//! refused, nothing errored, and the organizer's summary counts N admitted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use futures::future::join_all;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::api::{slug, Api, EventApi, CARD_APPROVED, ZONE};
use crate::stats::{self, Latency};
use crate::target::join;

#[derive(Debug, Clone, Args)]
pub struct CheckinArgs {
    /// Tickets per gate count (a fresh event each).
    #[arg(long, default_value_t = 1000)]
    pub tickets: usize,
    /// Gate counts to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "4,16")]
    pub gates: Vec<usize>,
    /// Tickets per reservation in the set-up sale (within the per-buyer limit).
    #[arg(long, default_value_t = 5)]
    pub per_reservation: usize,
    /// Reservations at a time in the set-up sale.
    #[arg(long, default_value_t = 16)]
    pub setup_concurrency: usize,
}

impl CheckinArgs {
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.tickets == 0 || self.gates.is_empty() || self.gates.contains(&0) {
            bail!("--tickets and every --gates value must be at least 1");
        }
        if self.per_reservation == 0 || self.setup_concurrency == 0 {
            bail!("--per-reservation and --setup-concurrency must be at least 1");
        }
        Ok(())
    }
}

/// One gate count's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Nivel {
    pub gates: usize,
    pub tickets: usize,
    /// First scans answered 200 `admitido: true`.
    pub admitted: u64,
    /// Second scans answered 409 `ya-usada`.
    pub rescans_refused: u64,
    /// Any other answer, or no answer, in either pass.
    pub errors: u64,
    /// `"<status> <slug>"` → count, for the errors.
    pub error_kinds: Vec<(String, u64)>,
    pub admit_secs: f64,
    pub admissions_per_sec: f64,
    pub admit_latency: Latency,
    pub rescan_latency: Latency,
    /// `admitidas` in the organizer's `GET …/ingresos/resumen` afterwards.
    pub summary_admitted: Option<u64>,
    pub correct: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckinReport {
    pub mode: &'static str,
    pub niveles: Vec<Nivel>,
    pub correct: bool,
}

pub async fn run(api: Arc<Api>, args: &CheckinArgs) -> anyhow::Result<CheckinReport> {
    api.check_up().await?;
    let mut niveles = Vec::new();
    for &gates in &args.gates {
        let (evento, codigos) = vender(&api, args).await?;
        niveles.push(escanear(&api, &evento, codigos, gates).await?);
    }
    let correct = niveles.iter().all(|n| n.correct);
    Ok(CheckinReport {
        mode: "checkin",
        niveles,
        correct,
    })
}

/// Set-up: a fresh event of exactly `tickets` seats, sold out in reservations of
/// `per_reservation`; returns the event and every ticket code.
async fn vender(api: &Arc<Api>, args: &CheckinArgs) -> anyhow::Result<(String, Vec<String>)> {
    let tag = crate::flash::run_tag();
    let fecha = chrono::Utc::now() + chrono::Duration::days(30);
    let evento = api
        .create_event(
            EventApi::Eventflow,
            &format!("Bench ingreso {tag}"),
            "Puerta bench",
            fecha,
            args.tickets as u64,
        )
        .await?;
    let reservas = args.tickets.div_ceil(args.per_reservation);
    let siguiente = Arc::new(AtomicUsize::new(0));
    let codigos = Arc::new(Mutex::new(Vec::with_capacity(args.tickets)));
    let trabajos = (0..args.setup_concurrency.min(reservas)).map(|_| {
        let (api, evento, siguiente, codigos, tag) = (
            api.clone(),
            evento.clone(),
            siguiente.clone(),
            codigos.clone(),
            tag.clone(),
        );
        let (total, por) = (args.tickets, args.per_reservation);
        async move {
            loop {
                let i = siguiente.fetch_add(1, Ordering::SeqCst);
                if i >= reservas {
                    return Ok::<(), anyhow::Error>(());
                }
                let cantidad = por.min(total - i * por);
                let comprador = api.register_buyer(&tag, i).await?;
                let nuevos = comprar(&api, &comprador, &evento, cantidad)
                    .await
                    .with_context(|| format!("set-up reservation {i} of {reservas}"))?;
                codigos.lock().await.extend(nuevos);
            }
        }
    });
    for r in join_all(trabajos).await {
        r?;
    }
    let codigos = std::mem::take(&mut *codigos.lock().await);
    if codigos.len() != args.tickets {
        bail!(
            "set-up sold {} tickets, not {}",
            codigos.len(),
            args.tickets
        );
    }
    Ok((evento, codigos))
}

/// One confirmed reservation of `cantidad`; its ticket codes.
async fn comprar(
    api: &Api,
    comprador: &str,
    evento: &str,
    cantidad: usize,
) -> anyhow::Result<Vec<String>> {
    let res = api
        .http
        .post(join(&api.ep.reservas, "/api/reservar"))
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&json!({
            "usuario_id": comprador,
            "evento_id": evento,
            "zona": ZONE,
            "cantidad": cantidad,
            "pago": { "metodo": "tarjeta", "numero_tarjeta": CARD_APPROVED },
        }))
        .send()
        .await?;
    let status = res.status();
    let v: Value = res.json().await.unwrap_or(Value::Null);
    if status.as_u16() != 201 {
        bail!("POST /api/reservar answered {status}: {v}");
    }
    let id = v["id"].as_str().context("no reservation id")?;
    // The organizer's (admin's) view of the reservation lists its tickets.
    let r: Value = api
        .http
        .get(join(&api.ep.reservas, &format!("/api/reservas/{id}")))
        .bearer_auth(&api.ep.admin_token)
        .send()
        .await?
        .json()
        .await?;
    let codigos: Vec<String> = r["entradas"]
        .as_array()
        .map(|es| {
            es.iter()
                .filter_map(|e| e["codigo"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if codigos.len() != cantidad {
        bail!(
            "reservation {id} shows {} tickets, not {cantidad}: {r}",
            codigos.len()
        );
    }
    Ok(codigos)
}

struct Pasada {
    ok: u64,
    errores: Vec<String>,
    latencia: Latency,
    secs: f64,
}

/// Every code scanned once by `gates` concurrent gates; `esperado` is the status each
/// scan must get (200 admitted, or 409 `ya-usada`), `desfase` shifts the gate a code goes
/// to, so that the second pass scans each ticket at another gate.
async fn pasada(
    api: &Arc<Api>,
    evento: &str,
    codigos: &Arc<Vec<String>>,
    gates: usize,
    esperado: u16,
    desfase: usize,
) -> Pasada {
    let siguiente = Arc::new(AtomicUsize::new(0));
    let inicio = Instant::now();
    let puertas = (0..gates).map(|g| {
        let (api, codigos, siguiente) = (api.clone(), codigos.clone(), siguiente.clone());
        let url = join(&api.ep.eventos, &format!("/api/eventos/{evento}/ingresos"));
        async move {
            let mut h = stats::histogram();
            let (mut ok, mut errores) = (0u64, Vec::new());
            loop {
                let i = siguiente.fetch_add(1, Ordering::SeqCst);
                let Some(codigo) = codigos.get(i) else { break };
                let puerta = format!("Puerta {}", (g + desfase) % gates.max(2) + 1);
                let t = Instant::now();
                let res = api
                    .http
                    .post(url.clone())
                    .bearer_auth(&api.ep.admin_token)
                    .json(&json!({ "codigo": codigo, "puerta": puerta }))
                    .send()
                    .await;
                let (status, v) = match res {
                    Ok(r) => {
                        let s = r.status().as_u16();
                        (s, r.json::<Value>().await.unwrap_or(Value::Null))
                    }
                    Err(e) => {
                        errores.push(format!("error: {}", crate::api::transport_kind(&e)));
                        continue;
                    }
                };
                stats::record(&mut h, t.elapsed());
                let bien = match esperado {
                    200 => status == 200 && v["admitido"] == true && v["entrada"] == **codigo,
                    _ => status == 409 && slug(&v) == "ya-usada",
                };
                if bien {
                    ok += 1;
                } else {
                    errores.push(format!("{status} {}", slug(&v)));
                }
            }
            (ok, errores, h)
        }
    });
    let resultados = join_all(puertas).await;
    let secs = inicio.elapsed().as_secs_f64();
    let mut h = stats::histogram();
    let (mut ok, mut errores) = (0, Vec::new());
    for (o, e, hg) in resultados {
        ok += o;
        errores.extend(e);
        h.add(&hg).expect("same bounds");
    }
    Pasada {
        ok,
        errores,
        latencia: Latency::of(&h),
        secs,
    }
}

async fn escanear(
    api: &Arc<Api>,
    evento: &str,
    codigos: Vec<String>,
    gates: usize,
) -> anyhow::Result<Nivel> {
    let n = codigos.len();
    let codigos = Arc::new(codigos);
    let primera = pasada(api, evento, &codigos, gates, 200, 0).await;
    let segunda = pasada(api, evento, &codigos, gates, 409, 1).await;
    let resumen: Value = api
        .http
        .get(join(
            &api.ep.eventos,
            &format!("/api/eventos/{evento}/ingresos/resumen"),
        ))
        .bearer_auth(&api.ep.admin_token)
        .timeout(Duration::from_secs(30))
        .send()
        .await?
        .json()
        .await?;
    let summary_admitted = resumen["admitidas"].as_u64();
    let mut kinds: std::collections::BTreeMap<String, u64> = Default::default();
    for e in primera.errores.iter().chain(&segunda.errores) {
        *kinds.entry(e.clone()).or_default() += 1;
    }
    let errors = (primera.errores.len() + segunda.errores.len()) as u64;
    let correct = primera.ok == n as u64
        && segunda.ok == n as u64
        && errors == 0
        && summary_admitted == Some(n as u64);
    Ok(Nivel {
        gates,
        tickets: n,
        admitted: primera.ok,
        rescans_refused: segunda.ok,
        errors,
        error_kinds: kinds.into_iter().collect(),
        admit_secs: (primera.secs * 1000.0).round() / 1000.0,
        admissions_per_sec: ((primera.ok as f64 / primera.secs) * 10.0).round() / 10.0,
        admit_latency: primera.latencia,
        rescan_latency: segunda.latencia,
        summary_admitted,
        correct,
    })
}

pub fn print_table(r: &CheckinReport) {
    println!(
        "checkin: every ticket scanned once (admitted), then once more at another gate (refused)"
    );
    println!(
        "{:>6} {:>8} {:>9} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9}",
        "gates", "tickets", "admitted", "refused", "errors", "adm/s", "p50 ms", "p99 ms", "correct"
    );
    for n in &r.niveles {
        println!(
            "{:>6} {:>8} {:>9} {:>9} {:>7} {:>10.1} {:>9.2} {:>9.2} {:>9}",
            n.gates,
            n.tickets,
            n.admitted,
            n.rescans_refused,
            n.errors,
            n.admissions_per_sec,
            n.admit_latency.p50_ms,
            n.admit_latency.p99_ms,
            n.correct
        );
        for (k, c) in &n.error_kinds {
            println!("        {c} × {k}");
        }
    }
}
