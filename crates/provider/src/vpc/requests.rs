//! The bodies and queries of the VPC API's calls, and the list answers, with the SDK's names.
//!
//! Bodies take what the SDKs send (`marshal_*` of `scaleway.vpc.v2`, the Go SDK's JSON tags):
//! a missing field is its default; CIDRs arrive as text so that a bad one is refused with its
//! index (`subnets.1`) rather than as an unreadable body.

use super::types::{PrivateNetwork, RouteWithNexthop, RouteWithNexthopResourceType, Subnet, Vpc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `CreateVPC` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateVpcRequest {
    /// Name (required; the SDKs generate one when the caller gives none).
    pub name: String,
    /// Project (default: the caller's).
    pub project_id: Option<Uuid>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Routing between its private networks. Every new VPC routes: `false` is accepted and
    /// answered `routing_enabled: true`, as the live API does (recorded in
    /// terraform-provider-scaleway's `vpc-private-network-subnets` cassette).
    pub enable_routing: bool,
    /// Transitivity for peered VPCs (kept; nothing peers here).
    pub enable_transitivity: bool,
}

/// `UpdateVPC` body: what is given replaces what was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateVpcRequest {
    /// New name.
    pub name: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
}

/// `order_by` of `ListVPCs` and `ListPrivateNetworks` (the first value is the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ListOrderBy {
    #[default]
    CreatedAtAsc,
    CreatedAtDesc,
    NameAsc,
    NameDesc,
}

/// `ListVPCs` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListVpcsRequest {
    /// Order.
    pub order_by: Option<ListOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Name filter (substring).
    pub name: Option<String>,
    /// Tags filter (any of).
    pub tags: Vec<String>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Default VPCs only (`true`) or others only (`false`).
    pub is_default: Option<bool>,
    /// Routing VPCs only (`true`) or others only (`false`).
    pub routing_enabled: Option<bool>,
    /// Object Storage private access filter (never enabled here).
    pub object_storage_private_access_enabled: Option<bool>,
}

/// `ListVPCs` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVpcsResponse {
    /// The page.
    pub vpcs: Vec<Vpc>,
    /// How many match in all.
    pub total_count: u64,
}

/// `CreatePrivateNetwork` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreatePrivateNetworkRequest {
    /// Name (required; the SDKs generate one).
    pub name: String,
    /// Project (default: the caller's).
    pub project_id: Option<Uuid>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Subnets (CIDRs); a missing family gets one (see [`super::subnets`]).
    pub subnets: Option<Vec<String>>,
    /// Its VPC (required: the catalogue declares no default VPC).
    pub vpc_id: Option<Uuid>,
    /// Whether default routes are propagated to it.
    pub default_route_propagation_enabled: bool,
}

/// `UpdatePrivateNetwork` body: what is given replaces what was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdatePrivateNetworkRequest {
    /// New name.
    pub name: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New `default_route_propagation_enabled`.
    pub default_route_propagation_enabled: Option<bool>,
}

/// `ListPrivateNetworks` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListPrivateNetworksRequest {
    /// Order.
    pub order_by: Option<ListOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Name filter (substring).
    pub name: Option<String>,
    /// Tags filter (any of).
    pub tags: Vec<String>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Only these private networks.
    pub private_network_ids: Vec<Uuid>,
    /// Only this VPC's.
    pub vpc_id: Option<Uuid>,
    /// DHCP filter (DHCP is always on).
    pub dhcp_enabled: Option<bool>,
    /// Object Storage private access filter (never enabled here).
    pub object_storage_private_access_enabled: Option<bool>,
}

/// `ListPrivateNetworks` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPrivateNetworksResponse {
    /// The page.
    pub private_networks: Vec<PrivateNetwork>,
    /// How many match in all.
    pub total_count: u64,
}

/// `order_by` of `ListSubnets`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ListSubnetsOrderBy {
    #[default]
    CreatedAtAsc,
    CreatedAtDesc,
}

/// `ListSubnets` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListSubnetsRequest {
    /// Order.
    pub order_by: Option<ListSubnetsOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Only these subnets.
    pub subnet_ids: Vec<Uuid>,
    /// Only this VPC's.
    pub vpc_id: Option<Uuid>,
}

/// `ListSubnets` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSubnetsResponse {
    /// The page.
    pub subnets: Vec<Subnet>,
    /// How many match in all.
    pub total_count: u64,
}

/// `CreateRoute` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateRouteRequest {
    /// Description (at most 200 characters; `Custom route` when empty, as the API answers).
    pub description: String,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Its VPC (required).
    pub vpc_id: Option<Uuid>,
    /// Destination (required).
    pub destination: Option<String>,
    /// Next hop resource.
    pub nexthop_resource_id: Option<Uuid>,
    /// Next hop private network.
    pub nexthop_private_network_id: Option<Uuid>,
    /// Next hop VPC connector (none exists here).
    pub nexthop_vpc_connector_id: Option<Uuid>,
}

/// `UpdateRoute` body: what is given replaces what was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateRouteRequest {
    /// New description.
    pub description: Option<String>,
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New destination.
    pub destination: Option<String>,
    /// New next hop resource.
    pub nexthop_resource_id: Option<Uuid>,
    /// New next hop private network.
    pub nexthop_private_network_id: Option<Uuid>,
    /// New next hop VPC connector.
    pub nexthop_vpc_connector_id: Option<Uuid>,
}

/// `order_by` of `ListRoutesWithNexthop`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ListRoutesOrderBy {
    #[default]
    CreatedAtAsc,
    CreatedAtDesc,
    DestinationAsc,
    DestinationDesc,
    PrefixLenAsc,
    PrefixLenDesc,
}

/// `ListRoutesWithNexthop` query (`GET /routes-with-nexthop`, the Go SDK's
/// `RoutesWithNexthopAPI`, which terraform's `scaleway_vpc_routes` reads).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListRoutesWithNexthopRequest {
    /// Order.
    pub order_by: Option<ListRoutesOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Only this VPC's.
    pub vpc_id: Option<Uuid>,
    /// Only routes to this resource.
    pub nexthop_resource_id: Option<Uuid>,
    /// Only routes to this private network.
    pub nexthop_private_network_id: Option<Uuid>,
    /// Only routes to resources of this type (`unknown_type`: no filter).
    pub nexthop_resource_type: Option<RouteWithNexthopResourceType>,
    /// Only routes to this VPC connector.
    pub nexthop_vpc_connector_id: Option<Uuid>,
    /// Only routes whose destination lies inside this prefix.
    pub contains: Option<String>,
    /// Tags filter (any of); managed routes pass it whatever their tags, as recorded.
    pub tags: Vec<String>,
    /// Only IPv6 destinations (`true`) or IPv4 ones (`false`).
    pub is_ipv6: Option<bool>,
}

/// `ListRoutesWithNexthop` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListRoutesWithNexthopResponse {
    /// The page.
    pub routes: Vec<RouteWithNexthop>,
    /// How many match in all.
    pub total_count: u64,
}

/// `GetAcl` query.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GetAclRequest {
    /// The family.
    pub is_ipv6: bool,
}
