//! The kept VPCs, private networks and routes ([`crate::ipam`]'s records) as the API shows
//! them, and the managed routes a VPC's route table holds without anyone creating them.

use super::types::{
    PrivateNetwork, Route, RouteType, RouteWithNexthop, RouteWithNexthopResourceType, Subnet, Vpc,
};
use crate::ipam::types::ResourceType;
use crate::ipam::{self, CustomRoute, Ipam};
use std::net::IpAddr;

/// A VPC as the API shows it.
pub(crate) fn vpc(v: &ipam::Vpc) -> Vpc {
    Vpc {
        id: v.id,
        name: v.name.clone(),
        organization_id: v.organization_id,
        project_id: v.project_id,
        region: v.region,
        tags: v.tags.clone(),
        is_default: false,
        created_at: v.created_at,
        updated_at: v.updated_at,
        private_network_count: u32::try_from(v.private_network_ids.len()).unwrap_or(u32::MAX),
        routing_enabled: v.routing_enabled,
        custom_routes_propagation_enabled: v.custom_routes_propagation_enabled,
        transitivity_enabled: v.transitivity_enabled,
        object_storage_private_access_enabled: false,
        s3_integration_enabled: false,
    }
}

/// A subnet of `pn` as the API shows it.
pub(crate) fn subnet(pn: &ipam::PrivateNetwork, s: &ipam::Subnet) -> Subnet {
    Subnet {
        id: s.id,
        created_at: s.created_at,
        updated_at: s.updated_at,
        subnet: s.subnet,
        project_id: pn.project_id,
        private_network_id: pn.id,
        vpc_id: pn.vpc_id,
        region: pn.region,
    }
}

/// A private network as the API shows it.
pub(crate) fn private_network(pn: &ipam::PrivateNetwork) -> PrivateNetwork {
    PrivateNetwork {
        id: pn.id,
        name: pn.name.clone(),
        organization_id: pn.organization_id,
        project_id: pn.project_id,
        region: pn.region,
        tags: pn.tags.clone(),
        created_at: pn.created_at,
        updated_at: pn.updated_at,
        subnets: pn.subnets.iter().map(|s| subnet(pn, s)).collect(),
        vpc_id: pn.vpc_id,
        dhcp_enabled: true,
        default_route_propagation_enabled: pn.default_route_propagation_enabled,
        has_object_storage_private_access: false,
        has_s3_integration: false,
    }
}

/// A custom route of `vpc` as the API shows it.
pub(crate) fn custom_route(vpc: &ipam::Vpc, r: &CustomRoute) -> Route {
    Route {
        id: Some(r.id),
        description: r.description.clone(),
        tags: r.tags.clone(),
        vpc_id: vpc.id,
        destination: r.destination,
        nexthop_resource_id: r.nexthop_resource_id,
        nexthop_private_network_id: r.nexthop_private_network_id,
        nexthop_vpc_connector_id: r.nexthop_vpc_connector_id,
        created_at: Some(r.created_at),
        updated_at: Some(r.updated_at),
        is_read_only: false,
        type_: RouteType::Custom,
        region: vpc.region,
    }
}

/// The managed routes of a VPC: one per subnet of each private network, toward that network,
/// read-only, with no ID, as the live API lists them (description `Local Private Network
/// route`, tags `["MANAGED"]`, dated like the subnet).
pub(crate) fn managed_routes(ipam: &Ipam, vpc: &ipam::Vpc) -> Vec<Route> {
    ipam.private_networks_of(vpc.id)
        .into_iter()
        .flat_map(|pn| {
            pn.subnets.iter().map(move |s| Route {
                id: None,
                description: "Local Private Network route".to_string(),
                tags: vec!["MANAGED".to_string()],
                vpc_id: vpc.id,
                destination: s.subnet,
                nexthop_resource_id: None,
                nexthop_private_network_id: Some(pn.id),
                nexthop_vpc_connector_id: None,
                created_at: s.created_at,
                updated_at: s.updated_at,
                is_read_only: true,
                type_: RouteType::Subnet,
                region: vpc.region,
            })
        })
        .collect()
}

/// The route-listing type of an IPAM resource type (`unknown_type` when the list has none).
fn nexthop_type(t: ResourceType) -> RouteWithNexthopResourceType {
    use RouteWithNexthopResourceType as N;
    match t {
        ResourceType::VpcGatewayNetwork => N::VpcGatewayNetwork,
        ResourceType::InstancePrivateNic => N::InstancePrivateNic,
        ResourceType::BaremetalPrivateNic => N::BaremetalPrivateNic,
        ResourceType::AppleSiliconPrivateNic => N::AppleSiliconPrivateNic,
        ResourceType::VpnGateway => N::VpnGateway,
        _ => N::UnknownType,
    }
}

/// A route with what its next hop resource is now (none for a managed route, or when the
/// resource has no address left in the VPC).
pub(crate) fn with_nexthop(ipam: &Ipam, route: Route) -> RouteWithNexthop {
    let resource = route
        .nexthop_resource_id
        .and_then(|id| ipam.resource_in_vpc(route.vpc_id, id));
    let ipv6 = route.destination.addr().is_ipv6();
    let nexthop_ip = resource.as_ref().and_then(|r| {
        r.addresses
            .iter()
            .map(|a| a.addr())
            .find(|a: &IpAddr| a.is_ipv6() == ipv6)
    });
    RouteWithNexthop {
        nexthop_ip,
        nexthop_name: resource.as_ref().and_then(|r| r.name.clone()),
        nexthop_resource_type: resource
            .as_ref()
            .map_or(RouteWithNexthopResourceType::UnknownType, |r| {
                nexthop_type(r.type_)
            }),
        route,
    }
}
