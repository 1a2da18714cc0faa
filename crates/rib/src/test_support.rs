//! Helpers for the unit tests.

use crate::attributes::PathAttributes;
use crate::route::PeerId;
use bgp_wire::attribute::{AsPath, AsSegment, NextHop, Origin};
use bgp_wire::{AttributeValue, Nlri, PathAttribute, Update};
use ipnet::IpNet;
use std::net::Ipv4Addr;

pub fn net(s: &str) -> IpNet {
    s.parse().unwrap()
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

/// ORIGIN IGP, AS_PATH 65001, next hop 169.254.0.1.
pub fn attrs() -> PathAttributes {
    let mut a = PathAttributes::local(NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 1)));
    a.as_path = AsPath(vec![AsSegment::Sequence(vec![65001])]);
    a
}

/// The mandatory attributes of an IPv4 UPDATE, with MED `med`.
pub fn wire_attributes(med: u32) -> Vec<PathAttribute> {
    vec![
        PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
        PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
            vec![65001],
        )]))),
        PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
        PathAttribute::new(AttributeValue::MultiExitDisc(med)),
    ]
}

/// An IPv4 UPDATE announcing `prefixes` with MED `med`.
pub fn announce(prefixes: &[&str], med: u32) -> Update {
    Update {
        attributes: wire_attributes(med),
        nlri: prefixes.iter().map(|p| Nlri::new(net(p))).collect(),
        ..Update::default()
    }
}

/// An IPv4 UPDATE withdrawing `prefixes`.
pub fn withdraw(prefixes: &[&str]) -> Update {
    Update {
        withdrawn: prefixes.iter().map(|p| Nlri::new(net(p))).collect(),
        ..Update::default()
    }
}
