//! The FRR failure drill in network namespaces (root, Debian's FRR): every expectation and
//! step, the drills measured with a real `ping -i 0.01`, and `--capture` in namespace mode —
//! the cable's `tcpdump` read back by tshark (BGP and the pings, tagged with the link's VLAN)
//! and the session's messages, taken back out of it, read back by bgpdump.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn topology(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies")
        .join(name)
}

fn tool(program: &str, args: &[&str]) -> String {
    assert!(
        Path::new(program).is_file(),
        "{program} is missing: scripts/test.sh installs it"
    );
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn failure_drill_with_frr_measures_and_captures() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "real-daemon topologies need root (namespaces, veths): run as root"
    );
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("capture");
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .arg("up")
        .arg(topology("failure-drill.toml"))
        .args(["--json", "--capture"])
        .arg(&capture)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["clock"], "real");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 25, "{report:#}");
    let measured: Vec<&Value> = results.iter().filter_map(|r| r.get("measured")).collect();
    assert_eq!(measured.len(), 2, "{report:#}");
    let n = |m: &Value, key: &str| m[key].as_u64();
    // The cable comes back after 3 s, before FRR's 9 s hold timer: the provider's session
    // stays up and withdraws nothing; pings are lost while the cable is out.
    let cable = measured[0];
    assert_eq!(cable["failure"], "cable of link prod pulled", "{cable}");
    assert_eq!(cable["withdrawable"], true, "{cable}");
    assert_eq!(n(cable, "withdrawn_after_ms"), None, "{cable}");
    let back = n(cable, "traffic_back_after_ms").unwrap();
    assert!((2_500..9_000).contains(&back), "{cable}");
    let dropped = n(cable, "dropped_ms").unwrap();
    assert!((2_000..=back).contains(&dropped), "{cable}");
    // A killed FRR closes its connections: the provider withdraws at once; traffic is back
    // once it has restarted and re-established.
    let router = measured[1];
    assert_eq!(router["failure"], "router onprem killed", "{router}");
    assert!(n(router, "withdrawn_after_ms").unwrap() < 2_000, "{router}");
    let back = n(router, "traffic_back_after_ms").unwrap();
    assert!(back >= 2_000, "{router}");
    assert!(n(router, "dropped_ms").unwrap() >= 1_500, "{router}");

    let pcap = capture.join("onprem.pcap");
    let pcap = pcap.to_str().unwrap();
    let bgp = tool(
        "/usr/bin/tshark",
        &[
            "-r",
            pcap,
            "-Y",
            "bgp.type == 1",
            "-T",
            "fields",
            "-e",
            "vlan.id",
            "-e",
            "ip.src",
        ],
    );
    assert!(bgp.lines().any(|l| l == "2001\t169.254.0.0"), "{bgp}");
    assert!(bgp.lines().any(|l| l == "2001\t169.254.0.1"), "{bgp}");
    let pings = tool(
        "/usr/bin/tshark",
        &[
            "-r",
            pcap,
            "-Y",
            "icmp.type == 8 && ip.src == 10.3.0.10",
            "-T",
            "fields",
            "-e",
            "vlan.id",
        ],
    );
    assert!(pings.lines().count() > 100, "{pings}");
    assert!(pings.lines().all(|l| l == "2001"), "{pings}");

    let mrt = capture.join("prod-ipv4.mrt");
    let dump = tool("/usr/bin/bgpdump", &["-m", mrt.to_str().unwrap()]);
    let announced = |prefix: &str| {
        dump.lines().any(|l| {
            let f: Vec<&str> = l.split('|').collect();
            f.first() == Some(&"BGP4MP_ET") && f.get(2) == Some(&"A") && f.get(5) == Some(&prefix)
        })
    };
    assert!(announced("10.1.0.0/16"), "{dump}");
    assert!(announced("10.3.0.0/16"), "{dump}");
    let verbose = tool("/usr/bin/bgpdump", &[mrt.to_str().unwrap()]);
    // Every connection's OPENs: the router was restarted, the cable flapped.
    let opens = verbose.matches("TYPE: BGP4MP_ET/MESSAGE/Open").count();
    assert!(opens >= 3, "{verbose}");
}
