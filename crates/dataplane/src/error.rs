//! What building or querying a [`crate::Network`] can refuse.

use thiserror::Error;

/// Something a [`crate::Network`] refused to build.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum Error {
    /// Node names are unique.
    #[error("a node named {0:?} already exists")]
    DuplicateNode(String),
    /// Segment names are unique.
    #[error("a segment named {0:?} already exists")]
    DuplicateSegment(String),
    /// VRF names are unique within a node.
    #[error("node {node:?} already has a VRF named {vrf:?}")]
    DuplicateVrf {
        /// The node.
        node: String,
        /// The VRF.
        vrf: String,
    },
    /// Interface names are unique within a node.
    #[error("node {node:?} already has an interface named {interface:?}")]
    DuplicateInterface {
        /// The node.
        node: String,
        /// The interface.
        interface: String,
    },
    /// No node by that name.
    #[error("no node named {0:?}")]
    UnknownNode(String),
    /// No VRF by that name on the node.
    #[error("node {node:?} has no VRF named {vrf:?}")]
    UnknownVrf {
        /// The node.
        node: String,
        /// The VRF.
        vrf: String,
    },
    /// An id that this network did not hand out.
    #[error("no such {0} in this network")]
    UnknownId(&'static str),
    /// [`crate::Network::reach`] needs the two nodes to share an address family.
    #[error("nodes {a:?} and {b:?} have no address family in common")]
    NoCommonFamily {
        /// The first node.
        a: String,
        /// The second node.
        b: String,
    },
    /// A trace needs an address to send from.
    #[error("node {node:?} has no {family} address to send from")]
    NoSourceAddress {
        /// The node.
        node: String,
        /// `IPv4` or `IPv6`.
        family: &'static str,
    },
}
