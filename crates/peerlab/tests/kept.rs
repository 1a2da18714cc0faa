//! Kept topologies with real daemons (`peerlab up --keep`): `exec` into their nodes, `trace`
//! asked of the running process (the model and a real ping must agree), resources created
//! later through the official clients becoming real (sessions, model, kernels), OVH's VRRP
//! routers following their group, and Ctrl-C tearing everything down.
//!
//! Needs root (namespaces, veths) and the daemons: a missing one fails the test, never skips
//! it.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs `script` with the official `ovh` client `c` pointed at the kept run whose state file
/// is `state`.
fn ovh_client(python: &Path, state: &Path, script: &str) {
    let script = format!(
        r#"
import json, ovh
ovh.client.ENDPOINTS["peerlab"] = json.load(open({state:?}))["api"] + "/1.0"
c = ovh.Client(endpoint="peerlab", application_key="peerlabdemoappkey",
               application_secret="peerlabdemoapplicationsecret0001",
               consumer_key="peerlabdemoconsumerkey0000000001")
{script}"#,
        state = state.display().to_string()
    );
    let out = Command::new(python).args(["-c", &script]).output().unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Asks the kept run `peerlab trace PATH FROM TO --json` until the packet gets there (or not,
/// with `reachable = false`) and a real ping agrees; the trace's text. Fails after 90 s.
fn wait_trace(path: &Path, run_dir: &Path, from: &str, to: &str, reachable: bool) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let out = peerlab(
            &["trace", path.to_str().unwrap(), from, to, "--json"],
            run_dir,
        );
        let answer: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        let text = answer["packets"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default();
        let ping = &answer["ping"];
        if answer["reachable"] == reachable
            && ping["answered"] == reachable
            && ping["agrees"] == true
        {
            return text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{from} → {to}: wanted reachable = {reachable} with a ping that agrees: {out:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
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
    // The extra made through the client is real beyond its session: the route it learns is in
    // the model and the kernels, so the laptop reaches the host behind rbx-edge, and a ping
    // agrees with the trace.
    let path = topology(&format!("{name}.toml"));
    let reached = wait_trace(&path, run_dir.path(), "laptop", "backend", true);
    assert!(
        reached.contains("delivered to host \"backend\""),
        "{reached}"
    );
    // Deleting it through the client takes all of it away again.
    ovh_client(
        &python,
        &state,
        r#"
for s in c.get("/ovhCloudConnect"):
    for p in c.get(f"/ovhCloudConnect/{s}/config/pop"):
        for d in c.get(f"/ovhCloudConnect/{s}/config/pop/{p}/datacenter"):
            for e in c.get(f"/ovhCloudConnect/{s}/config/pop/{p}/datacenter/{d}/extra"):
                c.delete(f"/ovhCloudConnect/{s}/config/pop/{p}/datacenter/{d}/extra/{e}")
"#,
    );
    let dropped = wait_trace(&path, run_dir.path(), "laptop", "backend", false);
    assert!(dropped.contains("no route to 10.30.0.10"), "{dropped}");

    down(
        &topology(&format!("{name}.toml")),
        run_dir.path(),
        child,
        guard,
    );
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

/// A link created through the official SDK on a kept topology, for a router that is plugged
/// but has no declared link, gets its sessions, its routes in the model, `peerlab trace` and
/// the kernels: a ping agrees with the trace. Deleting it takes all of it away again.
#[test]
fn a_link_made_through_the_sdk_is_real_on_a_kept_topology() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let name = "interlink-frr-sdk";
    let (run_dir, child, guard) = up_keep(name, std::time::Duration::from_secs(120));
    let path = topology(&format!("{name}.toml"));
    let before = wait_trace(&path, run_dir.path(), "laptop", "app1", false);
    assert!(before.contains("no route to 172.16.4.10"), "{before}");
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(python.is_file(), "{} is missing", python.display());
    let state = run_dir.path().join(name).join("state.json");
    let vpc = provider::ids::stable_uuid("vpc", "prod");
    let sdk = |script: &str| {
        let script = format!(
            r#"
import json
from scaleway import Client
from scaleway.interlink.v1beta1 import InterlinkV1Beta1API
state = json.load(open({state:?}))
api = InterlinkV1Beta1API(Client(access_key="SCWXXXXXXXXXXXXXXXXX", secret_key=state["token"],
    default_project_id="5ca1e000-0000-4000-8000-000000000002", default_region="fr-par",
    api_url=state["api"]))
{script}"#,
            state = state.display().to_string()
        );
        let out = Command::new(&python)
            .args(["-c", &script])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    };
    sdk(&format!(
        r#"
connection = next(c for c in api.list_dedicated_connections_all() if c.name == "dc2-xconnect")
policy = api.create_routing_policy(name="v4", is_ipv6=False,
    prefix_filter_in=["10.1.0.0/16"], prefix_filter_out=["172.16.0.0/16"])
link = api.create_link(name="prod", pop_id=connection.pop_id, bandwidth_mbps=1000,
    connection_id=connection.id, vlan=2001, peer_asn=64512, routing_policy_v4_id=policy.id)
api.attach_vpc(link_id=link.id, vpc_id="{vpc}")
api.enable_route_propagation(link_id=link.id)
"#
    ));
    let after = wait_trace(&path, run_dir.path(), "laptop", "app1", true);
    assert!(after.contains("BGP from link \"prod\""), "{after}");
    sdk(r#"
for link in api.list_links_all():
    api.delete_link(link_id=link.id)
"#);
    let gone = wait_trace(&path, run_dir.path(), "laptop", "app1", false);
    assert!(gone.contains("no route to 172.16.4.10"), "{gone}");
    down(&path, run_dir.path(), child, guard);
}
