//! A customer router for tests written in other languages (the SDK's pytest suite): a real FRR,
//! BIRD or GoBGP in its own network namespace, plugged into the root namespace by a veth pair,
//! driven over stdin and stdout.
//!
//! ```text
//! customer_router KIND ASN VLAN [PREFIX…]     (as root; KIND = frr | bird | gobgp)
//! ```
//!
//! It creates the namespace and the veth pair, then prints one JSON line,
//! `{"host_interface": "…", "namespace": "…"}`: the root-namespace end is for `peerlab serve`'s
//! `[[bindings]]`. Then it reads commands, one per line, and answers each with one JSON line
//! (`{"error": "…"}` when a command fails; the process goes on):
//!
//! - `connect SCW_IPV4 SCW_IPV6`: Scaleway's addresses of the link (the even ones, as the API's
//!   `scw_bgp_config` gives them). Puts the peer addresses on a VLAN `VLAN` subinterface in the
//!   namespace and starts the daemon announcing the PREFIXes, with Scaleway (AS 12876) as its
//!   IPv4 and IPv6 neighbours. → `{"peer_ipv4": "…", "peer_ipv6": "…"}`
//! - `state`: → `{"ipv4": "Established", "ipv6": "Active"}`, the daemon's view of both sessions.
//! - `routes`: → `{"ipv4": […], "ipv6": […]}`, the prefixes the daemon learned.
//! - `log`: → `{"log": "…"}`, the end of the daemon's log.
//!
//! At the end of stdin it stops the daemon and deletes the VLAN interface, the veth pair and the
//! namespace, so whoever started it only has to close its stdin (or die).

use ipnet::IpNet;
use linux::peer::{self, Family, Peer, PeerConfig, PeerKind};
use linux::{LinkAddressing, Netns, VlanInterface};
use serde_json::json;
use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::process::{Command, ExitCode};

/// The veth pair; Drop deletes it (both ends).
struct Veth {
    host: String,
    peer: String,
}

impl Veth {
    fn create(ns: &Netns) -> Result<Veth, String> {
        // `crHEXPIDh.NNNN` fits the 15 characters of an interface name.
        let base = format!("cr{:x}", std::process::id());
        let veth = Veth {
            host: format!("{base}h"),
            peer: format!("{base}p"),
        };
        let _ = Command::new("ip")
            .args(["link", "del", &veth.host])
            .output();
        let out = Command::new("ip")
            .args(["link", "add", &veth.host, "type", "veth", "peer", "name"])
            .args([&veth.peer, "netns", ns.name()])
            .output()
            .map_err(|e| format!("ip link add: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "ip link add: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(veth)
    }
}

impl Drop for Veth {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["link", "del", &self.host])
            .output();
    }
}

/// The router once connected: its VLAN interface and daemon (dropped in reverse order).
struct Connected {
    router: Box<dyn Peer>,
    addressing: LinkAddressing,
    _interface: VlanInterface,
}

struct Args {
    kind: PeerKind,
    asn: u32,
    vlan: u16,
    announce: Vec<IpNet>,
}

fn parse_args() -> Result<Args, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, asn, vlan, prefixes @ ..] = args.as_slice() else {
        return Err("usage: customer_router frr|bird|gobgp ASN VLAN [PREFIX…]".into());
    };
    let kind = PeerKind::ALL
        .into_iter()
        .find(|k| k.name() == kind)
        .ok_or_else(|| format!("unknown router kind {kind:?}: frr, bird or gobgp"))?;
    let asn = asn.parse().map_err(|e| format!("ASN {asn:?}: {e}"))?;
    let vlan = vlan.parse().map_err(|e| format!("VLAN {vlan:?}: {e}"))?;
    let announce = prefixes
        .iter()
        .map(|p| p.parse().map_err(|e| format!("prefix {p:?}: {e}")))
        .collect::<Result<_, String>>()?;
    Ok(Args {
        kind,
        asn,
        vlan,
        announce,
    })
}

fn connect(args: &Args, ns: &Netns, veth: &Veth, words: &[&str]) -> Result<Connected, String> {
    let [v4, v6] = words else {
        return Err("usage: connect SCW_IPV4 SCW_IPV6".into());
    };
    let strip = |a: &str| a.split('/').next().unwrap_or(a).to_owned();
    let v4 = strip(v4).parse().map_err(|e| format!("{v4:?}: {e}"))?;
    let v6 = strip(v6).parse().map_err(|e| format!("{v6:?}: {e}"))?;
    let addressing = LinkAddressing::from_scw(v4, v6).map_err(|e| e.to_string())?;
    let interface = VlanInterface::create(
        Some(ns),
        &veth.peer,
        args.vlan,
        addressing.peer_ipv4,
        addressing.peer_ipv6,
    )
    .map_err(|e| e.to_string())?;
    interface
        .wait_usable(addressing.peer_ipv4, addressing.peer_ipv6)
        .map_err(|e| e.to_string())?;
    let mut config = PeerConfig::interlink(args.asn, &addressing);
    for prefix in &args.announce {
        match prefix {
            IpNet::V4(p) => config.announce_v4.push(*p),
            IpNet::V6(p) => config.announce_v6.push(*p),
        }
    }
    let router = peer::start(args.kind, ns, &config).map_err(|e| e.to_string())?;
    Ok(Connected {
        router,
        addressing,
        _interface: interface,
    })
}

fn routes(router: &dyn Peer, family: Family) -> Result<BTreeSet<String>, String> {
    let routes = router.received_routes(family).map_err(|e| e.to_string())?;
    Ok(routes.iter().map(ToString::to_string).collect())
}

fn answer(
    args: &Args,
    ns: &Netns,
    veth: &Veth,
    connected: &mut Option<Connected>,
    line: &str,
) -> serde_json::Value {
    let words: Vec<&str> = line.split_whitespace().collect();
    let result = match (words.first().copied(), connected.as_ref()) {
        (Some("connect"), Some(_)) => Err("already connected".to_owned()),
        (Some("connect"), None) => connect(args, ns, veth, &words[1..]).map(|c| {
            let reply = json!({
                "peer_ipv4": c.addressing.peer_ipv4.to_string(),
                "peer_ipv6": c.addressing.peer_ipv6.to_string(),
            });
            *connected = Some(c);
            reply
        }),
        (Some("state" | "routes" | "log"), None) => Err("not connected yet".to_owned()),
        (Some("state"), Some(c)) => {
            let state = |a: IpAddr| {
                c.router
                    .session_state(a)
                    .map(|s| format!("{s:?}"))
                    .unwrap_or_else(|e| format!("unknown ({e})"))
            };
            Ok(json!({
                "ipv4": state(c.addressing.scw_ipv4.addr().into()),
                "ipv6": state(c.addressing.scw_ipv6.addr().into()),
            }))
        }
        (Some("routes"), Some(c)) => routes(&*c.router, Family::Ipv4).and_then(|v4| {
            let v6 = routes(&*c.router, Family::Ipv6)?;
            Ok(json!({ "ipv4": v4, "ipv6": v6 }))
        }),
        (Some("log"), Some(c)) => Ok(json!({ "log": c.router.log_tail() })),
        (Some(other), _) => Err(format!(
            "unknown command {other:?}: connect, state, routes, log"
        )),
        (None, _) => Err("empty command".to_owned()),
    };
    result.unwrap_or_else(|error| json!({ "error": error }))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let ns = Netns::create("custrtr").map_err(|e| e.to_string())?;
    let veth = Veth::create(&ns)?;
    let mut out = std::io::stdout().lock();
    let mut say = |value: serde_json::Value| -> Result<(), String> {
        writeln!(out, "{value}")
            .and_then(|()| out.flush())
            .map_err(|e| format!("stdout: {e}"))
    };
    say(json!({ "host_interface": veth.host, "namespace": ns.name() }))?;
    let mut connected = None;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("stdin: {e}"))?;
        say(answer(&args, &ns, &veth, &mut connected, &line))?;
    }
    // Daemon and VLAN interface first, then the veth, then the namespace.
    drop(connected);
    drop(veth);
    drop(ns);
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("customer_router: {e}");
            ExitCode::from(2)
        }
    }
}
