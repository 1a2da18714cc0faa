//! A lab for the trace-vs-ping tests: a `dataplane::Network` and the
//! network namespaces it describes, built side by side, the model's FIBs
//! rendered into the kernels with `linux::kernel`, and the check that
//! `ping` agrees with the model's `reach` for every pair of hosts.

#![allow(dead_code)]

use dataplane::{
    DEFAULT_VRF, InterfaceConfig, InterfaceId, Network, NodeId, NodeRole, SegmentId, VlanId,
};
use linux::kernel::{Change, KernelTable, KernelVrf, MAIN_TABLE};
use linux::{Link, LinkAddressing, LinkConfig, Netns};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::thread;

/// One node: its namespace and where each of its VRFs is rendered.
struct Node {
    id: NodeId,
    netns: Netns,
    /// VRF name → table (`main` for a node's only VRF).
    tables: Vec<(String, u32)>,
}

/// The model and the namespaces. Links are dropped before namespaces.
pub struct Lab {
    pub links: Vec<Link>,
    nodes: Vec<Node>,
    devices: BTreeMap<InterfaceId, String>,
    pub net: Network,
}

impl Lab {
    pub fn new() -> Lab {
        Lab {
            links: Vec::new(),
            nodes: Vec::new(),
            devices: BTreeMap::new(),
            net: Network::new(),
        }
    }

    /// A node in its own namespace (forwarding unless a host), its default
    /// VRF rendered into `main`.
    pub fn node(&mut self, name: &str, role: NodeRole) -> NodeId {
        let id = self.net.add_node(name, role).unwrap();
        let netns = Netns::create(&format!("tp-{name}")).unwrap();
        if role != NodeRole::Host {
            netns
                .run("sysctl", ["-qw", "net.ipv4.ip_forward=1"])
                .unwrap();
        }
        self.nodes.push(Node {
            id,
            netns,
            tables: vec![(DEFAULT_VRF.into(), MAIN_TABLE)],
        });
        id
    }

    /// Adds VRF `vrf` to `node`, rendered into `table`: `main` takes the
    /// place of the (then unused) default VRF; another number is a
    /// [`KernelVrf`].
    pub fn vrf(&mut self, node: NodeId, vrf: &str, table: u32) {
        self.net.add_vrf(node, vrf).unwrap();
        let n = self.get_mut(node);
        if table == MAIN_TABLE {
            n.tables.retain(|(_, t)| *t != MAIN_TABLE);
        }
        n.tables.push((vrf.into(), table));
    }

    fn get(&self, id: NodeId) -> &Node {
        self.nodes.iter().find(|n| n.id == id).unwrap()
    }

    fn get_mut(&mut self, id: NodeId) -> &mut Node {
        self.nodes.iter_mut().find(|n| n.id == id).unwrap()
    }

    pub fn netns(&self, node: NodeId) -> Netns {
        self.get(node).netns.clone()
    }

    /// An interface in the model, named as its Linux device.
    pub fn interface(
        &mut self,
        node: NodeId,
        vrf: &str,
        device: &str,
        segment: SegmentId,
        vlan: Option<u16>,
        address: &str,
    ) {
        let mut config = InterfaceConfig::new(device, segment)
            .vrf(vrf)
            .address(address.parse().unwrap());
        if let Some(vlan) = vlan {
            config = config.vlan(VlanId::new(vlan).unwrap());
        }
        let id = self.net.add_interface(node, config).unwrap();
        self.devices.insert(id, device.to_owned());
    }

    /// An untagged cable between `a` and `b` in their default VRFs: a veth
    /// pair, both ends up with their address.
    pub fn cable(
        &mut self,
        a: NodeId,
        a_dev: &str,
        a_addr: &str,
        b: NodeId,
        b_dev: &str,
        b_addr: &str,
    ) {
        let name = format!("{a_dev}-{b_dev}-{a_addr}");
        let segment = self.net.add_segment(name).unwrap();
        let (na, nb) = (self.netns(a), self.netns(b));
        let add = ["link", "add", a_dev, "type", "veth", "peer", "name", b_dev];
        na.run("ip", add.into_iter().chain(["netns", nb.name()]))
            .unwrap();
        for (ns, dev, addr) in [(&na, a_dev, a_addr), (&nb, b_dev, b_addr)] {
            ns.run("ip", ["addr", "add", addr, "dev", dev]).unwrap();
            ns.run("ip", ["link", "set", dev, "up"]).unwrap();
        }
        self.interface(a, DEFAULT_VRF, a_dev, segment, None, a_addr);
        self.interface(b, DEFAULT_VRF, b_dev, segment, None, b_addr);
    }

    /// An InterLink cross-connect between the provider's VRF `vrf` and a
    /// customer router, each end on its own VLAN id.
    pub fn interlink(
        &mut self,
        name: &str,
        provider: NodeId,
        vrf: &str,
        router: NodeId,
        host_vlan: u16,
        peer_vlan: u16,
    ) -> (SegmentId, LinkAddressing) {
        let config = LinkConfig {
            host_vlan,
            peer_vlan,
            addressing: LinkAddressing::allocate().unwrap(),
        };
        let link = Link::create(Some(&self.netns(provider)), &self.netns(router), &config).unwrap();
        let segment = self.net.add_segment(name).unwrap();
        let a = config.addressing;
        let host_if = link.host_interface().to_owned();
        let peer_if = link.peer_interface().to_owned();
        let (scw, peer) = (a.scw_ipv4.to_string(), a.peer_ipv4.to_string());
        self.interface(provider, vrf, &host_if, segment, Some(host_vlan), &scw);
        self.interface(
            router,
            DEFAULT_VRF,
            &peer_if,
            segment,
            Some(peer_vlan),
            &peer,
        );
        self.links.push(link);
        (segment, a)
    }

    /// A VPC private network: a bridge `bridge` in the provider's namespace
    /// with the VRF's gateway address, and hosts on it with a default route
    /// to the gateway.
    pub fn private_network(
        &mut self,
        provider: NodeId,
        vrf: &str,
        bridge: &str,
        gateway: &str,
        hosts: &[(NodeId, &str)],
    ) {
        let segment = self.net.add_segment(format!("{vrf}/{bridge}")).unwrap();
        let pns = self.netns(provider);
        pns.run("ip", ["link", "add", bridge, "type", "bridge"])
            .unwrap();
        pns.run("ip", ["addr", "add", gateway, "dev", bridge])
            .unwrap();
        pns.run("ip", ["link", "set", bridge, "up"]).unwrap();
        self.interface(provider, vrf, bridge, segment, None, gateway);
        let via: IpAddr = gateway.split('/').next().unwrap().parse().unwrap();
        for (n, (host, addr)) in hosts.iter().enumerate() {
            let port = format!("{bridge}-p{n}");
            let hns = self.netns(*host);
            let add = ["link", "add", &port, "type", "veth", "peer", "name", "eth0"];
            pns.run("ip", add.into_iter().chain(["netns", hns.name()]))
                .unwrap();
            pns.run("ip", ["link", "set", &port, "master", bridge, "up"])
                .unwrap();
            hns.run("ip", ["addr", "add", addr, "dev", "eth0"]).unwrap();
            hns.run("ip", ["link", "set", "eth0", "up"]).unwrap();
            self.interface(*host, DEFAULT_VRF, "eth0", segment, None, addr);
            let default = "0.0.0.0/0".parse().unwrap();
            self.net
                .add_static_route(*host, DEFAULT_VRF, default, via)
                .unwrap();
        }
    }

    /// Renders every VRF of every node into its table; returns the
    /// changes, by node name.
    pub fn render(&self) -> Vec<(String, Change)> {
        let mut all = Vec::new();
        let device = |i: InterfaceId| self.devices.get(&i).cloned();
        for node in &self.nodes {
            let name = self.net.node(node.id).unwrap().name.clone();
            for (vrf, table) in &node.tables {
                let changes = if *table == MAIN_TABLE {
                    let kernel = KernelTable::main(&node.netns);
                    kernel.render(&self.net, node.id, vrf, device).unwrap()
                } else {
                    let kernel = KernelVrf::new(&node.netns, *table).unwrap();
                    kernel.render(&self.net, node.id, vrf, device).unwrap()
                };
                all.extend(changes.into_iter().map(|c| (name.clone(), c)));
            }
        }
        all
    }

    /// Pings every host from every other one, all at once, and checks that
    /// each ping succeeds exactly when the model's `reach` says both
    /// directions are delivered. Returns the drop reasons seen.
    pub fn check_matrix(&self, phase: &str, hosts: &[NodeId]) -> BTreeSet<&'static str> {
        let pairs: Vec<(NodeId, NodeId)> = hosts
            .iter()
            .flat_map(|a| hosts.iter().map(move |b| (*a, *b)))
            .filter(|(a, b)| a != b)
            .collect();
        let address = |n: NodeId| -> IpAddr {
            let (_, i) = self.net.interfaces_of(n).next().unwrap();
            i.addresses[0].addr()
        };
        let pings: Vec<bool> = thread::scope(|s| {
            let handles: Vec<_> = pairs
                .iter()
                .map(|(a, b)| {
                    let ns = self.netns(*a);
                    let to = address(*b).to_string();
                    s.spawn(move || ns.run("ping", ["-c1", "-W1", &to]).is_ok())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut reasons = BTreeSet::new();
        let mut disagreements = Vec::new();
        println!("--- {phase}");
        for ((a, b), ping) in pairs.iter().zip(pings) {
            let reach = self.net.reach(*a, *b).unwrap();
            let model = reach.is_reachable();
            let why = [("", &reach.forward), ("the reply ", &reach.reverse)]
                .into_iter()
                .find_map(|(w, t)| t.drop_reason().map(|r| (w, t, r)));
            if let Some((_, _, reason)) = why {
                reasons.insert(reason.kind());
            }
            let line = match why {
                None => format!("{} and back", reach.forward),
                Some((which, trace, _)) => format!("{which}{trace}"),
            };
            let mark = if model == ping { "ok " } else { "BAD" };
            let result = if ping { "ok  " } else { "fail" };
            println!("{mark} ping {result}: {line}");
            if model != ping {
                disagreements.push(format!("model {model}, ping {ping}: {line}"));
            }
        }
        assert!(
            disagreements.is_empty(),
            "{phase}: the kernel and the model disagree:\n{}",
            disagreements.join("\n")
        );
        reasons
    }
}
