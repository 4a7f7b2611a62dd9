//! The client's IP address, for per-client limits.
//!
//! The peer address of the TCP connection, except when that peer is loopback: then the
//! request came through a local proxy (the launcher's UI proxy, an nginx or an ingress
//! sidecar on the same host), and the right-most `X-Forwarded-For` entry, the one that
//! proxy appended, names the client. A remote peer cannot spoof it that way: its own
//! `X-Forwarded-For` is ignored.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::request::Parts;

pub fn ip_cliente(parts: &Parts) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
    if !peer.is_loopback() {
        return peer;
    }
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|ip| ip.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut b = Request::builder();
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let (mut p, ()) = b.body(()).unwrap().into_parts();
        p.extensions
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        p
    }

    #[test]
    fn trusts_forwarded_for_only_from_loopback() {
        assert_eq!(
            ip_cliente(&parts("127.0.0.1:5", Some("1.2.3.4, 5.6.7.8"))),
            "5.6.7.8".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            ip_cliente(&parts("9.9.9.9:5", Some("1.2.3.4"))),
            "9.9.9.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            ip_cliente(&parts("127.0.0.1:5", Some("basura"))),
            "127.0.0.1".parse::<IpAddr>().unwrap()
        );
    }
}
