//! Strategies and helpers shared by the property tests.
#![allow(dead_code)]

use bgp_wire::attribute::{AsPath, AsSegment, NextHop, Origin};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;
use rib::{PathAttributes, PeerId, PrefixFilter};
use std::net::{Ipv4Addr, Ipv6Addr};

/// IPv4 prefixes crowded into a small space (10.0–3.x.0 and 11.0–3.x.0) so that they nest and
/// collide often; host bits cleared.
pub fn v4_prefix() -> impl Strategy<Value = IpNet> {
    (10u8..12, 0u8..4, 0u8..4, 0u8..4, 6u8..=30).prop_map(|(a, b, c, d, len)| {
        let addr = Ipv4Addr::new(a, b << 6, c << 6, d << 6);
        IpNet::V4(Ipv4Net::new(addr, len).unwrap().trunc())
    })
}

/// As [`v4_prefix`], possibly with host bits set.
pub fn v4_prefix_raw() -> impl Strategy<Value = IpNet> {
    (10u8..12, 0u8..4, 0u8..4, any::<u8>(), 6u8..=32).prop_map(|(a, b, c, d, len)| {
        IpNet::V4(Ipv4Net::new(Ipv4Addr::new(a, b << 6, c << 6, d), len).unwrap())
    })
}

/// IPv6 prefixes crowded under 2001:db8::/29.
pub fn v6_prefix() -> impl Strategy<Value = IpNet> {
    (0u16..4, 0u16..4, 0u16..4, 20u8..=64).prop_map(|(a, b, c, len)| {
        let addr = Ipv6Addr::new(0x2001, 0x0db8 | a, b << 14, c << 14, 0, 0, 0, 0);
        IpNet::V6(Ipv6Net::new(addr, len).unwrap().trunc())
    })
}

/// The filter model: any entry contains the route.
pub fn linear_admits(entries: &[IpNet], route: &IpNet) -> bool {
    entries.iter().any(|e| e.contains(route))
}

pub fn v4_filter(entries: &[IpNet]) -> PrefixFilter {
    PrefixFilter::new(false, entries.iter().copied()).unwrap()
}

/// An eBGP peer numbered `n`: identifier 192.0.2.n, address 169.254.0.n, AS 65000 + n.
pub fn peer(n: u8) -> PeerId {
    PeerId {
        bgp_id: Ipv4Addr::new(192, 0, 2, n),
        address: Ipv4Addr::new(169, 254, 0, n).into(),
        asn: 65000 + u32::from(n),
        ebgp: true,
    }
}

pub fn local() -> PeerId {
    PeerId::local(Ipv4Addr::new(192, 0, 2, 254), 12876)
}

/// Attributes with small value domains, so that the decision process ties often.
pub fn attributes() -> impl Strategy<Value = PathAttributes> {
    (
        prop_oneof![Just(None), Just(Some(100u32)), Just(Some(200))],
        proptest::collection::vec(prop_oneof![Just(65001u32), Just(65002)], 0..3),
        prop_oneof![
            Just(Origin::Igp),
            Just(Origin::Egp),
            Just(Origin::Incomplete)
        ],
        prop_oneof![Just(None), Just(Some(0u32)), Just(Some(10)), Just(Some(20))],
    )
        .prop_map(|(local_pref, path, origin, med)| {
            let mut a = PathAttributes::local(NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 1)));
            a.local_pref = local_pref;
            if !path.is_empty() {
                a.as_path = AsPath(vec![AsSegment::Sequence(path)]);
            }
            a.origin = origin;
            a.med = med;
            a
        })
}
