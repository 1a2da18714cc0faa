//! The model's trace and the kernel agree: a small InterLink network built
//! twice, as a `dataplane::Network` and as network namespaces, with the
//! model's FIBs rendered into the namespaces' kernels by
//! `linux::kernel`; for every pair of hosts, `ping -c1 -W1` succeeds
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

mod lab;

use dataplane::{DEFAULT_VRF, NextHop, NodeId, NodeRole, WithheldReason, WithheldRoute};
use ipnet::IpNet;
use lab::Lab;
use linux::kernel::{Change, MAIN_TABLE};
use std::collections::BTreeSet;
use std::net::IpAddr;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn via(a: impl Into<IpAddr>) -> NextHop {
    NextHop::Gateway(a.into())
}

#[test]
fn ping_works_exactly_when_the_trace_delivers() {
    let mut lab = Lab::new();
    let provider = lab.node("provider", NodeRole::Provider);
    // One VPC: the provider namespace's main table is its VRF.
    lab.vrf(provider, "prod", MAIN_TABLE);
    let r1 = lab.node("r1", NodeRole::Router);
    let r2 = lab.node("r2", NodeRole::Router);
    let r3 = lab.node("r3", NodeRole::Router);
    let hosts: Vec<NodeId> = ["h1", "h2", "h3", "h4", "app1", "app2"]
        .iter()
        .map(|h| lab.node(h, NodeRole::Host))
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
    let instances = [(app1, "172.16.4.10/22"), (app2, "172.16.4.11/22")];
    lab.private_network(provider, "prod", "app", "172.16.4.1/22", &instances);
    let pns = lab.netns(provider);

    // The cross-connects.
    let (l1, a1) = lab.interlink("l1", provider, "prod", r1, 2001, 2001);
    let (_, a2) = lab.interlink("l2", provider, "prod", r2, 2002, 2002);
    let (_, a3) = lab.interlink("l3", provider, "prod", r3, 2003, 2004);
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
