//! Evidence for CI through the real binary: `up --junit` read back as JUnit XML, `up
//! --capture` read back by Debian's `tshark` (the pcap of each cable) and `bgpdump` (the MRT
//! file of each provider-side session), a capture directory that cannot be written refused
//! before the run, and `graph --after-run` coloured by what ran.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TSHARK: &str = "/usr/bin/tshark";
const BGPDUMP: &str = "/usr/bin/bgpdump";

fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

fn peerlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .env("PEERLAB_RUN_DIR", "/nonexistent/peerlab-run")
        .output()
        .expect("run peerlab")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `tool args…`, which must be installed and succeed: its stdout.
fn tool(program: &str, args: &[&str]) -> String {
    assert!(
        Path::new(program).is_file(),
        "{program} is missing: scripts/test.sh installs it (apt-get install -y tshark bgpdump)"
    );
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn junit_has_one_testcase_per_expectation_and_step_with_the_reports_detail() {
    let dir = tempfile::tempdir().unwrap();
    let xml_path = dir.path().join("report.xml");
    // The quickstart with a step that fails: 10.2.0.0/16 is not admitted.
    let source = std::fs::read_to_string(topology("quickstart.toml")).unwrap();
    let failing = format!(
        "{source}\n[[steps]]\nexpect = {{ routes_at = {{ vpc = \"prod\" }}, present = [\"10.2.0.0/16\"], within = \"1s\" }}\n"
    );
    let file = dir.path().join("quickstart.toml");
    std::fs::write(&file, failing).unwrap();
    let out = peerlab(&["up", path(&file), "--json", "--junit", path(&xml_path)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("quickstart"));
    assert_eq!(suite.attribute("tests"), Some("6"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let rows = report["results"].as_array().unwrap();
    assert_eq!(cases.len(), rows.len());
    for (case, row) in cases.iter().zip(rows) {
        let name = format!(
            "{}: {}",
            row["phase"].as_str().unwrap(),
            row["check"].as_str().unwrap()
        );
        assert_eq!(case.attribute("name"), Some(name.as_str()));
        let failure = case.children().find(|n| n.has_tag_name("failure"));
        match row["ok"].as_bool().unwrap() {
            true => assert!(failure.is_none()),
            false => {
                let failure = failure.unwrap();
                let detail = row["detail"].as_str().unwrap();
                assert!(detail.starts_with("not within 1s: vpc prod has no route in 10.2.0.0/16"));
                assert_eq!(failure.text(), Some(detail));
                assert_eq!(failure.attribute("message"), Some(detail));
            }
        }
    }
    assert_eq!(cases[0].attribute("classname"), Some("quickstart.expect"));
    assert_eq!(cases[5].attribute("classname"), Some("quickstart.steps"));
}

#[test]
fn capture_writes_a_pcap_per_cable_and_an_mrt_per_session() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("captures");
    let out = peerlab(&[
        "up",
        path(&topology("quickstart.toml")),
        "--capture",
        path(&capture),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("captured "), "{err}");

    // The cable of router onprem: the ping of `reach laptop → app1`, tagged with the link's
    // VLAN both ways.
    let pcap = capture.join("onprem.pcap");
    let fields = tool(
        TSHARK,
        &[
            "-r",
            path(&pcap),
            "-T",
            "fields",
            "-E",
            "separator=,",
            "-e",
            "vlan.id",
            "-e",
            "ip.src",
            "-e",
            "ip.dst",
            "-e",
            "icmp.type",
            "-e",
            "icmp.seq",
        ],
    );
    let lines: Vec<&str> = fields.lines().collect();
    assert_eq!(
        lines,
        [
            "2001,10.1.0.10,172.16.4.10,8,1",
            "2001,172.16.4.10,10.1.0.10,0,1"
        ],
        "{fields}"
    );
    // tshark finds nothing malformed.
    let expert = tool(
        TSHARK,
        &[
            "-r",
            path(&pcap),
            "-Y",
            "_ws.malformed || _ws.expert.severity >= warning",
        ],
    );
    assert!(expert.trim().is_empty(), "{expert}");

    // The link's IPv4 session: the OPENs, the announcements both ways and the withdrawal of
    // 172.16.4.0/22 when the step disabled propagation.
    let mrt = capture.join("prod-ipv4.mrt");
    let dump = tool(BGPDUMP, &["-m", path(&mrt)]);
    let rows: Vec<Vec<&str>> = dump.lines().map(|l| l.split('|').collect()).collect();
    let has = |kind: &str, prefix: &str, announce: &str| {
        rows.iter().any(|r| {
            r.first() == Some(&kind) && r.get(2) == Some(&announce) && r.get(5) == Some(&prefix)
        })
    };
    assert!(has("BGP4MP_ET", "10.1.0.0/16", "A"), "{dump}");
    assert!(has("BGP4MP_ET", "10.2.0.0/16", "A"), "{dump}");
    assert!(has("BGP4MP_ET_LOCAL", "172.16.4.0/22", "A"), "{dump}");
    assert!(has("BGP4MP_ET_LOCAL", "172.16.4.0/22", "W"), "{dump}");
    for r in rows.iter().filter(|r| r.get(2) == Some(&"A")) {
        // The customer's side is the peer: 169.254.0.1, AS 64512.
        assert_eq!((r[3], r[4]), ("169.254.0.1", "64512"), "{dump}");
    }
    let verbose = tool(BGPDUMP, &[path(&mrt)]);
    assert!(
        verbose.contains(
            "TYPE: BGP4MP_ET/MESSAGE/Open\nFROM: 169.254.0.1 AS64512\nTO: 169.254.0.0 AS12876"
        ),
        "{verbose}"
    );
    assert!(
        verbose.contains("TYPE: BGP4MP_ET/MESSAGE_LOCAL/Open\nFROM: 169.254.0.0 AS12876"),
        "{verbose}"
    );
    assert!(verbose.contains("Keepalive"), "{verbose}");
    let files: Vec<String> = std::fs::read_dir(&capture)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut files = files;
    files.sort();
    assert_eq!(files, ["onprem.pcap", "prod-ipv4.mrt"]);
}

#[test]
fn a_drill_capture_holds_every_probe() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("c");
    let out = peerlab(&[
        "up",
        path(&topology("failure-drill-embedded.toml")),
        "--capture",
        path(&capture),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // dr-laptop's probes: requests on the cable while it was plugged, replies only when
    // delivered; a probe dropped at the router never reaches the cable.
    let fields = tool(
        TSHARK,
        &[
            "-r",
            path(&capture.join("onprem.pcap")),
            "-Y",
            "ip.src == 10.3.0.10 && icmp.type == 8",
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
        ],
    );
    assert!(fields.lines().count() > 2, "{fields}");
}

#[test]
fn an_unwritable_capture_directory_is_refused_before_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let target = file.join("captures");
    let out = peerlab(&[
        "up",
        path(&topology("quickstart.toml")),
        "--capture",
        path(&target),
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Refused before the run: no report at all.
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "peerlab: --capture {}: cannot write there: ",
            target.display()
        )),
        "{err}"
    );
}

#[test]
fn graph_after_run_colours_sessions_by_what_ran() {
    // The file expects nothing of the link's session: only a run can say it is established.
    let source = std::fs::read_to_string(topology("quickstart.toml")).unwrap();
    let (head, _) = source.split_once("[[expect]]").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quickstart.toml");
    std::fs::write(&file, head).unwrap();
    let before = text(&peerlab(&["graph", path(&file), "--format", "dot"]).stdout);
    assert!(
        before.contains("BGP ipv4 · prod: state not expected"),
        "{before}"
    );
    let out = peerlab(&["graph", path(&file), "--format", "dot", "--after-run"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let after = text(&out.stdout);
    let session = after
        .lines()
        .find(|l| l.contains("BGP ipv4 · prod"))
        .unwrap_or_else(|| panic!("{after}"));
    assert!(
        session.contains("label=\"BGP ipv4 · prod: established\""),
        "{session}"
    );
    assert!(session.contains("color=\"#2e7d32\""), "{session}");
}
