//! The golden file format: one BGP message per line as lowercase hex of the
//! whole message (marker included), each after a `# ` comment line naming
//! it, below a header of `# ` lines saying how the file was produced. No
//! blank lines; at most one KEEPALIVE.

use super::scenario::{self, AsMode, Capture};
use super::wire::{self, Update};
use linux::peer::PeerKind;
use std::fs;
use std::path::{Path, PathBuf};

/// Set to `1` to rewrite the committed files in crates/bgp-wire/tests/golden/.
pub const RECORD_ENV: &str = "PEERLAB_RECORD_GOLDEN";

/// A message read back from a golden file, with its comment.
#[derive(Clone, Debug)]
pub struct Entry {
    pub comment: String,
    pub message: Vec<u8>,
}

/// crates/bgp-wire/tests/golden/, where the committed files live: the codec's test vectors.
pub fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../bgp-wire/tests/golden")
}

/// Where a live run writes: the committed directory when re-recording, otherwise the
/// workspace's target/golden-live/ so that a plain `cargo test` leaves the tree clean.
pub fn output_dir() -> PathBuf {
    if std::env::var(RECORD_ENV).as_deref() == Ok("1") {
        committed_dir()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/golden-live")
    }
}

/// Writes the capture as `<output_dir>/<name>.hex` (atomically, so a reader
/// never sees half a file) and returns the path.
pub fn write(capture: &Capture) -> Result<PathBuf, String> {
    let dir = output_dir();
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.hex", capture.name()));
    let tmp = path.with_extension("hex.tmp");
    fs::write(&tmp, render(capture)).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    fs::rename(&tmp, &path).map_err(|e| format!("cannot rename to {}: {e}", path.display()))?;
    Ok(path)
}

/// The whole file text of a capture.
pub fn render(capture: &Capture) -> String {
    let name = capture.kind.name();
    let mut out = header(capture);
    let mut keepalive_seen = false;
    for msg in &capture.messages {
        if wire::kind(msg) == wire::KEEPALIVE {
            if keepalive_seen {
                continue;
            }
            keepalive_seen = true;
        }
        let label = match wire::kind(msg) {
            wire::OPEN => format!("{} open {}", capture.version, describe(msg)),
            _ => describe(msg),
        };
        out.push_str(&format!("# {name} {label}\n{}\n", wire::to_hex(msg)));
    }
    out
}

fn header(c: &Capture) -> String {
    let daemon = match c.kind {
        PeerKind::Frr => "FRR bgpd",
        PeerKind::Bird => "BIRD",
        PeerKind::Gobgp => "GoBGP gobgpd",
    };
    let mode = match c.mode {
        AsMode::FourOctet => "4-octet AS (the recorder offers capability 65)",
        AsMode::TwoOctet => "2-octet AS (no capability 65 from the recorder: AS_TRANS, AS4_PATH)",
    };
    let test = format!("{}_records", c.name().replace('-', "_"));
    format!(
        "# BGP messages sent by {daemon} {version} to a peer, recorded live.\n\
         # Mode: {mode}; daemon AS {daemon_as}, recorder AS {recorder_as}.\n\
         # Scenario (crates/linux/tests/golden_capture/scenario.rs): announce, End-of-RIB, withdraw, shutdown.\n\
         # Re-record (as root): {RECORD_ENV}=1 cargo test -p linux --test golden_capture {test}\n\
         # Format: a '# ' line naming each message, then the whole message as lowercase\n\
         # hex, marker included. Only the first KEEPALIVE is kept.\n",
        version = c.version,
        daemon_as = scenario::DAEMON_AS,
        recorder_as = scenario::RECORDER_AS,
    )
}

/// A short description of a message for its comment line.
pub fn describe(msg: &[u8]) -> String {
    match wire::kind(msg) {
        wire::OPEN => {
            let (two, four) = wire::open_as(msg);
            let four = four.map_or("none".to_owned(), |a| a.to_string());
            let hold = u16::from_be_bytes([wire::body(msg)[3], wire::body(msg)[4]]);
            format!("(my_as {two}, 4-octet as {four}, hold {hold})")
        }
        wire::UPDATE => Update::parse(msg).map_or_else(
            |e| format!("update (malformed: {e})"),
            |u| describe_update(&u),
        ),
        wire::NOTIFICATION => describe_notification(wire::body(msg)),
        wire::KEEPALIVE => "keepalive".into(),
        wire::ROUTE_REFRESH => "route-refresh".into(),
        other => format!("unknown message type {other}"),
    }
}

fn describe_update(u: &Update) -> String {
    if u.is_ipv4_end_of_rib() {
        return "end-of-rib ipv4".into();
    }
    match u.mp_end_of_rib() {
        Some((wire::AFI_IPV6, _)) => return "end-of-rib ipv6".into(),
        Some((afi, safi)) => return format!("end-of-rib afi {afi} safi {safi}"),
        None => {}
    }
    let mut parts = Vec::new();
    if !u.withdrawn.is_empty() {
        parts.push(format!(
            "withdraw {}",
            wire::prefixes(u.withdrawn, wire::AFI_IPV4).join(" ")
        ));
    }
    if let Some(unreach) = u.mp_unreach() {
        let family = if unreach.afi == wire::AFI_IPV6 {
            "ipv6"
        } else {
            "ipv4"
        };
        parts.push(format!(
            "{family} mp_unreach {}",
            wire::prefixes(unreach.nlri, unreach.afi).join(" ")
        ));
    }
    if !u.nlri.is_empty() {
        parts.push(format!(
            "ipv4 announce {}",
            wire::prefixes(u.nlri, wire::AFI_IPV4).join(" ")
        ));
    }
    if let Some(reach) = u.mp_reach() {
        let family = if reach.afi == wire::AFI_IPV6 {
            "ipv6"
        } else {
            "ipv4"
        };
        let next_hops: Vec<String> = wire::next_hops(reach.afi, reach.next_hop)
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        parts.push(format!(
            "{family} mp_reach {} next hop {}",
            wire::prefixes(reach.nlri, reach.afi).join(" "),
            next_hops.join(" ")
        ));
    }
    let announces = !u.nlri.is_empty() || u.mp_reach().is_some();
    let attrs: Vec<&str> = u.codes().into_iter().map(attribute_name).collect();
    if announces {
        parts.push(format!("[{}]", attrs.join(" ")));
    }
    format!("update {}", parts.join("; "))
}

fn attribute_name(code: u8) -> &'static str {
    match code {
        1 => "origin",
        wire::ATTR_AS_PATH => "as_path",
        3 => "next_hop",
        wire::ATTR_MED => "med",
        5 => "local_pref",
        wire::ATTR_COMMUNITIES => "communities",
        wire::ATTR_MP_REACH => "mp_reach",
        wire::ATTR_MP_UNREACH => "mp_unreach",
        wire::ATTR_EXT_COMMUNITIES => "ext_communities",
        wire::ATTR_AS4_PATH => "as4_path",
        wire::ATTR_LARGE_COMMUNITIES => "large_communities",
        _ => "other",
    }
}

fn describe_notification(body: &[u8]) -> String {
    let (code, subcode) = (
        body.first().copied().unwrap_or(0),
        body.get(1).copied().unwrap_or(0),
    );
    let text = match (code, subcode) {
        (wire::NOTIFICATION_CEASE, 2) => "cease admin-shutdown".to_owned(),
        (wire::NOTIFICATION_CEASE, 3) => "cease peer-deconfigured".to_owned(),
        (wire::NOTIFICATION_CEASE, s) => format!("cease subcode {s}"),
        (c, s) => format!("code {c} subcode {s}"),
    };
    // RFC 8203 shutdown communication: length byte then UTF-8.
    let message = body
        .get(2..)
        .and_then(|d| d.split_first())
        .and_then(|(&len, rest)| rest.get(..usize::from(len)))
        .filter(|m| !m.is_empty())
        .map(|m| format!(" \"{}\"", String::from_utf8_lossy(m)));
    format!("notification {text}{}", message.unwrap_or_default())
}

/// Reads a golden file back, enforcing the format.
pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut comment: Option<&str> = None;
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if let Some(c) = line.strip_prefix("# ") {
            comment = Some(c);
        } else if line.is_empty() {
            return Err(format!("line {n}: blank lines are not allowed"));
        } else {
            let comment = comment
                .take()
                .ok_or(format!("line {n}: message without a comment"))?;
            if line
                .bytes()
                .any(|b| !matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            {
                return Err(format!("line {n}: not lowercase hex"));
            }
            let message = wire::from_hex(line).map_err(|e| format!("line {n}: {e}"))?;
            let len = wire::check_header(&message).map_err(|e| format!("line {n}: {e}"))?;
            if len != message.len() {
                return Err(format!(
                    "line {n}: header says {len} bytes, line has {}",
                    message.len()
                ));
            }
            entries.push(Entry {
                comment: comment.to_owned(),
                message,
            });
        }
    }
    Ok(entries)
}
