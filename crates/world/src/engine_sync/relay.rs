//! The AS_PATH relay of OVHcloud Connect: what a PoP session announces on behalf of the
//! datacenter's routing instance, and the routes one session learned as OVH hands them to
//! another for re-announcement. Pure functions; [`super::ovh`] runs them on every reconcile.
//!
//! This is the one place the relay's rules live: OVH's guide says the datacenter's ASN "will
//! appear in AS path" and "can be different from the PoP ASN".

use ipnet::IpNet;
use provider::ovh_connect::OvhSession;
use rib::{PeerId, Route};

/// The prefixes `session` announces on behalf of another OVH routing instance (a datacenter
/// configuration's subnet and static routes, announced at the PoP): routes that instance
/// originated and handed over by eBGP, so their AS_PATH is its `ovhBgpArea` before the
/// session prepends its own (`pop-AS dc-AS`). A datacenter with the PoP's ASN is the same AS:
/// those prefixes stay the session's own.
pub fn originated_elsewhere(session: &OvhSession) -> Vec<Route> {
    use bgp_wire::attribute::NextHop;
    session
        .announce_from
        .iter()
        .filter(|o| o.asn != session.local_asn)
        .map(|o| {
            let next_hop = NextHop::Ipv4(o.address);
            let instance = rib::Export {
                local_as: o.asn,
                next_hop,
                ebgp: true,
            };
            let attributes = rib::PathAttributes::local(next_hop).export(&instance, None);
            Route {
                prefix: IpNet::V4(o.prefix.trunc()),
                path_id: None,
                attributes: std::sync::Arc::new(attributes),
                peer: PeerId {
                    bgp_id: o.address,
                    address: o.address.into(),
                    asn: o.asn,
                    ebgp: true,
                },
            }
        })
        .collect()
}

/// A route that session `from` learned, as OVH hands it to session `to` for relaying, or `None`
/// when `to`'s routing instance would not take it.
///
/// The route crosses OVH from one routing instance to the other: the datacenter's
/// (`ovhBgpArea` of the datacenter configuration) and the PoP's (`ovhBgpArea` of the PoP
/// configuration). OVH's guide says the datacenter's ASN "will appear in AS path" and "can be
/// different from the PoP ASN": when the two differ, the route leaves `from`'s instance as an
/// eBGP route (its AS prepended, MED dropped) before `to`'s session prepends its own on export,
/// so a datacenter router's prefix reaches the PoP router as `pop-AS dc-AS router-AS`. When they
/// are equal it is one AS, which appears once. A route whose path already holds `to`'s AS is a
/// loop for that instance (RFC 4271 §9.1.2) and is not relayed.
pub fn relay(route: &Route, from: &OvhSession, to: &OvhSession) -> Option<Route> {
    let attributes = if from.local_asn == to.local_asn {
        std::sync::Arc::clone(&route.attributes)
    } else {
        // The next hop between the two instances is OVH's business: `to`'s session sets its
        // own address on export anyway.
        let hop = rib::Export {
            local_as: from.local_asn,
            next_hop: route.attributes.next_hop,
            ebgp: true,
        };
        std::sync::Arc::new(route.attributes.export(&hop, Some(true)))
    };
    if attributes.as_path_contains(to.local_asn) {
        return None;
    }
    // Learned, for `to`'s session, from OVH's instance of `from` (never `to`'s own peer).
    let peer = PeerId {
        bgp_id: from.local,
        address: from.local.into(),
        asn: from.local_asn,
        ebgp: true,
    };
    Some(Route {
        prefix: route.prefix,
        path_id: None,
        attributes,
        peer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ipnet::Ipv4Net;
    use std::net::Ipv4Addr;

    fn session(id: &str, local_asn: u32, local: [u8; 4]) -> OvhSession {
        OvhSession {
            id: id.into(),
            local_asn,
            peer_asn: 65010,
            local: local.into(),
            peer: Ipv4Addr::new(10, 0, 0, 9),
            announce: Vec::new(),
            announce_from: Vec::new(),
            learned_from: Vec::new(),
        }
    }

    /// A route session `ovh-extra-1` learned from the datacenter router (AS 65010).
    fn learned(path: &[u32]) -> Route {
        use bgp_wire::attribute::{AsPath, AsSegment, NextHop, Origin};
        let mut attributes = rib::PathAttributes::local(NextHop::Ipv4(Ipv4Addr::new(10, 0, 0, 9)));
        attributes.origin = Origin::Incomplete;
        attributes.as_path = AsPath(vec![AsSegment::Sequence(path.to_vec())]);
        attributes.med = Some(7);
        Route {
            prefix: "10.20.0.0/16".parse().unwrap(),
            path_id: None,
            attributes: std::sync::Arc::new(attributes),
            peer: PeerId {
                bgp_id: Ipv4Addr::UNSPECIFIED,
                address: Ipv4Addr::new(10, 0, 0, 9).into(),
                asn: 65010,
                ebgp: true,
            },
        }
    }

    fn path(route: &Route) -> Vec<u32> {
        route
            .attributes
            .as_path
            .0
            .iter()
            .flat_map(|s| match s {
                bgp_wire::attribute::AsSegment::Sequence(a) => a.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn a_route_crossing_two_ovh_instances_carries_both_ases() {
        let dc = session("ovh-extra-1", 65502, [10, 0, 0, 1]);
        let pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        let relayed = relay(&learned(&[65010]), &dc, &pop).unwrap();
        // The datacenter's instance is crossed; the PoP's session prepends 65501 on export.
        assert_eq!(path(&relayed), vec![65502, 65010]);
        assert_eq!(
            relayed.attributes.origin,
            learned(&[65010]).attributes.origin
        );
        assert_eq!(relayed.attributes.med, None);
        // Learned from OVH's datacenter instance, not from the PoP session's own peer.
        assert_eq!(relayed.peer.address, std::net::IpAddr::from([10, 0, 0, 1]));
        assert!(relayed.peer.ebgp);
    }

    #[test]
    fn a_datacenter_subnet_comes_from_the_datacenters_instance() {
        let mut pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        let subnet: Ipv4Net = "10.10.0.0/28".parse().unwrap();
        pop.announce = vec![subnet];
        pop.announce_from = vec![provider::ovh_connect::OvhOrigin {
            prefix: subnet,
            asn: 65502,
            address: Ipv4Addr::new(10, 10, 0, 1),
        }];
        let routes = originated_elsewhere(&pop);
        assert_eq!(routes.len(), 1);
        assert_eq!(path(&routes[0]), vec![65502]);
        assert_eq!(routes[0].prefix, IpNet::V4(subnet));
        assert!(!routes[0].peer.is_local());
        // The same ASN on both: the PoP's instance originates it.
        pop.announce_from[0].asn = 65501;
        assert!(originated_elsewhere(&pop).is_empty());
    }

    #[test]
    fn one_ovh_as_on_both_sides_appears_once() {
        let dc = session("ovh-extra-1", 65501, [10, 0, 0, 1]);
        let pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        let relayed = relay(&learned(&[65010]), &dc, &pop).unwrap();
        assert_eq!(path(&relayed), vec![65010]);
    }

    #[test]
    fn a_route_holding_the_receiving_instances_as_is_not_relayed() {
        let dc = session("ovh-extra-1", 65502, [10, 0, 0, 1]);
        let pop = session("ovh-pop-1", 65501, [192, 0, 2, 1]);
        assert_eq!(relay(&learned(&[65010, 65501, 65001]), &dc, &pop), None);
    }
}
