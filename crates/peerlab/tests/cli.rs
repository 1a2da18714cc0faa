//! The `peerlab decode` / `peerlab encode` contract, run through the real binary, and the
//! help text of `peerlab serve`.

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const KEEPALIVE: &str = "ffffffffffffffffffffffffffffffff001304";
/// ORIGIN igp, AS_PATH 65000, NEXT_HOP 192.0.2.1, MP_REACH 2001:db8::/32 via 2001:db8::1,
/// NLRI 10.0.0.0/8.
const UPDATE: &str = "ffffffffffffffffffffffffffffffff004a02000000314001010040020602010000fde8\
                      400304c0000201800e1a0002011020010db8000000000000000000000001002020010db8080a";
/// The same with ORIGIN = 7: RFC 7606 §7.1 treat-as-withdraw.
const BAD_ORIGIN: &str = "ffffffffffffffffffffffffffffffff002d0200000014400101074002060201\
                          0000fde8400304c0000201080a";
/// 2-octet AS, ADD-PATH IPv4: path id 7, 10.1.0.0/16.
const AS2_ADD_PATH: &str = "ffffffffffffffffffffffffffffffff003002000000124001010040020402\
                            01fde8400304c000020100000007100a01";

fn peerlab(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peerlab"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run peerlab");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn decode_writes_one_json_object_per_line_with_cidr_prefixes() {
    let out = peerlab(&["decode"], &format!("{KEEPALIVE}\n{UPDATE}\n"));
    assert_eq!(out.status.code(), Some(0));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], serde_json::json!({"type": "keepalive"}));
    let update = &lines[1];
    assert_eq!(update["type"], "update");
    assert_eq!(update["nlri"], serde_json::json!(["10.0.0.0/8"]));
    let mp = &update["attributes"][3]["mp_reach_nlri"];
    assert_eq!(mp["afi"], "ipv6");
    assert_eq!(mp["next_hop"], "2001:db8::1");
    assert_eq!(mp["nlri"], serde_json::json!(["2001:db8::/32"]));
    assert_eq!(
        update["attributes"][1]["as_path"],
        serde_json::json!([{"sequence": [65000]}])
    );
}

#[test]
fn decode_then_encode_reproduces_the_input() {
    let input = format!("{KEEPALIVE}\n{UPDATE}\n{BAD_ORIGIN}\n");
    let decoded = peerlab(&["decode"], &input);
    assert_eq!(decoded.status.code(), Some(0));
    let encoded = peerlab(&["encode"], &stdout(&decoded));
    assert_eq!(
        encoded.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&encoded.stderr)
    );
    assert_eq!(stdout(&encoded), input);
}

#[test]
fn context_flags_change_the_wire_format() {
    let args = ["--as2", "--add-path", "ipv4"];
    let decoded = peerlab(&[&["decode"][..], &args].concat(), AS2_ADD_PATH);
    assert_eq!(decoded.status.code(), Some(0));
    let line = &json_lines(&decoded)[0];
    assert_eq!(
        line["nlri"],
        serde_json::json!([{"path_id": 7, "prefix": "10.1.0.0/16"}])
    );
    assert_eq!(
        line["attributes"][1]["as_path"],
        serde_json::json!([{"sequence": [65000]}])
    );
    let encoded = peerlab(&[&["encode"][..], &args].concat(), &stdout(&decoded));
    assert_eq!(stdout(&encoded).trim(), AS2_ADD_PATH);

    // Without the flags the same bytes do not read as the same message.
    let plain = peerlab(&["decode"], AS2_ADD_PATH);
    assert_ne!(json_lines(&plain)[0], *line);
}

#[test]
fn a_session_ending_error_is_the_notification_and_exits_1() {
    let bad_marker = format!("00{}", &KEEPALIVE[2..]);
    let out = peerlab(&["decode"], &format!("{bad_marker}\n{KEEPALIVE}\n"));
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out);
    assert_eq!(
        lines[0],
        serde_json::json!({"error": {"code": 1, "subcode": 1,
            "name": "Message Header Error: Connection Not Synchronized", "data": ""}})
    );
    assert_eq!(
        lines[1]["type"], "keepalive",
        "the next line is still decoded"
    );

    let bad_length = "ffffffffffffffffffffffffffffffff001404";
    let out = peerlab(&["decode"], bad_length);
    let e = &json_lines(&out)[0]["error"];
    assert_eq!(
        (e["code"].as_u64(), e["subcode"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(e["data"], "0014");
}

#[test]
fn an_rfc7606_outcome_rides_on_the_update_line() {
    let out = peerlab(&["decode"], BAD_ORIGIN);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the UPDATE decoded, the session survives"
    );
    let line = &json_lines(&out)[0];
    assert_eq!(line["type"], "update");
    assert_eq!(line["rfc7606"]["action"], "treat-as-withdraw");
    assert_eq!(line["rfc7606"]["attribute"], 1);
}

#[test]
fn input_that_is_not_hex_or_not_json_gets_an_error_and_exit_1() {
    let out = peerlab(&["decode"], "xyz\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(json_lines(&out)[0]["error"]["input"].is_string());

    let out = peerlab(&["encode"], "{\"type\": \"nonsense\"}\n");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn encode_accepts_hand_written_json_with_usual_flags_left_out() {
    let json = r#"{"type":"update","attributes":[{"origin":"igp"},{"as_path":[{"sequence":[65000]}]},{"next_hop":"192.0.2.1"},{"communities":["65000:100"]}],"nlri":["10.1.0.0/16"]}"#;
    let out = peerlab(&["encode"], json);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hex = stdout(&out);
    // COMMUNITIES is optional transitive: flags 0xc0, type 8, length 4, 65000:100.
    assert!(hex.contains("c00804fde80064"), "{hex}");
    let back = peerlab(&["decode"], &hex);
    assert_eq!(
        json_lines(&back)[0]["nlri"],
        serde_json::json!(["10.1.0.0/16"])
    );
}

fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bgp-wire/tests/golden");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "hex"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden_vectors_from_real_daemons_survive_decode_then_encode() {
    let files = golden_files();
    assert!(files.len() >= 3, "golden vectors missing: {files:?}");
    for file in files {
        let as2 = file.to_string_lossy().ends_with("-as2.hex");
        let context: &[&str] = if as2 { &["--as2"] } else { &[] };
        let path = file.to_str().unwrap();
        let decoded = peerlab(&[&["decode", path][..], context].concat(), "");
        assert_eq!(
            decoded.status.code(),
            Some(0),
            "{path}: {}",
            stdout(&decoded)
        );
        let encoded = peerlab(&[&["encode"][..], context].concat(), &stdout(&decoded));
        assert_eq!(encoded.status.code(), Some(0), "{path}");
        let want: String = std::fs::read_to_string(&file)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| format!("{}\n", l.trim()))
            .collect();
        assert_eq!(stdout(&encoded), want, "{path}");
    }
}

#[test]
fn serve_help_names_both_apis() {
    let out = peerlab(&["serve", "--help"], "");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Scaleway-compatible API"), "{help}");
    assert!(help.contains("OVH-compatible API"), "{help}");
    let out = peerlab(&["--help"], "");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("OVH-compatible API"), "{help}");
}
