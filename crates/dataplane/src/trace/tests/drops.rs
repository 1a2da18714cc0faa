//! Why a packet stops, named in the trace: a filtered prefix, propagation disabled, a session
//! down, a VLAN mismatch, a link or interface down, a detached port, no route, an unresolved
//! next hop, a routing loop.

use super::{LINK, ip, pfx, quickstart};
use crate::*;

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
