//! Private network attachments: attach, detach, list.
//!
//! An attachment gives the LB an address on the private network, kept in IPAM with
//! `resource = {type: lb_server, id, name, mac_address}` (as recorded):
//! - `ipam_ids: [id]`: that booked IPv4 address (detached again, not released, on detach);
//! - `static_config.ip_address: [a]`: that address, which must be inside the network's IPv4
//!   subnet (`invalid_arguments` otherwise, as Scaleway's documentation says), booked in IPAM
//!   so that nothing else gets it;
//! - otherwise (`dhcp_config`, `ipam_config` or nothing): the lowest free IPv4 address.
//!
//! At most [`LbSettings::max_private_networks`](super::LbSettings) (8) per LB: one more is
//! `quotas_exceeded` on `lb_private_networks` (the documentation gives the limit, not the
//! answer; quotas are how Scaleway answers limits). The attachment is `pending`, then `ready`;
//! a detachment is `pending`, then gone (answered 204, as recorded).

use super::list::{ListLbPrivateNetworksResponse, ListPrivateNetworksRequest, OrderBy, SortKey};
use super::other_types::{PrivateNetwork, PrivateNetworkStatus};
use super::records::{Addressing, AttachmentRecord};
use super::requests::AttachPrivateNetworkRequest;
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentReason, ProviderError, QuotaDetail};
use crate::ids::stable_uuid;
use crate::ipam::Ipam;
use crate::ipam::lb_server::lb_server;
use crate::list::{check_page, paginate};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::net::IpAddr;
use uuid::Uuid;

/// The LB's MAC address on a network: locally administered (`02:00:00:…`), uppercase as
/// recorded, derived from the LB and the network so that it is stable.
fn mac_address(lb_id: Uuid, private_network_id: Uuid) -> String {
    let b = stable_uuid("lb_server_mac", &format!("{lb_id}/{private_network_id}")).into_bytes();
    format!("02:00:00:{:02X}:{:02X}:{:02X}", b[0], b[1], b[2])
}

/// The static address asked for: one address (with or without a prefix length).
fn static_address(addresses: &[String]) -> Result<IpAddr, ProviderError> {
    let [one] = addresses else {
        return Err(ProviderError::constraint(
            "static_config.ip_address",
            "exactly one address is expected",
        ));
    };
    let text = one.trim();
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<IpNet>().ok().map(|n| n.addr()))
        .ok_or_else(|| {
            ProviderError::invalid(
                "static_config.ip_address",
                ArgumentReason::Format,
                "must be an IP address, with or without prefix length",
            )
        })
}

impl LoadBalancers {
    /// `POST /lbs/{id}/attach-private-network` (zoned; the network in the body) or
    /// `/lbs/{id}/private-networks/{pn}/attach` (regional).
    #[allow(clippy::too_many_arguments)]
    pub fn attach_private_network(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        private_network_id: Uuid,
        req: AttachPrivateNetworkRequest,
        ipam: &mut Ipam,
        now: DateTime<Utc>,
    ) -> Result<PrivateNetwork, ProviderError> {
        let lb = self.changeable_lb(loc, caller, lb_id)?;
        let (zone, lb_name) = (lb.zone, lb.name.clone());
        let pn = ipam
            .private_network(private_network_id)
            .filter(|pn| pn.region == zone.region() && caller.sees(pn.project_id))
            .ok_or_else(|| super::missing(super::not_found::PRIVATE_NETWORK))?;
        let vpc_id = pn.vpc_id;
        let subnets: Vec<IpNet> = pn.subnets.iter().map(|s| s.subnet).collect();
        let v4_subnet = subnets.iter().find(|s| s.addr().is_ipv4()).copied();
        if let Some(a) = self.attachments.get(&(lb_id, private_network_id)) {
            return Err(ProviderError::Conflict {
                message: if a.detaching {
                    "the private network is being detached from this Load Balancer".into()
                } else {
                    "the private network is already attached to this Load Balancer".into()
                },
            });
        }
        let current = self
            .attachments
            .values()
            .filter(|a| a.lb_id == lb_id && !a.detaching)
            .count();
        let quota = self.settings.max_private_networks;
        if u32::try_from(current).unwrap_or(u32::MAX) >= quota {
            return Err(ProviderError::QuotasExceeded {
                details: vec![QuotaDetail {
                    resource: "lb_private_networks".into(),
                    quota,
                    current: u32::try_from(current).unwrap_or(u32::MAX),
                }],
            });
        }
        let configs = [
            req.static_config.is_some(),
            req.dhcp_config.is_some(),
            req.ipam_config.is_some(),
        ];
        if configs.iter().filter(|c| **c).count() > 1 {
            return Err(ProviderError::constraint(
                "static_config",
                "only one of static_config, dhcp_config and ipam_config may be set",
            ));
        }
        let ipam_ids = req.ipam_ids.clone().unwrap_or_default();
        if ipam_ids.len() > 1 {
            return Err(ProviderError::constraint(
                "ipam_ids",
                "only one IPv4 address is expected",
            ));
        }
        let mac = mac_address(lb_id, private_network_id);
        let resource = lb_server(lb_id, &lb_name, &mac);
        let (addressing, ip, booked_by_lb) = match (req.static_config, ipam_ids.first()) {
            (Some(_), Some(_)) => {
                return Err(ProviderError::constraint(
                    "ipam_ids",
                    "ipam_ids and static_config cannot be given together",
                ));
            }
            (Some(s), None) => {
                let given = s.ip_address.unwrap_or_default();
                let address = static_address(&given)?;
                let inside = subnets.iter().any(|n| n.contains(&address));
                if !inside {
                    let subnets: Vec<String> = subnets.iter().map(ToString::to_string).collect();
                    return Err(ProviderError::constraint(
                        "static_config.ip_address",
                        format!(
                            "{address} is outside the private network's subnets ({})",
                            subnets.join(", ")
                        ),
                    ));
                }
                let ip = ipam
                    .book_lb_server(caller, private_network_id, Some(address), resource, now)
                    .map_err(|e| rename_argument(e, "address", "static_config.ip_address"))?;
                (Addressing::Static(given), ip, true)
            }
            (None, Some(ip_id)) => {
                let ip =
                    ipam.attach_lb_server(caller, *ip_id, private_network_id, resource, now)?;
                (Addressing::Dhcp, ip, false)
            }
            (None, None) => {
                if v4_subnet.is_none() {
                    return Err(ProviderError::constraint(
                        "private_network_id",
                        "the private network has no IPv4 subnet",
                    ));
                }
                let ip = ipam.book_lb_server(caller, private_network_id, None, resource, now)?;
                let addressing = if req.ipam_config.is_some() {
                    Addressing::Ipam
                } else {
                    Addressing::Dhcp
                };
                (addressing, ip, true)
            }
        };
        let seq = self.next_seq();
        let record = AttachmentRecord {
            seq,
            lb_id,
            private_network_id,
            vpc_id: Some(vpc_id),
            created_at: now,
            updated_at: now,
            status: PrivateNetworkStatus::Pending,
            detaching: false,
            addressing,
            ipam_ip_id: ip.id,
            address: ip.address,
            booked_by_lb,
            mac_address: mac,
        };
        self.attachments.insert((lb_id, private_network_id), record);
        self.config_changed(lb_id, now);
        self.attachments
            .get(&(lb_id, private_network_id))
            .and_then(|a| self.attachment_view(a, true))
            .ok_or_else(|| super::missing(super::not_found::PRIVATE_NETWORK))
    }

    /// `POST /lbs/{id}/detach-private-network` (zoned) or `…/private-networks/{pn}/detach`
    /// (regional): the LB's address goes at once (released, or detached if it came from
    /// `ipam_ids`); the attachment is `pending`, then gone.
    pub fn detach_private_network(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        private_network_id: Uuid,
        ipam: &mut Ipam,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        self.changeable_lb(loc, caller, lb_id)?;
        let a = self
            .attachments
            .get_mut(&(lb_id, private_network_id))
            .filter(|a| !a.detaching)
            .ok_or_else(|| super::missing(super::not_found::PRIVATE_NETWORK))?;
        a.detaching = true;
        a.status = PrivateNetworkStatus::Pending;
        a.updated_at = now;
        let (ip, release) = (a.ipam_ip_id, a.booked_by_lb);
        ipam.detach_lb_server(ip, release, now);
        self.config_changed(lb_id, now);
        Ok(())
    }

    /// `GET /lbs/{id}/private-networks`.
    pub fn list_lb_private_networks(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &ListPrivateNetworksRequest,
    ) -> Result<ListLbPrivateNetworksResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        self.visible_lb(loc, caller, lb_id)?;
        let mut found: Vec<&AttachmentRecord> = self
            .attachments
            .values()
            .filter(|a| a.lb_id == lb_id)
            .collect();
        let order = OrderBy::from(req.order_by.unwrap_or_default());
        let key = |a: &AttachmentRecord| SortKey {
            seq: a.seq,
            created_at: a.created_at,
            name: "",
        };
        found.sort_by(|a, b| order.compare(&key(a), &key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListLbPrivateNetworksResponse {
            private_network: page_items
                .into_iter()
                .filter_map(|a| self.attachment_view(a, false))
                .collect(),
            total_count,
        })
    }
}

/// An `invalid_arguments` error of IPAM named for the LB call's argument.
fn rename_argument(e: ProviderError, from: &str, to: &str) -> ProviderError {
    match e {
        ProviderError::InvalidArguments { mut details } => {
            for d in &mut details {
                if d.argument_name == from {
                    d.argument_name = to.to_string();
                }
            }
            ProviderError::InvalidArguments { details }
        }
        other => other,
    }
}
