//! The client's address behind a reverse proxy. `X-Forwarded-For` is believed
//! only from the proxies the operator trusts (`--trusted-proxies`): walking it
//! from the right, the first address that is not a trusted proxy is the client
//! (anything further left was written by the client and may be forged). From
//! anyone else the header is ignored and the peer is the client.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client address of a request, as the accept loop worked it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// From `10.0.0.0/8,127.0.0.1` (a bare address is one host).
    pub fn parse(list: &str) -> Result<Self, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("--trusted-proxies: {s:?} is not an address or CIDR range")
                    })
            })
            .collect::<Result<_, _>>()
            .map(Self)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.contains(peer) {
            return canonical(peer);
        }
        let hops: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map_while(|h| h.trim().parse::<IpAddr>().ok())
            .collect();
        hops.iter()
            .rev()
            .map(|&ip| canonical(ip))
            .find(|&ip| !self.contains(ip))
            .or_else(|| hops.first().map(|&ip| canonical(ip)))
            .unwrap_or(canonical(peer))
    }
}

/// IPv4 seen through an IPv6 socket (`::ffff:1.2.3.4`) as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let t = TrustedProxies::parse("10.0.0.0/8, 127.0.0.1").unwrap();
        // From a trusted proxy: the rightmost address that is not a proxy.
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &headers(&["203.0.113.7"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            t.client_ip(
                ip("127.0.0.1"),
                &headers(&["6.6.6.6, 203.0.113.7, 10.1.2.3"])
            ),
            ip("203.0.113.7")
        );
        assert_eq!(
            t.client_ip(ip("127.0.0.1"), &headers(&["6.6.6.6", "203.0.113.7"])),
            ip("203.0.113.7")
        );
        // No header, or only proxies in it.
        assert_eq!(t.client_ip(ip("10.0.0.5"), &headers(&[])), ip("10.0.0.5"));
        assert_eq!(
            t.client_ip(ip("10.0.0.5"), &headers(&["10.0.0.9"])),
            ip("10.0.0.9")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            t.client_ip(ip("198.51.100.1"), &headers(&["203.0.113.7"])),
            ip("198.51.100.1")
        );
        assert_eq!(
            TrustedProxies::default().client_ip(ip("127.0.0.1"), &headers(&["1.2.3.4"])),
            ip("127.0.0.1")
        );
        // IPv4 through an IPv6 socket.
        assert_eq!(
            t.client_ip(ip("::ffff:127.0.0.1"), &headers(&["203.0.113.7"])),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn bad_entries_are_refused_with_their_text() {
        assert!(TrustedProxies::parse("10.0.0.0/33")
            .unwrap_err()
            .contains("10.0.0.0/33"));
        assert!(TrustedProxies::parse("").unwrap().0.is_empty());
    }
}
