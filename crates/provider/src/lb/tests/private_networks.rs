//! Private network attachments and their IPAM addresses.

use super::support::*;
use crate::catalogue::demo::PRIVATE_NETWORK_ID;
use crate::ipam::types::{BookIpRequest, ListIpsRequest, ResourceType, Source};
use crate::lb::list::{DeleteLbRequest, ListPrivateNetworksRequest};
use crate::lb::other_types::{
    PrivateNetworkDhcpConfig, PrivateNetworkStaticConfig, PrivateNetworkStatus,
};
use crate::lb::requests::{AttachPrivateNetworkRequest, UpdateLbRequest};
use crate::region::Region;
use serde_json::json;

fn lb_ips(ipam: &crate::ipam::Ipam, lb_id: uuid::Uuid) -> Vec<crate::ipam::types::Ip> {
    ipam.list_ips(
        Region::FrPar,
        &me(),
        &ListIpsRequest {
            resource_id: Some(lb_id),
            resource_type: Some(ResourceType::LbServer),
            ..Default::default()
        },
    )
    .unwrap()
    .ips
}

#[test]
fn attaching_books_an_ipam_address_for_the_lb_server() {
    let mut lb = state();
    let made = private_lb(&mut lb);
    let mut ipam = ipam();
    let a = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            PRIVATE_NETWORK_ID,
            Default::default(),
            &mut ipam,
            t(20_000),
        )
        .unwrap();
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["status"], "pending");
    assert_eq!(
        v["dhcp_config"],
        json!({"ip_id": null}),
        "as recorded while pending"
    );
    assert_eq!(v["ipam_ids"], json!([]));
    assert_eq!(v["lb"]["private_network_count"], 1);
    let ips = lb_ips(&ipam, made.id);
    assert_eq!(ips.len(), 1);
    let ip = &ips[0];
    assert_eq!(
        ip.address.to_string(),
        "172.16.0.2/22",
        "the lowest free address"
    );
    let res = ip.resource.as_ref().unwrap();
    assert_eq!(res.type_, ResourceType::LbServer);
    assert_eq!(res.name.as_deref(), Some("private"));
    let mac = res.mac_address.as_deref().unwrap();
    assert!(
        mac.starts_with("02:00:00:") && mac == mac.to_ascii_uppercase(),
        "{mac}"
    );
    lb.advance(t(30_000));
    let listed = lb
        .list_lb_private_networks(Z, &me(), made.id, &ListPrivateNetworksRequest::default())
        .unwrap();
    let pn = &listed.private_network[0];
    assert_eq!(pn.status, PrivateNetworkStatus::Ready);
    assert_eq!(pn.ipam_ids, vec![ip.id]);
    assert_eq!(
        pn.dhcp_config,
        Some(PrivateNetworkDhcpConfig { ip_id: Some(ip.id) })
    );
    // The running view has the leg; a rename follows on IPAM.
    let running = lb.running_config(made.id).unwrap();
    assert_eq!(running.private_networks[0].address, ip.address);
    lb.update_lb(
        Z,
        &me(),
        made.id,
        UpdateLbRequest {
            name: "renamed".into(),
            description: String::new(),
            tags: None,
            ssl_compatibility_level: None,
        },
        &mut ipam,
        t(30_001),
    )
    .unwrap();
    assert_eq!(
        lb_ips(&ipam, made.id)[0]
            .resource
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some("renamed")
    );
    // IPAM refuses to release an address a Scaleway resource holds.
    assert_eq!(
        ipam.release_ip(Region::FrPar, &me(), ip.id)
            .unwrap_err()
            .http_status(),
        412
    );
    // Detach: pending, then gone; the address is released.
    lb.detach_private_network(Z, &me(), made.id, PRIVATE_NETWORK_ID, &mut ipam, t(40_000))
        .unwrap();
    assert!(lb_ips(&ipam, made.id).is_empty());
    let listed = lb
        .list_lb_private_networks(Z, &me(), made.id, &ListPrivateNetworksRequest::default())
        .unwrap();
    assert_eq!(
        listed.private_network[0].status,
        PrivateNetworkStatus::Pending
    );
    lb.advance(t(50_000));
    let listed = lb
        .list_lb_private_networks(Z, &me(), made.id, &ListPrivateNetworksRequest::default())
        .unwrap();
    assert_eq!(listed.total_count, 0);
    let e = lb
        .detach_private_network(Z, &me(), made.id, PRIVATE_NETWORK_ID, &mut ipam, t(50_001))
        .unwrap_err();
    assert_eq!(e.body(), json!({"message": "privateNetwork not Found"}));
}

#[test]
fn static_addresses_must_be_inside_the_subnet() {
    let mut lb = state();
    let made = private_lb(&mut lb);
    let mut ipam = ipam();
    let outside = AttachPrivateNetworkRequest {
        static_config: Some(PrivateNetworkStaticConfig {
            ip_address: Some(vec!["192.168.1.1/25".into()]),
        }),
        ..Default::default()
    };
    let e = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            PRIVATE_NETWORK_ID,
            outside,
            &mut ipam,
            t(20_000),
        )
        .unwrap_err();
    assert_eq!(argument(&e), "static_config.ip_address");
    assert!(e.to_string().contains("172.16.0.0/22"), "{e}");
    let reserved = AttachPrivateNetworkRequest {
        static_config: Some(PrivateNetworkStaticConfig {
            ip_address: Some(vec!["172.16.0.1".into()]),
        }),
        ..Default::default()
    };
    let e = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            PRIVATE_NETWORK_ID,
            reserved,
            &mut ipam,
            t(20_001),
        )
        .unwrap_err();
    assert_eq!(
        argument(&e),
        "static_config.ip_address",
        "the gateway is reserved"
    );
    let inside = AttachPrivateNetworkRequest {
        static_config: Some(PrivateNetworkStaticConfig {
            ip_address: Some(vec!["172.16.0.100".into()]),
        }),
        ..Default::default()
    };
    let a = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            PRIVATE_NETWORK_ID,
            inside,
            &mut ipam,
            t(20_002),
        )
        .unwrap();
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["static_config"], json!({"ip_address": ["172.16.0.100"]}));
    assert_eq!(v["ipam_ids"], json!([]), "as recorded for static configs");
    assert_eq!(
        lb_ips(&ipam, made.id)[0].address.to_string(),
        "172.16.0.100/22"
    );
}

#[test]
fn an_ipam_id_is_attached_then_only_detached() {
    let mut lb = state();
    let made = private_lb(&mut lb);
    let mut ipam = ipam();
    let booked = ipam
        .book_ip(
            Region::FrPar,
            &me(),
            BookIpRequest {
                source: Source {
                    private_network_id: Some(PRIVATE_NETWORK_ID),
                    ..Default::default()
                },
                address: Some("172.16.0.7".into()),
                ..Default::default()
            },
            t(0),
        )
        .unwrap();
    let req = AttachPrivateNetworkRequest {
        ipam_ids: Some(vec![booked.id]),
        ..Default::default()
    };
    lb.attach_private_network(
        Z,
        &me(),
        made.id,
        PRIVATE_NETWORK_ID,
        req,
        &mut ipam,
        t(20_000),
    )
    .unwrap();
    let ip = ipam.get_ip(Region::FrPar, &me(), booked.id).unwrap();
    assert_eq!(ip.resource.unwrap().id, made.id);
    let mut ipam2 = ipam.clone();
    lb.delete_lb(
        Z,
        &me(),
        made.id,
        &DeleteLbRequest::default(),
        &mut ipam2,
        t(30_000),
    )
    .unwrap();
    let ip = ipam2.get_ip(Region::FrPar, &me(), booked.id).unwrap();
    assert!(ip.resource.is_none(), "detached, not released");
}

#[test]
fn at_most_eight_private_networks() {
    let mut lb = state();
    let made = private_lb(&mut lb);
    let mut ipam = ipam();
    let pns = many_pns(&ipam);
    for pn in &pns[..8] {
        lb.attach_private_network(
            Z,
            &me(),
            made.id,
            *pn,
            Default::default(),
            &mut ipam,
            t(20_000),
        )
        .unwrap();
    }
    let e = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            pns[8],
            Default::default(),
            &mut ipam,
            t(20_001),
        )
        .unwrap_err();
    assert_eq!(e.http_status(), 403);
    assert_eq!(
        e.body(),
        json!({"details": [{"current": 8, "quota": 8, "resource": "lb_private_networks"}],
               "message": "quota(s) exceeded for this resource", "type": "quotas_exceeded"})
    );
    let again = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            pns[0],
            Default::default(),
            &mut ipam,
            t(20_002),
        )
        .unwrap_err();
    assert_eq!(again.http_status(), 409);
    // Another project's network, and an unknown one, are not found.
    let e = lb
        .attach_private_network(
            Z,
            &other(),
            made.id,
            pns[0],
            Default::default(),
            &mut ipam,
            t(20_003),
        )
        .unwrap_err();
    assert_eq!(e.body(), json!({"message": "lbs not Found"}));
    let e = lb
        .attach_private_network(
            Z,
            &me(),
            made.id,
            uuid::Uuid::nil(),
            Default::default(),
            &mut ipam,
            t(20_004),
        )
        .unwrap_err();
    assert_eq!(e.body(), json!({"message": "privateNetwork not Found"}));
}
