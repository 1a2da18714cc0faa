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
mod nodes;

pub use clab::{ClabFile, ClabLink, ClabNode, ClabTopology};

use crate::format::Topology;
use ipnet::{Ipv4Net, Ipv6Net};
use std::path::{Path, PathBuf};

/// Container images, by what runs in them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    /// FRR routers (and embedded ones): FRR's own image.
    pub frr: String,
    /// BIRD routers.
    pub bird: String,
    /// GoBGP routers.
    pub gobgp: String,
    /// Hosts: anything with `ip`.
    pub host: String,
    /// The peerlab node.
    pub peerlab: String,
}

impl Default for Images {
    /// `quay.io/frrouting/frr:9.1.0` for FRR; `peerlab:latest` (docs/containerlab.md builds it:
    /// Debian bookworm with `bird2`, `gobgpd`, `iproute2` and the peerlab binary) for BIRD,
    /// GoBGP and peerlab; `alpine:3.20` for hosts.
    fn default() -> Self {
        Images {
            frr: "quay.io/frrouting/frr:9.1.0".to_string(),
            bird: "peerlab:latest".to_string(),
            gobgp: "peerlab:latest".to_string(),
            host: "alpine:3.20".to_string(),
            peerlab: "peerlab:latest".to_string(),
        }
    }
}

/// What the export needs besides the topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// The provider's pool of links' IPv4 /31s (Scaleway on the even address).
    pub link_ipv4_pool: Ipv4Net,
    /// The provider's pool of links' IPv6 /127s.
    pub link_ipv6_pool: Ipv6Net,
    /// Container images.
    pub images: Images,
}

/// A file of the lab, relative to its directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabFile {
    /// Where, relative to the lab's directory.
    pub path: PathBuf,
    /// What.
    pub contents: String,
}

/// An exported lab.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lab {
    /// The containerlab topology.
    pub clab: ClabFile,
    /// The files its nodes bind (configurations, the topology's copy).
    pub files: Vec<LabFile>,
}

/// Why a lab could not be exported or written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A name has nothing containerlab takes in a node name.
    #[error("{what} {name:?}: no letter or digit to make a containerlab node name of")]
    Name {
        /// What it names.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// Two names become the same node name.
    #[error("{first:?} and {second:?} both become containerlab node {node:?}")]
    Clash {
        /// The first name.
        first: String,
        /// The second name.
        second: String,
        /// The node name.
        node: String,
    },
    /// More links than the pools hold.
    #[error("link {link:?}: the link pools {v4} and {v6} have no block {index}")]
    PoolExhausted {
        /// The link.
        link: String,
        /// Its index in the file.
        index: u64,
        /// The IPv4 pool.
        v4: Ipv4Net,
        /// The IPv6 pool.
        v6: Ipv6Net,
    },
    /// The YAML could not be written.
    #[error("cannot write the containerlab YAML: {0}")]
    Yaml(String),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
}

/// Exports `topology` (whose file's text is `text`, copied for the peerlab node).
pub fn export(
    topology: &Topology,
    text: &str,
    options: &ExportOptions,
) -> Result<Lab, ExportError> {
    nodes::build(topology, text, options)
}

impl Lab {
    /// The containerlab file's name: `<name>.clab.yml`.
    pub fn file_name(&self) -> String {
        format!("{}.clab.yml", self.clab.name)
    }

    /// The containerlab topology as YAML, with a comment saying where it came from.
    pub fn to_yaml(&self) -> Result<String, ExportError> {
        let yaml =
            serde_norway::to_string(&self.clab).map_err(|e| ExportError::Yaml(e.to_string()))?;
        Ok(format!(
            "# Generated by `peerlab export containerlab` (docs/containerlab.md).\n\
             # Deploy: containerlab deploy -t {}\n{yaml}",
            self.file_name()
        ))
    }

    /// Writes the lab into `dir` (made if missing); returns the files written, the
    /// containerlab file first.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ExportError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let main = dir.join(self.file_name());
        std::fs::write(&main, self.to_yaml()?).map_err(io(&main))?;
        let mut written = vec![main];
        for f in &self.files {
            let path = dir.join(&f.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::write(&path, &f.contents).map_err(io(&path))?;
            written.push(path);
        }
        Ok(written)
    }
}
