//! The data-plane model of the running world: a [`dataplane::Network`] built from the typed
//! provider state, what the engine's sessions hold, the VRRP gateways and the attachments.
//! Never from the API's JSON.
//!
//! - [`scaleway`]: the provider node `scaleway`, a VRF per VPC, a gateway port per private
//!   network, a VLAN port per link on its port (dedicated connection or partner) with
//!   Scaleway's addresses, and in each VPC's VRF the routes the engine installed, with the
//!   routes it withheld and why (`prefix_filter_in`, propagation disabled).
//! - [`ovh`]: the provider node `ovh` (one routing table: the vRack): a port per l3 PoP
//!   configuration, the datacenter segments with their gateway (held by VRRP's master while the
//!   group is on), the sessions' routes and the `network` extras' static routes; [`ovh_l2`]:
//!   each vRack an l2 PoP extends as one segment.
//! - [`customer`]: the attachments' side: each router on the port its plug lands on, with what
//!   it learned and what the provider does not announce to it and why; a predicted peer for a
//!   link no router is plugged into (what a customer router would learn); the hosts.
//!
//! [`build`] is pure: the world gathers [`Inputs`] and [`Observed`] and calls it whenever the
//! model is asked for (a trace, a `reach`, a rendering).

pub mod customer;
pub mod ovh;
pub mod ovh_l2;
pub mod scaleway;

use crate::attachment::Attachments;
use dataplane::{DEFAULT_VRF, InterfaceConfig, InterfaceId, Network, NodeId, NodeRole, SegmentId};
use engine::LinkSnapshot;
use ipnet::{IpNet, Ipv4Net};
use provider::interlink::LinkView;
use provider::ipam::{PrivateNetwork, Vpc};
use provider::ovh_connect::rules::VrrpRouter;
use provider::ovh_connect::view::OvhView;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use uuid::Uuid;

/// The Scaleway provider node's name.
pub const SCALEWAY: &str = "scaleway";
/// The OVH provider node's name.
pub const OVH: &str = "ovh";

/// A VRRP gateway as the model places it: who is master and who runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayInput {
    /// VRRP runs (no `bgp` extra).
    pub on: bool,
    /// The router holding the gateway, if one is elected.
    pub master: Option<VrrpRouter>,
    /// Whether each router runs.
    pub running: Vec<(VrrpRouter, bool)>,
}

/// The provider state the model is built from (copied out of the world at one instant).
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// VPCs.
    pub vpcs: Vec<Vpc>,
    /// Private networks.
    pub private_networks: Vec<PrivateNetwork>,
    /// Every link.
    pub links: Vec<LinkView>,
    /// Routing policies' names, by ID.
    pub policy_names: BTreeMap<Uuid, String>,
    /// OVHcloud Connect.
    pub ovh: OvhView,
    /// VRRP gateways, by datacenter configuration ID.
    pub gateways: BTreeMap<u64, GatewayInput>,
    /// What the customer plugged in.
    pub attachments: Attachments,
}

/// What runs, as observed when the model is built.
#[derive(Clone, Debug, Default)]
pub struct Observed {
    /// The engine's sessions, by engine link ID.
    pub sessions: BTreeMap<String, LinkSnapshot>,
    /// What each router attachment learned, by name.
    pub learned: BTreeMap<String, BTreeSet<IpNet>>,
}

/// A provider port the kernel renderer puts on an attachment's device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortDevice {
    /// The provider's port in the model.
    pub interface: InterfaceId,
    /// The attachment's device.
    pub device: String,
    /// The 802.1Q VLAN the port tags on it (a subinterface), or none (the device itself).
    pub vlan: Option<u16>,
}

/// An OVH datacenter's segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatacenterSegment {
    /// Its configuration.
    pub config_id: u64,
    /// Its name.
    pub label: String,
    /// The segment.
    pub segment: SegmentId,
    /// The gateway (the subnet's first address) with the subnet's length.
    pub gateway: Ipv4Net,
    /// While VRRP is on: OVH's routers' ports on it, by router.
    pub vrrp: Option<Vec<(VrrpRouter, InterfaceId)>>,
}

/// The network and what the kernel renderer needs to know of it.
#[derive(Debug, Default)]
pub struct Model {
    /// The network.
    pub net: Network,
    /// Nodes by name: providers, routers, hosts, predicted peers.
    pub nodes: BTreeMap<String, NodeId>,
    /// Each VPC's VRF name on `scaleway`, by VPC ID.
    pub vrfs: BTreeMap<Uuid, String>,
    /// Each private network's segment and the provider's gateway port on it.
    pub private_networks: Vec<(SegmentId, InterfaceId)>,
    /// OVH's l3 datacenter segments.
    pub datacenters: Vec<DatacenterSegment>,
    /// The vRack segments of l2 PoPs.
    pub vracks: Vec<(String, SegmentId)>,
    /// Provider ports on attachments' devices.
    pub port_devices: Vec<PortDevice>,
    /// Attachments' devices that are ports of a segment's bridge (a router's cable into an
    /// OVH datacenter), by segment.
    pub bridge_ports: Vec<(SegmentId, String)>,
    /// Each router's or LAN-forwarding host's LAN segment, by node name.
    pub lans: BTreeMap<String, SegmentId>,
    /// Each host's and router's port to its place: (node name, interface).
    pub host_ports: BTreeMap<String, InterfaceId>,
}

impl Model {
    /// A node by name.
    pub fn node(&self, name: &str) -> Option<NodeId> {
        self.nodes.get(name).copied()
    }

    fn segment(&mut self, name: &str) -> Result<SegmentId, dataplane::Error> {
        match self.net.segment_id(name) {
            Some(s) => Ok(s),
            None => self.net.add_segment(name),
        }
    }

    fn add_node(&mut self, name: &str, role: NodeRole) -> Result<NodeId, dataplane::Error> {
        let node = self.net.add_node(name, role)?;
        self.nodes.insert(name.to_string(), node);
        Ok(node)
    }
}

/// The first address of `subnet` not in `taken`, with the subnet's length: a gateway.
pub fn first_free(subnet: IpNet, taken: &BTreeSet<IpAddr>) -> Option<IpNet> {
    let len = subnet.prefix_len();
    subnet
        .hosts()
        .take(1024)
        .find(|a| !taken.contains(a))
        .and_then(|a| IpNet::new(a, len).ok())
}

/// The default route of `address`'s family.
fn default_route(address: IpAddr) -> IpNet {
    match address {
        IpAddr::V4(_) => IpNet::V4(Ipv4Net::default()),
        IpAddr::V6(_) => IpNet::V6(ipnet::Ipv6Net::default()),
    }
}

/// A host (or a LAN-forwarding server) on `segment` at `address`, with a default route to the
/// gateway of its subnet among `gateways`; its port is cut off with `cut` when given.
pub(crate) fn add_host(
    model: &mut Model,
    name: &str,
    role: NodeRole,
    segment: SegmentId,
    address: IpNet,
    gateways: &[IpAddr],
    cut: Option<String>,
) -> Result<NodeId, dataplane::Error> {
    let node = model.add_node(name, role)?;
    let port = model
        .net
        .add_interface(node, InterfaceConfig::new("eth0", segment).address(address))?;
    model.host_ports.insert(name.to_string(), port);
    if let Some(gw) = gateways.iter().find(|g| address.contains(*g)) {
        model
            .net
            .add_static_route(node, DEFAULT_VRF, default_route(*gw), *gw)?;
    }
    if let Some(why) = cut {
        model.net.detach_interface(port, why)?;
    }
    Ok(node)
}

/// Builds the model of `inputs` as `observed` runs.
pub fn build(inputs: &Inputs, observed: &Observed) -> Result<Model, dataplane::Error> {
    let mut model = Model::default();
    scaleway::add(&mut model, inputs, observed)?;
    ovh::add(&mut model, inputs, observed)?;
    ovh_l2::add(&mut model, inputs)?;
    customer::add(&mut model, inputs, observed)?;
    Ok(model)
}
