//! Every example topology with real daemons, through `peerlab up`: FRR (self-hosted), FRR with
//! hosts in two VPCs (every `reach` also pinged), FRR beside an embedded router (which then runs
//! in its own namespace too), BIRD (hosted through a partner), GoBGP (dual
//! stack) and the FRR failure drill, plus a VLAN mismatch that must fail and a kernel that
//! disagrees with the model, which must fail too.
//!
//! Needs root (namespaces, veths) and the daemons: a missing one fails the test, never skips
//! it. Each run's namespaces (`pl-PID-…`) must be gone when `peerlab up` exits.

mod common;

use common::*;
use std::process::{Command, Stdio};

#[test]
fn interlink_frr() {
    passes("interlink-frr.toml", 8);
}

/// FRR and the embedded router side by side: the embedded one in its own namespace over real
/// TCP, the routes it learns in its kernel, the host behind it pinged; its propagation toggle,
/// stop and start, a restart, and a pulled cable ended by the hold timer.
#[test]
fn interlink_mixed() {
    let (out, report) = up(&topology("interlink-mixed.toml"));
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["passed"], true, "{report:#}");
    assert_eq!(report["clock"], "real");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 25, "{report:#}");
    let detail = |check: &str| details(results, check);
    // Pinged from behind the embedded router: answered while propagation is on, silent off.
    let reach = detail("branch-pc reaches app1");
    assert_eq!(reach.len(), 3, "{report:#}");
    for d in &reach {
        assert!(
            d.ends_with("ping from branch-pc to 172.16.4.10 answered"),
            "{d}"
        );
    }
    let cut = detail("branch-pc does not reach app1");
    assert_eq!(cut.len(), 2, "{report:#}");
    assert!(
        cut[0].contains("route propagation is disabled"),
        "{}",
        cut[0]
    );
    assert!(
        cut[1].contains("interface \"uplink\" is down"),
        "{}",
        cut[1]
    );
    for d in &cut {
        assert!(d.ends_with("got no answer"), "{d}");
    }
    // Started again, then restarted: its session came up three times in all.
    let sessions = detail("session branch ipv4 is established");
    assert_eq!(sessions.len(), 3, "{report:#}");
    assert!(
        sessions[1].ends_with("established 2 time(s)"),
        "{}",
        sessions[1]
    );
    assert!(
        sessions[2].ends_with("established 3 time(s)"),
        "{}",
        sessions[2]
    );
    // The embedded router learned Scaleway's VPC route over TCP.
    let learned = detail("routes at router branch: has 172.16.0.0/16");
    assert_eq!(learned, ["router branch has 172.16.4.0/22"], "{report:#}");
}

/// `peerlab trace` of a topology that is not kept brings it up in namespaces, traces, pings
/// from host to host before the teardown, and leaves nothing behind.
#[test]
fn trace_of_a_described_topology_pings_before_the_teardown() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let run_dir = tempfile::tempdir().unwrap();
    let path = topology("interlink-frr.toml");
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .arg(&path)
        .args(["laptop", "app1"])
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run peerlab trace");
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{out:?}");
    assert!(
        text.contains("10.1.0.10 → 172.16.4.10: delivered to host \"app1\""),
        "{text}"
    );
    assert_eq!(
        text.lines().last(),
        Some("ping from laptop to 172.16.4.10: answered"),
        "{text}"
    );
    no_namespace_left(pid);
}

/// Every `reach` of the hosts topology is answered by the model and by `ping`, which agree:
/// the ones that must hold, the ones that must not (filtered by `prefix_filter_in`, another
/// VPC's routing table, route propagation disabled, a pulled cable) and the flips in between.
#[test]
fn interlink_frr_hosts() {
    let (out, report) = up(&topology("interlink-frr-hosts.toml"));
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["passed"], true, "{report:#}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 21, "{report:#}");
    let reach: Vec<&serde_json::Value> = results
        .iter()
        .filter(|r| r["check"].as_str().unwrap_or_default().contains(" reach"))
        .collect();
    assert_eq!(reach.len(), 14, "{report:#}");
    let (mut answered, mut silent) = (0, 0);
    for r in reach {
        let detail = r["detail"].as_str().unwrap();
        let check = r["check"].as_str().unwrap();
        if detail.contains(" answered") {
            answered += 1;
            assert!(!check.contains("does not reach"), "{check}: {detail}");
        } else {
            assert!(detail.contains(" got no answer"), "{check}: {detail}");
            assert!(check.contains("does not reach"), "{check}: {detail}");
            silent += 1;
        }
    }
    assert_eq!((answered, silent), (9, 5), "{report:#}");
    let text: String = results
        .iter()
        .filter_map(|r| r["detail"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    for reason in [
        "rejected by prefix_filter_in of routing policy",
        "route propagation is disabled",
        "interface \"uplink\" is down",
        "VRF \"staging\": no route to 172.16.4.10",
    ] {
        assert!(text.contains(reason), "{reason}: {report:#}");
    }
}

/// A kernel that does not do what the model says is a failure of its own: here a route the
/// runner does not own (a blackhole, `proto static`) is put into the router's namespace behind
/// its back, so ping gets no answer where the model delivers.
#[test]
fn a_kernel_that_disagrees_with_the_model_fails() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let text = std::fs::read_to_string(topology("interlink-frr.toml")).unwrap();
    // The expectations up to the reach, and nothing after.
    let cut = text
        .match_indices("[[steps]]")
        .next()
        .map_or(text.len(), |(i, _)| i);
    let text = text[..cut].replace(
        "reach = { from = \"laptop\", to = \"app1\" }",
        "reach = { from = \"laptop\", to = \"app1\" }\nwithin = \"5s\"",
    );
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(file.path())
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let router = loop {
        let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
        let list = String::from_utf8_lossy(&namespaces.stdout).into_owned();
        let found = list
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .find(|n| n.starts_with(&format!("pl-{pid}-")) && n.ends_with("-r-onprem"))
            .map(str::to_string);
        if let Some(ns) = found {
            break ns;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no router namespace: {list}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let added = Command::new("ip")
        .args(["-n", &router, "route", "add", "blackhole", "172.16.4.0/24"])
        .args(["proto", "static"])
        .status()
        .unwrap();
    assert!(added.success());
    let out = child.wait_with_output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "{report:#}");
    for ok in &results[..3] {
        assert_eq!(ok["ok"], true, "{report:#}");
    }
    let detail = results[3]["detail"].as_str().unwrap();
    assert!(
        detail.starts_with(
            "not within 5s: the kernel and the model disagree: ping from laptop to 172.16.4.10 got no answer; but the model delivers both ways"
        ),
        "{detail}"
    );
    no_namespace_left(pid);
}

#[test]
fn interlink_bird_hosted() {
    passes("interlink-bird-hosted.toml", 5);
}

#[test]
fn interlink_gobgp_dualstack() {
    passes("interlink-gobgp-dualstack.toml", 10);
}

/// `ovh-l3-bgp-frr.toml` with one router embedded instead, each way round: the embedded one
/// runs in its namespace over real TCP with OVH's AS as its peer, on the PoP's /30 or on the
/// datacenter's segment, and every `reach` is pinged too.
#[test]
fn ovh_l3_bgp_with_an_embedded_router_beside_frr() {
    let text = std::fs::read_to_string(topology("ovh-l3-bgp-frr.toml")).unwrap();
    for router in ["onprem", "rbx-edge"] {
        let declared = format!("name = \"{router}\"\nkind = \"frr\"");
        assert!(text.contains(&declared), "{router}");
        let mixed = text.replace(
            &declared,
            &format!("name = \"{router}\"\nkind = \"embedded\""),
        );
        let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        std::fs::write(file.path(), mixed).unwrap();
        let (out, report) = up(file.path());
        assert!(out.status.success(), "{router}: {report:#}");
        assert_eq!(report["passed"], true, "{router}: {report:#}");
        assert_eq!(report["clock"], "real");
        let results = report["results"].as_array().unwrap();
        assert_eq!(results.len(), 21, "{router}: {report:#}");
        let answered = results
            .iter()
            .filter_map(|r| r["detail"].as_str())
            .filter(|d| d.ends_with(" answered"))
            .count();
        assert_eq!(answered, 5, "{router}: {report:#}");
    }
}

/// OVHcloud Connect l3 with FRR on the PoP and in the datacenter (a `bgp` extra), which the
/// last steps delete: OVH's VRRP routers start then, for real.
#[test]
fn ovh_l3_bgp_frr() {
    let (out, report) = up(&topology("ovh-l3-bgp-frr.toml"));
    assert!(out.status.success(), "{report:#}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 21, "{report:#}");
    assert!(results.iter().all(|r| r["ok"] == true), "{report:#}");
    // The bgp extra deleted, VRRP comes on: the real speakers elect A, and the laptop's ping
    // to the server is answered through it.
    assert_eq!(results[19]["check"], "vrrp gateway of rbx has master A");
    assert_eq!(
        results[19]["detail"], "router A is master (speakers: A master, B backup)",
        "{report:#}"
    );
    let reach = results[20]["detail"].as_str().unwrap_or_default();
    assert!(
        reach.ends_with("ping from laptop to 10.10.0.10 answered"),
        "{report:#}"
    );
}

/// OVHcloud Connect l3 with FRR on the PoP, a `network` extra and the VRRP gateway, whose
/// routers A and B run for real: A crashes, B takes the gateway and the server still answers
/// the laptop's ping, A comes back and preempts.
#[test]
fn ovh_l3_static_vrrp() {
    let (out, report) = up(&topology("ovh-l3-static-vrrp.toml"));
    assert!(out.status.success(), "{report:#}");
    let rows: Vec<(String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["ok"], true, "{report:#}");
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (text("check"), text("detail"))
        })
        .collect();
    assert_eq!(rows.len(), 18, "{report:#}");
    let row = |check: &str, n: usize| -> &str {
        let all: Vec<&(String, String)> = rows.iter().filter(|r| r.0 == check).collect();
        all.get(n)
            .map(|r| r.1.as_str())
            .unwrap_or_else(|| panic!("no check {check:?} #{n} in {report:#}"))
    };
    // The election is the speakers' in the routers' namespaces, not the API's model.
    let master = "vrrp gateway of rbx has master A";
    assert_eq!(
        row(master, 0),
        "router A is master (speakers: A master, B backup)"
    );
    assert!(row("vrrp rbx A crash", 0).starts_with("crashed (was master)"));
    assert_eq!(
        row("vrrp gateway of rbx has master B", 0),
        "router B is master (speakers: A down, B master)"
    );
    // Through B, by ping too.
    let reach = row("laptop reaches server", 1);
    assert!(
        reach.ends_with("ping from laptop to 10.10.0.10 answered"),
        "{reach}"
    );
    assert_eq!(row("vrrp rbx A start", 0), "started");
    assert_eq!(
        row(master, 1),
        "router A is master (speakers: A master, B backup)"
    );
}

/// OVHcloud Connect l2 without routers, as root: namespace mode. The vRack is a bridge in the
/// provider namespace, the office and the servers are namespaces on it, and every `reach` is
/// pinged: after SBG's configuration is deleted, its server's port is down and the ping gets
/// no answer, as the model says.
#[test]
fn ovh_l2_pings_across_the_vrack() {
    let (out, report) = up(&topology("ovh-l2.toml"));
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["clock"], "real", "{report:#}");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 9, "{report:#}");
    let detail = |check: &str| details(results, check);
    for to in ["gra-server", "sbg-server"] {
        let first = &detail(&format!("office reaches {to}"))[0];
        assert!(first.ends_with(" answered"), "{first}");
    }
    let gone = &detail("office does not reach sbg-server")[0];
    assert!(
        gone.contains("datacenter \"sbg\" is not in vRack pn-100002"),
        "{gone}"
    );
    assert!(
        gone.ends_with("ping from office to 192.168.100.30 got no answer"),
        "{gone}"
    );
    let still = detail("office reaches gra-server");
    assert_eq!(still.len(), 2, "{report:#}");
    assert!(
        still[1].ends_with("ping from office to 192.168.100.20 answered"),
        "{}",
        still[1]
    );
}

#[test]
fn a_vlan_mismatch_fails_with_the_session_down() {
    let text = std::fs::read_to_string(topology("interlink-frr.toml")).unwrap();
    // Only the first expectation (the session), which must fail.
    let cut = text
        .match_indices("[[expect]]")
        .nth(1)
        .map_or(text.len(), |(i, _)| i);
    let text = text[..cut]
        .replace(
            "plug = { connection = \"dc2-xconnect\", vlan = 2001 }",
            "plug = { connection = \"dc2-xconnect\", vlan = 2002 }",
        )
        .replace("within = \"60s\"", "within = \"15s\"");
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let (out, report) = up(file.path());
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    let first = &report["results"][0];
    assert_eq!(first["ok"], false, "{report:#}");
    let detail = first["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("not within 15s: the session is"),
        "{detail}"
    );
}
