//! MRT files written by `bgp_wire::mrt` from the golden messages that FRR, BIRD and GoBGP sent
//! (tests/golden/*.hex), read back by Debian's `bgpdump`: every announced and withdrawn prefix,
//! its AS path, the peer, the state change and the timestamps come back.

use bgp_wire::mrt::{self, Direction, Peering, State, Timestamp};
use std::path::Path;
use std::process::Command;

const BGPDUMP: &str = "/usr/bin/bgpdump";
const DAEMON_AS: u32 = 4_200_000_001;
const T0: u32 = 1_700_000_000;

/// The messages of a golden file.
fn golden(name: &str) -> Vec<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| hex::decode(l).unwrap())
        .collect()
}

/// A file of: the state change to Established, then each message, one second apart (with
/// microseconds on every other one).
fn mrt_file(peering: &Peering, messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    let t = Timestamp::new(T0, 5);
    mrt::write_state_change(&mut out, t, peering, State::OpenConfirm, State::Established).unwrap();
    for (i, m) in messages.iter().enumerate() {
        let seconds = T0 + 1 + u32::try_from(i).unwrap();
        let t = if i % 2 == 0 {
            Timestamp::new(seconds, 250_000)
        } else {
            Timestamp {
                seconds,
                microseconds: None,
            }
        };
        mrt::write_message(&mut out, t, peering, Direction::Received, m).unwrap();
    }
    out
}

/// `bgpdump -m` of `bytes`: one line per prefix, fields split on `|`.
fn bgpdump(bytes: &[u8], flag: &str) -> Vec<Vec<String>> {
    assert!(
        Path::new(BGPDUMP).is_file(),
        "{BGPDUMP} is missing: install it with `apt-get install -y bgpdump`"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.mrt");
    std::fs::write(&file, bytes).unwrap();
    let out = Command::new(BGPDUMP).arg(flag).arg(&file).output().unwrap();
    assert!(out.status.success(), "bgpdump: {:?}", out);
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .map(|l| l.split('|').map(str::to_string).collect())
        .collect()
}

/// The (kind, prefix, AS path) of each announce and withdraw line, and the peer of each.
fn routes(lines: &[Vec<String>], peer: &str, peer_as: &str) -> Vec<(String, String, String)> {
    lines
        .iter()
        .filter(|f| f[2] == "A" || f[2] == "W")
        .map(|f| {
            assert_eq!((f[3].as_str(), f[4].as_str()), (peer, peer_as), "{f:?}");
            let path = if f[2] == "A" {
                f[6].clone()
            } else {
                String::new()
            };
            (f[2].clone(), f[5].clone(), path)
        })
        .collect()
}

fn want() -> Vec<(String, String, String)> {
    let three = format!("{DAEMON_AS} {DAEMON_AS} {DAEMON_AS}");
    [
        ("A", "10.1.0.0/16", three.as_str()),
        ("A", "10.2.0.0/16", &three),
        ("A", "2001:db8:1::/48", &three),
        ("A", "10.3.1.0/24", &DAEMON_AS.to_string()),
        ("A", "2001:db8:2::/48", &DAEMON_AS.to_string()),
        ("W", "10.3.1.0/24", ""),
        ("W", "2001:db8:2::/48", ""),
    ]
    .iter()
    .map(|(k, p, a)| (k.to_string(), p.to_string(), a.to_string()))
    .collect()
}

#[test]
fn bgpdump_reads_every_daemons_session_as4() {
    for daemon in ["frr", "bird", "gobgp"] {
        let peering = Peering::new(
            DAEMON_AS,
            12876,
            "169.254.0.1".parse().unwrap(),
            "169.254.0.0".parse().unwrap(),
        )
        .unwrap();
        let lines = bgpdump(&mrt_file(&peering, &golden(&format!("{daemon}.hex"))), "-m");
        let got = routes(&lines, "169.254.0.1", &DAEMON_AS.to_string());
        // Daemons differ in how they pack prefixes, not in what they announce.
        let mut sorted = got.clone();
        sorted.sort();
        let mut expected = want();
        expected.sort();
        assert_eq!(sorted, expected, "{daemon}: {lines:?}");
        // The state change, with its microseconds.
        let state = &lines[0];
        assert_eq!(
            state[..7].join("|"),
            format!("BGP4MP_ET|{T0}.000005|STATE|169.254.0.1|{DAEMON_AS}|5|6")
        );
        // Timestamps: every record's second is T0 + 1 + its index, microseconds on even ones.
        for f in lines.iter().skip(1) {
            let (kind, time) = (f[0].as_str(), f[1].as_str());
            match kind {
                "BGP4MP_ET" => assert!(time.ends_with(".250000"), "{f:?}"),
                "BGP4MP" => assert!(!time.contains('.'), "{f:?}"),
                _ => panic!("{f:?}"),
            }
            let seconds: u32 = time.split('.').next().unwrap().parse().unwrap();
            assert!((T0 + 1..T0 + 20).contains(&seconds), "{f:?}");
        }
    }
}

#[test]
fn bgpdump_reads_an_ipv6_peering_and_sent_messages() {
    let peering = Peering::new(
        DAEMON_AS,
        12876,
        "fd12:876::1".parse().unwrap(),
        "fd12:876::".parse().unwrap(),
    )
    .unwrap();
    let messages = golden("frr.hex");
    let mut out = Vec::new();
    for m in &messages {
        let t = Timestamp::new(T0, 0);
        mrt::write_message(&mut out, t, &peering, Direction::Sent, m).unwrap();
    }
    let lines = bgpdump(&out, "-m");
    assert!(lines.iter().all(|f| f[0] == "BGP4MP_ET_LOCAL"), "{lines:?}");
    assert_eq!(
        routes(&lines, "fd12:876::1", &DAEMON_AS.to_string()),
        want()
    );
}

#[test]
fn bgpdump_reads_a_two_octet_session_with_as_trans() {
    let mut peering = Peering::new(
        DAEMON_AS,
        12876,
        "169.254.0.1".parse().unwrap(),
        "169.254.0.0".parse().unwrap(),
    )
    .unwrap();
    peering.four_octet_as = false;
    let lines = bgpdump(&mrt_file(&peering, &golden("frr-as2.hex")), "-m");
    // The peer AS is AS_TRANS; the path is rebuilt from AS4_PATH.
    assert_eq!(routes(&lines, "169.254.0.1", "23456"), want());
}
