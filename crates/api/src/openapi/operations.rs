//! The one list of served paths and methods, each with its parameters, body and answer.

use super::*;

/// Every served path and method; the router serves exactly these (see the tests).
pub(super) fn operations() -> Vec<Operation> {
    let il = |p: &str| format!("{INTERLINK}{p}");
    let ip = |p: &str| format!("{IPAM}{p}");
    let link = || schema_ref("Link");
    let policy_body = || {
        object(
            &["routing_policy_id"],
            json!({ "routing_policy_id": uuid() }),
        )
    };
    let tags = || param("tags", strings());
    let mut ops = vec![
        op("get", il("/pops"), "ListPops", "List PoPs")
            .query({
                let mut q = paging(NAME_ORDER);
                q.extend([
                    param("name", string()),
                    param("hosting_provider_name", string()),
                    param("partner_id", uuid()),
                    param("link_bandwidth_mbps", u64_()),
                    param("dedicated_available", boolean()),
                    param("l3_connectivity_partners", boolean()),
                ]);
                q
            })
            .ok(schema_ref("ListPopsResponse")),
        op("get", il("/pops/{pop_id}"), "GetPop", "Get a PoP").ok(schema_ref("Pop")),
        op("get", il("/partners"), "ListPartners", "List partners")
            .query({
                let mut q = paging(NAME_ORDER);
                q.extend([
                    param("pop_ids", json!({ "type": "array", "items": uuid() })),
                    param("l3_connectivity", boolean()),
                ]);
                q
            })
            .ok(schema_ref("ListPartnersResponse")),
        op("get", il("/partners/{partner_id}"), "GetPartner", "Get a partner")
            .ok(schema_ref("Partner")),
        op(
            "get",
            il("/dedicated-connections"),
            "ListDedicatedConnections",
            "List dedicated connections",
        )
        .query({
            let mut q = paging(&[
                "created_at_asc",
                "created_at_desc",
                "updated_at_asc",
                "updated_at_desc",
                "name_asc",
                "name_desc",
                "status_asc",
                "status_desc",
            ]);
            q.extend([
                param("project_id", uuid()),
                param("organization_id", uuid()),
                param("name", string()),
                tags(),
                param("status", enumeration(CONNECTION_STATUS)),
                param("bandwidth_mbps", u64_()),
                param("pop_id", uuid()),
            ]);
            q
        })
        .ok(schema_ref("ListDedicatedConnectionsResponse")),
        op(
            "get",
            il("/dedicated-connections/{connection_id}"),
            "GetDedicatedConnection",
            "Get a dedicated connection",
        )
        .ok(schema_ref("DedicatedConnection")),
        op("get", il("/links"), "ListLinks", "List links")
            .query({
                let mut q = paging(&[
                    "created_at_asc",
                    "created_at_desc",
                    "name_asc",
                    "name_desc",
                    "status_asc",
                    "status_desc",
                ]);
                q.extend([
                    param("project_id", uuid()),
                    param("organization_id", uuid()),
                    param("name", string()),
                    tags(),
                    param("status", enumeration(LINK_STATUS)),
                    param("bgp_v4_status", enumeration(BGP_STATUS)),
                    param("bgp_v6_status", enumeration(BGP_STATUS)),
                    param("pop_id", uuid()),
                    param("bandwidth_mbps", u64_()),
                    param("partner_id", uuid()),
                    param("vpc_id", uuid()),
                    param("routing_policy_id", uuid()),
                    param("pairing_key", string()),
                    param(
                        "kind",
                        enumeration(&["hosted", "self_hosted", "l2_hosted", "l3_hosted"]),
                    ),
                    param("connection_id", uuid()),
                ]);
                q
            })
            .ok(schema_ref("ListLinksResponse")),
        op("post", il("/links"), "CreateLink", "Create a link (hosted or self-hosted)")
            .body(object(
                &[],
                json!({
                    "name": string(),
                    "pop_id": uuid(),
                    "bandwidth_mbps": u64_(),
                    "project_id": uuid(),
                    "tags": strings(),
                    "connection_id": uuid(),
                    "partner_id": uuid(),
                    "peer_asn": u32_(),
                    "vlan": u32_(),
                    "routing_policy_v4_id": uuid(),
                    "routing_policy_v6_id": uuid(),
                }),
            ))
            .example(json!({
                "name": "example",
                "pop_id": "5ca1e000-0000-4000-8000-a00000000001",
                "bandwidth_mbps": 1000,
                "connection_id": "5ca1e000-0000-4000-8000-c00000000001",
                "vlan": 1600,
                "peer_asn": 65001,
            }))
            .ok(link()),
        op("get", il("/links/{link_id}"), "GetLink", "Get a link").ok(link()),
        op("patch", il("/links/{link_id}"), "UpdateLink", "Update a link")
            .body(object(
                &[],
                json!({ "name": string(), "tags": strings(), "peer_asn": u32_() }),
            ))
            .ok(link()),
        op("delete", il("/links/{link_id}"), "DeleteLink", "Delete a link").ok(link()),
        op(
            "post",
            il("/links/{link_id}/attach-vpc"),
            "AttachVpc",
            "Attach a VPC",
        )
        .body(object(&["vpc_id"], json!({ "vpc_id": uuid() })))
        .ok(link()),
        op(
            "post",
            il("/links/{link_id}/detach-vpc"),
            "DetachVpc",
            "Detach the VPC",
        )
        .body(object(&[], json!({})))
        .ok(link()),
        op(
            "post",
            il("/links/{link_id}/attach-routing-policy"),
            "AttachRoutingPolicy",
            "Attach a routing policy",
        )
        .body(policy_body())
        .ok(link()),
        op(
            "post",
            il("/links/{link_id}/detach-routing-policy"),
            "DetachRoutingPolicy",
            "Detach a routing policy",
        )
        .body(policy_body())
        .ok(link()),
        op(
            "post",
            il("/links/{link_id}/set-routing-policy"),
            "SetRoutingPolicy",
            "Replace the routing policy of its family",
        )
        .body(policy_body())
        .ok(link()),
        op(
            "post",
            il("/links/{link_id}/enable-route-propagation"),
            "EnableRoutePropagation",
            "Enable route propagation",
        )
        .body(object(&[], json!({})))
        .ok(link()),
        op(
            "post",
            il("/links/{link_id}/disable-route-propagation"),
            "DisableRoutePropagation",
            "Disable route propagation",
        )
        .body(object(&[], json!({})))
        .ok(link()),
        op(
            "get",
            il("/routing-policies"),
            "ListRoutingPolicies",
            "List routing policies",
        )
        .query({
            let mut q = paging(&["created_at_asc", "created_at_desc", "name_asc", "name_desc"]);
            q.extend([
                param("project_id", uuid()),
                param("organization_id", uuid()),
                param("name", string()),
                tags(),
                param("ipv6", boolean()),
            ]);
            q
        })
        .ok(schema_ref("ListRoutingPoliciesResponse")),
        op(
            "post",
            il("/routing-policies"),
            "CreateRoutingPolicy",
            "Create a routing policy",
        )
        .body(object(
            &[],
            json!({
                "name": string(),
                "is_ipv6": boolean(),
                "project_id": uuid(),
                "tags": strings(),
                "prefix_filter_in": { "type": "array", "items": { "type": "string", "pattern": CIDR } },
                "prefix_filter_out": { "type": "array", "items": { "type": "string", "pattern": CIDR } },
            }),
        ))
        .example(json!({
            "name": "example",
            "is_ipv6": false,
            "prefix_filter_in": ["10.0.0.0/8"],
            "prefix_filter_out": ["172.16.0.0/22"],
        }))
        .ok(schema_ref("RoutingPolicy")),
        op(
            "get",
            il("/routing-policies/{routing_policy_id}"),
            "GetRoutingPolicy",
            "Get a routing policy",
        )
        .ok(schema_ref("RoutingPolicy")),
        op(
            "patch",
            il("/routing-policies/{routing_policy_id}"),
            "UpdateRoutingPolicy",
            "Update a routing policy",
        )
        .body(object(
            &[],
            json!({
                "name": string(),
                "tags": strings(),
                "prefix_filter_in": { "type": "array", "items": { "type": "string", "pattern": CIDR } },
                "prefix_filter_out": { "type": "array", "items": { "type": "string", "pattern": CIDR } },
            }),
        ))
        .ok(schema_ref("RoutingPolicy")),
        op(
            "delete",
            il("/routing-policies/{routing_policy_id}"),
            "DeleteRoutingPolicy",
            "Delete a routing policy",
        ),
        op("get", ip("/ips"), "ListIPs", "List IPs")
            .query({
                let mut q = paging(&[
                    "created_at_desc",
                    "created_at_asc",
                    "updated_at_desc",
                    "updated_at_asc",
                    "attached_at_desc",
                    "attached_at_asc",
                    "ip_address_desc",
                    "ip_address_asc",
                    "mac_address_desc",
                    "mac_address_asc",
                ]);
                q.extend([
                    param("project_id", uuid()),
                    param("zonal", string()),
                    param("regional", boolean()),
                    param("private_network_id", uuid()),
                    param("subnet_id", uuid()),
                    param("source_vpc_id", uuid()),
                    param("vpc_id", uuid()),
                    param("attached", boolean()),
                    param("resource_name", string()),
                    param("resource_id", uuid()),
                    param("resource_ids", json!({ "type": "array", "items": uuid() })),
                    param("resource_type", enumeration(RESOURCE_TYPES)),
                    param(
                        "resource_types",
                        json!({ "type": "array", "items": enumeration(RESOURCE_TYPES) }),
                    ),
                    param("mac_address", string()),
                    tags(),
                    param("organization_id", uuid()),
                    param("is_ipv6", boolean()),
                    param("ip_ids", json!({ "type": "array", "items": uuid() })),
                ]);
                q
            })
            .ok(schema_ref("ListIPsResponse")),
        op("post", ip("/ips"), "BookIP", "Book an IP")
            .body(object(
                &["source"],
                json!({
                    "source": schema_ref("Source"),
                    "is_ipv6": boolean(),
                    "project_id": uuid(),
                    "address": string(),
                    "tags": strings(),
                    "resource": schema_ref("CustomResource"),
                }),
            ))
            .example(json!({
                "source": { "private_network_id": "5ca1e000-0000-4000-8000-d00000000011" },
                "is_ipv6": false,
                "tags": ["example"],
            }))
            .ok(schema_ref("IP")),
        op("get", ip("/ips/{ip_id}"), "GetIP", "Get an IP").ok(schema_ref("IP")),
        op("patch", ip("/ips/{ip_id}"), "UpdateIP", "Update an IP")
            .body(object(
                &[],
                json!({
                    "tags": strings(),
                    "reverses": { "type": "array", "items": schema_ref("Reverse") },
                }),
            ))
            .ok(schema_ref("IP")),
        op("delete", ip("/ips/{ip_id}"), "ReleaseIP", "Release an IP"),
        op(
            "post",
            ip("/ip-sets/release"),
            "ReleaseIPSet",
            "Release several IPs",
        )
        .body(object(
            &[],
            json!({ "ip_ids": { "type": "array", "items": uuid() } }),
        )),
        op(
            "post",
            ip("/ips/{ip_id}/attach"),
            "AttachIP",
            "Attach an IP to a custom resource",
        )
        .body(object(
            &["resource"],
            json!({ "resource": schema_ref("CustomResource") }),
        ))
        .ok(schema_ref("IP")),
        op(
            "post",
            ip("/ips/{ip_id}/detach"),
            "DetachIP",
            "Detach an IP from a custom resource",
        )
        .body(object(
            &["resource"],
            json!({ "resource": schema_ref("CustomResource") }),
        ))
        .ok(schema_ref("IP")),
        op(
            "post",
            ip("/ips/{ip_id}/move"),
            "MoveIP",
            "Move an IP to another custom resource",
        )
        .body(object(
            &["from_resource"],
            json!({
                "from_resource": schema_ref("CustomResource"),
                "to_resource": schema_ref("CustomResource"),
            }),
        ))
        .ok(schema_ref("IP")),
    ];
    ops.push(
        op(
            "post",
            "/peerlab/v1/admin/links/{link_id}/approve".to_string(),
            "AdminApproveHostedLink",
            "Approve a hosted link as its partner (admin token)",
        )
        .body(object(&[], json!({})))
        .ok(link()),
    );
    ops.push(
        op(
            "post",
            "/peerlab/v1/admin/links/{link_id}/refuse".to_string(),
            "AdminRefuseHostedLink",
            "Refuse a hosted link as its partner (admin token)",
        )
        .body(object(&[], json!({ "reason": { "type": "string" } })))
        .ok(link()),
    );
    ops.push(
        op(
            "get",
            "/peerlab/v1/trace".to_string(),
            "Trace",
            "A packet's path through the running world's model, hop by hop (admin token)",
        )
        .query(vec![
            param("from", json!({ "type": "string" })),
            param("to", json!({ "type": "string" })),
        ])
        .ok(object(
            &["from", "to", "reachable", "packets"],
            json!({
                "from": { "type": "string" },
                "to": { "type": "string" },
                "reachable": { "type": "boolean" },
                "packets": { "type": "array", "items": { "type": "object" } },
                "ping": { "type": ["object", "null"] },
            }),
        )),
    );
    ops.push(
        op(
            "post",
            "/peerlab/v1/plan".to_string(),
            "Plan",
            "What an InterLink SDK call would change in the running world, without changing anything (admin token)",
        )
        .body(object(
            &["call"],
            json!({
                "call": { "type": "string" },
                "args": { "type": "object" },
            }),
        ))
        .ok(object(
            &["call", "before", "after", "predicted"],
            json!({
                "call": { "type": "string" },
                "before": { "type": "object" },
                "after": { "type": "object" },
                "predicted": { "type": "array", "items": { "type": "string" } },
            }),
        )),
    );
    ops.push(
        op(
            "get",
            DOCUMENT_PATH.to_string(),
            "GetOpenApi",
            "This document",
        )
        .ok(json!({ "type": "object" })),
    );
    ops.extend(vpc::operations());
    // Scaleway Load Balancer, both APIs (`crate::lb::openapi`).
    for l in crate::lb::openapi::operations() {
        let mut o = op(l.method, l.path, l.id, l.summary)
            .query(l.query.into_iter().map(|(n, s)| param(n, s)).collect());
        if l.body {
            o = o.body(json!({ "type": "object" }));
        }
        if !l.no_content {
            o = o.ok(json!({ "type": "object" }));
        }
        ops.push(o);
    }
    ops
}
