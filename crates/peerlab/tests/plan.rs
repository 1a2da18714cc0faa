//! `peerlab plan` through the real binary: what each step of a topology changes (replayed in
//! memory), one SDK call forecast on a topology or a running world, the reason line of a policy
//! change, and one-line refusals of calls that cannot be planned.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

fn plan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("plan")
        .args(args)
        .env("PEERLAB_RUN_DIR", "/nonexistent/peerlab-run")
        .output()
        .expect("run peerlab")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The quickstart with a second, narrower policy and one step that swaps it in.
fn narrowed() -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(topology("quickstart.toml")).unwrap();
    let (head, _) = text.split_once("[[steps]]").unwrap();
    let policy = "[[interlink.routing_policies]]\nname = \"narrow\"\nis_ipv6 = false\n\
                  prefix_filter_in = [\"10.2.0.0/16\"]\nprefix_filter_out = [\"172.16.0.0/16\"]\n\n";
    let head = head.replace(
        "[[interlink.links]]",
        &format!("{policy}[[interlink.links]]"),
    );
    let changed = format!(
        "{head}[[steps]]\napi = {{ call = \"set_routing_policy\", link = \"prod\", routing_policy = \"narrow\" }}\n\n\
         [[steps]]\nexpect = {{ reach = {{ from = \"laptop\", to = \"app1\", reachable = false }} }}\n"
    );
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), changed).unwrap();
    file
}

const REASON: &str = "laptop → app1: delivered → dropped at provider \"scaleway\" VRF \"prod\": \
    no route to 10.1.0.10; 10.1.0.0/16 was received from link \"prod\" but rejected by \
    prefix_filter_in of routing policy \"narrow\"";

#[test]
fn the_quickstart_plan_says_what_each_step_changes() {
    let out = plan(&[path(&topology("quickstart.toml"))]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let step1 = lines
        .iter()
        .position(|l| *l == "step 1: api disable_route_propagation(link=prod)")
        .unwrap_or_else(|| panic!("{text}"));
    let changes = &lines[step1 + 1..step1 + 4];
    assert_eq!(
        changes[0], "routes at VPC \"prod\": − 10.1.0.0/16",
        "{text}"
    );
    assert_eq!(
        changes[1], "routes at router \"onprem\": − 172.16.4.0/22",
        "{text}"
    );
    assert!(
        changes[2].starts_with("laptop → app1: delivered → dropped at router \"onprem\": no route to 172.16.4.10; 172.16.4.0/22 is not announced by link \"prod\": route propagation is disabled"),
        "{text}"
    );
    assert!(
        text.contains("step 2: routes at router onprem: lacks 172.16.0.0/16\n  an expectation (changes nothing): would hold"),
        "{text}"
    );

    let out = plan(&["--json", path(&topology("quickstart.toml"))]);
    let json: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(json["topology"], "quickstart");
    let step = &json["steps"][0];
    assert_eq!(step["kind"], "changes", "{json}");
    assert_eq!(step["detail"], "status active");
    assert_eq!(step["changes"]["routes"][0]["vanish"][0], "10.1.0.0/16");
    let after = step["changes"]["reach"][0]["after"].as_str().unwrap();
    assert!(after.starts_with("dropped at"), "{json}");
    assert_eq!(json["steps"][1]["kind"], "expectation");
    assert_eq!(json["steps"][1]["holds"], true);
}

#[test]
fn a_policy_change_is_planned_with_the_traces_reason() {
    let file = narrowed();
    let out = plan(&[path(file.path())]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(
        lines.contains(&"step 1: api set_routing_policy(link=prod, routing_policy=narrow)"),
        "{text}"
    );
    assert!(
        lines.contains(&"routes at VPC \"prod\": + 10.2.0.0/16, − 10.1.0.0/16"),
        "{text}"
    );
    assert!(lines.contains(&REASON), "{text}");
    // `set-routing-policy` replaces the policy in place: no session changes, no reset.
    assert!(!text.contains("session prod"), "{text}");
}

/// The forecast of one call (the world's prediction from the engine's Adj-RIBs-In) agrees
/// with the replay of the same call as a step (the engine running it).
#[test]
fn a_forecast_call_agrees_with_playing_it() {
    let file = narrowed();
    let replayed = stdout(&plan(&[path(file.path())]));
    let step: Vec<&str> = replayed
        .lines()
        .skip_while(|l| !l.starts_with("step 1:"))
        .skip(1)
        .take_while(|l| !l.starts_with("step 2:"))
        .map(str::trim)
        .collect();
    let out = plan(&[
        path(file.path()),
        "--call",
        "set_routing_policy link=prod routing_policy=narrow",
    ]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.starts_with("plan of set_routing_policy\n"), "{text}");
    let forecast: Vec<&str> = text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.starts_with("note:"))
        .collect();
    assert_eq!(forecast, step, "forecast:\n{text}\nreplayed:\n{replayed}");
    assert!(forecast.contains(&REASON));
}

#[test]
fn calls_that_cannot_be_planned_are_one_line_and_exit_2() {
    let quickstart = topology("quickstart.toml");
    for (call, want) in [
        (
            "set_routing_polcy link=prod routing_policy=v4",
            "peerlab: --call: unknown SDK method \"set_routing_polcy\" (plan knows enable_route_propagation, ",
        ),
        (
            "set_routing_policy link=prod routing_policy=v4 colour=red",
            "peerlab: --call: unknown argument \"colour\" of set_routing_policy (it takes link, routing_policy)",
        ),
        (
            "set_routing_policy link=prod",
            "peerlab: --call: set_routing_policy needs the argument \"routing_policy\"",
        ),
        (
            "set_routing_policy link=prod routing_policy=narrow",
            "peerlab: --call: routing_policy \"narrow\" is not found",
        ),
    ] {
        let out = plan(&[path(&quickstart), "--call", call]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{call}: {err}");
        assert_eq!(err.lines().count(), 1, "{call}: {err}");
        assert!(err.starts_with(want), "{call}: {err}");
        assert!(stdout(&out).is_empty());
    }
    let out = plan(&["--server", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--server needs --call"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn daemons_are_planned_with_the_embedded_router_and_say_so() {
    let out = plan(&[path(&topology("failure-drill.toml"))]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        text.contains(
            "note: router onprem is frr: planned with peerlab's embedded router in its place"
        ),
        "{text}"
    );
    assert!(
        text.contains("depends on onprem (frr): predicted with peerlab's embedded router"),
        "{text}"
    );
}

/// `plan --server` on a kept topology shows what the call would change and changes nothing.
#[test]
fn plan_on_a_running_world_changes_nothing() {
    use std::io::{Read, Write};
    let run_dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["up", "--keep"])
        .arg(topology("quickstart.toml"))
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let state_file = run_dir.path().join("quickstart/state.json");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !state_file.exists() {
        assert!(std::time::Instant::now() < deadline, "no state file");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&state_file).unwrap()).unwrap();
    let api = state["api"].as_str().unwrap().to_string();
    let links = || {
        let addr = api.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        write!(
            s,
            "GET /interlink/v1beta1/regions/fr-par/links HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {}\r\nConnection: close\r\n\r\n",
            state["token"].as_str().unwrap()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    // The kept quickstart's last step disabled propagation.
    assert!(links().contains("\"enable_route_propagation\":false"));
    let out = plan(&[
        "--server",
        &api,
        "--call",
        "enable_route_propagation link=prod",
    ]);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(
        lines.contains(&"routes at VPC \"prod\": + 10.1.0.0/16"),
        "{text}"
    );
    assert!(
        lines.contains(&"routes at router \"onprem\": + 172.16.4.0/22"),
        "{text}"
    );
    assert!(
        lines.iter().any(
            |l| l.starts_with("laptop → app1: dropped at router \"onprem\"")
                && l.ends_with("→ delivered")
        ),
        "{text}"
    );
    // Nothing changed.
    assert!(links().contains("\"enable_route_propagation\":false"));
    let again = plan(&[
        "--server",
        &api,
        "--call",
        "enable_route_propagation link=prod",
    ]);
    assert_eq!(stdout(&again), text);
    // A bad token is refused in one line.
    let out = plan(&[
        "--server",
        &api,
        "--token",
        "nope",
        "--call",
        "delete_link link=prod",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}
