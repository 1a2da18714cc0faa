//! Every example topology with real daemons, through `peerlab up`: FRR (self-hosted), BIRD
//! (hosted through a partner), GoBGP (dual stack) and the FRR failure drill, plus a VLAN
//! mismatch that must fail.
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

#[test]
fn interlink_bird_hosted() {
    passes("interlink-bird-hosted.toml", 5);
}

#[test]
fn interlink_gobgp_dualstack() {
    passes("interlink-gobgp-dualstack.toml", 10);
}

#[test]
fn failure_drill() {
    passes("failure-drill.toml", 23);
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
