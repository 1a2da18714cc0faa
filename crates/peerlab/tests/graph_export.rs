//! `peerlab graph` and `peerlab export containerlab` through the real binary: what they write,
//! and one line with exit status 2 for a bad topology or a directory that cannot be written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn peerlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .output()
        .expect("run peerlab")
}

fn topology(name: &str) -> String {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name);
    path.display().to_string()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Exit status 2, nothing on stdout, one line on stderr starting with `peerlab: ` and holding
/// `needle`.
fn one_line_error(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", stdout(out));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("peerlab: "), "{stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
}

#[test]
fn graph_writes_dot_mermaid_and_svg() {
    let quickstart = topology("quickstart.toml");
    let dot = peerlab(&["graph", &quickstart, "--format", "dot"]);
    assert!(dot.status.success());
    assert!(
        stdout(&dot).starts_with("graph \"quickstart\" {"),
        "{}",
        stdout(&dot)
    );
    assert!(stdout(&dot).contains("dc2-xconnect VLAN 2001"));

    let mermaid = peerlab(&["graph", &quickstart, "--format", "mermaid"]);
    assert!(mermaid.status.success());
    assert!(stdout(&mermaid).starts_with("flowchart LR\n"));

    let svg = peerlab(&["graph", &quickstart]);
    assert!(
        svg.status.success(),
        "{}",
        String::from_utf8_lossy(&svg.stderr)
    );
    let text = stdout(&svg);
    assert!(
        text.contains("<svg") && text.trim_end().ends_with("</svg>"),
        "{text}"
    );
    assert!(text.contains(">onprem<"), "{text}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("q.svg");
    let to_file = peerlab(&["graph", &quickstart, "-o", file.to_str().unwrap()]);
    assert!(to_file.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn graph_of_a_bad_topology_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\n[[routers]]\nname = \"r\"\nkind = \"cisco\"\n",
    )
    .unwrap();
    one_line_error(&peerlab(&["graph", bad.to_str().unwrap()]), "bad.toml:4:");
    let missing = dir.path().join("missing.toml");
    one_line_error(
        &peerlab(&["graph", missing.to_str().unwrap()]),
        "cannot read",
    );
}

#[test]
fn export_containerlab_writes_the_lab() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lab");
    let run = peerlab(&[
        "export",
        "containerlab",
        &topology("interlink-mixed.toml"),
        "-o",
        out.to_str().unwrap(),
        "--image",
        "host=busybox:1.36",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let main = out.join("interlink-mixed.clab.yml");
    assert!(
        stdout(&run).starts_with(&main.display().to_string()),
        "{}",
        stdout(&run)
    );
    let yaml = std::fs::read_to_string(&main).unwrap();
    assert!(yaml.contains("name: interlink-mixed"), "{yaml}");
    assert!(yaml.contains("image: busybox:1.36"), "{yaml}");
    // The provider's own link pools: the first link gets 169.254.0.0/31.
    assert!(yaml.contains("169.254.0.1/31"), "{yaml}");
    assert!(out.join("peerlab/interlink-mixed.toml").is_file());
    assert!(out.join("configs/onprem/frr.conf").is_file());
}

#[test]
fn export_refuses_bad_input_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let into_file = file.join("lab");
    let quickstart = topology("quickstart.toml");
    one_line_error(
        &peerlab(&[
            "export",
            "containerlab",
            &quickstart,
            "-o",
            into_file.to_str().unwrap(),
        ]),
        "cannot write",
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\n[[hosts]]\nname = \"h\"\nrouter = \"nope\"\naddress = \"10.0.0.1\"\n",
    )
    .unwrap();
    one_line_error(
        &peerlab(&[
            "export",
            "containerlab",
            bad.to_str().unwrap(),
            "-o",
            dir.path().to_str().unwrap(),
        ]),
        "unknown router \"nope\"",
    );
    one_line_error(
        &peerlab(&[
            "export",
            "containerlab",
            &quickstart,
            "-o",
            dir.path().to_str().unwrap(),
            "--image",
            "cisco=x",
        ]),
        "--image \"cisco=x\"",
    );
}

#[test]
fn the_readme_picture_is_what_the_command_draws() {
    let svg = peerlab(&["graph", &topology("quickstart.toml")]);
    assert!(svg.status.success());
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/quickstart.svg");
    let saved = std::fs::read_to_string(&readme).unwrap();
    assert!(
        saved == stdout(&svg),
        "docs/quickstart.svg is stale: peerlab graph topologies/quickstart.toml -o docs/quickstart.svg"
    );
}
