//! IPAM unit tests.

mod attach;
mod list;

use super::Ipam;
use super::types::*;
use crate::catalogue::{PrivateNetworkSpec, ProjectSpec, VpcSpec, demo};
use crate::error::{ArgumentReason::*, ProviderError};
use crate::region::Region;
use crate::scope::Caller;
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashSet;
use uuid::Uuid;

const R: Region = Region::FrPar;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap() + Duration::seconds(secs)
}

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn other() -> Caller {
    Caller::new(demo::OTHER_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

/// The demo VPC plus a tiny one (`tiny`: 10.0.0.0/29 and fd00::/125).
fn ipam() -> (Ipam, Uuid) {
    let cat = demo::catalogue();
    let mut ipam = Ipam::new(
        1,
        "169.254.0.0/16".parse().unwrap(),
        "fd12:876::/48".parse().unwrap(),
    );
    for vpc in &cat.vpcs {
        ipam.add_vpc(vpc, &cat.projects).unwrap();
    }
    let tiny = ipam
        .add_vpc(
            &VpcSpec {
                id: None,
                name: "tiny".into(),
                project: Some("demo".into()),
                region: R,
                private_networks: vec![PrivateNetworkSpec {
                    id: None,
                    name: "tiny-pn".into(),
                    subnet: Some("10.0.0.0/29".parse().unwrap()),
                    subnets: vec!["fd00::/125".parse().unwrap()],
                }],
            },
            &cat.projects,
        )
        .unwrap();
    (ipam, tiny.private_network_ids[0])
}

fn pn(id: Uuid) -> Source {
    Source {
        private_network_id: Some(id),
        ..Source::default()
    }
}

fn book(
    ipam: &mut Ipam,
    source: Source,
    v6: bool,
    address: Option<&str>,
) -> Result<Ip, ProviderError> {
    ipam.book_ip(
        R,
        &me(),
        BookIpRequest {
            source,
            is_ipv6: v6,
            address: address.map(str::to_string),
            ..Default::default()
        },
        t(0),
    )
}

fn reasons<T: std::fmt::Debug>(
    r: Result<T, ProviderError>,
) -> Vec<(String, crate::error::ArgumentReason)> {
    match r {
        Err(ProviderError::InvalidArguments { details }) => details
            .into_iter()
            .map(|d| (d.argument_name, d.reason))
            .collect(),
        other => panic!("{other:?}"),
    }
}

fn mac(m: &str, name: Option<&str>) -> CustomResource {
    CustomResource {
        mac_address: m.into(),
        name: name.map(str::to_string),
    }
}

#[test]
fn booking_skips_network_and_gateway_and_honours_the_family() {
    let (mut ipam, _) = ipam();
    let a = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    assert_eq!(a.address.to_string(), "172.16.0.2/22");
    assert_eq!(a.source.private_network_id, Some(demo::PRIVATE_NETWORK_ID));
    assert!(a.source.subnet_id.is_some());
    assert!(!a.is_ipv6 && a.resource.is_none() && a.zone.is_none());
    assert_eq!(a.project_id, demo::DEMO_PROJECT_ID);
    let b = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    assert_eq!(b.address.to_string(), "172.16.0.3/22");
    let c = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), true, None).unwrap();
    assert_eq!(c.address.to_string(), "fd5c:a1e0:0:1::2/64");
    assert!(c.is_ipv6);
    // By subnet ID too; the family must match the subnet's.
    let by_subnet = Source {
        subnet_id: c.source.subnet_id,
        ..Source::default()
    };
    assert_eq!(
        book(&mut ipam, by_subnet.clone(), true, None)
            .unwrap()
            .address
            .to_string(),
        "fd5c:a1e0:0:1::3/64"
    );
    assert_eq!(
        reasons(book(&mut ipam, by_subnet, false, None)),
        vec![("is_ipv6".into(), Constraint)]
    );
}

#[test]
fn booking_a_chosen_address() {
    let (mut ipam, _) = ipam();
    let src = || pn(demo::PRIVATE_NETWORK_ID);
    let ip = book(&mut ipam, src(), false, Some("172.16.3.200")).unwrap();
    assert_eq!(ip.address.to_string(), "172.16.3.200/22");
    assert_eq!(
        kind(book(&mut ipam, src(), false, Some("172.16.3.200"))),
        "already_exists"
    );
    for reserved in ["172.16.0.0", "172.16.0.1", "172.16.3.255"] {
        assert_eq!(
            reasons(book(&mut ipam, src(), false, Some(reserved))),
            vec![("address".into(), Constraint)]
        );
    }
    assert_eq!(
        reasons(book(&mut ipam, src(), false, Some("172.16.4.2"))),
        vec![("address".into(), Constraint)]
    );
    assert_eq!(
        reasons(book(&mut ipam, src(), false, Some("172.16.0.9/22"))),
        vec![("address".into(), Format)]
    );
    assert_eq!(
        reasons(book(&mut ipam, src(), true, Some("172.16.0.9"))),
        vec![("address".into(), Constraint)]
    );
    // The next automatic one is still the lowest free.
    assert_eq!(
        book(&mut ipam, src(), false, None)
            .unwrap()
            .address
            .to_string(),
        "172.16.0.2/22"
    );
}

fn kind<T: std::fmt::Debug>(r: Result<T, ProviderError>) -> &'static str {
    match r {
        Err(e) => e.error_type(),
        Ok(v) => panic!("expected an error, got {v:?}"),
    }
}

#[test]
fn sources_that_cannot_be_booked_from() {
    let (mut ipam, _) = ipam();
    assert_eq!(
        reasons(book(&mut ipam, Source::default(), false, None)),
        vec![("source".into(), Required)]
    );
    let zonal = Source {
        zonal: Some("fr-par-1".into()),
        ..Source::default()
    };
    assert_eq!(
        reasons(book(&mut ipam, zonal, false, None)),
        vec![("source".into(), Constraint)]
    );
    assert_eq!(
        kind(book(&mut ipam, pn(Uuid::nil()), false, None)),
        "not_found"
    );
    // Another project's private network does not exist for me.
    let theirs = ipam.book_ip(
        R,
        &other(),
        BookIpRequest {
            source: pn(demo::PRIVATE_NETWORK_ID),
            ..Default::default()
        },
        t(0),
    );
    assert_eq!(kind(theirs), "not_found");
    let wrong_project = ipam.book_ip(
        R,
        &me(),
        BookIpRequest {
            source: pn(demo::PRIVATE_NETWORK_ID),
            project_id: Some(demo::OTHER_PROJECT_ID),
            ..Default::default()
        },
        t(0),
    );
    assert_eq!(kind(wrong_project), "permissions_denied");
}

#[test]
fn allocation_never_repeats_until_release_and_runs_out() {
    let (mut ipam, tiny) = ipam();
    // 10.0.0.0/29: .2 to .6 may be handed out.
    let got: Vec<String> = (0..5)
        .map(|_| {
            book(&mut ipam, pn(tiny), false, None)
                .unwrap()
                .address
                .to_string()
        })
        .collect();
    assert_eq!(
        got,
        [
            "10.0.0.2/29",
            "10.0.0.3/29",
            "10.0.0.4/29",
            "10.0.0.5/29",
            "10.0.0.6/29"
        ]
    );
    assert_eq!(kind(book(&mut ipam, pn(tiny), false, None)), "out_of_stock");
    // fd00::/125: ::2 to ::7.
    let v6: HashSet<String> = (0..6)
        .map(|_| {
            book(&mut ipam, pn(tiny), true, None)
                .unwrap()
                .address
                .to_string()
        })
        .collect();
    assert_eq!(v6.len(), 6);
    assert_eq!(kind(book(&mut ipam, pn(tiny), true, None)), "out_of_stock");
    // Releasing .4 makes it, and only it, available again.
    let list = ipam
        .list_ips(
            R,
            &me(),
            &ListIpsRequest {
                private_network_id: Some(tiny),
                is_ipv6: Some(false),
                ..Default::default()
            },
        )
        .unwrap();
    let four = list
        .ips
        .iter()
        .find(|ip| ip.address.to_string() == "10.0.0.4/29")
        .unwrap()
        .id;
    ipam.release_ip(R, &me(), four).unwrap();
    assert_eq!(kind(ipam.get_ip(R, &me(), four)), "not_found");
    assert_eq!(
        book(&mut ipam, pn(tiny), false, None)
            .unwrap()
            .address
            .to_string(),
        "10.0.0.4/29"
    );
}

#[test]
fn update_tags_and_reverses() {
    let (mut ipam, _) = ipam();
    let ip = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    let up = ipam
        .update_ip(
            R,
            &me(),
            ip.id,
            UpdateIpRequest {
                tags: Some(vec!["x".into()]),
                reverses: Some(vec![Reverse {
                    hostname: "vm.example".into(),
                    address: Some("172.16.0.2".parse().unwrap()),
                }]),
            },
            t(9),
        )
        .unwrap();
    assert_eq!(up.tags, vec!["x".to_string()]);
    assert_eq!(up.reverses.len(), 1);
    assert_eq!(up.updated_at, t(9));
    let bad = ipam.update_ip(
        R,
        &me(),
        ip.id,
        UpdateIpRequest {
            tags: None,
            reverses: Some(vec![Reverse {
                hostname: "".into(),
                address: Some("10.0.0.1".parse().unwrap()),
            }]),
        },
        t(10),
    );
    assert_eq!(
        reasons(bad),
        vec![
            ("reverses.0.hostname".into(), Required),
            ("reverses.0.address".into(), Constraint)
        ]
    );
    assert_eq!(
        kind(ipam.update_ip(R, &other(), ip.id, UpdateIpRequest::default(), t(11))),
        "not_found"
    );
}

#[test]
fn release_set_is_all_or_nothing() {
    let (mut ipam, _) = ipam();
    let a = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    let b = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    ipam.attach_ip(
        R,
        &me(),
        b.id,
        AttachIpRequest {
            resource: mac("02:00:00:00:00:01", None),
        },
        t(1),
    )
    .unwrap();
    let r = ipam.release_ip_set(
        R,
        &me(),
        ReleaseIpSetRequest {
            ip_ids: vec![a.id, b.id],
        },
    );
    assert_eq!(kind(r), "precondition_failed");
    assert!(ipam.get_ip(R, &me(), a.id).is_ok());
    let r = ipam.release_ip_set(
        R,
        &me(),
        ReleaseIpSetRequest {
            ip_ids: vec![a.id, Uuid::nil()],
        },
    );
    assert_eq!(kind(r), "not_found");
    ipam.detach_ip(
        R,
        &me(),
        b.id,
        AttachIpRequest {
            resource: mac("02:00:00:00:00:01", None),
        },
        t(2),
    )
    .unwrap();
    ipam.release_ip_set(
        R,
        &me(),
        ReleaseIpSetRequest {
            ip_ids: vec![a.id, b.id],
        },
    )
    .unwrap();
    assert_eq!(
        ipam.list_ips(R, &me(), &ListIpsRequest::default())
            .unwrap()
            .total_count,
        0
    );
}

#[test]
fn another_project_sees_no_ip() {
    let (mut ipam, _) = ipam();
    let ip = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    assert_eq!(kind(ipam.get_ip(R, &other(), ip.id)), "not_found");
    assert_eq!(kind(ipam.release_ip(R, &other(), ip.id)), "not_found");
    assert_eq!(
        ipam.list_ips(R, &other(), &ListIpsRequest::default())
            .unwrap()
            .total_count,
        0
    );
    assert_eq!(kind(ipam.get_ip(Region::NlAms, &me(), ip.id)), "not_found");
}

#[test]
fn vpc_catalogue_checks() {
    let cat = demo::catalogue();
    let mut ipam = Ipam::new(
        1,
        "169.254.0.0/16".parse().unwrap(),
        "fd12:876::/48".parse().unwrap(),
    );
    let spec = VpcSpec {
        id: None,
        name: "v".into(),
        project: Some("nobody".into()),
        region: R,
        private_networks: vec![],
    };
    assert!(ipam.add_vpc(&spec, &cat.projects).is_err());
    let overlapping = VpcSpec {
        project: None,
        private_networks: vec![
            PrivateNetworkSpec {
                id: None,
                name: "a".into(),
                subnet: Some("10.0.0.0/16".parse().unwrap()),
                subnets: vec![],
            },
            PrivateNetworkSpec {
                id: None,
                name: "b".into(),
                subnet: Some("10.0.4.0/24".parse().unwrap()),
                subnets: vec![],
            },
        ],
        ..spec.clone()
    };
    assert!(ipam.add_vpc(&overlapping, &cat.projects).is_err());
    let projects: Vec<ProjectSpec> = cat.projects.clone();
    let ok = VpcSpec {
        project: None,
        private_networks: vec![PrivateNetworkSpec {
            id: None,
            name: "a".into(),
            subnet: Some("10.0.0.0/16".parse().unwrap()),
            subnets: vec![],
        }],
        ..spec
    };
    let vpc = ipam.add_vpc(&ok, &projects).unwrap();
    assert_eq!(
        vpc.project_id,
        demo::DEMO_PROJECT_ID,
        "the first project by default"
    );
    let prefixes = ipam.vpc_prefixes(vpc.id);
    assert_eq!(prefixes.len(), 2, "an IPv6 /64 is added");
    assert!(
        prefixes
            .iter()
            .any(|p| p.to_string().starts_with("fd") && p.prefix_len() == 64)
    );
    assert!(matches!(
        ipam.add_vpc(&ok, &projects),
        Err(crate::catalogue::CatalogueError::DuplicateId(_))
    ));
}
