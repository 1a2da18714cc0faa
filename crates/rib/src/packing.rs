//! Packing an Adj-RIB-Out difference into UPDATE messages, and End-of-RIB markers.
//!
//! IPv4 routes with an IPv4 next hop use the UPDATE's own fields (withdrawn routes, NEXT_HOP,
//! NLRI); IPv6 routes use MP_REACH_NLRI / MP_UNREACH_NLRI (RFC 4760), as do IPv4 routes with an
//! IPv6 next hop (RFC 8950). As many prefixes as fit share one UPDATE, under the session's
//! maximum message length (4096 octets, or 65535 with RFC 8654 extended messages).
//!
//! Attributes are written as AS_PATH with 4-octet AS numbers need: a session without the 4-octet
//! AS capability (every InterLink peer has it) gets no AS4_PATH, and an AS that does not fit is
//! an error. With ADD-PATH negotiated for a family, NLRI without a path id are sent with id 0.

use crate::adj_rib_out::OutDiff;
use crate::attributes::PathAttributes;
use bgp_wire::attribute::{MpReachNlri, MpUnreachNlri, NextHop, flags};
use bgp_wire::header::HEADER_LEN;
use bgp_wire::{
    Afi, AttributeValue, Context, EncodeError, Message, Nlri, PathAttribute, Safi, Update,
};
use ipnet::IpNet;

/// Why a difference cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// The attributes leave no room for a single prefix.
    #[error("attributes of {len} octets leave no room for a prefix in a {max}-octet message")]
    AttributesTooLong {
        /// The octets taken by the attributes and message headers.
        len: usize,
        /// The session's maximum message length.
        max: usize,
    },
    /// A message the encoder refuses (for instance a 4-octet AS on a 2-octet session).
    #[error(transparent)]
    Encode(#[from] EncodeError),
}

/// The End-of-RIB marker of a unicast family (RFC 4724 §2).
///
/// ```
/// use bgp_wire::Afi;
/// assert_eq!(rib::packing::end_of_rib(Afi::IPV6).end_of_rib(), Some((Afi::IPV6, bgp_wire::Safi::UNICAST)));
/// ```
pub fn end_of_rib(afi: Afi) -> Update {
    if afi == Afi::IPV4 {
        return Update::default();
    }
    Update {
        attributes: vec![PathAttribute::new(AttributeValue::MpUnreachNlri(
            MpUnreachNlri {
                afi,
                safi: Safi::UNICAST,
                withdrawn: Vec::new(),
            },
        ))],
        ..Update::default()
    }
}

/// The UPDATE messages that carry `diff`: withdrawals first, then announcements, each message
/// at most `cx.max_message_len()` octets.
pub fn updates(diff: &OutDiff, cx: &Context) -> Result<Vec<Update>, PackError> {
    let max = cx.max_message_len();
    // Header, withdrawn routes length, total path attribute length.
    let fixed = HEADER_LEN + 4;
    let mut out = Vec::new();

    let (v4, v6): (Vec<Nlri>, Vec<Nlri>) = diff
        .withdraw
        .iter()
        .map(|n| with_path_id(*n, cx))
        .partition(|n| matches!(n.prefix, IpNet::V4(_)));
    for chunk in chunks(&v4, max.saturating_sub(fixed)) {
        out.push(Update {
            withdrawn: chunk.to_vec(),
            ..Update::default()
        });
    }
    // MP_UNREACH_NLRI: 4 octets of attribute header, 3 of AFI/SAFI.
    for chunk in chunks(&v6, max.saturating_sub(fixed + 4 + 3)) {
        out.push(Update {
            attributes: vec![mp(AttributeValue::MpUnreachNlri(MpUnreachNlri {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                withdrawn: chunk.to_vec(),
            }))],
            ..Update::default()
        });
    }

    for (attributes, nlri) in &diff.announce {
        let base = attributes.to_wire();
        let base_len: usize = base.iter().map(|a| a.encoded_len(cx)).sum();
        let (v4, v6): (Vec<Nlri>, Vec<Nlri>) = nlri
            .iter()
            .map(|n| with_path_id(*n, cx))
            .partition(|n| matches!(n.prefix, IpNet::V4(_)));
        let classic = matches!(attributes.next_hop, NextHop::Ipv4(_));
        if classic {
            announce_classic(attributes, &base, base_len, &v4, cx, &mut out)?;
        } else {
            announce_mp(Afi::IPV4, attributes, &base, base_len, &v4, cx, &mut out)?;
        }
        announce_mp(Afi::IPV6, attributes, &base, base_len, &v6, cx, &mut out)?;
    }
    for u in &out {
        Message::Update(u.clone()).check_encodable(cx)?;
    }
    Ok(out)
}

fn announce_classic(
    attributes: &PathAttributes,
    base: &[PathAttribute],
    base_len: usize,
    nlri: &[Nlri],
    cx: &Context,
    out: &mut Vec<Update>,
) -> Result<(), PackError> {
    if nlri.is_empty() {
        return Ok(());
    }
    let NextHop::Ipv4(nh) = attributes.next_hop else {
        return Ok(());
    };
    let next_hop = PathAttribute::new(AttributeValue::NextHop(nh));
    let used = HEADER_LEN + 4 + base_len + next_hop.encoded_len(cx);
    let list = with_attribute(base, next_hop);
    for chunk in chunks(nlri, room(used, nlri, cx)?) {
        out.push(Update {
            attributes: list.clone(),
            nlri: chunk.to_vec(),
            ..Update::default()
        });
    }
    Ok(())
}

fn announce_mp(
    afi: Afi,
    attributes: &PathAttributes,
    base: &[PathAttribute],
    base_len: usize,
    nlri: &[Nlri],
    cx: &Context,
    out: &mut Vec<Update>,
) -> Result<(), PackError> {
    if nlri.is_empty() {
        return Ok(());
    }
    let next_hop = match (afi, attributes.next_hop) {
        // An IPv6 route through an IPv4 next hop: the IPv4-mapped address (RFC 4291 §2.5.5.2).
        (Afi::IPV6, NextHop::Ipv4(a)) => NextHop::Ipv6(a.to_ipv6_mapped()),
        (_, nh) => nh,
    };
    let empty = MpReachNlri {
        afi,
        safi: Safi::UNICAST,
        next_hop,
        reserved: 0,
        nlri: Vec::new(),
    };
    let used =
        HEADER_LEN + 4 + base_len + mp(AttributeValue::MpReachNlri(empty.clone())).encoded_len(cx);
    for chunk in chunks(nlri, room(used, nlri, cx)?) {
        let reach = MpReachNlri {
            nlri: chunk.to_vec(),
            ..empty.clone()
        };
        out.push(Update {
            attributes: with_attribute(base, mp(AttributeValue::MpReachNlri(reach))),
            ..Update::default()
        });
    }
    Ok(())
}

/// The octets left for NLRI once `used` are taken; an error if not even the first fits.
fn room(used: usize, nlri: &[Nlri], cx: &Context) -> Result<usize, PackError> {
    let max = cx.max_message_len();
    let first = nlri.first().map_or(0, Nlri::encoded_len);
    if used + first > max {
        return Err(PackError::AttributesTooLong { len: used, max });
    }
    Ok(max - used)
}

/// MP_REACH/MP_UNREACH always with Extended Length, so their header size does not depend on
/// how many prefixes they carry.
fn mp(value: AttributeValue) -> PathAttribute {
    PathAttribute {
        flags: Some(flags::OPTIONAL | flags::EXTENDED_LENGTH),
        value,
    }
}

/// `base` with `extra` inserted in type code order.
fn with_attribute(base: &[PathAttribute], extra: PathAttribute) -> Vec<PathAttribute> {
    let code = extra.value.type_code();
    let at = base.partition_point(|a| a.value.type_code() < code);
    let mut list = Vec::with_capacity(base.len() + 1);
    list.extend_from_slice(base.get(..at).unwrap_or_default());
    list.push(extra);
    list.extend_from_slice(base.get(at..).unwrap_or_default());
    list
}

/// Runs of `nlri` whose encoded length fits `room` octets (at least one NLRI per run).
fn chunks(nlri: &[Nlri], room: usize) -> Vec<&[Nlri]> {
    let mut out = Vec::new();
    let mut rest = nlri;
    while !rest.is_empty() {
        let mut len = 0;
        let n = rest
            .iter()
            .take_while(|n| {
                len += n.encoded_len();
                len <= room
            })
            .count()
            .max(1);
        let (chunk, tail) = rest.split_at(n.min(rest.len()));
        out.push(chunk);
        rest = tail;
    }
    out
}

fn with_path_id(mut n: Nlri, cx: &Context) -> Nlri {
    let afi = match n.prefix {
        IpNet::V4(_) => Afi::IPV4,
        IpNet::V6(_) => Afi::IPV6,
    };
    if cx.add_path.for_afi(afi) && n.path_id.is_none() {
        n.path_id = Some(0);
    }
    n
}

#[cfg(test)]
mod tests;
