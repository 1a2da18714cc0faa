//! Traces through an InterLink-like and an OVHcloud Connect-like topology.

use std::net::IpAddr;

use ipnet::IpNet;
use proptest::prelude::*;

use crate::*;

fn pfx(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

const LINK: &str = "link \"prod\"";

/// The quickstart of DESIGN.md: laptop — onprem router — VLAN 2001 on dc2-xconnect — provider
/// VRF "prod" — private network "app" — app1.
struct Quickstart {
    net: Network,
    provider: NodeId,
    onprem: NodeId,
    laptop: NodeId,
    lab: NodeId,
    app1: NodeId,
    xconnect: SegmentId,
    onprem_uplink: InterfaceId,
}

fn quickstart() -> Quickstart {
    let mut net = Network::new();
    let xconnect = net.add_segment("dc2-xconnect").unwrap();
    let app = net.add_segment("prod/app").unwrap();
    let office = net.add_segment("onprem-lan").unwrap();
    let lab_lan = net.add_segment("onprem-lab").unwrap();
    let vlan = VlanId::new(2001).unwrap();

    let provider = net.add_node("scaleway", NodeRole::Provider).unwrap();
    net.add_vrf(provider, "prod").unwrap();
    let prod = InterfaceConfig::new("prod", xconnect)
        .vrf("prod")
        .vlan(vlan)
        .address(pfx("169.254.0.0/31"));
    net.add_interface(provider, prod).unwrap();
    let gw = InterfaceConfig::new("app", app)
        .vrf("prod")
        .address(pfx("172.16.4.1/22"));
    net.add_interface(provider, gw).unwrap();

    let onprem = net.add_node("onprem", NodeRole::Router).unwrap();
    let uplink = InterfaceConfig::new("eth0.2001", xconnect)
        .vlan(vlan)
        .address(pfx("169.254.0.1/31"));
    let onprem_uplink = net.add_interface(onprem, uplink).unwrap();
    let lan = InterfaceConfig::new("eth1", office).address(pfx("10.1.0.1/16"));
    net.add_interface(onprem, lan).unwrap();
    let lab = InterfaceConfig::new("eth2", lab_lan).address(pfx("10.2.0.1/16"));
    net.add_interface(onprem, lab).unwrap();

    let host = |net: &mut Network, name: &str, seg, addr: &str, gw: &str| {
        let id = net.add_node(name, NodeRole::Host).unwrap();
        let eth = InterfaceConfig::new("eth0", seg).address(pfx(addr));
        net.add_interface(id, eth).unwrap();
        net.add_static_route(id, DEFAULT_VRF, pfx("0.0.0.0/0"), ip(gw))
            .unwrap();
        id
    };
    let app1 = host(&mut net, "app1", app, "172.16.4.10/22", "172.16.4.1");
    let laptop = host(&mut net, "laptop", office, "10.1.0.10/16", "10.1.0.1");
    let lab = host(&mut net, "lab", lab_lan, "10.2.0.10/16", "10.2.0.1");

    // What the engine installs: 10.1.0.0/16 accepted by prefix_filter_in, 10.2.0.0/16 not;
    // the customer router learned 172.16.4.0/22.
    let vrf = net.vrf_mut(provider, "prod").unwrap();
    vrf.set_session(LINK, true);
    vrf.install_bgp(
        pfx("10.1.0.0/16"),
        NextHop::Gateway(ip("169.254.0.1")),
        LINK,
    );
    vrf.withhold(WithheldRoute::new(
        pfx("10.2.0.0/16"),
        LINK,
        WithheldReason::FilteredByPolicy {
            filter: "prefix_filter_in".into(),
        },
    ));
    let router = net.vrf_mut(onprem, DEFAULT_VRF).unwrap();
    router.install_bgp(
        pfx("172.16.4.0/22"),
        NextHop::Gateway(ip("169.254.0.0")),
        "neighbor 169.254.0.0",
    );
    Quickstart {
        net,
        provider,
        onprem,
        laptop,
        lab,
        app1,
        xconnect,
        onprem_uplink,
    }
}

#[test]
fn quickstart_is_reachable_both_ways() {
    let q = quickstart();
    let reach = q.net.reach(q.laptop, q.app1).unwrap();
    assert!(reach.is_reachable(), "{reach:#}");
    assert_eq!(
        reach.forward.to_string(),
        "10.1.0.10 → 172.16.4.10: delivered to host \"app1\" (3 hops)"
    );
    let names: Vec<&str> = reach
        .forward
        .hops
        .iter()
        .map(|h| h.at.node.as_str())
        .collect();
    assert_eq!(names, ["laptop", "onprem", "scaleway", "app1"]);
    let pe = &reach.forward.hops[2];
    assert_eq!(pe.at.vrf, "prod");
    assert_eq!(
        pe.ingress,
        Some(Ingress {
            interface: "prod".into(),
            tag: Tag(VlanId::new(2001).ok())
        })
    );
    let onprem = &reach.forward.hops[1];
    assert_eq!(
        onprem.egress,
        Some(Egress {
            interface: "eth0.2001".into(),
            tag: Tag(VlanId::new(2001).ok()),
            next_hop: ip("169.254.0.0"),
        })
    );
    assert_eq!(pe.route.as_ref().unwrap().prefix, pfx("172.16.4.0/22"));
    assert_eq!(pe.route.as_ref().unwrap().source, RouteSource::Connected);
    let back = &reach.reverse.hops[1];
    assert_eq!(
        back.route.as_ref().unwrap().source,
        RouteSource::Bgp { peer: LINK.into() }
    );
}

#[test]
fn filtered_prefix_breaks_the_return_path() {
    let q = quickstart();
    let reach = q.net.reach(q.lab, q.app1).unwrap();
    assert!(reach.forward.is_delivered(), "{:#}", reach.forward);
    assert!(!reach.is_reachable());
    assert_eq!(
        reach.reverse.to_string(),
        "172.16.4.10 → 10.2.0.10: dropped at provider \"scaleway\" VRF \"prod\": no route to \
         10.2.0.10; 10.2.0.0/16 was received from link \"prod\" but rejected by prefix_filter_in"
    );
    assert_eq!(
        reach.reverse.drop_reason().unwrap().kind(),
        "filtered_by_policy"
    );
}

#[test]
fn propagation_disabled_is_named() {
    let mut q = quickstart();
    let vrf = q.net.vrf_mut(q.provider, "prod").unwrap();
    vrf.withhold(WithheldRoute::new(
        pfx("10.1.0.0/16"),
        LINK,
        WithheldReason::PropagationDisabled,
    ));
    let trace = q.net.trace(q.app1, ip("10.1.0.10")).unwrap();
    assert_eq!(trace.drop_reason().unwrap().kind(), "propagation_disabled");
    assert!(trace.to_string().ends_with(
        "no route to 10.1.0.10; 10.1.0.0/16 was received from link \"prod\" and accepted, but \
         route propagation is disabled"
    ));
}

#[test]
fn session_down_is_named() {
    let mut q = quickstart();
    let vrf = q.net.vrf_mut(q.provider, "prod").unwrap();
    vrf.clear_peer(LINK);
    vrf.set_session(LINK, false);
    let trace = q.net.trace(q.app1, ip("10.1.0.10")).unwrap();
    assert_eq!(
        trace.drop_reason(),
        Some(&DropReason::SessionDown {
            peers: vec![LINK.into()],
            route: None
        })
    );
    assert!(
        trace
            .to_string()
            .ends_with("no route to 10.1.0.10; the BGP session with link \"prod\" is down"),
        "{trace}"
    );
}

#[test]
fn wrong_vlan_is_a_vlan_mismatch() {
    let mut net = Network::new();
    let xc = net.add_segment("xc").unwrap();
    let pe = net.add_node("pe", NodeRole::Provider).unwrap();
    let r = net.add_node("r", NodeRole::Router).unwrap();
    let pe_if = InterfaceConfig::new("prod", xc)
        .vlan(VlanId::new(2001).unwrap())
        .address(pfx("169.254.0.0/31"));
    net.add_interface(pe, pe_if).unwrap();
    let r_if = InterfaceConfig::new("eth0.2002", xc)
        .vlan(VlanId::new(2002).unwrap())
        .address(pfx("169.254.0.1/31"));
    net.add_interface(r, r_if).unwrap();
    let trace = net.trace(r, ip("169.254.0.0")).unwrap();
    assert_eq!(
        trace.to_string(),
        "169.254.0.1 → 169.254.0.0: dropped at router \"r\": VLAN mismatch: the frame leaves \
         with VLAN 2002 but pe/prod expects VLAN 2001"
    );
}

#[test]
fn link_down_and_interface_down() {
    let mut q = quickstart();
    q.net.set_segment_up(q.xconnect, false).unwrap();
    let trace = q.net.trace(q.laptop, ip("172.16.4.10")).unwrap();
    assert_eq!(
        trace.drop_reason(),
        Some(&DropReason::LinkDown {
            what: "link \"dc2-xconnect\"".into()
        })
    );
    q.net.set_segment_up(q.xconnect, true).unwrap();
    q.net.set_interface_up(q.onprem_uplink, false).unwrap();
    // Traced from the provider side, the neighbour's interface is the one down.
    let trace = q.net.trace(q.app1, ip("10.1.0.10")).unwrap();
    assert!(
        trace
            .to_string()
            .ends_with("interface \"onprem/eth0.2001\" is down"),
        "{trace}"
    );
    let trace = q.net.trace(q.onprem, ip("172.16.4.10")).unwrap();
    assert_eq!(trace.drop_reason().unwrap().kind(), "link_down");
}

#[test]
fn a_detached_port_says_why_both_ways_and_plugs_back() {
    // An l2 vRack: the customer's host and a datacenter server on one segment.
    let mut net = Network::new();
    let vrack = net.add_segment("vrack pn-100002").unwrap();
    let office = net.add_node("office", NodeRole::Host).unwrap();
    let server = net.add_node("server", NodeRole::Host).unwrap();
    let config = |a: &str| InterfaceConfig::new("eth0", vrack).address(pfx(a));
    net.add_interface(office, config("192.168.100.10/24"))
        .unwrap();
    let eth = net
        .add_interface(server, config("192.168.100.30/24"))
        .unwrap();
    assert!(net.reach(office, server).unwrap().is_reachable());

    let why = "datacenter \"sbg\" is not in vRack pn-100002";
    net.detach_interface(eth, why).unwrap();
    let reach = net.reach(office, server).unwrap();
    assert_eq!(
        reach.forward.drop_reason(),
        Some(&DropReason::Detached {
            address: ip("192.168.100.30"),
            port: "server/eth0".into(),
            why: why.into(),
        })
    );
    assert_eq!(
        reach.forward.to_string(),
        "192.168.100.10 → 192.168.100.30: dropped at host \"office\": no L2 path to \
         192.168.100.30 (server/eth0): datacenter \"sbg\" is not in vRack pn-100002"
    );
    // From the detached side, its own port is the one cut off.
    let back = net.trace(server, ip("192.168.100.10")).unwrap();
    assert_eq!(back.drop_reason().unwrap().kind(), "detached");
    assert!(back.to_string().ends_with(why), "{back}");

    net.set_interface_up(eth, true).unwrap();
    assert!(net.reach(office, server).unwrap().is_reachable());
    assert_eq!(net.interface(eth).unwrap().detached, None);
}

#[test]
fn unknown_destination_and_unresolved_next_hop() {
    let mut q = quickstart();
    let trace = q.net.trace(q.laptop, ip("192.0.2.1")).unwrap();
    assert_eq!(trace.drop_reason(), Some(&DropReason::NoRoute));
    assert_eq!(
        trace.verdict,
        Verdict::Dropped {
            at: Place {
                node: "onprem".into(),
                role: NodeRole::Router,
                vrf: DEFAULT_VRF.into()
            },
            reason: DropReason::NoRoute,
        }
    );
    q.net
        .add_static_route(
            q.onprem,
            DEFAULT_VRF,
            pfx("192.0.2.0/24"),
            ip("203.0.113.1"),
        )
        .unwrap();
    let trace = q.net.trace(q.laptop, ip("192.0.2.1")).unwrap();
    assert_eq!(
        trace.drop_reason(),
        Some(&DropReason::NextHopUnresolved(ip("203.0.113.1")))
    );
    // On a connected subnet, but nobody holds the address.
    let trace = q.net.trace(q.laptop, ip("10.1.0.99")).unwrap();
    assert_eq!(
        trace.drop_reason(),
        Some(&DropReason::NeighborUnreachable(ip("10.1.0.99")))
    );
    assert!(q.net.trace(q.laptop, ip("2001:db8::1")).is_err());
}

#[test]
fn routing_loop_ends_in_ttl_exceeded() {
    let mut net = Network::new();
    let s = net.add_segment("s").unwrap();
    let a = net.add_node("a", NodeRole::Router).unwrap();
    let b = net.add_node("b", NodeRole::Router).unwrap();
    net.add_interface(a, InterfaceConfig::new("e", s).address(pfx("192.0.2.1/30")))
        .unwrap();
    net.add_interface(b, InterfaceConfig::new("e", s).address(pfx("192.0.2.2/30")))
        .unwrap();
    net.add_static_route(a, DEFAULT_VRF, pfx("0.0.0.0/0"), ip("192.0.2.2"))
        .unwrap();
    net.add_static_route(b, DEFAULT_VRF, pfx("0.0.0.0/0"), ip("192.0.2.1"))
        .unwrap();
    let trace = net.trace(a, ip("198.51.100.1")).unwrap();
    assert_eq!(trace.drop_reason(), Some(&DropReason::TtlExceeded));
    assert_eq!(trace.hops.len(), usize::from(trace::INITIAL_TTL));
}

/// OVHcloud Connect l3 datacenter configuration with the default VRRP gateway: two provider
/// routers on the datacenter LAN share 10.0.0.1.
#[test]
fn vrrp_gateway_follows_the_master() {
    let mut net = Network::new();
    let lan = net.add_segment("dc-lan").unwrap();
    let a = net.add_node("ovh-a", NodeRole::Provider).unwrap();
    let b = net.add_node("ovh-b", NodeRole::Provider).unwrap();
    let host = net.add_node("server", NodeRole::Host).unwrap();
    let ia = net
        .add_interface(
            a,
            InterfaceConfig::new("dc", lan).address(pfx("10.0.0.2/28")),
        )
        .unwrap();
    let ib = net
        .add_interface(
            b,
            InterfaceConfig::new("dc", lan).address(pfx("10.0.0.3/28")),
        )
        .unwrap();
    net.add_interface(
        host,
        InterfaceConfig::new("eth0", lan).address(pfx("10.0.0.10/28")),
    )
    .unwrap();
    net.add_static_route(host, DEFAULT_VRF, pfx("0.0.0.0/0"), ip("10.0.0.1"))
        .unwrap();
    for (node, i) in [(a, ia), (b, ib)] {
        net.add_vrrp_group(i, 1, vec![ip("10.0.0.1")], false)
            .unwrap();
        let uplink = net.add_segment(format!("up-{}", node.0)).unwrap();
        net.add_interface(
            node,
            InterfaceConfig::new("up", uplink).address(pfx("192.0.2.1/30")),
        )
        .unwrap();
    }
    let trace = net.trace(host, ip("192.0.2.1")).unwrap();
    assert_eq!(trace.drop_reason().unwrap().kind(), "vrrp_backup");
    assert_eq!(
        trace.to_string(),
        "10.0.0.10 → 192.0.2.1: dropped at host \"server\": gateway 10.0.0.1 is a VRRP virtual \
         address (VRID 1) and no router is master; ovh-a/dc, ovh-b/dc backup"
    );
    // A router that crashed or stopped is down, not backup; a master that goes down no longer
    // holds the address.
    net.set_vrrp_down(ia, 1, true).unwrap();
    let trace = net.trace(host, ip("192.0.2.1")).unwrap();
    assert!(
        trace
            .to_string()
            .ends_with("no router is master; ovh-b/dc backup, ovh-a/dc down"),
        "{trace}"
    );
    net.set_vrrp_master(ib, 1, true).unwrap();
    net.set_vrrp_down(ib, 1, true).unwrap();
    let trace = net.trace(host, ip("192.0.2.1")).unwrap();
    assert!(
        trace
            .to_string()
            .ends_with("no router is master; ovh-a/dc, ovh-b/dc down"),
        "{trace}"
    );
    net.set_vrrp_down(ia, 1, false).unwrap();
    net.set_vrrp_down(ib, 1, false).unwrap();

    net.set_vrrp_master(ib, 1, true).unwrap();
    let trace = net.trace(host, ip("192.0.2.1")).unwrap();
    assert_eq!(
        trace.verdict,
        Verdict::Delivered(Place {
            node: "ovh-b".into(),
            role: NodeRole::Provider,
            vrf: DEFAULT_VRF.into()
        })
    );
    // The master forwards for the virtual address but, without Accept_Mode, does not accept it.
    let trace = net.trace(host, ip("10.0.0.1")).unwrap();
    assert_eq!(trace.drop_reason().unwrap().kind(), "vrrp_not_accepted");
    net.add_vrrp_group(ib, 1, vec![ip("10.0.0.1")], true)
        .unwrap();
    net.set_vrrp_master(ib, 1, true).unwrap();
    assert!(net.trace(host, ip("10.0.0.1")).unwrap().is_delivered());
}

#[test]
fn alternate_display_lists_hops() {
    let q = quickstart();
    let trace = q.net.trace(q.laptop, ip("172.16.4.10")).unwrap();
    let text = format!("{trace:#}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert_eq!(
        lines[2],
        "  3  provider \"scaleway\" VRF \"prod\" in prod (VLAN 2001), 172.16.4.0/22 (connected) → \
         172.16.4.10 out app (untagged)"
    );
}

/// node, segment, VLAN, address, prefix length, up, in VRF "blue"
type RandomInterface = (usize, usize, Option<u16>, u8, u8, bool, bool);

/// A random network: nodes, segments, interfaces with random tags and addresses from a small
/// space, random static routes, random up/down and VRRP state.
#[derive(Debug, Clone)]
struct RandomNet {
    nodes: usize,
    segments: usize,
    interfaces: Vec<RandomInterface>,
    /// node, address, prefix length, gateway, kind (static, BGP, filtered, propagation off,
    /// not announced, session down), in VRF "blue"
    routes: Vec<(usize, u8, u8, u8, u8, bool)>,
    vrrp: Vec<(usize, u8, bool)>,
    probes: Vec<(usize, u8)>,
}

fn arb_net() -> impl Strategy<Value = RandomNet> {
    (1usize..6, 1usize..4).prop_flat_map(|(nodes, segments)| {
        (
            Just(nodes),
            Just(segments),
            proptest::collection::vec(
                (
                    0..nodes,
                    0..segments,
                    proptest::option::of(1u16..4),
                    any::<u8>(),
                    24u8..=30,
                    any::<bool>(),
                    any::<bool>(),
                ),
                0..10,
            ),
            proptest::collection::vec(
                (
                    0..nodes,
                    any::<u8>(),
                    0u8..=32,
                    any::<u8>(),
                    0u8..6,
                    any::<bool>(),
                ),
                0..12,
            ),
            proptest::collection::vec((0usize..10, any::<u8>(), any::<bool>()), 0..4),
            proptest::collection::vec((0..nodes, any::<u8>()), 1..6),
        )
            .prop_map(
                |(nodes, segments, interfaces, routes, vrrp, probes)| RandomNet {
                    nodes,
                    segments,
                    interfaces,
                    routes,
                    vrrp,
                    probes,
                },
            )
    })
}

fn addr(low: u8) -> IpAddr {
    IpAddr::from([10, 0, 0, low])
}

proptest! {
    /// Whatever the network, a trace ends, within the TTL, without panicking.
    #[test]
    fn trace_always_terminates(r in arb_net()) {
        let mut net = Network::new();
        let nodes: Vec<NodeId> = (0..r.nodes)
            .map(|n| net.add_node(format!("n{n}"), NodeRole::Router).unwrap())
            .collect();
        for n in &nodes {
            net.add_vrf(*n, "blue").unwrap();
        }
        let vrf = |blue: bool| if blue { "blue" } else { DEFAULT_VRF };
        let segs: Vec<SegmentId> = (0..r.segments)
            .map(|s| net.add_segment(format!("s{s}")).unwrap())
            .collect();
        let mut ifaces = Vec::new();
        for (k, (n, s, vlan, low, len, up, blue)) in r.interfaces.iter().enumerate() {
            let mut config = InterfaceConfig::new(format!("e{k}"), segs[*s])
                .vrf(vrf(*blue))
                .address(IpNet::new(addr(*low), *len).unwrap());
            if let Some(v) = vlan {
                config = config.vlan(VlanId::new(*v).unwrap());
            }
            let id = net.add_interface(nodes[*n], config).unwrap();
            net.set_interface_up(id, *up).unwrap();
            ifaces.push(id);
        }
        for (n, low, len, gw, kind, blue) in &r.routes {
            let prefix = IpNet::new(addr(*low), *len).unwrap();
            let peer = format!("peer {gw}");
            let table = net.vrf_mut(nodes[*n], vrf(*blue)).unwrap();
            let filtered = WithheldReason::FilteredByPolicy {
                filter: "prefix_filter_in".into(),
            };
            let off = WithheldReason::PropagationDisabled;
            let hop = NextHop::Gateway(addr(*gw));
            match kind {
                0 => {
                    table.fib_mut().insert(Route::new(prefix, hop, RouteSource::Static));
                }
                1 => table.install_bgp(prefix, hop, &peer),
                2 => table.withhold(WithheldRoute::new(prefix, &peer, filtered)),
                3 => table.withhold(WithheldRoute::new(prefix, &peer, off)),
                4 => table.withhold(WithheldRoute::not_announced(prefix, &peer, filtered)),
                _ => table.set_session(peer, false),
            }
        }
        for (i, low, master) in &r.vrrp {
            if let Some(id) = ifaces.get(*i) {
                net.add_vrrp_group(*id, 1, vec![addr(*low)], *master).unwrap();
                net.set_vrrp_master(*id, 1, *master).unwrap();
            }
        }
        for (n, low) in &r.probes {
            match net.trace(nodes[*n], addr(*low)) {
                Ok(trace) => {
                    prop_assert!(trace.hops.len() <= usize::from(trace::INITIAL_TTL));
                    prop_assert!(!trace.hops.is_empty());
                    let _ = format!("{trace:#}");
                }
                Err(Error::NoSourceAddress { .. }) => {}
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
        for a in &nodes {
            for b in &nodes {
                if let Ok(reach) = net.reach(*a, *b) {
                    let _ = reach.to_string();
                }
            }
        }
    }
}

/// The IPv6 session of a link: /127 on the cross-connect, a VPC IPv6 subnet, traced from the
/// provider's VRF with `trace_from_interface`.
#[test]
fn ipv6_over_the_link() {
    let mut net = Network::new();
    let xc = net.add_segment("xc").unwrap();
    let vpc = net.add_segment("vpc").unwrap();
    let vlan = VlanId::new(2001).unwrap();
    let pe = net.add_node("scaleway", NodeRole::Provider).unwrap();
    net.add_vrf(pe, "prod").unwrap();
    let link = InterfaceConfig::new("prod", xc)
        .vrf("prod")
        .vlan(vlan)
        .address(pfx("169.254.0.0/31"))
        .address(pfx("fd00:1::/127"));
    let link = net.add_interface(pe, link).unwrap();
    let gw = InterfaceConfig::new("app", vpc)
        .vrf("prod")
        .address(pfx("fd00:4::1/64"));
    net.add_interface(pe, gw).unwrap();
    let r = net.add_node("onprem", NodeRole::Router).unwrap();
    let up = InterfaceConfig::new("eth0.2001", xc)
        .vlan(vlan)
        .address(pfx("169.254.0.1/31"))
        .address(pfx("fd00:1::1/127"));
    net.add_interface(r, up).unwrap();
    let lan = net.add_segment("lan").unwrap();
    net.add_interface(
        r,
        InterfaceConfig::new("lo", lan).address(pfx("2001:db8:1::1/48")),
    )
    .unwrap();
    net.vrf_mut(pe, "prod").unwrap().install_bgp(
        pfx("2001:db8:1::/48"),
        NextHop::Gateway(ip("fd00:1::1")),
        LINK,
    );
    let trace = net.trace_from_interface(link, ip("2001:db8:1::1")).unwrap();
    assert_eq!(
        trace.to_string(),
        "fd00:1:: → 2001:db8:1::1: delivered to router \"onprem\" (1 hop)"
    );
    // From the router, the VPC's IPv6 prefix was not announced: propagation is off.
    net.vrf_mut(r, DEFAULT_VRF)
        .unwrap()
        .withhold(WithheldRoute::not_announced(
            pfx("fd00:4::/64"),
            LINK,
            WithheldReason::PropagationDisabled,
        ));
    let trace = net.trace(r, ip("fd00:4::10")).unwrap();
    assert_eq!(
        trace.to_string(),
        "fd00:1::1 → fd00:4::10: dropped at router \"onprem\": no route to fd00:4::10; \
         fd00:4::/64 is not announced by link \"prod\": route propagation is disabled"
    );
    assert!(
        net.trace_from_interface(InterfaceId(99), ip("::1"))
            .is_err()
    );
}
