//! The Ethernet frames of an ICMP echo (a ping) as the model carries it: what `--capture`
//! writes into a cable's pcap in memory. Each frame is whole and valid (IPv4 header and ICMP
//! checksums, ICMPv6 with its pseudo-header checksum), so tshark dissects it like a capture off
//! a wire: MACs, the 802.1Q tag the frame carried on that cable, addresses, echo id and seq.
//!
//! MAC addresses are the model's, not a kernel's: locally administered (`02:…`), derived from
//! the node's name, so the same node has the same MAC in every capture.

use std::net::IpAddr;

/// A MAC address for a node of the model: `02:` and five octets of the FNV-1a hash of its
/// name.
pub fn mac(name: &str) -> [u8; 6] {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let h = hash.to_be_bytes();
    [0x02, h[3], h[4], h[5], h[6], h[7]]
}

/// The Internet checksum (RFC 1071) of `data`, starting from `sum`.
fn checksum(sum: u32, data: &[u8]) -> u16 {
    let mut sum = sum;
    for pair in data.chunks(2) {
        let word = match pair {
            [a, b] => u16::from_be_bytes([*a, *b]),
            [a] => u16::from_be_bytes([*a, 0]),
            _ => 0,
        };
        sum = sum.wrapping_add(u32::from(word));
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// 32 octets of payload, as `ping` sends by default on Linux after its timestamp.
const PAYLOAD: [u8; 32] = *b"peerlab probe 0123456789abcdefgh";

/// One echo request (or reply), as a frame from `from` to `to` on a cable tagged `vlan`.
pub struct Echo {
    /// The sending node's MAC.
    pub from: [u8; 6],
    /// The receiving node's MAC.
    pub to: [u8; 6],
    /// The 802.1Q VLAN the frame carries on the cable, if any.
    pub vlan: Option<u16>,
    /// The packet's source.
    pub source: IpAddr,
    /// The packet's destination.
    pub destination: IpAddr,
    /// A reply rather than a request.
    pub reply: bool,
    /// The echo identifier.
    pub id: u16,
    /// The echo sequence number.
    pub seq: u16,
}

impl Echo {
    /// The frame, padded to Ethernet's 60-octet minimum (without the FCS); `None` when the
    /// source and destination are of two families.
    pub fn frame(&self) -> Option<Vec<u8>> {
        let mut icmp = Vec::with_capacity(8 + PAYLOAD.len());
        let kind = match (self.source, self.reply) {
            (IpAddr::V4(_), false) => 8,
            (IpAddr::V4(_), true) => 0,
            (IpAddr::V6(_), false) => 128,
            (IpAddr::V6(_), true) => 129,
        };
        icmp.extend_from_slice(&[kind, 0, 0, 0]);
        icmp.extend_from_slice(&self.id.to_be_bytes());
        icmp.extend_from_slice(&self.seq.to_be_bytes());
        icmp.extend_from_slice(&PAYLOAD);
        let length = u16::try_from(icmp.len()).ok()?;
        let (ethertype, packet) = match (self.source, self.destination) {
            (IpAddr::V4(s), IpAddr::V4(d)) => {
                let sum = checksum(0, &icmp).to_be_bytes();
                icmp[2..4].copy_from_slice(&sum);
                let total = (20 + length).to_be_bytes();
                let mut ip = vec![0x45, 0, total[0], total[1], 0, 0, 0x40, 0, 64, 1, 0, 0];
                ip.extend_from_slice(&s.octets());
                ip.extend_from_slice(&d.octets());
                let sum = checksum(0, &ip).to_be_bytes();
                ip[10..12].copy_from_slice(&sum);
                ip.extend_from_slice(&icmp);
                (0x0800u16, ip)
            }
            (IpAddr::V6(s), IpAddr::V6(d)) => {
                // The pseudo-header (RFC 8200 §8.1): addresses, length, next header 58.
                let mut pseudo = Vec::with_capacity(40);
                pseudo.extend_from_slice(&s.octets());
                pseudo.extend_from_slice(&d.octets());
                pseudo.extend_from_slice(&u32::from(length).to_be_bytes());
                pseudo.extend_from_slice(&[0, 0, 0, 58]);
                let sum: u32 = pseudo
                    .chunks(2)
                    .map(|p| u32::from(u16::from_be_bytes([p[0], p[1]])))
                    .sum();
                let sum = checksum(sum, &icmp).to_be_bytes();
                icmp[2..4].copy_from_slice(&sum);
                let l = length.to_be_bytes();
                let mut ip = vec![0x60, 0, 0, 0, l[0], l[1], 58, 64];
                ip.extend_from_slice(&s.octets());
                ip.extend_from_slice(&d.octets());
                ip.extend_from_slice(&icmp);
                (0x86dd, ip)
            }
            _ => return None,
        };
        let mut frame = Vec::with_capacity(18 + packet.len());
        frame.extend_from_slice(&self.to);
        frame.extend_from_slice(&self.from);
        if let Some(vlan) = self.vlan {
            frame.extend_from_slice(&0x8100u16.to_be_bytes());
            frame.extend_from_slice(&(vlan & 0x0fff).to_be_bytes());
        }
        frame.extend_from_slice(&ethertype.to_be_bytes());
        frame.extend_from_slice(&packet);
        if frame.len() < 60 {
            frame.resize(60, 0);
        }
        Some(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv4_echo_has_valid_checksums_and_its_tag() {
        let echo = Echo {
            from: mac("onprem"),
            to: mac("scaleway"),
            vlan: Some(2001),
            source: "10.1.0.10".parse().unwrap(),
            destination: "172.16.4.10".parse().unwrap(),
            reply: false,
            id: 7,
            seq: 1,
        };
        let f = echo.frame().unwrap();
        assert_eq!(&f[12..16], &[0x81, 0x00, 0x07, 0xd1]);
        assert_eq!(&f[16..18], &[0x08, 0x00]);
        let ip = &f[18..38];
        assert_eq!(checksum(0, ip), 0, "IPv4 header checksum");
        let icmp = &f[38..];
        assert_eq!(icmp[0], 8);
        assert_eq!(checksum(0, icmp), 0, "ICMP checksum");
    }

    #[test]
    fn macs_are_stable_and_locally_administered() {
        assert_eq!(mac("onprem"), mac("onprem"));
        assert_ne!(mac("onprem"), mac("scaleway"));
        assert_eq!(mac("x")[0], 0x02);
    }

    #[test]
    fn mixed_families_make_no_frame() {
        let echo = Echo {
            from: mac("a"),
            to: mac("b"),
            vlan: None,
            source: "10.0.0.1".parse().unwrap(),
            destination: "::1".parse().unwrap(),
            reply: true,
            id: 1,
            seq: 1,
        };
        assert!(echo.frame().is_none());
    }
}
