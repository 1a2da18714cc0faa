//! The BGP messages in a cable's pcap (namespace mode, where the sessions run over real TCP
//! and the cable is `tcpdump`ed): each TCP stream to or from port 179 put back in order and
//! cut into whole messages, with the time of the segment that completed each.
//!
//! Reading is defensive: a frame that is not Ethernet / 802.1Q / IPv4 or IPv6 / TCP is
//! skipped, a stream with a hole (octets never captured) is cut there and framing starts again
//! at the next BGP marker, and nothing in the file can make it panic or hold more than the
//! file's size.

use super::tap::Framer;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// BGP's port.
const BGP_PORT: u16 = 179;

/// One TCP segment carrying data.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    at: Duration,
    from: SocketAddr,
    to: SocketAddr,
    seq: u32,
    syn: bool,
    payload: Vec<u8>,
}

/// The records of a classic pcap file (either byte order, micro- or nanosecond times): each
/// frame with its time since the epoch. `None` when it is not a pcap file of Ethernet frames.
pub fn frames(file: &[u8]) -> Option<Vec<(Duration, &[u8])>> {
    let magic = file.get(..4)?;
    let (big, nanos) = match magic {
        [0xd4, 0xc3, 0xb2, 0xa1] => (false, false),
        [0xa1, 0xb2, 0xc3, 0xd4] => (true, false),
        [0x4d, 0x3c, 0xb2, 0xa1] => (false, true),
        [0xa1, 0xb2, 0x3c, 0x4d] => (true, true),
        _ => return None,
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = file.get(at..at + 4)?.try_into().ok()?;
        Some(if big {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    if u32_at(20)? != 1 {
        return None;
    }
    let mut out = Vec::new();
    let mut at = 24;
    while let (Some(seconds), Some(fraction), Some(kept)) =
        (u32_at(at), u32_at(at + 4), u32_at(at + 8))
    {
        let start = at + 16;
        let Some(frame) = file.get(start..start + kept as usize) else {
            break;
        };
        let sub = if nanos {
            Duration::from_nanos(u64::from(fraction))
        } else {
            Duration::from_micros(u64::from(fraction))
        };
        out.push((Duration::from_secs(u64::from(seconds)) + sub, frame));
        at = start + kept as usize;
    }
    Some(out)
}

/// The TCP segment to or from port 179 in an Ethernet frame, if it is one.
fn segment(at: Duration, frame: &[u8]) -> Option<Segment> {
    let mut offset = 12;
    let mut ethertype = u16::from_be_bytes(frame.get(offset..offset + 2)?.try_into().ok()?);
    // 802.1Q and 802.1ad tags, however many.
    while ethertype == 0x8100 || ethertype == 0x88a8 {
        offset += 4;
        ethertype = u16::from_be_bytes(frame.get(offset..offset + 2)?.try_into().ok()?);
    }
    let ip = frame.get(offset + 2..)?;
    let (source, destination, tcp) = match ethertype {
        0x0800 => {
            let header = usize::from(ip.first()? & 0x0f) * 4;
            let total = usize::from(u16::from_be_bytes(ip.get(2..4)?.try_into().ok()?));
            if *ip.get(9)? != 6 || header < 20 {
                return None;
            }
            let s: [u8; 4] = ip.get(12..16)?.try_into().ok()?;
            let d: [u8; 4] = ip.get(16..20)?.try_into().ok()?;
            let tcp = ip.get(header..total.min(ip.len()))?;
            (
                IpAddr::from(Ipv4Addr::from(s)),
                IpAddr::from(Ipv4Addr::from(d)),
                tcp,
            )
        }
        0x86dd => {
            let length = usize::from(u16::from_be_bytes(ip.get(4..6)?.try_into().ok()?));
            if *ip.get(6)? != 6 {
                return None;
            }
            let s: [u8; 16] = ip.get(8..24)?.try_into().ok()?;
            let d: [u8; 16] = ip.get(24..40)?.try_into().ok()?;
            let tcp = ip.get(40..(40 + length).min(ip.len()))?;
            (
                IpAddr::from(Ipv6Addr::from(s)),
                IpAddr::from(Ipv6Addr::from(d)),
                tcp,
            )
        }
        _ => return None,
    };
    let sport = u16::from_be_bytes(tcp.get(0..2)?.try_into().ok()?);
    let dport = u16::from_be_bytes(tcp.get(2..4)?.try_into().ok()?);
    if sport != BGP_PORT && dport != BGP_PORT {
        return None;
    }
    let seq = u32::from_be_bytes(tcp.get(4..8)?.try_into().ok()?);
    let header = usize::from(tcp.get(12)? >> 4) * 4;
    let flags = *tcp.get(13)?;
    Some(Segment {
        at,
        from: SocketAddr::new(source, sport),
        to: SocketAddr::new(destination, dport),
        seq,
        syn: flags & 0x02 != 0,
        payload: tcp.get(header..)?.to_vec(),
    })
}

/// Whole BGP messages, each with the time of the segment that completed it.
pub type Messages = Vec<(Duration, Vec<u8>)>;

/// The whole BGP messages of every TCP direction in `file`, keyed by (sender, receiver).
pub fn messages(file: &[u8]) -> BTreeMap<(SocketAddr, SocketAddr), Messages> {
    let mut flows: BTreeMap<(SocketAddr, SocketAddr), Flow> = BTreeMap::new();
    for (at, frame) in frames(file).unwrap_or_default() {
        let Some(s) = segment(at, frame) else {
            continue;
        };
        flows.entry((s.from, s.to)).or_default().take(s);
    }
    flows.into_iter().map(|(k, f)| (k, f.out)).collect()
}

/// One direction of a TCP connection being put back together.
#[derive(Default)]
struct Flow {
    /// The sequence number of the next octet expected.
    next: Option<u32>,
    /// Whether the framer is at a message boundary (after a SYN or a marker found).
    synced: bool,
    framer: Framer,
    out: Messages,
}

impl Flow {
    fn take(&mut self, s: Segment) {
        if s.syn {
            // A new connection: its data starts after the SYN, at a message boundary.
            self.next = Some(s.seq.wrapping_add(1));
            self.framer = Framer::default();
            self.synced = true;
        }
        if s.payload.is_empty() {
            return;
        }
        let next = *self.next.get_or_insert(s.seq);
        // How far the segment starts after the next expected octet (modulo 2^32).
        let ahead = s.seq.wrapping_sub(next);
        let mut data: &[u8] = if ahead == 0 {
            &s.payload
        } else if ahead > u32::MAX / 2 {
            // A retransmission overlapping what was taken: only what is new.
            let seen = usize::try_from(next.wrapping_sub(s.seq)).unwrap_or(usize::MAX);
            match s.payload.get(seen..) {
                Some(rest) if !rest.is_empty() => rest,
                _ => return,
            }
        } else {
            // A hole: framing starts again at the next marker.
            self.synced = false;
            &s.payload
        };
        self.next = Some(s.seq.wrapping_add(s.payload.len() as u32));
        if !self.synced {
            // Mid-stream (the capture began late, or octets are missing): from a marker on.
            let Some(i) = marker(data) else { return };
            data = data.get(i..).unwrap_or_default();
            self.framer = Framer::default();
            self.synced = true;
        }
        let out = &mut self.out;
        self.framer.feed(data, |m| out.push((s.at, m.to_vec())));
        if self.framer.is_broken() {
            self.synced = false;
        }
    }
}

/// Where the first BGP marker (16 × 0xff) starts.
fn marker(data: &[u8]) -> Option<usize> {
    data.windows(16).position(|w| w == [0xff; 16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keepalive() -> Vec<u8> {
        [[0xff; 16].as_slice(), &[0, 19, 4]].concat()
    }

    /// An Ethernet frame with a VLAN tag, IPv4 and TCP carrying `payload`.
    fn frame(
        from: [u8; 4],
        to: [u8; 4],
        sport: u16,
        dport: u16,
        seq: u32,
        syn: bool,
        payload: &[u8],
    ) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x81, 0x00, 0x07, 0xd1, 0x08, 0x00]);
        let total = u16::try_from(40 + payload.len()).unwrap().to_be_bytes();
        f.extend_from_slice(&[0x45, 0, total[0], total[1], 0, 0, 0, 0, 64, 6, 0, 0]);
        f.extend_from_slice(&from);
        f.extend_from_slice(&to);
        f.extend_from_slice(&sport.to_be_bytes());
        f.extend_from_slice(&dport.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&[
            0,
            0,
            0,
            0,
            0x50,
            if syn { 0x02 } else { 0x18 },
            0,
            0,
            0,
            0,
            0,
            0,
        ]);
        f.extend_from_slice(payload);
        f
    }

    fn pcap(frames: &[Vec<u8>]) -> Vec<u8> {
        let mut w = dataplane::pcap::PcapWriter::new(Vec::new()).unwrap();
        for (i, f) in frames.iter().enumerate() {
            w.write_frame(Duration::from_secs(100 + i as u64), f)
                .unwrap();
        }
        w.into_inner()
    }

    #[test]
    fn a_stream_split_retransmitted_and_out_of_the_box_comes_back_whole() {
        let (a, b) = ([169, 254, 0, 0], [169, 254, 0, 1]);
        let two = [keepalive(), keepalive()].concat();
        let file = pcap(&[
            frame(b, a, 40000, 179, 999, true, &[]),
            frame(b, a, 40000, 179, 1000, false, &two[..10]),
            frame(b, a, 40000, 179, 1010, false, &two[10..30]),
            // A retransmission of what was taken, with 4 new octets.
            frame(b, a, 40000, 179, 1020, false, &two[20..34]),
            frame(b, a, 40000, 179, 1034, false, &two[34..]),
            // Not BGP.
            frame(b, a, 40000, 80, 5, false, b"GET /"),
        ]);
        let m = messages(&file);
        assert_eq!(m.len(), 1);
        let stream = m.values().next().unwrap();
        assert_eq!(stream.len(), 2);
        assert_eq!(stream[0].1, keepalive());
        assert_eq!(stream[0].0, Duration::from_secs(102));
        assert_eq!(stream[1].0, Duration::from_secs(104));
    }

    #[test]
    fn after_a_hole_framing_starts_again_at_a_marker() {
        let (a, b) = ([169, 254, 0, 0], [169, 254, 0, 1]);
        let k = keepalive();
        let file = pcap(&[
            frame(a, b, 179, 40000, 1, false, &k[5..]),
            frame(a, b, 179, 40000, 500, false, &[&[1, 2, 3][..], &k].concat()),
        ]);
        let m = messages(&file);
        let all: Vec<&Vec<u8>> = m.values().flatten().map(|(_, m)| m).collect();
        assert_eq!(all, [&k]);
    }

    #[test]
    fn anything_is_read_without_panicking() {
        assert!(frames(b"nope").is_none());
        let file = pcap(&[
            vec![0xff; 3],
            vec![0x81; 20],
            frame([1; 4], [2; 4], 179, 179, 0, false, &[0xff; 40]),
        ]);
        for cut in 0..file.len() {
            let _ = messages(&file[..cut]);
        }
    }
}
