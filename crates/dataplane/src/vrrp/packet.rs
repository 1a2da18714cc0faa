//! The VRRP version 3 ADVERTISEMENT (RFC 5798 §5.1), for IPv4 and IPv6.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |(rsvd) |     Max Adver Int     |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       IPvX Address(es)                        |
//! ```
//!
//! The checksum (§5.2.8) covers the VRRP message and a pseudo-header: RFC 2460 §8.1's for IPv6,
//! and, for IPv4, the IPv4 pseudo-header (source, destination, zero, protocol 112, length) that
//! FRR, keepalived and Wireshark use, since the RFC's text names only the IPv6 one.
//! Advertisements are always sent to the VRRP group address (224.0.0.18 or ff02::12), so that is
//! the destination in the pseudo-header.
//!
//! This is the message only: no IP header (TTL 255 is the sender's job), no socket.
//! [`Advertisement::decode`] never panics, whatever the bytes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use thiserror::Error;

/// The IP protocol number of VRRP.
pub const PROTOCOL: u8 = 112;
/// The IPv4 multicast group advertisements are sent to.
pub const GROUP_V4: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 18);
/// The IPv6 multicast group advertisements are sent to.
pub const GROUP_V6: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x12);
/// The version this module speaks.
pub const VERSION: u8 = 3;
/// The only message type: ADVERTISEMENT.
pub const TYPE_ADVERTISEMENT: u8 = 1;
/// The largest Max Adver Int (12 bits), in centiseconds.
pub const MAX_ADVER_INT: u16 = 0x0fff;

/// Field offsets of the fixed part.
mod field {
    pub const VERSION_TYPE: usize = 0;
    pub const VRID: usize = 1;
    pub const PRIORITY: usize = 2;
    pub const COUNT: usize = 3;
    pub const MAX_ADVER_INT: std::ops::Range<usize> = 4..6;
    pub const CHECKSUM: std::ops::Range<usize> = 6..8;
    pub const ADDRESSES: usize = 8;
}

/// The virtual addresses of an advertisement: all of one family.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Addresses {
    /// IPv4 virtual addresses.
    V4(Vec<Ipv4Addr>),
    /// IPv6 virtual addresses (the first is the link-local one, RFC 5798 §5.2.9).
    V6(Vec<Ipv6Addr>),
}

impl Addresses {
    /// How many addresses.
    pub fn len(&self) -> usize {
        match self {
            Addresses::V4(a) => a.len(),
            Addresses::V6(a) => a.len(),
        }
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The addresses, as `IpAddr`.
    pub fn to_vec(&self) -> Vec<IpAddr> {
        match self {
            Addresses::V4(a) => a.iter().copied().map(IpAddr::V4).collect(),
            Addresses::V6(a) => a.iter().copied().map(IpAddr::V6).collect(),
        }
    }

    fn is_ipv4(&self) -> bool {
        matches!(self, Addresses::V4(_))
    }
}

/// A VRRP version 3 ADVERTISEMENT.
///
/// ```
/// use dataplane::vrrp::{Addresses, Advertisement};
/// use std::net::Ipv4Addr;
///
/// let ad = Advertisement {
///     vrid: 1,
///     priority: 100,
///     max_adver_int: 100, // centiseconds: one second
///     addresses: Addresses::V4(vec![Ipv4Addr::new(192, 0, 2, 1)]),
/// };
/// let source = "192.0.2.2".parse().unwrap();
/// let bytes = ad.encode(source).unwrap();
/// assert_eq!(bytes.len(), ad.buffer_len());
/// assert_eq!(Advertisement::decode(&bytes, source), Ok(ad));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Advertisement {
    /// The Virtual Router Identifier, 1..=255.
    pub vrid: u8,
    /// The sender's priority: 255 for the address owner, 0 when the master stops.
    pub priority: u8,
    /// The sender's Advertisement_Interval, in centiseconds (12 bits).
    pub max_adver_int: u16,
    /// The virtual addresses.
    pub addresses: Addresses,
}

/// Why an advertisement cannot be encoded.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EncodeError {
    /// Count IPvX Addr is one octet.
    #[error("{0} virtual addresses do not fit in Count IPvX Addr (at most 255)")]
    TooManyAddresses(usize),
    /// Max Adver Int is 12 bits.
    #[error("Max Adver Int {0} is over 4095 centiseconds")]
    IntervalTooLong(u16),
    /// The source address is of the other family than the virtual addresses.
    #[error("an IPv{0} advertisement cannot be sent from {1}")]
    FamilyMismatch(u8, IpAddr),
}

/// Why received bytes are not a valid advertisement (RFC 5798 §7.1 says to discard them).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum DecodeError {
    /// Shorter than the fixed part, or than Count IPvX Addr says.
    #[error("truncated: {got} octets, {needed} needed")]
    Truncated {
        /// What was received.
        got: usize,
        /// What the header asks for.
        needed: usize,
    },
    /// Not version 3.
    #[error("version {0}, not 3")]
    Version(u8),
    /// Not an ADVERTISEMENT.
    #[error("type {0}, not ADVERTISEMENT (1)")]
    Type(u8),
    /// VRID 0 is not valid.
    #[error("VRID 0")]
    Vrid,
    /// The checksum does not match.
    #[error("checksum 0x{got:04x}, expected 0x{expected:04x}")]
    Checksum {
        /// In the message.
        got: u16,
        /// Computed.
        expected: u16,
    },
}

impl Advertisement {
    /// The encoded length: 8 octets and the addresses.
    pub fn buffer_len(&self) -> usize {
        let per = if self.addresses.is_ipv4() { 4 } else { 16 };
        field::ADDRESSES + per * self.addresses.len()
    }

    /// Encodes the advertisement as sent from `source`, checksum included.
    pub fn encode(&self, source: IpAddr) -> Result<Vec<u8>, EncodeError> {
        let count = u8::try_from(self.addresses.len())
            .map_err(|_| EncodeError::TooManyAddresses(self.addresses.len()))?;
        if self.max_adver_int > MAX_ADVER_INT {
            return Err(EncodeError::IntervalTooLong(self.max_adver_int));
        }
        if source.is_ipv4() != self.addresses.is_ipv4() {
            let v = if self.addresses.is_ipv4() { 4 } else { 6 };
            return Err(EncodeError::FamilyMismatch(v, source));
        }
        let mut out = Vec::with_capacity(self.buffer_len());
        out.push((VERSION << 4) | TYPE_ADVERTISEMENT);
        out.push(self.vrid);
        out.push(self.priority);
        out.push(count);
        out.extend_from_slice(&self.max_adver_int.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        match &self.addresses {
            Addresses::V4(a) => a.iter().for_each(|a| out.extend_from_slice(&a.octets())),
            Addresses::V6(a) => a.iter().for_each(|a| out.extend_from_slice(&a.octets())),
        }
        let checksum = checksum(source, &out);
        if let Some(slot) = out.get_mut(field::CHECKSUM) {
            slot.copy_from_slice(&checksum.to_be_bytes());
        }
        Ok(out)
    }

    /// Decodes a VRRP message received from `source` (the IP header's source address, whose
    /// family gives the addresses' family). Octets after the addresses are ignored.
    pub fn decode(bytes: &[u8], source: IpAddr) -> Result<Advertisement, DecodeError> {
        let truncated = |needed| DecodeError::Truncated {
            got: bytes.len(),
            needed,
        };
        let fixed = bytes
            .get(..field::ADDRESSES)
            .ok_or(truncated(field::ADDRESSES))?;
        let byte = |i: usize| fixed.get(i).copied().unwrap_or(0);
        let version_type = byte(field::VERSION_TYPE);
        if version_type >> 4 != VERSION {
            return Err(DecodeError::Version(version_type >> 4));
        }
        if version_type & 0x0f != TYPE_ADVERTISEMENT {
            return Err(DecodeError::Type(version_type & 0x0f));
        }
        let vrid = byte(field::VRID);
        if vrid == 0 {
            return Err(DecodeError::Vrid);
        }
        let count = usize::from(byte(field::COUNT));
        let per = if source.is_ipv4() { 4 } else { 16 };
        let len = field::ADDRESSES + per * count;
        let message = bytes.get(..len).ok_or(truncated(len))?;
        let interval = u16_at(message, field::MAX_ADVER_INT.start) & MAX_ADVER_INT;
        let got = u16_at(message, field::CHECKSUM.start);
        let mut zeroed = message.to_vec();
        if let Some(slot) = zeroed.get_mut(field::CHECKSUM) {
            slot.fill(0);
        }
        let expected = checksum(source, &zeroed);
        if got != expected {
            return Err(DecodeError::Checksum { got, expected });
        }
        let raw = message.get(field::ADDRESSES..).unwrap_or_default();
        let addresses = if source.is_ipv4() {
            Addresses::V4(
                raw.chunks_exact(4)
                    .filter_map(|c| <[u8; 4]>::try_from(c).ok())
                    .map(Ipv4Addr::from)
                    .collect(),
            )
        } else {
            Addresses::V6(
                raw.chunks_exact(16)
                    .filter_map(|c| <[u8; 16]>::try_from(c).ok())
                    .map(Ipv6Addr::from)
                    .collect(),
            )
        };
        Ok(Advertisement {
            vrid,
            priority: byte(field::PRIORITY),
            max_adver_int: interval,
            addresses,
        })
    }
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    let hi = bytes.get(at).copied().unwrap_or(0);
    let lo = bytes.get(at + 1).copied().unwrap_or(0);
    u16::from_be_bytes([hi, lo])
}

/// The RFC 1071 checksum of `message` (checksum field zero) with the pseudo-header for a
/// message from `source` to the VRRP group.
pub fn checksum(source: IpAddr, message: &[u8]) -> u16 {
    let mut sum = Sum::default();
    // A message longer than u32::MAX cannot be built from a one-octet count.
    let len = u32::try_from(message.len()).unwrap_or(u32::MAX);
    match source {
        IpAddr::V4(src) => {
            sum.add(&src.octets());
            sum.add(&GROUP_V4.octets());
            sum.add(&[0, PROTOCOL]);
            sum.add(&(len as u16).to_be_bytes());
        }
        IpAddr::V6(src) => {
            sum.add(&src.octets());
            sum.add(&GROUP_V6.octets());
            sum.add(&len.to_be_bytes());
            sum.add(&[0, 0, 0, PROTOCOL]);
        }
    }
    sum.add(message);
    sum.finish()
}

/// A one's complement sum of 16-bit words (each `add` starts on an even offset).
#[derive(Default)]
struct Sum(u64);

impl Sum {
    fn add(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(2);
        for w in &mut words {
            if let [hi, lo] = w {
                self.0 += u64::from(u16::from_be_bytes([*hi, *lo]));
            }
        }
        if let [last] = words.remainder() {
            self.0 += u64::from(u16::from_be_bytes([*last, 0]));
        }
    }

    fn finish(self) -> u16 {
        let mut s = self.0;
        while s >> 16 != 0 {
            s = (s & 0xffff) + (s >> 16);
        }
        !(s as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// VRID 1, priority 100, one address 192.0.2.1, Max Adver Int 100 cs, sent from 192.0.2.2.
    /// Built by hand from §5.1; checksum over the IPv4 pseudo-header to 224.0.0.18.
    static V4_ONE: [u8; 12] = [
        0x31, 0x01, 0x64, 0x01, // version 3, type 1 | VRID 1 | priority 100 | count 1
        0x00, 0x64, 0x06, 0x06, // rsvd 0, Max Adver Int 100 | checksum
        0xc0, 0x00, 0x02, 0x01, // 192.0.2.1
    ];

    /// The address owner (priority 255), VRID 7, Max Adver Int 4095 cs, two addresses, from
    /// 10.0.0.1.
    static V4_OWNER: [u8; 16] = [
        0x31, 0x07, 0xff, 0x02, 0x0f, 0xff, 0xc1, 0x5f, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00,
        0x02,
    ];

    /// VRID 1, priority 200, fe80::1 and 2001:db8::1, Max Adver Int 100 cs, from fe80::2;
    /// checksum over RFC 2460's pseudo-header to ff02::12.
    static V6_TWO: [u8; 40] = [
        0x31, 0x01, 0xc8, 0x02, 0x00, 0x64, 0xdc, 0x2b, // fixed part
        0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // fe80::1
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, // 2001:db8::1
    ];

    /// Recorded from FRR 8.4.4's vrrpd (`vrrp 5 priority 200`, `advertisement-interval 1000`,
    /// `vrrp 5 ip 10.0.0.1`), sent from 10.0.0.2; `tests/frr_vrrpd.rs` checks it live.
    static FRR_V4: [u8; 12] = [
        0x31, 0x05, 0xc8, 0x01, 0x00, 0x64, 0x12, 0x03, 0x0a, 0x00, 0x00, 0x01,
    ];

    /// The same router's IPv6 advertisement (`vrrp 5 ipv6 2001:db8::1`), sent from the
    /// macvlan's link-local address fe80::200:5eff:fe00:205.
    static FRR_V6: [u8; 24] = [
        0x31, 0x05, 0xc8, 0x01, 0x00, 0x64, 0x79, 0xb7, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0x01,
    ];

    #[test]
    fn golden_frr() {
        let ad = Advertisement::decode(&FRR_V4, ip("10.0.0.2")).unwrap();
        assert_eq!(
            ad,
            Advertisement {
                vrid: 5,
                priority: 200,
                max_adver_int: 100,
                addresses: Addresses::V4(vec![v4("10.0.0.1")]),
            }
        );
        assert_eq!(ad.encode(ip("10.0.0.2")).unwrap(), FRR_V4);
        let source = ip("fe80::200:5eff:fe00:205");
        let v6 = Advertisement::decode(&FRR_V6, source).unwrap();
        assert_eq!(
            v6.addresses,
            Addresses::V6(vec!["2001:db8::1".parse().unwrap()])
        );
        assert_eq!(v6.encode(source).unwrap(), FRR_V6);
    }

    fn v4(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn golden_ipv4() {
        let ad = Advertisement {
            vrid: 1,
            priority: 100,
            max_adver_int: 100,
            addresses: Addresses::V4(vec![v4("192.0.2.1")]),
        };
        assert_eq!(ad.encode(ip("192.0.2.2")).unwrap(), V4_ONE);
        assert_eq!(Advertisement::decode(&V4_ONE, ip("192.0.2.2")), Ok(ad));

        let owner = Advertisement {
            vrid: 7,
            priority: 255,
            max_adver_int: 4095,
            addresses: Addresses::V4(vec![v4("10.0.0.1"), v4("10.0.0.2")]),
        };
        assert_eq!(owner.encode(ip("10.0.0.1")).unwrap(), V4_OWNER);
        assert_eq!(Advertisement::decode(&V4_OWNER, ip("10.0.0.1")), Ok(owner));
    }

    #[test]
    fn golden_ipv6() {
        let ad = Advertisement {
            vrid: 1,
            priority: 200,
            max_adver_int: 100,
            addresses: Addresses::V6(vec![
                "fe80::1".parse().unwrap(),
                "2001:db8::1".parse().unwrap(),
            ]),
        };
        assert_eq!(ad.encode(ip("fe80::2")).unwrap(), V6_TWO);
        assert_eq!(Advertisement::decode(&V6_TWO, ip("fe80::2")), Ok(ad));
    }

    #[test]
    fn validation() {
        // Another sender: the pseudo-header differs, so the checksum does not match.
        assert!(matches!(
            Advertisement::decode(&V4_ONE, ip("192.0.2.3")),
            Err(DecodeError::Checksum { got: 0x0606, .. })
        ));
        let mut v2 = V4_ONE;
        v2[0] = 0x21;
        assert_eq!(
            Advertisement::decode(&v2, ip("192.0.2.2")),
            Err(DecodeError::Version(2))
        );
        let mut t = V4_ONE;
        t[0] = 0x32;
        assert_eq!(
            Advertisement::decode(&t, ip("192.0.2.2")),
            Err(DecodeError::Type(2))
        );
        let mut z = V4_ONE;
        z[1] = 0;
        assert_eq!(
            Advertisement::decode(&z, ip("192.0.2.2")),
            Err(DecodeError::Vrid)
        );
        assert_eq!(
            Advertisement::decode(&V4_ONE[..10], ip("192.0.2.2")),
            Err(DecodeError::Truncated {
                got: 10,
                needed: 12
            })
        );
        assert_eq!(
            Advertisement::decode(&V4_ONE[..3], ip("192.0.2.2")),
            Err(DecodeError::Truncated { got: 3, needed: 8 })
        );
        // IPv4 bytes read as IPv6 need 24 octets.
        assert!(matches!(
            Advertisement::decode(&V4_ONE, ip("fe80::2")),
            Err(DecodeError::Truncated { needed: 24, .. })
        ));
        // Trailing octets are ignored; the reserved bits are not part of the interval.
        let mut long = V4_ONE.to_vec();
        long.extend_from_slice(&[1, 2, 3]);
        assert!(Advertisement::decode(&long, ip("192.0.2.2")).is_ok());
    }

    #[test]
    fn encode_refuses_what_does_not_fit() {
        let mut ad = Advertisement {
            vrid: 1,
            priority: 100,
            max_adver_int: 4096,
            addresses: Addresses::V4(vec![v4("192.0.2.1")]),
        };
        assert_eq!(
            ad.encode(ip("192.0.2.2")),
            Err(EncodeError::IntervalTooLong(4096))
        );
        ad.max_adver_int = 100;
        assert!(matches!(
            ad.encode(ip("fe80::1")),
            Err(EncodeError::FamilyMismatch(4, _))
        ));
        ad.addresses = Addresses::V4(vec![v4("192.0.2.1"); 256]);
        assert_eq!(
            ad.encode(ip("192.0.2.2")),
            Err(EncodeError::TooManyAddresses(256))
        );
    }

    fn arb_ad() -> impl Strategy<Value = (Advertisement, IpAddr)> {
        let v4 = (
            proptest::collection::vec(any::<[u8; 4]>().prop_map(Ipv4Addr::from), 0..8),
            any::<[u8; 4]>(),
        )
            .prop_map(|(a, s)| (Addresses::V4(a), IpAddr::from(s)));
        let v6 = (
            proptest::collection::vec(any::<[u8; 16]>().prop_map(Ipv6Addr::from), 0..4),
            any::<[u8; 16]>(),
        )
            .prop_map(|(a, s)| (Addresses::V6(a), IpAddr::from(s)));
        (
            1u8..=255,
            any::<u8>(),
            0u16..=MAX_ADVER_INT,
            prop_oneof![v4, v6],
        )
            .prop_map(|(vrid, priority, max_adver_int, (addresses, source))| {
                let ad = Advertisement {
                    vrid,
                    priority,
                    max_adver_int,
                    addresses,
                };
                (ad, source)
            })
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80), v6 in any::<bool>()) {
            let source = if v6 { ip("fe80::2") } else { ip("192.0.2.2") };
            let _ = Advertisement::decode(&bytes, source);
        }

        #[test]
        fn encode_then_decode((ad, source) in arb_ad()) {
            let bytes = ad.encode(source).unwrap();
            prop_assert_eq!(bytes.len(), ad.buffer_len());
            prop_assert_eq!(Advertisement::decode(&bytes, source), Ok(ad));
        }

        /// Any single flipped bit is caught (by the checksum or a field check).
        #[test]
        fn a_flipped_bit_is_detected((ad, source) in arb_ad(), bit in any::<proptest::sample::Index>()) {
            let mut bytes = ad.encode(source).unwrap();
            let bit = bit.index(bytes.len() * 8);
            bytes[bit / 8] ^= 1 << (bit % 8);
            let decoded = Advertisement::decode(&bytes, source);
            prop_assert!(decoded != Ok(ad), "bit {} went unnoticed", bit);
        }
    }
}
