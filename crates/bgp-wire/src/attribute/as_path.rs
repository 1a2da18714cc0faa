//! AS_PATH and AS4_PATH (RFC 4271 §4.3, RFC 6793 §3).

use bytes::BufMut;
use serde::{Deserialize, Serialize};

/// An AS path: segments in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AsPath(pub Vec<AsSegment>);

/// A path segment: its type and AS numbers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AsSegment {
    /// AS_SET (type 1): unordered.
    Set(Vec<u32>),
    /// AS_SEQUENCE (type 2): in the order the route travelled, nearest first.
    Sequence(Vec<u32>),
    /// AS_CONFED_SEQUENCE (type 3, RFC 5065).
    ConfedSequence(Vec<u32>),
    /// AS_CONFED_SET (type 4, RFC 5065).
    ConfedSet(Vec<u32>),
}

impl AsSegment {
    /// The segment type code.
    pub fn type_code(&self) -> u8 {
        match self {
            AsSegment::Set(_) => 1,
            AsSegment::Sequence(_) => 2,
            AsSegment::ConfedSequence(_) => 3,
            AsSegment::ConfedSet(_) => 4,
        }
    }

    /// The AS numbers of the segment.
    pub fn asns(&self) -> &[u32] {
        match self {
            AsSegment::Set(a)
            | AsSegment::Sequence(a)
            | AsSegment::ConfedSequence(a)
            | AsSegment::ConfedSet(a) => a,
        }
    }
}

impl AsPath {
    /// The path length used by the decision process (RFC 4271 §9.1.2.2): a set counts as one,
    /// confederation segments count as nothing.
    pub fn route_len(&self) -> usize {
        self.0
            .iter()
            .map(|s| match s {
                AsSegment::Sequence(a) => a.len(),
                AsSegment::Set(_) => 1,
                _ => 0,
            })
            .sum()
    }

    /// The first AS of the path: the neighbour that sent it, for an external route.
    pub fn first_asn(&self) -> Option<u32> {
        match self.0.first()? {
            AsSegment::Sequence(a) => a.first().copied(),
            _ => None,
        }
    }

    /// Decodes a path with AS numbers of `width` octets (2 or 4). `None` when malformed
    /// (RFC 7606 §7.2: unknown segment type, zero-length segment, or overrun).
    pub(crate) fn decode(mut buf: &[u8], width: usize) -> Option<AsPath> {
        let mut segments = Vec::with_capacity(1);
        while !buf.is_empty() {
            let (&[kind, count], rest) = buf.split_first_chunk()?;
            if count == 0 {
                return None;
            }
            let size = if width == 4 { 4 } else { 2 };
            let (octets, rest) = rest.split_at_checked(usize::from(count) * size)?;
            let asns: Vec<u32> = if size == 4 {
                let asn = |c: &[u8]| u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
                octets.chunks_exact(4).map(asn).collect()
            } else {
                let asn = |c: &[u8]| u32::from(u16::from_be_bytes([c[0], c[1]]));
                octets.chunks_exact(2).map(asn).collect()
            };
            segments.push(match kind {
                1 => AsSegment::Set(asns),
                2 => AsSegment::Sequence(asns),
                3 => AsSegment::ConfedSequence(asns),
                4 => AsSegment::ConfedSet(asns),
                _ => return None,
            });
            buf = rest;
        }
        Some(AsPath(segments))
    }

    pub(crate) fn encoded_len(&self, width: usize) -> usize {
        self.0.iter().map(|s| 2 + width * s.asns().len()).sum()
    }

    /// Checks that every segment fits its count octet and every AS fits `width`.
    pub(crate) fn check_encodable(&self, width: usize) -> Result<(), crate::EncodeError> {
        for s in &self.0 {
            if s.asns().len() > 255 {
                return Err(crate::EncodeError::FieldTooLong("AS_PATH segment"));
            }
            if let Some(&asn) = s.asns().iter().find(|&&a| width == 2 && a > 0xffff) {
                return Err(crate::EncodeError::AsnTooLarge(asn));
            }
        }
        Ok(())
    }

    pub(crate) fn encode(&self, width: usize, buf: &mut impl BufMut) {
        for s in &self.0 {
            buf.put_u8(s.type_code());
            buf.put_u8(s.asns().len() as u8);
            for &asn in s.asns() {
                if width == 4 {
                    buf.put_u32(asn)
                } else {
                    buf.put_u16(asn as u16)
                }
            }
        }
    }
}
