//! The data plane in Linux, for topologies of real daemons (namespace mode): the hosts as
//! network namespaces, and the model's FIBs ([`super::model`]) rendered into the kernels with
//! `linux::kernel`, so that `ping` goes exactly where the emulated service would carry the
//! packet.
//!
//! Wiring ([`Linux::wire`]) follows the model built once the routers are cabled, so that Linux
//! and the model have the same addresses:
//! - each private network is a bridge `pnN` in the provider namespace, holding the gateway
//!   addresses the model gives it; a VPC host is a namespace whose `eth0` is a veth into it;
//! - the LAN behind a customer router is a bridge `lan` in the router's namespace, holding the
//!   gateway; a customer host is a namespace whose `eth0` is a veth into it;
//! - the provider and the routers forward (IPv4 and IPv6);
//! - OVHcloud Connect: each l3 datacenter segment is a bridge `dcN` in the provider namespace
//!   holding the gateway, or, while its VRRP group is on, a link-local address, with OVH's
//!   routers `A` and `B` as namespaces on it that elect who holds the gateway for real
//!   ([`super::ovh_vrrp`]); each rendering starts or stops them as the group comes on or goes
//!   off (the bridge then takes the gateway back); the provider's end of the cable of a
//!   router plugged into the datacenter's `bgp` extra is a port of it; each `network` extra's
//!   next hop is a
//!   namespace (forwarding) whose `eth0` is a veth into it, with a bridge `lan` in the extra's
//!   subnet; a datacenter host is a namespace on the bridge of its segment in the model.
//!
//! Rendering ([`Linux::render`]) writes, by difference, the FIB of each node of the model into
//! its namespace: the provider's VPC VRF (the routes `prefix_filter_in` accepts while route
//! propagation is on) into `main` when the topology has one VPC, else one
//! [`KernelVrf`](linux::kernel::KernelVrf) table per VPC (100, 101 …); each router's learned
//! routes (its daemon runs without a kernel protocol); each host's default route; OVH's
//! routing table (the routes its sessions accepted, the `network` extras' static routes) into
//! `main` without VPCs, else into table 200; each next hop's default route.
//!
//! Not here: embedded topologies (no root, no kernel: their `reach` is the model's alone).

use super::model::{Model, PROVIDER};
use super::ovh_model::OVH;
use super::ovh_vrrp::{DatacenterBridge, GatewayState, gateway_state};
use dataplane::{DEFAULT_VRF, InterfaceId, Network, NodeId, SegmentId};
use ipnet::IpNet;
use linux::Netns;
use linux::kernel::{KernelTable, KernelVrf, MAIN_TABLE};
use std::collections::HashMap;
use std::net::IpAddr;
use topology::format::{ExtraType, Topology, VrrpRouter};

/// The first table of a VPC's VRF when the provider holds several.
const FIRST_VRF_TABLE: u32 = 100;

/// The table of OVH's routing table when the provider namespace also holds VPCs.
const OVH_TABLE: u32 = 200;

/// The `ping` of iputils.
const PING: &str = "/usr/bin/ping";

/// A daemon router as wiring sees it.
pub struct RouterNs {
    /// Its topology name.
    pub name: String,
    /// Its namespace.
    pub netns: Netns,
    /// Its cable, if plugged: the provider's port in the model (node name, interface name),
    /// the provider's device and the router's device.
    pub cable: Option<((String, String), String, String)>,
}

/// The namespaces of a topology's data plane and the Linux device of each of the model's
/// interfaces. Dropping it deletes the hosts' namespaces.
pub struct Linux {
    /// OVH's VRRP routers run for real (dropped first: speakers stop before the bridges go).
    vrrp: super::ovh_vrrp::VrrpRouters,
    provider: Netns,
    routers: HashMap<String, Netns>,
    hosts: HashMap<String, Netns>,
    /// The servers at OVH `network` extras' next hops, by model node name (`next hop NAME`).
    next_hops: HashMap<String, Netns>,
    /// Host name → its address.
    addresses: HashMap<String, IpAddr>,
    /// (node name, model interface name) → Linux device.
    devices: HashMap<(String, String), String>,
    /// VPC name → the table its VRF is rendered into.
    vpc_tables: Vec<(String, u32)>,
    /// The table OVH's routing table is rendered into: `main` without VPCs, else its own.
    ovh_table: u32,
    /// Host name → its bridge port (namespace, device).
    ports: HashMap<String, (Netns, String)>,
    /// The bridges of the l3 datacenters.
    datacenters: Vec<DatacenterBridge>,
    /// The hosts whose bridge port is down now (the model cuts them off).
    ports_down: std::sync::Mutex<std::collections::HashSet<String>>,
    /// One rendering at a time: a kept topology renders every 0.5 s while `peerlab trace`
    /// renders too, and two differences applied at once would add the same route twice.
    rendering: std::sync::Mutex<()>,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// `ip addr add` with IPv6 duplicate address detection off (a lab has no duplicates, and DAD
/// would hold the address tentative for a second).
fn add_address(ns: &Netns, address: &IpNet, device: &str) -> Result<(), String> {
    let address = address.to_string();
    let mut args = vec!["addr", "add", address.as_str(), "dev", device];
    if address.contains(':') {
        args.push("nodad");
    }
    ns.run("ip", args).map(drop).map_err(err)
}

/// A bridge `name` in `ns` with `addresses`, up.
fn bridge(ns: &Netns, name: &str, addresses: &[IpNet]) -> Result<(), String> {
    ns.run("ip", ["link", "add", name, "type", "bridge"])
        .map_err(err)?;
    for a in addresses {
        add_address(ns, a, name)?;
    }
    ns.run("ip", ["link", "set", name, "up"]).map_err(err)?;
    Ok(())
}

/// Forwarding on, both families.
fn forward(ns: &Netns) -> Result<(), String> {
    ns.run(
        "sysctl",
        [
            "-qw",
            "net.ipv4.ip_forward=1",
            "net.ipv6.conf.all.forwarding=1",
        ],
    )
    .map(drop)
    .map_err(err)
}

/// A veth `port` in `gw_ns`, a port of `bridge` there, whose peer is `eth0` in `ns` with
/// `addresses`, both ends up.
pub(crate) fn veth_into(
    gw_ns: &Netns,
    port: &str,
    bridge: &str,
    ns: &Netns,
    addresses: &[IpNet],
) -> Result<(), String> {
    gw_ns
        .run(
            "ip",
            [
                "link",
                "add",
                port,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                ns.name(),
            ],
        )
        .map_err(err)?;
    gw_ns
        .run("ip", ["link", "set", port, "master", bridge, "up"])
        .map_err(err)?;
    for a in addresses {
        add_address(ns, a, "eth0")?;
    }
    ns.run("ip", ["link", "set", "eth0", "up"]).map_err(err)?;
    Ok(())
}

/// The datacenter configuration whose port of the `ovh` node `port` is (`datacenter DC`, or
/// its VRRP routers' `datacenter DC A` and `datacenter DC B`, [`super::ovh_model`]).
fn datacenter_of_port(topology: &Topology, port: &str) -> Option<String> {
    let ovh = topology.ovh_connect.as_ref()?;
    let rest = port.strip_prefix("datacenter ")?;
    ovh.datacenter_configs
        .iter()
        .map(|d| d.name.get_ref())
        .find(|dc| {
            rest == dc.as_str()
                || [VrrpRouter::A, VrrpRouter::B]
                    .iter()
                    .any(|r| rest == format!("{dc} {}", r.name()))
        })
        .cloned()
}

/// Makes `port` (the provider's end of a router's cable, which held OVH's gateway) a port of
/// `bridge` in `ns`: the router then shares the segment of the bridge's hosts, and the
/// gateway is held once, by the bridge (which already has it, so the BGP session bound to it
/// goes on). Its own addresses go: a bridge port's addresses are never reached.
fn join_bridge(ns: &Netns, port: &str, bridge: &str) -> Result<(), String> {
    ns.run("ip", ["link", "set", port, "master", bridge, "up"])
        .map_err(err)?;
    ns.run("ip", ["addr", "flush", "dev", port, "scope", "global"])
        .map(drop)
        .map_err(err)
}

/// A name fit for a namespace label: `a-z0-9-`, at most 20 characters.
pub(crate) fn sanitized(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(20)
        .collect()
}

/// A host's namespace label.
fn label(name: &str) -> String {
    format!("h-{}", sanitized(name))
}

/// Whether a failed ping's exit status (`exit status: N`, as `ExitStatus` prints it) means no
/// answer: 1 (no reply) or 2 (an error such as no route). Anything else (killed by a signal,
/// `ip netns exec` failing) is not an answer of the network.
fn no_answer(status: &str) -> bool {
    matches!(status.strip_prefix("exit status: "), Some("1" | "2"))
}

impl Linux {
    /// Wires the hosts of `topology` as `model` describes them, next to the provider namespace
    /// and the routers' (blocking: it runs `ip`).
    pub fn wire(
        topology: &Topology,
        model: &Model,
        provider: &Netns,
        routers: Vec<RouterNs>,
    ) -> Result<Linux, String> {
        if !topology.hosts.is_empty() && !std::path::Path::new(PING).is_file() {
            return Err(format!(
                "{PING} is missing: hosts are pinged (apt-get install -y iputils-ping)"
            ));
        }
        let net = &model.net;
        let mut linux = Linux {
            vrrp: Default::default(),
            provider: provider.clone(),
            routers: HashMap::new(),
            hosts: HashMap::new(),
            next_hops: HashMap::new(),
            addresses: HashMap::new(),
            devices: HashMap::new(),
            vpc_tables: Vec::new(),
            ovh_table: if topology.vpcs.is_empty() {
                MAIN_TABLE
            } else {
                OVH_TABLE
            },
            ports: HashMap::new(),
            ports_down: Default::default(),
            datacenters: Vec::new(),
            rendering: Default::default(),
        };
        forward(provider)?;
        let vpcs: Vec<&String> = topology.vpcs.iter().map(|v| v.name.get_ref()).collect();
        linux.vpc_tables = match vpcs.as_slice() {
            [one] => vec![((*one).clone(), MAIN_TABLE)],
            many => many
                .iter()
                .zip(FIRST_VRF_TABLE..)
                .map(|(v, t)| ((*v).clone(), t))
                .collect(),
        };
        // Each cable's port in the model and the provider's device.
        let mut cables: Vec<((String, String), String)> = Vec::new();
        for r in routers {
            forward(&r.netns)?;
            if let Some((port, host_if, peer_if)) = r.cable {
                cables.push((port.clone(), host_if.clone()));
                linux.devices.insert(port, host_if);
                linux
                    .devices
                    .insert((r.name.clone(), "uplink".to_string()), peer_if);
            }
            linux.routers.insert(r.name, r.netns);
        }
        let provider_id = model
            .nodes
            .get(PROVIDER)
            .copied()
            .ok_or("the model has no provider")?;

        // Private networks: a bridge each in the provider namespace.
        let mut bridges: HashMap<String, (Netns, String)> = HashMap::new();
        // The model names a private network's port `VPC/PRIVATE_NETWORK`.
        let private_networks: Vec<String> = topology
            .vpcs
            .iter()
            .flat_map(|v| {
                v.private_networks
                    .iter()
                    .map(move |pn| format!("{}/{}", v.name.get_ref(), pn.name))
            })
            .collect();
        let ports: Vec<(String, Vec<IpNet>)> = net
            .interfaces_of(provider_id)
            .filter(|(_, i)| private_networks.contains(&i.name))
            .map(|(_, i)| (i.name.clone(), i.addresses.clone()))
            .collect();
        for (n, (name, addresses)) in ports.into_iter().enumerate() {
            let device = format!("pn{n}");
            bridge(provider, &device, &addresses)?;
            linux
                .devices
                .insert((PROVIDER.to_string(), name.clone()), device.clone());
            bridges.insert(
                format!("{PROVIDER}/{name}"),
                (provider.clone(), device.clone()),
            );
        }
        // The LAN behind each router that has hosts.
        for (name, ns) in &linux.routers {
            let Some(&node) = model.nodes.get(name) else {
                continue;
            };
            let Some((_, lan)) = net.interfaces_of(node).find(|(_, i)| i.name == "lan") else {
                continue;
            };
            bridge(ns, "lan", &lan.addresses)?;
            linux
                .devices
                .insert((name.clone(), "lan".to_string()), "lan".to_string());
            bridges.insert(format!("{name}/lan"), (ns.clone(), "lan".to_string()));
        }

        // OVHcloud Connect: the datacenter segments and the servers at the next hops.
        let mut segments = linux.wire_ovh(topology, model, &cables)?;
        super::ovh_l2::wire(topology, model, provider, &mut segments)?;

        // The hosts: a namespace each, cabled into their bridge.
        for (n, host) in topology.hosts.iter().enumerate() {
            let name = host.name.get_ref();
            let placed = (host.vpc.is_some() && host.private_network.is_some())
                || host.router.is_some()
                || host.ovh_datacenter.is_some()
                || host.plug.is_some();
            if !placed {
                continue;
            }
            let Some(&node) = model.nodes.get(name) else {
                return Err(format!("host {name} is not in the model"));
            };
            let Some((_, eth0)) = net.interfaces_of(node).next() else {
                return Err(format!("host {name} has no interface in the model"));
            };
            let plugged = match (&host.vpc, &host.private_network, &host.router) {
                (Some(vpc), Some(pn), _) => {
                    bridges.get(&format!("{PROVIDER}/{}/{}", vpc.get_ref(), pn.get_ref()))
                }
                (_, _, Some(router)) => bridges.get(&format!("{}/lan", router.get_ref())),
                _ => segments.get(&eth0.segment),
            };
            let Some((gw_ns, bridge)) = plugged else {
                return Err(format!("host {name}: nothing to plug it into"));
            };
            let addresses = eth0.addresses.clone();
            let ns = Netns::create(&label(name)).map_err(err)?;
            linux.hosts.insert(name.clone(), ns.clone());
            let port = format!("hp{n}");
            veth_into(gw_ns, &port, bridge, &ns, &addresses)?;
            linux.ports.insert(name.clone(), (gw_ns.clone(), port));
            if let Some(a) = addresses.first() {
                linux.addresses.insert(name.clone(), a.addr());
            }
            linux
                .devices
                .insert((name.clone(), "eth0".to_string()), "eth0".to_string());
        }
        Ok(linux)
    }

    /// OVHcloud Connect's side (nothing without an `ovh` node in the model): a bridge `dcN` in
    /// the provider namespace per l3 datacenter segment, holding the gateway (the subnet's
    /// first address) while VRRP is off, else OVH's routers A and B on it ([`Self::reconcile`]),
    /// and the cable of a router plugged into the datacenter's `bgp` extra as a port; each `network`
    /// extra's next hop a namespace whose `eth0` is a veth into that bridge, forwarding, with
    /// a bridge `lan` holding its address in the extra's subnet. Returns the bridge of each
    /// segment, for the hosts. `cables` are the routers' cables: (port in the model, the
    /// provider's device).
    fn wire_ovh(
        &mut self,
        topology: &Topology,
        model: &Model,
        cables: &[((String, String), String)],
    ) -> Result<HashMap<SegmentId, (Netns, String)>, String> {
        let net = &model.net;
        let mut segments: HashMap<SegmentId, (Netns, String)> = HashMap::new();
        let (Some(ovh), Some(&node)) = (&topology.ovh_connect, model.nodes.get(OVH)) else {
            return Ok(segments);
        };
        // Datacenter segment → the datacenter configuration and OVH's subnet there.
        let mut on_segment: Vec<(SegmentId, String, ipnet::Ipv4Net)> = Vec::new();
        for (_, i) in net.interfaces_of(node) {
            let Some(dc) = datacenter_of_port(topology, &i.name) else {
                continue;
            };
            let Some(IpNet::V4(own)) = i.addresses.first() else {
                continue;
            };
            if !on_segment.iter().any(|(s, _, _)| *s == i.segment) {
                on_segment.push((i.segment, dc, own.trunc()));
            }
        }
        for (n, (segment, dc, subnet)) in on_segment.into_iter().enumerate() {
            let device = format!("dc{n}");
            bridge(&self.provider, &device, &[])?;
            let gateway = provider::ovh_connect::rules::nth(subnet, 1);
            let d = DatacenterBridge {
                name: dc.clone(),
                device: device.clone(),
                n,
                gateway: ipnet::Ipv4Net::new(gateway, subnet.prefix_len()).map_err(err)?,
                holds_gateway: Default::default(),
            };
            // The gateway on the bridge, or OVH's routers A and B on it.
            self.reconcile(&d, gateway_state(model, &dc))?;
            for name in [
                format!("datacenter {dc}"),
                format!("datacenter {dc} A"),
                format!("datacenter {dc} B"),
            ] {
                let port = (OVH.to_string(), name);
                // The routers plugged into the datacenter's `bgp` extras: their cables join the
                // datacenter's segment.
                for (_, cable) in cables.iter().filter(|(p, _)| *p == port) {
                    join_bridge(&self.provider, cable, &device)?;
                }
                self.devices.insert(port, device.clone());
            }
            self.datacenters.push(d);
            segments.insert(segment, (self.provider.clone(), device));
        }
        // The next hops of the `network` extras.
        for (n, e) in ovh
            .extras
            .iter()
            .filter(|e| e.kind == ExtraType::Network)
            .enumerate()
        {
            let name = format!("next hop {}", e.name.get_ref());
            let Some(hop) = net.node_id(&name) else {
                continue;
            };
            let ports: Vec<(String, SegmentId, Vec<IpNet>)> = net
                .interfaces_of(hop)
                .map(|(_, i)| (i.name.clone(), i.segment, i.addresses.clone()))
                .collect();
            let Some((_, segment, addresses)) = ports.iter().find(|(i, _, _)| i == "eth0") else {
                continue;
            };
            let Some((gw_ns, gw_bridge)) = segments.get(segment).cloned() else {
                continue;
            };
            let ns = Netns::create(&format!("n-{}", sanitized(e.name.get_ref()))).map_err(err)?;
            forward(&ns)?;
            veth_into(&gw_ns, &format!("nh{n}"), &gw_bridge, &ns, addresses)?;
            self.devices
                .insert((name.clone(), "eth0".to_string()), "eth0".to_string());
            if let Some((_, lan, addresses)) = ports.iter().find(|(i, _, _)| i == "lan") {
                bridge(&ns, "lan", addresses)?;
                self.devices
                    .insert((name.clone(), "lan".to_string()), "lan".to_string());
                segments.insert(*lan, (ns.clone(), "lan".to_string()));
            }
            self.next_hops.insert(name, ns);
        }
        Ok(segments)
    }

    /// Makes datacenter bridge `d` follow `state` ([`super::ovh_vrrp::VrrpRouters::reconcile`]).
    fn reconcile(&self, d: &DatacenterBridge, state: GatewayState) -> Result<(), String> {
        let on_link_table = (self.ovh_table == MAIN_TABLE).then_some(MAIN_TABLE);
        self.vrrp.reconcile(&self.provider, on_link_table, d, state)
    }

    /// OVH's VRRP routers run for real.
    pub fn vrrp(&self) -> &super::ovh_vrrp::VrrpRouters {
        &self.vrrp
    }

    /// Whether `name` is a host with an address (one that [`Linux::ping`] can ping from and to).
    pub fn is_host(&self, name: &str) -> bool {
        self.hosts.contains_key(name) && self.addresses.contains_key(name)
    }

    /// The hosts' namespaces, by name.
    pub fn hosts(&self) -> impl Iterator<Item = (&String, &Netns)> {
        self.hosts.iter()
    }

    /// The Linux device of one of the model's interfaces.
    fn device(&self, net: &Network, id: InterfaceId) -> Option<String> {
        let interface = net.interface(id)?;
        let node = net.node(interface.node)?;
        self.devices
            .get(&(node.name.clone(), interface.name.clone()))
            .cloned()
    }

    /// Writes the FIBs of `model` into the kernels (blocking); returns how many routes
    /// changed. An interface of the model without a Linux device (a link no router is cabled
    /// to) carries nothing: it is taken down in the model first.
    pub fn render(&self, model: &mut Model) -> Result<usize, String> {
        let _one_at_a_time = self
            .rendering
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // OVH's VRRP routers start for a datacenter whose group came on, stop for one whose
        // group went off (the bridge gets the gateway back) or which is gone.
        for d in &self.datacenters {
            self.reconcile(d, gateway_state(model, &d.name))?;
        }
        let mut rendered: Vec<(NodeId, &Netns)> = Vec::new();
        for (name, ns) in self
            .routers
            .iter()
            .chain(&self.hosts)
            .chain(&self.next_hops)
        {
            // The next hops are nodes of the model that no topology name refers to.
            if let Some(node) = model
                .nodes
                .get(name)
                .copied()
                .or_else(|| model.net.node_id(name))
            {
                rendered.push((node, ns));
            }
        }
        let provider = model.nodes.get(PROVIDER).copied();
        let ovh = model.nodes.get(OVH).copied();
        let orphans: Vec<InterfaceId> = rendered
            .iter()
            .map(|(node, _)| *node)
            .chain(provider)
            .chain(ovh)
            .flat_map(|node| {
                model
                    .net
                    .interfaces_of(node)
                    .map(|(id, _)| id)
                    .collect::<Vec<_>>()
            })
            .filter(|id| self.device(&model.net, *id).is_none())
            .collect();
        for id in orphans {
            model.net.set_interface_up(id, false).map_err(err)?;
        }
        self.sync_ports(model)?;
        let net = &model.net;
        let device = |id: InterfaceId| self.device(net, id);
        let mut changes = 0;
        if let Some(provider) = provider {
            for (vpc, table) in &self.vpc_tables {
                changes += if *table == MAIN_TABLE {
                    KernelTable::main(&self.provider).render(net, provider, vpc, device)
                } else {
                    KernelVrf::new(&self.provider, *table)
                        .and_then(|k| k.render(net, provider, vpc, device))
                }
                .map_err(|e| format!("rendering vpc {vpc} into the provider's kernel: {e}"))?
                .len();
            }
        }
        if let Some(ovh) = ovh {
            changes += match self.ovh_table {
                MAIN_TABLE => {
                    KernelTable::main(&self.provider).render(net, ovh, DEFAULT_VRF, device)
                }
                table => KernelVrf::new(&self.provider, table)
                    .and_then(|k| k.render(net, ovh, DEFAULT_VRF, device)),
            }
            .map_err(|e| format!("rendering OVH into the provider's kernel: {e}"))?
            .len();
        }
        for (node, ns) in rendered {
            changes += KernelTable::main(ns)
                .render(net, node, DEFAULT_VRF, device)
                .map_err(|e| format!("rendering into {}: {e}", ns.name()))?
                .len();
        }
        Ok(changes)
    }

    /// A host whose port the model has down (cut off an OVH l2 vRack) has its bridge port
    /// down, and up again when the model has it up; only changes run `ip`.
    fn sync_ports(&self, model: &Model) -> Result<(), String> {
        let mut down = self
            .ports_down
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (host, (ns, port)) in &self.ports {
            let Some(&node) = model.nodes.get(host) else {
                continue;
            };
            let up = model.net.interfaces_of(node).all(|(_, i)| i.up);
            if up != down.contains(host) {
                continue;
            }
            let state = if up { "up" } else { "down" };
            ns.run("ip", ["link", "set", port.as_str(), state])
                .map_err(err)?;
            if up {
                down.remove(host);
            } else {
                down.insert(host.clone());
            }
        }
        Ok(())
    }

    /// Whether `ping -c1 -W1` from host `from` to host `to`'s address gets an answer
    /// (blocking), with the address pinged.
    pub fn ping(&self, from: &str, to: &str) -> Result<(bool, IpAddr), String> {
        let ns = self
            .hosts
            .get(from)
            .ok_or_else(|| format!("{from} is not a host"))?;
        let address = *self
            .addresses
            .get(to)
            .ok_or_else(|| format!("{to} is not a host"))?;
        // Exit status 1 (no reply) or 2 (an error, e.g. no route) both mean no answer; a ping
        // that cannot run at all is an error.
        match ns.run(PING, ["-c1", "-W1", &address.to_string()]) {
            Ok(_) => Ok((true, address)),
            Err(linux::Error::CommandFailed { status, .. }) if no_answer(&status) => {
                Ok((false, address))
            }
            Err(e) => Err(format!("ping from {from}: {e}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_namespace_labels_are_valid_netns_labels() {
        assert_eq!(label("app1"), "h-app1");
        assert_eq!(label("Branch PC_2"), "h-branch-pc-2");
        let long = label("a-very-long-host-name-indeed-really");
        assert_eq!(long, "h-a-very-long-host-nam");
        assert!(long.len() <= 24);
        assert_eq!(label("hôte"), "h-h-te");
    }

    #[test]
    fn only_ping_s_own_statuses_mean_no_answer() {
        assert!(no_answer("exit status: 1"));
        assert!(no_answer("exit status: 2"));
        assert!(!no_answer("exit status: 255"));
        assert!(!no_answer("exit status: 12"));
        assert!(!no_answer("signal: 9 (SIGKILL)"));
    }
}
