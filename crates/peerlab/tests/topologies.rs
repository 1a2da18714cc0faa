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

/// OVHcloud Connect l3 with FRR on the PoP and in the datacenter (a `bgp` extra).
#[test]
fn ovh_l3_bgp_frr() {
    passes("ovh-l3-bgp-frr.toml", 13);
}

/// OVHcloud Connect l3 with FRR on the PoP, a `network` extra and the VRRP gateway.
#[test]
fn ovh_l3_static_vrrp() {
    passes("ovh-l3-static-vrrp.toml", 9);
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

fn peerlab(args: &[&str], run_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .env("PEERLAB_RUN_DIR", run_dir)
        .output()
        .expect("run peerlab")
}

#[test]
fn keep_exec_and_down() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "needs root");
    let run_dir = tempfile::tempdir().unwrap();
    let path = topology("interlink-frr.toml");
    let path = path.to_str().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["up", "--keep", path])
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let state_file = run_dir.path().join("interlink-frr/state.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !state_file.exists() {
        assert!(std::time::Instant::now() < deadline, "no state file");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
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
    // A failing command is a failure of exec.
    let out = peerlab(&["exec", "onprem", "--", "false"], run_dir.path());
    assert_eq!(out.status.code(), Some(1));

    let out = peerlab(&["down", path], run_dir.path());
    assert!(out.status.success(), "{out:?}");
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(!state_file.exists());
    let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let left = String::from_utf8_lossy(&namespaces.stdout).into_owned();
    assert!(!left.contains(&format!("pl-{pid}-")), "{left}");
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
    let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let left = String::from_utf8_lossy(&namespaces.stdout).into_owned();
    assert!(!left.contains(&format!("pl-{pid}-")), "{left}");
    let processes = Command::new("pgrep")
        .args(["-P", &pid.to_string()])
        .output()
        .unwrap();
    assert!(processes.stdout.is_empty(), "children left: {processes:?}");
}
