//! What a link is made of: its peer, its two sessions' addresses, policies and toggles.

use ipnet::{Ipv4Net, Ipv6Net};
use rib::RoutingPolicy;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// Scaleway's AS number on InterLink (DESIGN.md).
pub const SCALEWAY_ASN: u32 = 12876;

/// The two sessions of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// The IPv4 session, carrying IPv4 unicast.
    Ipv4,
    /// The IPv6 session, carrying IPv6 unicast.
    Ipv6,
}

impl Family {
    /// Both families, IPv4 first.
    pub const ALL: [Family; 2] = [Family::Ipv4, Family::Ipv6];

    /// The AFI the session carries.
    pub fn afi(self) -> bgp_wire::Afi {
        match self {
            Family::Ipv4 => bgp_wire::Afi::IPV4,
            Family::Ipv6 => bgp_wire::Afi::IPV6,
        }
    }

    /// `ipv4` or `ipv6`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }
}

/// Session timers. The defaults are short: an emulator should come up quickly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionTimers {
    /// The hold time offered in OPEN, in seconds (keepalives at a third of the negotiated one).
    pub hold_time: u16,
    /// How long to wait before connecting again after a failed attempt.
    pub connect_retry: Duration,
    /// How long an Idle session waits before starting again after an error.
    pub idle_hold: Duration,
}

impl Default for SessionTimers {
    fn default() -> Self {
        Self {
            hold_time: 90,
            connect_retry: Duration::from_secs(5),
            idle_hold: Duration::from_secs(1),
        }
    }
}

/// A link as the engine runs it.
#[derive(Clone, Debug)]
pub struct LinkSpec {
    /// The link's identifier.
    pub id: String,
    /// Scaleway's AS number (12876).
    pub local_asn: u32,
    /// The peer's AS number.
    pub peer_asn: u32,
    /// The BGP identifier of Scaleway's side.
    pub bgp_identifier: Ipv4Addr,
    /// The IPv4 session's /31: Scaleway on the even address, the peer on the odd one.
    pub ipv4: Ipv4Net,
    /// The IPv6 session's /127: Scaleway on the first address, the peer on the second.
    pub ipv6: Ipv6Net,
    /// The TCP port both sides use (179).
    pub port: u16,
    /// The IPv4 policy; `None` leaves the IPv4 session unconfigured (`disabled`).
    pub policy_v4: Option<RoutingPolicy>,
    /// The IPv6 policy; `None` leaves the IPv6 session unconfigured (`disabled`).
    pub policy_v6: Option<RoutingPolicy>,
    /// The route-propagation toggle.
    pub enable_route_propagation: bool,
    /// The VPC's prefixes (private network subnets): what may be announced to the peer,
    /// originated here (ORIGIN IGP, AS_PATH of the local AS only).
    pub vpc_prefixes: Vec<ipnet::IpNet>,
    /// Routes learned elsewhere that the link relays to its peer with their learned attributes
    /// (a transit relay, as OVHcloud Connect relays between a PoP and a datacenter). They are
    /// exported as an eBGP speaker exports a learned route (RFC 4271 §5.1.2–5.1.4): the local
    /// AS prepended to the AS_PATH, ORIGIN and communities kept, NEXT_HOP set to this side,
    /// MED and LOCAL_PREF dropped. `prefix_filter_out` and the route-propagation toggle apply
    /// as to the VPC's prefixes; a prefix that is also in [`LinkSpec::vpc_prefixes`] is
    /// announced as originated here. A route learned from this link's own peer
    /// ([`rib::Route::peer`]) is never sent back to it.
    pub relayed: Vec<rib::Route>,
    /// A maximum number of prefixes the peer may announce per session (Cease 6/1 beyond).
    pub max_prefixes: Option<u32>,
    /// Session timers.
    pub timers: SessionTimers,
    /// Explicit (local, peer) addresses of the IPv4 session, overriding the /31 rule; for
    /// products that address otherwise (OVHcloud Connect: a /30, OVH on the first usable
    /// address, the customer on the second). `None` for InterLink.
    pub ipv4_addresses: Option<(Ipv4Addr, Ipv4Addr)>,
    /// AS_PATH loop detection (RFC 4271 §9.1.2): a route whose AS_PATH holds `local_asn` is
    /// not accepted (an UPDATE carrying one withdraws its NLRI, as FRR and BIRD do). On by
    /// default, as on every real router, for InterLink and OVHcloud Connect alike: a customer
    /// router with two links re-announces the VPC's prefixes learned on one to the other
    /// (AS_PATH `peer 12876`), and the provider must not believe it. Switch it off only to
    /// show what a speaker without it would do (an `allowas-in` of the provider's side).
    pub as_path_loop_detection: bool,
}

impl LinkSpec {
    /// A link with no policy, propagation off, on port 179 with default timers.
    pub fn new(id: impl Into<String>, peer_asn: u32, ipv4: Ipv4Net, ipv6: Ipv6Net) -> Self {
        Self {
            id: id.into(),
            local_asn: SCALEWAY_ASN,
            peer_asn,
            bgp_identifier: ipv4.network(),
            ipv4,
            ipv6,
            port: 179,
            policy_v4: None,
            policy_v6: None,
            enable_route_propagation: false,
            vpc_prefixes: Vec::new(),
            relayed: Vec::new(),
            max_prefixes: None,
            timers: SessionTimers::default(),
            ipv4_addresses: None,
            as_path_loop_detection: true,
        }
    }

    /// Scaleway's address and the peer's address of one session ([`LinkSpec::ipv4_addresses`]
    /// when set).
    pub fn addresses(&self, family: Family) -> (IpAddr, IpAddr) {
        match family {
            Family::Ipv4 if let Some((local, peer)) = self.ipv4_addresses => {
                (local.into(), peer.into())
            }
            Family::Ipv4 => {
                let base = u32::from(self.ipv4.network());
                (Ipv4Addr::from(base).into(), Ipv4Addr::from(base | 1).into())
            }
            Family::Ipv6 => {
                let base = u128::from(self.ipv6.network());
                (
                    std::net::Ipv6Addr::from(base).into(),
                    std::net::Ipv6Addr::from(base | 1).into(),
                )
            }
        }
    }

    /// The policy of one session.
    pub fn policy(&self, family: Family) -> Option<&RoutingPolicy> {
        match family {
            Family::Ipv4 => self.policy_v4.as_ref(),
            Family::Ipv6 => self.policy_v6.as_ref(),
        }
    }

    pub(crate) fn policy_mut(&mut self, family: Family) -> &mut Option<RoutingPolicy> {
        match family {
            Family::Ipv4 => &mut self.policy_v4,
            Family::Ipv6 => &mut self.policy_v6,
        }
    }
}
