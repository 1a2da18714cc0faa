//! A VRF: one routing table of a node, and the memory of why routes are missing from it.
//!
//! The provider side has one VRF per VPC; a customer router or a host has one VRF, `default`.
//! Besides its [`Fib`], a VRF keeps the routes it was offered but did not install
//! ([`WithheldRoute`]: filtered by `prefix_filter_in`, route propagation disabled, session
//! down) and the state of the BGP sessions that feed it, so that a trace can say *why* there is
//! no route, not only that there is none.
//!
//! Who decides what is withheld is the engine (policies live in `rib`); this module only records
//! it.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use prefix_trie::PrefixMap;

use crate::fib::{Fib, Route, RouteSource};

/// The name of the VRF every node starts with.
pub const DEFAULT_VRF: &str = "default";

/// Why a received route is not in the FIB.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WithheldReason {
    /// Not admitted by the named filter (e.g. `prefix_filter_in` of routing policy "v4").
    FilteredByPolicy {
        /// The filter, named as the product names it.
        filter: String,
    },
    /// Accepted by policy, but `enable_route_propagation` is false on the link.
    PropagationDisabled,
    /// Learned earlier, but the session it came from is down.
    SessionDown,
}

/// Which way a withheld route did not go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The peer sent it; this side did not install it (`prefix_filter_in`, propagation off on
    /// the provider side).
    #[default]
    Received,
    /// The peer has it but did not announce it here (its `prefix_filter_out`, propagation off):
    /// what a customer router is missing.
    NotAnnounced,
}

/// A route that was received from a peer but is not installed (or that the peer did not
/// announce), and why.
///
/// ```
/// use dataplane::{WithheldReason, WithheldRoute};
///
/// let route = WithheldRoute::new(
///     "10.2.0.0/16".parse().unwrap(),
///     "link \"prod\"",
///     WithheldReason::FilteredByPolicy { filter: "prefix_filter_in".into() },
/// );
/// assert_eq!(
///     route.to_string(),
///     "10.2.0.0/16 was received from link \"prod\" but rejected by prefix_filter_in"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WithheldRoute {
    /// The prefix, host bits cleared.
    pub prefix: IpNet,
    /// The peer it came from, named as in [`RouteSource::Bgp`].
    pub from: String,
    /// Why it is not installed.
    pub reason: WithheldReason,
    /// Received and not installed, or never announced.
    pub direction: Direction,
}

impl WithheldRoute {
    /// A withheld route; host bits of `prefix` are cleared.
    pub fn new(prefix: IpNet, from: impl Into<String>, reason: WithheldReason) -> Self {
        WithheldRoute {
            prefix: prefix.trunc(),
            from: from.into(),
            reason,
            direction: Direction::Received,
        }
    }

    /// A route that `by` has but does not announce to this VRF, and why.
    ///
    /// ```
    /// use dataplane::{WithheldReason, WithheldRoute};
    ///
    /// let route = WithheldRoute::not_announced(
    ///     "172.16.4.0/22".parse().unwrap(),
    ///     "link \"prod\"",
    ///     WithheldReason::PropagationDisabled,
    /// );
    /// assert_eq!(
    ///     route.to_string(),
    ///     "172.16.4.0/22 is not announced by link \"prod\": route propagation is disabled"
    /// );
    /// ```
    pub fn not_announced(prefix: IpNet, by: impl Into<String>, reason: WithheldReason) -> Self {
        WithheldRoute {
            direction: Direction::NotAnnounced,
            ..WithheldRoute::new(prefix, by, reason)
        }
    }
}

impl fmt::Display for WithheldRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let WithheldRoute {
            prefix,
            from,
            reason,
            direction,
        } = self;
        if *direction == Direction::NotAnnounced {
            write!(f, "{prefix} is not announced by {from}: ")?;
            return match reason {
                WithheldReason::FilteredByPolicy { filter } => {
                    write!(f, "{filter} does not admit it")
                }
                WithheldReason::PropagationDisabled => f.write_str("route propagation is disabled"),
                WithheldReason::SessionDown => f.write_str("that BGP session is down"),
            };
        }
        match reason {
            WithheldReason::FilteredByPolicy { filter } => {
                write!(
                    f,
                    "{prefix} was received from {from} but rejected by {filter}"
                )
            }
            WithheldReason::PropagationDisabled => write!(
                f,
                "{prefix} was received from {from} and accepted, but route propagation is disabled"
            ),
            WithheldReason::SessionDown => write!(
                f,
                "{prefix} was learned from {from}, but that BGP session is down"
            ),
        }
    }
}

/// One routing table of a node, with the routes it withheld and the sessions feeding it.
///
/// ```
/// use dataplane::{NextHop, RouteSource, Vrf, WithheldReason, WithheldRoute};
///
/// let mut vrf = Vrf::new("prod");
/// let peer = "link \"prod\"";
/// let gw = NextHop::Gateway("169.254.0.1".parse().unwrap());
/// vrf.install_bgp("10.1.0.0/16".parse().unwrap(), gw, peer);
/// vrf.withhold(WithheldRoute::new(
///     "10.2.0.0/16".parse().unwrap(),
///     peer,
///     WithheldReason::FilteredByPolicy { filter: "prefix_filter_in".into() },
/// ));
///
/// assert!(vrf.fib().lookup("10.1.0.10".parse().unwrap()).is_some());
/// assert!(vrf.fib().lookup("10.2.0.10".parse().unwrap()).is_none());
/// let why = vrf.explain("10.2.0.10".parse().unwrap()).unwrap();
/// assert_eq!(why.reason, WithheldReason::FilteredByPolicy { filter: "prefix_filter_in".into() });
/// ```
#[derive(Clone, Debug, Default)]
pub struct Vrf {
    name: String,
    fib: Fib,
    withheld_v4: PrefixMap<Ipv4Net, Vec<WithheldRoute>>,
    withheld_v6: PrefixMap<Ipv6Net, Vec<WithheldRoute>>,
    sessions: BTreeMap<String, bool>,
}

impl Vrf {
    /// An empty VRF named `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Vrf {
            name: name.into(),
            ..Vrf::default()
        }
    }

    /// The VRF's name (a VPC's name on the provider side, [`DEFAULT_VRF`] elsewhere).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The routes packets are forwarded on.
    pub fn fib(&self) -> &Fib {
        &self.fib
    }

    /// The routes, to change by hand (static routes, tests).
    pub fn fib_mut(&mut self) -> &mut Fib {
        &mut self.fib
    }

    /// Installs a route learned over BGP from `peer`, and forgets that it was withheld.
    pub fn install_bgp(&mut self, prefix: IpNet, next_hop: crate::NextHop, peer: &str) {
        self.drop_withheld(prefix, peer);
        let source = RouteSource::Bgp { peer: peer.into() };
        self.fib.insert(Route::new(prefix, next_hop, source));
    }

    /// Records that `route` was received but not installed, and removes it from the FIB if the
    /// same peer had it installed.
    pub fn withhold(&mut self, route: WithheldRoute) {
        let source = RouteSource::Bgp {
            peer: route.from.clone(),
        };
        self.fib.remove(route.prefix, &source);
        self.drop_withheld(route.prefix, &route.from);
        match route.prefix {
            IpNet::V4(p) => self.withheld_v4.entry(p).or_default().push(route),
            IpNet::V6(p) => self.withheld_v6.entry(p).or_default().push(route),
        }
    }

    /// Forgets `prefix` from `peer` entirely: withdrawn by the peer.
    pub fn withdraw(&mut self, prefix: IpNet, peer: &str) {
        let source = RouteSource::Bgp { peer: peer.into() };
        self.fib.remove(prefix, &source);
        self.drop_withheld(prefix, peer);
    }

    /// Forgets every route from `peer`, installed or withheld (the engine then reports them again).
    pub fn clear_peer(&mut self, peer: &str) {
        self.fib
            .remove_source(&RouteSource::Bgp { peer: peer.into() });
        self.withheld_v4
            .values_mut()
            .for_each(|w| w.retain(|r| r.from != peer));
        self.withheld_v6
            .values_mut()
            .for_each(|w| w.retain(|r| r.from != peer));
        self.withheld_v4.retain(|_, w| !w.is_empty());
        self.withheld_v6.retain(|_, w| !w.is_empty());
    }

    fn drop_withheld(&mut self, prefix: IpNet, peer: &str) {
        let list = match prefix.trunc() {
            IpNet::V4(p) => self.withheld_v4.get_mut(&p),
            IpNet::V6(p) => self.withheld_v6.get_mut(&p),
        };
        if let Some(list) = list {
            list.retain(|r| r.from != peer);
        }
    }

    /// The most specific withheld route that covers `address`: why a packet to it has no route.
    pub fn explain(&self, address: IpAddr) -> Option<&WithheldRoute> {
        match address {
            IpAddr::V4(a) => self
                .withheld_v4
                .cover(&Ipv4Net::from(a))
                .filter_map(|(_, w)| w.first())
                .last(),
            IpAddr::V6(a) => self
                .withheld_v6
                .cover(&Ipv6Net::from(a))
                .filter_map(|(_, w)| w.first())
                .last(),
        }
    }

    /// Every withheld route.
    pub fn withheld(&self) -> impl Iterator<Item = &WithheldRoute> {
        let v4 = self.withheld_v4.values().flatten();
        let v6 = self.withheld_v6.values().flatten();
        v4.chain(v6)
    }

    /// Records whether the BGP session with `peer` (named as in [`RouteSource::Bgp`]) is up.
    pub fn set_session(&mut self, peer: impl Into<String>, up: bool) {
        self.sessions.insert(peer.into(), up);
    }

    /// The peers whose BGP session into this VRF is down, in name order.
    pub fn sessions_down(&self) -> impl Iterator<Item = &str> {
        self.sessions
            .iter()
            .filter(|(_, up)| !**up)
            .map(|(peer, _)| peer.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NextHop;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    fn gw() -> NextHop {
        NextHop::Gateway("169.254.0.1".parse().unwrap())
    }

    #[test]
    fn installing_forgets_the_withheld_reason_and_back() {
        let mut vrf = Vrf::new("prod");
        let p = net("10.1.0.0/16");
        vrf.withhold(WithheldRoute::new(
            p,
            "a",
            WithheldReason::PropagationDisabled,
        ));
        assert_eq!(vrf.withheld().count(), 1);
        vrf.install_bgp(p, gw(), "a");
        assert_eq!(vrf.withheld().count(), 0);
        assert!(vrf.fib().get(p).is_some());
        vrf.withhold(WithheldRoute::new(
            p,
            "a",
            WithheldReason::PropagationDisabled,
        ));
        assert!(vrf.fib().get(p).is_none());
        assert_eq!(vrf.withheld().count(), 1);
        vrf.withdraw(p, "a");
        assert_eq!(vrf.withheld().count(), 0);
    }

    #[test]
    fn explain_picks_the_most_specific() {
        let mut vrf = Vrf::new("prod");
        let filtered = WithheldReason::FilteredByPolicy {
            filter: "prefix_filter_in".into(),
        };
        vrf.withhold(WithheldRoute::new(net("10.0.0.0/8"), "a", filtered.clone()));
        vrf.withhold(WithheldRoute::new(
            net("10.2.0.0/16"),
            "a",
            WithheldReason::PropagationDisabled,
        ));
        vrf.withhold(WithheldRoute::new(
            net("2001:db8::/32"),
            "a",
            filtered.clone(),
        ));
        let why = |a: &str| vrf.explain(a.parse().unwrap()).map(|w| w.reason.clone());
        assert_eq!(why("10.2.3.4"), Some(WithheldReason::PropagationDisabled));
        assert_eq!(why("10.3.3.4"), Some(filtered.clone()));
        assert_eq!(why("2001:db8::1"), Some(filtered));
        assert_eq!(why("192.0.2.1"), None);
    }

    #[test]
    fn not_announced_wording() {
        let filtered = WithheldReason::FilteredByPolicy {
            filter: "prefix_filter_out of routing policy \"v4\"".into(),
        };
        let w = WithheldRoute::not_announced(net("172.16.0.0/16"), "link \"prod\"", filtered);
        assert_eq!(
            w.to_string(),
            "172.16.0.0/16 is not announced by link \"prod\": prefix_filter_out of routing \
             policy \"v4\" does not admit it"
        );
        let down =
            WithheldRoute::not_announced(net("172.16.0.0/16"), "x", WithheldReason::SessionDown);
        assert!(down.to_string().ends_with("that BGP session is down"));
        let mut vrf = Vrf::new(DEFAULT_VRF);
        vrf.withhold(down.clone());
        assert_eq!(vrf.explain("172.16.4.10".parse().unwrap()), Some(&down));
    }

    #[test]
    fn clear_peer_and_sessions() {
        let mut vrf = Vrf::new("prod");
        vrf.install_bgp(net("10.1.0.0/16"), gw(), "a");
        vrf.install_bgp(net("10.1.0.0/16"), gw(), "b");
        vrf.withhold(WithheldRoute::new(
            net("10.2.0.0/16"),
            "a",
            WithheldReason::SessionDown,
        ));
        vrf.clear_peer("a");
        assert_eq!(vrf.withheld().count(), 0);
        assert_eq!(
            vrf.fib().get(net("10.1.0.0/16")).unwrap().source,
            RouteSource::Bgp { peer: "b".into() }
        );
        vrf.set_session("a", false);
        vrf.set_session("b", true);
        assert_eq!(vrf.sessions_down().collect::<Vec<_>>(), vec!["a"]);
    }
}
