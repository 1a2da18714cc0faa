//! Link creation rules: VLAN, bandwidth, host, PoP, ASN, policies, quotas, deletion, addressing.

use super::super::test_support::*;
use crate::catalogue::{Catalogue, demo};
use crate::error::{ArgumentReason::*, ProviderError};
use crate::interlink::{BgpStatus, CreateLinkRequest, Intent, InterLink, LinkStatus};

#[test]
fn self_hosted_link_has_the_sdk_shape_and_its_addresses() {
    let mut s = state();
    let (link, intents) = s
        .create_link(R, &me(), dc2("prod", 2001, 1000), t(0))
        .unwrap();
    assert_eq!(link.status, LinkStatus::Ready);
    assert_eq!(link.bgp_v4_status, BgpStatus::Disabled);
    assert_eq!(link.bgp_v6_status, BgpStatus::Disabled);
    assert_eq!(link.vlan, 2001);
    assert_eq!(link.project_id, demo::DEMO_PROJECT_ID);
    assert_eq!(link.organization_id, demo::DEMO_ORGANIZATION_ID);
    assert!(!link.enable_route_propagation);
    assert_eq!(
        link.self_.map(|h| h.connection_id),
        Some(demo::CONNECTION_DC2_ID)
    );
    assert!(link.partner.is_none());
    let scw = link.scw_bgp_config.unwrap();
    let peer = link.peer_bgp_config.unwrap();
    assert_eq!((scw.asn, peer.asn), (12876, 64512));
    assert_eq!(scw.ipv4.to_string(), "169.254.0.0/31");
    assert_eq!(peer.ipv4.to_string(), "169.254.0.1/31");
    assert_eq!(scw.ipv6.to_string(), "fd12:876::/127");
    assert_eq!(peer.ipv6.to_string(), "fd12:876::1/127");
    match intents.as_slice() {
        [Intent::ConfigureLink(c)] => {
            assert_eq!(c.link_id, link.id);
            assert_eq!(c.vlan, 2001);
            assert_eq!((c.local_asn, c.peer_asn), (12876, 64512));
            assert_eq!(c.ipv4_addresses().0.to_string(), "169.254.0.0");
            assert!(c.policy_v4.is_none() && c.policy_v6.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.get_link(R, &me(), link.id).unwrap(), link);
}

#[test]
fn vlan_zero_picks_the_lowest_free_one() {
    let mut s = state();
    assert_eq!(create(&mut s, th2("a", 0, 50)).vlan, 2000);
    assert_eq!(create(&mut s, th2("b", 2002, 50)).vlan, 2002);
    assert_eq!(create(&mut s, th2("c", 0, 50)).vlan, 2001);
    assert_eq!(create(&mut s, th2("d", 0, 50)).vlan, 2003);
}

#[test]
fn vlan_must_be_inside_the_connection_range() {
    let mut s = state();
    for vlan in [1499, 3900, 4095, 100_000] {
        let r = s.create_link(R, &me(), dc2("x", vlan, 100), t(0));
        assert_eq!(invalid(r), vec![("vlan".into(), Constraint)], "{vlan}");
    }
    // TH2's range is 2000-2099: inside 1500-3899 but outside the connection's range.
    let r = s.create_link(R, &me(), th2("x", 2100, 50), t(0));
    assert_eq!(invalid(r), vec![("vlan".into(), Constraint)]);
    assert_eq!(create(&mut s, dc2("lo", 1500, 100)).vlan, 1500);
    assert_eq!(create(&mut s, dc2("hi", 3899, 100)).vlan, 3899);
}

#[test]
fn vlan_already_used_on_the_connection_is_refused_but_free_on_another() {
    let mut s = state();
    create(&mut s, th2("a", 2050, 50));
    let r = s.create_link(R, &me(), th2("b", 2050, 50), t(0));
    assert_eq!(invalid(r), vec![("vlan".into(), Constraint)]);
    // The same VLAN on another connection is fine.
    assert_eq!(create(&mut s, dc2("c", 2050, 100)).vlan, 2050);
}

#[test]
fn bandwidth_must_be_one_of_the_connection_sizes() {
    let mut s = state();
    for bw in [1, 150, 1001, 2000] {
        let r = s.create_link(R, &me(), th2("x", 0, bw), t(0));
        assert_eq!(
            invalid(r),
            vec![("bandwidth_mbps".into(), Constraint)],
            "{bw}"
        );
    }
}

#[test]
fn bandwidth_must_fit_in_what_the_connection_has_left() {
    let mut s = state();
    create(&mut s, th2("a", 0, 500));
    create(&mut s, th2("b", 0, 200));
    create(&mut s, th2("c", 0, 200));
    // 900 of 1000 used: 100 does not fit... yes it does; 200 does not.
    let r = s.create_link(R, &me(), th2("d", 0, 200), t(0));
    assert_eq!(invalid(r), vec![("bandwidth_mbps".into(), Constraint)]);
    create(&mut s, th2("e", 0, 100));
    let r = s.create_link(R, &me(), th2("f", 0, 50), t(0));
    assert_eq!(invalid(r), vec![("bandwidth_mbps".into(), Constraint)]);
}

#[test]
fn bandwidth_and_vlan_errors_are_reported_together() {
    let mut s = state();
    let mut got = invalid(s.create_link(R, &me(), th2("x", 5, 7), t(0)));
    got.sort();
    assert_eq!(
        got,
        vec![
            ("bandwidth_mbps".into(), Constraint),
            ("vlan".into(), Constraint)
        ]
    );
}

#[test]
fn exactly_one_of_connection_and_partner() {
    let mut s = state();
    let mut neither = dc2("x", 0, 100);
    neither.connection_id = None;
    assert_eq!(
        invalid(s.create_link(R, &me(), neither, t(0))),
        vec![
            ("connection_id".into(), Required),
            ("partner_id".into(), Required)
        ]
    );
    let mut both = dc2("x", 0, 100);
    both.partner_id = Some(demo::PARTNER_ACME_ID);
    assert_eq!(
        invalid(s.create_link(R, &me(), both, t(0))),
        vec![
            ("connection_id".into(), Constraint),
            ("partner_id".into(), Constraint)
        ]
    );
}

#[test]
fn missing_name_pop_and_bandwidth_are_required() {
    let mut s = state();
    let req = CreateLinkRequest {
        connection_id: Some(demo::CONNECTION_DC2_ID),
        ..Default::default()
    };
    assert_eq!(
        invalid(s.create_link(R, &me(), req, t(0))),
        vec![
            ("name".into(), Required),
            ("pop_id".into(), Required),
            ("bandwidth_mbps".into(), Required)
        ]
    );
}

#[test]
fn pop_must_exist_and_be_the_connection_s() {
    let mut s = state();
    let mut wrong = dc2("x", 0, 100);
    wrong.pop_id = Some(demo::POP_TH2_ID);
    assert_eq!(
        invalid(s.create_link(R, &me(), wrong, t(0))),
        vec![("pop_id".into(), Constraint)]
    );
    let mut unknown = dc2("x", 0, 100);
    unknown.pop_id = Some(demo::VPC_ID);
    assert_eq!(kind(s.create_link(R, &me(), unknown, t(0))), "not_found");
    // A PoP of another region is not found either.
    assert_eq!(
        kind(s.create_link(crate::Region::NlAms, &me(), dc2("x", 0, 100), t(0))),
        "not_found"
    );
}

#[test]
fn peer_asn_default_explicit_and_reserved() {
    let mut s = state();
    let mut req = dc2("a", 0, 100);
    req.peer_asn = Some(0);
    assert_eq!(create(&mut s, req).peer_bgp_config.unwrap().asn, 64512);
    let mut req = dc2("b", 0, 100);
    req.peer_asn = Some(4_200_000_000);
    let link = create(&mut s, req);
    assert_eq!(link.peer_bgp_config.unwrap().asn, 4_200_000_000);
    for asn in [12876, 23456, 65535, u32::MAX] {
        let mut req = dc2("c", 0, 100);
        req.peer_asn = Some(asn);
        assert_eq!(
            invalid(s.create_link(R, &me(), req, t(0))),
            vec![("peer_asn".into(), Constraint)]
        );
    }
}

#[test]
fn configured_default_peer_asn_is_used() {
    let mut catalogue = Catalogue::default();
    catalogue.settings.default_peer_asn = 65010;
    let mut s = InterLink::new(&catalogue, t(0)).unwrap();
    assert_eq!(
        create(&mut s, dc2("a", 0, 100))
            .peer_bgp_config
            .unwrap()
            .asn,
        65010
    );
}

#[test]
fn policy_family_must_match_its_slot() {
    let mut s = state();
    let v4 = policy(&mut s, "v4", false, &["10.0.0.0/8"]);
    let v6 = policy(&mut s, "v6", true, &["2001:db8::/32"]);
    let mut req = dc2("x", 0, 100);
    req.routing_policy_v4_id = Some(v6.id);
    req.routing_policy_v6_id = Some(v4.id);
    let mut got = invalid(s.create_link(R, &me(), req, t(0)));
    got.sort();
    assert_eq!(
        got,
        vec![
            ("routing_policy_v4_id".into(), Constraint),
            ("routing_policy_v6_id".into(), Constraint)
        ]
    );
    let mut req = dc2("y", 0, 100);
    req.routing_policy_v4_id = Some(v4.id);
    req.routing_policy_v6_id = Some(v6.id);
    let (link, intents) = s.create_link(R, &me(), req, t(0)).unwrap();
    assert_eq!(link.routing_policy_v4_id, Some(v4.id));
    assert_eq!(
        link.routing_policy_id,
        Some(v4.id),
        "deprecated field follows v4"
    );
    assert_eq!(
        (link.bgp_v4_status, link.bgp_v6_status),
        (BgpStatus::Down, BgpStatus::Down)
    );
    match intents.as_slice() {
        [Intent::ConfigureLink(c)] => {
            assert_eq!(
                c.policy_v4.as_ref().map(|p| p.routing_policy_id),
                Some(v4.id)
            );
            assert_eq!(
                c.policy_v6.as_ref().map(|p| p.routing_policy_id),
                Some(v6.id)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn another_project_s_resources_do_not_exist_for_the_caller() {
    let mut s = state();
    let link = create(&mut s, dc2("mine", 0, 100));
    let p = policy(&mut s, "v4", false, &[]);
    assert_eq!(kind(s.get_link(R, &other(), link.id)), "not_found");
    assert_eq!(kind(s.get_routing_policy(R, &other(), p.id)), "not_found");
    assert_eq!(kind(s.delete_link(R, &other(), link.id, t(1))), "not_found");
    assert_eq!(
        kind(s.get_dedicated_connection(R, &other(), demo::CONNECTION_DC2_ID)),
        "not_found"
    );
    // Creating on my connection from the other project: the connection is not found.
    assert_eq!(
        kind(s.create_link(R, &other(), dc2("x", 0, 100), t(0))),
        "not_found"
    );
    // Attaching my policy to their link, or theirs to mine.
    let mut req = dc2("x", 0, 100);
    req.routing_policy_v4_id = Some(p.id);
    let err = s.create_link(R, &other(), req, t(0)).unwrap_err();
    assert_eq!(err.error_type(), "not_found");
    assert!(
        s.list_links(R, &other(), &Default::default())
            .unwrap()
            .links
            .is_empty()
    );
    // Writing into another project is denied.
    let mut req = dc2("x", 0, 100);
    req.project_id = Some(demo::OTHER_PROJECT_ID);
    assert_eq!(
        kind(s.create_link(R, &me(), req, t(0))),
        "permissions_denied"
    );
    // Another region does not see it either.
    assert_eq!(
        kind(s.get_link(crate::Region::PlWaw, &me(), link.id)),
        "not_found"
    );
}

#[test]
fn quota_of_links_per_project() {
    let mut catalogue = Catalogue::default();
    catalogue.settings.max_links_per_project = Some(2);
    let mut s = InterLink::new(&catalogue, t(0)).unwrap();
    create(&mut s, dc2("a", 0, 100));
    create(&mut s, dc2("b", 0, 100));
    match s.create_link(R, &me(), dc2("c", 0, 100), t(0)) {
        Err(ProviderError::QuotasExceeded { details }) => {
            assert_eq!((details[0].quota, details[0].current), (2, 2));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn delete_answers_deleted_then_the_link_is_gone_and_its_resources_free() {
    let mut s = state();
    let link = create(&mut s, th2("a", 2000, 1000));
    let ips_before = s.ipam().allocated_addresses().len();
    let (deleted, intents) = s.delete_link(R, &me(), link.id, t(5)).unwrap();
    assert_eq!(deleted.status, LinkStatus::Deleted);
    assert_eq!(deleted.id, link.id);
    assert_eq!(deleted.updated_at, t(5));
    assert_eq!(intents, vec![Intent::RemoveLink { link_id: link.id }]);
    assert_eq!(kind(s.get_link(R, &me(), link.id)), "not_found");
    assert_eq!(kind(s.delete_link(R, &me(), link.id, t(6))), "not_found");
    assert_eq!(s.ipam().allocated_addresses().len(), ips_before - 2);
    // VLAN, bandwidth and addresses are free again.
    let again = create(&mut s, th2("b", 2000, 1000));
    assert_eq!(again.scw_bgp_config, link.scw_bgp_config);
}

#[test]
fn addresses_never_collide_and_the_lowest_free_block_is_reused() {
    let mut s = state();
    let links: Vec<_> = (0..5)
        .map(|i| create(&mut s, dc2(&format!("l{i}"), 0, 100)))
        .collect();
    let v4: Vec<String> = links
        .iter()
        .map(|l| l.scw_bgp_config.unwrap().ipv4.to_string())
        .collect();
    assert_eq!(
        v4,
        [
            "169.254.0.0/31",
            "169.254.0.2/31",
            "169.254.0.4/31",
            "169.254.0.6/31",
            "169.254.0.8/31"
        ]
    );
    s.delete_link(R, &me(), links[1].id, t(1)).unwrap();
    let next = create(&mut s, dc2("again", 0, 100));
    assert_eq!(
        next.scw_bgp_config.unwrap().ipv4.to_string(),
        "169.254.0.2/31"
    );
    assert_eq!(
        next.scw_bgp_config.unwrap().ipv6.to_string(),
        "fd12:876::2/127"
    );
}

#[test]
fn inactive_connection_refuses_links() {
    let mut s = state();
    let spec = crate::catalogue::DedicatedConnectionSpec {
        id: None,
        name: "down".into(),
        project: Some("demo".into()),
        pop: "DC2".into(),
        bandwidth_mbps: 1000,
        available_link_bandwidths: None,
        vlan_range: None,
        tags: vec![],
        status: crate::interlink::DedicatedConnectionStatus::Disabled,
        demarcation_info: None,
        region: R,
    };
    let c = s.add_dedicated_connection(&spec, t(0)).unwrap();
    let mut req = dc2("x", 0, 100);
    req.connection_id = Some(c.id);
    assert_eq!(
        kind(s.create_link(R, &me(), req, t(0))),
        "precondition_failed"
    );
}
