//! UPDATE decode/encode throughput: peerlab's `bgp_wire` against `bgpkit-parser` and `zettabgp`.
//!
//! The messages are built with bgp_wire's own encoder and every decoder reads the very same
//! bytes (a whole message, marker header included). Before timing, each decoder's result is
//! checked once: all N prefixes (the same ones, in the same order) and all attributes.
//!
//! Cases: `decode/{ipv4,ipv6}/{1,10,500}/{peerlab,bgpkit,zettabgp}` and
//! `encode/{ipv4,ipv6}/{1,10,500}/{peerlab,bgpkit}`, with `Throughput::Elements(N)` so criterion
//! reports prefixes per second; messages per second is that divided by N.
//!
//! Run: `cargo bench --bench update_codec`. Results are in BENCHMARKS.md.

use bgp_wire::attribute::{
    AsPath, AsSegment, Community, ExtendedCommunity, LargeCommunity, MpReachNlri, NextHop, Origin,
};
use bgp_wire::{Afi, AttributeValue, Context, Message, Nlri, PathAttribute, Safi, Update};
use bgpkit_parser::models::{AsnLength, BgpMessage as BgpkitMessage};
use bgpkit_parser::parser::bgp::messages::parse_bgp_message;
use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::HashSet;
use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;
use zettabgp::message::update::BgpUpdateMessage;
use zettabgp::prelude::{
    BgpASitem, BgpAddrs, BgpCapability, BgpMessage as _, BgpSessionParams, BgpTransportMode,
};

/// Prefixes per message.
const SIZES: [usize; 3] = [1, 10, 500];

/// A small deterministic generator (splitmix64), so every run benchmarks the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Picks from `(weight, value)` pairs whose weights add up to 100.
    fn pick(&mut self, table: &[(u64, u8)]) -> u8 {
        let mut roll = self.next() % 100;
        for &(weight, value) in table {
            if roll < weight {
                return value;
            }
            roll -= weight;
        }
        unreachable!("weights add up to 100")
    }
}

/// IPv4 lengths roughly as in the DFZ: mostly /24, the rest /16–/23.
const V4_LENGTHS: &[(u64, u8)] = &[
    (60, 24),
    (10, 23),
    (10, 22),
    (6, 21),
    (5, 20),
    (3, 19),
    (2, 18),
    (2, 17),
    (2, 16),
];

/// IPv6 lengths: mostly /48, some /32–/44 and /64.
const V6_LENGTHS: &[(u64, u8)] = &[
    (55, 48),
    (10, 32),
    (5, 36),
    (8, 40),
    (4, 42),
    (8, 44),
    (10, 64),
];

/// `n` distinct IPv4 unicast prefixes (first octet 1–223, host bits zero).
fn v4_prefixes(n: usize, rng: &mut Rng) -> Vec<IpNet> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let len = rng.pick(V4_LENGTHS);
        let bits = rng.next() as u32;
        let first = 1 + (bits >> 24) % 223;
        let addr = Ipv4Addr::from((first << 24) | (bits & 0x00ff_ffff));
        let prefix = IpNet::V4(Ipv4Net::new(addr, len).unwrap().trunc());
        if seen.insert(prefix) {
            out.push(prefix);
        }
    }
    out
}

/// `n` distinct global unicast IPv6 prefixes (2000::/3, host bits zero).
fn v6_prefixes(n: usize, rng: &mut Rng) -> Vec<IpNet> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let len = rng.pick(V6_LENGTHS);
        let hi = (rng.next() & !(0xe000u64 << 48)) | (0x2000u64 << 48);
        let addr = Ipv6Addr::from((u128::from(hi) << 64) | u128::from(rng.next()));
        let prefix = IpNet::V6(Ipv6Net::new(addr, len).unwrap().trunc());
        if seen.insert(prefix) {
            out.push(prefix);
        }
    }
    out
}

/// The attributes both families share: ORIGIN igp, a 5-AS 4-octet AS_PATH.
fn as_path() -> AttributeValue {
    AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(vec![
        64_500,
        3_356,
        1_299,
        206_924,
        4_200_000_123,
    ])]))
}

fn communities() -> AttributeValue {
    AttributeValue::Communities(vec![
        Community((64_500 << 16) | 100),
        Community((64_500 << 16) | 2_001),
        Community((65_000 << 16) | 3_356),
    ])
}

/// An eBGP IPv4 UPDATE: ORIGIN, AS_PATH, NEXT_HOP, MED, COMMUNITIES ×3,
/// EXTENDED COMMUNITIES ×1, LARGE_COMMUNITY ×1, then the NLRI.
fn ipv4_update(prefixes: &[IpNet]) -> Message {
    let attributes = vec![
        AttributeValue::Origin(Origin::Igp),
        as_path(),
        AttributeValue::NextHop(Ipv4Addr::new(192, 0, 2, 1)),
        AttributeValue::MultiExitDisc(20),
        communities(),
        // Route target 64500:300 (type 0x00, subtype 0x02).
        AttributeValue::ExtendedCommunities(vec![ExtendedCommunity([
            0x00, 0x02, 0xfb, 0xf4, 0x00, 0x00, 0x01, 0x2c,
        ])]),
        AttributeValue::LargeCommunities(vec![LargeCommunity([206_924, 1, 2])]),
    ];
    Message::Update(Update {
        attributes: attributes.into_iter().map(PathAttribute::new).collect(),
        nlri: prefixes.iter().copied().map(Nlri::new).collect(),
        ..Update::default()
    })
}

/// An eBGP IPv6 UPDATE: ORIGIN, AS_PATH, MED, COMMUNITIES ×3, MP_REACH_NLRI with a global and
/// a link-local next hop.
fn ipv6_update(prefixes: &[IpNet]) -> Message {
    let attributes = vec![
        AttributeValue::Origin(Origin::Igp),
        as_path(),
        AttributeValue::MultiExitDisc(20),
        communities(),
        AttributeValue::MpReachNlri(MpReachNlri {
            afi: Afi::IPV6,
            safi: Safi::UNICAST,
            next_hop: NextHop::Ipv6LinkLocal([
                "2001:db8::1".parse().unwrap(),
                "fe80::1".parse().unwrap(),
            ]),
            reserved: 0,
            nlri: prefixes.iter().copied().map(Nlri::new).collect(),
        }),
    ];
    Message::Update(Update {
        attributes: attributes.into_iter().map(PathAttribute::new).collect(),
        ..Update::default()
    })
}

/// One benchmark case: a message, its bytes, and the context all parsers agree with.
struct Case {
    family: &'static str,
    prefixes: Vec<IpNet>,
    message: Message,
    bytes: Vec<u8>,
    cx: Context,
}

fn cases() -> Vec<Case> {
    let mut rng = Rng(0x5eed_2024);
    let mut out = Vec::new();
    for family in ["ipv4", "ipv6"] {
        for n in SIZES {
            let (prefixes, message) = if family == "ipv4" {
                let p = v4_prefixes(n, &mut rng);
                let m = ipv4_update(&p);
                (p, m)
            } else {
                let p = v6_prefixes(n, &mut rng);
                let m = ipv6_update(&p);
                (p, m)
            };
            // A message over 4096 octets needs the extended message capability (RFC 8654); the
            // other parsers accept such lengths without being told.
            let mut cx = Context::default();
            if message.encoded_len(&cx) > cx.max_message_len() {
                cx.extended_message = true;
            }
            let bytes = message.to_vec(&cx).expect("encodable");
            out.push(Case {
                family,
                prefixes,
                message,
                bytes,
                cx,
            });
        }
    }
    out
}

fn decode_peerlab(bytes: &[u8], cx: &Context) -> bgp_wire::Decoded {
    bgp_wire::decode(bytes, cx).expect("peerlab decodes")
}

fn decode_bgpkit(bytes: &Bytes) -> BgpkitMessage {
    // `Bytes::clone` of a static buffer is a pointer copy: no allocation, no refcount.
    parse_bgp_message(&mut bytes.clone(), false, &AsnLength::Bits32).expect("bgpkit decodes")
}

fn zettabgp_params(family: &str) -> BgpSessionParams {
    let (mode, safi) = if family == "ipv4" {
        (BgpTransportMode::IPv4, BgpCapability::SafiIPv4u)
    } else {
        (BgpTransportMode::IPv6, BgpCapability::SafiIPv6u)
    };
    let mut params = BgpSessionParams::new(
        64_500,
        180,
        mode,
        Ipv4Addr::new(192, 0, 2, 2),
        vec![safi, BgpCapability::CapASN32(64_500)],
    );
    params.check_caps(); // sets has_as32bit from CapASN32
    // No ADD-PATH on this session: don't guess path identifiers from the NLRI's shape.
    params.fuzzy_pathid = false;
    params
}

fn decode_zettabgp(bytes: &[u8], params: &BgpSessionParams) -> BgpUpdateMessage {
    let (kind, len) = params.decode_message_head(bytes).expect("zettabgp header");
    assert!(matches!(kind, zettabgp::message::BgpMessageType::Update));
    let mut update = BgpUpdateMessage::new();
    update
        .decode_from(params, &bytes[19..19 + len])
        .expect("zettabgp decodes");
    update
}

/// Checks once, outside the timed loops, that each parser reads every prefix and attribute.
fn check(case: &Case, static_bytes: &Bytes, params: &BgpSessionParams) {
    let n = case.prefixes.len();
    let ipv4 = case.family == "ipv4";
    let attribute_count = if ipv4 { 7 } else { 5 };

    // peerlab: the same message back, and the same bytes on re-encoding.
    let decoded = decode_peerlab(&case.bytes, &case.cx);
    assert_eq!(decoded.rfc7606, None);
    assert_eq!(decoded.message, case.message);
    assert_eq!(decoded.message.to_vec(&case.cx).unwrap(), case.bytes);

    // bgpkit-parser.
    let BgpkitMessage::Update(update) = decode_bgpkit(static_bytes) else {
        panic!("bgpkit: not an UPDATE");
    };
    assert!(
        !update.attributes.has_validation_warnings(),
        "bgpkit warnings: {:?}",
        update.attributes.validation_warnings()
    );
    assert_eq!(
        update.attributes.iter().count(),
        attribute_count,
        "bgpkit attributes"
    );
    assert_eq!(
        update.attributes.iter_communities().count(),
        if ipv4 { 5 } else { 3 }
    );
    let bgpkit_prefixes: Vec<IpNet> = if ipv4 {
        update.announced_prefixes.iter().map(|p| p.prefix).collect()
    } else {
        let reach = update
            .attributes
            .get_reachable_nlri()
            .expect("bgpkit MP_REACH");
        assert!(update.announced_prefixes.is_empty());
        reach.prefixes.iter().map(|p| p.prefix).collect()
    };
    assert_eq!(bgpkit_prefixes.len(), n, "bgpkit prefix count");
    assert_eq!(bgpkit_prefixes, case.prefixes, "bgpkit prefixes");

    // zettabgp.
    let update = decode_zettabgp(&case.bytes, params);
    assert_eq!(update.attrs.len(), attribute_count, "zettabgp attributes");
    assert_eq!(update.get_attr_communitylist().unwrap().value.len(), 3);
    let path = &update.get_attr_aspath().unwrap().value;
    let [BgpASitem::Seq(seq)] = path.as_slice() else {
        panic!("zettabgp AS_PATH {path:?}");
    };
    assert_eq!(seq.value.last().map(|a| a.value), Some(4_200_000_123));
    assert_eq!(seq.len(), 5);
    let addrs = if ipv4 {
        assert!(update.get_attr_largecommunitylist().is_some());
        assert!(update.get_attr_extcommunitylist().is_some());
        &update.updates
    } else {
        &update.get_mpupdates().expect("zettabgp MP_REACH").addrs
    };
    let zettabgp_prefixes: Vec<IpNet> = match addrs {
        BgpAddrs::IPV4U(v) if ipv4 => v
            .iter()
            .map(|a| IpNet::V4(Ipv4Net::new(a.addr, a.prefixlen).unwrap()))
            .collect(),
        BgpAddrs::IPV6U(v) if !ipv4 => v
            .iter()
            .map(|a| IpNet::V6(Ipv6Net::new(a.addr, a.prefixlen).unwrap()))
            .collect(),
        other => panic!("zettabgp: unexpected NLRI {other:?}"),
    };
    assert_eq!(zettabgp_prefixes.len(), n, "zettabgp prefix count");
    assert_eq!(zettabgp_prefixes, case.prefixes, "zettabgp prefixes");
}

fn update_codec(c: &mut Criterion) {
    let cases = cases();
    for case in &cases {
        eprintln!(
            "{}/{}: {} octets{}",
            case.family,
            case.prefixes.len(),
            case.bytes.len(),
            if case.cx.extended_message {
                " (extended message)"
            } else {
                ""
            }
        );
    }

    let mut decode = c.benchmark_group("decode");
    for case in &cases {
        let n = case.prefixes.len();
        let id = |parser: &str| BenchmarkId::new(format!("{}/{n}", case.family), parser);
        let static_bytes = Bytes::from_static(Box::leak(case.bytes.clone().into_boxed_slice()));
        let params = zettabgp_params(case.family);
        check(case, &static_bytes, &params);

        decode.throughput(Throughput::Elements(n as u64));
        decode.bench_function(id("peerlab"), |b| {
            b.iter(|| decode_peerlab(black_box(&case.bytes), black_box(&case.cx)))
        });
        decode.bench_function(id("bgpkit"), |b| {
            b.iter(|| decode_bgpkit(black_box(&static_bytes)))
        });
        decode.bench_function(id("zettabgp"), |b| {
            b.iter(|| decode_zettabgp(black_box(&case.bytes), black_box(&params)))
        });
    }
    decode.finish();

    let mut encode = c.benchmark_group("encode");
    for case in &cases {
        let n = case.prefixes.len();
        let id = |parser: &str| BenchmarkId::new(format!("{}/{n}", case.family), parser);
        encode.throughput(Throughput::Elements(n as u64));

        // peerlab: into a reused buffer, as a session's writer does.
        let mut buf = Vec::with_capacity(case.bytes.len());
        encode.bench_function(id("peerlab"), |b| {
            b.iter(|| {
                buf.clear();
                black_box(&case.message).encode(&case.cx, &mut buf).unwrap();
                black_box(buf.len())
            })
        });

        // bgpkit-parser's own encoder (for information): of what it decoded from the same bytes.
        let static_bytes = Bytes::from_static(Box::leak(case.bytes.clone().into_boxed_slice()));
        let bgpkit_message = decode_bgpkit(&static_bytes);
        let bgpkit_bytes = bgpkit_message.encode(AsnLength::Bits32).unwrap();
        assert_eq!(
            bgpkit_bytes.as_ref(),
            case.bytes.as_slice(),
            "bgpkit re-encodes the same bytes"
        );
        encode.bench_function(id("bgpkit"), |b| {
            b.iter(|| {
                black_box(&bgpkit_message)
                    .encode(AsnLength::Bits32)
                    .unwrap()
            })
        });
    }
    encode.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = update_codec
}
criterion_main!(benches);
