//! Kernel routes: one VRF of the [`dataplane`] model rendered into a Linux
//! routing table, so that the kernel forwards the way the model's `trace`
//! says.
//!
//! [`desired_routes`] reads a VRF's FIB (the preferred route of each
//! prefix: static, BGP accepted by policy while propagation is on) and
//! resolves each next hop the way the model does, to the gateway on a
//! connected subnet and the interface behind it, because Linux does not
//! resolve a gateway through another route. [`KernelTable::read`] lists
//! what the kernel has (`ip -json route show … proto 250`), [`plan`]
//! computes the difference and [`KernelTable::sync`] applies it in one
//! `ip -batch` inside the namespace. Every route it writes carries the
//! routing protocol number [`PROTO`] (250), and it only reads and deletes
//! routes of that protocol: routes of the kernel (connected subnets) or of
//! a routing daemon are never touched. Running it twice changes nothing.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use dataplane::{DEFAULT_VRF, InterfaceConfig, Network, NodeRole};
//! use linux::Netns;
//! use linux::kernel::KernelTable;
//!
//! let mut net = Network::new();
//! let vpc = net.add_segment("prod/app")?;
//! let app1 = net.add_node("app1", NodeRole::Host)?;
//! let config = InterfaceConfig::new("eth0", vpc).address("172.16.4.10/22".parse()?);
//! let eth0 = net.add_interface(app1, config)?;
//! net.add_static_route(app1, DEFAULT_VRF, "0.0.0.0/0".parse()?, "172.16.4.1".parse()?)?;
//!
//! let ns = Netns::create("app1")?;
//! // … a device eth0 in `ns`, up, with 172.16.4.10/22 …
//! let device = |i| (i == eth0).then(|| String::from("eth0"));
//! let table = KernelTable::main(&ns);
//! // ip route add 0.0.0.0/0 via 172.16.4.1 dev eth0 table 254 proto 250
//! assert_eq!(table.render(&net, app1, DEFAULT_VRF, device)?.len(), 1);
//! assert!(table.render(&net, app1, DEFAULT_VRF, device)?.is_empty());
//! # Ok(()) }
//! ```
//!
//! Not rendered: connected routes (the kernel makes them from the
//! interface addresses, which whoever wires the namespace assigns), and
//! routes whose egress interface is down in the model (the kernel drops
//! the routes of a device that goes down too).
//!
//! A VRF is a routing table. A namespace with one VRF renders it into its
//! `main` table. Several VRFs in one namespace (the provider edge, where
//! the engine's sessions run on every link) each get a numbered table
//! holding their connected routes too, selected by the interface packets
//! arrive on: see [`vrf`]. The kernels peerlab runs on may lack VRF
//! devices (`CONFIG_NET_VRF`), so this uses only policy routing rules.

use crate::netns::Netns;
use crate::process::run;
use crate::{Error, Result};
use dataplane::{InterfaceId, Network, NextHop, NodeId, RouteSource};
use ipnet::IpNet;
use std::collections::BTreeSet;
use std::fmt;
use std::io::Write;
use std::net::IpAddr;
use std::process::Command;

pub mod vrf;
pub use vrf::KernelVrf;

/// The routing protocol number of the routes peerlab owns
/// (`ip route … proto 250`); 250 is free in iproute2's `rt_protos`.
pub const PROTO: u8 = 250;

/// The kernel's `main` routing table.
pub const MAIN_TABLE: u32 = 254;

/// How many gateway lookups a next hop may take (as the model's trace).
const MAX_RECURSION: usize = 8;

/// One route as the kernel holds it: a prefix, an optional gateway, and
/// the device packets leave by.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KernelRoute {
    /// The destination, host bits cleared.
    pub prefix: IpNet,
    /// The gateway on the device's subnet; `None` for a route straight out
    /// of the device.
    pub gateway: Option<IpAddr>,
    /// The Linux device name.
    pub device: String,
}

impl fmt::Display for KernelRoute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.prefix)?;
        if let Some(gateway) = self.gateway {
            write!(f, " via {gateway}")?;
        }
        write!(f, " dev {}", self.device)
    }
}

/// One change [`KernelTable::sync`] makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// `ip route del` of one of our routes.
    Delete(KernelRoute),
    /// `ip route add` of a route.
    Add(KernelRoute),
}

impl Change {
    /// The `ip -batch` line for table `table`.
    pub fn batch_line(&self, table: u32) -> String {
        let (verb, route) = match self {
            Change::Delete(r) => ("del", r),
            Change::Add(r) => ("add", r),
        };
        format!("route {verb} {route} table {table} proto {PROTO}")
    }
}

/// The changes that turn `current` into `desired`: deletions first (a
/// route whose next hop changed is deleted, then added), each list sorted.
///
/// ```
/// use linux::kernel::{Change, KernelRoute, plan};
///
/// let route = |p: &str, gw: &str| KernelRoute {
///     prefix: p.parse().unwrap(),
///     gateway: Some(gw.parse().unwrap()),
///     device: "eth0".into(),
/// };
/// let current = [route("10.1.0.0/16", "192.0.2.1"), route("10.2.0.0/16", "192.0.2.1")];
/// let desired = [route("10.1.0.0/16", "192.0.2.1"), route("10.3.0.0/16", "192.0.2.1")];
/// assert_eq!(
///     plan(&current, &desired),
///     vec![Change::Delete(current[1].clone()), Change::Add(desired[1].clone())]
/// );
/// assert!(plan(&desired, &desired).is_empty());
/// ```
pub fn plan(current: &[KernelRoute], desired: &[KernelRoute]) -> Vec<Change> {
    let current: BTreeSet<&KernelRoute> = current.iter().collect();
    let desired: BTreeSet<&KernelRoute> = desired.iter().collect();
    let deletes = current
        .difference(&desired)
        .map(|r| Change::Delete((*r).clone()));
    let adds = desired
        .difference(&current)
        .map(|r| Change::Add((*r).clone()));
    deletes.chain(adds).collect()
}

/// Why a VRF cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The node or VRF is not in the model.
    #[error(transparent)]
    Model(#[from] dataplane::Error),
    /// A route leaves by an interface that has no Linux device.
    #[error("no Linux device for interface {interface:?} of node {node:?}")]
    NoDevice {
        /// The node.
        node: String,
        /// The model's interface name.
        interface: String,
    },
}

/// The kernel routes `node`'s VRF `vrf` should have: every preferred route
/// of its FIB that is not connected, with its next hop resolved in the VRF
/// to a gateway on a connected subnet and the Linux device of that subnet's
/// interface (`device` maps the model's interfaces to device names).
/// Routes whose next hop does not resolve, or resolves to an interface that
/// is down, are left out: the model drops those packets too.
pub fn desired_routes(
    net: &Network,
    node: NodeId,
    vrf: &str,
    device: impl Fn(InterfaceId) -> Option<String>,
) -> Result<Vec<KernelRoute>, RenderError> {
    let table = net.vrf(node, vrf)?;
    let fib = table.fib();
    let mut routes = Vec::new();
    for route in fib.routes() {
        if route.source == RouteSource::Connected {
            continue;
        }
        let mut gateway = None;
        let mut current = route;
        let mut egress = None;
        for _ in 0..MAX_RECURSION {
            match current.next_hop {
                NextHop::Connected(interface) => {
                    egress = Some(interface);
                    break;
                }
                NextHop::Gateway(address) => {
                    gateway = Some(address);
                    match fib.lookup(address) {
                        Some(r) => current = r,
                        None => break,
                    }
                }
            }
        }
        let Some(egress) = egress else { continue };
        let Some(interface) = net.interface(egress) else {
            continue;
        };
        if !interface.up {
            continue;
        }
        let device = device(egress).ok_or_else(|| RenderError::NoDevice {
            node: net.node(node).map(|n| n.name.clone()).unwrap_or_default(),
            interface: interface.name.clone(),
        })?;
        routes.push(KernelRoute {
            prefix: route.prefix,
            gateway,
            device,
        });
    }
    Ok(routes)
}

/// The connected routes of `node`'s VRF `vrf`: the subnet of each address
/// of its interfaces that are up, straight out of the interface's device.
/// The kernel puts them in `main` by itself; a VRF's numbered table needs
/// them rendered.
pub fn connected_routes(
    net: &Network,
    node: NodeId,
    vrf: &str,
    device: impl Fn(InterfaceId) -> Option<String>,
) -> Result<Vec<KernelRoute>, RenderError> {
    net.vrf(node, vrf)?;
    let mut routes = Vec::new();
    let interfaces = net
        .interfaces_of(node)
        .filter(|(id, i)| i.up && net.vrf_of(*id) == Some(vrf));
    for (id, interface) in interfaces {
        let device = device(id).ok_or_else(|| RenderError::NoDevice {
            node: net.node(node).map(|n| n.name.clone()).unwrap_or_default(),
            interface: interface.name.clone(),
        })?;
        for address in &interface.addresses {
            routes.push(KernelRoute {
                prefix: address.trunc(),
                gateway: None,
                device: device.clone(),
            });
        }
    }
    Ok(routes)
}

/// Parses the output of `ip -json route show` into routes. `v4` says the
/// family asked for (the kernel writes `default` and host routes without a
/// length). Multipath and unreachable routes, which peerlab never writes,
/// are refused rather than misread.
pub fn parse_routes(json: &str, v4: bool) -> Result<Vec<KernelRoute>> {
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| Error::parse("ip -json route", e))?;
    let entries = value
        .as_array()
        .ok_or_else(|| Error::parse("ip -json route", "not a list"))?;
    let mut routes = Vec::new();
    for entry in entries {
        let field = |name: &str| entry.get(name).and_then(|v| v.as_str());
        let dst = field("dst").ok_or_else(|| Error::parse("ip -json route", "no dst"))?;
        let prefix: IpNet = match dst {
            "default" if v4 => IpNet::V4(Default::default()),
            "default" => IpNet::V6(Default::default()),
            d if d.contains('/') => d.parse().map_err(|e| Error::parse("route dst", e))?,
            d => IpNet::from(
                d.parse::<IpAddr>()
                    .map_err(|e| Error::parse("route dst", e))?,
            ),
        };
        let gateway = field("gateway")
            .map(|g| g.parse().map_err(|e| Error::parse("route gateway", e)))
            .transpose()?;
        let device = field("dev")
            .ok_or_else(|| Error::parse("ip -json route", format!("{dst} has no device")))?;
        routes.push(KernelRoute {
            prefix: prefix.trunc(),
            gateway,
            device: device.to_owned(),
        });
    }
    Ok(routes)
}

/// A routing table in a namespace, holding the routes peerlab renders.
#[derive(Clone, Debug)]
pub struct KernelTable {
    netns: Netns,
    table: u32,
    connected: bool,
}

impl KernelTable {
    /// The `main` table of `netns`.
    pub fn main(netns: &Netns) -> Self {
        KernelTable::new(netns, MAIN_TABLE)
    }

    /// Table `table` of `netns`.
    pub fn new(netns: &Netns, table: u32) -> Self {
        KernelTable {
            netns: netns.clone(),
            table,
            connected: false,
        }
    }

    /// Renders the VRF's connected routes too (see [`connected_routes`]):
    /// for a table other than `main`.
    pub fn with_connected(mut self) -> Self {
        self.connected = true;
        self
    }

    /// The namespace.
    pub fn netns(&self) -> &Netns {
        &self.netns
    }

    /// The table number.
    pub fn table(&self) -> u32 {
        self.table
    }

    /// Our routes (protocol [`PROTO`]) in the table, IPv4 then IPv6.
    pub fn read(&self) -> Result<Vec<KernelRoute>> {
        let mut routes = Vec::new();
        for (family, v4) in [("-4", true), ("-6", false)] {
            let table = self.table.to_string();
            let proto = PROTO.to_string();
            let args = [
                family, "-json", "route", "show", "table", &table, "proto", &proto,
            ];
            let out = match run(Command::new(crate::netns::IP)
                .args(self.netns.ip_args())
                .args(args))
            {
                Ok(out) => out,
                // A table comes to exist with its first route, per family.
                Err(Error::CommandFailed { output, .. })
                    if output.contains("FIB table does not exist") =>
                {
                    continue;
                }
                Err(e) => return Err(e),
            };
            let out = out.trim();
            if !out.is_empty() {
                routes.extend(parse_routes(out, v4)?);
            }
        }
        Ok(routes)
    }

    /// Makes our routes in the table exactly `desired`, and returns the
    /// changes made (none when it already was).
    pub fn sync(&self, desired: &[KernelRoute]) -> Result<Vec<Change>> {
        let changes = plan(&self.read()?, desired);
        if changes.is_empty() {
            return Ok(changes);
        }
        let script: String = changes
            .iter()
            .map(|c| c.batch_line(self.table) + "\n")
            .collect();
        tracing::debug!(netns = %self.netns.name(), table = self.table, %script, "ip -batch");
        batch(&self.netns, &script)?;
        Ok(changes)
    }

    /// Renders `node`'s VRF `vrf` of `net` into this table (see
    /// [`desired_routes`]) and returns the changes made.
    pub fn render(
        &self,
        net: &Network,
        node: NodeId,
        vrf: &str,
        device: impl Fn(InterfaceId) -> Option<String>,
    ) -> Result<Vec<Change>> {
        let model = |e: RenderError| Error::invalid("model", e);
        let mut desired = desired_routes(net, node, vrf, &device).map_err(model)?;
        if self.connected {
            desired.extend(connected_routes(net, node, vrf, &device).map_err(model)?);
        }
        self.sync(&desired)
    }
}

/// Runs `ip -batch FILE` with `script` in `netns`, within the command
/// timeout; the first failing line stops it and is the error.
fn batch(netns: &Netns, script: &str) -> Result<()> {
    let mut file = tempfile::Builder::new()
        .prefix("peerlab-routes-")
        .tempfile()
        .map_err(|e| Error::io("cannot create the ip -batch file", e))?;
    file.write_all(script.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Error::io("cannot write the ip -batch file", e))?;
    let mut cmd = Command::new(crate::netns::IP);
    cmd.args(netns.ip_args()).arg("-batch").arg(file.path());
    match run(&mut cmd) {
        Ok(_) => Ok(()),
        Err(Error::CommandFailed {
            command,
            status,
            output,
        }) => Err(Error::CommandFailed {
            command: format!("{command} ({script:?})"),
            status,
            output,
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dataplane::{InterfaceConfig, NodeRole};

    fn route(prefix: &str, gateway: Option<&str>, device: &str) -> KernelRoute {
        KernelRoute {
            prefix: prefix.parse().unwrap(),
            gateway: gateway.map(|g| g.parse().unwrap()),
            device: device.into(),
        }
    }

    #[test]
    fn parses_ip_json() {
        let v4 = r#"[{"dst":"default","gateway":"172.16.4.1","dev":"eth0","protocol":"250","flags":[]},
            {"dst":"10.1.0.0/16","gateway":"169.254.1.1","dev":"veth0.2001","protocol":"250","flags":[]},
            {"dst":"192.0.2.7","dev":"eth1","protocol":"250","scope":"link","flags":[]}]"#;
        assert_eq!(
            parse_routes(v4, true).unwrap(),
            vec![
                route("0.0.0.0/0", Some("172.16.4.1"), "eth0"),
                route("10.1.0.0/16", Some("169.254.1.1"), "veth0.2001"),
                route("192.0.2.7/32", None, "eth1"),
            ]
        );
        let v6 = r#"[{"dst":"default","gateway":"fe80::1","dev":"eth0","protocol":"250","metric":1024,"flags":[],"pref":"medium"}]"#;
        assert_eq!(
            parse_routes(v6, false).unwrap(),
            vec![route("::/0", Some("fe80::1"), "eth0")]
        );
        assert_eq!(parse_routes("[]", true).unwrap(), vec![]);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        for bad in [
            "",
            "{}",
            "[{}]",
            r#"[{"dst":"10.0.0.0/33","dev":"x"}]"#,
            r#"[{"dst":"10.0.0.0/8"}]"#,
            r#"[{"dst":"10.0.0.0/8","dev":"x","gateway":"nope"}]"#,
            r#"[{"dst":"blackhole 10.0.0.0/8"}]"#,
        ] {
            assert!(parse_routes(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn plan_deletes_then_adds_and_replaces_changed_next_hops() {
        let current = [
            route("10.1.0.0/16", Some("192.0.2.1"), "eth0"),
            route("10.2.0.0/16", Some("192.0.2.1"), "eth0"),
        ];
        let desired = [
            route("10.1.0.0/16", Some("192.0.2.9"), "eth0"),
            route("10.2.0.0/16", Some("192.0.2.1"), "eth0"),
        ];
        let changes = plan(&current, &desired);
        assert_eq!(
            changes,
            vec![
                Change::Delete(current[0].clone()),
                Change::Add(desired[0].clone())
            ]
        );
        assert_eq!(
            changes[0].batch_line(MAIN_TABLE),
            "route del 10.1.0.0/16 via 192.0.2.1 dev eth0 table 254 proto 250"
        );
        assert_eq!(
            Change::Add(route("2001:db8::/32", None, "eth1")).batch_line(100),
            "route add 2001:db8::/32 dev eth1 table 100 proto 250"
        );
        assert!(plan(&[], &[]).is_empty());
        assert_eq!(
            plan(&current, &[]),
            current
                .iter()
                .cloned()
                .map(Change::Delete)
                .collect::<Vec<_>>()
        );
    }

    /// A provider VRF with a connected link, a VPC subnet, a BGP route via
    /// the link, a static route via a BGP-learned gateway, an unresolvable
    /// one and one over a down interface.
    #[test]
    fn desired_routes_resolve_next_hops_like_the_model() {
        let mut net = Network::new();
        let xc = net.add_segment("xc").unwrap();
        let vpc = net.add_segment("vpc").unwrap();
        let other = net.add_segment("other").unwrap();
        let pe = net.add_node("pe", NodeRole::Provider).unwrap();
        net.add_vrf(pe, "prod").unwrap();
        let link = InterfaceConfig::new("prod", xc)
            .vrf("prod")
            .address("169.254.0.0/31".parse().unwrap());
        let link = net.add_interface(pe, link).unwrap();
        let app = InterfaceConfig::new("app", vpc)
            .vrf("prod")
            .address("172.16.4.1/22".parse().unwrap());
        net.add_interface(pe, app).unwrap();
        let down = InterfaceConfig::new("down", other)
            .vrf("prod")
            .address("192.0.2.0/24".parse().unwrap());
        let down = net.add_interface(pe, down).unwrap();
        net.set_interface_up(down, false).unwrap();
        let vrf = net.vrf_mut(pe, "prod").unwrap();
        vrf.install_bgp(
            "10.1.0.0/16".parse().unwrap(),
            NextHop::Gateway("169.254.0.1".parse().unwrap()),
            "link \"prod\"",
        );
        let recursive = "10.9.0.0/16".parse().unwrap();
        net.add_static_route(pe, "prod", recursive, "10.1.2.3".parse().unwrap())
            .unwrap();
        let nowhere = "10.8.0.0/16".parse().unwrap();
        net.add_static_route(pe, "prod", nowhere, "203.0.113.1".parse().unwrap())
            .unwrap();
        let dead = "10.7.0.0/16".parse().unwrap();
        net.add_static_route(pe, "prod", dead, "192.0.2.1".parse().unwrap())
            .unwrap();
        let device = |i: InterfaceId| (i == link).then(|| "veth1h.2001".to_owned());
        let routes = desired_routes(&net, pe, "prod", device).unwrap();
        assert_eq!(
            routes,
            vec![
                route("10.1.0.0/16", Some("169.254.0.1"), "veth1h.2001"),
                route("10.9.0.0/16", Some("169.254.0.1"), "veth1h.2001"),
            ]
        );
        assert!(
            desired_routes(&net, pe, "default", device)
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            desired_routes(&net, pe, "nope", device),
            Err(RenderError::Model(_))
        ));
        assert!(matches!(
            desired_routes(&net, pe, "prod", |_| None),
            Err(RenderError::NoDevice { .. })
        ));

        // The connected routes of prod's interfaces that are up, for a VRF
        // table; none in the default VRF, which has no interface.
        let all = |i: InterfaceId| Some(format!("if{}", net.interface(i).unwrap().name));
        assert_eq!(
            connected_routes(&net, pe, "prod", all).unwrap(),
            vec![
                route("169.254.0.0/31", None, "ifprod"),
                route("172.16.4.0/22", None, "ifapp"),
            ]
        );
        assert!(
            connected_routes(&net, pe, "default", all)
                .unwrap()
                .is_empty()
        );
        assert!(connected_routes(&net, pe, "nope", all).is_err());
    }
}
