//! Every example topology with real daemons, through `peerlab up`: FRR (self-hosted), FRR with
//! hosts in two VPCs (every `reach` also pinged), FRR beside an embedded router (which then runs
//! in its own namespace too), BIRD (hosted through a partner), GoBGP (dual
//! stack) and the FRR failure drill, plus a VLAN mismatch that must fail and a kernel that
//! disagrees with the model, which must fail too.
//!
//! Needs root (namespaces, veths) and the daemons: a missing one fails the test, never skips
//! it. Each run's namespaces (`pl-PID-…`) must be gone when `peerlab up` exits.

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

/// Runs `peerlab up PATH --json`; checks nothing of the run is left behind.
fn up(path: &std::path::Path) -> (Output, serde_json::Value) {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "real-daemon topologies need root (namespaces, veths): run as root"
    );
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(path)
        .arg("--json")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run peerlab");
    let pid = child.id();
    let out = child.wait_with_output().expect("peerlab up");
    let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let leftover: Vec<String> = String::from_utf8_lossy(&namespaces.stdout)
        .lines()
        .filter(|l| l.starts_with(&format!("pl-{pid}-")))
        .map(str::to_string)
        .collect();
    assert!(leftover.is_empty(), "namespaces left behind: {leftover:?}");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {:?}, stderr {:?}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

fn passes(name: &str, rows: usize) {
    let (out, report) = up(&topology(name));
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["passed"], true, "{report:#}");
    assert_eq!(report["clock"], "real");
    assert_eq!(
        report["results"].as_array().map(Vec::len),
        Some(rows),
        "{report:#}"
    );
}

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

/// Deleting the datacenter configuration stops OVH's VRRP routers and deletes their
/// namespaces; `peerlab down` leaves nothing.
#[test]
fn vrrp_routers_go_with_their_datacenter() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let name = "ovh-l3-static-vrrp";
    let (run_dir, child, guard) = up_keep(name, std::time::Duration::from_secs(120));
    let pid = child.id();
    let list = || {
        let out = Command::new("ip").args(["netns", "list"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| l.starts_with(&format!("pl-{pid}-")))
            .map(|l| l.split_whitespace().next().unwrap_or_default().to_string())
            .collect::<Vec<_>>()
    };
    // The steps ran (the last ones delete rbx): the routers' namespaces are gone, the rest
    // still runs.
    let running = list();
    assert!(
        running.iter().any(|n| n.ends_with("-h-server")),
        "{running:?}"
    );
    assert!(
        !running.iter().any(|n| n.contains("-o-rbx-")),
        "{running:?}"
    );
    let out = down(
        &topology(&format!("{name}.toml")),
        run_dir.path(),
        child,
        guard,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("router B is master (speakers: A down, B master)"),
        "{stdout}"
    );
    assert!(list().is_empty(), "{:?}", list());
}

/// A VRRP group that comes on after wiring (the last steps of `ovh-l3-bgp-frr.toml` delete
/// the `bgp` extra): OVH's routers A and B start then, as `peerlab exec` nodes `ovh-rbx-a` and
/// `ovh-rbx-b`; the master holds the gateway, the backup does not, and the bridge gave it up.
/// A `bgp` extra created through the API then turns VRRP off: the routers go and the bridge
/// holds the gateway again, where OVH's new session comes up.
#[test]
fn vrrp_routers_come_on_after_wiring_and_are_exec_nodes() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let name = "ovh-l3-bgp-frr";
    let (run_dir, child, guard) = up_keep(name, std::time::Duration::from_secs(180));
    let pid = child.id();
    let brief_addr = |node: &str| -> String {
        let out = peerlab(&["exec", node, "--", "ip", "-br", "addr"], run_dir.path());
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // A (priority 200) is master: the gateway is on its VRRP device, not on B's.
    let a = brief_addr("ovh-rbx-a");
    assert!(a.contains("10.10.0.2/28"), "{a}");
    assert!(a.contains("10.10.0.1/32"), "{a}");
    let b = brief_addr("ovh-rbx-b");
    assert!(b.contains("10.10.0.3/28"), "{b}");
    assert!(!b.contains("10.10.0.1/"), "{b}");
    // The datacenter bridge holds its link-local address instead of the gateway.
    let provider = brief_addr(&format!("{name}/provider"));
    let dc0 = provider
        .lines()
        .find(|l| l.starts_with("dc0 "))
        .unwrap_or_default();
    assert!(dc0.contains("169.254.254.1/32"), "{provider}");
    assert!(!dc0.contains("10.10.0.1/"), "{provider}");
    // The server pings the laptop through A.
    let out = peerlab(
        &["exec", "server", "--", "ping", "-c1", "-W2", "10.1.0.10"],
        run_dir.path(),
    );
    assert!(out.status.success(), "{out:?}");

    // A bgp extra created through the official `ovh` client turns VRRP off: A and B go, the
    // bridge takes the gateway back and OVH's new session to rbx-edge comes up on it.
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(python.is_file(), "{} is missing", python.display());
    let state = run_dir.path().join(name).join("state.json");
    let script = format!(
        r#"
import json, ovh
ovh.client.ENDPOINTS["peerlab"] = json.load(open({state:?}))["api"] + "/1.0"
c = ovh.Client(endpoint="peerlab", application_key="peerlabdemoappkey",
               application_secret="peerlabdemoapplicationsecret0001",
               consumer_key="peerlabdemoconsumerkey0000000001")
for s in c.get("/ovhCloudConnect"):
    for p in c.get(f"/ovhCloudConnect/{{s}}/config/pop"):
        for d in c.get(f"/ovhCloudConnect/{{s}}/config/pop/{{p}}/datacenter"):
            c.post(f"/ovhCloudConnect/{{s}}/config/pop/{{p}}/datacenter/{{d}}/extra",
                   type="bgp", bgpNeighborArea=65010, bgpNeighborIp="10.10.0.5")
"#,
        state = state.display().to_string()
    );
    let out = Command::new(&python)
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let gone = !peerlab(&["exec", "ovh-rbx-a", "--", "true"], run_dir.path())
            .status
            .success();
        let provider = brief_addr(&format!("{name}/provider"));
        let held = provider
            .lines()
            .any(|l| l.starts_with("dc0 ") && l.contains("10.10.0.1/28"));
        let out = peerlab(
            &[
                "exec",
                "rbx-edge",
                "--",
                "vtysh",
                "-c",
                "show bgp summary json",
            ],
            run_dir.path(),
        );
        let summary = String::from_utf8_lossy(&out.stdout).into_owned();
        let established = summary.contains("\"state\":\"Established\"");
        if gone && held && established {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "routers gone: {gone}, gateway on dc0: {held}, session: {summary} {provider}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    let running = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let running = String::from_utf8_lossy(&running.stdout).into_owned();
    assert!(
        !running
            .lines()
            .any(|l| l.starts_with(&format!("pl-{pid}-")) && l.contains("-o-rbx-")),
        "{running}"
    );

    down(
        &topology(&format!("{name}.toml")),
        run_dir.path(),
        child,
        guard,
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

/// The details of a report's rows whose check is `check`, in order.
fn details(results: &[serde_json::Value], check: &str) -> Vec<String> {
    results
        .iter()
        .filter(|r| r["check"] == check)
        .map(|r| r["detail"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Asserts that no namespace of `peerlab` process `pid` is left.
fn no_namespace_left(pid: u32) {
    let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let left = String::from_utf8_lossy(&namespaces.stdout).into_owned();
    assert!(!left.contains(&format!("pl-{pid}-")), "{left}");
}

fn peerlab(args: &[&str], run_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .env("PEERLAB_RUN_DIR", run_dir)
        .output()
        .expect("run peerlab")
}

/// Sends SIGTERM to a `peerlab up --keep` when dropped (it tears its topology down): for a
/// test that fails before `peerlab down`. Forget it once the process is known to be gone.
struct TermOnDrop(u32);

impl Drop for TermOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.to_string()])
            .stderr(Stdio::null())
            .status();
    }
}

/// `peerlab up --keep TOPOLOGY` in a run directory of its own, once its state file is written:
/// the run directory, the child, and a guard that stops the child if a test fails.
fn up_keep(
    name: &str,
    within: std::time::Duration,
) -> (tempfile::TempDir, std::process::Child, TermOnDrop) {
    let run_dir = tempfile::tempdir().unwrap();
    let path = topology(&format!("{name}.toml"));
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["up", "--keep"])
        .arg(&path)
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A failed assertion must not leave the kept topology running.
    let guard = TermOnDrop(child.id());
    let state_file = run_dir.path().join(name).join("state.json");
    let deadline = std::time::Instant::now() + within;
    while !state_file.exists() {
        assert!(std::time::Instant::now() < deadline, "no state file");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    (run_dir, child, guard)
}

/// `peerlab down TOPOLOGY` on a kept run: it succeeds, the kept process exits 0 and leaves no
/// namespace behind. Returns the kept process's output.
fn down(
    path: &std::path::Path,
    run_dir: &std::path::Path,
    child: std::process::Child,
    guard: TermOnDrop,
) -> Output {
    let pid = child.id();
    let out = peerlab(&["down", path.to_str().unwrap()], run_dir);
    assert!(out.status.success(), "{out:?}");
    // Down worked: no signal to a pid that may be reused once the child is reaped.
    std::mem::forget(guard);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    no_namespace_left(pid);
    out
}

#[test]
fn keep_exec_and_down() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let (run_dir, child, guard) = up_keep("interlink-frr", std::time::Duration::from_secs(120));
    let state_file = run_dir.path().join("interlink-frr/state.json");
    let path = topology("interlink-frr.toml");
    let path = path.to_str().unwrap();
    // vtysh is pointed at the router's own FRR.
    let out = peerlab(
        &["exec", "onprem", "--", "vtysh", "-c", "show bgp summary"],
        run_dir.path(),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("169.254.0.0"), "{text}");
    // The router reaches the provider's address over the VLAN.
    let out = peerlab(
        &["exec", "onprem", "--", "ping", "-c1", "-W2", "169.254.0.0"],
        run_dir.path(),
    );
    assert!(out.status.success(), "{out:?}");
    let out = peerlab(
        &["exec", "interlink-frr/provider", "--", "ip", "-br", "addr"],
        run_dir.path(),
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("169.254.0.0/31"),
        "{out:?}"
    );
    // Hosts are nodes too: the customer's laptop pings the VPC's instance.
    let out = peerlab(
        &["exec", "laptop", "--", "ping", "-c1", "-W2", "172.16.4.10"],
        run_dir.path(),
    );
    assert!(out.status.success(), "{out:?}");
    // An API call on the kept topology reaches the kernels: with route propagation disabled
    // the laptop's ping gets no answer, enabled again it does.
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    let (api, token) = (
        state["api"].as_str().unwrap(),
        state["token"].as_str().unwrap(),
    );
    let links = format!("{api}/interlink/v1beta1/regions/fr-par/links");
    let curl = |method: &str, url: &str| -> serde_json::Value {
        let out = Command::new("curl")
            .args(["-sS", "-X", method, "-H", &format!("X-Auth-Token: {token}")])
            .args(["-H", "Content-Type: application/json", "-d", "{}", url])
            .output()
            .expect("curl");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
    };
    let list = curl("GET", &links);
    let id = list["links"][0]["id"].as_str().unwrap().to_string();
    let pings_until = |answered: bool| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let out = peerlab(
                &["exec", "laptop", "--", "ping", "-c1", "-W1", "172.16.4.10"],
                run_dir.path(),
            );
            if out.status.success() == answered {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "ping answered: {}, wanted {answered}",
                out.status.success()
            );
        }
    };
    // `peerlab trace` between two hosts pings too, and ends with what the ping did.
    let trace = |json: bool| {
        let mut args = vec!["trace", path, "laptop", "app1"];
        if json {
            args.push("--json");
        }
        peerlab(&args, run_dir.path())
    };
    let out = trace(false);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}{out:?}");
    assert_eq!(
        text.lines().last(),
        Some("ping from laptop to 172.16.4.10: answered"),
        "{text}"
    );
    let out = trace(true);
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["ping"]["answered"], true, "{answer}");
    assert_eq!(answer["ping"]["agrees"], true, "{answer}");
    curl("POST", &format!("{links}/{id}/disable-route-propagation"));
    pings_until(false);
    // Propagation off: the model drops the packet, and the ping, sent for real, agrees.
    let out = trace(false);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}{out:?}");
    assert!(text.contains("route propagation is disabled"), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("ping from laptop to 172.16.4.10: no answer"),
        "{text}"
    );
    assert!(!text.contains("disagree"), "{text}");
    // A router is not a host: nothing is pinged.
    let out = peerlab(&["trace", "--json", path, "onprem", "app1"], run_dir.path());
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        answer.get("ping"),
        Some(&serde_json::Value::Null),
        "{answer}"
    );
    curl("POST", &format!("{links}/{id}/enable-route-propagation"));
    pings_until(true);
    // A failing command is a failure of exec.
    let out = peerlab(&["exec", "onprem", "--", "false"], run_dir.path());
    assert_eq!(out.status.code(), Some(1));

    down(std::path::Path::new(path), run_dir.path(), child, guard);
    assert!(!state_file.exists());
}

/// The issue's "trace verdict equals what ping does", on a running topology: for every pair of
/// the hosts topology's six hosts, `peerlab trace` (the model, asked through the kept API) exits
/// 0 exactly when `peerlab exec FROM -- ping` gets an answer; again after an API call disables
/// route propagation on the prod link.
#[test]
fn trace_verdict_equals_ping_for_every_pair_of_hosts() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let (run_dir, child, guard) =
        up_keep("interlink-frr-hosts", std::time::Duration::from_secs(180));
    let state_file = run_dir.path().join("interlink-frr-hosts/state.json");
    let path = topology("interlink-frr-hosts.toml");
    let path = path.to_str().unwrap();
    let hosts = [
        ("app1", "172.16.4.10"),
        ("db1", "172.16.8.10"),
        ("stg1", "172.17.4.10"),
        ("laptop", "10.1.0.10"),
        ("lab", "10.2.0.10"),
        ("branch-pc", "10.5.0.10"),
    ];
    // Pairs (from, to) where both say the packet and its answer get there, and the
    // disagreements.
    let matrix = |phase: &str| -> Vec<(&str, &str)> {
        let pairs: Vec<(&str, &str, &str)> = hosts
            .iter()
            .flat_map(|(a, _)| hosts.iter().map(move |(b, addr)| (*a, *b, *addr)))
            .filter(|(a, b, _)| a != b)
            .collect();
        // Six at a time: each trace renders the model and pings for real too.
        let results: Vec<(bool, bool, String)> = pairs
            .chunks(6)
            .flat_map(|chunk| {
                std::thread::scope(|s| {
                    let handles: Vec<_> = chunk
                        .iter()
                        .map(|(from, to, addr)| {
                            let dir = run_dir.path();
                            s.spawn(move || {
                                let trace = peerlab(&["trace", path, from, to], dir);
                                // One echo, two seconds: a busy machine answers late, not never.
                                let ping =
                                    peerlab(&["exec", from, "--", "ping", "-c1", "-W2", addr], dir);
                                let words = String::from_utf8_lossy(&trace.stdout).into_owned();
                                (trace.status.code() == Some(0), ping.status.success(), words)
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        .map(|h| h.join().unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut delivered = Vec::new();
        let mut disagreements = Vec::new();
        for ((from, to, _), (model, ping, words)) in pairs.iter().zip(results) {
            if model != ping {
                disagreements.push(format!(
                    "{phase}: {from} → {to}: trace {model}, ping {ping}: {words}"
                ));
            }
            // The trace pinged too, and its last line says what that ping did.
            let said = format!(
                "ping from {from} to {}: {}",
                hosts.iter().find(|(h, _)| h == to).map_or("?", |(_, a)| *a),
                if ping { "answered" } else { "no answer" }
            );
            if words.lines().last() != Some(said.as_str()) {
                disagreements.push(format!("{phase}: {from} → {to}: not {said:?}: {words}"));
            }
            if model && ping {
                delivered.push((*from, *to));
            }
        }
        assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
        delivered
    };
    // After the steps: prod's four hosts reach each other, staging's two each other, and no
    // VPC reaches the other's side.
    let delivered = matrix("after the steps");
    assert_eq!(delivered.len(), 12 + 2, "{delivered:?}");
    assert!(delivered.contains(&("lab", "db1")));
    assert!(delivered.contains(&("branch-pc", "stg1")));
    assert!(!delivered.contains(&("laptop", "stg1")));

    // Route propagation off on prod: its customer side and its VPC are cut apart.
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    let (api, token) = (
        state["api"].as_str().unwrap(),
        state["token"].as_str().unwrap(),
    );
    let links = format!("{api}/interlink/v1beta1/regions/fr-par/links?name=prod");
    let out = Command::new("curl")
        .args(["-sS", "-H", &format!("X-Auth-Token: {token}"), &links])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let prod = list["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "prod")
        .unwrap();
    let url = format!(
        "{api}/interlink/v1beta1/regions/fr-par/links/{}/disable-route-propagation",
        prod["id"].as_str().unwrap()
    );
    let out = Command::new("curl")
        .args(["-sS", "-X", "POST", "-H", &format!("X-Auth-Token: {token}")])
        .args(["-H", "Content-Type: application/json", "-d", "{}", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    // The kept topology renders every 0.5 s: wait until the laptop's ping stops.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while peerlab(
        &["exec", "laptop", "--", "ping", "-c1", "-W1", "172.16.4.10"],
        run_dir.path(),
    )
    .status
    .success()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "laptop still reaches app1"
        );
    }
    let delivered = matrix("propagation disabled on prod");
    // app1↔db1, laptop↔lab, stg1↔branch-pc.
    assert_eq!(delivered.len(), 6, "{delivered:?}");

    down(std::path::Path::new(path), run_dir.path(), child, guard);
}

#[test]
fn ctrl_c_tears_everything_down() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(topology("failure-drill.toml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait until the router's namespace exists, then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
        let list = String::from_utf8_lossy(&namespaces.stdout).into_owned();
        if list.contains(&format!("pl-{pid}-1-r-onprem")) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no router namespace: {list}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_secs(3));
    let kill = Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("interrupted; topology failure-drill torn down")
    );
    no_namespace_left(pid);
    let processes = Command::new("pgrep")
        .args(["-P", &pid.to_string()])
        .output()
        .unwrap();
    assert!(processes.stdout.is_empty(), "children left: {processes:?}");
}
