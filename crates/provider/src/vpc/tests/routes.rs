//! Routes: custom routes and their next hops, the managed routes, the listing.

use super::*;
use crate::error::{ArgumentReason::*, Precondition, ProviderError};
use crate::interlink::test_support::{invalid, kind, other, state};
use crate::ipam::types::{BookIpRequest, CustomResource, Source};
use uuid::Uuid;

fn route(vpc_id: Uuid, destination: &str) -> CreateRouteRequest {
    CreateRouteRequest {
        vpc_id: Some(vpc_id),
        destination: Some(destination.into()),
        ..Default::default()
    }
}

/// A VPC with one network and a VM (an IPAM custom resource) holding an IPv4 and an IPv6
/// address in it: (vpc, network, the VM's resource ID).
fn setup(s: &mut InterLink) -> (Vpc, PrivateNetwork, Uuid) {
    let v = vpc(s, "v", 1);
    let pn = network(s, v.id, "app", &["10.8.0.0/24"]);
    let mut resource = None;
    for is_ipv6 in [false, true] {
        let req = BookIpRequest {
            source: Source {
                private_network_id: Some(pn.id),
                ..Source::default()
            },
            is_ipv6,
            resource: Some(CustomResource {
                mac_address: "02:00:00:00:00:0a".into(),
                name: Some("vpn".into()),
            }),
            ..Default::default()
        };
        let ip = s.ipam_mut().book_ip(R, &me(), req, t(2)).unwrap();
        resource = ip.resource.map(|r| r.id);
    }
    (v, pn, resource.unwrap())
}

#[test]
fn a_custom_route_through_a_network() {
    let mut s = state();
    let (v, pn, _) = setup(&mut s);
    let mut req = route(v.id, "192.168.42.0/24");
    req.nexthop_private_network_id = Some(pn.id);
    req.tags = Some(vec!["tf-route-list-tag".into()]);
    let r = s.create_route(R, &me(), req, t(3)).unwrap();
    // What the live API answers to an empty description (recorded).
    assert_eq!(r.description, "Custom route");
    assert_eq!((r.type_, r.is_read_only), (RouteType::Custom, false));
    assert_eq!(r.nexthop_private_network_id, Some(pn.id));
    assert_eq!(r.created_at, Some(t(3)));
    assert_eq!(s.get_route(R, &me(), r.id.unwrap()).unwrap(), r);
    // The network cannot go while the route goes through it.
    let e = s.delete_private_network(R, &me(), pn.id).unwrap_err();
    assert!(matches!(
        e,
        ProviderError::PreconditionFailed {
            precondition: Precondition::ResourceStillInUse,
            ..
        }
    ));
}

#[test]
fn a_custom_route_through_a_resource_names_its_network_and_address() {
    let mut s = state();
    let (v, pn, vm) = setup(&mut s);
    let mut req = route(v.id, "10.0.0.0/24");
    req.nexthop_resource_id = Some(vm);
    req.description = "to the VPN".into();
    let r = s.create_route(R, &me(), req, t(3)).unwrap();
    assert_eq!(r.nexthop_private_network_id, Some(pn.id));
    let listed = s
        .list_routes_with_nexthop(
            R,
            &me(),
            &ListRoutesWithNexthopRequest {
                nexthop_resource_id: Some(vm),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(listed.total_count, 1);
    let hop = &listed.routes[0];
    assert_eq!(hop.nexthop_ip, Some("10.8.0.2".parse().unwrap()));
    assert_eq!(hop.nexthop_name.as_deref(), Some("vpn"));
    assert_eq!(
        hop.nexthop_resource_type,
        RouteWithNexthopResourceType::UnknownType
    );
}

#[test]
fn next_hops_are_checked() {
    let mut s = state();
    let (v, pn, vm) = setup(&mut s);
    let r = s.create_route(R, &me(), route(v.id, "10.1.0.0/16"), t(3));
    assert_eq!(
        invalid(r),
        vec![("nexthop_resource_id".to_string(), Required)]
    );
    let mut unknown = route(v.id, "10.1.0.0/16");
    unknown.nexthop_resource_id = Some(Uuid::from_u128(1));
    let r = s.create_route(R, &me(), unknown, t(3));
    assert_eq!(
        invalid(r),
        vec![("nexthop_resource_id".to_string(), Constraint)]
    );
    let mut connector = route(v.id, "10.1.0.0/16");
    connector.nexthop_vpc_connector_id = Some(Uuid::from_u128(2));
    let r = s.create_route(R, &me(), connector, t(3));
    assert_eq!(
        r,
        Err(ProviderError::not_found(
            "vpc_connector",
            Uuid::from_u128(2)
        ))
    );
    // A network of another VPC (the demo one).
    let mut elsewhere = route(v.id, "10.1.0.0/16");
    elsewhere.nexthop_private_network_id = Some(crate::catalogue::demo::PRIVATE_NETWORK_ID);
    let r = s.create_route(R, &me(), elsewhere, t(3));
    assert_eq!(
        invalid(r),
        vec![("nexthop_private_network_id".to_string(), Constraint)]
    );
    let mut mismatch = route(crate::catalogue::demo::VPC_ID, "10.1.0.0/16");
    mismatch.nexthop_resource_id = Some(vm);
    assert_eq!(
        kind(s.create_route(R, &me(), mismatch, t(3))),
        "invalid_arguments"
    );
    let bad = CreateRouteRequest {
        description: "d".repeat(201),
        destination: Some("10.1.2.3/16".into()),
        nexthop_private_network_id: Some(pn.id),
        ..Default::default()
    };
    assert_eq!(
        invalid(s.create_route(R, &me(), bad, t(3))),
        vec![
            ("description".to_string(), Constraint),
            ("vpc_id".to_string(), Required),
            ("destination".to_string(), Constraint),
        ]
    );
    let mut theirs = route(v.id, "10.1.0.0/16");
    theirs.nexthop_private_network_id = Some(pn.id);
    assert_eq!(
        s.create_route(R, &other(), theirs, t(3)),
        Err(ProviderError::not_found("vpc", v.id))
    );
}

#[test]
fn update_get_and_delete() {
    let mut s = state();
    let (v, pn, vm) = setup(&mut s);
    let mut req = route(v.id, "10.0.0.0/24");
    req.nexthop_private_network_id = Some(pn.id);
    let r = s.create_route(R, &me(), req, t(3)).unwrap();
    let id = r.id.unwrap();
    let u = s
        .update_route(
            R,
            &me(),
            id,
            UpdateRouteRequest {
                description: Some("tf-route-vpn-updated".into()),
                tags: Some(vec!["tf".into(), "route".into(), "updated".into()]),
                nexthop_resource_id: Some(vm),
                nexthop_private_network_id: Some(pn.id),
                ..Default::default()
            },
            t(9),
        )
        .unwrap();
    assert_eq!(u.description, "tf-route-vpn-updated");
    assert_eq!(
        (u.nexthop_resource_id, u.nexthop_private_network_id),
        (Some(vm), Some(pn.id))
    );
    assert_eq!((u.created_at, u.updated_at), (Some(t(3)), Some(t(9))));
    assert_eq!(u.destination.to_string(), "10.0.0.0/24");
    // The live API's 404 for a route names no resource.
    let missing = ProviderError::NotFound {
        resource: "unknown".into(),
        resource_id: String::new(),
    };
    assert_eq!(s.get_route(R, &other(), id), Err(missing.clone()));
    assert_eq!(s.delete_route(R, &other(), id), Err(missing.clone()));
    s.delete_route(R, &me(), id).unwrap();
    assert_eq!(s.get_route(R, &me(), id), Err(missing.clone()));
    assert_eq!(
        s.update_route(R, &me(), id, Default::default(), t(10)),
        Err(missing)
    );
}

#[test]
fn the_route_table_lists_managed_and_custom_routes() {
    let mut s = state();
    let (v, pn, _) = setup(&mut s);
    let mut req = route(v.id, "192.168.42.0/24");
    req.nexthop_private_network_id = Some(pn.id);
    req.tags = Some(vec!["mine".into()]);
    s.create_route(R, &me(), req, t(3)).unwrap();
    let list = |s: &InterLink, req: ListRoutesWithNexthopRequest| {
        s.list_routes_with_nexthop(R, &me(), &req).unwrap()
    };
    let all = list(
        &s,
        ListRoutesWithNexthopRequest {
            vpc_id: Some(v.id),
            ..Default::default()
        },
    );
    assert_eq!(all.total_count, 3);
    let managed = &all.routes[0].route;
    assert_eq!(managed.id, None);
    assert_eq!(
        (managed.type_, managed.is_read_only),
        (RouteType::Subnet, true)
    );
    assert_eq!(managed.tags, vec!["MANAGED"]);
    assert_eq!(managed.description, "Local Private Network route");
    assert_eq!(serde_json::to_value(managed).unwrap()["id"], "");
    // Managed routes pass the tags filter (as recorded); custom ones must match.
    let tagged = list(
        &s,
        ListRoutesWithNexthopRequest {
            vpc_id: Some(v.id),
            tags: vec!["nope".into()],
            ..Default::default()
        },
    );
    assert_eq!(tagged.total_count, 2);
    let v6 = list(
        &s,
        ListRoutesWithNexthopRequest {
            vpc_id: Some(v.id),
            is_ipv6: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(v6.total_count, 1);
    let inside = list(
        &s,
        ListRoutesWithNexthopRequest {
            contains: Some("192.168.0.0/16".into()),
            ..Default::default()
        },
    );
    assert_eq!(inside.total_count, 1);
    let by_destination = list(
        &s,
        ListRoutesWithNexthopRequest {
            vpc_id: Some(v.id),
            order_by: Some(ListRoutesOrderBy::DestinationDesc),
            ..Default::default()
        },
    );
    let order: Vec<String> = by_destination
        .routes
        .iter()
        .map(|r| r.route.destination.to_string())
        .collect();
    assert_eq!(order[1..], ["192.168.42.0/24", "10.8.0.0/24"]);
    let bad = ListRoutesWithNexthopRequest {
        contains: Some("nope".into()),
        ..Default::default()
    };
    let r = s.list_routes_with_nexthop(R, &me(), &bad);
    assert_eq!(invalid(r), vec![("contains".to_string(), Format)]);
    let theirs = s
        .list_routes_with_nexthop(R, &other(), &Default::default())
        .unwrap();
    assert_eq!(theirs.total_count, 0);
}
