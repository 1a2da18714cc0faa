//! `trace`: a packet's path through the model, hop by hop, and why it stops.
//!
//! [`crate::Network::trace`] walks one packet from a node toward an address: at each node it looks for
//! local delivery, then does a longest-prefix match in the VRF the packet is in, resolves the
//! next hop to an interface, and finds the neighbour on that interface's segment that holds the
//! next-hop address on the same VLAN (or is the VRRP master for it). The walk ends delivered, or
//! dropped with a [`DropReason`] a network engineer recognises. [`crate::Network::reach`] traces both
//! directions, because a ping needs a return path.
//!
//! The walk is bounded by a TTL, so routing loops end as [`DropReason::TtlExceeded`]. This module
//! changes nothing in the network.

use std::fmt;
use std::net::IpAddr;

use crate::fib::Route;
use crate::network::NodeRole;
use crate::vlan::Tag;
use crate::vrf::{DEFAULT_VRF, WithheldRoute};

mod walk;

/// The hop limit a traced packet starts with.
pub const INITIAL_TTL: u8 = 64;

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

/// Where a packet came into a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ingress {
    /// The interface's name on that node.
    pub interface: String,
    /// The frame's tag.
    pub tag: Tag,
}

/// Where a packet left a node, and for which neighbour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Egress {
    /// The interface's name on that node.
    pub interface: String,
    /// The frame's tag.
    pub tag: Tag,
    /// The address the frame is sent to: the gateway, or the destination itself when it is on
    /// a connected subnet.
    pub next_hop: IpAddr,
}

/// One node a packet went through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hop {
    /// The node and VRF.
    pub at: Place,
    /// Where it came in; none where the packet started.
    pub ingress: Option<Ingress>,
    /// The route it matched, if it was forwarded.
    pub route: Option<Route>,
    /// Where it left, if a route and an interface were found.
    pub egress: Option<Egress>,
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.at)?;
        if let Some(Ingress { interface, tag }) = &self.ingress {
            write!(f, " in {interface} ({tag})")?;
        }
        if let Some(route) = &self.route {
            write!(f, ", {} ({})", route.prefix, route.source)?;
        }
        if let Some(Egress {
            interface,
            tag,
            next_hop,
        }) = &self.egress
        {
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
        /// The routers of the group that run, all backup.
        routers: Vec<String>,
        /// The routers of the group that are down (crashed or stopped).
        down: Vec<String>,
    },
    /// The packet is for a VRRP virtual address, held by a master that is not its owner and has
    /// `Accept_Mode` off (RFC 5798 §6.4.3): it forwards for the address but does not accept it.
    VrrpNotAccepted {
        /// The virtual address.
        address: IpAddr,
        /// The group's VRID.
        vrid: u8,
    },
    /// The port behind which the next hop sits (or the port the frame would leave by) is cut
    /// off its segment by the provider: no L2 path (an OVHcloud Connect datacenter no longer in
    /// the vRack, an l2 PoP configuration that is not active).
    Detached {
        /// The address the frame was for.
        address: IpAddr,
        /// The port cut off, `node/interface`.
        port: String,
        /// Why, in the provider's words.
        why: String,
    },
    /// No interface on the segment holds the next-hop address (no ARP/ND answer).
    NeighborUnreachable(IpAddr),
    /// The hop limit ran out: a routing loop.
    TtlExceeded,
}

impl DropReason {
    /// A short, stable name for reports and JSON: `no_route`, `filtered_by_policy`,
    /// `propagation_disabled`, `session_down`, `next_hop_unresolved`, `link_down`,
    /// `vlan_mismatch`, `vrrp_backup`, `vrrp_not_accepted`, `detached`,
    /// `neighbor_unreachable`, `ttl_exceeded`.
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
            DropReason::Detached { .. } => "detached",
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
                down,
            } => {
                write!(
                    f,
                    "gateway {address} is a VRRP virtual address (VRID {vrid}) and no router is master; "
                )?;
                let mut states = Vec::new();
                if !routers.is_empty() {
                    states.push(format!("{} backup", routers.join(", ")));
                }
                if !down.is_empty() {
                    states.push(format!("{} down", down.join(", ")));
                }
                f.write_str(&states.join(", "))
            }
            DropReason::VrrpNotAccepted { address, vrid } => write!(
                f,
                "{address} is a VRRP virtual address (VRID {vrid}) and the master does not own it (Accept_Mode off)"
            ),
            DropReason::Detached { address, port, why } => {
                write!(f, "no L2 path to {address} ({port}): {why}")
            }
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
