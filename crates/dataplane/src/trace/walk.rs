//! How a packet is walked: delivery, lookup, next-hop resolution, ARP/ND on the segment.

use std::net::IpAddr;

use super::{DropReason, Egress, Hop, INITIAL_TTL, Ingress, Place, Reach, Trace, Verdict};
use crate::fib::NextHop;
use crate::network::{Error, InterfaceId, Network, NodeId, NodeRole};
use crate::vrf::WithheldReason;

/// How many gateway lookups a next hop may need before it is called unresolvable.
const MAX_RECURSION: usize = 8;

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

    /// Traces a packet to `to` that enters the network at `interface`'s node, in its VRF, sent
    /// from its first address of `to`'s family: a trace from a given VPC of the provider edge,
    /// or from one side of a router.
    pub fn trace_from_interface(&self, interface: InterfaceId, to: IpAddr) -> Result<Trace, Error> {
        let i = self
            .interfaces
            .get(interface.0)
            .ok_or(Error::UnknownId("interface"))?;
        let source = i
            .addresses
            .iter()
            .map(|a| a.addr())
            .find(|a| a.is_ipv4() == to.is_ipv4())
            .ok_or_else(|| Error::NoSourceAddress {
                node: self.place(i.node, i.vrf).node,
                family: if to.is_ipv4() { "IPv4" } else { "IPv6" },
            })?;
        Ok(self.walk(i.node, i.vrf, source, to))
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
        let mut ingress: Option<Ingress> = None;
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
                    ingress = Some(Ingress {
                        interface: i.name.clone(),
                        tag: i.tag(),
                    });
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
        hop.egress = Some(Egress {
            interface: out.name.clone(),
            tag: out.tag(),
            next_hop,
        });
        if let Some(why) = &out.detached {
            return Step::Dropped(DropReason::Detached {
                address: next_hop,
                port: self.iface_name(egress),
                why: why.clone(),
            });
        }
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
        let mut backups: Vec<(u8, String, bool)> = Vec::new();
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
                backups.extend(group.map(|g| (g.vrid, self.iface_name(id), g.down)));
            }
        }
        if let Some((vrid, _, _)) = backups.first() {
            let names = |down: bool| {
                backups
                    .iter()
                    .filter(|(_, _, d)| *d == down)
                    .map(|(_, name, _)| name.clone())
                    .collect()
            };
            return Step::Dropped(DropReason::VrrpBackup {
                address: next_hop,
                vrid: *vrid,
                routers: names(false),
                down: names(true),
            });
        }
        if let Some(id) = down {
            if let Some(why) = self.interfaces.get(id.0).and_then(|i| i.detached.clone()) {
                return Step::Dropped(DropReason::Detached {
                    address: next_hop,
                    port: self.iface_name(id),
                    why,
                });
            }
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
