//! Path attributes (RFC 4271 §4.3, §5) and their RFC 7606 error handling.
//!
//! Each attribute keeps its flags octet when it differs from the usual one, so that re-encoding
//! gives back the received bytes. A malformed attribute that RFC 7606 says to survive is kept as
//! [`AttributeValue::Malformed`], raw, next to the outcome the receiver must apply.

mod as_path;
mod community;
mod mp_nlri;

pub use as_path::{AsPath, AsSegment};
pub use community::{Community, ExtendedCommunity, LargeCommunity, ParseCommunityError};
pub use mp_nlri::{MpReachNlri, MpUnreachNlri, NextHop};

use crate::notification::{Notification, update_error, update_subcode};
use crate::rfc7606::{Action, Rfc7606};
use crate::{Context, EncodeError};
use bytes::BufMut;
use nom::number::complete::{be_u16, be_u32};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Attribute flag bits (RFC 4271 §4.3).
pub mod flags {
    /// The attribute is optional (else well-known).
    pub const OPTIONAL: u8 = 0x80;
    /// The attribute is transitive.
    pub const TRANSITIVE: u8 = 0x40;
    /// Some AS on the way did not recognise this optional transitive attribute.
    pub const PARTIAL: u8 = 0x20;
    /// The length field is two octets.
    pub const EXTENDED_LENGTH: u8 = 0x10;
}

/// Attribute type codes (IANA "BGP Path Attributes").
pub mod type_code {
    #![allow(missing_docs)]
    pub const ORIGIN: u8 = 1;
    pub const AS_PATH: u8 = 2;
    pub const NEXT_HOP: u8 = 3;
    pub const MULTI_EXIT_DISC: u8 = 4;
    pub const LOCAL_PREF: u8 = 5;
    pub const ATOMIC_AGGREGATE: u8 = 6;
    pub const AGGREGATOR: u8 = 7;
    pub const COMMUNITIES: u8 = 8;
    pub const ORIGINATOR_ID: u8 = 9;
    pub const CLUSTER_LIST: u8 = 10;
    pub const MP_REACH_NLRI: u8 = 14;
    pub const MP_UNREACH_NLRI: u8 = 15;
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    pub const AS4_PATH: u8 = 17;
    pub const AS4_AGGREGATOR: u8 = 18;
    pub const LARGE_COMMUNITY: u8 = 32;

    /// The IANA name of a type code this crate knows (`AS_PATH`), `None` for others.
    pub fn name(code: u8) -> Option<&'static str> {
        Some(match code {
            ORIGIN => "ORIGIN",
            AS_PATH => "AS_PATH",
            NEXT_HOP => "NEXT_HOP",
            MULTI_EXIT_DISC => "MULTI_EXIT_DISC",
            LOCAL_PREF => "LOCAL_PREF",
            ATOMIC_AGGREGATE => "ATOMIC_AGGREGATE",
            AGGREGATOR => "AGGREGATOR",
            COMMUNITIES => "COMMUNITIES",
            ORIGINATOR_ID => "ORIGINATOR_ID",
            CLUSTER_LIST => "CLUSTER_LIST",
            MP_REACH_NLRI => "MP_REACH_NLRI",
            MP_UNREACH_NLRI => "MP_UNREACH_NLRI",
            EXTENDED_COMMUNITIES => "EXTENDED_COMMUNITIES",
            AS4_PATH => "AS4_PATH",
            AS4_AGGREGATOR => "AS4_AGGREGATOR",
            LARGE_COMMUNITY => "LARGE_COMMUNITY",
            _ => return None,
        })
    }
}
use type_code::*;

/// A path attribute: its value, and its flags when they are not the usual ones.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PathAttribute {
    /// The flags octet as received, or `None` for the usual flags of this type (see
    /// [`PathAttribute::usual_flags`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<u8>,
    /// The attribute.
    #[serde(flatten)]
    pub value: AttributeValue,
}

/// ORIGIN values (RFC 4271 §5.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Interior to the originating AS.
    Igp,
    /// Learned by EGP.
    Egp,
    /// Learned some other way.
    Incomplete,
}

/// AGGREGATOR and AS4_AGGREGATOR: the AS and BGP Identifier of the aggregating speaker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Aggregator {
    /// The aggregating AS.
    pub asn: u32,
    /// The aggregating speaker's BGP Identifier.
    pub address: Ipv4Addr,
}

/// The value of a path attribute, by type.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeValue {
    /// ORIGIN (1).
    Origin(Origin),
    /// AS_PATH (2), with 2- or 4-octet AS numbers as the session negotiated.
    AsPath(AsPath),
    /// NEXT_HOP (3).
    NextHop(Ipv4Addr),
    /// MULTI_EXIT_DISC (4).
    MultiExitDisc(u32),
    /// LOCAL_PREF (5).
    LocalPref(u32),
    /// ATOMIC_AGGREGATE (6).
    AtomicAggregate,
    /// AGGREGATOR (7).
    Aggregator(Aggregator),
    /// COMMUNITIES (8).
    Communities(Vec<Community>),
    /// ORIGINATOR_ID (9).
    OriginatorId(Ipv4Addr),
    /// CLUSTER_LIST (10).
    ClusterList(Vec<Ipv4Addr>),
    /// MP_REACH_NLRI (14) for IPv4/IPv6 unicast or multicast.
    MpReachNlri(MpReachNlri),
    /// MP_UNREACH_NLRI (15) for IPv4/IPv6 unicast or multicast.
    MpUnreachNlri(MpUnreachNlri),
    /// EXTENDED COMMUNITIES (16).
    ExtendedCommunities(Vec<ExtendedCommunity>),
    /// AS4_PATH (17), always with 4-octet AS numbers.
    As4Path(AsPath),
    /// AS4_AGGREGATOR (18).
    As4Aggregator(Aggregator),
    /// LARGE_COMMUNITY (32).
    LargeCommunities(Vec<LargeCommunity>),
    /// An attribute this implementation does not interpret (or an MP attribute of another
    /// family), kept as it came.
    Unknown {
        /// The type code.
        type_code: u8,
        /// The value.
        #[serde(with = "crate::serde_hex", default)]
        value: Vec<u8>,
    },
    /// An attribute the receiver must not use, kept raw so the message re-encodes exactly: a
    /// malformed attribute that RFC 7606 lets the session survive (treat-as-withdraw or
    /// attribute-discard), a repeated attribute (RFC 7606 §3.g), or AS4_PATH/AS4_AGGREGATOR
    /// between two 4-octet speakers (RFC 6793 §6).
    Malformed {
        /// The type code.
        type_code: u8,
        /// The value.
        #[serde(with = "crate::serde_hex", default)]
        value: Vec<u8>,
    },
}

impl AttributeValue {
    /// The attribute type code.
    pub fn type_code(&self) -> u8 {
        match self {
            AttributeValue::Origin(_) => ORIGIN,
            AttributeValue::AsPath(_) => AS_PATH,
            AttributeValue::NextHop(_) => NEXT_HOP,
            AttributeValue::MultiExitDisc(_) => MULTI_EXIT_DISC,
            AttributeValue::LocalPref(_) => LOCAL_PREF,
            AttributeValue::AtomicAggregate => ATOMIC_AGGREGATE,
            AttributeValue::Aggregator(_) => AGGREGATOR,
            AttributeValue::Communities(_) => COMMUNITIES,
            AttributeValue::OriginatorId(_) => ORIGINATOR_ID,
            AttributeValue::ClusterList(_) => CLUSTER_LIST,
            AttributeValue::MpReachNlri(_) => MP_REACH_NLRI,
            AttributeValue::MpUnreachNlri(_) => MP_UNREACH_NLRI,
            AttributeValue::ExtendedCommunities(_) => EXTENDED_COMMUNITIES,
            AttributeValue::As4Path(_) => AS4_PATH,
            AttributeValue::As4Aggregator(_) => AS4_AGGREGATOR,
            AttributeValue::LargeCommunities(_) => LARGE_COMMUNITY,
            AttributeValue::Unknown { type_code, .. }
            | AttributeValue::Malformed { type_code, .. } => *type_code,
        }
    }

    /// The length of the encoded value.
    pub fn value_len(&self, cx: &Context) -> usize {
        let as_width = if cx.four_octet_as { 4 } else { 2 };
        match self {
            AttributeValue::Origin(_) => 1,
            AttributeValue::AsPath(p) => p.encoded_len(as_width),
            AttributeValue::NextHop(_)
            | AttributeValue::MultiExitDisc(_)
            | AttributeValue::LocalPref(_)
            | AttributeValue::OriginatorId(_) => 4,
            AttributeValue::AtomicAggregate => 0,
            AttributeValue::Aggregator(_) => as_width + 4,
            AttributeValue::Communities(c) => 4 * c.len(),
            AttributeValue::ClusterList(c) => 4 * c.len(),
            AttributeValue::MpReachNlri(m) => m.encoded_len(),
            AttributeValue::MpUnreachNlri(m) => m.encoded_len(),
            AttributeValue::ExtendedCommunities(c) => 8 * c.len(),
            AttributeValue::As4Path(p) => p.encoded_len(4),
            AttributeValue::As4Aggregator(_) => 8,
            AttributeValue::LargeCommunities(c) => 12 * c.len(),
            AttributeValue::Unknown { value, .. } | AttributeValue::Malformed { value, .. } => {
                value.len()
            }
        }
    }

    fn encode(&self, cx: &Context, buf: &mut impl BufMut) {
        let as_width = if cx.four_octet_as { 4 } else { 2 };
        match self {
            AttributeValue::Origin(o) => buf.put_u8(*o as u8),
            AttributeValue::AsPath(p) => p.encode(as_width, buf),
            AttributeValue::NextHop(a) | AttributeValue::OriginatorId(a) => {
                buf.put_slice(&a.octets())
            }
            AttributeValue::MultiExitDisc(v) | AttributeValue::LocalPref(v) => buf.put_u32(*v),
            AttributeValue::AtomicAggregate => {}
            AttributeValue::Aggregator(a) => {
                if as_width == 4 {
                    buf.put_u32(a.asn)
                } else {
                    buf.put_u16(a.asn as u16)
                }
                buf.put_slice(&a.address.octets());
            }
            AttributeValue::Communities(c) => c.iter().for_each(|c| buf.put_u32(c.0)),
            AttributeValue::ClusterList(c) => c.iter().for_each(|a| buf.put_slice(&a.octets())),
            AttributeValue::MpReachNlri(m) => m.encode(buf),
            AttributeValue::MpUnreachNlri(m) => m.encode(buf),
            AttributeValue::ExtendedCommunities(c) => c.iter().for_each(|c| buf.put_slice(&c.0)),
            AttributeValue::As4Path(p) => p.encode(4, buf),
            AttributeValue::As4Aggregator(a) => {
                buf.put_u32(a.asn);
                buf.put_slice(&a.address.octets());
            }
            AttributeValue::LargeCommunities(c) => {
                c.iter().flat_map(|c| c.0).for_each(|v| buf.put_u32(v))
            }
            AttributeValue::Unknown { value, .. } | AttributeValue::Malformed { value, .. } => {
                buf.put_slice(value)
            }
        }
    }
}

/// The optional and transitive bits a known attribute must carry (RFC 4271 §5, the RFCs of each
/// attribute); `None` for a type this implementation does not know.
fn category(type_code: u8) -> Option<u8> {
    const WELL_KNOWN: u8 = flags::TRANSITIVE;
    const OPTIONAL_TRANSITIVE: u8 = flags::OPTIONAL | flags::TRANSITIVE;
    const OPTIONAL_NON_TRANSITIVE: u8 = flags::OPTIONAL;
    Some(match type_code {
        ORIGIN | AS_PATH | NEXT_HOP | LOCAL_PREF | ATOMIC_AGGREGATE => WELL_KNOWN,
        MULTI_EXIT_DISC | ORIGINATOR_ID | CLUSTER_LIST | MP_REACH_NLRI | MP_UNREACH_NLRI => {
            OPTIONAL_NON_TRANSITIVE
        }
        AGGREGATOR | COMMUNITIES | EXTENDED_COMMUNITIES | AS4_PATH | AS4_AGGREGATOR
        | LARGE_COMMUNITY => OPTIONAL_TRANSITIVE,
        _ => return None,
    })
}

/// The RFC 7606 §7 action for a malformed attribute of this type; `None` means the session must
/// be reset (MP_REACH_NLRI / MP_UNREACH_NLRI).
fn malformed_action(type_code: u8) -> Option<Action> {
    match type_code {
        MP_REACH_NLRI | MP_UNREACH_NLRI => None,
        ATOMIC_AGGREGATE | AGGREGATOR | AS4_PATH | AS4_AGGREGATOR => Some(Action::AttributeDiscard),
        _ => Some(Action::TreatAsWithdraw),
    }
}

impl PathAttribute {
    /// An attribute with the usual flags of its type.
    pub fn new(value: AttributeValue) -> Self {
        Self { flags: None, value }
    }

    /// The usual flags of an attribute of this type and value length: its category, plus
    /// Extended Length when the value needs it. Unknown types are optional transitive.
    pub fn usual_flags(type_code: u8, value_len: usize) -> u8 {
        let base = category(type_code).unwrap_or(flags::OPTIONAL | flags::TRANSITIVE);
        if value_len > 255 {
            base | flags::EXTENDED_LENGTH
        } else {
            base
        }
    }

    /// The flags octet this attribute is written with.
    pub fn effective_flags(&self, cx: &Context) -> u8 {
        self.flags
            .unwrap_or_else(|| Self::usual_flags(self.value.type_code(), self.value.value_len(cx)))
    }

    /// [`Self::effective_flags`] given the value's length, which for MP_REACH/MP_UNREACH costs
    /// a pass over every NLRI: the methods below compute it once.
    fn flags_for(&self, value_len: usize) -> u8 {
        self.flags
            .unwrap_or_else(|| Self::usual_flags(self.value.type_code(), value_len))
    }

    /// Octets the whole attribute takes: flags, type, length, value.
    pub fn encoded_len(&self, cx: &Context) -> usize {
        let len = self.value.value_len(cx);
        let ext = self.flags_for(len) & flags::EXTENDED_LENGTH != 0;
        (if ext { 4 } else { 3 }) + len
    }

    pub(crate) fn check_encodable(&self, cx: &Context) -> Result<(), EncodeError> {
        let len = self.value.value_len(cx);
        let ext = self.flags_for(len) & flags::EXTENDED_LENGTH != 0;
        if len > if ext { 65535 } else { 255 } {
            return Err(EncodeError::FieldTooLong(
                "path attribute (set Extended Length)",
            ));
        }
        match &self.value {
            AttributeValue::AsPath(p) => p.check_encodable(if cx.four_octet_as { 4 } else { 2 }),
            AttributeValue::As4Path(p) => p.check_encodable(4),
            AttributeValue::Aggregator(a) if !cx.four_octet_as && a.asn > 0xffff => {
                Err(EncodeError::AsnTooLarge(a.asn))
            }
            _ => Ok(()),
        }
    }

    pub(crate) fn encode(&self, cx: &Context, buf: &mut impl BufMut) {
        let len = self.value.value_len(cx);
        let f = self.flags_for(len);
        buf.put_u8(f);
        buf.put_u8(self.value.type_code());
        if f & flags::EXTENDED_LENGTH != 0 {
            buf.put_u16(len as u16)
        } else {
            buf.put_u8(len as u8)
        }
        self.value.encode(cx, buf);
    }
}

/// The decoded path attributes field of an UPDATE.
#[derive(Debug, Default)]
pub(crate) struct DecodedAttributes {
    pub attributes: Vec<PathAttribute>,
    /// Bytes after an attribute whose length overran the field (RFC 7606 §4), kept raw.
    pub unparsed: Vec<u8>,
    pub rfc7606: Option<Rfc7606>,
    /// The RFC 4271 §6.3 NOTIFICATION behind the first treat-as-withdraw error: the answer when
    /// RFC 7606 §5.2 turns treat-as-withdraw into a session reset.
    pub withdraw_error: Option<Notification>,
}

impl DecodedAttributes {
    /// Records an error RFC 7606 lets the session survive.
    fn note(
        &mut self,
        action: Action,
        attribute: Option<u8>,
        rfc4271: impl FnOnce() -> Notification,
    ) {
        if action == Action::TreatAsWithdraw && self.withdraw_error.is_none() {
            self.withdraw_error = Some(rfc4271());
        }
        Rfc7606::note(&mut self.rfc7606, action, attribute);
    }

    /// Keeps an attribute that must not be used, raw, with its flags.
    fn push_unusable(&mut self, flags_octet: u8, code: u8, value: &[u8]) {
        self.attributes.push(PathAttribute {
            flags: Some(flags_octet)
                .filter(|&f| f != PathAttribute::usual_flags(code, value.len())),
            value: AttributeValue::Malformed {
                type_code: code,
                value: value.to_vec(),
            },
        });
    }
}

/// Decodes the path attributes field. Errors are the NOTIFICATION that resets the session;
/// everything RFC 7606 lets the session survive is in the result's `rfc7606`.
pub(crate) fn decode_all(mut buf: &[u8], cx: &Context) -> Result<DecodedAttributes, Notification> {
    let mut out = DecodedAttributes {
        attributes: Vec::with_capacity(8),
        ..Default::default()
    };
    let mut seen = [0u64; 4];
    while !buf.is_empty() {
        let Some((flags_octet, code, value, raw_len)) = split_attribute(buf) else {
            // RFC 7606 §4: the attribute overruns the field, or too few octets remain: treat-as-
            // withdraw, unless it is an MP attribute, which must parse (§3.j: session reset).
            let code = buf.get(1).copied();
            let list = || update_error(update_subcode::MALFORMED_ATTRIBUTE_LIST, []);
            if matches!(code, Some(MP_REACH_NLRI | MP_UNREACH_NLRI)) {
                return Err(list());
            }
            out.note(Action::TreatAsWithdraw, code, list);
            out.unparsed = buf.to_vec();
            break;
        };
        let raw = &buf[..raw_len];
        buf = &buf[raw_len..];
        let (word, bit) = (usize::from(code / 64), code % 64);
        if seen[word] & (1 << bit) != 0 {
            // RFC 7606 §3.g: a repeated MP attribute resets the session; others are discarded.
            if code == MP_REACH_NLRI || code == MP_UNREACH_NLRI {
                return Err(update_error(update_subcode::MALFORMED_ATTRIBUTE_LIST, []));
            }
            out.note(Action::AttributeDiscard, Some(code), || {
                unreachable_answer(raw)
            });
            out.push_unusable(flags_octet, code, value);
            continue;
        }
        seen[word] |= 1 << bit;
        if cx.four_octet_as && (code == AS4_PATH || code == AS4_AGGREGATOR) {
            // RFC 6793 §6: between two 4-octet speakers these are discarded.
            out.note(Action::AttributeDiscard, Some(code), || {
                unreachable_answer(raw)
            });
            out.push_unusable(flags_octet, code, value);
            continue;
        }
        let decoded = match category(code) {
            None if flags_octet & flags::OPTIONAL == 0 => {
                return Err(update_error(
                    update_subcode::UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
                    raw,
                ));
            }
            None => Ok(AttributeValue::Unknown {
                type_code: code,
                value: value.to_vec(),
            }),
            Some(cat) if flags_octet & (flags::OPTIONAL | flags::TRANSITIVE) != cat => {
                Err(update_subcode::ATTRIBUTE_FLAGS_ERROR)
            }
            Some(_) => decode_value(code, value, cx),
        };
        match decoded {
            Ok(value) => out.attributes.push(PathAttribute {
                flags: Some(flags_octet)
                    .filter(|&f| f != PathAttribute::usual_flags(code, value_len_of(raw_len, f))),
                value,
            }),
            Err(subcode) => match malformed_action(code) {
                None => return Err(update_error(subcode, raw)),
                Some(action) => {
                    out.note(action, Some(code), || update_error(subcode, raw));
                    out.push_unusable(flags_octet, code, value);
                }
            },
        }
    }
    Ok(out)
}

/// Attribute-discard never becomes a session reset; this answer is only kept for symmetry.
fn unreachable_answer(raw: &[u8]) -> Notification {
    update_error(update_subcode::OPTIONAL_ATTRIBUTE_ERROR, raw)
}

fn value_len_of(raw_len: usize, flags_octet: u8) -> usize {
    raw_len
        - if flags_octet & flags::EXTENDED_LENGTH != 0 {
            4
        } else {
            3
        }
}

/// Flags, type code, value and the whole attribute's length, if the attribute fits in `buf`.
fn split_attribute(buf: &[u8]) -> Option<(u8, u8, &[u8], usize)> {
    // Plain slice splitting: this runs for every attribute of every UPDATE.
    let (&[flags_octet, code], rest) = buf.split_first_chunk()?;
    let (rest, len, head) = if flags_octet & flags::EXTENDED_LENGTH != 0 {
        let (len, rest) = rest.split_first_chunk()?;
        (rest, usize::from(u16::from_be_bytes(*len)), 4)
    } else {
        let (&len, rest) = rest.split_first()?;
        (rest, usize::from(len), 3)
    };
    let value = rest.get(..len)?;
    Some((flags_octet, code, value, head + len))
}

/// Decodes a known attribute's value. The error is the RFC 4271 §6.3 subcode that names the
/// fault, used as is only when the session must be reset.
fn decode_value(code: u8, v: &[u8], cx: &Context) -> Result<AttributeValue, u8> {
    use update_subcode::*;
    let u32_of = |v: &[u8]| -> Option<u32> { <[u8; 4]>::try_from(v).ok().map(u32::from_be_bytes) };
    let as_width = if cx.four_octet_as { 4 } else { 2 };
    Ok(match code {
        ORIGIN => AttributeValue::Origin(match v {
            [0] => Origin::Igp,
            [1] => Origin::Egp,
            [2] => Origin::Incomplete,
            [_] => return Err(INVALID_ORIGIN_ATTRIBUTE),
            _ => return Err(ATTRIBUTE_LENGTH_ERROR),
        }),
        AS_PATH => AttributeValue::AsPath(AsPath::decode(v, as_width).ok_or(MALFORMED_AS_PATH)?),
        AS4_PATH => AttributeValue::As4Path(AsPath::decode(v, 4).ok_or(MALFORMED_AS_PATH)?),
        NEXT_HOP => AttributeValue::NextHop(u32_of(v).ok_or(ATTRIBUTE_LENGTH_ERROR)?.into()),
        MULTI_EXIT_DISC => AttributeValue::MultiExitDisc(u32_of(v).ok_or(ATTRIBUTE_LENGTH_ERROR)?),
        LOCAL_PREF => AttributeValue::LocalPref(u32_of(v).ok_or(ATTRIBUTE_LENGTH_ERROR)?),
        ORIGINATOR_ID => {
            AttributeValue::OriginatorId(u32_of(v).ok_or(ATTRIBUTE_LENGTH_ERROR)?.into())
        }
        ATOMIC_AGGREGATE if v.is_empty() => AttributeValue::AtomicAggregate,
        ATOMIC_AGGREGATE => return Err(ATTRIBUTE_LENGTH_ERROR),
        AGGREGATOR => AttributeValue::Aggregator(aggregator(v, as_width)?),
        AS4_AGGREGATOR => AttributeValue::As4Aggregator(aggregator(v, 4)?),
        COMMUNITIES => AttributeValue::Communities(records(v, 4, |c| {
            Community(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        })?),
        CLUSTER_LIST => {
            AttributeValue::ClusterList(records(v, 4, |c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))?)
        }
        EXTENDED_COMMUNITIES => AttributeValue::ExtendedCommunities(records(v, 8, |c| {
            ExtendedCommunity([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])
        })?),
        LARGE_COMMUNITY => AttributeValue::LargeCommunities(records(v, 12, |c| {
            let w = |i: usize| u32::from_be_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
            LargeCommunity([w(0), w(4), w(8)])
        })?),
        MP_REACH_NLRI | MP_UNREACH_NLRI => return mp_value(code, v, cx),
        _ => AttributeValue::Unknown {
            type_code: code,
            value: v.to_vec(),
        },
    })
}

fn mp_value(code: u8, v: &[u8], cx: &Context) -> Result<AttributeValue, u8> {
    let supported = mp_nlri::family(v).is_some_and(|(afi, safi)| mp_nlri::is_supported(afi, safi));
    if !supported {
        if v.len() < 3 {
            return Err(update_subcode::OPTIONAL_ATTRIBUTE_ERROR);
        }
        return Ok(AttributeValue::Unknown {
            type_code: code,
            value: v.to_vec(),
        });
    }
    let decoded = if code == MP_REACH_NLRI {
        MpReachNlri::decode(v, cx).map(AttributeValue::MpReachNlri)
    } else {
        MpUnreachNlri::decode(v, cx).map(AttributeValue::MpUnreachNlri)
    };
    // RFC 4760 §7: an MP attribute that cannot be parsed is an Optional Attribute Error.
    decoded.ok_or(update_subcode::OPTIONAL_ATTRIBUTE_ERROR)
}

fn aggregator(v: &[u8], width: usize) -> Result<Aggregator, u8> {
    if v.len() != width + 4 {
        return Err(update_subcode::ATTRIBUTE_LENGTH_ERROR);
    }
    let (rest, asn) = if width == 4 {
        be_u32::<_, ()>(v).map_err(|_| update_subcode::ATTRIBUTE_LENGTH_ERROR)?
    } else {
        be_u16::<_, ()>(v)
            .map(|(r, a)| (r, u32::from(a)))
            .map_err(|_| update_subcode::ATTRIBUTE_LENGTH_ERROR)?
    };
    let (_, id) = be_u32::<_, ()>(rest).map_err(|_| update_subcode::ATTRIBUTE_LENGTH_ERROR)?;
    Ok(Aggregator {
        asn,
        address: id.into(),
    })
}

/// Splits a non-empty value into whole records of `size` octets (RFC 7606 §7.8, §7.14).
fn records<T>(v: &[u8], size: usize, f: impl Fn(&[u8]) -> T) -> Result<Vec<T>, u8> {
    if v.is_empty() || !v.len().is_multiple_of(size) {
        return Err(update_subcode::ATTRIBUTE_LENGTH_ERROR);
    }
    Ok(v.chunks_exact(size).map(f).collect())
}
