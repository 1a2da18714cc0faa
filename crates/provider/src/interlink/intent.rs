//! Intents: what the engine must do after a change of provider state. Plain data, no dependency on
//! the engine crate; the owner of both translates (e.g. `ConfigureLink` → `engine.add_link`).
//!
//! Intents are only emitted for links *in service* (self-hosted links past `configuring`, hosted
//! links past `provisioning`); a link entering service gets one `ConfigureLink` carrying all of its
//! configuration, and leaving it (deletion) one `RemoveLink`.

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};
use uuid::Uuid;

/// One of a link's two BGP sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// The IPv4 session (IPv4 unicast), driven by `routing_policy_v4_id`.
    Ipv4,
    /// The IPv6 session (IPv6 unicast), driven by `routing_policy_v6_id`.
    Ipv6,
}

impl Family {
    /// Both, IPv4 first.
    pub const ALL: [Family; 2] = [Family::Ipv4, Family::Ipv6];
}

/// A routing policy as the engine applies it ([`PolicyFilters::of`] a
/// [`RoutingPolicy`](super::RoutingPolicy)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyFilters {
    /// The policy.
    pub routing_policy_id: Uuid,
    /// Accepted from the peer.
    pub prefix_filter_in: Vec<IpNet>,
    /// Announced to the peer.
    pub prefix_filter_out: Vec<IpNet>,
}

/// Where a link's VLAN lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LinkHost {
    /// On the customer's dedicated connection.
    SelfHosted {
        /// The dedicated connection.
        connection_id: Uuid,
    },
    /// On a partner's shared connection.
    Hosted {
        /// The partner.
        partner_id: Uuid,
        /// The partner's shared connection.
        shared_connection_id: Uuid,
    },
}

/// Everything the engine needs to run a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkConfig {
    /// The link.
    pub link_id: Uuid,
    /// Its port.
    pub host: LinkHost,
    /// Its 802.1Q VLAN on that port.
    pub vlan: u16,
    /// Scaleway's ASN (12876).
    pub local_asn: u32,
    /// The peer's ASN.
    pub peer_asn: u32,
    /// The IPv4 session's /31: Scaleway on the even address, the peer on the odd one.
    pub ipv4: Ipv4Net,
    /// The IPv6 session's /127: Scaleway on the even address, the peer on the odd one.
    pub ipv6: Ipv6Net,
    /// The IPv4 policy; `None` leaves the IPv4 session unconfigured.
    pub policy_v4: Option<PolicyFilters>,
    /// The IPv6 policy; `None` leaves the IPv6 session unconfigured.
    pub policy_v6: Option<PolicyFilters>,
    /// The route-propagation toggle.
    pub enable_route_propagation: bool,
    /// The attached VPC.
    pub vpc_id: Option<Uuid>,
    /// The attached VPC's subnets (what may be announced).
    pub vpc_prefixes: Vec<IpNet>,
}

impl LinkConfig {
    /// Scaleway's and the peer's IPv4 addresses.
    pub fn ipv4_addresses(&self) -> (Ipv4Addr, Ipv4Addr) {
        let base = u32::from(self.ipv4.network());
        (Ipv4Addr::from(base), Ipv4Addr::from(base | 1))
    }

    /// Scaleway's and the peer's IPv6 addresses.
    pub fn ipv6_addresses(&self) -> (Ipv6Addr, Ipv6Addr) {
        let base = u128::from(self.ipv6.network());
        (Ipv6Addr::from(base), Ipv6Addr::from(base | 1))
    }
}

/// What the engine must do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "intent")]
pub enum Intent {
    /// Start (or fully restart) a link with this configuration.
    ConfigureLink(LinkConfig),
    /// Change one session's policy. `None` unconfigures the session (detach). `in_place` (from
    /// `set-routing-policy` or a policy update) asks for re-evaluation without a session reset:
    /// routes both policies allow stay.
    SetPolicy {
        /// The link.
        link_id: Uuid,
        /// Which session.
        family: Family,
        /// The new policy.
        policy: Option<PolicyFilters>,
        /// Replace without dropping what both allow.
        in_place: bool,
    },
    /// Turn route propagation on or off.
    SetRoutePropagation {
        /// The link.
        link_id: Uuid,
        /// The new value.
        enabled: bool,
    },
    /// Attach (`Some`) or detach (`None`) a VPC.
    SetVpc {
        /// The link.
        link_id: Uuid,
        /// The VPC.
        vpc_id: Option<Uuid>,
        /// Its subnets.
        prefixes: Vec<IpNet>,
    },
    /// The peer's ASN changed (the sessions restart).
    SetPeerAsn {
        /// The link.
        link_id: Uuid,
        /// The new ASN.
        peer_asn: u32,
    },
    /// Stop the link and forget it.
    RemoveLink {
        /// The link.
        link_id: Uuid,
    },
}

impl Intent {
    /// The link the intent is about.
    pub fn link_id(&self) -> Uuid {
        match self {
            Intent::ConfigureLink(c) => c.link_id,
            Intent::SetPolicy { link_id, .. }
            | Intent::SetRoutePropagation { link_id, .. }
            | Intent::SetVpc { link_id, .. }
            | Intent::SetPeerAsn { link_id, .. }
            | Intent::RemoveLink { link_id } => *link_id,
        }
    }
}
