//! The topology file (DESIGN.md, "Topologies and the runner" — a contract): serde types of the
//! TOML and [`parse`], which checks every reference by name.
//!
//! A topology declares the physical world (routers, hosts, which router plugs into which
//! connection), the provider resources to create with the API's own field names, and
//! `[[expect]]` / `[[steps]]` that make it a test. References are by name (`connection =
//! "dc2-xconnect"`, `routing_policy_v4 = "v4"`); a name that refers to nothing is an error that
//! names the file, the line and the key:
//!
//! ```text
//! topologies/x.toml:12: [[interlink.links]] "prod": unknown routing_policy_v4 "v9"
//! ```
//!
//! ```
//! let text = r#"
//! name = "tiny"
//! [[routers]]
//! name = "r1"
//! kind = "embedded"
//! asn = 64512
//! plug = { connection = "dc", vlan = 2001 }
//! [[interlink.dedicated_connections]]
//! name = "dc"
//! pop = "DC2"
//! bandwidth_mbps = 10000
//! "#;
//! let topology = topology::format::parse("tiny.toml", text).unwrap();
//! assert_eq!(topology.routers[0].name.as_ref(), "r1");
//! ```
//!
//! Not here: running it (the runner in the `peerlab` binary), or the provider's own rules (a
//! VLAN outside the connection's range is the API's answer, reported when the runner creates
//! the link).

mod duration;
mod error;
mod expect;
mod lb;
mod ovh;
#[cfg(test)]
mod ovh_tests;
mod references;
mod step;
#[cfg(test)]
mod tests;

pub use duration::Within;
pub use error::{FormatError, Location};
pub use expect::{Expect, Reach, RoutesAt, SessionExpect, SessionFamily, SessionState};
pub use lb::{
    Acl, AclAction, AclMatch, AclRedirect, Backend, Frontend, HealthCheck, HttpCheck, HttpService,
    Lb, LbPrivateNetwork, LoadBalancing, Service, StaticConfig,
};
pub use ovh::{
    DatacenterConfig, Extra, ExtraType, OvhAction, OvhConnect, OvhKind, OvhService, PopConfig,
    PopType,
};
pub use step::{
    ApiCall, LinkAction, LinkState, RouterAction, RouterOperation, Step, VrrpAction, VrrpOperation,
    VrrpRouter,
};

use ipnet::IpNet;
use serde::Deserialize;
use std::net::Ipv4Addr;
use toml::Spanned;

/// A name as written, with where it was written.
pub type Name = Spanned<String>;

/// A whole topology file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// The topology's name (also the name of its run directory).
    pub name: Name,
    /// Scaleway InterLink resources to create.
    #[serde(default)]
    pub interlink: Option<Interlink>,
    /// OVHcloud Connect resources, with OVH's camelCase field names ([`OvhConnect`]).
    #[serde(default)]
    pub ovh_connect: Option<OvhConnect>,
    /// Scaleway Load Balancers ([`LoadBalancing`]).
    #[serde(default)]
    pub lb: Option<LoadBalancing>,
    /// VPCs and their private networks.
    #[serde(default)]
    pub vpcs: Vec<Vpc>,
    /// The customer's routers.
    #[serde(default)]
    pub routers: Vec<Router>,
    /// Hosts behind a router or in a VPC private network.
    #[serde(default)]
    pub hosts: Vec<Host>,
    /// What must hold once the topology is up, before the steps run.
    #[serde(default)]
    pub expect: Vec<Spanned<Expect>>,
    /// What to do, in order.
    #[serde(default)]
    pub steps: Vec<Spanned<Step>>,
    /// The file's text, for the lines of later errors.
    #[serde(skip)]
    source: String,
}

impl Topology {
    /// The 1-based line where `name` (or anything spanned) was written.
    pub fn line<T>(&self, spanned: &Spanned<T>) -> usize {
        line_of(&self.source, spanned.span().start)
    }
}

/// `[interlink]`: the Scaleway InterLink side.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interlink {
    /// The region (`fr-par`).
    #[serde(default = "default_region")]
    pub region: String,
    /// The customer's dedicated connections (they exist before any API call: the catalogue).
    #[serde(default)]
    pub dedicated_connections: Vec<DedicatedConnection>,
    /// Routing policies to create (`create_routing_policy`).
    #[serde(default)]
    pub routing_policies: Vec<RoutingPolicy>,
    /// Links to create (`create_link`, then attach and enable as declared).
    #[serde(default)]
    pub links: Vec<Link>,
}

fn default_region() -> String {
    "fr-par".to_string()
}

/// A VLAN range, both ends included.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct VlanRange {
    /// First VLAN.
    pub start: u16,
    /// Last VLAN.
    pub end: u16,
}

/// `[[interlink.dedicated_connections]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedicatedConnection {
    /// Its name, which links and plugs refer to.
    pub name: Name,
    /// A PoP of the built-in catalogue, by name (`DC2`).
    pub pop: Name,
    /// Port speed.
    pub bandwidth_mbps: u64,
    /// VLANs for its links (default 1500–3899).
    #[serde(default)]
    pub vlan_range: Option<VlanRange>,
    /// Link sizes offered (default: the standard ones that fit).
    #[serde(default)]
    pub available_link_bandwidths: Option<Vec<u64>>,
}

/// `[[interlink.routing_policies]]`, with the API's field names.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingPolicy {
    /// Its name, which links refer to.
    pub name: Name,
    /// Whether it filters IPv6 (for `routing_policy_v6`).
    #[serde(default)]
    pub is_ipv6: bool,
    /// Prefixes accepted from the peer.
    #[serde(default)]
    pub prefix_filter_in: Vec<IpNet>,
    /// Prefixes announced to the peer.
    #[serde(default)]
    pub prefix_filter_out: Vec<IpNet>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `[[interlink.links]]`: the API's field names, with references by name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Its name.
    pub name: Name,
    /// A self-hosted link: its dedicated connection.
    #[serde(default)]
    pub connection: Option<Name>,
    /// A hosted link: the partner, by name (`Example Carrier`).
    #[serde(default)]
    pub partner: Option<Name>,
    /// A hosted link's PoP, by name (default: the partner's first).
    #[serde(default)]
    pub pop: Option<Name>,
    /// The VLAN (self-hosted links).
    #[serde(default)]
    pub vlan: Option<u32>,
    /// The link's bandwidth.
    pub bandwidth_mbps: u64,
    /// The customer's AS number.
    #[serde(default)]
    pub peer_asn: Option<u32>,
    /// The IPv4 routing policy, by name.
    #[serde(default)]
    pub routing_policy_v4: Option<Name>,
    /// The IPv6 routing policy, by name.
    #[serde(default)]
    pub routing_policy_v6: Option<Name>,
    /// The VPC to attach, by name.
    #[serde(default)]
    pub vpc: Option<Name>,
    /// Whether to enable route propagation once configured.
    #[serde(default)]
    pub enable_route_propagation: bool,
    /// A hosted link: whether the partner approves it (`true`), refuses it (`false`), or
    /// decides on its own (absent).
    #[serde(default)]
    pub approve: Option<bool>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `[[vpcs]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    /// Its name.
    pub name: Name,
    /// Its private networks.
    #[serde(default)]
    pub private_networks: Vec<PrivateNetwork>,
}

/// A private network of a VPC.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivateNetwork {
    /// Its name.
    pub name: String,
    /// One subnet.
    #[serde(default)]
    pub subnet: Option<IpNet>,
    /// More subnets.
    #[serde(default)]
    pub subnets: Vec<IpNet>,
}

/// What runs a router.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RouterKind {
    /// peerlab's own speaker, in memory, on virtual time.
    Embedded,
    /// FRRouting in a network namespace.
    Frr,
    /// BIRD 2 in a network namespace.
    Bird,
    /// GoBGP in a network namespace.
    Gobgp,
}

impl RouterKind {
    /// The name as written in a topology.
    pub fn name(self) -> &'static str {
        match self {
            RouterKind::Embedded => "embedded",
            RouterKind::Frr => "frr",
            RouterKind::Bird => "bird",
            RouterKind::Gobgp => "gobgp",
        }
    }
}

/// `[[routers]]`: a customer router.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Router {
    /// Its name.
    pub name: Name,
    /// What runs it.
    pub kind: RouterKind,
    /// Its AS number.
    pub asn: u32,
    /// Its BGP identifier (default: derived from its name).
    #[serde(default)]
    pub router_id: Option<Ipv4Addr>,
    /// The prefixes it originates.
    #[serde(default)]
    pub announce: Vec<IpNet>,
    /// Where it is plugged in.
    pub plug: Spanned<Plug>,
    /// A raw configuration snippet appended to the generated one (real daemons only).
    #[serde(default)]
    pub config: Option<String>,
}

/// Where a router plugs in: `{ connection, vlan }` (a dedicated connection), `{ partner, vlan }`
/// (a partner's hosted link), `{ ovh_service, interface }` (an OVHcloud Connect PoP) or
/// `{ ovh_datacenter }` (an OVHcloud Connect datacenter subnet).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Plug {
    /// An InterLink link, by name, whatever VLAN it gets (an extension of the contract, for
    /// hosted links whose VLAN the partner picks).
    #[serde(default)]
    pub link: Option<String>,
    /// A dedicated connection, by name.
    #[serde(default)]
    pub connection: Option<String>,
    /// A hosted link's partner, by name.
    #[serde(default)]
    pub partner: Option<String>,
    /// The VLAN the router tags its frames with.
    #[serde(default)]
    pub vlan: Option<u32>,
    /// An OVHcloud Connect service, by name.
    #[serde(default)]
    pub ovh_service: Option<String>,
    /// The OVHcloud Connect interface number.
    #[serde(default)]
    pub interface: Option<u32>,
    /// An OVHcloud Connect datacenter configuration, by name: the router sits in its subnet as
    /// the neighbour of its `bgp` extra whose `bgpNeighborArea` is the router's AS (an
    /// extension of the contract).
    #[serde(default)]
    pub ovh_datacenter: Option<String>,
}

/// `[[hosts]]`: a host behind a customer router, in a VPC private network, in an OVHcloud
/// Connect datacenter, or on the customer's side of an OVHcloud Connect l2 PoP.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Its name.
    pub name: Name,
    /// The router it sits behind.
    #[serde(default)]
    pub router: Option<Name>,
    /// The VPC it is in.
    #[serde(default)]
    pub vpc: Option<Name>,
    /// The VPC's private network it is in.
    #[serde(default)]
    pub private_network: Option<Name>,
    /// The OVHcloud Connect l3 datacenter configuration whose subnet it is in, by name (an
    /// extension of the contract; its gateway is OVH's).
    #[serde(default)]
    pub ovh_datacenter: Option<Name>,
    /// The customer's side of an OVHcloud Connect l2 PoP: `{ ovh_service, interface }`, the
    /// interface whose PoP configuration is `l2` (an extension of the contract; the host is on
    /// the vRack, with no gateway).
    #[serde(default)]
    pub plug: Option<Spanned<Plug>>,
    /// Its address, with or without a prefix length (with one on an OVHcloud Connect l2
    /// vRack, which has no subnet to take it from).
    pub address: Spanned<String>,
    /// What it answers on (`services = [{ port = 8080, http = { body = "app1" } }]`).
    #[serde(default)]
    pub services: Vec<Service>,
}

impl Host {
    /// The host's address (without its prefix length). `parse` has checked it.
    pub fn ip(&self) -> Option<std::net::IpAddr> {
        host_address(self.address.as_ref())
    }
}

/// `10.1.0.10` or `10.1.0.10/16` → the address.
pub(crate) fn host_address(text: &str) -> Option<std::net::IpAddr> {
    match text.split_once('/') {
        Some((addr, len)) => {
            len.parse::<u8>().ok()?;
            text.parse::<IpNet>().ok()?;
            addr.parse().ok()
        }
        None => text.parse().ok(),
    }
}

/// Parses a topology file's text; `path` is only used in error messages.
pub fn parse(path: &str, text: &str) -> Result<Topology, FormatError> {
    let mut topology: Topology = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        FormatError::new(
            Location::new(path, line),
            e.message().trim_end().to_string(),
        )
    })?;
    references::check(&topology, path, text)?;
    lb::check(&topology, path, text)?;
    topology.source = text.to_string();
    Ok(topology)
}

/// Reads and parses a topology file.
pub fn load(path: &std::path::Path) -> Result<Topology, FormatError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FormatError::new(Location::new(&shown, None), format!("cannot read: {e}")))?;
    parse(&shown, &text)
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let before = text.get(..offset).unwrap_or(text);
    before.bytes().filter(|&b| b == b'\n').count() + 1
}
