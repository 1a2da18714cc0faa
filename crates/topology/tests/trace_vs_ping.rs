//! The model's trace and the kernel agree: a small InterLink network built
//! twice, as a `dataplane::Network` and as network namespaces, with the
//! model's FIBs rendered into the namespaces' kernels by
//! `topology::kernel`; for every pair of hosts, `ping -c1 -W1` succeeds
//! exactly when the model's `reach` says both directions are delivered.
//!
//! ```text
//!  h1 10.1.0.10 ─┐                                   ┌─ app1 172.16.4.10
//!  h2 10.2.0.10 ─┴ r1 ══ l1 VLAN 2001 ═╗             │
//!  h3 10.3.0.10 ── r2 ══ l2 VLAN 2002 ═╬═ provider ──┤ VPC "prod" 172.16.4.0/22
//!  h4 10.4.0.10 ── r3 ══ l3 VLAN 2003/2004 ╝ (VRF)   └─ app2 172.16.4.11
//! ```
//!
//! r1's 10.1.0.0/24 is accepted; its 10.2.0.0/24 is filtered by
//! `prefix_filter_in`; l2 has route propagation disabled; l3 is a static
//! route whose customer end is on the wrong VLAN. Then the policy admits
//! 10.2.0.0/24, l1's cable is pulled, and l1's sessions go down: after each
//! change the kernels are re-rendered and the whole matrix checked again.
//!
//! No BGP daemons: routes are what BGP would have decided, put into the
//! model by hand; the point is that the rendered kernel agrees with the
//! model. Needs root.

use dataplane::{
    DEFAULT_VRF, InterfaceConfig, InterfaceId, Network, NextHop, NodeId, NodeRole, SegmentId,
    VlanId, WithheldReason, WithheldRoute,
};
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::thread;
use topology::kernel::{Change, KernelTable};
use topology::{Link, LinkAddressing, LinkConfig, Netns};

/// One node of the lab: its namespace, the VRF rendered into its main
/// table, and its interfaces' Linux names.
struct Node {
    id: NodeId,
    netns: Netns,
    vrf: String,
    devices: BTreeMap<InterfaceId, String>,
}

/// The model and the namespaces, built side by side.
struct Lab {
    links: Vec<Link>,
    nodes: Vec<Node>,
    net: Network,
}

impl Lab {
    fn node(&mut self, name: &str, role: NodeRole, vrf: &str) -> NodeId {
        let id = self.net.add_node(name, role).unwrap();
        if vrf != DEFAULT_VRF {
            self.net.add_vrf(id, vrf).unwrap();
        }
        let netns = Netns::create(&format!("tp-{name}")).unwrap();
        if role != NodeRole::Host {
            netns
                .run("sysctl", ["-qw", "net.ipv4.ip_forward=1"])
                .unwrap();
        }
        self.nodes.push(Node {
            id,
            netns,
            vrf: vrf.into(),
            devices: BTreeMap::new(),
        });
        id
    }

    fn get(&self, id: NodeId) -> &Node {
        self.nodes.iter().find(|n| n.id == id).unwrap()
    }

    fn get_mut(&mut self, id: NodeId) -> &mut Node {
        self.nodes.iter_mut().find(|n| n.id == id).unwrap()
    }

    fn interface(
        &mut self,
        node: NodeId,
        device: &str,
        segment: SegmentId,
        vlan: Option<u16>,
        address: &str,
    ) {
        let vrf = self.get(node).vrf.clone();
        let mut config = InterfaceConfig::new(device, segment)
            .vrf(vrf)
            .address(address.parse().unwrap());
        if let Some(vlan) = vlan {
            config = config.vlan(VlanId::new(vlan).unwrap());
        }
        let id = self.net.add_interface(node, config).unwrap();
        self.get_mut(node).devices.insert(id, device.to_owned());
    }

    /// An untagged cable between `a` and `b`: a veth pair, both ends up
    /// with their address.
    fn cable(
        &mut self,
        a: NodeId,
        a_dev: &str,
        a_addr: &str,
        b: NodeId,
        b_dev: &str,
        b_addr: &str,
    ) {
        let segment = self
            .net
            .add_segment(format!("{a_dev}-{b_dev}-{a_addr}"))
            .unwrap();
        let (na, nb) = (self.get(a).netns.clone(), self.get(b).netns.clone());
        let add = ["link", "add", a_dev, "type", "veth", "peer", "name", b_dev];
        na.run("ip", add.into_iter().chain(["netns", nb.name()]))
            .unwrap();
        for (ns, dev, addr) in [(&na, a_dev, a_addr), (&nb, b_dev, b_addr)] {
            ns.run("ip", ["addr", "add", addr, "dev", dev]).unwrap();
            ns.run("ip", ["link", "set", dev, "up"]).unwrap();
        }
        self.interface(a, a_dev, segment, None, a_addr);
        self.interface(b, b_dev, segment, None, b_addr);
    }

    /// An InterLink cross-connect between the provider (VRF side) and a
    /// customer router, each end on its own VLAN id.
    fn interlink(
        &mut self,
        name: &str,
        provider: NodeId,
        router: NodeId,
        host_vlan: u16,
        peer_vlan: u16,
    ) -> (SegmentId, LinkAddressing) {
        let config = LinkConfig {
            host_vlan,
            peer_vlan,
            addressing: LinkAddressing::allocate().unwrap(),
        };
        let link = Link::create(
            Some(&self.get(provider).netns),
            &self.get(router).netns,
            &config,
        )
        .unwrap();
        let segment = self.net.add_segment(name).unwrap();
        let a = config.addressing;
        let (host_if, peer_if) = (
            link.host_interface().to_owned(),
            link.peer_interface().to_owned(),
        );
        self.interface(
            provider,
            &host_if,
            segment,
            Some(host_vlan),
            &a.scw_ipv4.to_string(),
        );
        self.interface(
            router,
            &peer_if,
            segment,
            Some(peer_vlan),
            &a.peer_ipv4.to_string(),
        );
        self.links.push(link);
        (segment, a)
    }

    /// Renders every node's VRF into its namespace; returns the changes.
    fn render(&self) -> Vec<(String, Change)> {
        let mut all = Vec::new();
        for node in &self.nodes {
            let table = KernelTable::main(&node.netns);
            let device = |i: InterfaceId| node.devices.get(&i).cloned();
            let changes = table.render(&self.net, node.id, &node.vrf, device).unwrap();
            let name = self.net.node(node.id).unwrap().name.clone();
            all.extend(changes.into_iter().map(|c| (name.clone(), c)));
        }
        all
    }

    /// Pings every host from every other one, at once, and compares with
    /// the model. Returns the drop reasons seen.
    fn check_matrix(&self, phase: &str, hosts: &[NodeId]) -> BTreeSet<&'static str> {
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
                    let ns = self.get(*a).netns.clone();
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
            println!("{mark} ping {}: {line}", if ping { "ok  " } else { "fail" });
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

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn via(a: impl Into<IpAddr>) -> NextHop {
    NextHop::Gateway(a.into())
}

#[test]
fn ping_works_exactly_when_the_trace_delivers() {
    let mut lab = Lab {
        links: Vec::new(),
        nodes: Vec::new(),
        net: Network::new(),
    };
    let provider = lab.node("provider", NodeRole::Provider, "prod");
    let r1 = lab.node("r1", NodeRole::Router, DEFAULT_VRF);
    let r2 = lab.node("r2", NodeRole::Router, DEFAULT_VRF);
    let r3 = lab.node("r3", NodeRole::Router, DEFAULT_VRF);
    let hosts: Vec<NodeId> = ["h1", "h2", "h3", "h4", "app1", "app2"]
        .iter()
        .map(|h| lab.node(h, NodeRole::Host, DEFAULT_VRF))
        .collect();
    let [h1, h2, h3, h4, app1, app2] = hosts[..] else {
        unreachable!()
    };

    // Customer side: hosts behind their routers, default route to them.
    lab.cable(h1, "eth0", "10.1.0.10/24", r1, "lan1", "10.1.0.1/24");
    lab.cable(h2, "eth0", "10.2.0.10/24", r1, "lan2", "10.2.0.1/24");
    lab.cable(h3, "eth0", "10.3.0.10/24", r2, "lan3", "10.3.0.1/24");
    lab.cable(h4, "eth0", "10.4.0.10/24", r3, "lan4", "10.4.0.1/24");
    for (h, gw) in [
        (h1, "10.1.0.1"),
        (h2, "10.2.0.1"),
        (h3, "10.3.0.1"),
        (h4, "10.4.0.1"),
    ] {
        lab.net
            .add_static_route(h, DEFAULT_VRF, net("0.0.0.0/0"), gw.parse().unwrap())
            .unwrap();
    }

    // The VPC: a private network (a bridge in the provider namespace) with
    // the VRF's gateway and two instances.
    let vpc = lab.net.add_segment("prod/app").unwrap();
    let pns = lab.get(provider).netns.clone();
    pns.run("ip", ["link", "add", "app", "type", "bridge"])
        .unwrap();
    pns.run("ip", ["addr", "add", "172.16.4.1/22", "dev", "app"])
        .unwrap();
    pns.run("ip", ["link", "set", "app", "up"]).unwrap();
    lab.interface(provider, "app", vpc, None, "172.16.4.1/22");
    for (n, (app, addr)) in [(app1, "172.16.4.10/22"), (app2, "172.16.4.11/22")]
        .into_iter()
        .enumerate()
    {
        let port = format!("app-p{n}");
        let ans = lab.get(app).netns.clone();
        let add = ["link", "add", &port, "type", "veth", "peer", "name", "eth0"];
        pns.run("ip", add.into_iter().chain(["netns", ans.name()]))
            .unwrap();
        pns.run("ip", ["link", "set", &port, "master", "app", "up"])
            .unwrap();
        ans.run("ip", ["addr", "add", addr, "dev", "eth0"]).unwrap();
        ans.run("ip", ["link", "set", "eth0", "up"]).unwrap();
        lab.interface(app, "eth0", vpc, None, addr);
        lab.net
            .add_static_route(
                app,
                DEFAULT_VRF,
                net("0.0.0.0/0"),
                "172.16.4.1".parse().unwrap(),
            )
            .unwrap();
    }

    // The cross-connects.
    let (l1, a1) = lab.interlink("l1", provider, r1, 2001, 2001);
    let (_, a2) = lab.interlink("l2", provider, r2, 2002, 2002);
    let (_, a3) = lab.interlink("l3", provider, r3, 2003, 2004);
    let (link1, link2) = ("link \"l1\"", "link \"l2\"");

    // What BGP decided on l1: the VPC goes to r1; 10.1.0.0/24 is accepted,
    // 10.2.0.0/24 rejected by prefix_filter_in.
    let filtered = WithheldReason::FilteredByPolicy {
        filter: "prefix_filter_in".into(),
    };
    lab.net.vrf_mut(r1, DEFAULT_VRF).unwrap().install_bgp(
        net("172.16.4.0/22"),
        via(a1.scw_ipv4.addr()),
        "neighbor scaleway",
    );
    let prod = lab.net.vrf_mut(provider, "prod").unwrap();
    prod.install_bgp(net("10.1.0.0/24"), via(a1.peer_ipv4.addr()), link1);
    prod.withhold(WithheldRoute::new(net("10.2.0.0/24"), link1, filtered));
    // l2 has route propagation disabled: nothing either way.
    prod.withhold(WithheldRoute::new(
        net("10.3.0.0/24"),
        link2,
        WithheldReason::PropagationDisabled,
    ));
    lab.net
        .vrf_mut(r2, DEFAULT_VRF)
        .unwrap()
        .withhold(WithheldRoute::not_announced(
            net("172.16.4.0/22"),
            link2,
            WithheldReason::PropagationDisabled,
        ));
    let _ = a2;
    // l3 is static both ways (OVHcloud Connect style), over mismatched VLANs.
    lab.net
        .add_static_route(
            provider,
            "prod",
            net("10.4.0.0/24"),
            a3.peer_ipv4.addr().into(),
        )
        .unwrap();
    lab.net
        .add_static_route(
            r3,
            DEFAULT_VRF,
            net("172.16.4.0/22"),
            a3.scw_ipv4.addr().into(),
        )
        .unwrap();

    // A route peerlab does not own: rendering must leave it alone.
    pns.run(
        "ip",
        [
            "route",
            "add",
            "198.51.100.0/24",
            "dev",
            "app",
            "proto",
            "static",
        ],
    )
    .unwrap();

    let changes = lab.render();
    let added = changes
        .iter()
        .filter(|(_, c)| matches!(c, Change::Add(_)))
        .count();
    assert_eq!(added, changes.len());
    // 6 host defaults, r1's and r3's VPC routes, the provider's 10.1 and 10.4.
    assert_eq!(added, 10, "{changes:?}");
    assert!(lab.render().is_empty(), "rendering twice changes nothing");

    let seen = lab.check_matrix("baseline", &hosts);
    for reason in [
        "filtered_by_policy",
        "propagation_disabled",
        "vlan_mismatch",
    ] {
        assert!(
            seen.contains(reason),
            "the matrix exercises {reason}: {seen:?}"
        );
    }
    assert!(lab.net.reach(h1, app1).unwrap().is_reachable());

    // The policy now admits 10.2.0.0/24: one route more in the provider.
    lab.net.vrf_mut(provider, "prod").unwrap().install_bgp(
        net("10.2.0.0/24"),
        via(a1.peer_ipv4.addr()),
        link1,
    );
    let changes = lab.render();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(
        matches!(&changes[0], (node, Change::Add(r)) if node == "provider" && r.prefix == net("10.2.0.0/24"))
    );
    lab.check_matrix("10.2.0.0/24 admitted", &hosts);
    assert!(lab.net.reach(h2, app2).unwrap().is_reachable());

    // l1's cable is pulled (before the hold timer fires, the routes stay).
    lab.links[0].set_up(false).unwrap();
    lab.net.set_segment_up(l1, false).unwrap();
    assert!(lab.render().is_empty());
    let seen = lab.check_matrix("l1 down", &hosts);
    assert!(seen.contains("link_down"), "{seen:?}");

    // Then l1's sessions go down: both sides withdraw what they learned.
    for (node, vrf, peer) in [
        (provider, "prod", link1),
        (r1, DEFAULT_VRF, "neighbor scaleway"),
    ] {
        let table = lab.net.vrf_mut(node, vrf).unwrap();
        table.clear_peer(peer);
        table.set_session(peer, false);
    }
    let changes = lab.render();
    let deleted: BTreeSet<String> = changes
        .iter()
        .map(|(node, c)| match c {
            Change::Delete(r) => format!("{node} {}", r.prefix),
            Change::Add(r) => panic!("unexpected add {r}"),
        })
        .collect();
    let expected: BTreeSet<String> = [
        "provider 10.1.0.0/24",
        "provider 10.2.0.0/24",
        "r1 172.16.4.0/22",
    ]
    .map(String::from)
    .into();
    assert_eq!(deleted, expected);
    let seen = lab.check_matrix("l1 sessions down", &hosts);
    assert!(seen.contains("session_down"), "{seen:?}");
    assert!(!lab.net.reach(h1, app1).unwrap().is_reachable());

    // The route peerlab does not own is still there.
    let routes = pns.run("ip", ["route", "show", "198.51.100.0/24"]).unwrap();
    assert!(routes.contains("proto static"), "{routes}");
    assert!(!lab.net.reach(h3, app1).unwrap().is_reachable());
    let _ = (h4, r2);
}
