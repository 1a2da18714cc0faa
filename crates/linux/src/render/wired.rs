//! What the kernel renderer has wired so far ([`Wired`]): the routers' and hosts'
//! namespaces, the bridges, the devices standing for the model's interfaces, the VRF tables,
//! what it made and lent; and the device of a model interface, which the route rendering asks
//! for.

use super::vrrp::DatacenterBridge;
use crate::Netns;
use crate::router::DaemonRouter;
use dataplane::{InterfaceId, Network};
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::sync::Arc;

/// A host's namespace and its bridge port.
pub(super) struct HostNs {
    pub(super) ns: Netns,
    /// (the bridge's namespace, the port's device).
    pub(super) port: (Netns, String),
    pub(super) address: Option<IpAddr>,
}

/// What has been wired so far.
#[derive(Default)]
pub(super) struct Wired {
    /// Customer routers' namespaces and drivers, by name.
    pub(super) routers: BTreeMap<String, Arc<DaemonRouter>>,
    /// Hosts (and next-hop servers), by name.
    pub(super) hosts: BTreeMap<String, HostNs>,
    /// Each segment's bridge (by segment name): its namespace and device.
    pub(super) bridges: BTreeMap<String, (Netns, String)>,
    /// (node name, model interface name) → Linux device.
    pub(super) devices: BTreeMap<(String, String), String>,
    /// VLAN subinterfaces made for provider ports, by name.
    pub(super) subinterfaces: BTreeMap<String, crate::VlanInterface>,
    /// Attachment devices already joined to a bridge.
    pub(super) joined: BTreeSet<String>,
    /// Each VPC VRF's kernel table.
    pub(super) vrf_tables: BTreeMap<String, u32>,
    /// OVH's table, once chosen.
    pub(super) ovh_table: Option<u32>,
    /// OVH's datacenter bridges, by datacenter name.
    pub(super) datacenters: BTreeMap<String, DatacenterBridge>,
    /// Hosts whose bridge port is down now.
    pub(super) ports_down: BTreeSet<String>,
    /// Namespaces with forwarding on.
    pub(super) forwarding: BTreeSet<String>,
    /// Device names given so far, per kind (`pn`, `dc`, `vr`, `hp`).
    pub(super) names: BTreeMap<&'static str, usize>,
    /// Devices made in the provider's namespace (bridges), to delete there when it is not
    /// this renderer's own.
    pub(super) made: Vec<String>,
    /// Addresses put on devices that are not this renderer's (a binding's interface).
    pub(super) lent: Vec<(IpNet, String)>,
}

impl Wired {
    /// The next number for a device of `kind`.
    pub(super) fn number(&mut self, kind: &'static str) -> usize {
        let n = self.names.entry(kind).or_default();
        *n += 1;
        *n - 1
    }

    /// The Linux device of one of the model's interfaces.
    pub(super) fn device(&self, net: &Network, id: InterfaceId) -> Option<String> {
        let interface = net.interface(id)?;
        let node = net.node(interface.node)?;
        self.devices
            .get(&(node.name.clone(), interface.name.clone()))
            .cloned()
    }
}
