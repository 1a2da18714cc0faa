//! The pieces the renderer wires with `ip`: bridges, veths into them, addresses, forwarding.

use crate::{Netns, Result};
use ipnet::IpNet;

/// `ip addr add` with IPv6 duplicate address detection off (a lab has no duplicates, and DAD
/// would hold the address tentative for a second).
pub fn add_address(ns: &Netns, address: &IpNet, device: &str) -> Result<()> {
    let address = address.to_string();
    let mut args = vec!["addr", "add", address.as_str(), "dev", device];
    if address.contains(':') {
        args.push("nodad");
    }
    ns.run("ip", args).map(drop)
}

/// A bridge `name` in `ns` with `addresses`, up.
pub fn bridge(ns: &Netns, name: &str, addresses: &[IpNet]) -> Result<()> {
    ns.run("ip", ["link", "add", name, "type", "bridge"])?;
    for a in addresses {
        add_address(ns, a, name)?;
    }
    ns.run("ip", ["link", "set", name, "up"])?;
    Ok(())
}

/// Forwarding on, both families.
pub fn forward(ns: &Netns) -> Result<()> {
    ns.run(
        "sysctl",
        [
            "-qw",
            "net.ipv4.ip_forward=1",
            "net.ipv6.conf.all.forwarding=1",
        ],
    )
    .map(drop)
}

/// A veth `port` in `gw_ns`, a port of `bridge` there, whose peer is `eth0` in `ns` with
/// `addresses`, both ends up.
pub fn veth_into(
    gw_ns: &Netns,
    port: &str,
    bridge: &str,
    ns: &Netns,
    addresses: &[IpNet],
) -> Result<()> {
    gw_ns.run(
        "ip",
        [
            "link",
            "add",
            port,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            ns.name(),
        ],
    )?;
    gw_ns.run("ip", ["link", "set", port, "master", bridge, "up"])?;
    for a in addresses {
        add_address(ns, a, "eth0")?;
    }
    ns.run("ip", ["link", "set", "eth0", "up"])?;
    Ok(())
}

/// Makes `port` (the provider's end of a router's cable, which held OVH's gateway) a port of
/// `bridge` in `ns`: the router then shares the segment of the bridge's hosts, and the
/// gateway is held once, by the bridge (which already has it, so the BGP session bound to it
/// goes on). Its own addresses go: a bridge port's addresses are never reached.
pub fn join_bridge(ns: &Netns, port: &str, bridge: &str) -> Result<()> {
    ns.run("ip", ["link", "set", port, "master", bridge, "up"])?;
    ns.run("ip", ["addr", "flush", "dev", port, "scope", "global"])
        .map(drop)
}

/// Whether device `name` exists in `ns`.
pub fn exists(ns: &Netns, name: &str) -> bool {
    ns.run("ip", ["link", "show", "dev", name]).is_ok()
}

/// A host's namespace label.
pub fn label(name: &str) -> String {
    format!("h-{}", crate::netns::sanitized(name))
}

/// Whether a failed ping's exit status (`exit status: N`, as `ExitStatus` prints it) means no
/// answer: 1 (no reply) or 2 (an error such as no route). Anything else (killed by a signal,
/// `ip netns exec` failing) is not an answer of the network.
pub fn no_answer(status: &str) -> bool {
    matches!(status.strip_prefix("exit status: "), Some("1" | "2"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_namespace_labels_are_valid_netns_labels() {
        assert_eq!(label("app1"), "h-app1");
        assert_eq!(label("Branch PC_2"), "h-branch-pc-2");
        let long = label("a-very-long-host-name-indeed-really");
        assert_eq!(long, "h-a-very-long-host-nam");
        assert!(long.len() <= 24);
        assert_eq!(label("hôte"), "h-h-te");
    }

    #[test]
    fn only_ping_s_own_statuses_mean_no_answer() {
        assert!(no_answer("exit status: 1"));
        assert!(no_answer("exit status: 2"));
        assert!(!no_answer("exit status: 255"));
        assert!(!no_answer("exit status: 12"));
        assert!(!no_answer("signal: 9 (SIGKILL)"));
    }
}
