//! VPCs: shapes, lists, changes, deletion rules, isolation.

use super::*;
use crate::catalogue::demo;
use crate::error::{ArgumentReason::*, Precondition, ProviderError};
use crate::interlink::test_support::{create, dc2, invalid, kind, other, state};
use crate::region::Region;

#[test]
fn a_new_vpc_routes_and_is_dated() {
    let mut s = state();
    let v = s
        .create_vpc(
            R,
            &me(),
            CreateVpcRequest {
                name: "prod".into(),
                enable_routing: false,
                enable_transitivity: true,
                ..Default::default()
            },
            t(5),
        )
        .unwrap();
    // The live API answers `routing_enabled: true` to `enable_routing: false`.
    assert!(v.routing_enabled && v.custom_routes_propagation_enabled);
    assert!(v.transitivity_enabled && !v.is_default);
    assert_eq!((v.project_id, v.region), (demo::DEMO_PROJECT_ID, R));
    assert_eq!((v.created_at, v.updated_at), (Some(t(5)), Some(t(5))));
    assert_eq!(v.private_network_count, 0);
    assert_eq!(s.get_vpc(R, &me(), v.id).unwrap(), v);
    // The same record IPAM keeps, and a link can attach to it.
    assert_eq!(s.ipam().vpc(v.id).map(|r| r.name.as_str()), Some("prod"));
    let link = create(&mut s, dc2("l", 1600, 1000));
    let link = s.attach_vpc(R, &me(), link.id, v.id, t(6)).unwrap().0;
    assert_eq!(link.vpc_id, Some(v.id));
}

#[test]
fn the_catalogue_vpc_is_dated_at_start() {
    let s = state();
    let v = s.get_vpc(R, &me(), demo::VPC_ID).unwrap();
    assert_eq!(v.created_at, Some(t(0)));
    assert_eq!(v.private_network_count, 1);
    let pn = s
        .get_private_network(R, &me(), demo::PRIVATE_NETWORK_ID)
        .unwrap();
    assert!(pn.subnets.iter().all(|s| s.created_at == Some(t(0))));
}

#[test]
fn names_and_tags_are_checked() {
    let mut s = state();
    let mk = |name: &str, tags: Vec<String>| CreateVpcRequest {
        name: name.into(),
        tags: Some(tags),
        ..Default::default()
    };
    let r = s.create_vpc(R, &me(), mk("", vec![]), t(0));
    assert_eq!(invalid(r), vec![("name".to_string(), Required)]);
    let r = s.create_vpc(R, &me(), mk(&"\0".repeat(1000), vec!["a\nb".into()]), t(0));
    assert_eq!(
        invalid(r),
        vec![("name".to_string(), Format), ("tags.0".to_string(), Format)]
    );
    let r = s.create_vpc(R, &me(), mk(&"x".repeat(256), vec![]), t(0));
    assert_eq!(invalid(r), vec![("name".to_string(), Constraint)]);
    let too_many = (0..=crate::naming::MAX_TAGS)
        .map(|i| i.to_string())
        .collect();
    let r = s.create_vpc(R, &me(), mk("ok", too_many), t(0));
    assert_eq!(invalid(r), vec![("tags".to_string(), Constraint)]);
    assert_eq!(
        s.list_vpcs(R, &me(), &Default::default())
            .unwrap()
            .total_count,
        1
    );
}

#[test]
fn update_changes_name_and_tags_only() {
    let mut s = state();
    let v = vpc(&mut s, "a", 1);
    let u = s
        .update_vpc(
            R,
            &me(),
            v.id,
            UpdateVpcRequest {
                name: Some("b".into()),
                tags: Some(vec!["x".into(), "y".into()]),
            },
            t(9),
        )
        .unwrap();
    assert_eq!((u.name.as_str(), u.tags.len()), ("b", 2));
    assert_eq!((u.created_at, u.updated_at), (Some(t(1)), Some(t(9))));
    let blank = UpdateVpcRequest {
        name: Some(" ".into()),
        tags: None,
    };
    let r = s.update_vpc(R, &me(), v.id, blank, t(10));
    assert_eq!(invalid(r), vec![("name".to_string(), Constraint)]);
    assert_eq!(s.get_vpc(R, &me(), v.id).unwrap().name, "b");
}

#[test]
fn lists_filter_order_and_paginate() {
    let mut s = state();
    let a = vpc(&mut s, "alpha", 1);
    let b = vpc(&mut s, "beta", 2);
    let all = s.list_vpcs(R, &me(), &Default::default()).unwrap();
    let ids: Vec<_> = all.vpcs.iter().map(|v| v.id).collect();
    assert_eq!(ids, vec![demo::VPC_ID, a.id, b.id]);
    let req = ListVpcsRequest {
        order_by: Some(ListOrderBy::CreatedAtDesc),
        page_size: Some(2),
        page: Some(1),
        ..Default::default()
    };
    let page = s.list_vpcs(R, &me(), &req).unwrap();
    let ids: Vec<_> = page.vpcs.iter().map(|v| v.id).collect();
    assert_eq!((ids, page.total_count), (vec![b.id, a.id], 3));
    let past = ListVpcsRequest {
        page: Some(9),
        ..Default::default()
    };
    let past = s.list_vpcs(R, &me(), &past).unwrap();
    assert!(past.vpcs.is_empty() && past.total_count == 3);
    let named = ListVpcsRequest {
        name: Some("ta".into()),
        order_by: Some(ListOrderBy::NameDesc),
        ..Default::default()
    };
    let names: Vec<_> = s
        .list_vpcs(R, &me(), &named)
        .unwrap()
        .vpcs
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(names, vec!["beta"]);
    let tagged = ListVpcsRequest {
        tags: vec!["test".into(), "nope".into()],
        ..Default::default()
    };
    assert_eq!(s.list_vpcs(R, &me(), &tagged).unwrap().total_count, 2);
    let default = ListVpcsRequest {
        is_default: Some(true),
        ..Default::default()
    };
    assert_eq!(s.list_vpcs(R, &me(), &default).unwrap().total_count, 0);
    let routing = ListVpcsRequest {
        routing_enabled: Some(true),
        ..Default::default()
    };
    assert_eq!(s.list_vpcs(R, &me(), &routing).unwrap().total_count, 3);
    let bad = ListVpcsRequest {
        page_size: Some(101),
        ..Default::default()
    };
    assert_eq!(kind(s.list_vpcs(R, &me(), &bad)), "invalid_arguments");
    let elsewhere = s.list_vpcs(Region::NlAms, &me(), &Default::default());
    assert_eq!(elsewhere.unwrap().total_count, 0);
}

#[test]
fn another_project_sees_nothing() {
    let mut s = state();
    let v = vpc(&mut s, "mine", 1);
    assert_eq!(
        s.get_vpc(R, &other(), v.id),
        Err(ProviderError::not_found("vpc", v.id))
    );
    assert_eq!(kind(s.get_vpc(Region::NlAms, &me(), v.id)), "not_found");
    assert_eq!(
        s.list_vpcs(R, &other(), &Default::default())
            .unwrap()
            .total_count,
        0
    );
    let scoped = ListVpcsRequest {
        project_id: Some(demo::OTHER_PROJECT_ID),
        ..Default::default()
    };
    assert_eq!(s.list_vpcs(R, &me(), &scoped).unwrap().total_count, 0);
    let rename = UpdateVpcRequest {
        name: Some("theirs".into()),
        tags: None,
    };
    assert_eq!(
        kind(s.update_vpc(R, &other(), v.id, rename, t(2))),
        "not_found"
    );
    assert_eq!(kind(s.delete_vpc(R, &other(), v.id)), "not_found");
    assert_eq!(kind(s.enable_routing(R, &other(), v.id, t(2))), "not_found");
    let acl = s.get_acl(R, &other(), v.id, &Default::default());
    assert_eq!(kind(acl), "not_found");
    let theirs = CreateVpcRequest {
        name: "x".into(),
        project_id: Some(demo::OTHER_PROJECT_ID),
        ..Default::default()
    };
    assert_eq!(
        kind(s.create_vpc(R, &me(), theirs, t(2))),
        "permissions_denied"
    );
    assert_eq!(s.get_vpc(R, &me(), v.id).unwrap().name, "mine");
}

#[test]
fn deletion_waits_for_networks_and_links() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let pn = network(&mut s, v.id, "pn", &[]);
    let e = s.delete_vpc(R, &me(), v.id).unwrap_err();
    assert!(matches!(
        &e,
        ProviderError::PreconditionFailed { precondition: Precondition::ResourceStillInUse, help_message }
            if help_message.contains(&pn.id.to_string())
    ));
    s.delete_private_network(R, &me(), pn.id).unwrap();
    let link = create(&mut s, dc2("l", 1601, 1000));
    s.attach_vpc(R, &me(), link.id, v.id, t(2)).unwrap();
    let e = s.delete_vpc(R, &me(), v.id).unwrap_err();
    assert_eq!(e.http_status(), 412);
    assert!(
        e.body()["help_message"]
            .as_str()
            .unwrap()
            .contains(&link.id.to_string())
    );
    s.detach_vpc(R, &me(), link.id, t(3)).unwrap();
    s.delete_vpc(R, &me(), v.id).unwrap();
    assert_eq!(kind(s.get_vpc(R, &me(), v.id)), "not_found");
    assert_eq!(
        kind(s.attach_vpc(R, &me(), link.id, v.id, t(4))),
        "not_found"
    );
    assert!(s.ipam().vpc(v.id).is_none());
}

#[test]
fn routing_flags_and_acl() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let r = s.enable_routing(R, &me(), v.id, t(2)).unwrap();
    assert!(r.routing_enabled);
    let c = s
        .enable_custom_routes_propagation(R, &me(), v.id, t(3))
        .unwrap();
    assert!(c.custom_routes_propagation_enabled);
    let acl = s
        .get_acl(R, &me(), v.id, &GetAclRequest { is_ipv6: true })
        .unwrap();
    assert!(acl.rules.is_empty());
    assert_eq!(acl.default_policy, Action::Accept);
    assert_eq!(
        serde_json::to_value(&acl).unwrap(),
        serde_json::json!({"rules": [], "default_policy": "accept"})
    );
}
