//! `sweep`: one flash sale per concurrency level, then an SVG chart of confirmations/s
//! and p99 latency against concurrency. The SVG is written by hand: two polylines on a
//! shared categorical x axis, a left axis for throughput and a right one for p99.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Args;
use serde::{Deserialize, Serialize};

use crate::api::{Api, EventApi};
use crate::flash::{self, FlashArgs, FlashReport};

#[derive(Debug, Clone, Args)]
pub struct SweepArgs {
    /// Concurrency levels, one flash sale each.
    #[arg(long, value_delimiter = ',', default_value = "1,10,50,100,200")]
    pub levels: Vec<usize>,
    /// Buyers per sale.
    #[arg(long, default_value_t = 1000)]
    pub buyers: usize,
    /// Tickets per sale (default: as many as buyers, so every buyer can be confirmed).
    #[arg(long)]
    pub tickets: Option<u64>,
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=100))]
    pub declined_pct: u8,
    /// Where to write the SVG chart.
    #[arg(long, default_value = "bench/results/sweep.svg")]
    pub out: PathBuf,
    /// Chart subtitle, e.g. the deployment measured.
    #[arg(long, default_value = "")]
    pub title: String,
    /// Global limit per sale's reservation phase, in seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_secs: u64,
    /// The API that creates each sale's event: `eventflow` (`POST /api/eventos`) or
    /// `seed000` (`POST /events`).
    #[arg(long, value_enum, default_value_t = EventApi::Eventflow)]
    pub api: EventApi,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Point {
    pub concurrency: usize,
    pub confirmations_per_sec: f64,
    pub requests_per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub correct: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    pub mode: &'static str,
    pub buyers: usize,
    pub tickets: u64,
    pub declined_pct: u8,
    /// The API that created the events (`--api`).
    pub event_api: EventApi,
    pub svg: String,
    pub points: Vec<Point>,
    pub runs: Vec<FlashReport>,
    pub correct: bool,
}

pub async fn run(
    api: Arc<Api>,
    a: &SweepArgs,
    pids: &[(String, u32)],
) -> anyhow::Result<SweepReport> {
    if a.levels.is_empty() || a.levels.contains(&0) {
        bail!("--levels needs one or more concurrency levels, each at least 1");
    }
    let tickets = a.tickets.unwrap_or(a.buyers as u64);
    let mut runs = Vec::new();
    for (n, &k) in a.levels.iter().enumerate() {
        eprintln!(
            "sweep {}/{}: concurrency {k}, {} buyers, {tickets} tickets",
            n + 1,
            a.levels.len(),
            a.buyers
        );
        let fa = FlashArgs {
            buyers: a.buyers,
            tickets,
            concurrency: k,
            declined_pct: a.declined_pct,
            register_concurrency: 32,
            timeout_secs: a.timeout_secs,
            request_timeout_secs: 30,
            readers: 0,
            consistency_only: false,
            api: a.api,
        };
        let r = flash::run(api.clone(), &fa, pids, false).await?;
        eprintln!(
            "  confirmations/s {:.1}, p99 {} ms, correct {}",
            r.confirmations_per_sec, r.latency_ms.p99_ms, r.correct
        );
        runs.push(r);
    }
    let points: Vec<Point> = runs
        .iter()
        .map(|r| Point {
            concurrency: r.concurrency,
            confirmations_per_sec: r.confirmations_per_sec,
            requests_per_sec: r.requests_per_sec,
            p50_ms: r.latency_ms.p50_ms,
            p99_ms: r.latency_ms.p99_ms,
            correct: r.correct,
        })
        .collect();
    let subtitle = subtitle(a.buyers, tickets, a.declined_pct, &a.title);
    write_chart(&a.out, &chart(&points, &subtitle))?;
    Ok(SweepReport {
        mode: "sweep",
        buyers: a.buyers,
        tickets,
        declined_pct: a.declined_pct,
        event_api: a.api,
        svg: a.out.display().to_string(),
        correct: points.iter().all(|p| p.correct),
        points,
        runs,
    })
}

fn subtitle(buyers: usize, tickets: u64, declined_pct: u8, title: &str) -> String {
    format!(
        "{buyers} buyers, {tickets} tickets per sale{}{}",
        if declined_pct > 0 {
            format!(", {declined_pct}% declined cards")
        } else {
            String::new()
        },
        if title.is_empty() {
            String::new()
        } else {
            format!(" — {title}")
        }
    )
}

fn write_chart(out: &std::path::Path, svg: &str) -> anyhow::Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(out, svg).with_context(|| format!("writing {}", out.display()))?;
    eprintln!("chart written to {}", out.display());
    Ok(())
}

#[derive(Debug, Clone, Args)]
pub struct ChartArgs {
    /// A sweep report written by `sweep --json-out FILE`.
    #[arg(long)]
    pub from: PathBuf,
    /// Where to write the SVG chart.
    #[arg(long)]
    pub out: PathBuf,
    /// Chart subtitle, e.g. the deployment measured.
    #[arg(long, default_value = "")]
    pub title: String,
}

/// `chart`: redraws the SVG of a saved sweep report, without sending any request.
pub fn redraw(a: &ChartArgs) -> anyhow::Result<()> {
    let raw = std::fs::read_to_string(&a.from)
        .with_context(|| format!("reading {}", a.from.display()))?;
    let v: serde_json::Value = serde_json::from_str(raw.trim())
        .with_context(|| format!("{} is not a JSON report", a.from.display()))?;
    if v["mode"] != "sweep" {
        bail!(
            "{} is not a sweep report (mode {})",
            a.from.display(),
            v["mode"]
        );
    }
    let points: Vec<Point> = serde_json::from_value(v["points"].clone())
        .with_context(|| format!("{}: no valid points", a.from.display()))?;
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let sub = subtitle(
        n("buyers") as usize,
        n("tickets"),
        n("declined_pct") as u8,
        &a.title,
    );
    write_chart(&a.out, &chart(&points, &sub))
}

pub fn print_table(r: &SweepReport) {
    println!(
        "sweep: {} buyers, {} tickets per sale, events created through POST {} (--api {})",
        r.buyers,
        r.tickets,
        r.event_api.create_path(),
        r.event_api.name()
    );
    println!(
        "  {:>11} {:>15} {:>10} {:>8} {:>8} {:>8}",
        "concurrency", "confirmations/s", "req/s", "p50 ms", "p99 ms", "correct"
    );
    for p in &r.points {
        println!(
            "  {:>11} {:>15.1} {:>10.1} {:>8} {:>8} {:>8}",
            p.concurrency,
            p.confirmations_per_sec,
            p.requests_per_sec,
            p.p50_ms,
            p.p99_ms,
            if p.correct { "yes" } else { "NO" }
        );
    }
    println!("  chart: {}", r.svg);
}

/// A "nice" axis maximum (1, 2 or 5 × 10^k) at or above `v`, and its tick step.
pub fn nice_max(v: f64) -> (f64, f64) {
    let v = if v.is_finite() && v > 0.0 { v } else { 1.0 };
    let raw_step = v / 5.0;
    let mag = 10f64.powf(raw_step.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw_step)
        .unwrap_or(10.0 * mag);
    ((v / step).ceil() * step, step)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn num(v: f64) -> String {
    if v >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The chart: confirmations/s (left axis, solid) and p99 ms (right axis, dashed), with
/// the targets (400 confirmations/s, 100 ms) as dotted lines.
pub fn chart(points: &[Point], subtitle: &str) -> String {
    const W: f64 = 760.0;
    const H: f64 = 440.0;
    const L: f64 = 80.0;
    const R: f64 = 80.0;
    const T: f64 = 70.0;
    const B: f64 = 84.0;
    let (pw, ph) = (W - L - R, H - T - B);
    let thr_target = 400.0;
    let p99_target = 100.0;
    let max_thr = points
        .iter()
        .map(|p| p.confirmations_per_sec)
        .fold(thr_target, f64::max);
    let max_p99 = points.iter().map(|p| p.p99_ms).fold(p99_target, f64::max);
    let (ymax_l, step_l) = nice_max(max_thr * 1.05);
    let (ymax_r, step_r) = nice_max(max_p99 * 1.05);
    let n = points.len().max(1);
    let x = |i: usize| L + pw * (i as f64 + 0.5) / n as f64;
    let yl = |v: f64| T + ph * (1.0 - v / ymax_l);
    let yr = |v: f64| T + ph * (1.0 - v / ymax_r);
    let (blue, orange) = ("#1f77b4", "#d62728");

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="26" text-anchor="middle" font-size="16" font-weight="bold">EventFlow flash sale: throughput and p99 vs concurrency</text>"#,
        W / 2.0
    );
    let _ = writeln!(
        s,
        r##"<text x="{}" y="46" text-anchor="middle" fill="#555">{}</text>"##,
        W / 2.0,
        esc(subtitle)
    );
    // Grid and left ticks.
    let mut v = 0.0;
    while v <= ymax_l + 1e-9 {
        let y = yl(v);
        let _ = writeln!(
            s,
            "<line x1=\"{L}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#e5e5e5\"/>",
            L + pw
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{blue}">{}</text>"#,
            L - 6.0,
            y + 4.0,
            num(v)
        );
        v += step_l;
    }
    let mut v = 0.0;
    while v <= ymax_r + 1e-9 {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" fill="{orange}">{}</text>"#,
            L + pw + 6.0,
            yr(v) + 4.0,
            num(v)
        );
        v += step_r;
    }
    // Axes.
    let _ = writeln!(
        s,
        r##"<path d="M{L} {T} V{:.1} H{:.1} V{T}" fill="none" stroke="#333"/>"##,
        T + ph,
        L + pw
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle" fill="{blue}">confirmed reservations / s</text>"#,
        T + ph / 2.0
    );
    let _ = writeln!(
        s,
        r#"<text transform="translate({:.1} {:.1}) rotate(90)" text-anchor="middle" fill="{orange}">p99 latency (ms)</text>"#,
        W - 22.0,
        T + ph / 2.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">concurrent reservations (K)</text>"#,
        L + pw / 2.0,
        T + ph + 38.0
    );
    for (i, p) in points.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x(i),
            T + ph + 18.0,
            p.concurrency
        );
    }
    // Targets.
    let _ = writeln!(
        s,
        r#"<line x1="{L}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="{blue}" stroke-dasharray="2 4" opacity="0.7"/>"#,
        yl(thr_target),
        L + pw
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" fill="{blue}" font-size="10">target ≥ 400/s</text>"#,
        L + 4.0,
        yl(thr_target) - 4.0
    );
    let _ = writeln!(
        s,
        r#"<line x1="{L}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="{orange}" stroke-dasharray="2 4" opacity="0.7"/>"#,
        yr(p99_target),
        L + pw
    );
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{orange}" font-size="10">target p99 ≤ 100 ms</text>"#,
        L + pw - 4.0,
        yr(p99_target) - 4.0
    );
    // Series.
    let line = |f: &dyn Fn(usize, &Point) -> (f64, f64)| {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let (a, b) = f(i, p);
                format!("{a:.1},{b:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let thr = line(&|i, p| (x(i), yl(p.confirmations_per_sec)));
    let p99 = line(&|i, p| (x(i), yr(p.p99_ms)));
    let _ = writeln!(
        s,
        r#"<polyline points="{thr}" fill="none" stroke="{blue}" stroke-width="2.5"/>"#
    );
    let _ = writeln!(
        s,
        r#"<polyline points="{p99}" fill="none" stroke="{orange}" stroke-width="2.5" stroke-dasharray="7 4"/>"#
    );
    for (i, p) in points.iter().enumerate() {
        let (cx, ty, ry) = (x(i), yl(p.confirmations_per_sec), yr(p.p99_ms));
        // Labels: throughput above its point, p99 above its marker. When the p99 marker
        // sits on the throughput label, that label goes below its point; when the two
        // labels would collide, the p99 one goes below its marker.
        let thr_label_y = if (ry - (ty - 12.0)).abs() < 14.0 {
            ty + 20.0
        } else {
            ty - 8.0
        };
        let p99_label_y = if ((ry - 6.0) - thr_label_y).abs() < 14.0 {
            ry + 16.0
        } else {
            ry - 6.0
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{cx:.1}" cy="{ty:.1}" r="4" fill="{blue}"/><text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="{blue}" font-size="11" stroke="white" stroke-width="3" paint-order="stroke">{}</text>"#,
            thr_label_y,
            num(p.confirmations_per_sec)
        );
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="8" height="8" fill="{orange}"/><text x="{:.1}" y="{:.1}" fill="{orange}" font-size="11" stroke="white" stroke-width="3" paint-order="stroke">{} ms</text>"#,
            cx - 4.0,
            ry - 4.0,
            cx + 9.0,
            p99_label_y,
            num(p.p99_ms)
        );
        if !p.correct {
            let _ = writeln!(
                s,
                r#"<text x="{cx:.1}" y="{:.1}" text-anchor="middle" fill="red" font-weight="bold">INCORRECT</text>"#,
                T + 14.0
            );
        }
    }
    // Legend.
    let (lx, ly) = (L + 10.0, H - 16.0);
    let _ = writeln!(
        s,
        r#"<line x1="{lx}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{blue}" stroke-width="2.5"/><text x="{:.1}" y="{:.1}">confirmations/s (left)</text>"#,
        lx + 24.0,
        lx + 30.0,
        ly + 4.0
    );
    let _ = writeln!(
        s,
        r#"<line x1="{:.1}" y1="{ly}" x2="{:.1}" y2="{ly}" stroke="{orange}" stroke-width="2.5" stroke-dasharray="7 4"/><text x="{:.1}" y="{:.1}">p99 latency, ms (right)</text>"#,
        lx + 200.0,
        lx + 224.0,
        lx + 230.0,
        ly + 4.0
    );
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis() {
        let close =
            |(a, b): (f64, f64), (c, d): (f64, f64)| (a - c).abs() < 1e-9 && (b - d).abs() < 1e-9;
        assert!(close(nice_max(420.0), (500.0, 100.0)));
        assert!(close(nice_max(1234.0), (1250.0, 250.0)));
        assert!(close(nice_max(88.0), (100.0, 20.0)));
        assert!(close(nice_max(0.0), (1.0, 0.2)));
    }

    #[test]
    fn chart_has_both_series() {
        let pts: Vec<Point> = [(1, 90.0, 12.0), (10, 450.0, 40.0), (50, 520.0, 180.0)]
            .iter()
            .map(|&(k, t, p)| Point {
                concurrency: k,
                confirmations_per_sec: t,
                requests_per_sec: t,
                p50_ms: p / 2.0,
                p99_ms: p,
                correct: k != 50,
            })
            .collect();
        let svg = chart(&pts, "embedded <launcher>");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("embedded &lt;launcher&gt;"));
        assert!(svg.contains(">520<") && svg.contains(">180 ms<"));
        assert!(svg.contains("INCORRECT"));
        // Every tag that opens is closed or self-closing: a cheap well-formedness check.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }
}
