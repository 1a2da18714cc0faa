//! An interface of the modelled network: how to build one ([`InterfaceConfig`]), its state
//! ([`Interface`]: segment, VRF, 802.1Q tag, addresses, up, detached) and the VRRP groups
//! bound to it ([`VrrpBinding`]).
//!
//! Plain data with the questions a trace asks of it (whose address, which VRRP master); the
//! [`Network`](crate::Network) adds, changes and looks up interfaces. They are public as
//! `dataplane::network::Interface` and its siblings.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::ids::{NodeId, SegmentId};
use crate::vlan::{Tag, VlanId};
use crate::vrf::DEFAULT_VRF;

/// A VRRP group's virtual addresses on one interface, and whether this router is its master.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VrrpBinding {
    /// The Virtual Router Identifier (VRID), 1..=255.
    pub vrid: u8,
    /// The virtual addresses the master answers for.
    pub addresses: Vec<IpAddr>,
    /// True while this router is the group's master (set from [`crate::vrrp`] actions).
    pub master: bool,
    /// RFC 5798 `Accept_Mode`: a master that is not the address owner accepts packets sent to
    /// the virtual addresses (otherwise it only forwards for them).
    pub accept_mode: bool,
    /// True while this router is down (crashed or stopped): it takes no part in the group, and
    /// a trace that finds no master says so.
    pub down: bool,
}

/// How to build an interface: see [`Network::add_interface`](crate::Network::add_interface).
///
/// ```
/// use dataplane::{InterfaceConfig, Network, VlanId};
///
/// let mut net = Network::new();
/// let xconnect = net.add_segment("dc2-xconnect").unwrap();
/// let config = InterfaceConfig::new("prod", xconnect)
///     .vrf("prod")
///     .vlan(VlanId::new(2001).unwrap())
///     .address("169.254.0.0/31".parse().unwrap());
/// assert_eq!(config.vrf, "prod");
/// ```
#[derive(Clone, Debug)]
pub struct InterfaceConfig {
    /// Unique within the node (e.g. `prod` or `eth0.2001`).
    pub name: String,
    /// The VRF it belongs to; [`DEFAULT_VRF`] unless set.
    pub vrf: String,
    /// The segment it is plugged into.
    pub segment: SegmentId,
    /// The 802.1Q tag of its frames, or none for untagged.
    pub vlan: Option<VlanId>,
    /// Its addresses with their subnet lengths (`169.254.0.1/31`): each gives a connected route.
    pub addresses: Vec<IpNet>,
}

impl InterfaceConfig {
    /// An untagged interface named `name` on `segment`, in the default VRF, without addresses.
    pub fn new(name: impl Into<String>, segment: SegmentId) -> Self {
        InterfaceConfig {
            name: name.into(),
            vrf: DEFAULT_VRF.into(),
            segment,
            vlan: None,
            addresses: Vec::new(),
        }
    }

    /// In VRF `vrf`.
    pub fn vrf(mut self, vrf: impl Into<String>) -> Self {
        self.vrf = vrf.into();
        self
    }

    /// Tagged with `vlan`.
    pub fn vlan(mut self, vlan: VlanId) -> Self {
        self.vlan = Some(vlan);
        self
    }

    /// With one more address.
    pub fn address(mut self, address: IpNet) -> Self {
        self.addresses.push(address);
        self
    }
}

/// An interface of a node.
#[derive(Clone, Debug)]
pub struct Interface {
    /// Unique within the node.
    pub name: String,
    /// The node it belongs to.
    pub node: NodeId,
    pub(crate) vrf: usize,
    /// The segment it is plugged into.
    pub segment: SegmentId,
    /// The 802.1Q tag of its frames.
    pub vlan: Option<VlanId>,
    /// Its addresses.
    pub addresses: Vec<IpNet>,
    /// False while administratively or operationally down.
    pub up: bool,
    /// Why the port is cut off from its segment, when it is
    /// ([`Network::detach_interface`](crate::Network::detach_interface)): e.g. `datacenter
    /// "gra" is not in vRack pn-100002`.
    pub detached: Option<String>,
    /// VRRP groups on this interface.
    pub vrrp: Vec<VrrpBinding>,
}

impl Interface {
    /// Its tag, as a frame leaving it carries it.
    pub fn tag(&self) -> Tag {
        Tag(self.vlan)
    }

    /// True when `address` is one of its own addresses.
    pub fn owns(&self, address: IpAddr) -> bool {
        self.addresses.iter().any(|a| a.addr() == address)
    }

    /// The VRRP group in which this interface is master for `address`, if any.
    pub fn vrrp_master_for(&self, address: IpAddr) -> Option<&VrrpBinding> {
        self.vrrp
            .iter()
            .find(|b| b.master && !b.down && b.addresses.contains(&address))
    }

    /// The VRRP group that has `address` as a virtual address, master or not.
    pub fn vrrp_group_for(&self, address: IpAddr) -> Option<&VrrpBinding> {
        self.vrrp.iter().find(|b| b.addresses.contains(&address))
    }
}
