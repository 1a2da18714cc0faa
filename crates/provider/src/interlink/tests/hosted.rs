//! Hosted links: requested → provisioning → in service, refused, expired.

use super::super::test_support::*;
use crate::catalogue::demo;
use crate::error::ArgumentReason::*;
use crate::interlink::{Intent, LinkHost, LinkStatus, ListLinksRequest};

#[test]
fn auto_approving_partner_goes_requested_provisioning_then_in_service() {
    let mut s = state();
    let (link, intents) = s
        .create_link(
            R,
            &me(),
            hosted("h", demo::PARTNER_ACME_ID, demo::POP_DC2_ID, 500),
            t(0),
        )
        .unwrap();
    assert_eq!(link.status, LinkStatus::Requested);
    assert!(intents.is_empty());
    let partner = link.partner.clone().unwrap();
    assert_eq!(partner.partner_id, demo::PARTNER_ACME_ID);
    assert!(!partner.l3_connectivity);
    assert!(!partner.pairing_key.is_empty());
    assert!(link.self_.is_none());
    assert!((1500..=3899).contains(&link.vlan));

    assert!(s.advance(t(1)).is_empty());
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Requested
    );
    assert!(s.advance(t(2)).is_empty());
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Provisioning
    );
    assert!(s.advance(t(4)).is_empty());
    let intents = s.advance(t(5));
    match intents.as_slice() {
        [Intent::ConfigureLink(c)] => {
            assert_eq!(c.link_id, link.id);
            assert!(
                matches!(c.host, LinkHost::Hosted { partner_id, .. } if partner_id == demo::PARTNER_ACME_ID)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Ready
    );
}

#[test]
fn one_late_advance_catches_up_every_due_step() {
    let mut s = state();
    let link = create(
        &mut s,
        hosted("h", demo::PARTNER_ACME_ID, demo::POP_TH2_ID, 100),
    );
    let intents = s.advance(t(3600));
    assert_eq!(intents.len(), 1);
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Ready
    );
}

#[test]
fn admin_approval_for_a_manual_partner() {
    let mut s = state();
    let link = create(
        &mut s,
        hosted("h", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 200),
    );
    assert_eq!(link.status, LinkStatus::Requested);
    assert!(link.partner.as_ref().unwrap().l3_connectivity);
    assert!((3000..=3099).contains(&link.vlan), "the partner's range");
    assert!(s.advance(t(86_400)).is_empty(), "no answer yet after a day");
    // Configuration while requested is kept for later.
    s.attach_vpc(R, &me(), link.id, demo::VPC_ID, t(10))
        .unwrap();
    let (l, intents) = s.approve_hosted_link(link.id, t(100)).unwrap();
    // Provisioning takes 0 s for this partner: straight into service.
    assert_eq!(l.status, LinkStatus::Ready);
    match intents.as_slice() {
        [Intent::ConfigureLink(c)] => assert_eq!(c.vpc_id, Some(demo::VPC_ID)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kind(s.approve_hosted_link(link.id, t(101))),
        "precondition_failed"
    );
    assert_eq!(
        kind(s.refuse_hosted_link(link.id, "late", t(101))),
        "precondition_failed"
    );
}

#[test]
fn refused_link_keeps_the_reason_and_refuses_actions_but_can_be_deleted() {
    let mut s = state();
    let link = create(
        &mut s,
        hosted("h", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 200),
    );
    let l = s
        .refuse_hosted_link(link.id, "no capacity on our side", t(50))
        .unwrap();
    assert_eq!(l.status, LinkStatus::Refused);
    assert_eq!(
        l.partner.unwrap().disapproved_reason.as_deref(),
        Some("no capacity on our side")
    );
    assert_eq!(
        kind(s.enable_route_propagation(R, &me(), link.id, t(51))),
        "precondition_failed"
    );
    assert!(
        s.advance(t(10_000_000)).is_empty(),
        "a refused link never expires"
    );
    let (d, intents) = s.delete_link(R, &me(), link.id, t(52)).unwrap();
    assert_eq!(d.status, LinkStatus::Deleted);
    assert!(intents.is_empty(), "it never was in service");
}

#[test]
fn unanswered_request_expires_after_ten_days() {
    let mut s = state();
    let link = create(
        &mut s,
        hosted("h", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 200),
    );
    let ten_days = 10 * 24 * 3600;
    s.advance(t(ten_days - 1));
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Requested
    );
    s.advance(t(ten_days + 5));
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Expired
    );
    match s.attach_vpc(R, &me(), link.id, demo::VPC_ID, t(ten_days + 6)) {
        Err(crate::ProviderError::ResourceExpired { expired_since, .. }) => {
            assert_eq!(expired_since, t(ten_days))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kind(s.approve_hosted_link(link.id, t(ten_days + 7))),
        "precondition_failed"
    );
    s.delete_link(R, &me(), link.id, t(ten_days + 8)).unwrap();
}

#[test]
fn hosted_rules() {
    let mut s = state();
    // Asking for a VLAN.
    let mut req = hosted("h", demo::PARTNER_ACME_ID, demo::POP_DC2_ID, 100);
    req.vlan = Some(2000);
    assert_eq!(
        invalid(s.create_link(R, &me(), req, t(0))),
        vec![("vlan".into(), Constraint)]
    );
    // A partner that is not in the PoP.
    let req = hosted("h", demo::PARTNER_CARRIER_ID, demo::POP_DC2_ID, 100);
    assert_eq!(
        invalid(s.create_link(R, &me(), req, t(0))),
        vec![("pop_id".into(), Constraint)]
    );
    // An unknown partner.
    let req = hosted("h", demo::POP_DC2_ID, demo::POP_DC2_ID, 100);
    assert_eq!(kind(s.create_link(R, &me(), req, t(0))), "not_found");
    // A size the partner does not sell (Carrier: 50, 100, 200, 500).
    let req = hosted("h", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 1000);
    assert_eq!(
        invalid(s.create_link(R, &me(), req, t(0))),
        vec![("bandwidth_mbps".into(), Constraint)]
    );
    // The partner's capacity: 1000 Mbps.
    create(
        &mut s,
        hosted("a", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 500),
    );
    create(
        &mut s,
        hosted("b", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 500),
    );
    let req = hosted("c", demo::PARTNER_CARRIER_ID, demo::POP_TH2_ID, 50);
    assert_eq!(
        invalid(s.create_link(R, &me(), req, t(0))),
        vec![("bandwidth_mbps".into(), Constraint)]
    );
    // Updating a hosted link's peer ASN is refused.
    let link = create(
        &mut s,
        hosted("d", demo::PARTNER_ACME_ID, demo::POP_TH2_ID, 50),
    );
    let r = s.update_link(
        R,
        &me(),
        link.id,
        crate::interlink::UpdateLinkRequest {
            peer_asn: Some(65000),
            ..Default::default()
        },
        t(1),
    );
    assert_eq!(invalid(r), vec![("peer_asn".into(), Constraint)]);
}

#[test]
fn pairing_key_finds_the_link() {
    let mut s = state();
    let a = create(
        &mut s,
        hosted("a", demo::PARTNER_ACME_ID, demo::POP_DC2_ID, 100),
    );
    create(
        &mut s,
        hosted("b", demo::PARTNER_ACME_ID, demo::POP_DC2_ID, 100),
    );
    let key = a.partner.unwrap().pairing_key;
    let found = s
        .list_links(
            R,
            &me(),
            &ListLinksRequest {
                pairing_key: Some(key),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(found.total_count, 1);
    assert_eq!(found.links[0].id, a.id);
}

#[test]
fn pop_bandwidths_shrink_as_partner_capacity_is_used() {
    let mut s = state();
    let before = s.get_pop(R, demo::POP_TH2_ID).unwrap();
    assert!(before.available_link_bandwidths_mbps.contains(&10000));
    create(
        &mut s,
        hosted("a", demo::PARTNER_ACME_ID, demo::POP_TH2_ID, 5000),
    );
    let after = s.get_pop(R, demo::POP_TH2_ID).unwrap();
    assert!(!after.available_link_bandwidths_mbps.contains(&10000));
    assert!(after.available_link_bandwidths_mbps.contains(&5000));
}
