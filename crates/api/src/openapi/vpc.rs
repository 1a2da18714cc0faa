//! The VPC API's part of the OpenAPI document: its schemas and its operations, served ones
//! with their parameters, bodies and answers, and the calls answered `501 unimplemented
//! endpoint` (tagged [`NOT_SERVED_TAG`], whose only documented answers are 401 and 501).

use super::{
    CIDR, Operation, Success, boolean, enumeration, list_of, nullable, object, object_all, op,
    paging, param, schema_ref, string, strings, time, u32_, uuid,
};
use crate::vpc::PREFIX;
use serde_json::{Map, Value, json};

/// The tag of the served VPC calls.
pub(super) const TAG: &str = "VPC v2";
/// The tag of the calls answered `501 unimplemented endpoint`.
pub(super) const NOT_SERVED_TAG: &str = "VPC v2 (not served: 501)";

const ROUTE_TYPES: &[&str] = &[
    "unknown_route_type",
    "subnet",
    "default",
    "custom",
    "interlink",
    "s2s_vpn",
];
const NEXTHOP_TYPES: &[&str] = &[
    "unknown_type",
    "vpc_gateway_network",
    "instance_private_nic",
    "baremetal_private_nic",
    "apple_silicon_private_nic",
    "vpn_gateway",
];
const NAME_ORDER: &[&str] = &["created_at_asc", "created_at_desc", "name_asc", "name_desc"];

/// The VPC API's schemas.
pub(super) fn schemas() -> Map<String, Value> {
    let region = super::enumeration(super::REGIONS);
    let cidr = json!({ "type": "string", "pattern": CIDR });
    let schemas = json!({
        "VPC": object_all(json!({
            "id": uuid(),
            "name": string(),
            "organization_id": uuid(),
            "project_id": uuid(),
            "region": region,
            "tags": strings(),
            "is_default": boolean(),
            "created_at": nullable(time()),
            "updated_at": nullable(time()),
            "private_network_count": u32_(),
            "routing_enabled": boolean(),
            "custom_routes_propagation_enabled": boolean(),
            "transitivity_enabled": boolean(),
            "object_storage_private_access_enabled": boolean(),
            "s3_integration_enabled": boolean(),
        })),
        "Subnet": object_all(json!({
            "id": uuid(),
            "created_at": nullable(time()),
            "updated_at": nullable(time()),
            "subnet": cidr,
            "project_id": uuid(),
            "private_network_id": uuid(),
            "vpc_id": uuid(),
            "region": region,
        })),
        "PrivateNetwork": object_all(json!({
            "id": uuid(),
            "name": string(),
            "organization_id": uuid(),
            "project_id": uuid(),
            "region": region,
            "tags": strings(),
            "created_at": nullable(time()),
            "updated_at": nullable(time()),
            "subnets": { "type": "array", "items": schema_ref("Subnet") },
            "vpc_id": uuid(),
            "dhcp_enabled": boolean(),
            "default_route_propagation_enabled": boolean(),
            "has_object_storage_private_access": boolean(),
            "has_s3_integration": boolean(),
        })),
        "Route": object_all(json!({
            "id": { "type": "string", "description": "a UUID; empty for a managed route" },
            "description": string(),
            "tags": strings(),
            "vpc_id": uuid(),
            "destination": cidr,
            "nexthop_resource_id": nullable(uuid()),
            "nexthop_private_network_id": nullable(uuid()),
            "nexthop_vpc_connector_id": nullable(uuid()),
            "created_at": nullable(time()),
            "updated_at": nullable(time()),
            "is_read_only": boolean(),
            "type": enumeration(ROUTE_TYPES),
            "region": region,
        })),
        "RouteWithNexthop": object_all(json!({
            "route": schema_ref("Route"),
            "nexthop_ip": nullable(json!({ "type": "string", "pattern": "^[0-9a-fA-F:.]+$" })),
            "nexthop_name": nullable(string()),
            "nexthop_resource_type": enumeration(NEXTHOP_TYPES),
        })),
        "GetAclResponse": object_all(json!({
            "rules": { "type": "array", "items": { "type": "object" } },
            "default_policy": enumeration(&["unknown_action", "accept", "drop"]),
        })),
        "ListVPCsResponse": list_of("vpcs", "VPC"),
        "ListPrivateNetworksResponse": list_of("private_networks", "PrivateNetwork"),
        "ListSubnetsResponse": list_of("subnets", "Subnet"),
        "ListRoutesWithNexthopResponse": list_of("routes", "RouteWithNexthop"),
        "UnimplementedError": {
            "description": "The live API's answer to an endpoint it does not implement.",
            "type": "object",
            "required": ["message"],
            "properties": { "message": { "type": "string", "enum": ["unimplemented endpoint"] } },
        },
    });
    match schemas {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn path(p: &str) -> String {
    format!("{PREFIX}{p}")
}

fn named_list(extra: Vec<Value>) -> Vec<Value> {
    let mut q = paging(NAME_ORDER);
    q.extend([
        param("name", string()),
        param("tags", strings()),
        param("organization_id", uuid()),
        param("project_id", uuid()),
    ]);
    q.extend(extra);
    q
}

/// A call answered `501 unimplemented endpoint`.
fn not_served(method: &'static str, p: &str, id: &'static str) -> Operation {
    let mut o = op(
        method,
        path(p),
        id,
        "Not served by peerlab: 501 unimplemented endpoint",
    );
    o.success = Success::NotImplemented;
    o
}

/// Every operation of the VPC API.
pub(super) fn operations() -> Vec<Operation> {
    let vpc = || schema_ref("VPC");
    let pn = || schema_ref("PrivateNetwork");
    let route = || schema_ref("Route");
    let name_and_tags = || json!({ "name": string(), "tags": strings() });
    let nexthops = json!({
        "nexthop_resource_id": uuid(),
        "nexthop_private_network_id": uuid(),
        "nexthop_vpc_connector_id": uuid(),
    });
    let mut route_body =
        json!({ "description": string(), "tags": strings(), "destination": string() });
    if let (Some(body), Some(hops)) = (route_body.as_object_mut(), nexthops.as_object()) {
        body.extend(hops.clone());
    }
    let mut create_route_body = route_body.clone();
    create_route_body["vpc_id"] = uuid();
    vec![
        op("get", path("/vpcs"), "ListVPCs", "List VPCs")
            .query(named_list(vec![
                param("is_default", boolean()),
                param("routing_enabled", boolean()),
                param("object_storage_private_access_enabled", boolean()),
            ]))
            .ok(schema_ref("ListVPCsResponse")),
        op("post", path("/vpcs"), "CreateVPC", "Create a VPC")
            .body(object(
                &[],
                json!({
                    "name": string(),
                    "project_id": uuid(),
                    "tags": strings(),
                    "enable_routing": boolean(),
                    "enable_transitivity": boolean(),
                }),
            ))
            .example(json!({ "name": "example", "enable_routing": true }))
            .ok(vpc()),
        op("get", path("/vpcs/{vpc_id}"), "GetVPC", "Get a VPC").ok(vpc()),
        op("patch", path("/vpcs/{vpc_id}"), "UpdateVPC", "Update a VPC")
            .body(object(&[], name_and_tags()))
            .ok(vpc()),
        op(
            "delete",
            path("/vpcs/{vpc_id}"),
            "DeleteVPC",
            "Delete an empty VPC",
        ),
        op(
            "post",
            path("/vpcs/{vpc_id}/enable-routing"),
            "EnableRouting",
            "Enable routing (every VPC routes already)",
        )
        .body(object(&[], json!({})))
        .ok(vpc()),
        op(
            "post",
            path("/vpcs/{vpc_id}/enable-custom-routes-propagation"),
            "EnableCustomRoutesPropagation",
            "Enable custom routes propagation",
        )
        .body(object(&[], json!({})))
        .ok(vpc()),
        op(
            "get",
            path("/vpcs/{vpc_id}/acl-rules"),
            "VpcGetAcl",
            "The network ACL: no rule, accept (the model filters nothing)",
        )
        .query(vec![param("is_ipv6", boolean())])
        .ok(schema_ref("GetAclResponse")),
        not_served("put", "/vpcs/{vpc_id}/acl-rules", "VpcSetAcl"),
        op(
            "get",
            path("/private-networks"),
            "ListPrivateNetworks",
            "List private networks",
        )
        .query(named_list(vec![
            param(
                "private_network_ids",
                json!({ "type": "array", "items": uuid() }),
            ),
            param("vpc_id", uuid()),
            param("dhcp_enabled", boolean()),
            param("object_storage_private_access_enabled", boolean()),
        ]))
        .ok(schema_ref("ListPrivateNetworksResponse")),
        op(
            "post",
            path("/private-networks"),
            "CreatePrivateNetwork",
            "Create a private network (its missing subnet families are chosen)",
        )
        .body(object(
            &[],
            json!({
                "name": string(),
                "project_id": uuid(),
                "tags": strings(),
                "subnets": strings(),
                "vpc_id": uuid(),
                "default_route_propagation_enabled": boolean(),
            }),
        ))
        .example(json!({ "name": "example", "vpc_id": "5ca1e000-0000-4000-8000-d00000000001" }))
        .ok(pn()),
        op(
            "get",
            path("/private-networks/{private_network_id}"),
            "GetPrivateNetwork",
            "Get a private network",
        )
        .ok(pn()),
        op(
            "patch",
            path("/private-networks/{private_network_id}"),
            "UpdatePrivateNetwork",
            "Update a private network",
        )
        .body(object(
            &[],
            json!({
                "name": string(),
                "tags": strings(),
                "default_route_propagation_enabled": boolean(),
            }),
        ))
        .ok(pn()),
        op(
            "delete",
            path("/private-networks/{private_network_id}"),
            "DeletePrivateNetwork",
            "Delete a private network with no IP booked",
        ),
        op(
            "post",
            path("/private-networks/{private_network_id}/enable-dhcp"),
            "EnableDHCP",
            "Enable DHCP (always on)",
        )
        .body(object(&[], json!({})))
        .ok(pn()),
        not_served(
            "post",
            "/private-networks/{private_network_id}/subnets",
            "AddSubnets",
        ),
        not_served(
            "delete",
            "/private-networks/{private_network_id}/subnets",
            "DeleteSubnets",
        ),
        not_served(
            "put",
            "/private-networks/{private_network_id}/subnets",
            "SetSubnets",
        ),
        op("get", path("/subnets"), "ListSubnets", "List subnets")
            .query({
                let mut q = paging(&["created_at_asc", "created_at_desc"]);
                q.extend([
                    param("organization_id", uuid()),
                    param("project_id", uuid()),
                    param("subnet_ids", json!({ "type": "array", "items": uuid() })),
                    param("vpc_id", uuid()),
                ]);
                q
            })
            .ok(schema_ref("ListSubnetsResponse")),
        op(
            "post",
            path("/routes"),
            "VpcCreateRoute",
            "Create a custom route",
        )
        .body(object(&[], create_route_body))
        .example(json!({
            "vpc_id": "5ca1e000-0000-4000-8000-d00000000001",
            "destination": "10.99.0.0/24",
            "nexthop_private_network_id": "5ca1e000-0000-4000-8000-d00000000011",
        }))
        .ok(route()),
        op(
            "get",
            path("/routes/{route_id}"),
            "VpcGetRoute",
            "Get a custom route",
        )
        .ok(route()),
        op(
            "patch",
            path("/routes/{route_id}"),
            "VpcUpdateRoute",
            "Update a custom route",
        )
        .body(object(&[], route_body))
        .ok(route()),
        op(
            "delete",
            path("/routes/{route_id}"),
            "VpcDeleteRoute",
            "Delete a custom route",
        ),
        op(
            "get",
            path("/routes-with-nexthop"),
            "ListRoutesWithNexthop",
            "The route table: managed and custom routes with their next hops",
        )
        .query({
            let mut q = paging(&[
                "created_at_asc",
                "created_at_desc",
                "destination_asc",
                "destination_desc",
                "prefix_len_asc",
                "prefix_len_desc",
            ]);
            q.extend([
                param("vpc_id", uuid()),
                param("nexthop_resource_id", uuid()),
                param("nexthop_private_network_id", uuid()),
                param("nexthop_resource_type", enumeration(NEXTHOP_TYPES)),
                param("nexthop_vpc_connector_id", uuid()),
                param("contains", string()),
                param("tags", strings()),
                param("is_ipv6", boolean()),
            ]);
            q
        })
        .ok(schema_ref("ListRoutesWithNexthopResponse")),
        not_served("get", "/vpc-connectors", "ListVPCConnectors"),
        not_served("post", "/vpc-connectors", "CreateVPCConnector"),
        not_served(
            "get",
            "/vpc-connectors/{vpc_connector_id}",
            "GetVPCConnector",
        ),
        not_served(
            "patch",
            "/vpc-connectors/{vpc_connector_id}",
            "UpdateVPCConnector",
        ),
        not_served(
            "delete",
            "/vpc-connectors/{vpc_connector_id}",
            "DeleteVPCConnector",
        ),
        not_served(
            "get",
            "/vpc-connectors/{vpc_connector_id}/subnet-overlaps",
            "ListSubnetOverlaps",
        ),
        not_served("get", "/ingress-rules", "ListIngressRules"),
        not_served("post", "/ingress-rules", "CreateIngressRule"),
        not_served("get", "/ingress-rules/{rule_id}", "GetIngressRule"),
        not_served("patch", "/ingress-rules/{rule_id}", "UpdateIngressRule"),
        not_served("delete", "/ingress-rules/{rule_id}", "DeleteIngressRule"),
        not_served(
            "post",
            "/object-storage-private-access/{vpc_id}/enable",
            "EnableObjectStoragePrivateAccess",
        ),
        not_served(
            "post",
            "/object-storage-private-access/{vpc_id}/disable",
            "DisableObjectStoragePrivateAccess",
        ),
        not_served(
            "post",
            "/object-storage-private-access/{vpc_id}/private-networks",
            "AddPrivateNetworkObjectStoragePrivateAccess",
        ),
        not_served(
            "put",
            "/object-storage-private-access/{vpc_id}/private-networks",
            "SetPrivateNetworksObjectStoragePrivateAccess",
        ),
        not_served(
            "delete",
            "/object-storage-private-access/{vpc_id}/private-networks/{private_network_id}",
            "DeletePrivateNetworkObjectStoragePrivateAccess",
        ),
        not_served(
            "post",
            "/s3-integration/{vpc_id}/enable",
            "EnableS3Endpoint",
        ),
        not_served(
            "post",
            "/s3-integration/{vpc_id}/disable",
            "DisableS3Endpoint",
        ),
        not_served(
            "post",
            "/s3-integration/{vpc_id}/private-networks",
            "AddPrivateNetworkS3Endpoint",
        ),
        not_served(
            "put",
            "/s3-integration/{vpc_id}/private-networks",
            "SetPrivateNetworksS3Endpoint",
        ),
        not_served(
            "delete",
            "/s3-integration/{vpc_id}/private-networks/{private_network_id}",
            "DeletePrivateNetworkS3Endpoint",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_and_not_served_are_told_apart() {
        let ops = operations();
        let not_served = ops
            .iter()
            .filter(|o| matches!(o.success, Success::NotImplemented))
            .count();
        assert_eq!(not_served, 25);
        assert!(ops.iter().all(|o| o.path.starts_with(PREFIX)));
    }
}
