//! The resources of OVHcloud Connect and the vRack as the API sends them, with the field names
//! and enum values of OVH's published schema (`ovhCloudConnect.*`, `vrack.*`), and the request
//! bodies.
//!
//! Where the schema leaves a choice, it is written beside the field.

use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use uuid::Uuid;

/// `iam.ResourceMetadata`: what OVH's IAM knows of a service, embedded in the `…WithIAM`
/// models (`GET /ovhCloudConnect/{serviceName}`, `GET /vrack/{serviceName}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IamMetadata {
    /// The resource's display name (the service's description, or its name when empty).
    pub display_name: Option<String>,
    /// The IAM resource ID (a UUID derived from the resource's URN: stable across runs).
    pub id: Uuid,
    /// IAM tags: none are set here (`null`).
    pub tags: Option<std::collections::BTreeMap<String, String>>,
    /// `urn:v1:eu:resource:{type}:{serviceName}`, OVH's URN form for the EU API.
    pub urn: String,
}

impl IamMetadata {
    /// The metadata of resource `name` of type `kind` (`ovhCloudConnect`, `vrack`).
    pub fn new(kind: &str, name: &str, display_name: &str) -> Self {
        let urn = format!("urn:v1:eu:resource:{kind}:{name}");
        Self {
            display_name: Some(if display_name.is_empty() {
                name.to_string()
            } else {
                display_name.to_string()
            }),
            id: crate::ids::stable_uuid("ovh-iam", &urn),
            tags: None,
            urn,
        }
    }
}

/// `ovhcloudconnect.ServiceWithIAM` (`GET /ovhCloudConnect/{serviceName}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// `ovhcloudconnect.service.BandwidthEnum`, in its lower-case spelling (`1g`, `10g`…).
    pub bandwidth: String,
    /// Free text, the only writable field.
    pub description: String,
    /// IAM metadata.
    pub iam: Option<IamMetadata>,
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

/// `ovhcloudconnect.interface.LightStatusEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LightStatus {
    /// Light received (the port is up).
    Up,
    /// No light (the far end is off, or the port is locked).
    Down,
    /// Not measured.
    Unknown,
}

/// `ovhcloudconnect.interface.TerminationTypeEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TerminationType {
    /// `LC/PC` connectors.
    #[serde(rename = "LC/PC")]
    LcPc,
    /// `SC/PC` connectors.
    #[serde(rename = "SC/PC")]
    ScPc,
}

/// `ovhcloudconnect.Interface`.
///
/// The light is modelled, not measured: `incomingLightStatus` is what the port bound to the
/// interface sees (its carrier; `up` when nothing is bound, as the demo's ports are patched),
/// `outgoingLightStatus` is OVH's laser (`down` while locked), `interfaceStatus` is `up` when
/// both are. The optical power values (dBm) and the device names are `null`: nothing measures
/// them here.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    /// OVH's device name: not modelled (`null`).
    pub device_display_name: Option<String>,
    /// OVH's rack name: not modelled (`null`).
    pub device_rack_display_name: Option<String>,
    /// ID.
    pub id: u64,
    /// Light received from the customer.
    pub incoming_light_status: LightStatus,
    /// Received power in dBm: not measured (`null`).
    pub incoming_light_value: Option<f64>,
    /// OVH's port name: not modelled (`null`).
    pub interface_name: Option<String>,
    /// The port's operational status.
    pub interface_status: LightStatus,
    /// When `interfaceStatus` last changed (model time).
    pub interface_status_last_update: chrono::DateTime<chrono::Utc>,
    /// The connectors: not modelled (`null`).
    pub interface_termination_type: Option<TerminationType>,
    /// When the light last changed (model time).
    pub light_last_update: chrono::DateTime<chrono::Utc>,
    /// Light sent by OVH.
    pub outgoing_light_status: LightStatus,
    /// Sent power in dBm: not measured (`null`).
    pub outgoing_light_value: Option<f64>,
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
    pub customer_bgp_area: Option<u32>,
    /// ID.
    pub id: u64,
    /// The interface it configures.
    pub interface_id: u64,
    /// OVH's ASN (l3).
    pub ovh_bgp_area: Option<u32>,
    /// Status.
    pub status: ConfigStatus,
    /// The /30 (l3).
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
    pub ovh_bgp_area: Option<u32>,
    /// Status.
    pub status: ConfigStatus,
    /// The datacenter subnet, /28 or larger (l3).
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
    pub bgp_neighbor_area: Option<u32>,
    /// The neighbor's address (`bgp`).
    pub bgp_neighbor_ip: Option<Ipv4Addr>,
    /// ID.
    pub id: u64,
    /// The gateway (`network`).
    pub next_hop: Option<Ipv4Addr>,
    /// Status.
    pub status: ConfigStatus,
    /// The routed prefix (`network`).
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

/// `vrack.vrack`: a vRack as the model keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vrack {
    /// Description.
    pub description: String,
    /// Name (the service name).
    pub name: String,
}

/// `vrack.vrackWithIAM` (what `GET /vrack/{serviceName}` gives).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VrackWithIam {
    /// Description.
    pub description: String,
    /// IAM metadata.
    pub iam: Option<IamMetadata>,
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

/// `vrack.TaskStatusEnum`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum VrackTaskStatus {
    /// Not yet queued: nothing here goes through it.
    Init,
    /// Waiting.
    Todo,
    /// Running.
    Doing,
    /// Finished.
    Done,
    /// Did not happen. The enum has no `error`: a vRack task whose change could not be made
    /// (the service left or was configured meanwhile) ends `cancelled` (our choice).
    Cancelled,
}

impl From<TaskStatus> for VrackTaskStatus {
    fn from(status: TaskStatus) -> Self {
        match status {
            TaskStatus::Todo => VrackTaskStatus::Todo,
            TaskStatus::Doing => VrackTaskStatus::Doing,
            TaskStatus::Done => VrackTaskStatus::Done,
            TaskStatus::Error => VrackTaskStatus::Cancelled,
        }
    }
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
    /// Status.
    pub status: VrackTaskStatus,
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
    /// Dedicated server interfaces (`vrack.AllowedDedicatedServerInterfaces`; always empty
    /// here, so kept as plain strings).
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
    /// vRack Services.
    pub vrack_services: Vec<String>,
}
