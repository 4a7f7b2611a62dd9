//! The CLI's guard rails, without any EventFlow running: non-loopback targets are refused
//! before anything is sent, bad arguments are usage errors, and a target that is down
//! fails clearly. (The load itself is exercised by scripts/bench-smoke.sh.)

use std::process::{Command, Output};

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_eventflow-bench"))
        .args(args)
        .env_remove("EVENTFLOW_ADMIN_TOKEN")
        .env_remove("BENCH_USUARIOS_URL")
        .env_remove("BENCH_EVENTOS_URL")
        .env_remove("BENCH_RESERVAS_URL")
        .output()
        .expect("the bench binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn refuses_non_loopback_targets() {
    for (flag, url) in [
        ("--eventos", "http://10.1.2.3:8002"),
        ("--usuarios", "http://192.168.0.10:8001"),
        ("--reservas", "http://example.com:8003"),
        ("--eventos", "http://[2001:db8::1]:8002"),
        ("--eventos", "http://0.0.0.0:8002"),
    ] {
        for cmd in [
            vec!["flash-sale", "--buyers", "2", "--tickets", "1"],
            vec!["reads", "--duration", "1"],
            vec!["checkin", "--tickets", "1"],
            vec!["sweep", "--levels", "1", "--out", "/dev/null"],
        ] {
            let mut args = cmd.clone();
            args.extend([flag, url]);
            let o = bench(&args);
            assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stderr(&o));
            assert!(stderr(&o).contains("refusing"), "{args:?}: {}", stderr(&o));
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let o = bench(&["flash-sale", "--declined-pct", "101"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = bench(&["flash-sale", "--pids", "eventflow"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = bench(&["nonsense"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = bench(&["flash-sale", "--api", "dotnet"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn the_event_creating_modes_take_api() {
    for mode in ["flash-sale", "reads", "sweep"] {
        let o = bench(&[mode, "--help"]);
        assert!(o.status.success(), "{mode}: {}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout);
        for s in ["--api", "eventflow", "seed000", "seed001"] {
            assert!(out.contains(s), "{mode} --help lacks {s}: {out}");
        }
    }
}

#[test]
fn bad_sizes_are_refused_before_any_request() {
    let o = bench(&["flash-sale", "--buyers", "0"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
    let o = bench(&["checkin", "--gates", "4,0"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
}

#[test]
fn a_target_that_is_down_fails_clearly() {
    // A loopback port nobody listens on: bind one, note it, free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let o = bench(&[
        "flash-sale",
        "--usuarios",
        &base,
        "--eventos",
        &base,
        "--reservas",
        &base,
        "--buyers",
        "2",
        "--tickets",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("not answering"), "{}", stderr(&o));
}

#[test]
fn help_names_the_modes() {
    let o = bench(&["--help"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    for m in ["flash-sale", "reads", "sweep"] {
        assert!(out.contains(m), "{out}");
    }
}

#[test]
fn chart_redraws_a_saved_sweep_without_any_server() {
    let dir = std::env::temp_dir().join(format!("eventflow-bench-chart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("sweep.json");
    std::fs::write(
        &report,
        r#"{"mode":"sweep","buyers":100,"tickets":100,"declined_pct":0,"points":[
            {"concurrency":1,"confirmations_per_sec":50.0,"requests_per_sec":50.0,"p50_ms":10.0,"p99_ms":20.0,"correct":true},
            {"concurrency":10,"confirmations_per_sec":120.0,"requests_per_sec":120.0,"p50_ms":40.0,"p99_ms":90.0,"correct":true}]}"#,
    )
    .unwrap();
    let svg = dir.join("out/chart.svg");
    let o = bench(&[
        "chart",
        "--from",
        report.to_str().unwrap(),
        "--out",
        svg.to_str().unwrap(),
        "--title",
        "test",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg"), "{text}");
    for s in [
        "100 buyers, 100 tickets per sale — test",
        "confirmations/s (left)",
        "p99 latency, ms (right)",
        "<polyline",
    ] {
        assert!(text.contains(s), "no {s:?} in {text}");
    }
    let o = bench(&[
        "chart",
        "--from",
        svg.to_str().unwrap(),
        "--out",
        "/dev/null",
    ]);
    assert_eq!(
        o.status.code(),
        Some(3),
        "an SVG is not a report: {}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
