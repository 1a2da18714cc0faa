//! Scaleway IPAM (`/ipam/v1/regions/{region}/ips…`): the addresses of VPC private networks and of
//! InterLink links' BGP sessions.
//!
//! - Private networks' addresses are booked (`book_ip`), optionally at a chosen address, from a
//!   private network's subnet of the requested family; reserved addresses are never handed out
//!   (see `alloc.rs`: network, gateway, broadcast). They can be attached to, detached from and moved
//!   between *custom resources* known by MAC address, updated (tags, reverses) and released.
//! - Each InterLink link gets a block: a /31 from 169.254.0.0/16 and a /127 from the IPv6 link pool.
//!   Scaleway's side of each (the even address) is recorded as an IP attached to a `bgp_endpoint`
//!   resource whose ID is the link's, with `source.regional = true`; those are managed by InterLink
//!   and cannot be released, detached or moved through IPAM.
//!
//! - Load Balancers attached to private networks get an address whose `resource` is
//!   `lb_server` (`lb_server.rs`), managed by the Load Balancer product.
//!
//! VPCs and private networks are kept here, whether the catalogue declared them or the VPC API
//! ([`crate::vpc`]) created them: `network.rs` has the typed lookups other products use and the
//! changes the VPC API makes. Nothing is handed out twice: an address is free again only once
//! released.

pub(crate) mod alloc;
pub(crate) mod lb_server;
mod list;
mod network;
mod ops;
mod persisted;
pub mod types;

pub use network::CustomRoute;

use crate::catalogue::{CatalogueError, ProjectSpec, VpcSpec};
use crate::error::ProviderError;
use crate::ids::{IdGenerator, stable_uuid};
use crate::region::Region;
use crate::table::Table;
use alloc::LinkPool;
use chrono::{DateTime, Utc};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use types::{Ip, Resource, ResourceType, Source};
use uuid::Uuid;

/// A subnet of a private network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    /// ID.
    pub id: Uuid,
    /// The prefix.
    pub subnet: IpNet,
    /// Creation date (`None` until a catalogue entry is dated, see `network.rs`).
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// A private network of a VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNetwork {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Its VPC.
    pub vpc_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Region.
    pub region: Region,
    /// Subnets (one IPv4, one IPv6 at least).
    pub subnets: Vec<Subnet>,
    /// Tags (VPC API).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Creation date (`None` until a catalogue entry is dated).
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// `default_route_propagation_enabled` (VPC API; kept, not modelled: no Public Gateway).
    #[serde(default)]
    pub default_route_propagation_enabled: bool,
}

/// A VPC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Project.
    pub project_id: Uuid,
    /// Organization.
    pub organization_id: Uuid,
    /// Region.
    pub region: Region,
    /// Its private networks.
    pub private_network_ids: Vec<Uuid>,
    /// Tags (VPC API).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Creation date (`None` until a catalogue entry is dated).
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether the VPC routes between its private networks: true for every VPC created since
    /// Scaleway made routing the default (a create with `enable_routing: false` answers
    /// `routing_enabled: true`, as recorded), and what the world's model does.
    #[serde(default = "enabled")]
    pub routing_enabled: bool,
    /// `custom_routes_propagation_enabled`: true for VPCs created since July 2025.
    #[serde(default = "enabled")]
    pub custom_routes_propagation_enabled: bool,
    /// `transitivity_enabled` (VPC peering; kept, nothing transits here).
    #[serde(default)]
    pub transitivity_enabled: bool,
    /// Its custom routes (`POST /vpc/v2/regions/{region}/routes`).
    #[serde(default)]
    pub routes: Vec<CustomRoute>,
}

fn enabled() -> bool {
    true
}

/// An IP as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IpRecord {
    pub seq: u64,
    pub ip: Ip,
    pub organization_id: Uuid,
    /// The subnet it was booked from (`None` for link addresses).
    pub subnet_id: Option<Uuid>,
    /// The private network's VPC, or the VPC the link is attached to.
    pub vpc_id: Option<Uuid>,
    pub attached_at: Option<DateTime<Utc>>,
}

/// Who a link block is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LinkOwner {
    pub link_id: Uuid,
    pub name: String,
    pub project_id: Uuid,
    pub organization_id: Uuid,
    pub region: Region,
}

/// The IPAM state.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Ipam {
    ids: IdGenerator,
    seq: u64,
    vpcs: Table<Uuid, Vpc>,
    private_networks: Table<Uuid, PrivateNetwork>,
    /// subnet ID → (private network ID, prefix).
    subnets: Table<Uuid, (Uuid, IpNet)>,
    pub(crate) ips: Table<Uuid, IpRecord>,
    /// Addresses booked per subnet.
    taken: BTreeMap<Uuid, BTreeSet<IpAddr>>,
    link_pool: LinkPool,
    /// Link blocks in use: index → link.
    link_blocks: Table<u64, Uuid>,
}

impl Ipam {
    /// An empty IPAM whose IDs come from `seed` and whose link blocks come from the two pools.
    pub fn new(seed: u64, link_ipv4_pool: Ipv4Net, link_ipv6_pool: Ipv6Net) -> Self {
        Self {
            ids: IdGenerator::new(seed),
            seq: 0,
            vpcs: Table::new(),
            private_networks: Table::new(),
            subnets: Table::new(),
            ips: Table::new(),
            taken: BTreeMap::new(),
            link_pool: LinkPool {
                v4: link_ipv4_pool.trunc(),
                v6: link_ipv6_pool.trunc(),
            },
            link_blocks: Table::new(),
        }
    }

    /// Adds a VPC of the catalogue. Its project is resolved among `projects` (by name or ID; the
    /// first one when absent). Subnets must not overlap within the VPC (VPCs are
    /// separate routing domains, so two VPCs may reuse a range).
    pub fn add_vpc(
        &mut self,
        spec: &VpcSpec,
        projects: &[ProjectSpec],
    ) -> Result<Vpc, CatalogueError> {
        let entry = format!("vpc {:?}", spec.name);
        let project = match spec.project.as_deref() {
            None => projects.first(),
            Some(r) => projects
                .iter()
                .find(|p| p.name == r || p.id.to_string() == r),
        }
        .ok_or_else(|| CatalogueError::UnknownReference {
            entry: entry.clone(),
            kind: "project",
            reference: spec.project.clone().unwrap_or_default(),
        })?;
        let vpc_id = spec.id.unwrap_or_else(|| stable_uuid("vpc", &spec.name));
        if self.vpcs.contains_key(&vpc_id) {
            return Err(CatalogueError::DuplicateId(vpc_id));
        }
        let mut networks = Vec::new();
        let mut new_subnets: Vec<(Uuid, Uuid, IpNet)> = Vec::new();
        for pn in &spec.private_networks {
            let pn_id = pn.id.unwrap_or_else(|| {
                stable_uuid("private_network", &format!("{vpc_id}/{}", pn.name))
            });
            if self.private_networks.contains_key(&pn_id)
                || networks.iter().any(|n: &PrivateNetwork| n.id == pn_id)
            {
                return Err(CatalogueError::DuplicateId(pn_id));
            }
            let mut prefixes: Vec<IpNet> = pn
                .subnet
                .iter()
                .chain(pn.subnets.iter())
                .map(|n| n.trunc())
                .collect();
            if !prefixes.iter().any(|n| matches!(n, IpNet::V6(_))) {
                prefixes.push(derived_ipv6_subnet(pn_id));
            }
            let mut subnets = Vec::new();
            for net in prefixes {
                let overlaps = new_subnets
                    .iter()
                    .any(|(_, _, n)| n.contains(&net.network()) || net.contains(&n.network()));
                if overlaps {
                    return Err(CatalogueError::Invalid {
                        entry: entry.clone(),
                        reason: format!("subnet {net} overlaps another subnet of the VPC"),
                    });
                }
                let subnet_id = stable_uuid("subnet", &format!("{pn_id}/{net}"));
                new_subnets.push((subnet_id, pn_id, net));
                subnets.push(Subnet {
                    id: subnet_id,
                    subnet: net,
                    created_at: None,
                    updated_at: None,
                });
            }
            networks.push(PrivateNetwork {
                id: pn_id,
                name: pn.name.clone(),
                vpc_id,
                project_id: project.id,
                organization_id: project.organization_id,
                region: spec.region,
                subnets,
                tags: Vec::new(),
                created_at: None,
                updated_at: None,
                default_route_propagation_enabled: false,
            });
        }
        let vpc = Vpc {
            id: vpc_id,
            name: spec.name.clone(),
            project_id: project.id,
            organization_id: project.organization_id,
            region: spec.region,
            private_network_ids: networks.iter().map(|n| n.id).collect(),
            tags: Vec::new(),
            created_at: None,
            updated_at: None,
            routing_enabled: true,
            custom_routes_propagation_enabled: true,
            transitivity_enabled: false,
            routes: Vec::new(),
        };
        for (subnet_id, pn_id, net) in new_subnets {
            self.subnets.insert(subnet_id, (pn_id, net));
        }
        for n in networks {
            self.private_networks.insert(n.id, n);
        }
        self.vpcs.insert(vpc_id, vpc.clone());
        Ok(vpc)
    }

    /// A VPC.
    pub fn vpc(&self, vpc_id: Uuid) -> Option<&Vpc> {
        self.vpcs.get(&vpc_id)
    }

    /// Every VPC.
    pub fn vpcs(&self) -> impl Iterator<Item = &Vpc> {
        self.vpcs.values()
    }

    /// A private network.
    pub fn private_network(&self, private_network_id: Uuid) -> Option<&PrivateNetwork> {
        self.private_networks.get(&private_network_id)
    }

    /// The subnets of every private network of a VPC: what a link attached to it may announce.
    pub fn vpc_prefixes(&self, vpc_id: Uuid) -> Vec<IpNet> {
        self.vpcs
            .get(&vpc_id)
            .map(|v| {
                v.private_network_ids
                    .iter()
                    .filter_map(|id| self.private_networks.get(id))
                    .flat_map(|pn| pn.subnets.iter().map(|s| s.subnet))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Takes the lowest free link block and records Scaleway's two addresses as IPs.
    pub(crate) fn allocate_link_block(
        &mut self,
        owner: &LinkOwner,
        now: DateTime<Utc>,
    ) -> Result<(Ipv4Net, Ipv6Net), ProviderError> {
        let capacity = self.link_pool.capacity();
        let mut index = 0u64;
        for used in self.link_blocks.keys() {
            if *used != index {
                break;
            }
            index += 1;
        }
        if index >= capacity {
            return Err(ProviderError::OutOfStock {
                resource: "interlink_link_addresses".to_string(),
            });
        }
        let (v4, v6) = self.link_pool.block(index);
        self.link_blocks.insert(index, owner.link_id);
        for (address, is_ipv6) in [(IpNet::V4(v4), false), (IpNet::V6(v6), true)] {
            let seq = self.next_seq();
            let ip = Ip {
                id: self.ids.next_uuid(),
                address,
                project_id: owner.project_id,
                is_ipv6,
                created_at: now,
                updated_at: now,
                source: Source {
                    regional: true,
                    ..Source::default()
                },
                resource: Some(Resource {
                    type_: ResourceType::BgpEndpoint,
                    id: owner.link_id,
                    mac_address: None,
                    name: Some(owner.name.clone()),
                }),
                tags: Vec::new(),
                reverses: Vec::new(),
                region: owner.region,
                zone: None,
            };
            self.ips.insert(
                ip.id,
                IpRecord {
                    seq,
                    ip,
                    organization_id: owner.organization_id,
                    subnet_id: None,
                    vpc_id: None,
                    attached_at: Some(now),
                },
            );
        }
        Ok((v4, v6))
    }

    /// Frees a link's block and forgets its IPs.
    pub(crate) fn release_link_block(&mut self, link_id: Uuid) {
        self.link_blocks.retain(|_, owner| *owner != link_id);
        self.ips.retain(|_, r| !is_link_ip(r, link_id));
    }

    /// Follows a link's name and VPC on its BGP endpoint IPs.
    pub(crate) fn update_link_ips(
        &mut self,
        link_id: Uuid,
        name: &str,
        vpc_id: Option<Uuid>,
        now: DateTime<Utc>,
    ) {
        for (_, r) in self.ips.iter_mut_where(|_, r| is_link_ip(r, link_id)) {
            let stale =
                r.ip.resource
                    .as_mut()
                    .filter(|res| res.name.as_deref() != Some(name));
            if let Some(res) = stale {
                res.name = Some(name.to_string());
                r.ip.updated_at = now;
            }
            r.vpc_id = vpc_id;
        }
    }

    /// Every address handed out, with where it came from (subnet ID, or `None` for link blocks).
    /// For invariant checks.
    pub fn allocated_addresses(&self) -> Vec<(Option<Uuid>, IpNet)> {
        self.ips
            .values()
            .map(|r| (r.subnet_id, r.ip.address))
            .collect()
    }
}

fn is_link_ip(r: &IpRecord, link_id: Uuid) -> bool {
    r.ip.resource
        .as_ref()
        .is_some_and(|res| res.type_ == ResourceType::BgpEndpoint && res.id == link_id)
}

/// The ULA /64 a private network gets when the catalogue gives it no IPv6 subnet:
/// `fd` + 40 bits of its ID, then 16 more bits of it as the subnet ID.
pub(crate) fn derived_ipv6_subnet(pn_id: Uuid) -> IpNet {
    let b = pn_id.as_bytes();
    let mut bits: u128 = 0xfd;
    for byte in b.iter().take(7) {
        bits = (bits << 8) | u128::from(*byte);
    }
    IpNet::V6(Ipv6Net::new_assert((bits << 64).into(), 64))
}

#[cfg(test)]
mod tests;
