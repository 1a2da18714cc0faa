//! Helpers shared by the real-daemon tests: running `peerlab up` (plain or `--keep`) as root,
//! asking a kept run, tearing it down, and checking that nothing is left behind.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

/// Runs `peerlab up PATH --json`; checks nothing of the run is left behind.
pub fn up(path: &std::path::Path) -> (Output, serde_json::Value) {
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

pub fn passes(name: &str, rows: usize) {
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

/// The details of a report's rows whose check is `check`, in order.
pub fn details(results: &[serde_json::Value], check: &str) -> Vec<String> {
    results
        .iter()
        .filter(|r| r["check"] == check)
        .map(|r| r["detail"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Asserts that no namespace of `peerlab` process `pid` is left.
pub fn no_namespace_left(pid: u32) {
    let namespaces = Command::new("ip").args(["netns", "list"]).output().unwrap();
    let left = String::from_utf8_lossy(&namespaces.stdout).into_owned();
    assert!(!left.contains(&format!("pl-{pid}-")), "{left}");
}

pub fn peerlab(args: &[&str], run_dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .env("PEERLAB_RUN_DIR", run_dir)
        .output()
        .expect("run peerlab")
}

/// Sends SIGTERM to a `peerlab up --keep` when dropped (it tears its topology down): for a
/// test that fails before `peerlab down`. Forget it once the process is known to be gone.
pub struct TermOnDrop(pub u32);

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
pub fn up_keep(
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
pub fn down(
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
