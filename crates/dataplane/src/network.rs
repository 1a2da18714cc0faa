//! The network being modelled: nodes, their VRFs and interfaces, and the L2 segments between
//! them.
//!
//! A **node** is the provider edge (one VRF per VPC), a customer router or a host (one VRF,
//! `default`). A **segment** is an L2 broadcast domain: a cross-connect on a dedicated
//! connection or OVHcloud Connect interface, a VPC private network, a datacenter LAN. An
//! **interface** sits on one segment, in one VRF of its node, with an optional 802.1Q tag and
//! its addresses; frames only pass between interfaces of a segment that carry the same tag.
//! Interfaces and segments can be brought down (a link down, a router stopped).
//!
//! Adding an interface installs its connected routes. VRRP virtual addresses are bound to
//! interfaces here and follow the state the caller reports (see [`crate::vrrp`] for the
//! election itself). Forwarding decisions are in [`crate::trace`].

use std::net::IpAddr;

use ipnet::IpNet;

pub use crate::error::Error;
use crate::fib::{NextHop, Route, RouteSource};
use crate::vrf::{DEFAULT_VRF, Vrf};

pub use crate::ids::{InterfaceId, NodeId, SegmentId};
pub use crate::interface::{Interface, InterfaceConfig, VrrpBinding};

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeRole {
    /// The emulated provider edge (Scaleway InterLink, OVHcloud Connect): one VRF per VPC.
    Provider,
    /// A customer router.
    Router,
    /// An end host (a VPC instance, an on-premises machine).
    Host,
}

impl std::fmt::Display for NodeRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NodeRole::Provider => "provider",
            NodeRole::Router => "router",
            NodeRole::Host => "host",
        })
    }
}

/// A node: its name, its role and its VRFs (the first is [`DEFAULT_VRF`]).
#[derive(Clone, Debug)]
pub struct Node {
    /// Unique in the network.
    pub name: String,
    /// Provider edge, router or host.
    pub role: NodeRole,
    pub(crate) vrfs: Vec<Vrf>,
}

impl Node {
    /// The node's VRFs.
    pub fn vrfs(&self) -> &[Vrf] {
        &self.vrfs
    }

    /// The VRF named `name`.
    pub fn vrf(&self, name: &str) -> Option<&Vrf> {
        self.vrfs.iter().find(|v| v.name() == name)
    }
}

/// An L2 broadcast domain, up or down as a whole (a cable, a cross-connect).
#[derive(Clone, Debug)]
pub struct Segment {
    /// Unique in the network.
    pub name: String,
    /// False while the link is down.
    pub up: bool,
}

/// The whole modelled network. Build it, install routes, then [`Network::trace`] packets.
///
/// ```
/// use dataplane::{InterfaceConfig, Network, NodeRole};
///
/// let mut net = Network::new();
/// let lan = net.add_segment("lan").unwrap();
/// let a = net.add_node("a", NodeRole::Host).unwrap();
/// let b = net.add_node("b", NodeRole::Host).unwrap();
/// net.add_interface(a, InterfaceConfig::new("eth0", lan).address("192.0.2.1/24".parse().unwrap())).unwrap();
/// net.add_interface(b, InterfaceConfig::new("eth0", lan).address("192.0.2.2/24".parse().unwrap())).unwrap();
///
/// let trace = net.trace(a, "192.0.2.2".parse().unwrap()).unwrap();
/// assert!(trace.is_delivered());
/// assert_eq!(trace.to_string(), "192.0.2.1 → 192.0.2.2: delivered to host \"b\" (1 hop)");
/// ```
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub(crate) nodes: Vec<Node>,
    pub(crate) segments: Vec<Segment>,
    pub(crate) interfaces: Vec<Interface>,
}

impl Network {
    /// An empty network.
    pub fn new() -> Self {
        Network::default()
    }

    /// Adds a node with one VRF, [`DEFAULT_VRF`].
    pub fn add_node(&mut self, name: impl Into<String>, role: NodeRole) -> Result<NodeId, Error> {
        let name = name.into();
        if self.node_id(&name).is_some() {
            return Err(Error::DuplicateNode(name));
        }
        self.nodes.push(Node {
            name,
            role,
            vrfs: vec![Vrf::new(DEFAULT_VRF)],
        });
        Ok(NodeId(self.nodes.len() - 1))
    }

    /// Adds a VRF named `name` to `node` (a VPC on the provider edge).
    pub fn add_vrf(&mut self, node: NodeId, name: impl Into<String>) -> Result<(), Error> {
        let name = name.into();
        let n = self.nodes.get_mut(node.0).ok_or(Error::UnknownId("node"))?;
        if n.vrf(&name).is_some() {
            return Err(Error::DuplicateVrf {
                node: n.name.clone(),
                vrf: name,
            });
        }
        n.vrfs.push(Vrf::new(name));
        Ok(())
    }

    /// Adds an L2 segment, up.
    pub fn add_segment(&mut self, name: impl Into<String>) -> Result<SegmentId, Error> {
        let name = name.into();
        if self.segment_id(&name).is_some() {
            return Err(Error::DuplicateSegment(name));
        }
        self.segments.push(Segment { name, up: true });
        Ok(SegmentId(self.segments.len() - 1))
    }

    /// Adds an interface to `node`, up, and installs a connected route for each address.
    pub fn add_interface(
        &mut self,
        node: NodeId,
        config: InterfaceConfig,
    ) -> Result<InterfaceId, Error> {
        if self.segments.get(config.segment.0).is_none() {
            return Err(Error::UnknownId("segment"));
        }
        let id = InterfaceId(self.interfaces.len());
        let n = self.nodes.get_mut(node.0).ok_or(Error::UnknownId("node"))?;
        let vrf = n
            .vrfs
            .iter()
            .position(|v| v.name() == config.vrf)
            .ok_or_else(|| Error::UnknownVrf {
                node: n.name.clone(),
                vrf: config.vrf.clone(),
            })?;
        let taken = self
            .interfaces
            .iter()
            .any(|i| i.node == node && i.name == config.name);
        if taken {
            return Err(Error::DuplicateInterface {
                node: n.name.clone(),
                interface: config.name,
            });
        }
        if let Some(table) = n.vrfs.get_mut(vrf) {
            for address in &config.addresses {
                let route = Route::new(*address, NextHop::Connected(id), RouteSource::Connected);
                table.fib_mut().insert(route);
            }
        }
        self.interfaces.push(Interface {
            name: config.name,
            node,
            vrf,
            segment: config.segment,
            vlan: config.vlan,
            addresses: config.addresses,
            up: true,
            detached: None,
            vrrp: Vec::new(),
        });
        Ok(id)
    }

    /// Adds a static route in `node`'s VRF `vrf`: `prefix` via `next_hop` (an OVHcloud Connect
    /// `network` extra, a host's default route). It replaces the static route for the same
    /// prefix; remove one with `vrf_mut(node, vrf)?.fib_mut().remove(prefix, &RouteSource::Static)`.
    pub fn add_static_route(
        &mut self,
        node: NodeId,
        vrf: &str,
        prefix: IpNet,
        next_hop: IpAddr,
    ) -> Result<(), Error> {
        let table = self.vrf_mut(node, vrf)?;
        let route = Route::new(prefix, NextHop::Gateway(next_hop), RouteSource::Static);
        table.fib_mut().insert(route);
        Ok(())
    }

    /// One interface, to change it.
    fn interface_mut(&mut self, interface: InterfaceId) -> Result<&mut Interface, Error> {
        self.interfaces
            .get_mut(interface.0)
            .ok_or(Error::UnknownId("interface"))
    }

    /// The binding of VRRP group `vrid` on `interface`, to change it.
    fn vrrp_binding_mut(
        &mut self,
        interface: InterfaceId,
        vrid: u8,
    ) -> Result<&mut VrrpBinding, Error> {
        self.interface_mut(interface)?
            .vrrp
            .iter_mut()
            .find(|b| b.vrid == vrid)
            .ok_or(Error::UnknownId("VRRP group"))
    }

    /// Binds VRRP group `vrid` with its virtual `addresses` to `interface`, as a backup.
    pub fn add_vrrp_group(
        &mut self,
        interface: InterfaceId,
        vrid: u8,
        addresses: Vec<IpAddr>,
        accept_mode: bool,
    ) -> Result<(), Error> {
        let i = self.interface_mut(interface)?;
        i.vrrp.retain(|b| b.vrid != vrid);
        i.vrrp.push(VrrpBinding {
            vrid,
            addresses,
            master: false,
            accept_mode,
            down: false,
        });
        Ok(())
    }

    /// Records that the router of VRRP group `vrid` on `interface` is down (crashed or stopped)
    /// or runs again. A router that is down is not master.
    pub fn set_vrrp_down(
        &mut self,
        interface: InterfaceId,
        vrid: u8,
        down: bool,
    ) -> Result<(), Error> {
        let binding = self.vrrp_binding_mut(interface, vrid)?;
        binding.down = down;
        if down {
            binding.master = false;
        }
        Ok(())
    }

    /// Records whether `interface` is master of VRRP group `vrid` (it then holds the virtual
    /// addresses).
    pub fn set_vrrp_master(
        &mut self,
        interface: InterfaceId,
        vrid: u8,
        master: bool,
    ) -> Result<(), Error> {
        let binding = self.vrrp_binding_mut(interface, vrid)?;
        binding.master = master;
        Ok(())
    }

    /// Binds the virtual router of `config` to `interface`, as a backup (see
    /// [`Network::add_vrrp_group`]).
    pub fn add_vrrp_router(
        &mut self,
        interface: InterfaceId,
        config: &crate::vrrp::Config,
    ) -> Result<(), Error> {
        let addresses = config.virtual_addresses.clone();
        self.add_vrrp_group(interface, config.vrid, addresses, config.accept_mode)
    }

    /// Follows what a [`crate::vrrp::VirtualRouter`] on `interface` said to do: holds the
    /// virtual addresses of group `vrid` after [`Action::BecomeMaster`], releases them after
    /// [`Action::BecomeBackup`] or [`Action::BecomeInitialize`].
    ///
    /// [`Action::BecomeMaster`]: crate::vrrp::Action::BecomeMaster
    /// [`Action::BecomeBackup`]: crate::vrrp::Action::BecomeBackup
    /// [`Action::BecomeInitialize`]: crate::vrrp::Action::BecomeInitialize
    pub fn apply_vrrp_action(
        &mut self,
        interface: InterfaceId,
        vrid: u8,
        action: &crate::vrrp::Action,
    ) -> Result<(), Error> {
        use crate::vrrp::Action;
        match action {
            Action::BecomeMaster { .. } => self.set_vrrp_master(interface, vrid, true),
            Action::BecomeBackup | Action::BecomeInitialize => {
                self.set_vrrp_master(interface, vrid, false)
            }
            Action::Send(_) => Ok(()),
        }
    }

    /// Brings an interface up or down.
    pub fn set_interface_up(&mut self, interface: InterfaceId, up: bool) -> Result<(), Error> {
        let i = self.interface_mut(interface)?;
        i.up = up;
        if up {
            i.detached = None;
        }
        Ok(())
    }

    /// Cuts an interface off its segment, saying why in the provider's words (a port of a
    /// bridge the service no longer extends there). It is down; a trace that needs it ends in
    /// [`DropReason::Detached`](crate::DropReason::Detached) with `why`.
    /// [`Network::set_interface_up`] plugs it back.
    ///
    /// ```
    /// use dataplane::{InterfaceConfig, Network, NodeRole};
    ///
    /// let mut net = Network::new();
    /// let vrack = net.add_segment("vrack pn-1").unwrap();
    /// let a = net.add_node("office", NodeRole::Host).unwrap();
    /// let b = net.add_node("server", NodeRole::Host).unwrap();
    /// net.add_interface(a, InterfaceConfig::new("eth0", vrack).address("192.0.2.1/24".parse().unwrap())).unwrap();
    /// let eth = net.add_interface(b, InterfaceConfig::new("eth0", vrack).address("192.0.2.2/24".parse().unwrap())).unwrap();
    /// net.detach_interface(eth, "datacenter \"gra\" is not in vRack pn-1").unwrap();
    /// let reach = net.reach(a, b).unwrap();
    /// assert_eq!(reach.forward.drop_reason().unwrap().kind(), "detached");
    /// assert!(reach.forward.to_string().ends_with(
    ///     "no L2 path to 192.0.2.2 (server/eth0): datacenter \"gra\" is not in vRack pn-1"));
    /// ```
    pub fn detach_interface(
        &mut self,
        interface: InterfaceId,
        why: impl Into<String>,
    ) -> Result<(), Error> {
        let i = self.interface_mut(interface)?;
        i.up = false;
        i.detached = Some(why.into());
        Ok(())
    }

    /// Brings a whole segment (a link) up or down.
    pub fn set_segment_up(&mut self, segment: SegmentId, up: bool) -> Result<(), Error> {
        let s = self
            .segments
            .get_mut(segment.0)
            .ok_or(Error::UnknownId("segment"))?;
        s.up = up;
        Ok(())
    }

    /// The node named `name`.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.nodes.iter().position(|n| n.name == name).map(NodeId)
    }

    /// The segment named `name`.
    pub fn segment_id(&self, name: &str) -> Option<SegmentId> {
        self.segments
            .iter()
            .position(|s| s.name == name)
            .map(SegmentId)
    }

    /// `node`'s interface named `name`.
    pub fn interface_id(&self, node: NodeId, name: &str) -> Option<InterfaceId> {
        self.interfaces
            .iter()
            .position(|i| i.node == node && i.name == name)
            .map(InterfaceId)
    }

    /// A node.
    pub fn node(&self, node: NodeId) -> Option<&Node> {
        self.nodes.get(node.0)
    }

    /// A segment.
    pub fn segment(&self, segment: SegmentId) -> Option<&Segment> {
        self.segments.get(segment.0)
    }

    /// An interface.
    pub fn interface(&self, interface: InterfaceId) -> Option<&Interface> {
        self.interfaces.get(interface.0)
    }

    /// Every interface of `node`.
    pub fn interfaces_of(&self, node: NodeId) -> impl Iterator<Item = (InterfaceId, &Interface)> {
        self.interfaces
            .iter()
            .enumerate()
            .filter(move |(_, i)| i.node == node)
            .map(|(n, i)| (InterfaceId(n), i))
    }

    /// The name of the VRF `interface` belongs to.
    pub fn vrf_of(&self, interface: InterfaceId) -> Option<&str> {
        let i = self.interfaces.get(interface.0)?;
        let vrf = self.nodes.get(i.node.0)?.vrfs.get(i.vrf)?;
        Some(vrf.name())
    }

    /// `node`'s VRF named `vrf`.
    pub fn vrf(&self, node: NodeId, vrf: &str) -> Result<&Vrf, Error> {
        let n = self.nodes.get(node.0).ok_or(Error::UnknownId("node"))?;
        n.vrf(vrf).ok_or_else(|| Error::UnknownVrf {
            node: n.name.clone(),
            vrf: vrf.into(),
        })
    }

    /// `node`'s VRF named `vrf`, to install BGP routes and record withheld ones.
    pub fn vrf_mut(&mut self, node: NodeId, vrf: &str) -> Result<&mut Vrf, Error> {
        let n = self.nodes.get_mut(node.0).ok_or(Error::UnknownId("node"))?;
        let name = n.name.clone();
        n.vrfs
            .iter_mut()
            .find(|v| v.name() == vrf)
            .ok_or_else(|| Error::UnknownVrf {
                node: name,
                vrf: vrf.into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_ids_checked() {
        let mut net = Network::new();
        let a = net.add_node("a", NodeRole::Router).unwrap();
        assert_eq!(
            net.add_node("a", NodeRole::Host),
            Err(Error::DuplicateNode("a".into()))
        );
        let s = net.add_segment("s").unwrap();
        assert!(net.add_segment("s").is_err());
        net.add_vrf(a, "prod").unwrap();
        assert!(net.add_vrf(a, "prod").is_err());
        let i = net
            .add_interface(a, InterfaceConfig::new("eth0", s))
            .unwrap();
        assert!(matches!(
            net.add_interface(a, InterfaceConfig::new("eth0", s)),
            Err(Error::DuplicateInterface { .. })
        ));
        assert!(matches!(
            net.add_interface(a, InterfaceConfig::new("eth1", s).vrf("nope")),
            Err(Error::UnknownVrf { .. })
        ));
        assert_eq!(
            net.add_interface(NodeId(9), InterfaceConfig::new("x", s)),
            Err(Error::UnknownId("node"))
        );
        assert_eq!(
            net.set_interface_up(InterfaceId(9), false),
            Err(Error::UnknownId("interface"))
        );
        assert_eq!(
            net.set_vrrp_master(i, 1, true),
            Err(Error::UnknownId("VRRP group"))
        );
        assert_eq!(net.interface_id(a, "eth0"), Some(i));
        assert_eq!(net.vrf_of(i), Some(DEFAULT_VRF));
    }

    #[test]
    fn interfaces_install_connected_routes() {
        let mut net = Network::new();
        let pe = net.add_node("pe", NodeRole::Provider).unwrap();
        net.add_vrf(pe, "prod").unwrap();
        let s = net.add_segment("s").unwrap();
        let config = InterfaceConfig::new("prod", s)
            .vrf("prod")
            .address("169.254.0.0/31".parse().unwrap())
            .address("fd00::/127".parse().unwrap());
        let i = net.add_interface(pe, config).unwrap();
        let vrf = net.vrf(pe, "prod").unwrap();
        let hit = vrf.fib().lookup("169.254.0.1".parse().unwrap()).unwrap();
        assert_eq!(hit.next_hop, NextHop::Connected(i));
        assert!(vrf.fib().lookup("fd00::1".parse().unwrap()).is_some());
        assert!(net.vrf(pe, DEFAULT_VRF).unwrap().fib().is_empty());
    }
}
