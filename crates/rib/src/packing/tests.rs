use super::*;
use crate::test_support::{attrs, net};
use bgp_wire::attribute::{AsPath, AsSegment};
use bgp_wire::decode;
use std::net::Ipv4Addr;
use std::sync::Arc;

fn v4_prefixes(n: u32) -> Vec<Nlri> {
    (0..n)
        .map(|i| {
            Nlri::new(IpNet::V4(
                ipnet::Ipv4Net::new(Ipv4Addr::from((10 << 24) | (i << 8)), 24).unwrap(),
            ))
        })
        .collect()
}

/// Encodes and decodes every message, checking the length limit; returns the decoded UPDATEs.
fn round_trip(updates: &[Update], cx: &Context) -> Vec<Update> {
    updates
        .iter()
        .map(|u| {
            let bytes = Message::Update(u.clone()).to_vec(cx).unwrap();
            assert!(bytes.len() <= cx.max_message_len());
            let decoded = decode(&bytes, cx).unwrap();
            assert_eq!(decoded.rfc7606, None);
            match decoded.message {
                Message::Update(u) => u,
                other => panic!("not an UPDATE: {other:?}"),
            }
        })
        .collect()
}

#[test]
fn ipv4_uses_classic_fields_and_packs_up_to_the_limit() {
    let diff = OutDiff {
        withdraw: v4_prefixes(2000),
        announce: vec![(Arc::new(attrs()), v4_prefixes(2000))],
    };
    let cx = Context::default();
    let decoded = round_trip(&updates(&diff, &cx).unwrap(), &cx);
    let withdrawn: usize = decoded.iter().map(|u| u.withdrawn.len()).sum();
    let announced: usize = decoded.iter().map(|u| u.nlri.len()).sum();
    assert_eq!((withdrawn, announced), (2000, 2000));
    // 4 octets per /24: 4096 - 23 = 4073 octets hold 1018 withdrawals.
    assert_eq!(decoded[0].withdrawn.len(), 1018);
    let first_announce = decoded.iter().find(|u| !u.nlri.is_empty()).unwrap();
    assert!(first_announce.nlri.len() > 1000);
    assert_eq!(
        first_announce.attribute(bgp_wire::attribute::type_code::NEXT_HOP),
        Some(&AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1)))
    );
    // Extended messages need fewer UPDATEs.
    let cx = Context {
        extended_message: true,
        ..Context::default()
    };
    let big = updates(&diff, &cx).unwrap();
    assert_eq!(big.len(), 2);
    round_trip(&big, &cx);
}

#[test]
fn ipv6_uses_mp_reach_and_mp_unreach() {
    let mut a = attrs();
    a.next_hop = NextHop::Ipv6("2001:db8::1".parse().unwrap());
    let nlri: Vec<Nlri> = (0..600u128)
        .map(|i| {
            Nlri::new(IpNet::V6(
                ipnet::Ipv6Net::new(((0x2001_0db8u128 << 96) | (i << 64)).into(), 64).unwrap(),
            ))
        })
        .collect();
    let diff = OutDiff {
        withdraw: nlri.clone(),
        announce: vec![(Arc::new(a), nlri)],
    };
    let cx = Context::default();
    let decoded = round_trip(&updates(&diff, &cx).unwrap(), &cx);
    let unreach: usize = decoded
        .iter()
        .filter_map(|u| u.mp_unreach())
        .map(|m| m.withdrawn.len())
        .sum();
    let reach: usize = decoded
        .iter()
        .filter_map(|u| u.mp_reach())
        .map(|m| m.nlri.len())
        .sum();
    assert_eq!((unreach, reach), (600, 600));
    assert!(
        decoded
            .iter()
            .all(|u| u.nlri.is_empty() && u.withdrawn.is_empty())
    );
    assert!(
        decoded.len() >= 4,
        "600 /64s (9 octets each) need two messages each way"
    );
}

#[test]
fn ipv4_with_ipv6_next_hop_goes_in_mp_reach() {
    let mut a = attrs();
    a.next_hop = NextHop::Ipv6("2001:db8::1".parse().unwrap());
    let diff = OutDiff {
        withdraw: vec![],
        announce: vec![(Arc::new(a), vec![Nlri::new(net("10.0.0.0/8"))])],
    };
    let cx = Context::default();
    let decoded = round_trip(&updates(&diff, &cx).unwrap(), &cx);
    let reach = decoded[0].mp_reach().unwrap();
    assert_eq!(reach.afi, Afi::IPV4);
    assert_eq!(reach.nlri, vec![Nlri::new(net("10.0.0.0/8"))]);
}

#[test]
fn attributes_that_leave_no_room_are_an_error() {
    let mut a = attrs();
    a.as_path = AsPath(vec![AsSegment::Sequence(vec![65001; 255]); 5]);
    let diff = OutDiff {
        withdraw: vec![],
        announce: vec![(Arc::new(a), vec![Nlri::new(net("10.0.0.0/8"))])],
    };
    assert!(matches!(
        updates(&diff, &Context::default()),
        Err(PackError::AttributesTooLong { max: 4096, .. })
    ));
}

#[test]
fn add_path_sessions_get_path_ids() {
    let diff = OutDiff {
        withdraw: vec![],
        announce: vec![(Arc::new(attrs()), vec![Nlri::new(net("10.0.0.0/8"))])],
    };
    let mut cx = Context::default();
    cx.add_path.ipv4 = true;
    let decoded = round_trip(&updates(&diff, &cx).unwrap(), &cx);
    assert_eq!(decoded[0].nlri[0].path_id, Some(0));
}

#[test]
fn end_of_rib_markers() {
    let cx = Context::default();
    for afi in [Afi::IPV4, Afi::IPV6] {
        let decoded = round_trip(&[end_of_rib(afi)], &cx);
        assert_eq!(decoded[0].end_of_rib(), Some((afi, Safi::UNICAST)));
    }
}

#[test]
fn empty_diff_is_no_message() {
    assert!(
        updates(&OutDiff::default(), &Context::default())
            .unwrap()
            .is_empty()
    );
}
