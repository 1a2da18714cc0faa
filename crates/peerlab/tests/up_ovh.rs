//! `peerlab up` with OVHcloud Connect topologies and embedded routers (no root, no daemons):
//! the l3 PoP with BGP, the static route behind the VRRP gateway, l2 (run as a user who is not
//! root, or with `--model-only`: in memory), and what fails when the customer's router and OVH
//! disagree or OVH refuses a configuration.

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
    assert_eq!(rows.len(), 21, "{report:#}");
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
    // The bgp extra deleted, OVH's VRRP gateway comes on: A holds the gateway, the server's
    // way back goes through it.
    assert_eq!(rows[18].1, "ovh delete rbx-bgp");
    assert_eq!(
        rows[19],
        (
            true,
            "vrrp gateway of rbx has master A".to_string(),
            "router A is master (in the model)".to_string()
        ),
        "{report:#}"
    );
    assert_eq!(rows[20].1, "laptop reaches server");
    assert!(
        rows[20]
            .2
            .contains("10.10.0.10 → 10.1.0.10: delivered to host \"laptop\""),
        "{report:#}"
    );
}

#[test]
fn l3_static_vrrp_embedded_announces_the_static_prefix_until_deleted() {
    let out = up(&topology("ovh-l3-static-vrrp-embedded.toml"));
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    let rows = rows(&report);
    assert_eq!(rows.len(), 17, "{report:#}");
    assert!(rows.iter().all(|r| r.0), "{report:#}");
    assert_eq!(rows[2].1, "vrrp gateway of rbx has master A");
    assert_eq!(rows[2].2, "router A is master (in the model)");
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
    // The failover drill: A crashes, B takes over, A comes back and preempts.
    assert_eq!(rows[6].1, "vrrp rbx A crash");
    assert_eq!(rows[6].2, "done in the model (master now: none)");
    assert_eq!(rows[7].1, "vrrp gateway of rbx has master B");
    assert_eq!(rows[8].1, "laptop reaches server");
    assert_eq!(rows[9].1, "vrrp rbx A start");
    assert_eq!(rows[9].2, "done in the model (master now: B)");
    assert_eq!(rows[10].1, "vrrp gateway of rbx has master A");
    // Deleting the extra withdraws its prefix; deleting the datacenter configuration its subnet.
    assert_eq!(rows[11].1, "ovh delete rbx-servers");
    assert!(rows[11].2.ends_with(" done"), "{report:#}");
    assert_eq!(rows[12].2, "router onprem has 10.10.0.0/28", "{report:#}");
    assert_eq!(rows[13].1, "laptop does not reach app");
    assert!(
        rows[13]
            .2
            .contains("dropped at router \"onprem\": no route to 10.20.0.10"),
        "{report:#}"
    );
    assert_eq!(rows[15].2, "router onprem has no routes", "{report:#}");
}

#[test]
fn while_no_router_is_master_the_datacenter_is_cut_off() {
    // Right after A crashes, B has not taken over yet: nobody holds the gateway, and the way
    // back from the server stops there.
    let file = edited("ovh-l3-static-vrrp-embedded.toml", |t| {
        t.replacen(
            "[[steps]]\nexpect = { vrrp_master = \"rbx\", router = \"B\", within = \"5s\" }",
            "[[steps]]\nexpect = { reach = { from = \"laptop\", to = \"server\", reachable = false }, within = \"1s\" }\n\n\
             [[steps]]\nexpect = { vrrp_master = \"rbx\", router = \"B\", within = \"5s\" }",
            1,
        )
    });
    let out = up(file.path());
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    let rows = rows(&report);
    assert_eq!(rows[7].1, "laptop does not reach server");
    assert!(
        rows[7]
            .2
            .contains("dropped at host \"server\": gateway 10.10.0.1 is a VRRP virtual address")
            && rows[7].2.contains("no router is master"),
        "{report:#}"
    );
    // The crashed router is down, not backup.
    assert!(
        rows[7].2.contains(
            "no router is master; ovh/datacenter rbx B backup, ovh/datacenter rbx A down"
        ),
        "{report:#}"
    );
    assert_eq!(rows[8].1, "vrrp gateway of rbx has master B");
}

#[test]
fn a_wrong_expected_master_exits_1_naming_the_actual_one() {
    let file = edited("ovh-l3-static-vrrp-embedded.toml", |t| {
        t.replace(
            "router = \"A\"                         # A (priority 200) holds the gateway",
            "router = \"B\"\nwithin = \"5s\"",
        )
    });
    let out = up(file.path());
    assert_eq!(out.status.code(), Some(1));
    let report = report(&out);
    let rows = rows(&report);
    let (ok, detail) = row(&rows, "vrrp gateway of rbx has master B");
    assert!(!ok, "{report:#}");
    assert!(
        detail.contains("router A is master, not B (in the model)"),
        "{report:#}"
    );
    // The rest still ran and passed.
    assert!(rows.iter().filter(|r| !r.0).count() == 1, "{report:#}");
}

/// Whether the tests run as root (the owner of `/proc/self` is the effective user).
fn root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `peerlab up PATH --json` in memory, as a user without root gets it: `--model-only` when the
/// tests run as root (how the mode is picked without root is `Mode::for_up`'s unit test).
fn up_without_root(path: &std::path::Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_peerlab"));
    command.arg("up").arg(path).arg("--json");
    if root() {
        command.arg("--model-only");
    }
    command.output().expect("run peerlab")
}

#[test]
fn l2_carries_frames_between_the_office_and_the_datacenters_of_the_vrack() {
    let out = up_without_root(&topology("ovh-l2.toml"));
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["clock"], "virtual", "{report:#}");
    let rows = rows(&report);
    assert_eq!(rows.len(), 9, "{report:#}");
    assert!(rows.iter().all(|r| r.0), "{report:#}");
    for (_, _, detail) in &rows[..3] {
        assert!(detail.starts_with("status active, task "), "{detail}");
        assert!(detail.ends_with(" done"), "{detail}");
    }
    // One L2 segment: delivered in one hop, no gateway, both ways.
    let (_, gra) = row(&rows, "office reaches gra-server");
    assert_eq!(
        gra,
        "192.168.100.10 → 192.168.100.20: delivered to host \"gra-server\" (1 hop); \
         192.168.100.20 → 192.168.100.10: delivered to host \"office\" (1 hop)"
    );
    let (_, sbg) = row(&rows, "office reaches sbg-server");
    assert!(sbg.contains("delivered to host \"sbg-server\""), "{sbg}");
    // SBG's configuration deleted: its server is off the vRack, GRA's is not.
    let (_, gone) = row(&rows, "office does not reach sbg-server");
    assert_eq!(
        gone,
        "192.168.100.10 → 192.168.100.30: dropped at host \"office\": no L2 path to \
         192.168.100.30 (sbg-server/eth0): datacenter \"sbg\" is not in vRack pn-100002 (its \
         configuration is deleted)"
    );
    assert_eq!(
        rows.last().map(|r| r.1.as_str()),
        Some("office reaches gra-server")
    );
}

#[test]
fn l2_reach_to_a_deleted_datacenter_fails_with_the_reason_and_exits_1() {
    // After the delete, expect the SBG server to answer: it cannot.
    let file = edited("ovh-l2.toml", |t| {
        t.replace(
            "expect = { reach = { from = \"office\", to = \"sbg-server\", reachable = false } }",
            "expect = { reach = { from = \"office\", to = \"sbg-server\" }, within = \"5s\" }",
        )
    });
    let out = up_without_root(file.path());
    assert_eq!(out.status.code(), Some(1));
    let report = report(&out);
    let rows = rows(&report);
    let (ok, detail) = row(&rows, "office reaches sbg-server");
    assert!(ok, "before the delete: {report:#}");
    let failed: Vec<_> = rows.iter().filter(|r| !r.0).collect();
    assert_eq!(failed.len(), 1, "{report:#}");
    assert!(detail.contains("delivered"), "{detail}");
    assert!(
        failed[0].2.starts_with(
            "not within 5s: 192.168.100.10 → 192.168.100.30: dropped at host \"office\""
        ),
        "{report:#}"
    );
    assert!(
        failed[0].2.ends_with(
            "datacenter \"sbg\" is not in vRack pn-100002 (its configuration is deleted)"
        ),
        "{report:#}"
    );
}

#[test]
fn l2_pop_deleted_cuts_off_every_host_of_the_vrack() {
    // Deleting the PoP configuration deletes its datacenters with it: GRA is cut off too, and
    // the trace names the PoP. `--model-only` keeps it in memory even as root.
    let file = edited("ovh-l2.toml", |t| {
        t.replace("ovh = { delete = \"sbg\" }", "ovh = { delete = \"dc2\" }")
            .replace(
                "[[steps]]\nexpect = { reach = { from = \"office\", to = \"gra-server\" } }",
                "[[steps]]\nexpect = { reach = { from = \"office\", to = \"gra-server\", reachable = false } }",
            )
    });
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(file.path())
        .args(["--json", "--model-only"])
        .output()
        .expect("run peerlab");
    let report = report(&out);
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["clock"], "virtual", "{report:#}");
    let rows = rows(&report);
    let (ok, detail) = row(&rows, "office does not reach gra-server");
    assert!(ok, "{report:#}");
    // The office's own port is the one off the vRack.
    assert_eq!(
        detail,
        "192.168.100.10 → 192.168.100.20: dropped at host \"office\": no L2 path to \
         192.168.100.20 (office/eth0): l2 PoP \"dc2\" is not active (its configuration is \
         deleted)"
    );
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

#[test]
fn trace_after_the_delete_says_the_datacenter_left_the_vrack() {
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .arg(topology("ovh-l2.toml"))
        .args(["office", "sbg-server", "--after-steps"])
        .output()
        .expect("run peerlab");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "192.168.100.10 → 192.168.100.30: dropped at host \"office\": no L2 path to \
             192.168.100.30 (sbg-server/eth0): datacenter \"sbg\" is not in vRack pn-100002"
        ),
        "{text}"
    );
    // Before the steps, the same packet crosses the vRack in one hop.
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .arg(topology("ovh-l2.toml"))
        .args(["office", "sbg-server"])
        .output()
        .expect("run peerlab");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("192.168.100.10 → 192.168.100.30: delivered to host \"sbg-server\" (1 hop)"),
        "{text}"
    );
}

#[test]
fn one_customer_asn_at_the_pop_and_in_the_datacenter_loses_the_relayed_routes() {
    // The datacenter's router runs the PoP router's AS 64512. OVH relays each one's prefix to
    // the other with the learned AS_PATH (65501 65502 64512 at the PoP), so each router sees
    // its own AS in the path and drops the route (RFC 4271 §9.1.2): what a real customer sees
    // without allowas-in. What OVH itself originates (the datacenter subnet) still arrives.
    let file = edited("ovh-l3-bgp-embedded.toml", |t| {
        t.replace("bgpNeighborArea = 65010", "bgpNeighborArea = 64512")
            .replace("asn = 65010", "asn = 64512")
    });
    let out = up(file.path());
    assert_eq!(out.status.code(), Some(1));
    let report = report(&out);
    let rows = rows(&report);
    // Both sessions come up.
    assert!(rows[2].0 && rows[3].0, "{report:#}");
    let (ok, detail) = row(
        &rows,
        "routes at router onprem: has 10.10.0.0/28 10.30.0.0/24",
    );
    assert!(!ok, "{report:#}");
    assert!(
        detail.ends_with("has no route in 10.30.0.0/24 (it has 10.10.0.0/28)"),
        "{report:#}"
    );
    let (ok, detail) = row(&rows, "routes at router rbx-edge: has 10.1.0.0/16");
    assert!(!ok, "{report:#}");
    assert!(detail.contains("has no route in 10.1.0.0/16"), "{report:#}");
}
