//! Two VPCs in one provider namespace stay apart: each VRF is a numbered
//! table chosen by the ingress interface (`linux::kernel::KernelVrf`),
//! and `ping` agrees with the model's `reach` for every pair of hosts.
//!
//! ```text
//!  h1 10.1.0.10 ── r1 ══ l1 VLAN 2001 ══╗ provider  VRF prod (table 100) ── app1 172.16.4.10
//!  h2 10.2.0.10 ── r2 ══ l2 VLAN 2002 ══╝ namespace VRF dev  (table 101) ── app2 172.16.8.10
//! ```
//!
//! Both customer routers send everything to the provider (a default
//! route), so only the VRFs keep h1 from app2 and h2 from app1: in the
//! kernel, the `unreachable default` closing each table; in the model, no
//! route in the VRF. Then l2's session goes down: dev's table loses h2's
//! prefix, prod's is untouched.
//!
//! Needs root.

mod lab;

use dataplane::{DEFAULT_VRF, NextHop, NodeRole};
use ipnet::IpNet;
use lab::Lab;
use linux::kernel::Change;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[test]
fn two_vpcs_in_one_namespace_stay_apart() {
    let mut lab = Lab::new();
    let provider = lab.node("provider", NodeRole::Provider);
    lab.vrf(provider, "prod", 100);
    lab.vrf(provider, "dev", 101);
    let r1 = lab.node("r1", NodeRole::Router);
    let r2 = lab.node("r2", NodeRole::Router);
    let hosts: Vec<_> = ["h1", "h2", "app1", "app2"]
        .iter()
        .map(|h| lab.node(h, NodeRole::Host))
        .collect();
    let [h1, h2, app1, app2] = hosts[..] else {
        unreachable!()
    };
    lab.cable(h1, "eth0", "10.1.0.10/24", r1, "lan", "10.1.0.1/24");
    lab.cable(h2, "eth0", "10.2.0.10/24", r2, "lan", "10.2.0.1/24");
    let default = net("0.0.0.0/0");
    for (h, gw) in [(h1, "10.1.0.1"), (h2, "10.2.0.1")] {
        lab.net
            .add_static_route(h, DEFAULT_VRF, default, gw.parse().unwrap())
            .unwrap();
    }
    lab.private_network(
        provider,
        "prod",
        "vpc-prod",
        "172.16.4.1/22",
        &[(app1, "172.16.4.10/22")],
    );
    lab.private_network(
        provider,
        "dev",
        "vpc-dev",
        "172.16.8.1/22",
        &[(app2, "172.16.8.10/22")],
    );
    let (_, a1) = lab.interlink("l1", provider, "prod", r1, 2001, 2001);
    let (_, a2) = lab.interlink("l2", provider, "dev", r2, 2002, 2002);
    for (r, a) in [(r1, a1), (r2, a2)] {
        let gw = a.scw_ipv4.addr().into();
        lab.net
            .add_static_route(r, DEFAULT_VRF, default, gw)
            .unwrap();
    }
    let (link1, link2) = ("link \"l1\"", "link \"l2\"");
    let via = |a: std::net::Ipv4Addr| NextHop::Gateway(a.into());
    lab.net.vrf_mut(provider, "prod").unwrap().install_bgp(
        net("10.1.0.0/24"),
        via(a1.peer_ipv4.addr()),
        link1,
    );
    lab.net.vrf_mut(provider, "dev").unwrap().install_bgp(
        net("10.2.0.0/24"),
        via(a2.peer_ipv4.addr()),
        link2,
    );

    let changes = lab.render();
    assert!(changes.iter().all(|(_, c)| matches!(c, Change::Add(_))));
    assert!(lab.render().is_empty(), "rendering twice changes nothing");
    let pns = lab.netns(provider);
    let rules = pns.run("ip", ["rule", "show"]).unwrap();
    println!("{rules}");
    assert_eq!(rules.matches("lookup 100").count(), 2, "{rules}");
    assert_eq!(rules.matches("lookup 101").count(), 2, "{rules}");

    let seen = lab.check_matrix("two VPCs", &hosts);
    assert!(lab.net.reach(h1, app1).unwrap().is_reachable());
    assert!(lab.net.reach(h2, app2).unwrap().is_reachable());
    assert!(!lab.net.reach(h1, app2).unwrap().is_reachable());
    assert!(!lab.net.reach(app1, app2).unwrap().is_reachable());
    assert!(seen.contains("no_route"), "{seen:?}");

    // l2's session goes down: dev forgets 10.2.0.0/24, and only dev.
    let dev = lab.net.vrf_mut(provider, "dev").unwrap();
    dev.clear_peer(link2);
    dev.set_session(link2, false);
    let changes = lab.render();
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(matches!(&changes[0], (_, Change::Delete(r)) if r.prefix == net("10.2.0.0/24")));
    let seen = lab.check_matrix("l2 session down", &hosts);
    assert!(seen.contains("session_down"), "{seen:?}");
    assert!(lab.net.reach(h1, app1).unwrap().is_reachable());
}
