//! `CreateLink` and its rules.
//!
//! - Exactly one of `connection_id` (self-hosted) and `partner_id` (hosted).
//! - `pop_id` is the connection's PoP, or a PoP where the partner has a shared connection.
//! - Self-hosted: the connection is the caller's and `active`; `vlan` (0 or absent: the lowest free
//!   one) lies in the connection's `vlan_range` and no other link of the connection uses it.
//!   Hosted: the VLAN is picked on the partner's shared connection; asking for one is refused.
//! - `bandwidth_mbps` is one of the port's `available_link_bandwidths` and fits in what the port has
//!   left (the sum of its links' bandwidths never exceeds its own).
//! - `peer_asn` absent or 0 gets [`Settings::default_peer_asn`](crate::catalogue::Settings)
//!   (64512); 12876 (Scaleway's), 23456 (AS_TRANS), 65535 and 4294967295 (reserved) are refused.
//! - `routing_policy_v4_id` names a policy with `is_ipv6 = false`, `_v6_id` one with `true`.
//! - `name` (1–255 characters) and `tags` follow [`crate::naming`]: no control characters.
//! - The link gets a /31 and a /127 from IPAM.

use super::link::{BgpStatus, Host, Link, LinkRecord, Phase};
use super::{Intent, InterLink, WithIntents};
use crate::error::{
    ArgumentError, ArgumentReason, Precondition, ProviderError, QuotaDetail, merge_invalid,
};
use crate::interlink::connection::{DedicatedConnectionStatus, PortCapacity};
use crate::ipam::LinkOwner;
use crate::naming::{self, NameLimits};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `CreateLink` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateLinkRequest {
    /// Name (required).
    pub name: String,
    /// PoP (required).
    pub pop_id: Option<Uuid>,
    /// Bandwidth (required).
    pub bandwidth_mbps: u64,
    /// Project (default: the caller's).
    pub project_id: Option<Uuid>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Self-hosted on this dedicated connection.
    pub connection_id: Option<Uuid>,
    /// Hosted by this partner.
    pub partner_id: Option<Uuid>,
    /// The peer's ASN (absent or 0: the default).
    pub peer_asn: Option<u32>,
    /// The VLAN, self-hosted only (absent or 0: picked).
    pub vlan: Option<u32>,
    /// IPv4 routing policy.
    pub routing_policy_v4_id: Option<Uuid>,
    /// IPv6 routing policy.
    pub routing_policy_v6_id: Option<Uuid>,
}

/// Checks a peer ASN given by the customer.
pub(crate) fn check_peer_asn(asn: u32) -> Result<(), ProviderError> {
    match asn {
        12876 => Err(ProviderError::constraint(
            "peer_asn",
            "must not be Scaleway's AS number 12876",
        )),
        23456 | 65535 | u32::MAX => Err(ProviderError::constraint(
            "peer_asn",
            format!("{asn} is a reserved AS number"),
        )),
        _ => Ok(()),
    }
}

impl InterLink {
    fn check_policy_family(
        &self,
        region: Region,
        caller: &Caller,
        argument: &str,
        policy_id: Option<Uuid>,
        want_ipv6: bool,
    ) -> Result<(), ProviderError> {
        let Some(id) = policy_id else { return Ok(()) };
        let policy = self.visible_policy(region, caller, id)?;
        if policy.is_ipv6 != want_ipv6 {
            return Err(ProviderError::constraint(
                argument,
                format!(
                    "routing policy {id} is for {}, not {}",
                    if policy.is_ipv6 { "IPv6" } else { "IPv4" },
                    if want_ipv6 { "IPv6" } else { "IPv4" }
                ),
            ));
        }
        Ok(())
    }

    /// `POST /links`.
    pub fn create_link(
        &mut self,
        region: Region,
        caller: &Caller,
        req: CreateLinkRequest,
        now: DateTime<Utc>,
    ) -> Result<WithIntents<Link>, ProviderError> {
        let mut details = Vec::new();
        if req.name.trim().is_empty() {
            details.push(ArgumentError::new(
                "name",
                ArgumentReason::Required,
                "a link needs a name",
            ));
        }
        let name = Some(req.name.as_str()).filter(|n| !n.trim().is_empty());
        naming::check_name_and_tags(
            name,
            NameLimits::INTERLINK,
            req.tags.as_deref(),
            &mut details,
        );
        if req.pop_id.is_none() {
            details.push(ArgumentError::new(
                "pop_id",
                ArgumentReason::Required,
                "a link needs a PoP",
            ));
        }
        if req.bandwidth_mbps == 0 {
            details.push(ArgumentError::new(
                "bandwidth_mbps",
                ArgumentReason::Required,
                "a link needs a bandwidth",
            ));
        }
        match (req.connection_id, req.partner_id) {
            (None, None) => {
                for arg in ["connection_id", "partner_id"] {
                    details.push(ArgumentError::new(
                        arg,
                        ArgumentReason::Required,
                        "exactly one of connection_id (self-hosted) and partner_id (hosted) must be set",
                    ));
                }
            }
            (Some(_), Some(_)) => {
                for arg in ["connection_id", "partner_id"] {
                    details.push(ArgumentError::new(
                        arg,
                        ArgumentReason::Constraint,
                        "only one of connection_id (self-hosted) and partner_id (hosted) may be set",
                    ));
                }
            }
            _ => {}
        }
        let peer_asn = match req.peer_asn {
            None | Some(0) => self.settings.default_peer_asn,
            Some(asn) => asn,
        };
        let mut checks = vec![ProviderError::InvalidArguments { details }];
        if req.peer_asn.is_some_and(|a| a != 0) {
            checks.extend(check_peer_asn(peer_asn).err());
        }
        merge_invalid(checks)?;
        let project_id = caller.project_for_write(req.project_id, "link")?;
        if let Some(quota) = self.settings.max_links_per_project {
            let current = self
                .links
                .values()
                .filter(|l| l.project_id == project_id)
                .count();
            let current = u32::try_from(current).unwrap_or(u32::MAX);
            if current >= quota {
                return Err(ProviderError::QuotasExceeded {
                    details: vec![QuotaDetail {
                        resource: "interlink_links".into(),
                        quota,
                        current,
                    }],
                });
            }
        }
        let pop_id = req.pop_id.unwrap_or_default();
        if self
            .pops
            .get(&pop_id)
            .is_none_or(|r| r.pop.region != region)
        {
            return Err(ProviderError::not_found("pop", pop_id));
        }
        let policies = [
            self.check_policy_family(
                region,
                caller,
                "routing_policy_v4_id",
                req.routing_policy_v4_id,
                false,
            ),
            self.check_policy_family(
                region,
                caller,
                "routing_policy_v6_id",
                req.routing_policy_v6_id,
                true,
            ),
        ];
        merge_invalid(policies.into_iter().filter_map(Result::err).collect())?;

        let (host, port) = match (req.connection_id, req.partner_id) {
            (Some(connection_id), _) => {
                let c = self.visible_connection(region, caller, connection_id)?;
                if c.status != DedicatedConnectionStatus::Active {
                    return Err(ProviderError::precondition(
                        Precondition::UnknownPrecondition,
                        format!("dedicated connection {connection_id} is not active"),
                    ));
                }
                if c.pop_id != pop_id {
                    return Err(ProviderError::constraint(
                        "pop_id",
                        format!(
                            "must be the PoP of dedicated connection {connection_id} ({})",
                            c.pop_id
                        ),
                    ));
                }
                (Host::SelfHosted { connection_id }, c.capacity())
            }
            (None, Some(partner_id)) => {
                let record = self
                    .partners
                    .get(&partner_id)
                    .filter(|r| r.partner.region == region)
                    .ok_or_else(|| ProviderError::not_found("partner", partner_id))?;
                let l3_connectivity = record.partner.l3_connectivity;
                if req.vlan.is_some_and(|v| v != 0) {
                    return Err(ProviderError::constraint(
                        "vlan",
                        "only self-hosted links may choose their VLAN",
                    ));
                }
                let shared: Vec<PortCapacity> = self
                    .shared_connections_at(partner_id, pop_id)
                    .into_iter()
                    .map(|s| s.capacity())
                    .collect();
                let first = shared.first().cloned().ok_or_else(|| {
                    ProviderError::constraint(
                        "pop_id",
                        format!("partner {partner_id} has no connection in PoP {pop_id}"),
                    )
                })?;
                let port = shared
                    .into_iter()
                    .find(|p| self.check_bandwidth(p, req.bandwidth_mbps).is_ok())
                    .unwrap_or(first);
                let pairing_key = self.ids.next_uuid().to_string();
                (
                    Host::Hosted {
                        partner_id,
                        shared_connection_id: port.id,
                        pairing_key,
                        l3_connectivity,
                        disapproved_reason: None,
                    },
                    port,
                )
            }
            (None, None) => {
                return Err(ProviderError::invalid(
                    "connection_id",
                    ArgumentReason::Required,
                    "exactly one of connection_id and partner_id must be set",
                ));
            }
        };
        let bandwidth = self.check_bandwidth(&port, req.bandwidth_mbps);
        let vlan = self.pick_vlan(&port, req.vlan.unwrap_or(0));
        merge_invalid(
            [bandwidth.err(), vlan.as_ref().err().cloned()]
                .into_iter()
                .flatten()
                .collect(),
        )?;
        let vlan = vlan?;

        let id = self.ids.next_uuid();
        let owner = LinkOwner {
            link_id: id,
            name: req.name.clone(),
            project_id,
            organization_id: caller.organization_id,
            region,
        };
        let (ipv4, ipv6) = self.ipam.allocate_link_block(&owner, now)?;
        let seq = self.next_seq();
        self.links.insert(
            id,
            LinkRecord {
                seq,
                id,
                project_id,
                organization_id: caller.organization_id,
                region,
                name: req.name,
                tags: req.tags.unwrap_or_default(),
                pop_id,
                bandwidth_mbps: req.bandwidth_mbps,
                port_id: port.id,
                host,
                vlan,
                peer_asn,
                ipv4,
                ipv6,
                routing_policy_v4_id: req.routing_policy_v4_id,
                routing_policy_v6_id: req.routing_policy_v6_id,
                vpc_id: None,
                enable_route_propagation: false,
                phase: Phase::Configuring,
                phase_since: now,
                reported_v4: BgpStatus::Down,
                reported_v6: BgpStatus::Down,
                ever_established: false,
                locked: false,
                created_at: now,
                updated_at: now,
            },
        );
        let intents: Vec<Intent> = self.advance_link(id, now);
        let link = self.any_link(id)?.view();
        Ok((link, intents))
    }
}
