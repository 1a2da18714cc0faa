//! `linux::kernel` against a real kernel: a provider VRF with IPv4 and
//! IPv6 static and BGP routes rendered into a namespace (its `main` table
//! and a numbered one), changed, re-rendered, and emptied, next to routes
//! peerlab does not own, which stay as they are.
//!
//! Needs root.

use dataplane::{InterfaceConfig, InterfaceId, Network, NextHop, NodeId, NodeRole, RouteSource};
use ipnet::IpNet;
use linux::Netns;
use linux::kernel::{Change, KernelRoute, KernelTable, PROTO};

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn route(prefix: &str, gateway: &str, device: &str) -> KernelRoute {
    KernelRoute {
        prefix: net(prefix),
        gateway: Some(gateway.parse().unwrap()),
        device: device.into(),
    }
}

/// The provider edge: `xc` (169.254.1.0/31, fd00:1::/127) and `app`
/// (172.16.4.1/22) in VRF prod.
fn model() -> (Network, NodeId, [InterfaceId; 2]) {
    let mut n = Network::new();
    let xc = n.add_segment("xc").unwrap();
    let app = n.add_segment("app").unwrap();
    let pe = n.add_node("pe", NodeRole::Provider).unwrap();
    n.add_vrf(pe, "prod").unwrap();
    let xc = InterfaceConfig::new("xc", xc)
        .vrf("prod")
        .address(net("169.254.1.0/31"))
        .address(net("fd00:1::/127"));
    let xc = n.add_interface(pe, xc).unwrap();
    let app = InterfaceConfig::new("app", app)
        .vrf("prod")
        .address(net("172.16.4.1/22"));
    let app = n.add_interface(pe, app).unwrap();
    (n, pe, [xc, app])
}

/// Our routes as `ip route` prints them, both families.
fn ours(ns: &Netns, table: &str) -> String {
    let proto = PROTO.to_string();
    let v4 = ns
        .run(
            "ip",
            ["-4", "route", "show", "table", table, "proto", &proto],
        )
        .unwrap();
    let v6 = ns
        .run(
            "ip",
            ["-6", "route", "show", "table", table, "proto", &proto],
        )
        .unwrap();
    v4 + &v6
}

#[test]
fn renders_changes_and_clears_only_its_own_routes() {
    let ns = Netns::create("kernel-routes").unwrap();
    // Two devices: the ends of a veth pair, both inside the namespace.
    ns.run(
        "ip",
        ["link", "add", "xc", "type", "veth", "peer", "name", "app"],
    )
    .unwrap();
    ns.run("ip", ["addr", "add", "169.254.1.0/31", "dev", "xc"])
        .unwrap();
    ns.run("ip", ["addr", "add", "fd00:1::/127", "dev", "xc", "nodad"])
        .unwrap();
    ns.run("ip", ["addr", "add", "172.16.4.1/22", "dev", "app"])
        .unwrap();
    for dev in ["xc", "app"] {
        ns.run("ip", ["link", "set", dev, "up"]).unwrap();
    }
    // Routes peerlab does not own, one of them for a prefix it will render.
    ns.run(
        "ip",
        [
            "route",
            "add",
            "198.51.100.0/24",
            "via",
            "169.254.1.1",
            "proto",
            "static",
        ],
    )
    .unwrap();
    ns.run(
        "ip",
        [
            "route",
            "add",
            "10.1.0.0/16",
            "via",
            "169.254.1.1",
            "metric",
            "50",
            "proto",
            "bird",
        ],
    )
    .unwrap();

    let (mut n, pe, [xc, app]) = model();
    let device = |i: InterfaceId| match i {
        i if i == xc => Some("xc".to_owned()),
        i if i == app => Some("app".to_owned()),
        _ => None,
    };
    let link = "link \"prod\"";
    let vrf = n.vrf_mut(pe, "prod").unwrap();
    vrf.install_bgp(
        net("10.1.0.0/16"),
        NextHop::Gateway("169.254.1.1".parse().unwrap()),
        link,
    );
    vrf.install_bgp(
        net("2001:db8:1::/48"),
        NextHop::Gateway("fd00:1::1".parse().unwrap()),
        link,
    );
    n.add_static_route(pe, "prod", net("0.0.0.0/0"), "169.254.1.1".parse().unwrap())
        .unwrap();
    // A static route via a BGP-learned address: Linux gets the resolved gateway.
    n.add_static_route(pe, "prod", net("192.0.2.0/24"), "10.1.2.3".parse().unwrap())
        .unwrap();

    for (table, name) in [
        (KernelTable::main(&ns), "main"),
        (KernelTable::new(&ns, 100), "100"),
    ] {
        let changes = table.render(&n, pe, "prod", device).unwrap();
        assert_eq!(changes.len(), 4, "{changes:?}");
        assert!(changes.iter().all(|c| matches!(c, Change::Add(_))));
        let mut got = table.read().unwrap();
        got.sort();
        let mut want = vec![
            route("0.0.0.0/0", "169.254.1.1", "xc"),
            route("10.1.0.0/16", "169.254.1.1", "xc"),
            route("192.0.2.0/24", "169.254.1.1", "xc"),
            route("2001:db8:1::/48", "fd00:1::1", "xc"),
        ];
        want.sort();
        assert_eq!(got, want, "table {name}:\n{}", ours(&ns, name));
        assert!(
            table.render(&n, pe, "prod", device).unwrap().is_empty(),
            "idempotent"
        );
    }
    // The kernel forwards on them: a lookup in main takes our default.
    let lookup = ns.run("ip", ["route", "get", "203.0.113.9"]).unwrap();
    assert!(lookup.contains("via 169.254.1.1 dev xc"), "{lookup}");

    // The peer moves 10.1.0.0/16 behind another gateway, the IPv6 prefix
    // is withdrawn, the default goes.
    let vrf = n.vrf_mut(pe, "prod").unwrap();
    vrf.install_bgp(
        net("10.1.0.0/16"),
        NextHop::Gateway("172.16.4.9".parse().unwrap()),
        link,
    );
    vrf.withdraw(net("2001:db8:1::/48"), link);
    vrf.fib_mut().remove(net("0.0.0.0/0"), &RouteSource::Static);
    let main = KernelTable::main(&ns);
    let changes = main.render(&n, pe, "prod", device).unwrap();
    let deleted = changes
        .iter()
        .filter(|c| matches!(c, Change::Delete(_)))
        .count();
    assert_eq!(deleted, 4, "{changes:?}");
    let mut got = main.read().unwrap();
    got.sort();
    assert_eq!(
        got,
        vec![
            route("10.1.0.0/16", "172.16.4.9", "app"),
            route("192.0.2.0/24", "172.16.4.9", "app"),
        ]
    );

    // An empty VRF clears our routes, and only ours.
    main.sync(&[]).unwrap();
    assert!(main.read().unwrap().is_empty());
    let all = ns.run("ip", ["route", "show"]).unwrap();
    assert!(
        all.contains("198.51.100.0/24 via 169.254.1.1 dev xc proto static"),
        "{all}"
    );
    assert!(
        all.contains("10.1.0.0/16 via 169.254.1.1 dev xc proto bird metric 50"),
        "{all}"
    );
    assert!(all.contains("172.16.4.0/22 dev app proto kernel"), "{all}");
    assert_eq!(
        KernelTable::new(&ns, 100).read().unwrap().len(),
        4,
        "table 100 untouched"
    );
}
