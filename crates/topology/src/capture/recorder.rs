//! What `--capture DIR` keeps during a run and writes at its end: per cable, the frames the
//! model carried (in memory) or a `tcpdump` of the veth (namespace mode), and per provider-side
//! BGP session, the messages it carried: tapped from the engine's transport in memory
//! ([`super::tap`]), taken back out of the cables' dumps in namespace mode
//! ([`super::reassemble`]).
//!
//! File names: a router's cable is named after the router (`DIR/onprem.pcap`); an InterLink
//! session after its link and family (`DIR/prod-ipv4.mrt`), an OVH session after the
//! configuration the topology names (`DIR/pop-rbx.mrt`). Characters other than letters,
//! digits, `.`, `_` and `-` become `_`.
//!
//! What is kept in memory is bounded ([`LIMIT`]); past it, the rest is counted, not kept.

use super::frames::{Echo, mac};
use super::tap::Way;
use crate::runner::Lab;
use bgp_wire::mrt::{self, Direction, Peering, Timestamp};
use dataplane::pcap::PcapWriter;
use dataplane::{NodeRole, Reach, Trace};
use engine::{Family, LinkSpec};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use world::forecast::SessionName;

/// The most octets kept in memory (frames and messages together).
pub const LIMIT: usize = 256 << 20;

/// Why the capture files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// A file could not be written.
    #[error("--capture: writing {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// An MRT record could not be made.
    #[error("--capture: {0}")]
    Mrt(#[from] mrt::MrtError),
    /// The running world could not be asked.
    #[error("--capture: {0}")]
    World(#[from] world::WorldError),
    /// A tool could not be started.
    #[error("--capture: {0}")]
    Tool(String),
}

type Message = (Duration, Way, Vec<u8>);

#[derive(Default)]
struct Kept {
    frames: BTreeMap<String, Vec<(Duration, Vec<u8>)>>,
    messages: BTreeMap<(String, Family), Vec<Message>>,
    echo_seq: BTreeMap<(IpAddr, IpAddr), u16>,
    octets: usize,
    over: usize,
    tcpdumps: Vec<(String, std::process::Child)>,
}

/// The capture of one run.
pub struct Recorder {
    dir: PathBuf,
    started: tokio::time::Instant,
    wall: Duration,
    kept: Mutex<Kept>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// A name fit for a file.
pub fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '.' | '_' | '-' => c,
            _ => '_',
        })
        .collect()
}

/// Whether a BGP OPEN offers the 4-octet AS capability (RFC 6793, code 65); `None` when
/// `message` is not an OPEN.
fn offers_as4(message: &[u8]) -> Option<bool> {
    if message.get(18) != Some(&1) {
        return None;
    }
    let params_len = usize::from(*message.get(28)?);
    let params = message.get(29..29 + params_len)?;
    let mut i = 0;
    while let (Some(&kind), Some(&len)) = (params.get(i), params.get(i + 1)) {
        let body = params.get(i + 2..i + 2 + usize::from(len))?;
        if kind == 2 {
            let mut j = 0;
            while let (Some(&code), Some(&clen)) = (body.get(j), body.get(j + 1)) {
                if code == 65 {
                    return Some(true);
                }
                j += 2 + usize::from(clen);
            }
        }
        i += 2 + usize::from(len);
    }
    Some(false)
}

impl Recorder {
    /// A capture into `dir` (checked with [`super::check_dir`] first), on the runtime's clock
    /// from now (call it on the run's runtime).
    pub fn new(dir: &Path) -> Recorder {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        Recorder {
            dir: dir.to_path_buf(),
            started: tokio::time::Instant::now(),
            wall,
            kept: Mutex::default(),
        }
    }

    fn now(&self) -> Duration {
        self.wall + self.started.elapsed()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One whole BGP message of the provider's session `(link, family)`.
    pub fn message(&self, session: &(String, Family), way: Way, octets: &[u8]) {
        let at = self.now();
        let mut kept = self.lock();
        if kept.octets + octets.len() > LIMIT {
            kept.over += 1;
            return;
        }
        kept.octets += octets.len();
        kept.messages
            .entry(session.clone())
            .or_default()
            .push((at, way, octets.to_vec()));
    }

    /// The frames of one ping (`reach`) on the cables they crossed: the echo request, and
    /// the reply when the request got there.
    pub fn reach(&self, reach: &Reach) {
        let at = self.now();
        let mut kept = self.lock();
        let pair = (reach.forward.source, reach.forward.destination);
        let seq = {
            let seq = kept.echo_seq.entry(pair).or_default();
            *seq = seq.wrapping_add(1);
            *seq
        };
        let id = u16::from_be_bytes([mac(&pair.0.to_string())[4], mac(&pair.1.to_string())[5]]);
        let mut traces = vec![(&reach.forward, false)];
        if reach.forward.is_delivered() {
            traces.push((&reach.reverse, true));
        }
        for (trace, reply) in traces {
            for (cable, frame) in cable_frames(trace, reply, id, seq) {
                if kept.octets + frame.len() > LIMIT {
                    kept.over += 1;
                    continue;
                }
                kept.octets += frame.len();
                kept.frames.entry(cable).or_default().push((at, frame));
            }
        }
    }

    /// Namespace mode: `tcpdump` on `device` (the provider's end of `cable`) in `netns`,
    /// into `DIR/<cable>.pcap` until the run ends.
    pub fn tcpdump(
        &self,
        netns: &linux::Netns,
        device: &str,
        cable: &str,
    ) -> Result<(), CaptureError> {
        let path = self.dir.join(format!("{}.pcap", file_stem(cable)));
        let child = netns
            .command("tcpdump")
            // -Z root: the file stays root's, like the others of DIR.
            .args(["-i", device, "-U", "-n", "-Z", "root", "-w"])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| CaptureError::Tool(format!("tcpdump on {device}: {e}")))?;
        self.lock().tcpdumps.push((cable.to_string(), child));
        Ok(())
    }

    /// Whether a tcpdump already runs for `cable`.
    pub fn dumps(&self, cable: &str) -> bool {
        self.lock().tcpdumps.iter().any(|(c, _)| c == cable)
    }

    /// Writes the files (and stops the tcpdumps); the files written.
    pub async fn finish(&self, lab: &Lab) -> Result<Vec<PathBuf>, CaptureError> {
        let (frames, messages, tcpdumps, over) = {
            let mut kept = self.lock();
            (
                std::mem::take(&mut kept.frames),
                std::mem::take(&mut kept.messages),
                std::mem::take(&mut kept.tcpdumps),
                kept.over,
            )
        };
        if over > 0 {
            tracing::warn!(
                over,
                "--capture: past {LIMIT} octets, records were not kept"
            );
        }
        let mut written = Vec::new();
        let mut dumped = Vec::new();
        for (cable, mut child) in tcpdumps {
            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: kill(2) on our own child, not yet reaped.
                unsafe { libc::kill(pid, libc::SIGINT) };
            }
            let _ = tokio::task::spawn_blocking(move || child.wait()).await;
            let path = self.dir.join(format!("{}.pcap", file_stem(&cable)));
            dumped.push(path.clone());
            written.push(path);
        }
        for (cable, frames) in frames {
            let path = self.dir.join(format!("{}.pcap", file_stem(&cable)));
            write_pcap(&path, &frames)?;
            written.push(path);
        }
        let inputs = lab.world.inputs().await?;
        let names = world::forecast::session_names(&inputs);
        let specs = lab.world.read(specs).await?;
        let mut messages = messages;
        for path in dumped {
            // Namespace mode: the sessions' messages are in the cables' dumps.
            let file = std::fs::read(&path).map_err(|source| CaptureError::Write {
                path: path.clone(),
                source,
            })?;
            for ((from, to), found) in super::reassemble::messages(&file) {
                let Some((session, way)) = session_of(&specs, from.ip(), to.ip()) else {
                    continue;
                };
                if found.is_empty() {
                    continue;
                }
                let kept = messages.entry(session).or_default();
                kept.extend(found.into_iter().map(|(at, m)| (at, way, m)));
            }
        }
        for kept in messages.values_mut() {
            kept.sort_by_key(|(at, ..)| *at);
        }
        for ((id, family), messages) in messages {
            let stem = match names.get(&id) {
                Some(SessionName::Link { link, .. }) => format!("{link}-{}", family.name()),
                Some(SessionName::Ovh { name }) => name.clone(),
                None => format!("{id}-{}", family.name()),
            };
            let path = self.dir.join(format!("{}.mrt", file_stem(&stem)));
            let peering = peering(specs.get(&id), family, &messages)?;
            write_mrt(&path, &peering, &messages)?;
            written.push(path);
        }
        written.sort();
        written.dedup();
        Ok(written)
    }
}

/// The engine specs of every session the provider runs now, by engine ID.
fn specs(s: &world::State) -> BTreeMap<String, LinkSpec> {
    let mut out: BTreeMap<String, LinkSpec> = world::engine_sync::interlink::desired(&s.interlink)
        .values()
        .map(|c| {
            let spec = world::engine_sync::interlink::link_spec(c);
            (spec.id.clone(), spec)
        })
        .collect();
    for session in s.ovh.sessions() {
        let spec = world::engine_sync::ovh::link_spec(&session);
        out.insert(spec.id.clone(), spec);
    }
    out
}

/// The session whose addresses are `from` and `to`, and which way the message went.
fn session_of(
    specs: &BTreeMap<String, LinkSpec>,
    from: IpAddr,
    to: IpAddr,
) -> Option<((String, Family), Way)> {
    specs.iter().find_map(|(id, spec)| {
        Family::ALL.into_iter().find_map(|family| {
            let (local, peer) = spec.addresses(family);
            let way = match (from, to) {
                _ if (from, to) == (local, peer) => Way::Sent,
                _ if (from, to) == (peer, local) => Way::Received,
                _ => return None,
            };
            Some(((id.clone(), family), way))
        })
    })
}

/// The MRT peering of a session: its addresses and ASNs from its spec; for a session that is
/// gone (a deleted link), the ASNs of its OPENs and unspecified addresses.
fn peering(
    spec: Option<&LinkSpec>,
    family: Family,
    messages: &[Message],
) -> Result<Peering, CaptureError> {
    let asn_of = |way: Way| {
        messages
            .iter()
            .filter(|(_, w, m)| *w == way && m.get(18) == Some(&1))
            .find_map(|(_, _, m)| {
                m.get(20..22)
                    .map(|a| u32::from(u16::from_be_bytes([a[0], a[1]])))
            })
    };
    let (local_asn, peer_asn, (local, peer)) = match spec {
        Some(s) => (s.local_asn, s.peer_asn, s.addresses(family)),
        None => {
            let unspecified: IpAddr = match family {
                Family::Ipv4 => std::net::Ipv4Addr::UNSPECIFIED.into(),
                Family::Ipv6 => std::net::Ipv6Addr::UNSPECIFIED.into(),
            };
            (
                asn_of(Way::Sent).unwrap_or(0),
                asn_of(Way::Received).unwrap_or(0),
                (unspecified, unspecified),
            )
        }
    };
    let mut p = Peering::new(peer_asn, local_asn, peer, local)?;
    // Both OPENs must offer 4-octet AS numbers for the session to use them.
    p.four_octet_as = messages
        .iter()
        .filter_map(|(_, _, m)| offers_as4(m))
        .all(|offers| offers);
    Ok(p)
}

fn write_pcap(path: &Path, frames: &[(Duration, Vec<u8>)]) -> Result<(), CaptureError> {
    let error = |source| CaptureError::Write {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::create(path).map_err(error)?;
    let mut pcap = PcapWriter::new(std::io::BufWriter::new(file)).map_err(error)?;
    for (at, frame) in frames {
        pcap.write_frame(*at, frame).map_err(error)?;
    }
    pcap.flush().map_err(error)
}

fn write_mrt(path: &Path, peering: &Peering, messages: &[Message]) -> Result<(), CaptureError> {
    let mut out = Vec::new();
    for (at, way, m) in messages {
        let direction = match way {
            Way::Received => Direction::Received,
            Way::Sent => Direction::Sent,
        };
        mrt::write_message(&mut out, Timestamp::from_unix(*at), peering, direction, m)?;
    }
    std::fs::write(path, out).map_err(|source| CaptureError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The frames of one traced packet on the cables it crossed: where a router hands it to a
/// provider or back, the frame between them, with the tag it left with.
fn cable_frames(trace: &Trace, reply: bool, id: u16, seq: u16) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for pair in trace.hops.windows(2) {
        let [a, b] = pair else { continue };
        let cable = match (a.at.role, b.at.role) {
            (NodeRole::Router, NodeRole::Provider) => &a.at.node,
            (NodeRole::Provider, NodeRole::Router) => &b.at.node,
            _ => continue,
        };
        let vlan = a.egress.as_ref().and_then(|e| e.tag.0).map(|v| v.get());
        let echo = Echo {
            from: mac(&a.at.node),
            to: mac(&b.at.node),
            vlan,
            source: trace.source,
            destination: trace.destination,
            reply,
            id,
            seq,
        };
        if let Some(frame) = echo.frame() {
            out.push((cable.clone(), frame));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_plain_characters() {
        assert_eq!(file_stem("prod-ipv4"), "prod-ipv4");
        assert_eq!(file_stem("../x y"), ".._x_y");
    }

    #[test]
    fn the_as4_capability_is_found_in_an_open() {
        // OPEN, AS 64512, hold 90, id 1.2.3.4, one capabilities parameter: MP (1) and AS4 (65).
        let mut open = vec![0xff; 16];
        open.extend_from_slice(&[0, 0, 1, 4, 0xfc, 0, 0, 90, 1, 2, 3, 4, 14, 2, 12]);
        open.extend_from_slice(&[1, 4, 0, 1, 0, 1, 65, 4, 0, 0, 0xfc, 0]);
        let len = u16::try_from(open.len()).unwrap().to_be_bytes();
        open[16..18].copy_from_slice(&len);
        assert_eq!(offers_as4(&open), Some(true));
        let keepalive = [[0xff; 16].as_slice(), &[0, 19, 4]].concat();
        assert_eq!(offers_as4(&keepalive), None);
        // Truncated: no panic.
        assert_eq!(offers_as4(&open[..30]), None);
    }
}
