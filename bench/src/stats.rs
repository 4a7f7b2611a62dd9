//! Latency histograms, percentiles, peak memory of processes, progress bars.

use std::time::Duration;

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Microsecond histogram from 1 µs to 10 minutes, 3 significant digits.
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("valid histogram bounds")
}

pub fn record(h: &mut Histogram<u64>, d: Duration) {
    let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1);
    h.saturating_record(us);
}

/// Percentiles of one histogram, in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Latency {
    pub count: u64,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

fn ms(us: u64) -> f64 {
    (us as f64 / 1000.0 * 100.0).round() / 100.0
}

impl Latency {
    pub fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        Self {
            count: h.len(),
            mean_ms: (h.mean() / 1000.0 * 100.0).round() / 100.0,
            p50_ms: ms(h.value_at_quantile(0.50)),
            p90_ms: ms(h.value_at_quantile(0.90)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            max_ms: ms(h.max()),
        }
    }
}

/// Peak and current resident memory of one process, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Serialize)]
pub struct Rss {
    pub name: String,
    pub pid: u32,
    /// `VmHWM`: the peak resident set since the process started, in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_mib: Option<f64>,
    /// `VmRSS`: the resident set when read, in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_mib: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Parses `name=pid,name=pid` (one entry per call; clap splits on commas).
pub fn parse_pid(s: &str) -> Result<(String, u32), String> {
    let (name, pid) = s
        .split_once('=')
        .ok_or_else(|| format!("{s:?}: expected name=pid"))?;
    let pid = pid
        .trim()
        .parse::<u32>()
        .map_err(|_| format!("{s:?}: the pid must be a number"))?;
    if name.trim().is_empty() {
        return Err(format!("{s:?}: empty name"));
    }
    Ok((name.trim().to_owned(), pid))
}

/// Reads VmHWM and VmRSS; an unreadable process gives an `error` instead.
pub fn rss(name: &str, pid: u32) -> Rss {
    let mut out = Rss {
        name: name.to_owned(),
        pid,
        peak_mib: None,
        current_mib: None,
        error: None,
    };
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => {
            out.peak_mib = status_kib(&status, "VmHWM:").map(kib_to_mib);
            out.current_mib = status_kib(&status, "VmRSS:").map(kib_to_mib);
            if out.peak_mib.is_none() {
                out.error = Some("no VmHWM line (kernel thread?)".into());
            }
        }
        Err(e) => out.error = Some(format!("cannot read /proc/{pid}/status: {e}")),
    }
    out
}

fn kib_to_mib(k: u64) -> f64 {
    (k as f64 / 1024.0 * 10.0).round() / 10.0
}

/// The value in kB of a `/proc/<pid>/status` line such as `VmHWM:  12345 kB` (a tab after the colon).
pub fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// CPU time a process has used so far (user + system), from `/proc/<pid>/stat`, in
/// seconds. Linux reports it in USER_HZ ticks, which are 1/100 s on every architecture
/// this runs on.
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_ticks(&stat).map(|t| t as f64 / 100.0)
}

/// utime + stime: fields 14 and 15, counted after the `(comm)` field, which may hold spaces.
pub fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
}

/// CPU one process used during a measured phase.
#[derive(Debug, Clone, Serialize)]
pub struct Cpu {
    pub name: String,
    pub pid: u32,
    pub cpu_secs: f64,
    /// `cpu_secs / phase seconds`: cores kept busy on average (the machine may have few).
    pub cores: f64,
}

/// Snapshots CPU time of the given processes plus this one (`eventflow-bench`).
pub struct CpuMeter {
    procs: Vec<(String, u32, Option<f64>)>,
    t0: std::time::Instant,
}

impl CpuMeter {
    pub fn start(pids: &[(String, u32)]) -> Self {
        let mut procs: Vec<(String, u32, Option<f64>)> = pids
            .iter()
            .map(|(n, p)| (n.clone(), *p, cpu_secs(*p)))
            .collect();
        let me = std::process::id();
        procs.push(("eventflow-bench".into(), me, cpu_secs(me)));
        Self {
            procs,
            t0: std::time::Instant::now(),
        }
    }

    pub fn stop(&self) -> Vec<Cpu> {
        let secs = self.t0.elapsed().as_secs_f64().max(1e-9);
        self.procs
            .iter()
            .filter_map(|(n, p, before)| {
                let used = cpu_secs(*p)? - (*before)?;
                Some(Cpu {
                    name: n.clone(),
                    pid: *p,
                    cpu_secs: (used * 100.0).round() / 100.0,
                    cores: (used / secs * 100.0).round() / 100.0,
                })
            })
            .collect()
    }
}

/// A bar on stderr; indicatif draws nothing when stderr is not a terminal (CI logs).
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(
            "{prefix:>14} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}) {msg}",
        )
        .expect("valid template"),
    );
    pb.set_prefix(what.to_owned());
    pb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_in_ms() {
        let mut h = histogram();
        for i in 1..=100u64 {
            record(&mut h, Duration::from_millis(i));
        }
        let l = Latency::of(&h);
        assert_eq!(l.count, 100);
        assert!((l.p50_ms - 50.0).abs() < 0.1, "{l:?}");
        assert!((l.p99_ms - 99.0).abs() < 0.1, "{l:?}");
        assert!((l.max_ms - 100.0).abs() < 0.1, "{l:?}");
        assert_eq!(Latency::of(&histogram()), Latency::default());
    }

    #[test]
    fn proc_status_lines() {
        let s = "Name:\teventflow\nVmPeak:\t  900 kB\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\n";
        assert_eq!(status_kib(s, "VmHWM:"), Some(51200));
        assert_eq!(status_kib(s, "VmRSS:"), Some(40960));
        assert_eq!(status_kib(s, "VmSwap:"), None);
        let me = rss("self", std::process::id());
        assert!(me.peak_mib.unwrap() > 0.0, "{me:?}");
        let none = rss("gone", u32::MAX);
        assert!(none.error.is_some());
    }

    #[test]
    fn cpu_ticks_after_comm() {
        let stat = "42 (tokio (rt) x) S 1 42 42 0 -1 4194560 100 0 0 0 250 70 0 0 20 0 4 0";
        assert_eq!(parse_cpu_ticks(stat), Some(320));
        assert_eq!(parse_cpu_ticks("garbage"), None);
        assert!(cpu_secs(std::process::id()).is_some());
    }

    #[test]
    fn pid_entries() {
        assert_eq!(parse_pid("eventflow=123"), Ok(("eventflow".into(), 123)));
        assert!(parse_pid("eventflow").is_err());
        assert!(parse_pid("x=abc").is_err());
        assert!(parse_pid("=1").is_err());
    }
}
