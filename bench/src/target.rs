//! Where the benchmark sends traffic, and the guard that keeps it on this machine.
//!
//! Every URL must name a loopback host: `localhost`, an address in 127.0.0.0/8, or `::1`
//! (also as `::ffff:127.x.y.z`). `localhost` is additionally resolved, and refused unless
//! every address it resolves to is loopback. Nothing is sent before this check passes.

use std::net::{IpAddr, SocketAddr};

use anyhow::{bail, Context};
use clap::Args;
use reqwest::Url;

/// The deployment under test. Defaults: the local launcher (`cargo run --release`).
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// usuarios-service base URL (loopback only).
    #[arg(
        long,
        env = "BENCH_USUARIOS_URL",
        default_value = "http://127.0.0.1:8001"
    )]
    pub usuarios: String,
    /// eventos-service base URL (loopback only).
    #[arg(
        long,
        env = "BENCH_EVENTOS_URL",
        default_value = "http://127.0.0.1:8002"
    )]
    pub eventos: String,
    /// reservas-pagos-service base URL (loopback only).
    #[arg(
        long,
        env = "BENCH_RESERVAS_URL",
        default_value = "http://127.0.0.1:8003"
    )]
    pub reservas: String,
    /// Organizer token for POST/PATCH /api/eventos (the launcher's development token by default).
    #[arg(
        long,
        env = "EVENTFLOW_ADMIN_TOKEN",
        default_value = "eventflow-dev-admin",
        hide_env_values = true
    )]
    pub admin_token: String,
}

/// Checked base URLs.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub usuarios: Url,
    pub eventos: Url,
    pub reservas: Url,
    pub admin_token: String,
}

impl Endpoints {
    /// Parses every URL and refuses any that is not loopback (resolving `localhost`).
    pub async fn from_args(a: &TargetArgs) -> anyhow::Result<Self> {
        let ep = Self {
            usuarios: parse("--usuarios", &a.usuarios)?,
            eventos: parse("--eventos", &a.eventos)?,
            reservas: parse("--reservas", &a.reservas)?,
            admin_token: a.admin_token.clone(),
        };
        for (flag, url) in [
            ("--usuarios", &ep.usuarios),
            ("--eventos", &ep.eventos),
            ("--reservas", &ep.reservas),
        ] {
            socket_addr(url)
                .await
                .with_context(|| format!("{flag} {url}"))?;
        }
        Ok(ep)
    }
}

/// Parses a base URL and applies the static loopback rule.
pub fn parse(flag: &str, raw: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw).with_context(|| format!("{flag} {raw:?} is not a URL"))?;
    if url.scheme() != "http" {
        bail!("{flag} {raw}: only http:// is supported");
    }
    check_loopback(&url).with_context(|| format!("{flag} {raw}"))?;
    Ok(url)
}

/// The static rule: the host must be `localhost` or a loopback IP literal.
pub fn check_loopback(url: &Url) -> anyhow::Result<()> {
    let Some(host) = url.host_str() else {
        bail!("the URL has no host");
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let ok = match bare.parse::<IpAddr>() {
        Ok(ip) => is_loopback_ip(ip),
        Err(_) => is_localhost_name(bare),
    };
    if !ok {
        bail!(
            "refusing non-loopback target {host}: eventflow-bench only sends load to \
             127.0.0.0/8, localhost or ::1"
        );
    }
    Ok(())
}

fn is_localhost_name(d: &str) -> bool {
    let d = d.trim_end_matches('.');
    d.eq_ignore_ascii_case("localhost")
}

fn is_loopback_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Resolves the URL's host and port; every resolved address must be loopback.
pub async fn socket_addr(url: &Url) -> anyhow::Result<SocketAddr> {
    check_loopback(url)?;
    let host = url.host_str().context("the URL has no host")?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().context("the URL has no port")?;
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .with_context(|| format!("cannot resolve {host}"))?
        .collect();
    if addrs.is_empty() {
        bail!("{host} resolves to no address");
    }
    if let Some(bad) = addrs.iter().find(|a| !is_loopback_ip(a.ip())) {
        bail!("refusing {host}: it resolves to non-loopback {bad}");
    }
    // Prefer IPv4, which every service binds by default (EVENTFLOW_BIND=127.0.0.1).
    Ok(*addrs.iter().find(|a| a.is_ipv4()).unwrap_or(&addrs[0]))
}

/// `base` with `path` appended (`path` starts with `/`).
pub fn join(base: &Url, path: &str) -> Url {
    let mut s = base.as_str().trim_end_matches('/').to_owned();
    s.push_str(path);
    Url::parse(&s).expect("base URL plus an absolute path is a URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(raw: &str) -> bool {
        parse("--x", raw).is_ok()
    }

    #[test]
    fn accepts_loopback_only() {
        assert!(ok("http://127.0.0.1:8001"));
        assert!(ok("http://127.8.9.10:8001/"));
        assert!(ok("http://localhost:8002"));
        assert!(ok("http://LOCALHOST.:8002"));
        assert!(ok("http://[::1]:8003"));
        assert!(ok("http://[::ffff:127.0.0.1]:8003"));
        assert!(!ok("http://10.0.0.1:8001"));
        assert!(!ok("http://192.168.1.5:8001"));
        assert!(!ok("http://0.0.0.0:8001"));
        assert!(!ok("http://128.0.0.1:8001"));
        assert!(!ok("http://[::2]:8001"));
        assert!(!ok("http://example.com"));
        assert!(!ok("http://localhost.example.com"));
        assert!(!ok("http://127.0.0.1.nip.io"));
        assert!(!ok("https://127.0.0.1:8001"));
        assert!(!ok("not a url"));
    }

    #[test]
    fn join_keeps_base_path() {
        let b = Url::parse("http://127.0.0.1:8002/").unwrap();
        assert_eq!(
            join(&b, "/api/eventos").as_str(),
            "http://127.0.0.1:8002/api/eventos"
        );
        let b = Url::parse("http://127.0.0.1:8002/prefix").unwrap();
        assert_eq!(
            join(&b, "/api/x").as_str(),
            "http://127.0.0.1:8002/prefix/api/x"
        );
    }

    #[tokio::test]
    async fn resolves_localhost_to_loopback() {
        let url = Url::parse("http://localhost:9").unwrap();
        let a = socket_addr(&url).await.unwrap();
        assert!(a.ip().is_loopback());
    }
}
