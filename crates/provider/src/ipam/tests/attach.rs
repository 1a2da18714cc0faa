//! Attach, detach and move by MAC address.

use super::*;

#[test]
fn attach_detach_and_move_by_mac() {
    let (mut ipam, _) = ipam();
    let ip = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    let ip = ipam
        .attach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: mac("02:AA:BB:CC:DD:01", Some("vm1")),
            },
            t(1),
        )
        .unwrap();
    let res = ip.resource.clone().unwrap();
    assert_eq!(res.type_, ResourceType::Custom);
    assert_eq!(res.mac_address.as_deref(), Some("02:aa:bb:cc:dd:01"));
    assert_eq!(res.name.as_deref(), Some("vm1"));
    // Attaching again, or releasing while attached, is refused.
    assert_eq!(
        kind(ipam.attach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: mac("02:aa:bb:cc:dd:02", None)
            },
            t(2)
        )),
        "precondition_failed"
    );
    assert_eq!(
        kind(ipam.release_ip(R, &me(), ip.id)),
        "precondition_failed"
    );
    // The same machine cannot hold two IPv4s of the private network.
    let second = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), false, None).unwrap();
    assert_eq!(
        reasons(ipam.attach_ip(
            R,
            &me(),
            second.id,
            AttachIpRequest {
                resource: mac("02-aa-bb-cc-dd-01", None)
            },
            t(2)
        )),
        vec![("resource.mac_address".into(), Constraint)]
    );
    // ... but may hold an IPv6 one, which shows the same resource ID.
    let v6 = book(&mut ipam, pn(demo::PRIVATE_NETWORK_ID), true, None).unwrap();
    let v6 = ipam
        .attach_ip(
            R,
            &me(),
            v6.id,
            AttachIpRequest {
                resource: mac("02:aa:bb:cc:dd:01", None),
            },
            t(2),
        )
        .unwrap();
    assert_eq!(v6.resource.unwrap().id, res.id);
    // Detach needs the right MAC.
    assert_eq!(
        reasons(ipam.detach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: mac("02:00:00:00:00:09", None)
            },
            t(3)
        )),
        vec![("resource.mac_address".into(), Constraint)]
    );
    assert_eq!(
        reasons(ipam.attach_ip(
            R,
            &me(),
            second.id,
            AttachIpRequest {
                resource: mac("nope", None)
            },
            t(3)
        )),
        vec![("resource.mac_address".into(), Format)]
    );
    // Move from vm1 to vm2.
    let moved = ipam
        .move_ip(
            R,
            &me(),
            ip.id,
            MoveIpRequest {
                from_resource: mac("02:aa:bb:cc:dd:01", None),
                to_resource: Some(mac("02:aa:bb:cc:dd:02", Some("vm2"))),
            },
            t(4),
        )
        .unwrap();
    assert_eq!(
        moved
            .resource
            .as_ref()
            .and_then(|r| r.mac_address.as_deref()),
        Some("02:aa:bb:cc:dd:02")
    );
    assert_eq!(moved.updated_at, t(4));
    // Move with the wrong origin.
    let wrong = ipam.move_ip(
        R,
        &me(),
        ip.id,
        MoveIpRequest {
            from_resource: mac("02:aa:bb:cc:dd:01", None),
            to_resource: None,
        },
        t(5),
    );
    assert_eq!(
        reasons(wrong),
        vec![("from_resource.mac_address".into(), Constraint)]
    );
    // Move to nothing detaches; detach then fails as there is nothing attached.
    let detached = ipam
        .move_ip(
            R,
            &me(),
            ip.id,
            MoveIpRequest {
                from_resource: mac("02:aa:bb:cc:dd:02", None),
                to_resource: None,
            },
            t(6),
        )
        .unwrap();
    assert!(detached.resource.is_none());
    assert_eq!(
        kind(ipam.detach_ip(
            R,
            &me(),
            ip.id,
            AttachIpRequest {
                resource: mac("02:aa:bb:cc:dd:02", None)
            },
            t(7)
        )),
        "precondition_failed"
    );
    ipam.release_ip(R, &me(), ip.id).unwrap();
}

#[test]
fn book_with_a_resource_attaches_right_away() {
    let (mut ipam, _) = ipam();
    let ip = ipam
        .book_ip(
            R,
            &me(),
            BookIpRequest {
                source: pn(demo::PRIVATE_NETWORK_ID),
                resource: Some(mac("02:00:00:00:00:01", Some("em1"))),
                tags: Some(vec!["a".into()]),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    assert_eq!(ip.resource.unwrap().type_, ResourceType::Custom);
    assert_eq!(ip.tags, vec!["a".to_string()]);
}
