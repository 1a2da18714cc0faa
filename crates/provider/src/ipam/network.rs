//! The VPCs and private networks IPAM keeps, as the other products read them and as the VPC
//! API ([`crate::vpc`]) changes them.
//!
//! - Typed lookups for the products that attach to a private network (an InterLink link's VPC,
//!   a Load Balancer's private networks): [`Ipam::visible_vpc`] and
//!   [`Ipam::visible_private_network`] answer another project's (or another region's) VPC or
//!   private network exactly like a missing one, with the `not_found` body Scaleway sends.
//! - The changes keep the subnet index that [`Ipam::book_ip`] reads in step with the records:
//!   a private network created through the VPC API is bookable at once; a deleted one's
//!   subnets are gone.
//!
//! Not here: the API's rules (names, subnets, what may be deleted) — [`crate::vpc`].

use super::types::ResourceType;
use super::{Ipam, PrivateNetwork, Vpc};
use crate::error::ProviderError;
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A custom route of a VPC (`POST /vpc/v2/regions/{region}/routes`), kept with its VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRoute {
    /// ID.
    pub id: Uuid,
    /// Description (`Custom route` when created without one, as the API answers).
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Destination.
    pub destination: IpNet,
    /// The resource packets go to (one with an address in a private network of the VPC).
    pub nexthop_resource_id: Option<Uuid>,
    /// The private network packets go to (the resource's, when a resource is named).
    pub nexthop_private_network_id: Option<Uuid>,
    /// A VPC connector (never set here: connectors are not served).
    pub nexthop_vpc_connector_id: Option<Uuid>,
    /// Creation date.
    pub created_at: DateTime<Utc>,
    /// Last modification date.
    pub updated_at: DateTime<Utc>,
}

/// A resource with addresses in a private network of a VPC: what a custom route's
/// `nexthop_resource_id` may name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VpcResource {
    /// The resource's ID (`resource.id` of its IPAM IPs).
    pub id: Uuid,
    /// Its type.
    pub type_: ResourceType,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// The private network its addresses are in.
    pub private_network_id: Uuid,
    /// Its addresses there (with the subnet's prefix length).
    pub addresses: Vec<IpNet>,
}

impl Ipam {
    /// A VPC the caller may see in `region`, or `not_found` (`resource: "vpc"`).
    pub fn visible_vpc(
        &self,
        region: Region,
        caller: &Caller,
        vpc_id: Uuid,
    ) -> Result<&Vpc, ProviderError> {
        self.vpcs
            .get(&vpc_id)
            .filter(|v| v.region == region && caller.sees(v.project_id))
            .ok_or_else(|| ProviderError::not_found("vpc", vpc_id))
    }

    /// A private network the caller may see in `region`, or `not_found`
    /// (`resource: "private_network"`).
    pub fn visible_private_network(
        &self,
        region: Region,
        caller: &Caller,
        private_network_id: Uuid,
    ) -> Result<&PrivateNetwork, ProviderError> {
        self.private_networks
            .get(&private_network_id)
            .filter(|pn| pn.region == region && caller.sees(pn.project_id))
            .ok_or_else(|| ProviderError::not_found("private_network", private_network_id))
    }

    /// Every private network, whoever owns it, in ID order.
    pub fn private_networks(&self) -> impl Iterator<Item = &PrivateNetwork> {
        self.private_networks.values()
    }

    /// The private networks of a VPC, in the VPC's order.
    pub fn private_networks_of(&self, vpc_id: Uuid) -> Vec<&PrivateNetwork> {
        self.vpcs
            .get(&vpc_id)
            .map(|v| {
                v.private_network_ids
                    .iter()
                    .filter_map(|id| self.private_networks.get(id))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// How many IPs are booked in a private network (any project's, attached or not): a
    /// private network with one is in use.
    pub fn ips_in_private_network(&self, private_network_id: Uuid) -> usize {
        self.ips
            .values()
            .filter(|r| r.ip.source.private_network_id == Some(private_network_id))
            .count()
    }

    /// The resource `resource_id` as it sits in a private network of `vpc_id`, if it has an
    /// address there.
    pub fn resource_in_vpc(&self, vpc_id: Uuid, resource_id: Uuid) -> Option<VpcResource> {
        let mut found: Option<VpcResource> = None;
        for r in self.ips.values().filter(|r| r.vpc_id == Some(vpc_id)) {
            let (Some(res), Some(pn)) = (&r.ip.resource, r.ip.source.private_network_id) else {
                continue;
            };
            if res.id != resource_id {
                continue;
            }
            match &mut found {
                Some(f) if f.private_network_id == pn => f.addresses.push(r.ip.address),
                Some(_) => {}
                None => {
                    found = Some(VpcResource {
                        id: res.id,
                        type_: res.type_,
                        name: res.name.clone(),
                        private_network_id: pn,
                        addresses: vec![r.ip.address],
                    })
                }
            }
        }
        found
    }

    /// A fresh ID from IPAM's seeded generator.
    pub(crate) fn next_id(&mut self) -> Uuid {
        self.ids.next_uuid()
    }

    /// Adds a VPC (its private networks are added one by one after it).
    pub(crate) fn insert_vpc(&mut self, vpc: Vpc) {
        self.vpcs.insert(vpc.id, vpc);
    }

    /// A VPC, to change it.
    pub(crate) fn vpc_mut(&mut self, vpc_id: Uuid) -> Option<&mut Vpc> {
        self.vpcs.get_mut(&vpc_id)
    }

    /// Forgets a VPC (the caller made sure it has no private network left).
    pub(crate) fn remove_vpc(&mut self, vpc_id: Uuid) -> Option<Vpc> {
        self.vpcs.remove(&vpc_id)
    }

    /// Adds a private network to its VPC and makes its subnets bookable.
    pub(crate) fn insert_private_network(&mut self, pn: PrivateNetwork) {
        for s in &pn.subnets {
            self.subnets.insert(s.id, (pn.id, s.subnet));
        }
        if let Some(vpc) = self.vpcs.get_mut(&pn.vpc_id) {
            vpc.private_network_ids.push(pn.id);
        }
        self.private_networks.insert(pn.id, pn);
    }

    /// A private network, to change its name, tags or flags (not its subnets).
    pub(crate) fn private_network_mut(
        &mut self,
        private_network_id: Uuid,
    ) -> Option<&mut PrivateNetwork> {
        self.private_networks.get_mut(&private_network_id)
    }

    /// Forgets a private network and its subnets (the caller made sure no IP is booked in it).
    pub(crate) fn remove_private_network(
        &mut self,
        private_network_id: Uuid,
    ) -> Option<PrivateNetwork> {
        let pn = self.private_networks.remove(&private_network_id)?;
        for s in &pn.subnets {
            self.subnets.remove(&s.id);
            self.taken.remove(&s.id);
        }
        if let Some(vpc) = self.vpcs.get_mut(&pn.vpc_id) {
            vpc.private_network_ids
                .retain(|id| *id != private_network_id);
        }
        Some(pn)
    }

    /// Gives every undated VPC, private network and subnet (the catalogue's) the date `now`:
    /// what exists before the first call was created when the emulator started.
    pub(crate) fn date_undated(&mut self, now: DateTime<Utc>) {
        let undated: Vec<Uuid> = self
            .vpcs
            .values()
            .filter(|v| v.created_at.is_none())
            .map(|v| v.id)
            .collect();
        for id in undated {
            if let Some(v) = self.vpcs.get_mut(&id) {
                v.created_at = Some(now);
                v.updated_at = Some(now);
            }
        }
        let undated: Vec<Uuid> = self
            .private_networks
            .values()
            .filter(|pn| {
                pn.created_at.is_none() || pn.subnets.iter().any(|s| s.created_at.is_none())
            })
            .map(|pn| pn.id)
            .collect();
        for id in undated {
            if let Some(pn) = self.private_networks.get_mut(&id) {
                pn.created_at.get_or_insert(now);
                pn.updated_at.get_or_insert(now);
                for s in &mut pn.subnets {
                    s.created_at.get_or_insert(now);
                    s.updated_at.get_or_insert(now);
                }
            }
        }
    }
}
