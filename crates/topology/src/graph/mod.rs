//! A picture of a topology (`peerlab graph`): what is plugged into what, drawn from the
//! topology file alone.
//!
//! [`build`] turns a parsed [`Topology`] into a [`Graph`]: nodes (the customer's routers with
//! their kind, hosts, the provider's PoPs, a VRF per VPC, private networks, load balancers, OVH
//! PoPs and datacenters), grouped in clusters (the Scaleway region, each VPC, OVHcloud, the
//! customer), and edges (cables with their VLAN, attachments, BGP sessions). A session's
//! colour is its state: the state the file's `[[expect]]` entries expect, or, when the caller
//! hands a map of [`SessionKey`] → [`SessionState`] (what a run observed, for `--after-run`),
//! that state. [`Graph::to_dot`] and [`Graph::to_mermaid`] write it out; [`svg`] lays a DOT
//! text out with Graphviz (`dot -Tsvg`, Debian's `graphviz`).
//!
//! ```
//! let text = r#"
//! name = "tiny"
//! [[interlink.dedicated_connections]]
//! name = "dc"
//! pop = "DC2"
//! bandwidth_mbps = 10000
//! [[interlink.links]]
//! name = "prod"
//! connection = "dc"
//! vlan = 2001
//! bandwidth_mbps = 1000
//! [[routers]]
//! name = "r1"
//! kind = "frr"
//! asn = 64512
//! plug = { connection = "dc", vlan = 2001 }
//! "#;
//! let topology = topology::format::parse("tiny.toml", text).unwrap();
//! let graph = topology::graph::build(&topology, None);
//! assert!(graph.to_dot().contains("VLAN 2001"));
//! assert!(graph.to_mermaid().starts_with("flowchart LR"));
//! ```
//!
//! Not here: running anything. The graph shows what the file declares; a session drawn
//! between a router and a PoP is one the provider will offer, whatever the API answers later.

mod build;
mod dot;
mod mermaid;
mod svg;

pub use build::build;
pub(crate) use build::routers_on;
pub use svg::{GraphError, svg};

use crate::format::{RouterKind, SessionFamily, SessionState};
use std::collections::BTreeMap;

/// A BGP session of the provider, as a run names it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SessionKey {
    /// One of an InterLink link's two sessions.
    Link {
        /// The link's name.
        link: String,
        /// Which of the two.
        family: SessionFamily,
    },
    /// An OVHcloud Connect session: an l3 PoP configuration's or a `bgp` extra's, by name.
    Ovh {
        /// The PoP configuration or extra.
        name: String,
    },
}

/// Observed session states, for `--after-run`.
pub type SessionStates = BTreeMap<SessionKey, SessionState>;

/// A whole picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Graph {
    /// The topology's name (the picture's title).
    pub name: String,
    /// Groups of nodes, parents before children.
    pub clusters: Vec<Cluster>,
    /// The nodes, each once.
    pub nodes: Vec<Node>,
    /// The edges, in the file's order.
    pub edges: Vec<Edge>,
}

/// A group of nodes drawn in one box (a region, a VPC, OVHcloud, the customer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// Unique among clusters.
    pub id: String,
    /// What the box says.
    pub label: String,
    /// The enclosing cluster.
    pub parent: Option<String>,
}

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A customer router.
    Router(RouterKind),
    /// A host (behind a router, in a private network or an OVH datacenter).
    Host,
    /// A Scaleway InterLink PoP (or a partner's, for hosted links).
    Pop,
    /// A VPC's VRF on the provider's side.
    Vrf,
    /// A VPC private network.
    PrivateNetwork,
    /// A Scaleway Load Balancer.
    Lb,
    /// An OVHcloud Connect service's PoP.
    OvhPop,
    /// An OVHcloud Connect datacenter configuration.
    OvhDatacenter,
}

/// One node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// Unique among nodes (`router:onprem`, `vrf:prod` …).
    pub id: String,
    /// Its name in the topology (the label's first line).
    pub name: String,
    /// More label lines (kind, AS, address …).
    pub detail: Vec<String>,
    /// What it is.
    pub kind: NodeKind,
    /// The cluster it is drawn in.
    pub cluster: Option<String>,
}

/// What an edge is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// A cable (or a VLAN on one).
    Cable {
        /// Its 802.1Q VLAN, when tagged.
        vlan: Option<u32>,
    },
    /// A logical attachment (a link to its VPC, a host in a network).
    Attachment,
    /// A BGP session.
    Session {
        /// Which one.
        key: SessionKey,
        /// Its state (`None`: nothing expected nor observed).
        state: Option<SessionState>,
        /// Whether `state` was observed in a run (else expected by the file).
        observed: bool,
    },
}

/// One edge (undirected).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// A node id.
    pub from: String,
    /// A node id.
    pub to: String,
    /// What it says.
    pub label: String,
    /// What it is.
    pub kind: EdgeKind,
}

/// How a session state is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionColour {
    /// Established.
    Up,
    /// Configured and not Established.
    Down,
    /// Not configured.
    Disabled,
    /// Nothing known.
    Unknown,
}

impl SessionColour {
    /// The colour a state is drawn in.
    pub fn of(state: Option<SessionState>) -> SessionColour {
        match state {
            Some(SessionState::Established) => SessionColour::Up,
            Some(SessionState::Disabled) => SessionColour::Disabled,
            Some(_) => SessionColour::Down,
            None => SessionColour::Unknown,
        }
    }

    /// An RGB colour for it.
    pub fn rgb(self) -> &'static str {
        match self {
            SessionColour::Up => "#2e7d32",
            SessionColour::Down => "#c62828",
            SessionColour::Disabled => "#757575",
            SessionColour::Unknown => "#9e9e9e",
        }
    }
}

impl Edge {
    /// The label with the session's state, as drawn.
    pub fn full_label(&self) -> String {
        match &self.kind {
            EdgeKind::Session {
                state, observed, ..
            } => {
                let state = match (state, observed) {
                    (Some(s), true) => s.name().to_string(),
                    (Some(s), false) => format!("{} (expected)", s.name()),
                    (None, _) => "state not expected".to_string(),
                };
                format!("{}: {state}", self.label)
            }
            _ => self.label.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
