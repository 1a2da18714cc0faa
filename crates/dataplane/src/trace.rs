//! `trace`: a packet's path through the model, hop by hop, and why it stops.
//!
//! [`Network::trace`] walks one packet from a node toward an address: at each node it looks for
//! local delivery, then does a longest-prefix match in the VRF the packet is in, resolves the
//! next hop to an interface, and finds the neighbour on that interface's segment that holds the
//! next-hop address on the same VLAN (or is the VRRP master for it). The walk ends delivered, or
//! dropped with a [`DropReason`] a network engineer recognises. [`Network::reach`] traces both
//! directions, because a ping needs a return path.
//!
//! The walk is bounded by a TTL, so routing loops end as [`DropReason::TtlExceeded`]. This module
//! changes nothing in the network.

use std::fmt;
use std::net::IpAddr;

use crate::fib::{NextHop, Route};
use crate::network::{Error, InterfaceId, Network, NodeId, NodeRole};
use crate::vlan::Tag;
use crate::vrf::{DEFAULT_VRF, WithheldReason, WithheldRoute};

/// The hop limit a traced packet starts with.
pub const INITIAL_TTL: u8 = 64;

/// How many gateway lookups a next hop may need before it is called unresolvable.
const MAX_RECURSION: usize = 8;

/// Where a node is, as a trace names it: role, name, VRF.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The node's name.
    pub node: String,
    /// Provider edge, router or host.
    pub role: NodeRole,
    /// The VRF the packet is in.
    pub vrf: String,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.role, self.node)?;
        if self.vrf != DEFAULT_VRF {
            write!(f, " VRF {:?}", self.vrf)?;
        }
        Ok(())
    }
}

/// One node a packet went through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The node and VRF.
    pub at: Place,
    /// The interface it came in on and its tag; none where the packet started.
    pub ingress: Option<(String, Tag)>,
    /// The route it matched, if it was forwarded.
    pub route: Option<Route>,
    /// The interface it left on, its tag and the next-hop address, if it was forwarded.
    pub egress: Option<(String, Tag, IpAddr)>,
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.at)?;
        if let Some((interface, tag)) = &self.ingress {
            write!(f, " in {interface} ({tag})")?;
        }
        if let Some(route) = &self.route {
            write!(f, ", {} ({})", route.prefix, route.source)?;
        }
        if let Some((interface, tag, next_hop)) = &self.egress {
            write!(f, " → {next_hop} out {interface} ({tag})")?;
        }
        Ok(())
    }
}

/// Why a packet was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// No route, and nothing known that would explain it.
    NoRoute,
    /// No route: the covering prefix was received but rejected by a filter.
    FilteredByPolicy(WithheldRoute),
    /// No route: the covering prefix was accepted but route propagation is disabled.
    PropagationDisabled(WithheldRoute),
    /// No route, and BGP sessions feeding this VRF are down; `route` is the prefix lost with
    /// them, when known.
    SessionDown {
        /// The peers whose session is down.
        peers: Vec<String>,
        /// The route that was learned from a peer that is now down, if recorded.
        route: Option<WithheldRoute>,
    },
    /// The next hop is not on any connected subnet.
    NextHopUnresolved(IpAddr),
    /// The egress interface, the neighbour's interface or the segment is down.
    LinkDown {
        /// What is down, e.g. `interface "eth0"` or `link "dc2-xconnect"`.
        what: String,
    },
    /// The next hop sits on the segment, but behind another VLAN than the frame's tag.
    VlanMismatch {
        /// The tag the frame left with.
        sent: Tag,
        /// Who holds the next-hop address, `node/interface`.
        holder: String,
        /// The tag the holder's port accepts.
        expected: Tag,
    },
    /// The next hop is a VRRP virtual address and no router of the group is master.
    VrrpBackup {
        /// The virtual address.
        address: IpAddr,
        /// The group's VRID.
        vrid: u8,
        /// The routers of the group, all backup.
        routers: Vec<String>,
    },
    /// The packet is for a VRRP virtual address, held by a master that is not its owner and has
    /// `Accept_Mode` off (RFC 5798 §6.4.3): it forwards for the address but does not accept it.
    VrrpNotAccepted {
        /// The virtual address.
        address: IpAddr,
        /// The group's VRID.
        vrid: u8,
    },
    /// No interface on the segment holds the next-hop address (no ARP/ND answer).
    NeighborUnreachable(IpAddr),
    /// The hop limit ran out: a routing loop.
    TtlExceeded,
}

impl DropReason {
    /// A short, stable name for reports and JSON: `no_route`, `filtered_by_policy`,
    /// `propagation_disabled`, `session_down`, `next_hop_unresolved`, `link_down`,
    /// `vlan_mismatch`, `vrrp_backup`, `vrrp_not_accepted`, `neighbor_unreachable`,
    /// `ttl_exceeded`.
    pub fn kind(&self) -> &'static str {
        match self {
            DropReason::NoRoute => "no_route",
            DropReason::FilteredByPolicy(_) => "filtered_by_policy",
            DropReason::PropagationDisabled(_) => "propagation_disabled",
            DropReason::SessionDown { .. } => "session_down",
            DropReason::NextHopUnresolved(_) => "next_hop_unresolved",
            DropReason::LinkDown { .. } => "link_down",
            DropReason::VlanMismatch { .. } => "vlan_mismatch",
            DropReason::VrrpBackup { .. } => "vrrp_backup",
            DropReason::VrrpNotAccepted { .. } => "vrrp_not_accepted",
            DropReason::NeighborUnreachable(_) => "neighbor_unreachable",
            DropReason::TtlExceeded => "ttl_exceeded",
        }
    }
}

/// The end of a trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The packet reached the node holding the destination address.
    Delivered(Place),
    /// The packet was dropped.
    Dropped {
        /// Where.
        at: Place,
        /// Why.
        reason: DropReason,
    },
}

/// A traced packet: its addresses, its hops and its verdict.
///
/// `Display` gives one line; the alternate form (`{:#}`) lists the hops first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// The source address.
    pub source: IpAddr,
    /// The destination address.
    pub destination: IpAddr,
    /// Every node the packet was in, in order, including where it stopped.
    pub hops: Vec<Hop>,
    /// How it ended.
    pub verdict: Verdict,
}

impl Trace {
    /// True when the packet was delivered.
    pub fn is_delivered(&self) -> bool {
        matches!(self.verdict, Verdict::Delivered(_))
    }

    /// Why it was dropped, if it was.
    pub fn drop_reason(&self) -> Option<&DropReason> {
        match &self.verdict {
            Verdict::Delivered(_) => None,
            Verdict::Dropped { reason, .. } => Some(reason),
        }
    }
}

/// Both directions between two nodes: a ping works only when both are delivered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    /// From the first node to the second.
    pub forward: Trace,
    /// The reply, from the second node back to the first's address.
    pub reverse: Trace,
}

impl Reach {
    /// True when both directions are delivered.
    pub fn is_reachable(&self) -> bool {
        self.forward.is_delivered() && self.reverse.is_delivered()
    }
}

impl fmt::Display for Reach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "{:#}\n{:#}", self.forward, self.reverse)
        } else {
            write!(f, "{}\n{}", self.forward, self.reverse)
        }
    }
}

impl Network {
    /// Traces a packet from `from` to `to`. It is sent from `from`'s first address of `to`'s
    /// family, in that address's VRF.
    pub fn trace(&self, from: NodeId, to: IpAddr) -> Result<Trace, Error> {
        let node = self.nodes.get(from.0).ok_or(Error::UnknownId("node"))?;
        let (_, interface, source) = self
            .interfaces_of(from)
            .flat_map(|(id, i)| i.addresses.iter().map(move |a| (id, i, a.addr())))
            .find(|(_, _, a)| a.is_ipv4() == to.is_ipv4())
            .ok_or_else(|| Error::NoSourceAddress {
                node: node.name.clone(),
                family: if to.is_ipv4() { "IPv4" } else { "IPv6" },
            })?;
        Ok(self.walk(from, interface.vrf, source, to))
    }

    /// Traces from `a` to `b`'s first address of a family both have (IPv4 first), and the reply
    /// back to the address `a` sent from.
    ///
    /// ```
    /// use dataplane::{InterfaceConfig, Network, NodeRole};
    ///
    /// let mut net = Network::new();
    /// let lan = net.add_segment("lan").unwrap();
    /// let a = net.add_node("a", NodeRole::Host).unwrap();
    /// let b = net.add_node("b", NodeRole::Host).unwrap();
    /// let eth = net.add_interface(a, InterfaceConfig::new("eth0", lan).address("192.0.2.1/24".parse().unwrap())).unwrap();
    /// net.add_interface(b, InterfaceConfig::new("eth0", lan).address("192.0.2.2/24".parse().unwrap())).unwrap();
    /// assert!(net.reach(a, b).unwrap().is_reachable());
    ///
    /// net.set_interface_up(eth, false).unwrap();
    /// let reach = net.reach(a, b).unwrap();
    /// assert!(!reach.is_reachable());
    /// assert_eq!(reach.forward.drop_reason().unwrap().kind(), "link_down");
    /// ```
    pub fn reach(&self, a: NodeId, b: NodeId) -> Result<Reach, Error> {
        let to = [true, false]
            .into_iter()
            .find_map(|v4| {
                let has = |n: NodeId| {
                    self.interfaces_of(n)
                        .flat_map(|(_, i)| i.addresses.iter())
                        .map(|a| a.addr())
                        .find(|a| a.is_ipv4() == v4)
                };
                has(a).and(has(b))
            })
            .ok_or_else(|| Error::NoCommonFamily {
                a: self.place(a, 0).node,
                b: self.place(b, 0).node,
            })?;
        let forward = self.trace(a, to)?;
        let (_, vrf) = self
            .interfaces_of(b)
            .find(|(_, i)| i.owns(to))
            .map(|(id, i)| (id, i.vrf))
            .ok_or(Error::UnknownId("address"))?;
        let reverse = self.walk(b, vrf, to, forward.source);
        Ok(Reach { forward, reverse })
    }

    fn place(&self, node: NodeId, vrf: usize) -> Place {
        let n = self.nodes.get(node.0);
        Place {
            node: n.map(|n| n.name.clone()).unwrap_or_default(),
            role: n.map(|n| n.role).unwrap_or(NodeRole::Host),
            vrf: n
                .and_then(|n| n.vrfs.get(vrf))
                .map(|v| v.name().to_owned())
                .unwrap_or_default(),
        }
    }

    fn iface_name(&self, id: InterfaceId) -> String {
        match self.interfaces.get(id.0) {
            Some(i) => format!(
                "{}/{}",
                self.nodes
                    .get(i.node.0)
                    .map(|n| n.name.as_str())
                    .unwrap_or("?"),
                i.name
            ),
            None => String::from("?"),
        }
    }

    /// Walks from `node`, VRF index `vrf`.
    fn walk(&self, mut node: NodeId, mut vrf: usize, source: IpAddr, destination: IpAddr) -> Trace {
        let mut hops = Vec::new();
        let mut ingress: Option<(String, Tag)> = None;
        let mut ttl = INITIAL_TTL;
        let verdict = loop {
            let at = self.place(node, vrf);
            let mut hop = Hop {
                at: at.clone(),
                ingress: ingress.take(),
                route: None,
                egress: None,
            };
            match self.step(node, vrf, destination, &mut hop) {
                Step::Delivered => {
                    hops.push(hop);
                    break Verdict::Delivered(at);
                }
                Step::Dropped(reason) => {
                    hops.push(hop);
                    break Verdict::Dropped { at, reason };
                }
                Step::Forward(next) => {
                    hops.push(hop);
                    ttl = ttl.saturating_sub(1);
                    let Some(i) = self.interfaces.get(next.0) else {
                        break Verdict::Dropped {
                            at,
                            reason: DropReason::NoRoute,
                        };
                    };
                    if ttl == 0 {
                        break Verdict::Dropped {
                            at: self.place(i.node, i.vrf),
                            reason: DropReason::TtlExceeded,
                        };
                    }
                    ingress = Some((i.name.clone(), i.tag()));
                    node = i.node;
                    vrf = i.vrf;
                }
            }
        };
        Trace {
            source,
            destination,
            hops,
            verdict,
        }
    }

    /// One node's forwarding decision.
    fn step(&self, node: NodeId, vrf: usize, destination: IpAddr, hop: &mut Hop) -> Step {
        // Local delivery: an address of an interface of this node in this VRF.
        let local = self
            .interfaces
            .iter()
            .filter(|i| i.node == node && i.vrf == vrf);
        for i in local {
            if i.owns(destination) {
                return Step::Delivered;
            }
            if let Some(group) = i.vrrp_master_for(destination) {
                return if group.accept_mode {
                    Step::Delivered
                } else {
                    Step::Dropped(DropReason::VrrpNotAccepted {
                        address: destination,
                        vrid: group.vrid,
                    })
                };
            }
        }
        let Some(table) = self.nodes.get(node.0).and_then(|n| n.vrfs.get(vrf)) else {
            return Step::Dropped(DropReason::NoRoute);
        };
        let Some(route) = table.fib().lookup(destination) else {
            let withheld = table.explain(destination).cloned();
            let peers: Vec<String> = table.sessions_down().map(String::from).collect();
            return Step::Dropped(match withheld {
                Some(w) => match &w.reason {
                    WithheldReason::FilteredByPolicy { .. } => DropReason::FilteredByPolicy(w),
                    WithheldReason::PropagationDisabled => DropReason::PropagationDisabled(w),
                    WithheldReason::SessionDown => DropReason::SessionDown {
                        peers,
                        route: Some(w),
                    },
                },
                None if !peers.is_empty() => DropReason::SessionDown { peers, route: None },
                None => DropReason::NoRoute,
            });
        };
        hop.route = Some(route.clone());
        // Resolve the next hop to an interface on a connected subnet.
        let mut next_hop = destination;
        let mut current = route;
        let egress = 'resolve: {
            for _ in 0..MAX_RECURSION {
                match current.next_hop {
                    NextHop::Connected(interface) => break 'resolve Some(interface),
                    NextHop::Gateway(gateway) => {
                        next_hop = gateway;
                        match table.fib().lookup(gateway) {
                            Some(r) => current = r,
                            None => break 'resolve None,
                        }
                    }
                }
            }
            None
        };
        let Some(egress) = egress else {
            return Step::Dropped(DropReason::NextHopUnresolved(next_hop));
        };
        let Some(out) = self.interfaces.get(egress.0) else {
            return Step::Dropped(DropReason::NextHopUnresolved(next_hop));
        };
        hop.egress = Some((out.name.clone(), out.tag(), next_hop));
        if !out.up {
            return Step::Dropped(DropReason::LinkDown {
                what: format!("interface {:?}", out.name),
            });
        }
        match self.segments.get(out.segment.0) {
            Some(s) if s.up => {}
            Some(s) => {
                return Step::Dropped(DropReason::LinkDown {
                    what: format!("link {:?}", s.name),
                });
            }
            None => return Step::Dropped(DropReason::NeighborUnreachable(next_hop)),
        }
        self.neighbor(egress, next_hop)
    }

    /// Who answers ARP/ND for `next_hop` on `egress`'s segment and VLAN.
    fn neighbor(&self, egress: InterfaceId, next_hop: IpAddr) -> Step {
        let Some(out) = self.interfaces.get(egress.0) else {
            return Step::Dropped(DropReason::NeighborUnreachable(next_hop));
        };
        let peers = self
            .interfaces
            .iter()
            .enumerate()
            .filter(|(n, i)| *n != egress.0 && i.segment == out.segment);
        let mut mismatch = None;
        let mut down = None;
        let mut backups: Vec<(u8, String)> = Vec::new();
        for (n, i) in peers {
            let id = InterfaceId(n);
            let holds = i.owns(next_hop) || i.vrrp_master_for(next_hop).is_some();
            if holds {
                if i.vlan != out.vlan {
                    mismatch.get_or_insert((id, i.tag()));
                } else if !i.up {
                    down.get_or_insert(id);
                } else {
                    return Step::Forward(id);
                }
            } else if i.vlan == out.vlan && i.up {
                // A backup of the group that has the address: it does not answer ARP/ND for it.
                let group = i.vrrp_group_for(next_hop);
                backups.extend(group.map(|g| (g.vrid, self.iface_name(id))));
            }
        }
        if let Some((vrid, _)) = backups.first() {
            return Step::Dropped(DropReason::VrrpBackup {
                address: next_hop,
                vrid: *vrid,
                routers: backups.iter().map(|(_, name)| name.clone()).collect(),
            });
        }
        if let Some(id) = down {
            return Step::Dropped(DropReason::LinkDown {
                what: format!("interface {:?}", self.iface_name(id)),
            });
        }
        if let Some((id, expected)) = mismatch {
            return Step::Dropped(DropReason::VlanMismatch {
                sent: out.tag(),
                holder: self.iface_name(id),
                expected,
            });
        }
        Step::Dropped(DropReason::NeighborUnreachable(next_hop))
    }
}

/// What one node does with the packet.
enum Step {
    Delivered,
    Dropped(DropReason),
    Forward(InterfaceId),
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropReason::NoRoute => f.write_str("no route"),
            DropReason::FilteredByPolicy(w) | DropReason::PropagationDisabled(w) => {
                write!(f, "no route; {w}")
            }
            DropReason::SessionDown { peers, route } => {
                f.write_str("no route; ")?;
                if let Some(w) = route {
                    write!(f, "{w}")?;
                } else {
                    let plural = if peers.len() == 1 { "" } else { "s" };
                    write!(f, "the BGP session{plural} with {} ", peers.join(", "))?;
                    f.write_str(if peers.len() == 1 {
                        "is down"
                    } else {
                        "are down"
                    })?;
                }
                Ok(())
            }
            DropReason::NextHopUnresolved(gw) => {
                write!(f, "next hop {gw} is not on any connected subnet")
            }
            DropReason::LinkDown { what } => write!(f, "{what} is down"),
            DropReason::VlanMismatch {
                sent,
                holder,
                expected,
            } => write!(
                f,
                "VLAN mismatch: the frame leaves with {sent} but {holder} expects {expected}"
            ),
            DropReason::VrrpBackup {
                address,
                vrid,
                routers,
            } => write!(
                f,
                "gateway {address} is a VRRP virtual address (VRID {vrid}) and no router is master; {} backup",
                routers.join(", ")
            ),
            DropReason::VrrpNotAccepted { address, vrid } => write!(
                f,
                "{address} is a VRRP virtual address (VRID {vrid}) and the master does not own it (Accept_Mode off)"
            ),
            DropReason::NeighborUnreachable(address) => {
                write!(
                    f,
                    "{address} does not answer ARP/ND: nothing holds it on the segment"
                )
            }
            DropReason::TtlExceeded => f.write_str("TTL exceeded (routing loop)"),
        }
    }
}

#[cfg(test)]
mod tests;

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            for (n, hop) in self.hops.iter().enumerate() {
                writeln!(f, "{:>3}  {hop}", n + 1)?;
            }
        }
        write!(f, "{} → {}: ", self.source, self.destination)?;
        match &self.verdict {
            Verdict::Delivered(at) => {
                let hops = self.hops.len().saturating_sub(1);
                let plural = if hops == 1 { "" } else { "s" };
                write!(f, "delivered to {at} ({hops} hop{plural})")
            }
            Verdict::Dropped { at, reason } => {
                write!(f, "dropped at {at}: ")?;
                match reason {
                    DropReason::NoRoute
                    | DropReason::FilteredByPolicy(_)
                    | DropReason::PropagationDisabled(_)
                    | DropReason::SessionDown { .. } => {
                        let rest = reason.to_string();
                        let rest = rest.strip_prefix("no route").unwrap_or(&rest);
                        write!(f, "no route to {}{rest}", self.destination)
                    }
                    _ => write!(f, "{reason}"),
                }
            }
        }
    }
}
