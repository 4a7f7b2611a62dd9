//! The client's IP address, for per-client limits.
//!
//! The peer address of the TCP connection, unless that peer is a proxy this service was
//! told to trust (`EVENTFLOW_PROXIES_CONFIABLES`, IPs or CIDRs; default none). Then
//! `X-Forwarded-For` is read from the right: each trusted hop's entry names the hop before
//! it, and the first address that is not a trusted proxy is the client. Anyone else's
//! `X-Forwarded-For` is ignored, loopback included: a process on the same host (or a
//! sidecar nobody configured) cannot pick the address its requests are counted under.
//!
//! The launcher trusts loopback for its own services, because its UI proxy (`src/ui.rs`)
//! calls them from there and sets the header itself.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::{Extension, Router};

/// The variable that lists the trusted proxies.
pub const VARIABLE: &str = "EVENTFLOW_PROXIES_CONFIABLES";

/// One network: an address and how many leading bits of it must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Red {
    base: IpAddr,
    prefijo: u8,
}

impl Red {
    fn parse(s: &str) -> Result<Self, String> {
        let (ip, prefijo) = match s.split_once('/') {
            Some((ip, p)) => (ip, Some(p)),
            None => (s, None),
        };
        let base: IpAddr = ip
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} no es una IP ni un CIDR"))?;
        let base = base.to_canonical();
        let max = if base.is_ipv4() { 32 } else { 128 };
        let prefijo = match prefijo {
            None => max,
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: el prefijo debe ir de 0 a {max}"))?,
        };
        Ok(Self { base, prefijo })
    }

    fn contiene(&self, ip: IpAddr) -> bool {
        let bits = |ip: IpAddr| match ip {
            IpAddr::V4(v) => u128::from(u32::from(v)) << 96,
            IpAddr::V6(v) => u128::from(v),
        };
        if self.base.is_ipv4() != ip.is_ipv4() {
            return false;
        }
        let mascara = match self.prefijo {
            0 => 0,
            p => u128::MAX << (128 - u32::from(p)),
        };
        bits(self.base) & mascara == bits(ip) & mascara
    }
}

/// The peers whose `X-Forwarded-For` is believed. Empty by default: no one's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxiesConfiables(Arc<[Red]>);

impl ProxiesConfiables {
    /// Nobody: every client is its TCP peer.
    pub fn ninguno() -> Self {
        Self::default()
    }

    /// `127.0.0.0/8` and `::1`: a proxy on this host (the launcher's UI proxy).
    pub fn loopback() -> Self {
        Self(Arc::from([
            Red {
                base: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)),
                prefijo: 8,
            },
            Red {
                base: IpAddr::V6(Ipv6Addr::LOCALHOST),
                prefijo: 128,
            },
        ]))
    }

    /// A comma-separated list of IPs and CIDRs (`10.0.0.0/8, 192.168.1.7, fd00::/8`).
    pub fn parse(lista: &str) -> Result<Self, String> {
        let redes = lista
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Red::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(Arc::from(redes)))
    }

    /// `EVENTFLOW_PROXIES_CONFIABLES`; unset, nobody. A value that does not parse stops
    /// the start, naming the variable.
    pub fn desde(e: &mut crate::config::Entorno) -> Self {
        e.con(VARIABLE, Self::ninguno(), Self::parse)
    }

    /// These and `otros` too.
    pub fn con(&self, otros: &Self) -> Self {
        Self(self.0.iter().chain(otros.0.iter()).copied().collect())
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn confia(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.0.iter().any(|r| r.contiene(ip))
    }

    /// `router` with this list where [`ip_cliente`] finds it. A router without it
    /// trusts nobody.
    pub fn capa(&self, router: Router) -> Router {
        router.layer(Extension(self.clone()))
    }
}

/// The address a request is counted under (see the module's doc).
pub fn ip_cliente(parts: &Parts) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip().to_canonical());
    let Some(proxies) = parts.extensions.get::<ProxiesConfiables>() else {
        return peer;
    };
    let entradas: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut cliente = peer;
    for entrada in entradas.iter().rev() {
        if !proxies.confia(cliente) {
            break;
        }
        // A hop that wrote something unreadable is the last one we can vouch for.
        match entrada.parse::<IpAddr>() {
            Ok(ip) => cliente = ip.to_canonical(),
            Err(_) => break,
        }
    }
    cliente
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>, proxies: Option<&str>) -> Parts {
        let mut b = Request::builder();
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let (mut p, ()) = b.body(()).unwrap().into_parts();
        p.extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        if let Some(l) = proxies {
            p.extensions.insert(ProxiesConfiables::parse(l).unwrap());
        }
        p
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn nobody_is_trusted_by_default_not_even_loopback() {
        assert_eq!(
            ip_cliente(&parts("127.0.0.1:5", Some("1.2.3.4"), None)),
            ip("127.0.0.1")
        );
        assert_eq!(
            ip_cliente(&parts("127.0.0.1:5", Some("1.2.3.4"), Some(""))),
            ip("127.0.0.1")
        );
        assert_eq!(
            ip_cliente(&parts("[::1]:5", Some("1.2.3.4"), None)),
            ip("::1")
        );
    }

    #[test]
    fn a_trusted_peer_names_the_client_and_others_do_not() {
        let lista = Some("10.0.0.0/8, 192.0.2.7");
        for (par, cabecera, cliente) in [
            ("10.1.2.3:5", "1.2.3.4, 5.6.7.8", "5.6.7.8"),
            ("192.0.2.7:5", "5.6.7.8", "5.6.7.8"),
            // Not in the list: its header is ignored.
            ("192.0.2.8:5", "5.6.7.8", "192.0.2.8"),
            ("127.0.0.1:5", "5.6.7.8", "127.0.0.1"),
            // Garbage from a trusted hop: the hop itself is the client we can vouch for.
            ("10.0.0.1:5", "basura", "10.0.0.1"),
        ] {
            assert_eq!(
                ip_cliente(&parts(par, Some(cabecera), lista)),
                ip(cliente),
                "{par} with {cabecera}"
            );
        }
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_from_the_right() {
        // client 7.7.7.7 → its own spoofed entry 6.6.6.6 → edge 10.0.0.2 → 10.0.0.1.
        let p = parts(
            "10.0.0.1:5",
            Some("6.6.6.6, 7.7.7.7, 10.0.0.2"),
            Some("10.0.0.0/8"),
        );
        assert_eq!(ip_cliente(&p), ip("7.7.7.7"));
    }

    #[test]
    fn cidrs_and_mapped_addresses() {
        let l = ProxiesConfiables::parse("10.0.0.0/8,fd00::/8,::1").unwrap();
        assert!(l.confia(ip("10.255.0.1")));
        assert!(!l.confia(ip("11.0.0.1")));
        assert!(l.confia(ip("fd12::1")));
        assert!(l.confia(ip("::1")));
        assert!(l.confia(ip("::ffff:10.0.0.1")));
        assert!(ProxiesConfiables::loopback().confia(ip("127.0.0.2")));
        assert!(!ProxiesConfiables::ninguno().confia(ip("127.0.0.1")));
        assert!(ProxiesConfiables::parse("0.0.0.0/0")
            .unwrap()
            .confia(ip("8.8.8.8")));
        for malo in ["10.0.0.0/33", "localhost", "10.0.0.0/x", "::/129"] {
            assert!(ProxiesConfiables::parse(malo).is_err(), "{malo}");
        }
    }
}
