//! The cross-connect wiring: traffic passes over matching VLANs only, and
//! nothing is left behind.

use linux::{Link, LinkConfig, Netns};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

/// One `ping -c1 -W1` from `ns` to `address`.
fn ping_once(ns: &Netns, address: &str) -> bool {
    let ping = linux::process::require_binary("/usr/bin/ping", "iputils-ping");
    ns.command(ping)
        .args(["-c1", "-W1", address])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Pings until one answer comes back, for up to 5 s (the first may be lost
/// to address resolution).
fn ping(ns: &Netns, address: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if ping_once(ns, address) {
            return true;
        }
    }
    false
}

fn exists_in_root(interface: &str) -> bool {
    Command::new("ip")
        .args(["link", "show", "dev", interface])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn netns_listed(name: &str) -> bool {
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.split_whitespace().next() == Some(name))
}

#[test]
fn matching_vlans_carry_ipv4_and_ipv6_and_everything_is_removed_on_drop() {
    let ns = Netns::create("link-ok").expect("namespace");
    let link = Link::create(None, &ns, &LinkConfig::new(2001).expect("config")).expect("link");
    let a = link.config().addressing;
    let (scw4, scw6) = (a.scw_ipv4.addr().to_string(), a.scw_ipv6.addr().to_string());
    assert!(
        link.host_interface().ends_with(".2001"),
        "{}",
        link.host_interface()
    );
    assert!(
        ping(&ns, &scw4),
        "no answer from {scw4} over VLAN 2001 ({:?})",
        link.vlan_mode()
    );
    assert!(
        ping(&ns, &scw6),
        "no answer from {scw6} over VLAN 2001 ({:?})",
        link.vlan_mode()
    );

    // The cable pulled and plugged back.
    link.set_up(false).expect("link down");
    assert!(!ping_once(&ns, &scw4), "{scw4} answers with the link down");
    link.set_up(true).expect("link up");
    assert!(
        ping(&ns, &scw4),
        "no answer from {scw4} once the link is back"
    );

    let (name, veth, vlan_if) = (
        ns.name().to_owned(),
        link.host_veth().to_owned(),
        link.host_interface().to_owned(),
    );
    assert!(netns_listed(&name) && exists_in_root(&veth) && exists_in_root(&vlan_if));
    drop(link);
    drop(ns);
    assert!(!exists_in_root(&veth), "{veth} is still there");
    assert!(!exists_in_root(&vlan_if), "{vlan_if} is still there");
    assert!(!netns_listed(&name), "namespace {name} is still there");
}

#[test]
fn mismatched_vlans_carry_nothing() {
    let ns = Netns::create("link-mismatch").expect("namespace");
    let config = LinkConfig {
        peer_vlan: 2002,
        ..LinkConfig::new(2001).expect("config")
    };
    let link = Link::create(None, &ns, &config).expect("link");
    assert!(link.peer_interface().ends_with(".2002"));
    let a = link.config().addressing;
    for address in [a.scw_ipv4.addr().to_string(), a.scw_ipv6.addr().to_string()] {
        assert!(
            !ping_once(&ns, &address),
            "{address} answers across VLANs 2001/2002 ({:?})",
            link.vlan_mode()
        );
    }
    // The customer's own addresses work: only the VLAN is wrong.
    assert!(ping_once(&ns, &a.peer_ipv4.addr().to_string()));
}

#[test]
fn concurrent_links_get_distinct_addresses_and_names() {
    let ns = Netns::create("link-many").expect("namespace");
    let links: Vec<Link> = thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let ns = &ns;
                s.spawn(move || {
                    Link::create(None, ns, &LinkConfig::new(1500 + i).expect("config"))
                        .expect("link")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut addresses: Vec<_> = links
        .iter()
        .map(|l| l.config().addressing.scw_ipv4)
        .collect();
    addresses.sort();
    addresses.dedup();
    assert_eq!(addresses.len(), 3);
    for link in &links {
        let scw = link.config().addressing.scw_ipv4.addr().to_string();
        assert!(ping(&ns, &scw), "no answer from {scw}");
    }
}

/// Both sides of a cable made one by one: a veth pair between two
/// namespaces, a [`VlanInterface`] on each end; traffic passes, a wrong
/// parent or a name too long is an error, and Drop removes the interface.
#[test]
fn one_sided_vlan_interfaces_carry_traffic_and_go_on_drop() {
    use linux::{LinkAddressing, VlanInterface};
    let (a, b) = (
        Netns::create("vlanif-a").unwrap(),
        Netns::create("vlanif-b").unwrap(),
    );
    let ip = |ns: &Netns, args: &[&str]| ns.run("ip", args).unwrap();
    ip(
        &a,
        &["link", "add", "va", "type", "veth", "peer", "name", "vb"],
    );
    ip(&a, &["link", "set", "vb", "netns", b.name()]);
    let addressing = LinkAddressing::slot(std::process::id());
    let scw = VlanInterface::create(
        Some(&a),
        "va",
        2001,
        addressing.scw_ipv4,
        addressing.scw_ipv6,
    )
    .unwrap();
    let peer = VlanInterface::create(
        Some(&b),
        "vb",
        2001,
        addressing.peer_ipv4,
        addressing.peer_ipv6,
    )
    .unwrap();
    assert_eq!(scw.name(), "va.2001");
    scw.wait_usable(addressing.scw_ipv4, addressing.scw_ipv6)
        .unwrap();
    peer.wait_usable(addressing.peer_ipv4, addressing.peer_ipv6)
        .unwrap();
    assert!(ping(&b, &addressing.scw_ipv4.addr().to_string()));
    assert!(ping(&b, &addressing.scw_ipv6.addr().to_string()));

    let missing = VlanInterface::create(
        Some(&a),
        "nosuchif",
        2002,
        addressing.scw_ipv4,
        addressing.scw_ipv6,
    );
    assert!(missing.is_err());
    let long = VlanInterface::create(
        Some(&a),
        "va-too-long-x",
        2002,
        addressing.scw_ipv4,
        addressing.scw_ipv6,
    );
    assert!(long.unwrap_err().to_string().contains("15 characters"));

    drop(scw);
    let shown = a.run("ip", ["-o", "link", "show"]).unwrap();
    assert!(!shown.contains("va.2001"), "{shown}");
    assert!(a.run("ip", ["link", "show", "dev", "va"]).is_ok());
}
