//! Records what FRR, BIRD and GoBGP really send to a BGP peer and checks it on raw bytes.
//!
//! Each daemon is started one by one with its driver ([`linux::peer`]) in a namespace of its
//! own, wired to this process by a [`linux::Link`], and opens an eBGP session to a tiny
//! hand-written BGP endpoint ([`recorder`], using the raw helpers of [`wire`]); the test drives
//! the [`scenario`] (announce, withdraw, shut down), checks the recording on raw bytes
//! ([`checks`]) and keeps it as a golden hex file ([`golden`]). The committed files are
//! bgp-wire's test vectors (`crates/bgp-wire/tests/golden/`, `golden_vectors.rs` there).
//!
//! Nothing here but the round-trip check uses the workspace's codec crate: the golden vectors
//! are meant to test it, so they must come from independent code.
//!
//! Runs the daemons live (as root; a missing daemon fails the test, naming the package to
//! install). A plain run writes target/golden-live/*.hex; `PEERLAB_RECORD_GOLDEN=1` rewrites
//! the committed crates/bgp-wire/tests/golden/*.hex.

mod checks;
mod golden;
mod recorder;
mod scenario;
mod wire;

use linux::peer::PeerKind;
use scenario::AsMode;

/// Runs the scenario against one daemon, checks and writes the recording.
fn record(kind: PeerKind, mode: AsMode) {
    let name = scenario::file_stem(kind, mode);
    let capture = scenario::record(kind, mode).unwrap_or_else(|e| panic!("{name}: {e}"));
    checks::assert_complete(&name, mode, &capture.messages);
    assert_codec_round_trips(&name, mode, &capture.messages);
    let path = golden::write(&capture).unwrap_or_else(|e| panic!("{name}: {e}"));
    eprintln!(
        "{name}: {} messages recorded, written to {}",
        capture.messages.len(),
        path.display()
    );
}

/// What the daemon sent today decodes with bgp-wire, cleanly, and re-encodes byte for byte.
fn assert_codec_round_trips(name: &str, mode: AsMode, messages: &[Vec<u8>]) {
    let cx = bgp_wire::Context {
        four_octet_as: matches!(mode, AsMode::FourOctet),
        ..Default::default()
    };
    for bytes in messages {
        let decoded = bgp_wire::decode(bytes, &cx)
            .unwrap_or_else(|n| panic!("{name}: {n} for {}", hex::encode(bytes)));
        assert_eq!(decoded.rfc7606, None, "{name}: {}", hex::encode(bytes));
        assert_eq!(
            &decoded.message.to_vec(&cx).unwrap(),
            bytes,
            "{name}: re-encoding differs"
        );
    }
}

#[test]
fn frr_records() {
    record(PeerKind::Frr, AsMode::FourOctet);
}

#[test]
fn bird_records() {
    record(PeerKind::Bird, AsMode::FourOctet);
}

#[test]
fn gobgp_records() {
    record(PeerKind::Gobgp, AsMode::FourOctet);
}

#[test]
fn frr_as2_records() {
    record(PeerKind::Frr, AsMode::TwoOctet);
}

#[test]
fn bird_as2_records() {
    record(PeerKind::Bird, AsMode::TwoOctet);
}

#[test]
fn gobgp_as2_records() {
    record(PeerKind::Gobgp, AsMode::TwoOctet);
}

/// The committed files keep their format and still hold the whole scenario.
#[test]
fn committed_golden_files_are_complete() {
    for kind in [PeerKind::Frr, PeerKind::Bird, PeerKind::Gobgp] {
        for mode in [AsMode::FourOctet, AsMode::TwoOctet] {
            let name = scenario::file_stem(kind, mode);
            let path = golden::committed_dir().join(format!("{name}.hex"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let entries =
                golden::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for entry in &entries {
                let prefix = format!("{} ", kind.name());
                assert!(
                    entry.comment.starts_with(&prefix),
                    "{name}: comment {:?}",
                    entry.comment
                );
            }
            let keepalives = entries.iter().filter(|e| e.message[18] == 4).count();
            assert!(keepalives <= 1, "{name}: {keepalives} keepalives");
            let messages: Vec<Vec<u8>> = entries.into_iter().map(|e| e.message).collect();
            checks::assert_complete(&name, mode, &messages);
        }
    }
}
