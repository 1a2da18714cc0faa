//! A VRRP drill in memory: OVH's master crashes under the probe stream; the backup takes the
//! gateway after its Master_Down_Interval, the replies come back over the other router, and
//! the provider has no BGP route to withdraw.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn a_vrrp_master_crash_is_measured_in_memory() {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../topologies/ovh-l3-static-vrrp-embedded.toml");
    let text = std::fs::read_to_string(source).unwrap();
    // The topology's expectations, then the drill instead of its steps.
    let (head, _) = text.split_once("[[steps]]").unwrap();
    let file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    std::fs::write(
        file.path(),
        format!(
            "{head}[[steps]]\ndrill = {{ vrrp_master = \"rbx\", probe = {{ from = \"laptop\", to = \"server\" }}, restore_after = \"10s\" }}\n\
             [[steps]]\nexpect = {{ vrrp_master = \"rbx\", router = \"A\", within = \"10s\" }}\n"
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(["up", "--json"])
        .arg(file.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{report:#}");
    let m = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r.get("measured"))
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(m["failure"], "VRRP master of rbx crashed", "{m}");
    assert_eq!(m["withdrawable"], false, "{m}");
    assert_eq!(m["withdrawn_after_ms"], Value::Null, "{m}");
    // The replies went through A; after the failover they go through B.
    assert_eq!(m["other_path"], true, "{m}");
    let back = m["traffic_back_after_ms"].as_u64().unwrap();
    // Within B's Master_Down_Interval (3 × 1 s + Skew_Time ≈ 3.6 s) of A's last advertisement.
    assert!((1..=3_700).contains(&back), "{m}");
    assert_eq!(m["dropped_ms"].as_u64(), Some(back), "{m}");
    assert_eq!(m["restored_after_ms"], 10_000, "{m}");
}
