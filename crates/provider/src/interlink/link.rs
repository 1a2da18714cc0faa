//! Links: the resource (SDK `Link`), its enums, what the provider keeps of it, and how its
//! status follows from its lifecycle and its two BGP sessions.
//!
//! # Status
//! A link's lifecycle (see `lifecycle.rs`) goes
//! - self-hosted: `configuring` → in service;
//! - hosted: `configuring` → `requested` → `provisioning` → in service, or `requested` →
//!   `refused` / `expired`.
//!
//! In service, the status follows the sessions, as Scaleway's status page describes them. A
//! session is *configured* when a routing policy of its family is attached (the API: "attaches
//! this routing policy … Hence, a BGP IPv4 session will be created"); an unconfigured session
//! shows `disabled`, a configured one `up` or `down` as the engine reports it
//! ([`InterLink::set_session_status`](super::InterLink::set_session_status)). Then
//! ([`derive_link_status`]):
//! - `active`: at least one session configured, and every configured session up;
//! - `limited_connectivity`: some configured sessions up, some down;
//! - `ready`: nothing up and no session ever established ("created and ready to connect … the
//!   customer network device is not yet successfully configured");
//! - `all_down`: nothing up, but a session was established before.
//!
//! A locked link shows `locked` whatever else; a deleted one is answered once with `deleted`.

use super::intent::Family;
use crate::region::Region;
use chrono::{DateTime, Utc};
use ipnet::{Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Status of one BGP session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BgpStatus {
    /// Unknown; as a filter, no filter.
    UnknownBgpStatus,
    /// Established.
    Up,
    /// Configured, not established.
    Down,
    /// Not configured (no routing policy of this family, or the link is not in service).
    Disabled,
}

/// Status of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkStatus {
    /// Unknown; as a filter, no filter.
    UnknownLinkStatus,
    /// Being configured (transient: no action is accepted).
    Configuring,
    /// Scaleway could not create it.
    Failed,
    /// Hosted: waiting for the partner to accept.
    Requested,
    /// Hosted: the partner refused.
    Refused,
    /// Hosted: the partner did not answer in time.
    Expired,
    /// Hosted: the partner is provisioning it.
    Provisioning,
    /// In service, every configured session up.
    Active,
    /// In service, some sessions down.
    LimitedConnectivity,
    /// In service, every session down after having been up.
    AllDown,
    /// Being deleted.
    Deprovisioning,
    /// Deleted.
    Deleted,
    /// Locked by Trust and Safety.
    Locked,
    /// In service, ready to connect: no session established yet.
    Ready,
}

impl LinkStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkStatus::UnknownLinkStatus => "unknown_link_status",
            LinkStatus::Configuring => "configuring",
            LinkStatus::Failed => "failed",
            LinkStatus::Requested => "requested",
            LinkStatus::Refused => "refused",
            LinkStatus::Expired => "expired",
            LinkStatus::Provisioning => "provisioning",
            LinkStatus::Active => "active",
            LinkStatus::LimitedConnectivity => "limited_connectivity",
            LinkStatus::AllDown => "all_down",
            LinkStatus::Deprovisioning => "deprovisioning",
            LinkStatus::Deleted => "deleted",
            LinkStatus::Locked => "locked",
            LinkStatus::Ready => "ready",
        }
    }
}

/// Kind of link, as a `ListLinks` filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Through a partner.
    Hosted,
    /// On the customer's dedicated connection.
    SelfHosted,
    /// Through a partner without L3 connectivity.
    L2Hosted,
    /// Through a partner with L3 connectivity.
    L3Hosted,
}

/// One side's BGP parameters. Addresses are given with their prefix length (`169.254.0.1/31`),
/// which is what a router is configured with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BgpConfig {
    /// AS number.
    pub asn: u32,
    /// IPv4 address.
    pub ipv4: Ipv4Net,
    /// IPv6 address.
    pub ipv6: Ipv6Net,
}

/// Hosted link details.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartnerHost {
    /// The partner.
    pub partner_id: Uuid,
    /// What the customer gives the partner to identify the link.
    pub pairing_key: String,
    /// Whether the partner offers L3.
    pub l3_connectivity: bool,
    /// Why the partner refused, if it did.
    pub disapproved_reason: Option<String>,
}

/// Self-hosted link details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelfHost {
    /// The dedicated connection.
    pub connection_id: Uuid,
}

/// A link (SDK `Link`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// ID.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Name.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// PoP.
    pub pop_id: Uuid,
    /// Rate-limited bandwidth.
    pub bandwidth_mbps: u64,
    /// Status.
    pub status: LinkStatus,
    /// IPv4 session status.
    pub bgp_v4_status: BgpStatus,
    /// IPv6 session status.
    pub bgp_v6_status: BgpStatus,
    /// Route propagation.
    pub enable_route_propagation: bool,
    /// VLAN.
    pub vlan: u16,
    /// Region.
    pub region: Region,
    /// Attached VPC.
    pub vpc_id: Option<Uuid>,
    /// Deprecated: `routing_policy_v4_id`, else `routing_policy_v6_id`.
    pub routing_policy_id: Option<Uuid>,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last modification date.
    pub updated_at: DateTime<Utc>,
    /// Scaleway's side.
    pub scw_bgp_config: Option<BgpConfig>,
    /// The peer's side.
    pub peer_bgp_config: Option<BgpConfig>,
    /// IPv4 policy.
    pub routing_policy_v4_id: Option<Uuid>,
    /// IPv6 policy.
    pub routing_policy_v6_id: Option<Uuid>,
    /// Hosted link details (exactly one of `partner` and `self` is set).
    pub partner: Option<PartnerHost>,
    /// Self-hosted link details.
    #[serde(rename = "self")]
    pub self_: Option<SelfHost>,
}

/// The status of a link in service, from its sessions' statuses (see the module documentation).
///
/// ```
/// use provider::interlink::{derive_link_status, BgpStatus::*, LinkStatus};
/// assert_eq!(derive_link_status(Up, Disabled, false), LinkStatus::Active);
/// assert_eq!(derive_link_status(Up, Down, true), LinkStatus::LimitedConnectivity);
/// assert_eq!(derive_link_status(Down, Down, false), LinkStatus::Ready);
/// assert_eq!(derive_link_status(Down, Disabled, true), LinkStatus::AllDown);
/// ```
pub fn derive_link_status(v4: BgpStatus, v6: BgpStatus, ever_established: bool) -> LinkStatus {
    let configured: Vec<BgpStatus> = [v4, v6]
        .into_iter()
        .filter(|s| matches!(s, BgpStatus::Up | BgpStatus::Down))
        .collect();
    let up = configured.iter().filter(|s| **s == BgpStatus::Up).count();
    if !configured.is_empty() && up == configured.len() {
        LinkStatus::Active
    } else if up > 0 {
        LinkStatus::LimitedConnectivity
    } else if ever_established {
        LinkStatus::AllDown
    } else {
        LinkStatus::Ready
    }
}

/// Where a link is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Phase {
    Configuring,
    Requested,
    Provisioning,
    InService,
    Refused,
    Expired,
}

/// How a link is hosted, as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Host {
    SelfHosted {
        connection_id: Uuid,
    },
    Hosted {
        partner_id: Uuid,
        shared_connection_id: Uuid,
        pairing_key: String,
        l3_connectivity: bool,
        disapproved_reason: Option<String>,
    },
}

/// A link as the provider keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LinkRecord {
    pub seq: u64,
    pub id: Uuid,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub region: Region,
    pub name: String,
    pub tags: Vec<String>,
    pub pop_id: Uuid,
    pub bandwidth_mbps: u64,
    /// The dedicated or shared connection carrying it.
    pub port_id: Uuid,
    pub host: Host,
    pub vlan: u16,
    pub peer_asn: u32,
    pub ipv4: Ipv4Net,
    pub ipv6: Ipv6Net,
    pub routing_policy_v4_id: Option<Uuid>,
    pub routing_policy_v6_id: Option<Uuid>,
    pub vpc_id: Option<Uuid>,
    pub enable_route_propagation: bool,
    pub phase: Phase,
    pub phase_since: DateTime<Utc>,
    pub reported_v4: BgpStatus,
    pub reported_v6: BgpStatus,
    pub ever_established: bool,
    pub locked: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl LinkRecord {
    pub fn is_in_service(&self) -> bool {
        self.phase == Phase::InService
    }

    pub fn is_hosted(&self) -> bool {
        matches!(self.host, Host::Hosted { .. })
    }

    pub fn policy_id(&self, family: Family) -> Option<Uuid> {
        match family {
            Family::Ipv4 => self.routing_policy_v4_id,
            Family::Ipv6 => self.routing_policy_v6_id,
        }
    }

    pub fn policy_slot(&mut self, family: Family) -> &mut Option<Uuid> {
        match family {
            Family::Ipv4 => &mut self.routing_policy_v4_id,
            Family::Ipv6 => &mut self.routing_policy_v6_id,
        }
    }

    pub fn reported_slot(&mut self, family: Family) -> &mut BgpStatus {
        match family {
            Family::Ipv4 => &mut self.reported_v4,
            Family::Ipv6 => &mut self.reported_v6,
        }
    }

    /// The session status the API shows.
    pub fn shown_bgp(&self, family: Family) -> BgpStatus {
        if !self.is_in_service() || self.policy_id(family).is_none() {
            return BgpStatus::Disabled;
        }
        let reported = match family {
            Family::Ipv4 => self.reported_v4,
            Family::Ipv6 => self.reported_v6,
        };
        if reported == BgpStatus::Up {
            BgpStatus::Up
        } else {
            BgpStatus::Down
        }
    }

    pub fn status(&self) -> LinkStatus {
        if self.locked {
            return LinkStatus::Locked;
        }
        match self.phase {
            Phase::Configuring => LinkStatus::Configuring,
            Phase::Requested => LinkStatus::Requested,
            Phase::Provisioning => LinkStatus::Provisioning,
            Phase::Refused => LinkStatus::Refused,
            Phase::Expired => LinkStatus::Expired,
            Phase::InService => derive_link_status(
                self.shown_bgp(Family::Ipv4),
                self.shown_bgp(Family::Ipv6),
                self.ever_established,
            ),
        }
    }

    pub fn kind_matches(&self, kind: LinkKind) -> bool {
        match (&self.host, kind) {
            (Host::SelfHosted { .. }, LinkKind::SelfHosted) => true,
            (Host::Hosted { .. }, LinkKind::Hosted) => true,
            (
                Host::Hosted {
                    l3_connectivity, ..
                },
                LinkKind::L3Hosted,
            ) => *l3_connectivity,
            (
                Host::Hosted {
                    l3_connectivity, ..
                },
                LinkKind::L2Hosted,
            ) => !*l3_connectivity,
            _ => false,
        }
    }

    pub fn view(&self) -> Link {
        let (scw, peer) = bgp_configs(self.ipv4, self.ipv6, self.peer_asn);
        let (partner, self_) = match &self.host {
            Host::SelfHosted { connection_id } => (
                None,
                Some(SelfHost {
                    connection_id: *connection_id,
                }),
            ),
            Host::Hosted {
                partner_id,
                pairing_key,
                l3_connectivity,
                disapproved_reason,
                ..
            } => (
                Some(PartnerHost {
                    partner_id: *partner_id,
                    pairing_key: pairing_key.clone(),
                    l3_connectivity: *l3_connectivity,
                    disapproved_reason: disapproved_reason.clone(),
                }),
                None,
            ),
        };
        Link {
            id: self.id,
            project_id: self.project_id,
            organization_id: self.organization_id,
            name: self.name.clone(),
            tags: self.tags.clone(),
            pop_id: self.pop_id,
            bandwidth_mbps: self.bandwidth_mbps,
            status: self.status(),
            bgp_v4_status: self.shown_bgp(Family::Ipv4),
            bgp_v6_status: self.shown_bgp(Family::Ipv6),
            enable_route_propagation: self.enable_route_propagation,
            vlan: self.vlan,
            region: self.region,
            vpc_id: self.vpc_id,
            routing_policy_id: self.routing_policy_v4_id.or(self.routing_policy_v6_id),
            created_at: self.created_at,
            updated_at: self.updated_at,
            scw_bgp_config: Some(scw),
            peer_bgp_config: Some(peer),
            routing_policy_v4_id: self.routing_policy_v4_id,
            routing_policy_v6_id: self.routing_policy_v6_id,
            partner,
            self_,
        }
    }
}

/// Scaleway's and the peer's BGP configs of a link: Scaleway on the even address of each block.
pub(crate) fn bgp_configs(ipv4: Ipv4Net, ipv6: Ipv6Net, peer_asn: u32) -> (BgpConfig, BgpConfig) {
    let v4 = u32::from(ipv4.network());
    let v6 = u128::from(ipv6.network());
    let side = |offset: u32, asn: u32| BgpConfig {
        asn,
        ipv4: Ipv4Net::new_assert((v4 | offset).into(), 31),
        ipv6: Ipv6Net::new_assert((v6 | u128::from(offset)).into(), 127),
    };
    (side(0, crate::catalogue::SCALEWAY_ASN), side(1, peer_asn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use BgpStatus::*;

    #[test]
    fn status_table() {
        let cases = [
            (Disabled, Disabled, false, LinkStatus::Ready),
            (Disabled, Disabled, true, LinkStatus::AllDown),
            (Down, Disabled, false, LinkStatus::Ready),
            (Down, Down, true, LinkStatus::AllDown),
            (Up, Disabled, false, LinkStatus::Active),
            (Disabled, Up, true, LinkStatus::Active),
            (Up, Up, true, LinkStatus::Active),
            (Up, Down, true, LinkStatus::LimitedConnectivity),
            (Down, Up, true, LinkStatus::LimitedConnectivity),
        ];
        for (v4, v6, ever, want) in cases {
            assert_eq!(
                derive_link_status(v4, v6, ever),
                want,
                "{v4:?} {v6:?} {ever}"
            );
        }
    }

    #[test]
    fn scaleway_takes_the_even_address() {
        let (scw, peer) = bgp_configs(
            "169.254.0.6/31".parse().unwrap(),
            "fd12:876::6/127".parse().unwrap(),
            64512,
        );
        assert_eq!(scw.asn, 12876);
        assert_eq!(scw.ipv4.to_string(), "169.254.0.6/31");
        assert_eq!(peer.ipv4.to_string(), "169.254.0.7/31");
        assert_eq!(scw.ipv6.to_string(), "fd12:876::6/127");
        assert_eq!(peer.ipv6.to_string(), "fd12:876::7/127");
        assert_eq!(peer.asn, 64512);
    }

    #[test]
    fn status_strings_match_serde() {
        for s in [
            LinkStatus::UnknownLinkStatus,
            LinkStatus::LimitedConnectivity,
            LinkStatus::AllDown,
            LinkStatus::Ready,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
