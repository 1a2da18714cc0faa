//! Traces through an InterLink-like and an OVHcloud Connect-like topology: the fixtures, the
//! quickstart's path both ways, its display, IPv6 over the link.
//!
//! - [`drops`]: every reason a packet stops, named;
//! - [`vrrp`]: an OVHcloud Connect gateway following its VRRP master;
//! - [`random`]: random networks, whose traces always end.

mod drops;
mod random;
mod vrrp;

use std::net::IpAddr;

use ipnet::IpNet;

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
