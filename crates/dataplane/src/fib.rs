//! The forwarding information base: routes by prefix, and longest-prefix match.
//!
//! A [`Fib`] holds, per prefix, the candidate routes from each source (connected, static,
//! BGP) and forwards on the preferred one: connected before static before BGP, the way a router's
//! administrative distance does it. Lookups are longest-prefix matches on `prefix-trie`, one
//! trie per address family.
//!
//! What is *not* here: why a route is missing. Routes that were received but withheld (filtered
//! by policy, propagation disabled) are kept beside the FIB by [`crate::Vrf`].

use std::fmt;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;

use crate::ids::InterfaceId;

/// Where a route comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RouteSource {
    /// The subnet of an address configured on an interface (a private network, a link's /31 or
    /// /127, an OVH /30 or datacenter subnet).
    Connected,
    /// Configured by hand: an OVHcloud Connect `network` extra (`subnet` via `nextHop`), or a
    /// customer router's static route.
    Static,
    /// Learned over BGP and installed by the engine. `peer` names the session the way an engineer
    /// would, e.g. `link "prod"` or `neighbor 192.0.2.1`.
    Bgp {
        /// Who the route was learned from.
        peer: String,
    },
}

impl RouteSource {
    /// The administrative distance: among routes for the same prefix, the lowest wins.
    pub fn distance(&self) -> u8 {
        match self {
            RouteSource::Connected => 0,
            RouteSource::Static => 1,
            RouteSource::Bgp { .. } => 20,
        }
    }
}

impl fmt::Display for RouteSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteSource::Connected => f.write_str("connected"),
            RouteSource::Static => f.write_str("static"),
            RouteSource::Bgp { peer } => write!(f, "BGP from {peer}"),
        }
    }
}

/// Where a matching packet goes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NextHop {
    /// The destination is on the segment behind this interface: the packet goes to the
    /// destination address itself.
    Connected(InterfaceId),
    /// Via a gateway address, itself resolved by a lookup in the same VRF.
    Gateway(IpAddr),
}

impl fmt::Display for NextHop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::Connected(_) => f.write_str("directly connected"),
            NextHop::Gateway(address) => write!(f, "via {address}"),
        }
    }
}

/// One route: a prefix, its next hop, and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Route {
    /// The destination prefix, host bits cleared.
    pub prefix: IpNet,
    /// Where matching packets go.
    pub next_hop: NextHop,
    /// Who put the route there.
    pub source: RouteSource,
}

impl Route {
    /// A route; host bits of `prefix` are cleared.
    pub fn new(prefix: IpNet, next_hop: NextHop, source: RouteSource) -> Self {
        Route {
            prefix: prefix.trunc(),
            next_hop,
            source,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.prefix, self.next_hop, self.source)
    }
}

/// Routes by prefix, with longest-prefix match.
///
/// ```
/// use dataplane::{Fib, NextHop, Route, RouteSource};
///
/// let mut fib = Fib::new();
/// let gw = "169.254.0.1".parse().unwrap();
/// let peer = RouteSource::Bgp { peer: "link \"prod\"".into() };
/// fib.insert(Route::new("10.0.0.0/8".parse().unwrap(), NextHop::Gateway(gw), peer.clone()));
/// fib.insert(Route::new("10.1.0.0/16".parse().unwrap(), NextHop::Gateway(gw), peer));
///
/// let hit = fib.lookup("10.1.2.3".parse().unwrap()).unwrap();
/// assert_eq!(hit.prefix.to_string(), "10.1.0.0/16");
/// assert_eq!(fib.lookup("10.9.0.1".parse().unwrap()).unwrap().prefix.to_string(), "10.0.0.0/8");
/// assert!(fib.lookup("192.0.2.1".parse().unwrap()).is_none());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Fib {
    v4: PrefixMap<Ipv4Net, Vec<Route>>,
    v6: PrefixMap<Ipv6Net, Vec<Route>>,
}

impl Fib {
    /// An empty FIB.
    pub fn new() -> Self {
        Fib::default()
    }

    fn candidates_mut(&mut self, prefix: IpNet) -> &mut Vec<Route> {
        match prefix.trunc() {
            IpNet::V4(p) => self.v4.entry(p).or_default(),
            IpNet::V6(p) => self.v6.entry(p).or_default(),
        }
    }

    fn candidates(&self, prefix: IpNet) -> Option<&Vec<Route>> {
        match prefix.trunc() {
            IpNet::V4(p) => self.v4.get(&p),
            IpNet::V6(p) => self.v6.get(&p),
        }
    }

    /// Adds `route`, replacing the route for the same prefix from the same source. Returns the
    /// route it replaced.
    pub fn insert(&mut self, route: Route) -> Option<Route> {
        let candidates = self.candidates_mut(route.prefix);
        let old = candidates
            .iter()
            .position(|r| r.source == route.source)
            .map(|i| candidates.remove(i));
        // Stable: among equal distances the earlier route stays preferred.
        let at = candidates
            .iter()
            .position(|r| r.source.distance() > route.source.distance())
            .unwrap_or(candidates.len());
        candidates.insert(at, route);
        old
    }

    /// Removes the route for `prefix` from `source`, and returns it.
    pub fn remove(&mut self, prefix: IpNet, source: &RouteSource) -> Option<Route> {
        let prefix = prefix.trunc();
        let (removed, now_empty) = {
            let candidates = match prefix {
                IpNet::V4(p) => self.v4.get_mut(&p),
                IpNet::V6(p) => self.v6.get_mut(&p),
            }?;
            let i = candidates.iter().position(|r| &r.source == source)?;
            let removed = candidates.remove(i);
            (removed, candidates.is_empty())
        };
        if now_empty {
            match prefix {
                IpNet::V4(p) => self.v4.remove(&p),
                IpNet::V6(p) => self.v6.remove(&p),
            };
        }
        Some(removed)
    }

    /// Removes every route from `source`.
    pub fn remove_source(&mut self, source: &RouteSource) {
        self.v4
            .values_mut()
            .for_each(|c| c.retain(|r| &r.source != source));
        self.v6
            .values_mut()
            .for_each(|c| c.retain(|r| &r.source != source));
        self.v4.retain(|_, c| !c.is_empty());
        self.v6.retain(|_, c| !c.is_empty());
    }

    /// The preferred route for exactly `prefix`.
    pub fn get(&self, prefix: IpNet) -> Option<&Route> {
        self.candidates(prefix)?.first()
    }

    /// The preferred route of the longest prefix that contains `address`.
    pub fn lookup(&self, address: IpAddr) -> Option<&Route> {
        match address {
            IpAddr::V4(a) => self.v4.get_lpm(&Ipv4Net::from(a))?.1.first(),
            IpAddr::V6(a) => self.v6.get_lpm(&Ipv6Net::from(a))?.1.first(),
        }
    }

    /// The preferred route of every prefix, IPv4 first, each family in prefix order.
    pub fn routes(&self) -> impl Iterator<Item = &Route> {
        let v4 = self.v4.values().filter_map(|c| c.first());
        let v6 = self.v6.values().filter_map(|c| c.first());
        v4.chain(v6)
    }

    /// The number of prefixes with a route.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len()
    }

    /// True when no prefix has a route.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn via(s: &str) -> NextHop {
        NextHop::Gateway(s.parse().unwrap())
    }

    fn bgp(peer: &str) -> RouteSource {
        RouteSource::Bgp { peer: peer.into() }
    }

    #[test]
    fn connected_beats_static_beats_bgp() {
        let mut fib = Fib::new();
        let p = net("10.0.0.0/24");
        fib.insert(Route::new(p, via("192.0.2.1"), bgp("a")));
        fib.insert(Route::new(p, via("192.0.2.2"), RouteSource::Static));
        assert_eq!(fib.get(p).unwrap().source, RouteSource::Static);
        fib.insert(Route::new(
            p,
            NextHop::Connected(InterfaceId(0)),
            RouteSource::Connected,
        ));
        assert_eq!(fib.get(p).unwrap().source, RouteSource::Connected);
        assert_eq!(fib.len(), 1);
        fib.remove(p, &RouteSource::Connected);
        fib.remove(p, &RouteSource::Static);
        assert_eq!(fib.get(p).unwrap().source, bgp("a"));
        assert!(fib.remove(p, &bgp("b")).is_none());
        fib.remove(p, &bgp("a"));
        assert!(fib.is_empty());
    }

    #[test]
    fn insert_replaces_same_source() {
        let mut fib = Fib::new();
        let p = net("2001:db8::/32");
        assert!(
            fib.insert(Route::new(p, via("fe80::1"), bgp("a")))
                .is_none()
        );
        let old = fib.insert(Route::new(p, via("fe80::2"), bgp("a"))).unwrap();
        assert_eq!(old.next_hop, via("fe80::1"));
        assert_eq!(fib.get(p).unwrap().next_hop, via("fe80::2"));
        assert_eq!(fib.routes().count(), 1);
    }

    #[test]
    fn host_bits_are_cleared() {
        let mut fib = Fib::new();
        fib.insert(Route::new(
            net("10.1.2.3/16"),
            via("192.0.2.1"),
            RouteSource::Static,
        ));
        assert_eq!(
            fib.get(net("10.1.0.0/16")).unwrap().prefix,
            net("10.1.0.0/16")
        );
        assert!(fib.lookup("10.1.200.1".parse().unwrap()).is_some());
    }

    #[test]
    fn remove_source_drops_a_peers_routes() {
        let mut fib = Fib::new();
        fib.insert(Route::new(net("10.0.0.0/8"), via("192.0.2.1"), bgp("a")));
        fib.insert(Route::new(net("10.1.0.0/16"), via("192.0.2.1"), bgp("a")));
        fib.insert(Route::new(net("10.1.0.0/16"), via("192.0.2.9"), bgp("b")));
        fib.remove_source(&bgp("a"));
        assert_eq!(fib.len(), 1);
        assert_eq!(
            fib.lookup("10.1.0.1".parse().unwrap()).unwrap().source,
            bgp("b")
        );
        assert!(fib.lookup("10.2.0.1".parse().unwrap()).is_none());
    }

    fn arb_v4_prefix() -> impl Strategy<Value = IpNet> {
        // A small address space so that prefixes overlap often.
        (0u32..16, 0u8..=32).prop_map(|(hi, len)| {
            let addr = std::net::Ipv4Addr::from((hi << 28) | (hi << 4));
            IpNet::V4(Ipv4Net::new(addr, len).unwrap().trunc())
        })
    }

    fn arb_v6_prefix() -> impl Strategy<Value = IpNet> {
        (0u128..16, 0u8..=128).prop_map(|(hi, len)| {
            let addr = std::net::Ipv6Addr::from((hi << 124) | hi);
            IpNet::V6(Ipv6Net::new(addr, len).unwrap().trunc())
        })
    }

    fn arb_addr() -> impl Strategy<Value = IpAddr> {
        prop_oneof![
            (0u32..16, any::<u32>()).prop_map(|(hi, lo)| IpAddr::from(std::net::Ipv4Addr::from(
                (hi << 28) | (lo >> 4)
            ))),
            (0u128..16, any::<u128>()).prop_map(|(hi, lo)| IpAddr::from(std::net::Ipv6Addr::from(
                (hi << 124) | (lo >> 4)
            ))),
        ]
    }

    proptest! {
        /// Longest-prefix match agrees with a linear scan for the longest containing prefix.
        #[test]
        fn lpm_agrees_with_linear_scan(
            prefixes in proptest::collection::vec(prop_oneof![arb_v4_prefix(), arb_v6_prefix()], 0..40),
            removed in proptest::collection::vec(any::<proptest::sample::Index>(), 0..10),
            probes in proptest::collection::vec(arb_addr(), 1..40),
        ) {
            let mut fib = Fib::new();
            let mut table: Vec<IpNet> = Vec::new();
            for (i, p) in prefixes.iter().enumerate() {
                let hop = NextHop::Connected(InterfaceId(i));
                fib.insert(Route::new(*p, hop, RouteSource::Static));
                if !table.contains(p) {
                    table.push(*p);
                }
            }
            for index in removed {
                if table.is_empty() {
                    break;
                }
                let p = table.remove(index.index(table.len()));
                prop_assert!(fib.remove(p, &RouteSource::Static).is_some());
            }
            prop_assert_eq!(fib.len(), table.len());
            for probe in probes {
                let expected = table
                    .iter()
                    .filter(|p| p.contains(&probe))
                    .max_by_key(|p| p.prefix_len());
                let got = fib.lookup(probe).map(|r| r.prefix);
                prop_assert_eq!(got, expected.copied(), "probe {}", probe);
            }
        }
    }
}
