//! VPC attachment, route propagation, link updates, locking.

use super::super::test_support::*;
use crate::catalogue::{PrivateNetworkSpec, VpcSpec, demo};
use crate::error::ArgumentReason::*;
use crate::interlink::{Intent, LinkStatus, UpdateLinkRequest};
use crate::ipam::types::{ListIpsRequest, ResourceType};

#[test]
fn attach_and_detach_a_vpc() {
    let mut s = state();
    let link = create(&mut s, dc2("l", 0, 100));
    let (l, intents) = s.attach_vpc(R, &me(), link.id, demo::VPC_ID, t(1)).unwrap();
    assert_eq!(l.vpc_id, Some(demo::VPC_ID));
    assert_eq!(
        intents,
        vec![Intent::SetVpc {
            link_id: link.id,
            vpc_id: Some(demo::VPC_ID),
            prefixes: vec![
                "172.16.0.0/22".parse().unwrap(),
                "fd5c:a1e0:0:1::/64".parse().unwrap()
            ],
        }]
    );
    // The link's BGP endpoint IPs now count as the VPC's.
    let ips = s
        .ipam()
        .list_ips(
            R,
            &me(),
            &ListIpsRequest {
                vpc_id: Some(demo::VPC_ID),
                resource_type: Some(ResourceType::BgpEndpoint),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(ips.total_count, 2);
    // Same VPC again: nothing changes.
    let (_, intents) = s.attach_vpc(R, &me(), link.id, demo::VPC_ID, t(2)).unwrap();
    assert!(intents.is_empty());
    // Another VPC while one is attached.
    let second = s
        .add_vpc(&VpcSpec {
            id: None,
            name: "second".into(),
            project: Some("demo".into()),
            region: R,
            private_networks: vec![PrivateNetworkSpec {
                id: None,
                name: "pn".into(),
                subnet: Some("10.9.0.0/24".parse().unwrap()),
                subnets: vec![],
            }],
        })
        .unwrap();
    assert_eq!(
        kind(s.attach_vpc(R, &me(), link.id, second.id, t(3))),
        "precondition_failed"
    );
    let (l, intents) = s.detach_vpc(R, &me(), link.id, t(4)).unwrap();
    assert_eq!(l.vpc_id, None);
    assert_eq!(
        intents,
        vec![Intent::SetVpc {
            link_id: link.id,
            vpc_id: None,
            prefixes: vec![]
        }]
    );
    assert_eq!(
        kind(s.detach_vpc(R, &me(), link.id, t(5))),
        "precondition_failed"
    );
    // A VPC that does not exist, or is another project's.
    assert_eq!(
        kind(s.attach_vpc(R, &me(), link.id, link.id, t(5))),
        "not_found"
    );
    let theirs = s
        .add_vpc(&VpcSpec {
            id: None,
            name: "theirs".into(),
            project: Some("other".into()),
            region: R,
            private_networks: vec![],
        })
        .unwrap();
    assert_eq!(
        kind(s.attach_vpc(R, &me(), link.id, theirs.id, t(5))),
        "not_found"
    );
}

#[test]
fn route_propagation_toggles_and_is_idempotent() {
    let mut s = state();
    let link = create(&mut s, dc2("l", 0, 100));
    let (l, intents) = s.enable_route_propagation(R, &me(), link.id, t(1)).unwrap();
    assert!(l.enable_route_propagation);
    assert_eq!(
        intents,
        vec![Intent::SetRoutePropagation {
            link_id: link.id,
            enabled: true
        }]
    );
    let (l, intents) = s.enable_route_propagation(R, &me(), link.id, t(2)).unwrap();
    assert!(l.enable_route_propagation && intents.is_empty());
    assert_eq!(l.updated_at, t(1));
    let (l, intents) = s
        .disable_route_propagation(R, &me(), link.id, t(3))
        .unwrap();
    assert!(!l.enable_route_propagation);
    assert_eq!(
        intents,
        vec![Intent::SetRoutePropagation {
            link_id: link.id,
            enabled: false
        }]
    );
}

#[test]
fn update_name_tags_and_peer_asn() {
    let mut s = state();
    let link = create(&mut s, dc2("l", 0, 100));
    let (l, intents) = s
        .update_link(
            R,
            &me(),
            link.id,
            UpdateLinkRequest {
                name: Some("renamed".into()),
                tags: Some(vec!["a".into()]),
                peer_asn: Some(65001),
            },
            t(1),
        )
        .unwrap();
    assert_eq!(
        (l.name.as_str(), l.tags.as_slice()),
        ("renamed", &["a".to_string()][..])
    );
    assert_eq!(l.peer_bgp_config.unwrap().asn, 65001);
    assert_eq!(
        intents,
        vec![Intent::SetPeerAsn {
            link_id: link.id,
            peer_asn: 65001
        }]
    );
    // The BGP endpoint IPs follow the name.
    let ips = s
        .ipam()
        .list_ips(
            R,
            &me(),
            &ListIpsRequest {
                resource_id: Some(link.id),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        ips.ips
            .iter()
            .all(|ip| ip.resource.as_ref().and_then(|r| r.name.as_deref()) == Some("renamed"))
    );
    // peer_asn 0 and the same value change nothing.
    let (_, intents) = s
        .update_link(
            R,
            &me(),
            link.id,
            UpdateLinkRequest {
                peer_asn: Some(0),
                ..Default::default()
            },
            t(2),
        )
        .unwrap();
    assert!(intents.is_empty());
    let bad = s.update_link(
        R,
        &me(),
        link.id,
        UpdateLinkRequest {
            name: Some(" ".into()),
            peer_asn: Some(12876),
            ..Default::default()
        },
        t(3),
    );
    assert_eq!(invalid(bad), vec![("name".into(), Constraint)]);
    let bad = s.update_link(
        R,
        &me(),
        link.id,
        UpdateLinkRequest {
            peer_asn: Some(12876),
            ..Default::default()
        },
        t(3),
    );
    assert_eq!(invalid(bad), vec![("peer_asn".into(), Constraint)]);
}

#[test]
fn a_locked_link_refuses_everything_but_reads() {
    let mut s = state();
    let link = create(&mut s, dc2("l", 0, 100));
    let l = s.set_link_locked(link.id, true).unwrap();
    assert_eq!(l.status, LinkStatus::Locked);
    assert_eq!(
        kind(s.enable_route_propagation(R, &me(), link.id, t(1))),
        "locked"
    );
    assert_eq!(kind(s.delete_link(R, &me(), link.id, t(1))), "locked");
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Locked
    );
    let l = s.set_link_locked(link.id, false).unwrap();
    assert_eq!(l.status, LinkStatus::Ready);
}

#[test]
fn a_configuring_link_is_in_a_transient_state() {
    let mut catalogue = crate::catalogue::Catalogue::default();
    catalogue.settings.configuring_secs = 10;
    let mut s = crate::interlink::InterLink::new(&catalogue, t(0)).unwrap();
    let (link, intents) = s.create_link(R, &me(), dc2("l", 0, 100), t(0)).unwrap();
    assert_eq!(link.status, LinkStatus::Configuring);
    assert!(intents.is_empty());
    match s.enable_route_propagation(R, &me(), link.id, t(1)) {
        Err(crate::ProviderError::TransientState { current_state, .. }) => {
            assert_eq!(current_state, "configuring")
        }
        other => panic!("{other:?}"),
    }
    assert!(s.advance(t(9)).is_empty());
    let intents = s.advance(t(10));
    assert!(matches!(intents.as_slice(), [Intent::ConfigureLink(c)] if c.link_id == link.id));
    assert_eq!(
        s.get_link(R, &me(), link.id).unwrap().status,
        LinkStatus::Ready
    );
    assert!(s.advance(t(11)).is_empty(), "entering service happens once");
    assert_eq!(s.links_in_service(), vec![link.id]);
}
