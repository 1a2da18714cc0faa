//! The resources of OVHcloud Connect and the vRack as the API sends them, with the field names
//! and enum values of OVH's published schema (`ovhCloudConnect.*`, `vrack.*`), and the request
//! bodies.
//!
//! Where the schema leaves a choice, it is written beside the field.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use uuid::Uuid;

/// `ovhCloudConnect.Service`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// `ovhCloudConnect.BandwidthEnum`.
    pub bandwidth: String,
    /// Free text, the only writable field.
    pub description: String,
    /// The IDs of its interfaces.
    pub interface_list: Vec<u64>,
    /// The PoP (entry point).
    pub pop: String,
    /// `ovhCloudConnect.PortQuantityEnum`: the number of interfaces, as a string (`"1"`, `"2"`).
    pub port_quantity: String,
    /// `ovhCloudConnect.ProductEnum`: `l2` or `l3`, from the PoP configuration; `l2` until one
    /// exists (our choice: the schema has no "none").
    pub product: String,
    /// `ovhCloudConnect.ProviderEnum`.
    pub provider: String,
    /// `ovhCloudConnect.ServiceStatusEnum`: `active` for every catalogue service.
    pub status: String,
    /// The service name.
    pub uuid: Uuid,
    /// The vRack it is in (`null` when none).
    pub vrack: Option<String>,
}

/// `PUT /ovhCloudConnect/{serviceName}` body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceRequest {
    /// The new description; other fields of the service are read-only and ignored.
    #[serde(default)]
    pub description: Option<String>,
}

/// `ovhCloudConnect.interface.StatusEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum InterfaceStatus {
    /// In service.
    Enabled,
    /// Locked (administratively down).
    Disabled,
}

/// `ovhCloudConnect.interface.LightStatusEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LightStatus {
    /// Light received.
    Ok,
    /// No light (the port is locked).
    Down,
    /// Not measured.
    Unknown,
}

/// `ovhCloudConnect.Interface`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    /// ID.
    pub id: u64,
    /// Light status.
    pub light_status: LightStatus,
    /// Lock status.
    pub status: InterfaceStatus,
}

/// `ovhCloudConnect.popConfig.StatusEnum` and its datacenter/extra siblings: a configuration
/// is `init` until its task is done, then `active`, then `toDelete` until it is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConfigStatus {
    /// Being created.
    Init,
    /// In service.
    Active,
    /// Being deleted.
    ToDelete,
}

/// `ovhCloudConnect.popConfig.TypeEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PopType {
    /// Layer 2.
    L2,
    /// Layer 3 (BGP with the customer).
    L3,
}

impl PopType {
    /// The enum value.
    pub fn as_str(self) -> &'static str {
        match self {
            PopType::L2 => "l2",
            PopType::L3 => "l3",
        }
    }
}

/// `ovhCloudConnect.PopConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PopConfig {
    /// The customer's ASN (l3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_bgp_area: Option<u32>,
    /// ID.
    pub id: u64,
    /// The interface it configures.
    pub interface_id: u64,
    /// OVH's ASN (l3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ovh_bgp_area: Option<u32>,
    /// Status.
    pub status: ConfigStatus,
    /// The /30 (l3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Ipv4Net>,
    /// `l2` or `l3`.
    #[serde(rename = "type")]
    pub kind: PopType,
}

/// `POST …/config/pop` body.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePopConfigRequest {
    /// The interface.
    pub interface_id: u64,
    /// `l2` or `l3`.
    #[serde(rename = "type")]
    pub kind: PopType,
    /// The customer's ASN (l3).
    #[serde(default)]
    pub customer_bgp_area: Option<u32>,
    /// OVH's ASN (l3).
    #[serde(default)]
    pub ovh_bgp_area: Option<u32>,
    /// A /30 (l3), as text so that a malformed one is OVH's 400, not a body error.
    #[serde(default)]
    pub subnet: Option<String>,
}

/// `ovhCloudConnect.DatacenterConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatacenterConfig {
    /// The datacenter.
    pub datacenter_id: u64,
    /// ID.
    pub id: u64,
    /// OVH's ASN in the datacenter (l3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ovh_bgp_area: Option<u32>,
    /// Status.
    pub status: ConfigStatus,
    /// The datacenter subnet, /28 or larger (l3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Ipv4Net>,
}

/// `POST …/config/pop/{popId}/datacenter` body.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateDatacenterConfigRequest {
    /// The datacenter (one of `GET /ovhCloudConnect/{serviceName}/datacenter`).
    pub datacenter_id: u64,
    /// OVH's ASN (l3).
    #[serde(default)]
    pub ovh_bgp_area: Option<u32>,
    /// The subnet (l3), as text.
    #[serde(default)]
    pub subnet: Option<String>,
}

/// `ovhCloudConnect.DatacenterExtraConfig.TypeEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExtraType {
    /// A BGP session with a customer router in the datacenter subnet (VRRP goes off).
    Bgp,
    /// A static route toward a next hop in the datacenter subnet.
    Network,
}

/// `ovhCloudConnect.DatacenterExtraConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExtraConfig {
    /// The neighbor's ASN (`bgp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgp_neighbor_area: Option<u32>,
    /// The neighbor's address (`bgp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bgp_neighbor_ip: Option<Ipv4Addr>,
    /// ID.
    pub id: u64,
    /// The gateway (`network`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_hop: Option<Ipv4Addr>,
    /// Status.
    pub status: ConfigStatus,
    /// The routed prefix (`network`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<Ipv4Net>,
    /// `bgp` or `network`.
    #[serde(rename = "type")]
    pub kind: ExtraType,
}

/// `POST …/datacenter/{datacenterId}/extra` body.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateExtraConfigRequest {
    /// `bgp` or `network`.
    #[serde(rename = "type")]
    pub kind: ExtraType,
    /// `bgp`: the neighbor's ASN.
    #[serde(default)]
    pub bgp_neighbor_area: Option<u32>,
    /// `bgp`: the neighbor's address, as text.
    #[serde(default)]
    pub bgp_neighbor_ip: Option<String>,
    /// `network`: the next hop, as text.
    #[serde(default)]
    pub next_hop: Option<String>,
    /// `network`: the prefix, as text.
    #[serde(default)]
    pub subnet: Option<String>,
}

/// `ovhCloudConnect.Datacenter`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Datacenter {
    /// Whether a configuration may be added on it: false while the service's vRack has one
    /// there already (our reading of "availability to add new configuration").
    pub available: bool,
    /// ID.
    pub id: u64,
    /// Name.
    pub name: String,
    /// Region (`eu-west-rbx`…).
    pub region: String,
    /// Region type.
    pub region_type: String,
}

/// `ovhCloudConnect.task.StatusEnum` (and `vrack.TaskStatusEnum`'s common values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TaskStatus {
    /// Waiting.
    Todo,
    /// Running (from half of the task's delay).
    Doing,
    /// Finished.
    Done,
    /// Failed: what it was for vanished meanwhile.
    Error,
}

impl TaskStatus {
    /// Whether the task is over.
    pub fn finished(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::Error)
    }
}

/// `ovhCloudConnect.task.FunctionEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TaskFunction {
    /// PoP configuration created.
    AddPopConfiguration,
    /// PoP configuration (and its children) deleted.
    DelPopConfiguration,
    /// Datacenter configuration created.
    AddDatacenterConfiguration,
    /// Datacenter configuration (and its extras) deleted.
    DelDatacenterConfiguration,
    /// Extra created.
    AddDatacenterExtraConfiguration,
    /// Extra deleted.
    DelDatacenterExtraConfiguration,
    /// Interface locked.
    LockInterface,
    /// Interface unlocked.
    UnlockInterface,
    /// Service put in a vRack.
    AddVrack,
    /// Service taken out of its vRack.
    RemoveVrack,
}

/// `ovhCloudConnect.Task`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// What it does.
    pub function: TaskFunction,
    /// ID.
    pub id: u64,
    /// The configuration or interface it is about.
    pub resource_id: u64,
    /// Status.
    pub status: TaskStatus,
}

/// `vrack.vrack` (what `GET /vrack/{serviceName}` gives).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vrack {
    /// Description.
    pub description: String,
    /// Name (the service name).
    pub name: String,
}

/// `vrack.ovhCloudConnect`: a service in a vRack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VrackOvhCloudConnect {
    /// The service.
    pub ovh_cloud_connect: Uuid,
    /// The vRack.
    pub vrack: String,
}

/// `POST /vrack/{serviceName}/ovhCloudConnect` body.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkVrackRequest {
    /// The service, as text (an unknown one is a 404 of OVH's).
    pub ovh_cloud_connect: String,
}

/// `vrack.Task`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VrackTask {
    /// `addOvhCloudConnectToVrack` or `removeOvhCloudConnectFromVrack`.
    pub function: String,
    /// ID.
    pub id: u64,
    /// When it last changed.
    pub last_update: Option<chrono::DateTime<chrono::Utc>>,
    /// No order behind it.
    pub order_id: Option<u64>,
    /// The vRack.
    pub service_name: String,
    /// `todo`, `doing`, `done` or `error` (`vrack.TaskStatusEnum` also has `init` and
    /// `cancelled`, which nothing here goes through).
    pub status: TaskStatus,
    /// The service it is about.
    pub target_domain: String,
    /// When it was created.
    pub todo_date: chrono::DateTime<chrono::Utc>,
}

/// `vrack.AllowedServices`: what may join the vRack, per family. Only `ovhCloudConnect` is
/// filled; the other families exist in the schema and are empty here.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedServices {
    /// Public Cloud projects.
    pub cloud_project: Vec<String>,
    /// Dedicated Cloud.
    pub dedicated_cloud: Vec<String>,
    /// Dedicated Cloud datacenters.
    pub dedicated_cloud_datacenter: Vec<String>,
    /// Dedicated connects.
    pub dedicated_connect: Vec<String>,
    /// Dedicated servers.
    pub dedicated_server: Vec<String>,
    /// Dedicated server interfaces.
    pub dedicated_server_interface: Vec<String>,
    /// IP blocks.
    pub ip: Vec<String>,
    /// IPv6 blocks.
    pub ipv6: Vec<String>,
    /// Load balancers.
    pub ip_loadbalancing: Vec<String>,
    /// Legacy vRacks.
    pub legacy_vrack: Vec<String>,
    /// OVHcloud Connect services not in any vRack.
    pub ovh_cloud_connect: Vec<Uuid>,
}
