//! `ListIPs`: every filter and every `order_by`.

use super::*;
use crate::ipam::LinkOwner;

/// IPs, in booking order (one second apart):
/// 0: 172.16.0.2 tags [a], attached to 02:..:01 "web-1" at t(10)
/// 1: 172.16.0.3 tags [b]
/// 2: fd5c:a1e0:0:1::2, attached to 02:..:02 "db-1" at t(20)
/// 3: 10.0.0.2 (tiny), tags [a, b]
/// 4, 5: a link's BGP endpoints 169.254.0.0/31 and fd12:876::/127 (regional), at t(5)
fn fixture() -> (Ipam, Vec<Ip>, Uuid, Uuid) {
    let (mut ipam, tiny) = ipam();
    let mut ips = Vec::new();
    let specs: [(Uuid, bool, &[&str]); 4] = [
        (demo::PRIVATE_NETWORK_ID, false, &["a"]),
        (demo::PRIVATE_NETWORK_ID, false, &["b"]),
        (demo::PRIVATE_NETWORK_ID, true, &[]),
        (tiny, false, &["a", "b"]),
    ];
    for (i, (pn_id, v6, tags)) in specs.into_iter().enumerate() {
        let ip = ipam
            .book_ip(
                R,
                &me(),
                BookIpRequest {
                    source: pn(pn_id),
                    is_ipv6: v6,
                    tags: Some(tags.iter().map(|t| t.to_string()).collect()),
                    ..Default::default()
                },
                t(i as i64),
            )
            .unwrap();
        ips.push(ip);
    }
    ipam.attach_ip(
        R,
        &me(),
        ips[0].id,
        AttachIpRequest {
            resource: mac("02:00:00:00:00:01", Some("web-1")),
        },
        t(10),
    )
    .unwrap();
    ipam.attach_ip(
        R,
        &me(),
        ips[2].id,
        AttachIpRequest {
            resource: mac("02:00:00:00:00:02", Some("db-1")),
        },
        t(20),
    )
    .unwrap();
    let link_id = Uuid::from_u128(42);
    ipam.allocate_link_block(
        &LinkOwner {
            link_id,
            name: "prod-link".into(),
            project_id: demo::DEMO_PROJECT_ID,
            organization_id: demo::DEMO_ORGANIZATION_ID,
            region: R,
        },
        t(5),
    )
    .unwrap();
    (ipam, ips, tiny, link_id)
}

fn addrs(ipam: &Ipam, req: ListIpsRequest) -> Vec<String> {
    ipam.list_ips(R, &me(), &req)
        .unwrap()
        .ips
        .into_iter()
        .map(|ip| ip.address.addr().to_string())
        .collect()
}

#[test]
fn every_filter() {
    let (ipam, ips, tiny, link_id) = fixture();
    let d = ListIpsRequest::default;
    let by = |req: ListIpsRequest| {
        let mut v = addrs(&ipam, req);
        v.sort();
        v
    };
    assert_eq!(ipam.list_ips(R, &me(), &d()).unwrap().total_count, 6);
    assert_eq!(
        by(ListIpsRequest {
            project_id: Some(demo::DEMO_PROJECT_ID),
            ..d()
        })
        .len(),
        6
    );
    assert_eq!(
        by(ListIpsRequest {
            project_id: Some(demo::OTHER_PROJECT_ID),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        by(ListIpsRequest {
            organization_id: Some(demo::DEMO_ORGANIZATION_ID),
            ..d()
        })
        .len(),
        6
    );
    assert_eq!(
        by(ListIpsRequest {
            organization_id: Some(Uuid::nil()),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        by(ListIpsRequest {
            zonal: Some("fr-par-1".into()),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        by(ListIpsRequest {
            regional: Some(true),
            ..d()
        }),
        ["169.254.0.0", "fd12:876::"]
    );
    assert_eq!(
        by(ListIpsRequest {
            regional: Some(false),
            ..d()
        })
        .len(),
        4
    );
    assert_eq!(
        by(ListIpsRequest {
            private_network_id: Some(demo::PRIVATE_NETWORK_ID),
            ..d()
        }),
        ["172.16.0.2", "172.16.0.3", "fd5c:a1e0:0:1::2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            subnet_id: ips[2].source.subnet_id,
            ..d()
        }),
        ["fd5c:a1e0:0:1::2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            source_vpc_id: Some(demo::VPC_ID),
            ..d()
        })
        .len(),
        3
    );
    assert_eq!(
        by(ListIpsRequest {
            vpc_id: Some(demo::VPC_ID),
            ..d()
        })
        .len(),
        3
    );
    assert_eq!(
        by(ListIpsRequest {
            attached: Some(true),
            ..d()
        })
        .len(),
        4
    );
    assert_eq!(
        by(ListIpsRequest {
            attached: Some(false),
            ..d()
        }),
        ["10.0.0.2", "172.16.0.3"]
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_name: Some("-1".into()),
            ..d()
        }),
        ["172.16.0.2", "fd5c:a1e0:0:1::2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_name: Some("prod".into()),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_id: Some(link_id),
            ..d()
        }),
        ["169.254.0.0", "fd12:876::"]
    );
    let web = ipam
        .get_ip(R, &me(), ips[0].id)
        .unwrap()
        .resource
        .unwrap()
        .id;
    assert_eq!(
        by(ListIpsRequest {
            resource_ids: vec![web, link_id],
            ..d()
        })
        .len(),
        3
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_type: Some(ResourceType::Custom),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_type: Some(ResourceType::BgpEndpoint),
            ..d()
        })
        .len(),
        2
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_type: Some(ResourceType::UnknownType),
            ..d()
        })
        .len(),
        6
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_type: Some(ResourceType::LbServer),
            ..d()
        })
        .len(),
        0
    );
    assert_eq!(
        by(ListIpsRequest {
            resource_types: vec![ResourceType::Custom, ResourceType::BgpEndpoint],
            ..d()
        })
        .len(),
        4
    );
    assert_eq!(
        by(ListIpsRequest {
            mac_address: Some("02:00:00:00:00:01".into()),
            ..d()
        }),
        ["172.16.0.2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            mac_address: Some("02-00-00-00-00-02".to_uppercase()),
            ..d()
        }),
        ["fd5c:a1e0:0:1::2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            tags: vec!["b".into()],
            ..d()
        }),
        ["10.0.0.2", "172.16.0.3"]
    );
    assert_eq!(
        by(ListIpsRequest {
            tags: vec!["a".into(), "z".into()],
            ..d()
        }),
        ["10.0.0.2", "172.16.0.2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            is_ipv6: Some(true),
            ..d()
        }),
        ["fd12:876::", "fd5c:a1e0:0:1::2"]
    );
    assert_eq!(
        by(ListIpsRequest {
            is_ipv6: Some(false),
            ..d()
        })
        .len(),
        4
    );
    assert_eq!(
        by(ListIpsRequest {
            ip_ids: vec![ips[1].id, ips[3].id],
            ..d()
        }),
        ["10.0.0.2", "172.16.0.3"]
    );
    assert_eq!(
        by(ListIpsRequest {
            private_network_id: Some(tiny),
            tags: vec!["a".into()],
            ..d()
        }),
        ["10.0.0.2"]
    );
}

#[test]
fn every_order_by() {
    let (ipam, _, _, _) = fixture();
    let order = |o| {
        addrs(
            &ipam,
            ListIpsRequest {
                order_by: Some(o),
                ..Default::default()
            },
        )
    };
    use ListIpsOrderBy as O;
    // Booked at 0,1,2,3; the link's at 5 (IPv4 first).
    let asc = [
        "172.16.0.2",
        "172.16.0.3",
        "fd5c:a1e0:0:1::2",
        "10.0.0.2",
        "169.254.0.0",
        "fd12:876::",
    ];
    let mut desc = asc;
    desc.reverse();
    assert_eq!(order(O::CreatedAtAsc), asc);
    assert_eq!(order(O::CreatedAtDesc), desc);
    assert_eq!(
        addrs(&ipam, ListIpsRequest::default()),
        desc,
        "created_at_desc is the default"
    );
    // Attaching updated .2 (t10) and ::2 (t20).
    assert_eq!(
        order(O::UpdatedAtAsc),
        [
            "172.16.0.3",
            "10.0.0.2",
            "169.254.0.0",
            "fd12:876::",
            "172.16.0.2",
            "fd5c:a1e0:0:1::2"
        ]
    );
    assert_eq!(order(O::UpdatedAtDesc)[0], "fd5c:a1e0:0:1::2");
    // Not attached first, then by attachment time.
    assert_eq!(
        order(O::AttachedAtAsc),
        [
            "172.16.0.3",
            "10.0.0.2",
            "169.254.0.0",
            "fd12:876::",
            "172.16.0.2",
            "fd5c:a1e0:0:1::2"
        ]
    );
    assert_eq!(
        order(O::AttachedAtDesc)[..2],
        ["fd5c:a1e0:0:1::2", "172.16.0.2"]
    );
    assert_eq!(
        order(O::IpAddressAsc),
        [
            "10.0.0.2",
            "169.254.0.0",
            "172.16.0.2",
            "172.16.0.3",
            "fd12:876::",
            "fd5c:a1e0:0:1::2"
        ]
    );
    assert_eq!(order(O::IpAddressDesc)[0], "fd5c:a1e0:0:1::2");
    // No MAC first, then by MAC.
    let by_mac = order(O::MacAddressAsc);
    assert_eq!(by_mac[4..], ["172.16.0.2", "fd5c:a1e0:0:1::2"]);
    assert_eq!(
        order(O::MacAddressDesc)[..2],
        ["fd5c:a1e0:0:1::2", "172.16.0.2"]
    );
}

#[test]
fn pages() {
    let (ipam, _, _, _) = fixture();
    let page = |p, s| {
        ipam.list_ips(
            R,
            &me(),
            &ListIpsRequest {
                page: p,
                page_size: s,
                ..Default::default()
            },
        )
    };
    let r = page(Some(2), Some(4)).unwrap();
    assert_eq!((r.ips.len(), r.total_count), (2, 6));
    assert!(page(Some(3), Some(4)).unwrap().ips.is_empty());
    assert_eq!(kind(page(Some(0), None)), "invalid_arguments");
    assert_eq!(kind(page(None, Some(101))), "invalid_arguments");
}

#[test]
fn link_addresses_are_managed_by_interlink() {
    let (mut ipam, _, _, link_id) = fixture();
    let link_ips = ipam
        .list_ips(
            R,
            &me(),
            &ListIpsRequest {
                resource_id: Some(link_id),
                ..Default::default()
            },
        )
        .unwrap()
        .ips;
    let ip = &link_ips[0];
    assert!(ip.source.regional);
    assert_eq!(
        ip.resource.as_ref().map(|r| r.type_),
        Some(ResourceType::BgpEndpoint)
    );
    assert_eq!(
        kind(ipam.release_ip(R, &me(), ip.id)),
        "precondition_failed"
    );
    assert_eq!(
        kind(ipam.detach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: mac("02:00:00:00:00:01", None)
            },
            t(30)
        )),
        "precondition_failed"
    );
    assert_eq!(
        kind(ipam.attach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: mac("02:00:00:00:00:09", None)
            },
            t(30)
        )),
        "precondition_failed"
    );
    ipam.release_link_block(link_id);
    assert_eq!(kind(ipam.get_ip(R, &me(), ip.id)), "not_found");
}
