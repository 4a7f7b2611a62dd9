//! `sweep`: one flash sale per concurrency level, then an SVG chart of confirmations/s
//! and p99 latency against concurrency: two lines on a shared categorical x axis, a left
//! axis for throughput and a right one for p99. The chart is drawn with plotters' SVG
//! backend, which leaves axes, ticks and text escaping to the library; it writes text as
//! SVG `<text>` for the viewer to set, so building it needs no fonts. Laid out here: the
//! two axes' ticks, the point labels' placement and the legend row.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Args;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
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
            mongo_uri: None,
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
    write_chart(&a.out, &chart(&points, &subtitle)?)?;
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
    write_chart(&a.out, &chart(&points, &sub)?)
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

fn num(v: f64) -> String {
    if v >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// The x axis: one evenly wide slot per point of the sweep, the point in the middle of its
/// slot, labelled with the point's concurrency. Levels are categories rather than a numeric
/// scale: on a linear one 1, 10 and 50 would crowd the left edge next to 200, and a sweep
/// may measure the same level twice. A value is a slot index; ±0.5 reaches the slot's edges.
#[derive(Clone)]
struct Slots(usize);

impl Ranged for Slots {
    // Never used: the mesh is given a formatter that prints the slot's concurrency.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, (lo, hi): (i32, i32)) -> i32 {
        let n = self.0.max(1) as f64;
        (f64::from(lo) + f64::from(hi - lo) * (v + 0.5) / n).round() as i32
    }

    /// Every slot, whatever the hint: a tick and a label per concurrency level.
    fn key_points<H: KeyPointHint>(&self, _: H) -> Vec<f64> {
        (0..self.0).map(|i| i as f64).collect()
    }

    fn range(&self) -> Range<f64> {
        -0.5..self.0 as f64 - 0.5
    }
}

/// A y axis from 0 to a `nice_max` maximum, ticked at its step. Plotters' own f64 axis
/// chooses its ticks and never steps by 2.5: a 0..125 axis would lose its top label. (Its
/// `with_key_points` would do, but then the axis has no label formatter to take ours.)
#[derive(Clone)]
struct Ticked(f64, f64);

impl Ranged for Ticked {
    // Never used: the mesh is given `num` as the formatter.
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, (lo, hi): (i32, i32)) -> i32 {
        (f64::from(lo) + f64::from(hi - lo) * v / self.0).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Bold points only (labels and grid lines), no light lines in between.
        if hint.weight().allow_light_points() {
            return Vec::new();
        }
        let Ticked(max, step) = *self;
        (0..=(max / step).round() as usize)
            .map(|k| k as f64 * step)
            .collect()
    }

    fn range(&self) -> Range<f64> {
        0.0..self.0
    }
}

/// A font of `px` pixels. The SVG backend writes `font-size` as the size given over 1.24
/// (plotters' em-to-pixel ratio), so this undoes it and a 12 here is a 12 in the file.
fn font(px: f64) -> FontDesc<'static> {
    ("sans-serif", px * 1.24).into_font()
}

/// About how wide `text` is at `px` pixels in a sans-serif font. The viewer picks the
/// font, so this can only be an estimate; plotters' own (without the `ttf` feature) counts
/// bytes, which makes "≥" three characters wide.
fn text_width(text: &str, px: f64) -> i32 {
    (text.chars().count() as f64 * px * 0.6).ceil() as i32
}

const TITLE: &str = "EventFlow flash sale: throughput and p99 vs concurrency";

/// The chart: confirmations/s (left axis, solid) and p99 ms (right axis, dashed), with
/// the targets (400 confirmations/s, 100 ms) as dotted lines.
pub fn chart(points: &[Point], subtitle: &str) -> anyhow::Result<String> {
    let mut svg = String::new();
    draw(
        points,
        subtitle,
        SVGBackend::with_string(&mut svg, (760, 440)),
    )
    // The backend only writes to a String, so this is a layout error at worst. `draw`
    // boxes plotters' errors as they come (one per element type), without Send or Sync,
    // hence the message rather than the value.
    .map_err(|e| anyhow::anyhow!("drawing the chart: {e}"))?;
    Ok(svg)
}

fn draw<'a>(
    points: &[Point],
    subtitle: &str,
    backend: SVGBackend<'a>,
) -> Result<(), Box<dyn std::error::Error + 'a>> {
    let thr_target = 400.0;
    let p99_target = 100.0;
    let max_thr = points
        .iter()
        .map(|p| p.confirmations_per_sec)
        .fold(thr_target, f64::max);
    let max_p99 = points.iter().map(|p| p.p99_ms).fold(p99_target, f64::max);
    let (ymax_l, step_l) = nice_max(max_thr * 1.05);
    let (ymax_r, step_r) = nice_max(max_p99 * 1.05);
    let n = points.len();
    let blue = RGBColor(0x1f, 0x77, 0xb4);
    let orange = RGBColor(0xd6, 0x27, 0x28);
    let grey = RGBColor(0x55, 0x55, 0x55);

    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(TITLE, font(16.0).style(FontStyle::Bold))?;
    let root = root.titled(subtitle, font(12.0).color(&grey))?;
    // The margin under the x axis is the legend's: there no point or label can cover it.
    // The x label area has a line between the levels and the axis title for INCORRECT.
    let mut chart = ChartBuilder::on(&root)
        .margin_left(10)
        .margin_right(10)
        .margin_top(10)
        .margin_bottom(26)
        .x_label_area_size(58)
        .y_label_area_size(70)
        .right_y_label_area_size(70)
        .build_cartesian_2d(Slots(n), Ticked(ymax_l, step_l))?
        .set_secondary_coord(Slots(n), Ticked(ymax_r, step_r));

    let concurrency = |v: &f64| {
        points
            .get(v.round() as usize)
            .map(|p| p.concurrency.to_string())
            .unwrap_or_default()
    };
    let tick = |v: &f64| num(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .bold_line_style(RGBColor(0xe5, 0xe5, 0xe5))
        .axis_style(RGBColor(0x33, 0x33, 0x33))
        .x_labels(n)
        .x_label_formatter(&concurrency)
        .y_label_formatter(&tick)
        .x_label_style(font(12.0))
        .y_label_style(font(12.0).color(&blue))
        .axis_desc_style(font(12.0))
        .x_desc("concurrent reservations (K)")
        .y_desc("confirmed reservations / s")
        .draw()?;
    chart
        .configure_secondary_axes()
        .axis_style(RGBColor(0x33, 0x33, 0x33))
        .y_label_formatter(&tick)
        .label_style(font(12.0).color(&orange))
        .axis_desc_style(font(12.0).color(&orange))
        .y_desc("p99 latency (ms)")
        .draw()?;

    // Targets: dotted lines across the whole plot, from the first slot's left edge to the
    // last one's right edge. They are named in the legend, not on the plot, where their
    // labels ran into the points' value labels.
    let edges = (-0.5, n as f64 - 0.5);
    let dotted = |c: &RGBColor| c.mix(0.7).stroke_width(1);
    chart.draw_series(DashedLineSeries::new(
        [(edges.0, thr_target), (edges.1, thr_target)],
        2,
        4,
        dotted(&blue),
    ))?;
    chart.draw_secondary_series(DashedLineSeries::new(
        [(edges.0, p99_target), (edges.1, p99_target)],
        2,
        4,
        dotted(&orange),
    ))?;

    // Series. p99 is dashed as well as orange, to tell the lines apart without colour.
    let thr_at = |i: usize, p: &Point| (i as f64, p.confirmations_per_sec);
    let p99_at = |i: usize, p: &Point| (i as f64, p.p99_ms);
    let line = |c: &RGBColor| c.stroke_width(2);
    chart.draw_series(LineSeries::new(
        points.iter().enumerate().map(|(i, p)| thr_at(i, p)),
        line(&blue),
    ))?;
    chart.draw_secondary_series(DashedLineSeries::new(
        points.iter().enumerate().map(|(i, p)| p99_at(i, p)),
        7,
        4,
        line(&orange),
    ))?;

    // Markers and value labels: throughput above its point, p99 to the right of and above
    // its marker. When the p99 marker sits on the throughput label, that label goes below
    // its point; when the two labels would collide, the p99 one goes below its marker.
    // Decided in pixels, since the two values are on different scales.
    for (i, p) in points.iter().enumerate() {
        let ty = chart.backend_coord(&thr_at(i, p)).1;
        let ry = chart.borrow_secondary().backend_coord(&p99_at(i, p)).1;
        let thr_dy = if (ry - (ty - 12)).abs() < 14 { 20 } else { -8 };
        let p99_dy = if ((ry - 6) - (ty + thr_dy)).abs() < 14 {
            16
        } else {
            -6
        };
        // Text anchored at its bottom (the backend lifts the baseline by half an ex), on a
        // backdrop that keeps it legible where a line runs under it.
        let at = |h: HPos| Pos::new(h, VPos::Bottom);
        let backdrop = |x0: i32, dy: i32, text: &str| {
            let x1 = x0 + text_width(text, 11.0);
            Rectangle::new([(x0 - 1, dy - 12), (x1 + 1, dy)], WHITE.mix(0.85).filled())
        };
        let thr_label = num(p.confirmations_per_sec);
        let half = text_width(&thr_label, 11.0) / 2;
        chart.draw_series(std::iter::once(
            EmptyElement::at(thr_at(i, p))
                + Circle::new((0, 0), 4, blue.filled())
                + backdrop(-half, thr_dy, &thr_label)
                + Text::new(
                    thr_label.clone(),
                    (0, thr_dy),
                    font(11.0).color(&blue).pos(at(HPos::Center)),
                ),
        ))?;
        let p99_label = format!("{} ms", num(p.p99_ms));
        chart.draw_secondary_series(std::iter::once(
            EmptyElement::at(p99_at(i, p))
                + Rectangle::new([(-4, -4), (4, 4)], orange.filled())
                + backdrop(9, p99_dy, &p99_label)
                + Text::new(
                    p99_label.clone(),
                    (9, p99_dy),
                    font(11.0).color(&orange).pos(at(HPos::Left)),
                ),
        ))?;
        // Under the level's label: the plot's top edge, where it used to be, is where the
        // highest value labels go.
        if !p.correct {
            chart.draw_series(std::iter::once(
                EmptyElement::at((i as f64, 0.0))
                    + Text::new(
                        "INCORRECT",
                        (0, 24),
                        font(11.0)
                            .style(FontStyle::Bold)
                            .color(&RED)
                            .pos(Pos::new(HPos::Center, VPos::Top)),
                    ),
            ))?;
        }
    }

    // The legend: one row under the x axis title, centred. Drawn here rather than with
    // plotters' series labels, which stack entries in a column.
    let entries = [
        ("confirmations/s (left)", line(&blue), 24, 0),
        ("p99 latency, ms (right)", line(&orange), 7, 4),
        ("target ≥ 400/s", dotted(&blue), 2, 4),
        ("target p99 ≤ 100 ms", dotted(&orange), 2, 4),
    ];
    let (sample, gap) = (30, 20);
    let width: i32 = entries
        .iter()
        .map(|(label, ..)| sample + text_width(label, 12.0) + gap)
        .sum::<i32>()
        - gap;
    let (w, h) = root.dim_in_pixel();
    let (mut x, y) = ((w as i32 - width) / 2, h as i32 - 14);
    let label_style = TextStyle::from(font(12.0)).pos(Pos::new(HPos::Left, VPos::Center));
    for (label, style, dash, space) in entries {
        root.draw(&DashedPathElement::new(
            [(x, y), (x + sample - 6, y)],
            dash,
            space,
            style,
        ))?;
        root.draw(&Text::new(label, (x + sample, y), label_style.clone()))?;
        x += sample + text_width(label, 12.0) + gap;
    }
    root.present()?;
    Ok(())
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

    fn sample(levels: &[(usize, f64, f64)]) -> Vec<Point> {
        levels
            .iter()
            .map(|&(k, t, p)| Point {
                concurrency: k,
                confirmations_per_sec: t,
                requests_per_sec: t,
                p50_ms: p / 2.0,
                p99_ms: p,
                correct: k != 50,
            })
            .collect()
    }

    /// The text a viewer shows: the content of every `<text>` element, trimmed.
    fn texts(svg: &str) -> Vec<&str> {
        svg.split("</text>")
            .filter_map(|chunk| chunk.rsplit_once('>').map(|(_, t)| t.trim()))
            .collect()
    }

    #[test]
    fn chart_has_both_series() {
        let pts = sample(&[(1, 90.0, 12.0), (10, 450.0, 40.0), (50, 520.0, 180.0)]);
        let svg = chart(&pts, "embedded <launcher>").unwrap();
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        let texts = texts(&svg);
        for t in [
            TITLE,
            "embedded &lt;launcher&gt;",
            "confirmed reservations / s",
            "p99 latency (ms)",
            "concurrent reservations (K)",
            "confirmations/s (left)",
            "p99 latency, ms (right)",
            "target ≥ 400/s",
            "target p99 ≤ 100 ms",
            // x labels, and each series' values at their points.
            "1",
            "10",
            "50",
            "90",
            "450",
            "520",
            "12 ms",
            "40 ms",
            "180 ms",
            "INCORRECT",
        ] {
            assert!(texts.contains(&t), "no {t:?} in {texts:?}");
        }
        assert_eq!(texts.iter().filter(|t| **t == "INCORRECT").count(), 1);
        // Both lines are drawn through every point: the throughput line as one solid
        // polyline, each point with its marker (a circle for throughput, a square for p99).
        let thr_line = svg
            .lines()
            .find(|l| {
                l.starts_with("<polyline") && l.contains(r##"stroke="#1F77B4" stroke-width="2""##)
            })
            .expect("a throughput line");
        assert_eq!(thr_line.matches(',').count(), 3, "{thr_line}");
        assert_eq!(svg.matches("<circle").count(), 3);
        let p99_markers = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains(r##"fill="#D62728""##));
        assert_eq!(p99_markers.count(), 3);
        // Every tag that opens is closed or self-closing: a cheap well-formedness check.
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    }

    #[test]
    fn chart_draws_one_level_and_repeated_levels() {
        for pts in [
            sample(&[(100, 300.0, 80.0)]),
            sample(&[(10, 300.0, 80.0), (10, 320.0, 85.0)]),
        ] {
            let svg = chart(&pts, "").unwrap();
            assert_eq!(svg.matches("<circle").count(), pts.len());
        }
        assert!(chart(&[], "").is_ok());
    }
}
