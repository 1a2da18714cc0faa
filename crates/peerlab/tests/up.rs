//! `peerlab up` through the real binary, with embedded routers (no root, no daemons): the
//! report, the exit status of a failing expectation, JSON, and one-line errors for bad input.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

fn up(path: &std::path::Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(path)
        .args(extra)
        .output()
        .expect("run peerlab")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The quickstart with `edit` applied, in a temporary file.
fn edited(edit: impl Fn(&str) -> String) -> tempfile::NamedTempFile {
    let text = std::fs::read_to_string(topology("quickstart.toml")).unwrap();
    let changed = edit(&text);
    assert_ne!(changed, text, "the edit changed nothing");
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), changed).unwrap();
    file
}

#[test]
fn quickstart_passes_with_a_table() {
    let out = up(&topology("quickstart.toml"), &[]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("quickstart: 5 of 5 passed (virtual clock)"),
        "{text}"
    );
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("ok ")).collect();
    assert_eq!(rows.len(), 5, "{text}");
    assert!(
        rows[0].contains("session prod ipv4 is established"),
        "{text}"
    );
    assert!(rows[1].contains("vpc prod has 10.1.0.0/16"), "{text}");
    assert!(rows[2].contains("laptop reaches app1"), "{text}");
    assert!(
        rows[3].contains("api disable_route_propagation(link=prod)"),
        "{text}"
    );
    assert!(rows[4].contains("router onprem has no routes"), "{text}");
}

#[test]
fn quickstart_as_json() {
    let out = up(&topology("quickstart.toml"), &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["topology"], "quickstart");
    assert_eq!(report["passed"], true);
    assert_eq!(report["clock"], "virtual");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["phase"], "expect #1");
    assert_eq!(results[4]["phase"], "step 2");
    assert!(results.iter().all(|r| r["ok"] == true));
    // Established after the engine's 1 s idle hold, on the virtual clock.
    assert!(results[0]["at_ms"].as_u64().unwrap() >= 1000);
}

#[test]
fn failure_drill_passes() {
    let out = up(&topology("failure-drill-embedded.toml"), &[]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    assert!(
        text.contains("failure-drill-embedded: 25 of 25 passed"),
        "{text}"
    );
    // The policy swap does not reset the session: still the third establishment before the
    // drills.
    let row = text.lines().find(|l| l.contains(" step 21 ")).unwrap();
    assert!(row.contains("established 3 time(s)"), "{text}");
}

/// The drills of the failure drill, measured on the virtual clock: the provider withdraws at
/// once (the cable's and the router's connections fail in memory), traffic comes back once the
/// failure is undone and the session is up again, and probes are dropped all that time.
#[test]
fn failure_drill_measures_convergence() {
    let out = up(&topology("failure-drill-embedded.toml"), &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let measured: Vec<&Value> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r.get("measured"))
        .collect();
    assert_eq!(measured.len(), 2, "{report}");
    for (m, failure, restored) in [
        (measured[0], "cable of link prod pulled", 3000),
        (measured[1], "router onprem killed", 2000),
    ] {
        let n = |key: &str| m[key].as_u64().unwrap_or_else(|| panic!("{key}: {m}"));
        assert_eq!(m["failure"], failure, "{m}");
        assert_eq!(m["probe"], serde_json::json!(["dr-laptop", "app1"]));
        assert_eq!(n("withdrawn_after_ms"), 0, "{m}");
        assert_eq!(n("restored_after_ms"), restored, "{m}");
        // Back once restored and re-established: within the engine's ConnectRetry (5 s).
        let back = n("traffic_back_after_ms");
        assert!((restored..=restored + 5000).contains(&back), "{m}");
        assert_eq!(m["other_path"], false, "{m}");
        // One probe per 10 ms: every probe from the failure until traffic came back dropped.
        assert_eq!(n("dropped_ms"), n("probes_dropped") * 10, "{m}");
        assert_eq!(n("dropped_ms"), back, "{m}");
        assert_eq!(n("probes"), n("probes_dropped") + 1, "{m}");
    }
}

#[test]
fn a_failing_expectation_exits_1_with_its_reason() {
    // 10.2.0.0/16 is announced but prefix_filter_in does not admit it.
    let file = edited(|t| {
        t.replace(
            "present = [\"10.1.0.0/16\"]\nabsent = [\"10.2.0.0/16\"]",
            "present = [\"10.2.0.0/16\"]\nwithin = \"5s\"",
        )
    });
    let out = up(file.path(), &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let fail: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert_eq!(fail.len(), 1, "{text}");
    assert!(fail[0].contains("expect #2"), "{text}");
    assert!(
        fail[0].contains("not within 5s: vpc prod has no route in 10.2.0.0/16"),
        "{text}"
    );
    assert!(
        fail[0].contains("prefix_filter_in does not admit it"),
        "{text}"
    );
    assert!(
        text.contains("quickstart: 4 of 5 passed (virtual clock), 1 FAILED"),
        "{text}"
    );

    let out = up(file.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["passed"], false);
    assert_eq!(report["results"][1]["ok"], false);
    // Given up at its deadline: 5 s after the first check, on the virtual clock.
    let at = report["results"][1]["at_ms"].as_u64().unwrap();
    assert!((6000..=6300).contains(&at), "{at}");
}

#[test]
fn a_vlan_mismatch_keeps_the_session_down() {
    let file = edited(|t| {
        t.replace(
            "plug = { connection = \"dc2-xconnect\", vlan = 2001 }",
            "plug = { connection = \"dc2-xconnect\", vlan = 2002 }",
        )
    });
    let out = up(file.path(), &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let first = &report["results"][0];
    assert_eq!(first["ok"], false);
    let detail = first["detail"].as_str().unwrap();
    assert!(
        detail.starts_with("not within 30s: the session is"),
        "{first}"
    );
    // The data plane says why: the frame leaves tagged 2002 and the port expects 2001.
    assert!(
        detail.ends_with(
            "169.254.0.1 → 169.254.0.0: dropped at router \"onprem\": VLAN mismatch: \
             the frame leaves with VLAN 2002 but scaleway/link prod expects VLAN 2001"
        ),
        "{detail}"
    );
    let reach = &report["results"][2];
    assert_eq!(reach["ok"], false);
    let detail = reach["detail"].as_str().unwrap();
    assert!(
        detail
            .ends_with("172.16.4.0/22 is not announced by link \"prod\": that BGP session is down"),
        "{detail}"
    );
}

#[test]
fn bad_input_is_one_line_on_stderr_and_exit_2() {
    let file = edited(|t| t.replace("routing_policy_v4 = \"v4\"", "routing_policy_v4 = \"v9\""));
    let out = up(file.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty());
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.ends_with(":26: [[interlink.links]] \"prod\": unknown routing_policy_v4 \"v9\"\n"),
        "{err}"
    );
}

#[test]
fn an_api_refusal_is_one_line_on_stderr_and_exit_2() {
    // VLAN 4000 is outside the connection's range: the API's own answer.
    let file = edited(|t| t.replace("vlan = 2001\nbandwidth_mbps", "vlan = 4000\nbandwidth_mbps"));
    let out = up(file.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("[[interlink.links]] \"prod\""), "{err}");
    assert!(err.contains("400") && err.contains("vlan"), "{err}");
}

#[test]
fn a_missing_file_is_exit_2() {
    let out = up(&PathBuf::from("/nonexistent/topology.toml"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/nonexistent/topology.toml: cannot read"));
}

#[test]
fn an_unknown_pop_names_its_line() {
    let file = edited(|t| t.replace("pop = \"DC2\"", "pop = \"DC9\""));
    let out = up(file.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            ":10: [[interlink.dedicated_connections]] \"dc2-xconnect\": unknown pop \"DC9\""
        ),
        "{err}"
    );
}

/// A plain HTTP GET with the demo token; the body.
fn http_get(base: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: 5ca1e000-0000-4000-8000-e00000000001\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn keep_serves_the_api_until_down() {
    let run_dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["up", "--keep"])
        .arg(topology("quickstart.toml"))
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
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
    assert_eq!(state["pid"], child.id());
    let links = http_get(
        state["api"].as_str().unwrap(),
        "/interlink/v1beta1/regions/fr-par/links",
    );
    assert!(links.starts_with("HTTP/1.1 200"), "{links}");
    assert!(links.contains("\"bgp_v4_status\":\"up\""), "{links}");
    // The last step disabled propagation, and the kept topology still says so.
    assert!(
        links.contains("\"enable_route_propagation\":false"),
        "{links}"
    );

    // `peerlab trace` asks the kept process: the steps disabled propagation.
    let trace = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["trace", "--json"])
        .arg(topology("quickstart.toml"))
        .args(["laptop", "app1"])
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .output()
        .unwrap();
    assert_eq!(trace.status.code(), Some(1), "{}", stderr(&trace));
    let answer: Value = serde_json::from_str(stdout(&trace).trim()).unwrap();
    assert_eq!(answer["packets"][0]["reason"], "propagation_disabled");
    // In memory there is nothing to ping.
    assert_eq!(answer.get("ping"), Some(&Value::Null), "{answer}");

    let down = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("down")
        .arg(topology("quickstart.toml"))
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .output()
        .unwrap();
    assert!(down.status.success(), "{}", stderr(&down));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(stdout(&out).contains("quickstart: 5 of 5 passed"));
    assert!(!state_file.exists());

    // Nothing is up any more.
    let again = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("down")
        .arg(topology("quickstart.toml"))
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("topology quickstart is not up"));
}

#[test]
fn exec_of_an_unknown_node_is_exit_2() {
    let run_dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["exec", "onprem", "--", "true"])
        .env("PEERLAB_RUN_DIR", run_dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no kept topology has a node \"onprem\""));
}

fn trace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("trace")
        .args(args)
        .env("PEERLAB_RUN_DIR", "/nonexistent/peerlab-run")
        .output()
        .expect("run peerlab")
}

#[test]
fn trace_walks_both_ways_hop_by_hop() {
    let path = topology("quickstart.toml");
    let out = trace(&[path.to_str().unwrap(), "laptop", "app1"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "{text}");
    assert!(
        lines[1].contains("router \"onprem\"") && lines[1].contains("out uplink (VLAN 2001)"),
        "{text}"
    );
    assert_eq!(
        lines[4],
        "10.1.0.10 → 172.16.4.10: delivered to host \"app1\" (3 hops)"
    );
    assert_eq!(
        lines[9],
        "172.16.4.10 → 10.1.0.10: delivered to host \"laptop\" (3 hops)"
    );
    // In memory there is nothing to ping, and the text says nothing about it.
    assert!(!text.contains("ping"), "{text}");
}

#[test]
fn an_in_memory_trace_has_no_ping() {
    let path = topology("quickstart.toml");
    let out = trace(&["--json", path.to_str().unwrap(), "laptop", "app1"]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let answer: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(answer["reachable"], true, "{answer}");
    assert_eq!(answer.get("ping"), Some(&Value::Null), "{answer}");
}

#[test]
fn trace_after_the_steps_says_propagation_is_disabled() {
    let path = topology("quickstart.toml");
    let out = trace(&[path.to_str().unwrap(), "laptop", "app1", "--after-steps"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(
            "10.1.0.10 → 172.16.4.10: dropped at router \"onprem\": no route to 172.16.4.10; \
             172.16.4.0/22 is not announced by link \"prod\": route propagation is disabled"
        ),
        "{text}"
    );
}

#[test]
fn trace_finds_a_vlan_mismatch() {
    let file = edited(|t| {
        t.replace(
            "plug = { connection = \"dc2-xconnect\", vlan = 2001 }",
            "plug = { connection = \"dc2-xconnect\", vlan = 2002 }",
        )
    });
    let out = trace(&[
        file.path().to_str().unwrap(),
        "onprem",
        "169.254.0.0",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let answer: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(answer["reachable"], false);
    assert_eq!(answer["packets"][0]["reason"], "vlan_mismatch");
    assert!(answer["packets"][0]["text"].as_str().unwrap().ends_with(
        "VLAN mismatch: the frame leaves with VLAN 2002 but scaleway/link prod expects VLAN 2001"
    ));
}

#[test]
fn trace_of_an_unknown_node_is_exit_2() {
    let path = topology("quickstart.toml");
    let out = trace(&[path.to_str().unwrap(), "nobody", "app1"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "peerlab: no node \"nobody\" (the nodes are app1, laptop, onprem, scaleway)\n"
    );
}

#[test]
fn a_partner_approves_on_the_virtual_clock() {
    // Acme Fabric approves by itself after 2 s and provisions in 3 s: virtual seconds here.
    let text = std::fs::read_to_string(topology("interlink-bird-hosted.toml")).unwrap();
    let text = text
        .replace("kind = \"bird\"", "kind = \"embedded\"")
        .replace("partner = \"Example Carrier\"", "partner = \"Acme Fabric\"")
        .replace("pop = \"TH2\"", "pop = \"DC2\"")
        .replace("approve = true\n", "");
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let out = up(file.path(), &["--json"]);
    let report: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    // Settled at 5 s of the runner's clock (approval + provisioning), which the model followed.
    let at = report["results"][0]["at_ms"].as_u64().unwrap();
    assert!(at >= 5000, "{report}");
    let out = up(file.path(), &[]);
    let table = stdout(&out);
    assert!(out.status.success(), "{table}{}", stderr(&out));
    assert!(
        table.contains("interlink-bird-hosted: 5 of 5 passed (virtual clock)"),
        "{table}"
    );
}

#[test]
fn embedded_runs_are_deterministic() {
    // Virtual time: the same topology gives the same report, timings included.
    let path = topology("failure-drill-embedded.toml");
    let first = stdout(&up(&path, &["--json"]));
    for _ in 0..3 {
        assert_eq!(stdout(&up(&path, &["--json"])), first);
    }
}

/// A topology that mixes embedded and daemon routers runs in network namespaces: without root
/// it is refused in one line, exit 2, before anything is created. As root the test runs the
/// binary as `nobody`, from copies `nobody` can read wherever the clone is.
#[test]
fn a_mixed_topology_without_root_is_one_line_and_exit_2() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let (binary, path) = (
        dir.path().join("peerlab"),
        dir.path().join("interlink-mixed.toml"),
    );
    std::fs::copy(env!("CARGO_BIN_EXE_peerlab"), &binary).expect("copy peerlab");
    std::fs::copy(topology("interlink-mixed.toml"), &path).expect("copy the topology");
    for (file, mode) in [(dir.path(), 0o755), (&binary, 0o755), (&path, 0o644)] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
    let mut command = Command::new(&binary);
    command.arg("up").arg(&path).current_dir("/");
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        command.uid(65534).gid(65534);
    }
    let out = command.output().expect("run peerlab");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("interlink-mixed.toml: "), "{err}");
    assert!(
        err.ends_with(
            "embedded routers next to real daemons run in network namespaces, which need root (run as root, or make every router embedded)\n"
        ),
        "{err}"
    );
}
