//! Routing policies and their attachment: family checks, sessions and the link status.

use super::super::test_support::*;
use crate::error::ArgumentReason::*;
use crate::interlink::{
    BgpStatus, CreateRoutingPolicyRequest, Family, Intent, LinkStatus, PolicyFilters,
    UpdateRoutingPolicyRequest,
};

#[test]
fn prefixes_are_parsed_checked_normalized_and_deduplicated() {
    let mut s = state();
    let p = s
        .create_routing_policy(
            R,
            &me(),
            CreateRoutingPolicyRequest {
                name: "v4".into(),
                prefix_filter_in: Some(vec!["10.1.2.3/16".into(), "10.1.0.0/16".into()]),
                prefix_filter_out: Some(vec![" 172.16.0.0/12".into()]),
                tags: Some(vec!["t".into()]),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["prefix_filter_in"], serde_json::json!(["10.1.0.0/16"]));
    assert_eq!(
        json["prefix_filter_out"],
        serde_json::json!(["172.16.0.0/12"])
    );
    assert_eq!(json["is_ipv6"], false);
    assert_eq!(p.project_id, me().project_id);

    let r = s.create_routing_policy(
        R,
        &me(),
        CreateRoutingPolicyRequest {
            name: "".into(),
            is_ipv6: true,
            prefix_filter_in: Some(vec![
                "nope".into(),
                "2001:db8::/32".into(),
                "10.0.0.0/8".into(),
            ]),
            ..Default::default()
        },
        t(0),
    );
    assert_eq!(
        invalid(r),
        vec![
            ("name".into(), Required),
            ("prefix_filter_in.0".into(), Format),
            ("prefix_filter_in.2".into(), Constraint)
        ]
    );
}

#[test]
fn update_replaces_given_fields_and_reapplies_in_place() {
    let mut s = state();
    let p = policy(&mut s, "v4", false, &["10.0.0.0/8"]);
    let mut req = dc2("l", 0, 100);
    req.routing_policy_v4_id = Some(p.id);
    let link = create(&mut s, req);
    let (updated, intents) = s
        .update_routing_policy(
            R,
            &me(),
            p.id,
            UpdateRoutingPolicyRequest {
                prefix_filter_in: Some(vec!["10.1.0.0/16".into()]),
                ..Default::default()
            },
            t(3),
        )
        .unwrap();
    assert_eq!(updated.name, "v4");
    assert_eq!(updated.updated_at, t(3));
    assert_eq!(updated.created_at, t(0));
    assert_eq!(
        intents,
        vec![Intent::SetPolicy {
            link_id: link.id,
            family: Family::Ipv4,
            policy: Some(PolicyFilters::of(&updated)),
            in_place: true
        }]
    );
    // Renaming only: nothing for the engine.
    let (_, intents) = s
        .update_routing_policy(
            R,
            &me(),
            p.id,
            UpdateRoutingPolicyRequest {
                name: Some("renamed".into()),
                ..Default::default()
            },
            t(4),
        )
        .unwrap();
    assert!(intents.is_empty());
    // The family cannot change through the filters.
    let r = s.update_routing_policy(
        R,
        &me(),
        p.id,
        UpdateRoutingPolicyRequest {
            prefix_filter_out: Some(vec!["2001:db8::/32".into()]),
            ..Default::default()
        },
        t(5),
    );
    assert_eq!(invalid(r), vec![("prefix_filter_out.0".into(), Constraint)]);
}

#[test]
fn a_policy_in_use_cannot_be_deleted() {
    let mut s = state();
    let p = policy(&mut s, "v6", true, &[]);
    let link = create(&mut s, dc2("l", 0, 100));
    s.attach_routing_policy(R, &me(), link.id, p.id, t(1))
        .unwrap();
    assert_eq!(
        kind(s.delete_routing_policy(R, &me(), p.id)),
        "precondition_failed"
    );
    s.detach_routing_policy(R, &me(), link.id, p.id, t(2))
        .unwrap();
    s.delete_routing_policy(R, &me(), p.id).unwrap();
    assert_eq!(kind(s.get_routing_policy(R, &me(), p.id)), "not_found");
}

#[test]
fn attach_picks_the_session_from_is_ipv6_and_status_follows_sessions() {
    let mut s = state();
    let v4 = policy(&mut s, "v4", false, &["10.0.0.0/8"]);
    let v6 = policy(&mut s, "v6", true, &["2001:db8::/32"]);
    let link = create(&mut s, dc2("l", 0, 100));
    let (l, intents) = s
        .attach_routing_policy(R, &me(), link.id, v4.id, t(1))
        .unwrap();
    assert_eq!(
        (l.bgp_v4_status, l.bgp_v6_status),
        (BgpStatus::Down, BgpStatus::Disabled)
    );
    assert_eq!(l.status, LinkStatus::Ready);
    assert_eq!(l.updated_at, t(1));
    assert_eq!(
        intents,
        vec![Intent::SetPolicy {
            link_id: link.id,
            family: Family::Ipv4,
            policy: Some(PolicyFilters::of(&v4)),
            in_place: false
        }]
    );
    let l = s
        .set_session_status(link.id, Family::Ipv4, BgpStatus::Up)
        .unwrap();
    assert_eq!(
        (l.bgp_v4_status, l.status),
        (BgpStatus::Up, LinkStatus::Active)
    );
    let (l, _) = s
        .attach_routing_policy(R, &me(), link.id, v6.id, t(2))
        .unwrap();
    assert_eq!(l.status, LinkStatus::LimitedConnectivity);
    let l = s
        .set_session_status(link.id, Family::Ipv6, BgpStatus::Up)
        .unwrap();
    assert_eq!(l.status, LinkStatus::Active);
    s.set_session_status(link.id, Family::Ipv4, BgpStatus::Down)
        .unwrap();
    let l = s
        .set_session_status(link.id, Family::Ipv6, BgpStatus::Down)
        .unwrap();
    assert_eq!(l.status, LinkStatus::AllDown);
    // Engine reports about an unconfigured session do not show.
    let (l, _) = s
        .detach_routing_policy(R, &me(), link.id, v6.id, t(3))
        .unwrap();
    let l2 = s
        .set_session_status(link.id, Family::Ipv6, BgpStatus::Up)
        .unwrap();
    assert_eq!(l2.bgp_v6_status, BgpStatus::Disabled);
    assert_eq!(l.status, l2.status);
    assert_eq!(
        kind(s.set_session_status(link.id, Family::Ipv4, BgpStatus::UnknownBgpStatus)),
        "invalid_arguments"
    );
    assert_eq!(
        kind(s.set_session_status(v4.id, Family::Ipv4, BgpStatus::Up)),
        "not_found"
    );
}

#[test]
fn a_second_policy_of_a_family_is_refused_and_set_replaces_in_place() {
    let mut s = state();
    let a = policy(&mut s, "a", false, &["10.0.0.0/8"]);
    let b = policy(&mut s, "b", false, &["10.1.0.0/16"]);
    let link = create(&mut s, dc2("l", 0, 100));
    assert_eq!(
        kind(s.set_routing_policy(R, &me(), link.id, a.id, t(1))),
        "precondition_failed"
    );
    s.attach_routing_policy(R, &me(), link.id, a.id, t(1))
        .unwrap();
    // Attaching the same one again is a no-op.
    let (_, intents) = s
        .attach_routing_policy(R, &me(), link.id, a.id, t(2))
        .unwrap();
    assert!(intents.is_empty());
    assert_eq!(
        invalid(s.attach_routing_policy(R, &me(), link.id, b.id, t(2))),
        vec![("routing_policy_id".into(), Constraint)]
    );
    s.set_session_status(link.id, Family::Ipv4, BgpStatus::Up)
        .unwrap();
    let (l, intents) = s.set_routing_policy(R, &me(), link.id, b.id, t(3)).unwrap();
    assert_eq!(l.routing_policy_v4_id, Some(b.id));
    assert_eq!(
        l.bgp_v4_status,
        BgpStatus::Up,
        "set does not reset the session"
    );
    assert_eq!(
        intents,
        vec![Intent::SetPolicy {
            link_id: link.id,
            family: Family::Ipv4,
            policy: Some(PolicyFilters::of(&b)),
            in_place: true
        }]
    );
    // Detaching a policy that is not attached.
    assert_eq!(
        invalid(s.detach_routing_policy(R, &me(), link.id, a.id, t(4))),
        vec![("routing_policy_id".into(), Constraint)]
    );
    let (l, intents) = s
        .detach_routing_policy(R, &me(), link.id, b.id, t(4))
        .unwrap();
    assert_eq!(l.bgp_v4_status, BgpStatus::Disabled);
    assert_eq!(l.routing_policy_v4_id, None);
    assert_eq!(
        intents,
        vec![Intent::SetPolicy {
            link_id: link.id,
            family: Family::Ipv4,
            policy: None,
            in_place: false
        }]
    );
    // Re-attaching starts from down.
    let (l, _) = s
        .attach_routing_policy(R, &me(), link.id, a.id, t(5))
        .unwrap();
    assert_eq!(l.bgp_v4_status, BgpStatus::Down);
    assert_eq!(l.status, LinkStatus::AllDown, "it was established before");
}

#[test]
fn unknown_or_foreign_policy_is_not_found() {
    let mut s = state();
    let link = create(&mut s, dc2("l", 0, 100));
    let theirs = s
        .create_routing_policy(
            R,
            &other(),
            CreateRoutingPolicyRequest {
                name: "theirs".into(),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    assert_eq!(
        kind(s.attach_routing_policy(R, &me(), link.id, theirs.id, t(1))),
        "not_found"
    );
    assert_eq!(
        kind(s.attach_routing_policy(R, &me(), link.id, link.id, t(1))),
        "not_found"
    );
}
