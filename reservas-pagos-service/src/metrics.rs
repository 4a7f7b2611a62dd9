//! Prometheus metrics: SAGA outcomes and a latency histogram per step, rendered by hand
//! (two metric families do not justify a metrics framework).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default, Clone)]
struct Histograma {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metricas {
    sagas: Mutex<BTreeMap<String, u64>>,
    pasos: Mutex<BTreeMap<&'static str, Histograma>>,
    /// Unrepaired discrepancies per event, from its last reconciliation.
    discrepancias: Mutex<BTreeMap<String, u64>>,
    reparadas: Mutex<u64>,
}

impl Metricas {
    /// Counts a finished SAGA by outcome (`confirmada`, `agotado`, `pago-rechazado`, …).
    pub fn saga(&self, resultado: &str) {
        *self
            .sagas
            .lock()
            .expect("mutex")
            .entry(resultado.to_owned())
            .or_default() += 1;
    }

    /// Records an event's cuadre: what is still wrong, and what it repaired. Exposed as
    /// `eventflow_conciliacion_*`, the metric names dashboards know.
    pub fn cuadre(&self, evento_id: &str, pendientes: u64, reparadas: u64) {
        let mut d = self.discrepancias.lock().expect("mutex");
        if pendientes == 0 {
            d.remove(evento_id);
        } else {
            d.insert(evento_id.to_owned(), pendientes);
        }
        *self.reparadas.lock().expect("mutex") += reparadas;
    }

    pub fn paso(&self, handler: &'static str, d: Duration) {
        let secs = d.as_secs_f64();
        let mut pasos = self.pasos.lock().expect("mutex");
        let h = pasos.entry(handler).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP eventflow_sagas_total Reservation SAGAs finished, by outcome.\n");
        out.push_str("# TYPE eventflow_sagas_total counter\n");
        for (k, v) in self.sagas.lock().expect("mutex").iter() {
            let _ = writeln!(out, "eventflow_sagas_total{{resultado=\"{k}\"}} {v}");
        }
        let pendientes: u64 = self.discrepancias.lock().expect("mutex").values().sum();
        out.push_str("# HELP eventflow_conciliacion_discrepancias Discrepancies between sales, reservations and payments that the last reconciliation could not repair.\n");
        out.push_str("# TYPE eventflow_conciliacion_discrepancias gauge\n");
        let _ = writeln!(out, "eventflow_conciliacion_discrepancias {pendientes}");
        out.push_str("# HELP eventflow_conciliacion_reparadas_total Discrepancies the reconciliation repaired.\n");
        out.push_str("# TYPE eventflow_conciliacion_reparadas_total counter\n");
        let _ = writeln!(
            out,
            "eventflow_conciliacion_reparadas_total {}",
            self.reparadas.lock().expect("mutex")
        );
        out.push_str("# HELP eventflow_saga_step_seconds Time spent in each SAGA handler.\n");
        out.push_str("# TYPE eventflow_saga_step_seconds histogram\n");
        for (handler, h) in self.pasos.lock().expect("mutex").iter() {
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "eventflow_saga_step_seconds_bucket{{handler=\"{handler}\",le=\"{b}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "eventflow_saga_step_seconds_bucket{{handler=\"{handler}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "eventflow_saga_step_seconds_sum{{handler=\"{handler}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "eventflow_saga_step_seconds_count{{handler=\"{handler}\"}} {}",
                h.count
            );
        }
        out
    }
}
