//! The VPC API's resources as the API shows them (`scaleway.vpc.v2`: `VPC`, `PrivateNetwork`,
//! `Subnet`, `Route`, `RouteWithNexthop`, `GetAclResponse`), with the SDK's JSON names.
//!
//! Two names for one flag are sent side by side, both always false (the feature is not
//! emulated): the Python SDK 2.12 reads `object_storage_private_access_enabled` /
//! `has_object_storage_private_access`, the live API (recorded August 2026) and the Go SDK send
//! `s3_integration_enabled` / `has_s3_integration`. Each SDK ignores the key it does not know.

use crate::region::Region;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::net::IpAddr;
use uuid::Uuid;

/// A VPC (SDK `VPC`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vpc {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Organization.
    pub organization_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Region.
    pub region: Region,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether it is its project's default VPC: never (projects created since May 2025 have
    /// none, and the catalogue declares none).
    pub is_default: bool,
    /// Creation date.
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    pub updated_at: Option<DateTime<Utc>>,
    /// How many private networks it has.
    pub private_network_count: u32,
    /// Whether it routes between its private networks.
    pub routing_enabled: bool,
    /// Whether it advertises custom routes between its private networks.
    pub custom_routes_propagation_enabled: bool,
    /// Whether packets from peered VPCs may transit through it.
    pub transitivity_enabled: bool,
    /// Object Storage private access (Python SDK's name); always false.
    pub object_storage_private_access_enabled: bool,
    /// The same (the live API's and Go SDK's name); always false.
    pub s3_integration_enabled: bool,
}

/// A subnet of a private network (SDK `Subnet`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    /// ID.
    pub id: Uuid,
    /// Creation date.
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    pub updated_at: Option<DateTime<Utc>>,
    /// The prefix.
    pub subnet: IpNet,
    /// Project.
    pub project_id: Uuid,
    /// Its private network.
    pub private_network_id: Uuid,
    /// Its VPC.
    pub vpc_id: Uuid,
    /// Region.
    pub region: Region,
}

/// A private network (SDK `PrivateNetwork`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateNetwork {
    /// ID.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Organization.
    pub organization_id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Region.
    pub region: Region,
    /// Tags.
    pub tags: Vec<String>,
    /// Creation date.
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    pub updated_at: Option<DateTime<Utc>>,
    /// Its subnets (one IPv4, one IPv6 or more).
    pub subnets: Vec<Subnet>,
    /// Its VPC.
    pub vpc_id: Uuid,
    /// Managed DHCP: always true on VPC v2 private networks (as recorded).
    pub dhcp_enabled: bool,
    /// Whether default routes are propagated to it.
    pub default_route_propagation_enabled: bool,
    /// Object Storage private access (Python SDK's name); always false.
    pub has_object_storage_private_access: bool,
    /// The same (the live API's and Go SDK's name); always false.
    pub has_s3_integration: bool,
}

/// What kind of route (SDK `RouteType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteType {
    /// Unknown.
    #[default]
    UnknownRouteType,
    /// A private network's own subnet (managed, read-only).
    Subnet,
    /// A default route (from a Public Gateway; not emulated).
    Default,
    /// A route the user created.
    Custom,
    /// A route learned through InterLink (not listed here).
    Interlink,
    /// A site-to-site VPN route (not emulated).
    S2sVpn,
}

/// A route of a VPC's route table (SDK `Route`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// ID; a managed route has none and shows `""`, as recorded.
    #[serde(with = "empty_if_none")]
    pub id: Option<Uuid>,
    /// Description.
    pub description: String,
    /// Tags (`["MANAGED"]` on a managed route).
    pub tags: Vec<String>,
    /// Its VPC.
    pub vpc_id: Uuid,
    /// Destination.
    pub destination: IpNet,
    /// The next hop resource.
    pub nexthop_resource_id: Option<Uuid>,
    /// The next hop private network.
    pub nexthop_private_network_id: Option<Uuid>,
    /// The next hop VPC connector.
    pub nexthop_vpc_connector_id: Option<Uuid>,
    /// Creation date.
    pub created_at: Option<DateTime<Utc>>,
    /// Last modification date.
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether the user may change or delete it.
    pub is_read_only: bool,
    /// Its kind.
    #[serde(rename = "type")]
    pub type_: RouteType,
    /// Region.
    pub region: Region,
}

/// The type of a route's next hop resource (SDK `RouteWithNexthopResourceType`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RouteWithNexthopResourceType {
    /// Unknown, or no resource (a managed route, an IPAM custom resource); as a filter, none.
    #[default]
    UnknownType,
    VpcGatewayNetwork,
    InstancePrivateNic,
    BaremetalPrivateNic,
    AppleSiliconPrivateNic,
    VpnGateway,
}

/// A route with what its next hop is (SDK `RouteWithNexthop`, of `ListRoutesWithNexthop`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteWithNexthop {
    /// The route.
    pub route: Route,
    /// The next hop resource's address of the route's family, if any.
    pub nexthop_ip: Option<IpAddr>,
    /// The next hop resource's name, if any.
    pub nexthop_name: Option<String>,
    /// The next hop resource's type.
    pub nexthop_resource_type: RouteWithNexthopResourceType,
}

/// What a network ACL does (SDK `Action`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Unknown.
    UnknownAction,
    /// Let the packet through.
    #[default]
    Accept,
    /// Drop it.
    Drop,
}

/// One network ACL rule (SDK `AclRule`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclRule {
    /// `any`, `tcp`, `udp` or `icmp`.
    pub protocol: String,
    /// Source range.
    pub source: IpNet,
    /// Lowest source port.
    pub src_port_low: u32,
    /// Highest source port.
    pub src_port_high: u32,
    /// Destination range.
    pub destination: IpNet,
    /// Lowest destination port.
    pub dst_port_low: u32,
    /// Highest destination port.
    pub dst_port_high: u32,
    /// What to do.
    pub action: Action,
    /// Description.
    pub description: Option<String>,
}

/// `GetAcl` answer: a VPC's network ACL of one family.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetAclResponse {
    /// The rules, first match wins.
    pub rules: Vec<AclRule>,
    /// What happens to a packet no rule matches.
    pub default_policy: Action,
}

/// `Option<Uuid>` written as the UUID or `""` (a managed route's `id`).
mod empty_if_none {
    use super::*;

    pub fn serialize<S: Serializer>(id: &Option<Uuid>, s: S) -> Result<S::Ok, S::Error> {
        match id {
            Some(id) => id.serialize(s),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
        let text = String::deserialize(d)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(serde::de::Error::custom)
    }
}
