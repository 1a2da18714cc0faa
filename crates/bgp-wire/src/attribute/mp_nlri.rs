//! MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 §3, §4) for IPv4 and IPv6 unicast/multicast.
//!
//! Other families are kept whole as unknown attributes by the caller.

use crate::nlri::{self, Nlri};
use crate::{Afi, Context, Safi};
use bytes::BufMut;
use nom::number::complete::{be_u8, be_u16};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

/// MP_REACH_NLRI: reachable destinations of one family and their next hop.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MpReachNlri {
    /// The family's AFI.
    pub afi: Afi,
    /// The family's SAFI.
    pub safi: Safi,
    /// The next hop.
    pub next_hop: NextHop,
    /// The reserved octet after the next hop, zero when sent; kept for exact re-encoding.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reserved: u8,
    /// The destinations.
    #[serde(default)]
    pub nlri: Vec<Nlri>,
}

/// MP_UNREACH_NLRI: withdrawn destinations of one family. Empty, it is End-of-RIB (RFC 4724).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MpUnreachNlri {
    /// The family's AFI.
    pub afi: Afi,
    /// The family's SAFI.
    pub safi: Safi,
    /// The withdrawn destinations.
    #[serde(default)]
    pub withdrawn: Vec<Nlri>,
}

/// The next hop of MP_REACH_NLRI: `"192.0.2.1"`, `"2001:db8::1"`, or
/// `["2001:db8::1", "fe80::1"]` for a global and a link-local address (RFC 2545 §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NextHop {
    /// An IPv4 next hop (4 octets).
    Ipv4(Ipv4Addr),
    /// An IPv6 next hop (16 octets), also for IPv4 NLRI (RFC 8950).
    Ipv6(Ipv6Addr),
    /// A global and a link-local IPv6 next hop (32 octets).
    Ipv6LinkLocal([Ipv6Addr; 2]),
}

impl NextHop {
    fn len(&self) -> usize {
        match self {
            NextHop::Ipv4(_) => 4,
            NextHop::Ipv6(_) => 16,
            NextHop::Ipv6LinkLocal(_) => 32,
        }
    }

    fn decode(afi: Afi, buf: &[u8]) -> Option<NextHop> {
        let v6 = |b: &[u8]| <[u8; 16]>::try_from(b).ok().map(Ipv6Addr::from);
        match buf.len() {
            4 if afi == Afi::IPV4 => <[u8; 4]>::try_from(buf)
                .ok()
                .map(|o| NextHop::Ipv4(o.into())),
            16 => v6(buf).map(NextHop::Ipv6),
            32 => Some(NextHop::Ipv6LinkLocal([v6(&buf[..16])?, v6(&buf[16..])?])),
            _ => None,
        }
    }

    fn encode(&self, buf: &mut impl BufMut) {
        match self {
            NextHop::Ipv4(a) => buf.put_slice(&a.octets()),
            NextHop::Ipv6(a) => buf.put_slice(&a.octets()),
            NextHop::Ipv6LinkLocal([g, l]) => {
                buf.put_slice(&g.octets());
                buf.put_slice(&l.octets());
            }
        }
    }
}

fn is_zero(v: &u8) -> bool {
    *v == 0
}

/// Whether this implementation reads the NLRI of a family.
pub(crate) fn is_supported(afi: Afi, safi: Safi) -> bool {
    matches!(afi, Afi::IPV4 | Afi::IPV6) && matches!(safi, Safi::UNICAST | Safi::MULTICAST)
}

/// The AFI and SAFI at the start of an MP attribute.
pub(crate) fn family(buf: &[u8]) -> Option<(Afi, Safi)> {
    match buf {
        [a, b, s, ..] => Some((Afi(u16::from_be_bytes([*a, *b])), Safi(*s))),
        _ => None,
    }
}

impl MpReachNlri {
    /// `None` when malformed: a bad next hop length, truncation, or an NLRI that is too long
    /// for the family or overruns the attribute (RFC 7606 §5.3, §7.11).
    pub(crate) fn decode(buf: &[u8], cx: &Context) -> Option<Self> {
        let (rest, afi) = be_u16::<_, ()>(buf).ok()?;
        let (rest, safi) = be_u8::<_, ()>(rest).ok()?;
        let (rest, nh_len) = be_u8::<_, ()>(rest).ok()?;
        let (rest, nh) = nom::bytes::complete::take::<_, _, ()>(nh_len)(rest).ok()?;
        let (rest, reserved) = be_u8::<_, ()>(rest).ok()?;
        let afi = Afi(afi);
        let next_hop = NextHop::decode(afi, nh)?;
        let mut nlri = Vec::new();
        nlri::decode_all(rest, afi, cx.add_path.for_afi(afi), &mut nlri).ok()?;
        Some(Self {
            afi,
            safi: Safi(safi),
            next_hop,
            reserved,
            nlri,
        })
    }

    pub(crate) fn encoded_len(&self) -> usize {
        5 + self.next_hop.len() + self.nlri.iter().map(Nlri::encoded_len).sum::<usize>()
    }

    pub(crate) fn encode(&self, buf: &mut impl BufMut) {
        buf.put_u16(self.afi.0);
        buf.put_u8(self.safi.0);
        buf.put_u8(self.next_hop.len() as u8);
        self.next_hop.encode(buf);
        buf.put_u8(self.reserved);
        for n in &self.nlri {
            n.encode(buf);
        }
    }
}

impl MpUnreachNlri {
    /// `None` when malformed: truncated, or an NLRI that is too long for the family or
    /// overruns the attribute.
    pub(crate) fn decode(buf: &[u8], cx: &Context) -> Option<Self> {
        let (afi, safi) = family(buf)?;
        let mut withdrawn = Vec::new();
        nlri::decode_all(buf.get(3..)?, afi, cx.add_path.for_afi(afi), &mut withdrawn).ok()?;
        Some(Self {
            afi,
            safi,
            withdrawn,
        })
    }

    pub(crate) fn encoded_len(&self) -> usize {
        3 + self.withdrawn.iter().map(Nlri::encoded_len).sum::<usize>()
    }

    pub(crate) fn encode(&self, buf: &mut impl BufMut) {
        buf.put_u16(self.afi.0);
        buf.put_u8(self.safi.0);
        for n in &self.withdrawn {
            n.encode(buf);
        }
    }
}
