//! The IPAM resource (SDK `IP`) and the bodies and queries of its calls, with the SDK's JSON
//! names (`resource.type`, `source.private_network_id`, …).

use crate::region::Region;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use uuid::Uuid;

/// What an IP is attached to (SDK `ResourceType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ResourceType {
    /// Unknown; as a filter, no filter.
    UnknownType,
    /// A custom resource, known by its MAC address (attach/detach/move).
    Custom,
    InstanceServer,
    InstanceIp,
    InstancePrivateNic,
    LbServer,
    FipIp,
    VpcGateway,
    VpcGatewayNetwork,
    K8sNode,
    K8sCluster,
    RdbInstance,
    RedisCluster,
    BaremetalServer,
    BaremetalPrivateNic,
    LlmDeployment,
    MgdbInstance,
    AppleSiliconServer,
    AppleSiliconPrivateNic,
    ServerlessContainer,
    ServerlessFunction,
    VpnGateway,
    DdlDatalab,
    KafkaCluster,
    /// A BGP endpoint: what an InterLink link's Scaleway-side addresses are attached to.
    BgpEndpoint,
    ScblSedbCluster,
    DtwhDeployment,
    SedbCluster,
    MsgqCluster,
    EdgeVpcEndpoint,
    DvizCluster,
    NatsCluster,
}

/// The resource an IP is attached to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Its type.
    #[serde(rename = "type")]
    pub type_: ResourceType,
    /// Its ID (for a custom resource, a UUID derived from its MAC address).
    pub id: Uuid,
    /// Its MAC address (lowercase, colon-separated).
    pub mac_address: Option<String>,
    /// Its name (the DNS name in the private network).
    pub name: Option<String>,
}

/// A reverse DNS entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reverse {
    /// Reverse domain name.
    pub hostname: String,
    /// The IP it names.
    #[serde(default)]
    pub address: Option<IpAddr>,
}

/// Where an IP comes from. In a `BookIP` request exactly one of the fields is set; in an answer a
/// private-network IP shows both `private_network_id` and `subnet_id`, and a link's BGP address
/// shows `regional: true`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Source {
    /// A zone (public IPs; not emulated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zonal: Option<String>,
    /// A private network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_network_id: Option<Uuid>,
    /// A subnet of a private network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_id: Option<Uuid>,
    /// A VPC (not a source one can book from here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<Uuid>,
    /// Regional addresses (InterLink BGP endpoints).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub regional: bool,
}

/// A custom resource (e.g. a VM on an Elastic Metal server), known by its MAC address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomResource {
    /// MAC address.
    pub mac_address: String,
    /// Name (for DNS in the private network).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// An IP (SDK `IP`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ip {
    /// ID.
    pub id: Uuid,
    /// The address with its subnet's prefix length (`172.16.0.2/22`).
    pub address: IpNet,
    /// Project.
    pub project_id: Uuid,
    /// IPv6 or not.
    pub is_ipv6: bool,
    /// Reservation date.
    pub created_at: DateTime<Utc>,
    /// Last modification date.
    pub updated_at: DateTime<Utc>,
    /// Where it was reserved.
    pub source: Source,
    /// What it is attached to.
    pub resource: Option<Resource>,
    /// Tags.
    pub tags: Vec<String>,
    /// Reverse DNS entries.
    pub reverses: Vec<Reverse>,
    /// Region.
    pub region: Region,
    /// Zone, if zonal (never, here).
    pub zone: Option<String>,
}

/// `BookIP` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BookIpRequest {
    /// Where to book from (a private network or one of its subnets).
    pub source: Source,
    /// IPv6 rather than IPv4.
    pub is_ipv6: bool,
    /// Project (default: the caller's; must be the private network's).
    pub project_id: Option<Uuid>,
    /// A specific address, without prefix length.
    pub address: Option<String>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Attach to this custom resource right away.
    pub resource: Option<CustomResource>,
}

/// `UpdateIP` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpdateIpRequest {
    /// New tags.
    pub tags: Option<Vec<String>>,
    /// New reverses.
    pub reverses: Option<Vec<Reverse>>,
}

/// `AttachIP` / `DetachIP` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttachIpRequest {
    /// The custom resource.
    pub resource: CustomResource,
}

/// `DetachIP` body: the custom resource the IP is attached to.
pub type DetachIpRequest = AttachIpRequest;

/// `MoveIP` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MoveIpRequest {
    /// Where the IP is attached now.
    pub from_resource: CustomResource,
    /// Where to attach it (none: just detach).
    pub to_resource: Option<CustomResource>,
}

/// `ReleaseIPSet` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReleaseIpSetRequest {
    /// The IPs.
    pub ip_ids: Vec<Uuid>,
}

/// `order_by` of `ListIPs` (the first value is the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum ListIpsOrderBy {
    #[default]
    CreatedAtDesc,
    CreatedAtAsc,
    UpdatedAtDesc,
    UpdatedAtAsc,
    AttachedAtDesc,
    AttachedAtAsc,
    IpAddressDesc,
    IpAddressAsc,
    MacAddressDesc,
    MacAddressAsc,
}

/// `ListIPs` query. `zonal`, `regional`, `private_network_id`, `subnet_id` and `source_vpc_id` are
/// the source filters (the SDK sends at most one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListIpsRequest {
    /// Order.
    pub order_by: Option<ListIpsOrderBy>,
    /// Page (1-based).
    pub page: Option<u32>,
    /// Page size (1–100).
    pub page_size: Option<u32>,
    /// Project filter.
    pub project_id: Option<Uuid>,
    /// Source: zone.
    pub zonal: Option<String>,
    /// Source: regional (`Some(true)`: only regional IPs; `Some(false)`: only non-regional).
    pub regional: Option<bool>,
    /// Source: private network.
    pub private_network_id: Option<Uuid>,
    /// Source: subnet.
    pub subnet_id: Option<Uuid>,
    /// Source: VPC (IPs booked from any private network of it).
    pub source_vpc_id: Option<Uuid>,
    /// IPs of resources in this VPC (booked in one of its private networks, or BGP endpoints of
    /// links attached to it).
    pub vpc_id: Option<Uuid>,
    /// Attached (`true`) or not (`false`).
    pub attached: Option<bool>,
    /// Attached to a resource whose name contains this.
    pub resource_name: Option<String>,
    /// Attached to this resource.
    pub resource_id: Option<Uuid>,
    /// Attached to one of these resources.
    pub resource_ids: Vec<Uuid>,
    /// Attached to a resource of this type (`unknown_type`: no filter).
    pub resource_type: Option<ResourceType>,
    /// Attached to a resource of one of these types.
    pub resource_types: Vec<ResourceType>,
    /// Attached to a resource with this MAC address (any case).
    pub mac_address: Option<String>,
    /// Tags filter (any of).
    pub tags: Vec<String>,
    /// Organization filter.
    pub organization_id: Option<Uuid>,
    /// Family filter.
    pub is_ipv6: Option<bool>,
    /// Only these IPs.
    pub ip_ids: Vec<Uuid>,
}

/// `ListIPs` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListIpsResponse {
    /// How many match in all.
    pub total_count: u64,
    /// The page.
    pub ips: Vec<Ip>,
}
