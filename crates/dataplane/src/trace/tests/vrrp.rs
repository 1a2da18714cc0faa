//! An OVHcloud Connect datacenter gateway: the VRRP virtual address follows the master.

use super::{ip, pfx};
use crate::*;

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
