//! `peerlab export containerlab`: the same lab as a containerlab topology, to run past one
//! machine (containerlab on several hosts, clabernetes on Kubernetes).
//!
//! [`export`] turns a topology into a [`Lab`]: `<name>.clab.yml` plus the files its nodes bind
//! (the daemons' generated configurations, a copy of the topology for peerlab).
//!
//! - Every customer router is a `linux` node running its daemon with the configuration
//!   `peerlab up` would generate for it (`linux::peer::config_file`): FRR with FRR's own image,
//!   BIRD and GoBGP with the peerlab image (Debian's `bird2` and `gobgpd`). An **embedded**
//!   router has no daemon to export: it becomes an FRR node with the equivalent configuration
//!   (same AS, neighbours and announcements).
//! - peerlab is the node `peerlab`, running `peerlab up --keep` on the topology, its API on
//!   port 8080.
//! - Hosts are `linux` nodes (Alpine) with their address and a default route to their gateway.
//! - Every cable is a containerlab link. A VLAN is carried the way a router carries it: an
//!   802.1Q sub-interface (`eth1.2001`) made by the node's `exec` commands, on both ends; an
//!   OVHcloud Connect cable is untagged (the topology gives it no VLAN), and so is a hosted
//!   link whose VLAN the partner picks at run time. On the peerlab node, each private network,
//!   OVH datacenter subnet and vRack is a Linux bridge holding the gateway, the hosts' cables
//!   its ports.
//!
//! Addresses are the ones the provider hands out: InterLink link *i* (in the file's order)
//! gets the *i*-th /31 and /127 of the link pools given in [`ExportOptions`] (the provider's
//! IPAM takes the lowest free block, and `peerlab up` creates links in the file's order);
//! OVH's come from the topology's own subnets.
//!
//! Not here: running anything, or LBs and the provider's data plane, which live inside the
//! peerlab node.

mod clab;
mod lab;
mod nodes;

pub use clab::{ClabFile, ClabLink, ClabNode, ClabTopology};
pub use lab::{ExportError, ExportOptions, Images, Lab, LabFile};

use crate::format::Topology;

/// Exports `topology` (whose file's text is `text`, copied for the peerlab node).
pub fn export(
    topology: &Topology,
    text: &str,
    options: &ExportOptions,
) -> Result<Lab, ExportError> {
    nodes::build(topology, text, options)
}
