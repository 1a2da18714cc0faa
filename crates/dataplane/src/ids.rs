//! The identifiers of a [`Network`](crate::Network)'s nodes, interfaces and segments.
//!
//! Plain indexes, handed out by the network that owns what they name; the FIB's next hops and
//! the trace name interfaces by them too. They are public as `dataplane::network::NodeId` and
//! its siblings.

/// A node of a [`Network`](crate::Network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) usize);

/// An interface of a [`Network`](crate::Network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InterfaceId(pub(crate) usize);

/// An L2 segment of a [`Network`](crate::Network).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SegmentId(pub(crate) usize);
