//! `peerlab up` with OVHcloud Connect topologies and embedded routers (no root, no daemons):
//! the l3 PoP with BGP, the static route behind the VRRP gateway, l2, and what fails when the
//! customer's router and OVH disagree or OVH refuses a configuration.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

fn up(path: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(path)
        .arg("--json")
        .output()
        .expect("run peerlab")
}

fn report(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: stdout {:?}, stderr {:?}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `name` with `edit` applied, in a temporary file.
fn edited(name: &str, edit: impl Fn(&str) -> String) -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(topology(name)).unwrap();
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit changed nothing");
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), changed).unwrap();
    file
}

/// The checks of a report, as `(ok, check, detail)`.
fn rows(report: &Value) -> Vec<(bool, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ok"].as_bool().unwrap(),
                r["check"].as_str().unwrap_or_default().to_string(),
                r["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The row whose check is `check`: its `(ok, detail)`.
fn row<'r>(rows: &'r [(bool, String, String)], check: &str) -> (bool, &'r str) {
    let found = rows.iter().find(|r| r.1 == check);
    let (ok, _, detail) = found.unwrap_or_else(|| panic!("no check {check:?} in {rows:#?}"));
    (*ok, detail.as_str())
}

#[test]
fn l3_bgp_embedded_relays_both_ways_and_follows_the_router() {
    let out = up(&topology("ovh-l3-bgp-embedded.toml"));
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["clock"], "virtual");
    let rows = rows(&report);
    assert_eq!(rows.len(), 18, "{report:#}");
    assert!(rows.iter().all(|r| r.0), "{report:#}");
    assert_eq!(rows[2].1, "ovh session th2 is established");
    assert_eq!(rows[2].2, "session ovh-pop-1 is up");
    assert_eq!(rows[3].1, "ovh session rbx-bgp is established");
    assert!(rows[3].2.starts_with("session ovh-extra-"), "{report:#}");
    // OVH relays between the PoP and the datacenter, both ways.
    assert_eq!(
        row(
            &rows,
            "routes at router onprem: has 10.10.0.0/28 10.30.0.0/24"
        )
        .1,
        "router onprem has 10.10.0.0/28 10.30.0.0/24"
    );
    assert_eq!(
        row(&rows, "routes at router rbx-edge: has 10.1.0.0/16").1,
        "router rbx-edge has 10.1.0.0/16"
    );
    // Through OVH in the data plane model, both ways.
    let (_, reach) = row(&rows, "laptop reaches server");
    assert!(
        reach.contains("10.1.0.10 → 10.10.0.10: delivered to host \"server\""),
        "{reach}"
    );
    assert!(
        reach.contains("10.10.0.10 → 10.1.0.10: delivered to host \"laptop\""),
        "{reach}"
    );
    // Through OVH's route via the bgp extra's neighbour, to the host behind it.
    let (_, reach) = row(&rows, "laptop reaches backend");
    assert!(
        reach.contains("10.1.0.10 → 10.30.0.10: delivered to host \"backend\" (4 hops)"),
        "{reach}"
    );
    assert!(
        reach.contains("10.30.0.10 → 10.1.0.10: delivered to host \"laptop\" (4 hops)"),
        "{reach}"
    );
    assert!(row(&rows, "server reaches laptop").0, "{report:#}");
    // The customer's router stops: the PoP session drops, the relayed route is withdrawn, and
    // the laptop no longer reaches the server; once it is back, it does again.
    assert_eq!(rows[10].1, "ovh session th2 is down");
    assert_eq!(rows[10].2, "session ovh-pop-1 is down");
    assert_eq!(rows[11].1, "routes at router rbx-edge: lacks 10.1.0.0/16");
    assert_eq!(rows[12].1, "laptop does not reach server");
    assert!(
        rows[12].2.contains("dropped at router \"onprem\""),
        "{report:#}"
    );
    assert_eq!(rows[14].2, "session ovh-pop-1 is up");
    assert!(rows[16].2.contains("10.1.0.0/16"), "{report:#}");
    assert_eq!(rows[17].1, "laptop reaches server");
}

#[test]
fn l3_static_vrrp_embedded_announces_the_static_prefix_until_deleted() {
    let out = up(&topology("ovh-l3-static-vrrp-embedded.toml"));
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    let rows = rows(&report);
    assert_eq!(rows.len(), 12, "{report:#}");
    assert!(rows.iter().all(|r| r.0), "{report:#}");
    assert!(rows[3].2.contains("10.20.0.0/24"), "{report:#}");
    assert_eq!(rows[4].1, "laptop reaches server");
    // Through OVH's static route to the servers behind its next hop: 4 hops each way.
    assert_eq!(rows[5].1, "laptop reaches app");
    assert!(
        rows[5]
            .2
            .contains("10.1.0.10 → 10.20.0.10: delivered to host \"app\" (4 hops)"),
        "{report:#}"
    );
    // Deleting the extra withdraws its prefix; deleting the datacenter configuration its subnet.
    assert_eq!(rows[6].1, "ovh delete rbx-servers");
    assert!(rows[6].2.ends_with(" done"), "{report:#}");
    assert_eq!(rows[7].2, "router onprem has 10.10.0.0/28", "{report:#}");
    assert_eq!(rows[8].1, "laptop does not reach app");
    assert!(
        rows[8]
            .2
            .contains("dropped at router \"onprem\": no route to 10.20.0.10"),
        "{report:#}"
    );
    assert_eq!(rows[10].2, "router onprem has no routes", "{report:#}");
}

#[test]
fn l2_checks_resources_and_tasks() {
    let out = up(&topology("ovh-l2.toml"));
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    let rows = rows(&report);
    assert_eq!(rows.len(), 3, "{report:#}");
    for (ok, _, detail) in &rows {
        assert!(ok);
        assert!(detail.starts_with("status active, task "), "{detail}");
        assert!(detail.ends_with(" done"), "{detail}");
    }
}

#[test]
fn a_wrong_customer_asn_keeps_the_session_down_and_exits_1() {
    // OVH expects AS 64999; the router speaks as 64512: OVH refuses its OPEN.
    let file = edited("ovh-l3-bgp-embedded.toml", |t| {
        t.replace("customerBgpArea = 64512", "customerBgpArea = 64999")
    });
    let out = up(file.path());
    assert_eq!(out.status.code(), Some(1));
    let report = report(&out);
    let rows = rows(&report);
    let session = &rows[2];
    assert!(!session.0, "{report:#}");
    assert!(
        session.2.contains("session ovh-pop-1 is down"),
        "{report:#}"
    );
    // OVH's side refused the OPEN, and says so.
    assert!(session.2.contains("Bad Peer AS"), "{report:#}");
    // The datacenter's own session is unaffected; the customer learns nothing.
    assert!(rows[3].0, "{report:#}");
    let routes = &rows[4];
    assert!(!routes.0, "{report:#}");
    assert!(
        routes.1.starts_with("routes at router onprem"),
        "{report:#}"
    );
}

#[test]
fn the_static_route_without_vrrp_fails_vrrp_master() {
    // A `bgp` extra replaces the VRRP gateway: there is no master to find.
    let file = edited("ovh-l3-static-vrrp-embedded.toml", |t| {
        t.replace(
            "type = \"network\"\nnextHop = \"10.10.0.5\"\nsubnet = \"10.20.0.0/24\"",
            "type = \"bgp\"\nbgpNeighborArea = 65010\nbgpNeighborIp = \"10.10.0.5\"",
        )
        .replace(
            "present = [\"10.10.0.0/28\", \"10.20.0.0/24\"]",
            "present = [\"10.10.0.0/28\"]",
        )
        .replace(
            "[[expect]]\nvrrp_master = \"rbx\"",
            "[[expect]]\nvrrp_master = \"rbx\"\nwithin = \"5s\"",
        )
    });
    let out = up(file.path());
    assert_eq!(out.status.code(), Some(1));
    let report = report(&out);
    let rows = rows(&report);
    assert!(rows[0].0 && rows[1].0, "{report:#}");
    assert!(!rows[2].0, "{report:#}");
    assert!(rows[2].2.contains("a bgp extra replaces it"), "{report:#}");
}

#[test]
fn an_ovh_refusal_names_its_line_and_exits_2() {
    // A /29 is no PoP /30: OVH's 400, on the pop_config's line.
    let file = edited("ovh-l3-bgp-embedded.toml", |t| {
        t.replace("subnet = \"192.0.2.0/30\"", "subnet = \"192.0.2.0/29\"")
    });
    let out = up(file.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(":13: [[ovh_connect.pop_configs]] \"th2\""),
        "{stderr}"
    );
    assert!(stderr.contains("400"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
}

#[test]
fn trace_walks_through_ovh_both_ways() {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .arg(topology("ovh-l3-bgp-embedded.toml"))
        .args(["laptop", "server"])
        .output()
        .expect("run peerlab trace");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("provider \"ovh\" in pop th2"), "{text}");
    assert!(
        text.contains("10.1.0.10 → 10.10.0.10: delivered to host \"server\""),
        "{text}"
    );
    assert!(
        text.contains("10.10.0.10 → 10.1.0.10: delivered to host \"laptop\""),
        "{text}"
    );
    // After the steps the router is back: the same verdict.
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .arg(topology("ovh-l3-bgp-embedded.toml"))
        .args(["laptop", "server", "--after-steps"])
        .output()
        .expect("run peerlab trace");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn trace_back_from_a_datacenter_enters_ovh_at_the_vrrp_master() {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .arg(topology("ovh-l3-static-vrrp-embedded.toml"))
        .args(["laptop", "app"])
        .output()
        .expect("run peerlab trace");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // The server's default route is the gateway, which router A holds as VRRP master.
    assert!(
        text.contains("provider \"ovh\" in datacenter rbx A"),
        "{text}"
    );
    assert!(text.contains("10.20.0.0/24 (static) → 10.10.0.5"), "{text}");
    assert!(text.contains("router \"next hop rbx-servers\""), "{text}");
}
