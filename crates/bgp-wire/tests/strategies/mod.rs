//! Proptest strategies for valid BGP messages under a given [`Context`].
//!
//! "Valid" means: `decode(encode(m))` must give back `m` with no RFC 7606 outcome. So the
//! strategies only build what the decoder reads back to the same value:
//! - prefixes keep host bits only inside their last significant octet;
//! - ADD-PATH path identifiers appear exactly in the families the context says;
//! - AS numbers fit 2 octets when the session does not use 4-octet AS;
//! - explicit attribute flags keep the category bits (optional/transitive) of the type, and
//!   are `None` whenever they equal the usual flags;
//! - each attribute type appears at most once, and an UPDATE that announces routes carries
//!   ORIGIN and AS_PATH (and NEXT_HOP for IPv4 NLRI);
//! - AS4_PATH and AS4_AGGREGATOR only in 2-octet AS sessions (RFC 6793 §6 discards them
//!   between 4-octet speakers);
//! - the message fits the session (`check_encodable`).

#![allow(dead_code)]

use bgp_wire::attribute::{
    Aggregator, AsPath, AsSegment, Community, ExtendedCommunity, LargeCommunity, MpReachNlri,
    MpUnreachNlri, NextHop, Origin, flags, type_code,
};
use bgp_wire::capability::{
    AddPathFamily, GracefulRestart, GracefulRestartFamily, Multiprotocol, capability_code,
};
use bgp_wire::{
    AddPath, Afi, AttributeValue, Capability, Context, Message, Nlri, Notification, Open,
    OptionalParameter, PathAttribute, RouteRefresh, Safi, Update,
};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use std::net::{Ipv4Addr, Ipv6Addr};

/// Every context: 4-octet AS or not, ADD-PATH per family, extended messages.
pub fn all_contexts() -> Vec<Context> {
    (0u8..16).map(context_from_bits).collect()
}

/// The context of the fuzz targets' first byte: bit 0 = 2-octet AS, bit 1 = ADD-PATH IPv4,
/// bit 2 = ADD-PATH IPv6, bit 3 = extended message. 0 is `Context::default()`.
pub fn context_from_bits(b: u8) -> Context {
    Context {
        four_octet_as: b & 1 == 0,
        add_path: AddPath {
            ipv4: b & 2 != 0,
            ipv6: b & 4 != 0,
        },
        extended_message: b & 8 != 0,
    }
}

pub fn any_context() -> impl Strategy<Value = Context> {
    (0u8..16).prop_map(context_from_bits)
}

// ---------------------------------------------------------------------------------------------
// Prefixes

/// Keeps the `len` high bits of `bits` (a `width`-bit address), or, when `octet_aligned`, every
/// bit of the octets that hold them (the wire keeps the host bits of the last octet).
fn mask(bits: u128, len: u8, width: u32, octet_aligned: bool) -> u128 {
    let keep = if octet_aligned {
        (u32::from(len).div_ceil(8) * 8).min(width)
    } else {
        u32::from(len)
    };
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    match keep {
        0 => 0,
        k if k >= width => bits & all,
        k => bits & all & !(all >> k),
    }
}

pub fn v4_prefix() -> impl Strategy<Value = IpNet> {
    (0u8..=32, any::<u32>(), any::<bool>()).prop_map(|(len, addr, aligned)| {
        let a = mask(u128::from(addr), len, 32, aligned) as u32;
        IpNet::V4(Ipv4Net::new(Ipv4Addr::from(a), len).unwrap())
    })
}

pub fn v6_prefix() -> impl Strategy<Value = IpNet> {
    (0u8..=128, any::<u128>(), any::<bool>()).prop_map(|(len, addr, aligned)| {
        let a = mask(addr, len, 128, aligned);
        IpNet::V6(Ipv6Net::new(Ipv6Addr::from(a), len).unwrap())
    })
}

pub fn nlri(afi: Afi, add_path: bool) -> BoxedStrategy<Nlri> {
    let prefix = if afi == Afi::IPV6 {
        v6_prefix().boxed()
    } else {
        v4_prefix().boxed()
    };
    let path_id = if add_path {
        any::<u32>().prop_map(Some).boxed()
    } else {
        Just(None).boxed()
    };
    (path_id, prefix)
        .prop_map(|(path_id, prefix)| Nlri { path_id, prefix })
        .boxed()
}

pub fn nlri_list(afi: Afi, add_path: bool, max: usize) -> BoxedStrategy<Vec<Nlri>> {
    vec(nlri(afi, add_path), 0..=max).boxed()
}

// ---------------------------------------------------------------------------------------------
// OPEN

const KNOWN_CAPABILITIES: [u8; 7] = [
    capability_code::MULTIPROTOCOL,
    capability_code::ROUTE_REFRESH,
    capability_code::EXTENDED_MESSAGE,
    capability_code::GRACEFUL_RESTART,
    capability_code::FOUR_OCTET_AS,
    capability_code::ADD_PATH,
    capability_code::ENHANCED_ROUTE_REFRESH,
];

fn afi() -> impl Strategy<Value = Afi> {
    prop_oneof![3 => select(vec![Afi::IPV4, Afi::IPV6]), 1 => any::<u16>().prop_map(Afi)]
}

fn safi() -> impl Strategy<Value = Safi> {
    prop_oneof![3 => select(vec![Safi::UNICAST, Safi::MULTICAST]), 1 => any::<u8>().prop_map(Safi)]
}

fn mostly_zero() -> impl Strategy<Value = u8> {
    prop_oneof![4 => Just(0u8), 1 => any::<u8>()]
}

pub fn capability() -> impl Strategy<Value = Capability> {
    let unknown_code = any::<u8>().prop_filter("unknown capability code", |c| {
        !KNOWN_CAPABILITIES.contains(c)
    });
    prop_oneof![
        (afi(), mostly_zero(), safi()).prop_map(|(afi, reserved, safi)| {
            Capability::Multiprotocol(Multiprotocol {
                afi,
                reserved,
                safi,
            })
        }),
        Just(Capability::RouteRefresh),
        Just(Capability::ExtendedMessage),
        (
            0u8..16,
            0u16..4096,
            vec(
                (afi(), safi(), any::<u8>())
                    .prop_map(|(afi, safi, flags)| { GracefulRestartFamily { afi, safi, flags } }),
                0..4
            )
        )
            .prop_map(|(flags, restart_time, families)| {
                Capability::GracefulRestart(GracefulRestart {
                    flags,
                    restart_time,
                    families,
                })
            }),
        any::<u32>().prop_map(Capability::FourOctetAs),
        vec(
            (afi(), safi(), 0u8..=3).prop_map(|(afi, safi, send_receive)| AddPathFamily {
                afi,
                safi,
                send_receive,
            }),
            0..4
        )
        .prop_map(Capability::AddPath),
        Just(Capability::EnhancedRouteRefresh),
        (
            unknown_code,
            prop_oneof![6 => vec(any::<u8>(), 0..16), 1 => vec(any::<u8>(), 0..=255)]
        )
            .prop_map(|(code, value)| Capability::Unknown { code, value }),
    ]
}

pub fn open() -> impl Strategy<Value = Open> {
    (
        any::<u16>(),
        prop_oneof![1 => Just(0u16), 4 => 3u16..=u16::MAX],
        1u32..=u32::MAX,
        vec(
            vec(capability(), 0..6).prop_map(OptionalParameter::Capabilities),
            0..4,
        ),
        prop_oneof![3 => Just(false), 1 => Just(true)],
    )
        .prop_map(
            |(my_as, hold_time, id, parameters, extended_parameters_length)| Open {
                my_as,
                hold_time,
                bgp_identifier: Ipv4Addr::from(id),
                parameters,
                extended_parameters_length,
            },
        )
        .prop_filter("OPEN fits its length fields", |o| {
            Message::Open(o.clone())
                .check_encodable(&Context::default())
                .is_ok()
        })
}

// ---------------------------------------------------------------------------------------------
// Path attributes

/// The known attribute types, in type code order.
pub const KNOWN_ATTRIBUTES: [u8; 16] = [
    type_code::ORIGIN,
    type_code::AS_PATH,
    type_code::NEXT_HOP,
    type_code::MULTI_EXIT_DISC,
    type_code::LOCAL_PREF,
    type_code::ATOMIC_AGGREGATE,
    type_code::AGGREGATOR,
    type_code::COMMUNITIES,
    type_code::ORIGINATOR_ID,
    type_code::CLUSTER_LIST,
    type_code::MP_REACH_NLRI,
    type_code::MP_UNREACH_NLRI,
    type_code::EXTENDED_COMMUNITIES,
    type_code::AS4_PATH,
    type_code::AS4_AGGREGATOR,
    type_code::LARGE_COMMUNITY,
];

/// The optional and transitive bits of a known type (RFC 4271 §5 and the attributes' RFCs).
pub fn category(code: u8) -> u8 {
    use type_code::*;
    match code {
        ORIGIN | AS_PATH | NEXT_HOP | LOCAL_PREF | ATOMIC_AGGREGATE => flags::TRANSITIVE,
        MULTI_EXIT_DISC | ORIGINATOR_ID | CLUSTER_LIST | MP_REACH_NLRI | MP_UNREACH_NLRI => {
            flags::OPTIONAL
        }
        AGGREGATOR | COMMUNITIES | EXTENDED_COMMUNITIES | AS4_PATH | AS4_AGGREGATOR
        | LARGE_COMMUNITY => flags::OPTIONAL | flags::TRANSITIVE,
        _ => panic!("type {code} is not a known attribute"),
    }
}

fn asn(cx: Context) -> BoxedStrategy<u32> {
    if cx.four_octet_as {
        prop_oneof![1 => 0u32..=65535, 2 => any::<u32>()].boxed()
    } else {
        (0u32..=65535).boxed()
    }
}

fn as_path(asn: BoxedStrategy<u32>) -> impl Strategy<Value = AsPath> {
    let segment = (1u8..=4, vec(asn, 1..=10)).prop_map(|(kind, asns)| match kind {
        1 => AsSegment::Set(asns),
        2 => AsSegment::Sequence(asns),
        3 => AsSegment::ConfedSequence(asns),
        _ => AsSegment::ConfedSet(asns),
    });
    vec(segment, 0..5).prop_map(AsPath)
}

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<u32>().prop_map(Ipv4Addr::from)
}

fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    any::<u128>().prop_map(Ipv6Addr::from)
}

fn aggregator(asn: BoxedStrategy<u32>) -> impl Strategy<Value = Aggregator> {
    (asn, ipv4()).prop_map(|(asn, address)| Aggregator { asn, address })
}

fn mp_afi_safi() -> impl Strategy<Value = (Afi, Safi)> {
    (
        select(vec![Afi::IPV4, Afi::IPV6]),
        prop_oneof![3 => Just(Safi::UNICAST), 1 => Just(Safi::MULTICAST)],
    )
}

fn next_hop(afi: Afi) -> BoxedStrategy<NextHop> {
    let v6 = ipv6().prop_map(NextHop::Ipv6);
    let ll = (ipv6(), ipv6()).prop_map(|(g, l)| NextHop::Ipv6LinkLocal([g, l]));
    if afi == Afi::IPV4 {
        prop_oneof![3 => ipv4().prop_map(NextHop::Ipv4), 1 => v6, 1 => ll].boxed()
    } else {
        prop_oneof![v6, ll].boxed()
    }
}

pub fn mp_reach(cx: Context) -> impl Strategy<Value = MpReachNlri> {
    mp_afi_safi().prop_flat_map(move |(afi, safi)| {
        (
            next_hop(afi),
            mostly_zero(),
            nlri_list(afi, cx.add_path.for_afi(afi), 10),
        )
            .prop_map(move |(next_hop, reserved, nlri)| MpReachNlri {
                afi,
                safi,
                next_hop,
                reserved,
                nlri,
            })
    })
}

pub fn mp_unreach(cx: Context) -> impl Strategy<Value = MpUnreachNlri> {
    mp_afi_safi().prop_flat_map(move |(afi, safi)| {
        nlri_list(afi, cx.add_path.for_afi(afi), 10).prop_map(move |withdrawn| MpUnreachNlri {
            afi,
            safi,
            withdrawn,
        })
    })
}

/// A valid value of a known attribute type.
pub fn known_value(code: u8, cx: Context) -> BoxedStrategy<AttributeValue> {
    use type_code::*;
    match code {
        ORIGIN => select(vec![Origin::Igp, Origin::Egp, Origin::Incomplete])
            .prop_map(AttributeValue::Origin)
            .boxed(),
        AS_PATH => as_path(asn(cx)).prop_map(AttributeValue::AsPath).boxed(),
        NEXT_HOP => ipv4().prop_map(AttributeValue::NextHop).boxed(),
        MULTI_EXIT_DISC => any::<u32>().prop_map(AttributeValue::MultiExitDisc).boxed(),
        LOCAL_PREF => any::<u32>().prop_map(AttributeValue::LocalPref).boxed(),
        ATOMIC_AGGREGATE => Just(AttributeValue::AtomicAggregate).boxed(),
        AGGREGATOR => aggregator(asn(cx))
            .prop_map(AttributeValue::Aggregator)
            .boxed(),
        COMMUNITIES => vec(any::<u32>().prop_map(Community), 1..10)
            .prop_map(AttributeValue::Communities)
            .boxed(),
        ORIGINATOR_ID => ipv4().prop_map(AttributeValue::OriginatorId).boxed(),
        CLUSTER_LIST => vec(ipv4(), 1..10)
            .prop_map(AttributeValue::ClusterList)
            .boxed(),
        MP_REACH_NLRI => mp_reach(cx).prop_map(AttributeValue::MpReachNlri).boxed(),
        MP_UNREACH_NLRI => mp_unreach(cx)
            .prop_map(AttributeValue::MpUnreachNlri)
            .boxed(),
        EXTENDED_COMMUNITIES => vec(any::<[u8; 8]>().prop_map(ExtendedCommunity), 1..6)
            .prop_map(AttributeValue::ExtendedCommunities)
            .boxed(),
        AS4_PATH => as_path(any::<u32>().boxed())
            .prop_map(AttributeValue::As4Path)
            .boxed(),
        AS4_AGGREGATOR => aggregator(any::<u32>().boxed())
            .prop_map(AttributeValue::As4Aggregator)
            .boxed(),
        LARGE_COMMUNITY => vec(any::<[u32; 3]>().prop_map(LargeCommunity), 1..5)
            .prop_map(AttributeValue::LargeCommunities)
            .boxed(),
        _ => panic!("type {code} is not a known attribute"),
    }
}

/// Flags for an attribute of category `cat`: mostly the usual ones (`None`), sometimes an
/// explicit octet with the same category bits, Extended Length on a short value, PARTIAL on an
/// optional transitive attribute, or the unused low bits.
fn attribute_with_flags(
    value: BoxedStrategy<AttributeValue>,
    cat: BoxedStrategy<u8>,
    cx: Context,
) -> BoxedStrategy<PathAttribute> {
    let explicit = prop_oneof![
        5 => Just(None),
        2 => (any::<bool>(), any::<bool>(), prop_oneof![4 => Just(0u8), 1 => 0u8..16])
            .prop_map(Some),
    ];
    (value, cat, explicit)
        .prop_map(move |(value, cat, explicit)| {
            let len = value.value_len(&cx);
            let usual = PathAttribute::usual_flags(value.type_code(), len);
            let mut f = usual;
            if let Some((ext, partial, low)) = explicit {
                f = cat | low;
                if ext || len > 255 {
                    f |= flags::EXTENDED_LENGTH;
                }
                if partial && cat == flags::OPTIONAL | flags::TRANSITIVE {
                    f |= flags::PARTIAL;
                }
            } else if cat != usual & (flags::OPTIONAL | flags::TRANSITIVE) {
                // An unknown optional non-transitive attribute has no "usual" flags.
                f = cat | (usual & flags::EXTENDED_LENGTH);
            }
            PathAttribute {
                flags: (f != usual).then_some(f),
                value,
            }
        })
        .boxed()
}

pub fn known_attribute(code: u8, cx: Context) -> BoxedStrategy<PathAttribute> {
    attribute_with_flags(known_value(code, cx), Just(category(code)).boxed(), cx)
}

pub fn unknown_type_code() -> impl Strategy<Value = u8> {
    any::<u8>().prop_filter("type code unknown to the crate", |c| {
        *c != 0 && !KNOWN_ATTRIBUTES.contains(c)
    })
}

/// An attribute of a type the crate does not know, optional (transitive or not). With
/// extended messages, sometimes a long one.
pub fn unknown_attribute(cx: Context) -> BoxedStrategy<PathAttribute> {
    let value = if cx.extended_message {
        prop_oneof![8 => vec(any::<u8>(), 0..40), 1 => vec(any::<u8>(), 200..6000)].boxed()
    } else {
        prop_oneof![8 => vec(any::<u8>(), 0..40), 1 => vec(any::<u8>(), 200..600)].boxed()
    };
    let value = (unknown_type_code(), value)
        .prop_map(|(type_code, value)| AttributeValue::Unknown { type_code, value })
        .boxed();
    let cat = select(vec![flags::OPTIONAL | flags::TRANSITIVE, flags::OPTIONAL]).boxed();
    attribute_with_flags(value, cat, cx)
}

/// Any single valid attribute: a known type or an unknown optional one.
pub fn any_attribute(cx: Context) -> BoxedStrategy<PathAttribute> {
    prop_oneof![
        6 => select(KNOWN_ATTRIBUTES.to_vec()).prop_flat_map(move |c| known_attribute(c, cx)),
        1 => unknown_attribute(cx),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// UPDATE

pub fn update(cx: Context) -> impl Strategy<Value = Update> {
    (
        subsequence(KNOWN_ATTRIBUTES.to_vec(), 0..=KNOWN_ATTRIBUTES.len()),
        prop_oneof![1 => Just(vec![]), 2 => nlri_list(Afi::IPV4, cx.add_path.ipv4, 12)],
        prop_oneof![1 => Just(vec![]), 2 => nlri_list(Afi::IPV4, cx.add_path.ipv4, 12)],
        vec(unknown_attribute(cx), 0..3),
    )
        .prop_flat_map(move |(mut kinds, withdrawn, nlri, mut unknown)| {
            // Between two 4-octet AS speakers AS4_PATH and AS4_AGGREGATOR are discarded
            // (RFC 6793 §6): they decode as unusable, with an attribute-discard outcome.
            if cx.four_octet_as {
                kinds.retain(|&c| c != type_code::AS4_PATH && c != type_code::AS4_AGGREGATOR);
            }
            // An UPDATE that announces routes must carry the well-known mandatory attributes,
            // or it decodes with an RFC 7606 treat-as-withdraw outcome.
            let mut need = vec![];
            if !nlri.is_empty() {
                need.extend([type_code::ORIGIN, type_code::AS_PATH, type_code::NEXT_HOP]);
            }
            if kinds.contains(&type_code::MP_REACH_NLRI) {
                need.extend([type_code::ORIGIN, type_code::AS_PATH]);
            }
            for c in need {
                if !kinds.contains(&c) {
                    kinds.push(c);
                }
            }
            let mut seen = vec![];
            unknown.retain(|a| {
                let c = a.value.type_code();
                let fresh = !seen.contains(&c);
                seen.push(c);
                fresh
            });
            let known: Vec<_> = kinds.iter().map(|&c| known_attribute(c, cx)).collect();
            (Just(withdrawn), Just(nlri), known, Just(unknown))
        })
        .prop_flat_map(|(withdrawn, nlri, known, unknown)| {
            let attributes: Vec<_> = known.into_iter().chain(unknown).collect();
            (Just(withdrawn), Just(nlri), Just(attributes).prop_shuffle())
        })
        .prop_map(|(withdrawn, nlri, attributes)| Update {
            withdrawn,
            attributes,
            unparsed_attributes: vec![],
            nlri,
        })
}

// ---------------------------------------------------------------------------------------------
// NOTIFICATION, ROUTE-REFRESH, any message

pub fn notification(cx: Context) -> impl Strategy<Value = Notification> {
    let max_data = cx.max_message_len() - 21;
    (
        any::<u8>(),
        any::<u8>(),
        prop_oneof![8 => vec(any::<u8>(), 0..64), 1 => vec(any::<u8>(), 0..=max_data)],
    )
        .prop_map(|(code, subcode, data)| Notification {
            code,
            subcode,
            data,
        })
}

pub fn route_refresh() -> impl Strategy<Value = RouteRefresh> {
    (afi(), prop_oneof![4 => 0u8..=2, 1 => any::<u8>()], safi())
        .prop_map(|(afi, subtype, safi)| RouteRefresh { afi, subtype, safi })
}

/// Any valid message of the five types, fitting the session.
pub fn message(cx: Context) -> impl Strategy<Value = Message> {
    prop_oneof![
        2 => open().prop_map(Message::Open),
        6 => update(cx).prop_map(Message::Update),
        1 => notification(cx).prop_map(Message::Notification),
        1 => route_refresh().prop_map(Message::RouteRefresh),
        1 => Just(Message::Keepalive),
    ]
    .prop_filter("message fits the session", move |m| {
        m.check_encodable(&cx).is_ok()
    })
}

/// A context and a valid message for it.
pub fn context_and_message() -> impl Strategy<Value = (Context, Message)> {
    any_context().prop_flat_map(|cx| (Just(cx), message(cx)))
}
