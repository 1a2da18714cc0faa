//! Private networks and subnets: shapes, IPAM and InterLink see them, deletion rules.

use super::*;
use crate::catalogue::demo;
use crate::error::{ArgumentReason::*, Precondition, ProviderError};
use crate::interlink::test_support::{create, dc2, invalid, kind, other, state};
use crate::ipam::types::{BookIpRequest, Source};
use ipnet::IpNet;

fn book(s: &mut InterLink, pn: uuid::Uuid) -> crate::ipam::types::Ip {
    let req = BookIpRequest {
        source: Source {
            private_network_id: Some(pn),
            ..Source::default()
        },
        ..Default::default()
    };
    s.ipam_mut().book_ip(R, &me(), req, t(3)).unwrap()
}

#[test]
fn a_new_network_is_real_for_ipam_and_interlink() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let pn = network(
        &mut s,
        v.id,
        "app",
        &["10.20.0.0/24", "fd46:78ab:30b8:177c::/64"],
    );
    let nets: Vec<String> = pn.subnets.iter().map(|s| s.subnet.to_string()).collect();
    assert_eq!(nets, vec!["10.20.0.0/24", "fd46:78ab:30b8:177c::/64"]);
    assert!(pn.dhcp_enabled && !pn.default_route_propagation_enabled);
    assert!(pn.subnets.iter().all(|x| x.private_network_id == pn.id
        && x.vpc_id == v.id
        && x.project_id == demo::DEMO_PROJECT_ID
        && x.created_at == Some(t(1))));
    assert_eq!(s.get_vpc(R, &me(), v.id).unwrap().private_network_count, 1);
    // IPAM hands out its addresses (the gateway .1 is reserved).
    let ip = book(&mut s, pn.id);
    assert_eq!(ip.address.to_string(), "10.20.0.2/24");
    assert_eq!(ip.source.subnet_id, Some(pn.subnets[0].id));
    // A link attached to the VPC announces its subnets.
    let link = create(&mut s, dc2("l", 1700, 1000));
    s.attach_vpc(R, &me(), link.id, v.id, t(4)).unwrap();
    let config = s.link_config(link.id).unwrap();
    let want: Vec<IpNet> = pn.subnets.iter().map(|x| x.subnet).collect();
    assert_eq!(config.vpc_prefixes, want);
    // So does a second network, created later.
    let more = network(&mut s, v.id, "db", &[]);
    assert_eq!(s.link_config(link.id).unwrap().vpc_prefixes.len(), 4);
    assert_eq!(s.ipam().private_networks_of(v.id).len(), 2);
    assert_eq!(
        s.ipam()
            .visible_private_network(R, &me(), more.id)
            .map(|p| p.vpc_id),
        Ok(v.id)
    );
}

#[test]
fn missing_families_are_chosen_clear_of_the_vpc() {
    let mut s = state();
    // The demo VPC's network holds 172.16.0.0/22.
    let pn = network(&mut s, demo::VPC_ID, "second", &[]);
    assert_eq!(pn.subnets[0].subnet.to_string(), "172.16.4.0/22");
    assert!(pn.subnets[1].subnet.addr().is_ipv6());
    let r = s.create_private_network(
        R,
        &me(),
        CreatePrivateNetworkRequest {
            name: "clash".into(),
            vpc_id: Some(demo::VPC_ID),
            subnets: Some(vec!["172.16.2.0/24".into()]),
            ..Default::default()
        },
        t(2),
    );
    assert_eq!(invalid(r), vec![("subnets.0".to_string(), Constraint)]);
    // Another VPC may reuse the range.
    let v = vpc(&mut s, "v", 1);
    let pn = network(&mut s, v.id, "reuse", &["172.16.0.0/22"]);
    assert_eq!(pn.subnets[0].subnet.to_string(), "172.16.0.0/22");
}

#[test]
fn creation_needs_a_name_and_a_vpc_of_ones_own() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let req = |name: &str, vpc_id| CreatePrivateNetworkRequest {
        name: name.into(),
        vpc_id,
        ..Default::default()
    };
    let r = s.create_private_network(R, &me(), req("", Some(v.id)), t(2));
    assert_eq!(invalid(r), vec![("name".to_string(), Required)]);
    let r = s.create_private_network(R, &me(), req("pn", None), t(2));
    assert_eq!(invalid(r), vec![("vpc_id".to_string(), Required)]);
    let r = s.create_private_network(R, &other(), req("pn", Some(v.id)), t(2));
    assert_eq!(r, Err(ProviderError::not_found("vpc", v.id)));
    let mut theirs = req("pn", Some(v.id));
    theirs.project_id = Some(demo::OTHER_PROJECT_ID);
    assert_eq!(
        kind(s.create_private_network(R, &me(), theirs, t(2))),
        "permissions_denied"
    );
    let mut bad = req("pn", Some(v.id));
    bad.subnets = Some(vec!["8.8.8.0/24".into(), "fd00::/64".into(), "x".into()]);
    let r = s.create_private_network(R, &me(), bad, t(2));
    assert_eq!(
        invalid(r),
        vec![
            ("subnets.0".to_string(), Constraint),
            ("subnets.2".to_string(), Format)
        ]
    );
    assert_eq!(s.get_vpc(R, &me(), v.id).unwrap().private_network_count, 0);
}

#[test]
fn deletion_waits_for_the_ips_booked_in_it() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let pn = network(&mut s, v.id, "app", &[]);
    let ip = book(&mut s, pn.id);
    let e = s.delete_private_network(R, &me(), pn.id).unwrap_err();
    assert_eq!(
        e,
        ProviderError::PreconditionFailed {
            precondition: Precondition::ResourceStillInUse,
            help_message: "Private Network must be empty to be deleted".into(),
        }
    );
    assert_eq!(
        kind(s.delete_private_network(R, &other(), pn.id)),
        "not_found"
    );
    s.ipam_mut().release_ip(R, &me(), ip.id).unwrap();
    s.delete_private_network(R, &me(), pn.id).unwrap();
    assert_eq!(
        s.get_private_network(R, &me(), pn.id),
        Err(ProviderError::not_found("private_network", pn.id))
    );
    assert_eq!(s.get_vpc(R, &me(), v.id).unwrap().private_network_count, 0);
    // Its subnets are gone from IPAM too.
    let by_subnet = BookIpRequest {
        source: Source {
            subnet_id: Some(pn.subnets[0].id),
            ..Source::default()
        },
        ..Default::default()
    };
    assert_eq!(
        kind(s.ipam_mut().book_ip(R, &me(), by_subnet, t(5))),
        "not_found"
    );
    assert!(s.ipam().vpc_prefixes(v.id).is_empty());
}

#[test]
fn update_and_enable_dhcp() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let pn = network(&mut s, v.id, "app", &[]);
    let u = s
        .update_private_network(
            R,
            &me(),
            pn.id,
            UpdatePrivateNetworkRequest {
                name: Some("web".into()),
                tags: Some(vec!["t".into()]),
                default_route_propagation_enabled: Some(true),
            },
            t(7),
        )
        .unwrap();
    assert_eq!((u.name.as_str(), u.tags.len()), ("web", 1));
    assert!(u.default_route_propagation_enabled);
    assert_eq!(u.updated_at, Some(t(7)));
    assert_eq!(u.subnets, pn.subnets);
    let bad = UpdatePrivateNetworkRequest {
        name: Some("a\u{0}".into()),
        ..Default::default()
    };
    let r = s.update_private_network(R, &me(), pn.id, bad, t(8));
    assert_eq!(invalid(r), vec![("name".to_string(), Format)]);
    let d = s.enable_dhcp(R, &me(), pn.id).unwrap();
    assert!(d.dhcp_enabled);
    assert_eq!(kind(s.enable_dhcp(R, &other(), pn.id)), "not_found");
}

#[test]
fn lists_of_networks_and_subnets() {
    let mut s = state();
    let v = vpc(&mut s, "v", 1);
    let a = network(&mut s, v.id, "alpha", &[]);
    let b = network(&mut s, v.id, "beta", &[]);
    let all = s
        .list_private_networks(R, &me(), &Default::default())
        .unwrap();
    assert_eq!(all.total_count, 3);
    let in_vpc = ListPrivateNetworksRequest {
        vpc_id: Some(v.id),
        order_by: Some(ListOrderBy::NameDesc),
        ..Default::default()
    };
    let names: Vec<_> = s
        .list_private_networks(R, &me(), &in_vpc)
        .unwrap()
        .private_networks
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names, vec!["beta", "alpha"]);
    let by_id = ListPrivateNetworksRequest {
        private_network_ids: vec![a.id],
        ..Default::default()
    };
    assert_eq!(
        s.list_private_networks(R, &me(), &by_id)
            .unwrap()
            .total_count,
        1
    );
    let no_dhcp = ListPrivateNetworksRequest {
        dhcp_enabled: Some(false),
        ..Default::default()
    };
    assert_eq!(
        s.list_private_networks(R, &me(), &no_dhcp)
            .unwrap()
            .total_count,
        0
    );
    assert_eq!(
        s.list_private_networks(R, &other(), &Default::default())
            .unwrap()
            .total_count,
        0
    );

    let subnets = s.list_subnets(R, &me(), &Default::default()).unwrap();
    assert_eq!(subnets.total_count, 6);
    let of_vpc = ListSubnetsRequest {
        vpc_id: Some(v.id),
        order_by: Some(ListSubnetsOrderBy::CreatedAtDesc),
        ..Default::default()
    };
    let got = s.list_subnets(R, &me(), &of_vpc).unwrap();
    assert_eq!(got.total_count, 4);
    assert!(got.subnets.iter().all(|x| x.vpc_id == v.id));
    let one = ListSubnetsRequest {
        subnet_ids: vec![b.subnets[1].id],
        ..Default::default()
    };
    let got = s.list_subnets(R, &me(), &one).unwrap();
    assert_eq!(got.subnets, vec![b.subnets[1].clone()]);
    assert_eq!(
        s.list_subnets(R, &other(), &Default::default())
            .unwrap()
            .total_count,
        0
    );
}
