//! The containerlab topology file (`<name>.clab.yml`): the part of containerlab's schema the
//! export writes, with its own key names.

use serde::Serialize;
use std::collections::BTreeMap;

/// The whole file.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClabFile {
    /// The lab's name.
    pub name: String,
    /// Nodes and links.
    pub topology: ClabTopology,
}

/// `topology:`.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClabTopology {
    /// `nodes:` by name.
    pub nodes: BTreeMap<String, ClabNode>,
    /// `links:`, in the brief form (`endpoints: ["a:eth1", "b:eth1"]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ClabLink>,
}

/// One node (`kind: linux` for all of them).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClabNode {
    /// `linux`.
    pub kind: String,
    /// The container image.
    pub image: String,
    /// The command the container runs, when not the image's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<String>,
    /// `host-path:container-path[:ro]`, host paths relative to the file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub binds: Vec<String>,
    /// Commands run once the node is up (addresses, VLAN sub-interfaces, bridges).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exec: Vec<String>,
    /// Kernel parameters (forwarding on routers and the provider).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctls: BTreeMap<String, String>,
    /// Labels saying what the node is in the topology.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
}

/// One link between two nodes' interfaces.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ClabLink {
    /// `node:interface`, twice.
    pub endpoints: [String; 2],
}
