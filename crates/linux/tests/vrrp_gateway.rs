//! A VRRP pair as a gateway (the OVHcloud Connect l3 pattern: a static
//! route via the virtual address): the model's trace says which router
//! forwards, and the kernel agrees, before and after the master dies.
//!
//! ```text
//!  server 192.0.2.10 ─┬─ pe-a .2 ═╤═ 172.16.0.2 ─┬─ vpc 172.16.0.10
//!   172.16.0.0/16     │   (200)   │              │   default via 172.16.0.1
//!   via 192.0.2.1     └─ pe-b .3 ═╧═ 172.16.0.3 ─┘
//!                         (100)
//!  VRID 1: 192.0.2.1 on the front LAN, VRID 2: 172.16.0.1 on the back
//! ```
//!
//! Which router forwards is read from the kernel with `ping -t 1`: the
//! first router answers "Time to live exceeded" from its own address. It
//! must be the router the model's trace names as the second hop; the full
//! ping must work exactly when the model's `reach` says so.
//!
//! Needs root.

mod common;

use common::wait_for;
use dataplane::vrrp::{Config, State};
use dataplane::{DEFAULT_VRF, InterfaceConfig, InterfaceId, Network, NodeId, NodeRole};
use linux::Netns;
use linux::vrrp_speaker::Speaker;

/// Plugs `ns`'s `dev` into bridge `bridge` of `switch` by the veth `port`,
/// with `address`.
fn plug(switch: &Netns, bridge: &str, port: &str, ns: &Netns, dev: &str, address: &str) {
    let add = ["link", "add", port, "type", "veth", "peer", "name", dev];
    switch
        .run("ip", add.into_iter().chain(["netns", ns.name()]))
        .unwrap();
    switch
        .run("ip", ["link", "set", port, "master", bridge, "up"])
        .unwrap();
    ns.run("ip", ["addr", "add", address, "dev", dev]).unwrap();
    ns.run("ip", ["link", "set", dev, "up"]).unwrap();
}

fn group(vrid: u8, priority: u8, primary: &str, vip: &str) -> Config {
    let mut c = Config::new(
        vrid,
        priority,
        primary.parse().unwrap(),
        vec![vip.parse().unwrap()],
    );
    c.accept_mode = true;
    c
}

/// Who answers `ping -t 1` from `from` to `to`: the first router.
fn first_hop(from: &Netns, to: &str) -> Option<String> {
    // ping exits non-zero on a TTL error: read its output either way.
    let out = from
        .command("ping")
        .args(["-c1", "-W1", "-t1", "-n", to])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .find(|l| l.contains("Time to live exceeded"))
        .and_then(|l| l.split_whitespace().nth(1))
        .map(String::from)
}

fn ping(from: &Netns, to: &str) -> bool {
    from.run("ping", ["-c1", "-W1", to]).is_ok()
}

struct Model {
    net: Network,
    server: NodeId,
    vpc: NodeId,
    /// pe-a's and pe-b's front and back interfaces.
    interfaces: [(InterfaceId, InterfaceId); 2],
}

impl Model {
    fn new() -> Model {
        let mut net = Network::new();
        let front = net.add_segment("front").unwrap();
        let back = net.add_segment("back").unwrap();
        let mut interfaces = Vec::new();
        for (name, n, priority) in [("pe-a", 2, 200), ("pe-b", 3, 100)] {
            let node = net.add_node(name, NodeRole::Provider).unwrap();
            let f = format!("192.0.2.{n}/24").parse().unwrap();
            let b = format!("172.16.0.{n}/24").parse().unwrap();
            let f = net
                .add_interface(node, InterfaceConfig::new("eth0", front).address(f))
                .unwrap();
            let b = net
                .add_interface(node, InterfaceConfig::new("eth1", back).address(b))
                .unwrap();
            let (fp, bp) = (format!("192.0.2.{n}"), format!("172.16.0.{n}"));
            net.add_vrrp_router(f, &group(1, priority, &fp, "192.0.2.1"))
                .unwrap();
            net.add_vrrp_router(b, &group(2, priority, &bp, "172.16.0.1"))
                .unwrap();
            interfaces.push((f, b));
        }
        let server = net.add_node("server", NodeRole::Host).unwrap();
        let eth0 = InterfaceConfig::new("eth0", front).address("192.0.2.10/24".parse().unwrap());
        net.add_interface(server, eth0).unwrap();
        let static_route = "172.16.0.0/16".parse().unwrap();
        net.add_static_route(
            server,
            DEFAULT_VRF,
            static_route,
            "192.0.2.1".parse().unwrap(),
        )
        .unwrap();
        let vpc = net.add_node("vpc", NodeRole::Host).unwrap();
        let eth0 = InterfaceConfig::new("eth0", back).address("172.16.0.10/24".parse().unwrap());
        net.add_interface(vpc, eth0).unwrap();
        let default = "0.0.0.0/0".parse().unwrap();
        net.add_static_route(vpc, DEFAULT_VRF, default, "172.16.0.1".parse().unwrap())
            .unwrap();
        Model {
            net,
            server,
            vpc,
            interfaces: [interfaces[0], interfaces[1]],
        }
    }

    /// Follows the routers' states (`None`: the router is gone).
    fn follow(&mut self, states: [Option<(State, State)>; 2]) {
        for ((front, back), state) in self.interfaces.into_iter().zip(states) {
            let (f, b) = state.map_or((false, false), |(f, b)| {
                (f == State::Master, b == State::Master)
            });
            self.net.set_vrrp_master(front, 1, f).unwrap();
            self.net.set_vrrp_master(back, 2, b).unwrap();
            self.net.set_interface_up(front, state.is_some()).unwrap();
            self.net.set_interface_up(back, state.is_some()).unwrap();
        }
    }

    /// The router the trace from the server to the VPC host goes through,
    /// and whether both ways are delivered.
    fn forwarder(&self) -> (String, bool) {
        let reach = self.net.reach(self.server, self.vpc).unwrap();
        println!("model: {reach}");
        let hop = reach
            .forward
            .hops
            .get(1)
            .map(|h| h.at.node.clone())
            .unwrap_or_default();
        (hop, reach.is_reachable())
    }
}

#[test]
fn the_kernel_forwards_through_the_router_the_trace_names() {
    let switch = Netns::create("vrrp-switch").unwrap();
    for bridge in ["front", "back"] {
        switch
            .run("ip", ["link", "add", bridge, "type", "bridge"])
            .unwrap();
        switch.run("ip", ["link", "set", bridge, "up"]).unwrap();
    }
    let pe_a = Netns::create("pe-a").unwrap();
    let pe_b = Netns::create("pe-b").unwrap();
    let server = Netns::create("server").unwrap();
    let vpc = Netns::create("vpc").unwrap();
    for (ns, n) in [(&pe_a, 2), (&pe_b, 3)] {
        let (front, back) = (format!("f{n}"), format!("b{n}"));
        plug(
            &switch,
            "front",
            &front,
            ns,
            "eth0",
            &format!("192.0.2.{n}/24"),
        );
        plug(
            &switch,
            "back",
            &back,
            ns,
            "eth1",
            &format!("172.16.0.{n}/24"),
        );
        ns.run("sysctl", ["-qw", "net.ipv4.ip_forward=1"]).unwrap();
    }
    plug(&switch, "front", "f10", &server, "eth0", "192.0.2.10/24");
    plug(&switch, "back", "b10", &vpc, "eth0", "172.16.0.10/24");
    // The static routes of the model, by hand: the kernel renderer is
    // tested elsewhere; here the point is VRRP.
    server
        .run(
            "ip",
            [
                "route",
                "add",
                "172.16.0.0/16",
                "via",
                "192.0.2.1",
                "onlink",
                "dev",
                "eth0",
            ],
        )
        .unwrap();
    vpc.run(
        "ip",
        [
            "route",
            "add",
            "default",
            "via",
            "172.16.0.1",
            "onlink",
            "dev",
            "eth0",
        ],
    )
    .unwrap();

    let start = |ns: &Netns, n: u8, priority: u8| {
        let front = group(1, priority, &format!("192.0.2.{n}"), "192.0.2.1");
        let back = group(2, priority, &format!("172.16.0.{n}"), "172.16.0.1");
        (
            Speaker::start(ns, "eth0", front).unwrap(),
            Speaker::start(ns, "eth1", back).unwrap(),
        )
    };
    let a = start(&pe_a, 2, 200);
    let b = start(&pe_b, 3, 100);
    wait_for("pe-a is master of both groups", || {
        a.0.state() == State::Master && a.1.state() == State::Master
    });
    assert_eq!((b.0.state(), b.1.state()), (State::Backup, State::Backup));

    let mut model = Model::new();
    model.follow([
        Some((a.0.state(), a.1.state())),
        Some((b.0.state(), b.1.state())),
    ]);
    let (via, reachable) = model.forwarder();
    assert_eq!(via, "pe-a");
    assert!(reachable);
    wait_for("the server reaches the VPC host", || {
        ping(&server, "172.16.0.10")
    });
    assert_eq!(
        first_hop(&server, "172.16.0.10").as_deref(),
        Some("192.0.2.2")
    );

    // pe-a dies: pe-b takes both addresses over; the model's trace now
    // goes through pe-b, and so does the kernel.
    let crashed = a.0.crash();
    a.1.crash();
    wait_for("pe-b is master of both groups", || {
        b.0.became(State::Master, crashed).is_some() && b.1.became(State::Master, crashed).is_some()
    });
    model.follow([None, Some((b.0.state(), b.1.state()))]);
    let (via, reachable) = model.forwarder();
    assert_eq!(via, "pe-b");
    assert!(reachable);
    wait_for("the server reaches the VPC host through pe-b", || {
        ping(&server, "172.16.0.10")
    });
    assert_eq!(
        first_hop(&server, "172.16.0.10").as_deref(),
        Some("192.0.2.3")
    );

    // pe-b stops too: no router holds the addresses; neither the model nor
    // the kernel carries the packet.
    b.0.stop();
    b.1.stop();
    model.follow([None, None]);
    let (_, reachable) = model.forwarder();
    assert!(!reachable);
    assert!(!ping(&server, "172.16.0.10"));
}
