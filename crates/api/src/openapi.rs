//! The OpenAPI 3 document of what the router serves, at `GET /openapi.json` (no token needed).
//!
//! Written by hand: [`operations`] is the one list of served paths and methods, each with its
//! parameters, body and answer; the tests check it against the router (`routes.rs`) both ways.
//! The schemas are the JSON shapes the provider types serialize to.

use axum::Json;
use serde_json::{Map, Value, json};

mod vpc;

/// `GET /openapi.json`.
pub async fn serve() -> Json<Value> {
    Json(document())
}

/// The path of the document itself.
pub const DOCUMENT_PATH: &str = "/openapi.json";

const INTERLINK: &str = "/interlink/v1beta1/regions/{region}";
const IPAM: &str = "/ipam/v1/regions/{region}";

/// A CIDR of either family, as the provider writes it (`10.0.0.0/24`, `2001:db8::/64`).
const CIDR: &str = "^[0-9a-fA-F:.]+/[0-9]{1,3}$";
const CIDR_V4: &str = "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$";
const CIDR_V6: &str = "^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*/[0-9]{1,3}$";

/// What an operation answers when it succeeds.
enum Success {
    /// 200 with this JSON schema.
    Json(Value),
    /// 204, no body.
    NoContent,
    /// 501, the live API's `unimplemented endpoint` (a VPC call peerlab does not serve).
    NotImplemented,
}

/// One served path and method.
struct Operation {
    method: &'static str,
    path: String,
    id: &'static str,
    summary: &'static str,
    query: Vec<Value>,
    body: Option<Value>,
    example: Option<Value>,
    success: Success,
}

fn op(method: &'static str, path: String, id: &'static str, summary: &'static str) -> Operation {
    Operation {
        method,
        path,
        id,
        summary,
        query: Vec::new(),
        body: None,
        example: None,
        success: Success::NoContent,
    }
}

impl Operation {
    fn query(mut self, params: Vec<Value>) -> Self {
        self.query = params;
        self
    }
    fn body(mut self, schema: Value) -> Self {
        self.body = Some(schema);
        self
    }
    /// A request body that works against the demo catalogue.
    fn example(mut self, body: Value) -> Self {
        self.example = Some(body);
        self
    }
    fn ok(mut self, schema: Value) -> Self {
        self.success = Success::Json(schema);
        self
    }
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn nullable(mut schema: Value) -> Value {
    if schema.get("$ref").is_some() {
        return json!({ "allOf": [schema], "nullable": true });
    }
    schema["nullable"] = json!(true);
    schema
}

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn boolean() -> Value {
    json!({ "type": "boolean" })
}

fn u64_() -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 0 })
}

fn u32_() -> Value {
    json!({ "type": "integer", "minimum": 0, "maximum": 4_294_967_295u64 })
}

fn time() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn strings() -> Value {
    json!({ "type": "array", "items": string() })
}

fn enumeration(values: &[&str]) -> Value {
    json!({ "type": "string", "enum": values })
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

/// An object whose every property is always present.
fn object_all(properties: Value) -> Value {
    let required: Vec<String> = properties
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    json!({ "type": "object", "required": required, "properties": properties })
}

fn param(name: &str, schema: Value) -> Value {
    let explode = schema["type"] == "array";
    json!({ "name": name, "in": "query", "required": false, "schema": schema, "style": "form", "explode": explode })
}

/// `page`, `page_size` and `order_by`.
fn paging(order_by: &[&str]) -> Vec<Value> {
    vec![
        param("order_by", enumeration(order_by)),
        param(
            "page",
            json!({ "type": "integer", "minimum": 1, "maximum": 4_294_967_295u64 }),
        ),
        param(
            "page_size",
            json!({ "type": "integer", "minimum": 1, "maximum": 100 }),
        ),
    ]
}

fn list_of(key: &str, item: &str) -> Value {
    object_all(json!({
        key: { "type": "array", "items": schema_ref(item) },
        "total_count": u64_(),
    }))
}

const REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw"];
const ZONES: &[&str] = &[
    "fr-par-1", "fr-par-2", "fr-par-3", "nl-ams-1", "nl-ams-2", "nl-ams-3", "pl-waw-1", "pl-waw-2",
    "pl-waw-3",
];
const LINK_STATUS: &[&str] = &[
    "unknown_link_status",
    "configuring",
    "failed",
    "requested",
    "refused",
    "expired",
    "provisioning",
    "active",
    "limited_connectivity",
    "all_down",
    "deprovisioning",
    "deleted",
    "locked",
    "ready",
];
const BGP_STATUS: &[&str] = &["unknown_bgp_status", "up", "down", "disabled"];
const CONNECTION_STATUS: &[&str] = &[
    "unknown_status",
    "created",
    "configuring",
    "failed",
    "active",
    "disabled",
    "deleted",
    "locked",
];
const RESOURCE_TYPES: &[&str] = &[
    "unknown_type",
    "custom",
    "instance_server",
    "instance_ip",
    "instance_private_nic",
    "lb_server",
    "fip_ip",
    "vpc_gateway",
    "vpc_gateway_network",
    "k8s_node",
    "k8s_cluster",
    "rdb_instance",
    "redis_cluster",
    "baremetal_server",
    "baremetal_private_nic",
    "llm_deployment",
    "mgdb_instance",
    "apple_silicon_server",
    "apple_silicon_private_nic",
    "serverless_container",
    "serverless_function",
    "vpn_gateway",
    "ddl_datalab",
    "kafka_cluster",
    "bgp_endpoint",
    "scbl_sedb_cluster",
    "dtwh_deployment",
    "sedb_cluster",
    "msgq_cluster",
    "edge_vpc_endpoint",
    "dviz_cluster",
    "nats_cluster",
];
const NAME_ORDER: &[&str] = &["name_asc", "name_desc"];

fn schemas() -> Value {
    let mut all = scaleway_schemas();
    if let Some(map) = all.as_object_mut() {
        map.extend(vpc::schemas());
    }
    all
}

fn scaleway_schemas() -> Value {
    let region = enumeration(REGIONS);
    let cidr = json!({ "type": "string", "pattern": CIDR });
    let bgp = object_all(json!({
        "asn": u32_(),
        "ipv4": { "type": "string", "pattern": CIDR_V4 },
        "ipv6": { "type": "string", "pattern": CIDR_V6 },
    }));
    let custom_resource = object(
        &["mac_address"],
        json!({ "mac_address": string(), "name": nullable(string()) }),
    );
    json!({
        "Error": {
            "description": "Scaleway's error body: `type` says which, the rest depends on it \
                (`details` of invalid_arguments, `resource`/`resource_id` of not_found, \
                `precondition` of precondition_failed, `method`/`reason` of denied_authentication…).",
            "type": "object",
            "required": ["type", "message"],
            "properties": {
                "type": string(),
                "message": string(),
                "details": { "type": "array", "items": { "type": "object" } },
                "resource": string(),
                "resource_id": string(),
                "help_message": string(),
                "precondition": enumeration(&["unknown_precondition", "resource_still_in_use", "attribute_must_be_set"]),
                "current_state": string(),
                "method": string(),
                "reason": string(),
            },
        },
        "LbError": {
            "description": "The Load Balancer API's error body: Scaleway's standard bodies, and its \
                404, which has only a message (`{\"message\": \"lbs not Found\"}`).",
            "type": "object",
            "required": ["message"],
            "properties": { "message": string(), "type": string() },
        },
        "Pop": object_all(json!({
            "id": uuid(),
            "name": string(),
            "hosting_provider_name": string(),
            "address": string(),
            "city": string(),
            "logo_url": string(),
            "available_link_bandwidths_mbps": { "type": "array", "items": u64_() },
            "display_name": string(),
            "region": region,
        })),
        "Partner": object_all(json!({
            "id": uuid(),
            "name": string(),
            "contact_email": string(),
            "logo_url": string(),
            "portal_url": string(),
            "l3_connectivity": boolean(),
            "region": region,
            "created_at": time(),
            "updated_at": time(),
        })),
        "VlanRange": object_all(json!({ "start": u32_(), "end": u32_() })),
        "DedicatedConnection": object_all(json!({
            "id": uuid(),
            "project_id": uuid(),
            "organization_id": uuid(),
            "status": enumeration(CONNECTION_STATUS),
            "name": string(),
            "tags": strings(),
            "pop_id": uuid(),
            "bandwidth_mbps": u64_(),
            "available_link_bandwidths": { "type": "array", "items": u64_() },
            "region": region,
            "created_at": time(),
            "updated_at": time(),
            "demarcation_info": nullable(string()),
            "vlan_range": nullable(schema_ref("VlanRange")),
        })),
        "BgpConfig": bgp,
        "Link": object_all(json!({
            "id": uuid(),
            "project_id": uuid(),
            "organization_id": uuid(),
            "name": string(),
            "tags": strings(),
            "pop_id": uuid(),
            "bandwidth_mbps": u64_(),
            "status": enumeration(LINK_STATUS),
            "bgp_v4_status": enumeration(BGP_STATUS),
            "bgp_v6_status": enumeration(BGP_STATUS),
            "enable_route_propagation": boolean(),
            "vlan": { "type": "integer", "minimum": 0, "maximum": 65535 },
            "region": region,
            "vpc_id": nullable(uuid()),
            "routing_policy_id": nullable(uuid()),
            "created_at": time(),
            "updated_at": time(),
            "scw_bgp_config": nullable(schema_ref("BgpConfig")),
            "peer_bgp_config": nullable(schema_ref("BgpConfig")),
            "routing_policy_v4_id": nullable(uuid()),
            "routing_policy_v6_id": nullable(uuid()),
            "partner": nullable(object_all(json!({
                "partner_id": uuid(),
                "pairing_key": string(),
                "l3_connectivity": boolean(),
                "disapproved_reason": nullable(string()),
            }))),
            "self": nullable(object_all(json!({ "connection_id": uuid() }))),
        })),
        "RoutingPolicy": object_all(json!({
            "id": uuid(),
            "project_id": uuid(),
            "organization_id": uuid(),
            "name": string(),
            "tags": strings(),
            "prefix_filter_in": { "type": "array", "items": cidr },
            "prefix_filter_out": { "type": "array", "items": cidr },
            "is_ipv6": boolean(),
            "region": region,
            "created_at": time(),
            "updated_at": time(),
        })),
        "Source": object(&[], json!({
            "zonal": string(),
            "private_network_id": uuid(),
            "subnet_id": uuid(),
            "vpc_id": uuid(),
            "regional": boolean(),
        })),
        "Resource": object_all(json!({
            "type": enumeration(RESOURCE_TYPES),
            "id": uuid(),
            "mac_address": nullable(string()),
            "name": nullable(string()),
        })),
        "Reverse": object(&["hostname"], json!({
            "hostname": string(),
            "address": nullable(json!({ "type": "string", "pattern": "^[0-9a-fA-F:.]+$" })),
        })),
        "CustomResource": custom_resource,
        "IP": object_all(json!({
            "id": uuid(),
            "address": cidr,
            "project_id": uuid(),
            "is_ipv6": boolean(),
            "created_at": time(),
            "updated_at": time(),
            "source": schema_ref("Source"),
            "resource": nullable(schema_ref("Resource")),
            "tags": strings(),
            "reverses": { "type": "array", "items": schema_ref("Reverse") },
            "region": region,
            "zone": nullable(string()),
        })),
        "ListPopsResponse": list_of("pops", "Pop"),
        "ListPartnersResponse": list_of("partners", "Partner"),
        "ListDedicatedConnectionsResponse": list_of("connections", "DedicatedConnection"),
        "ListLinksResponse": list_of("links", "Link"),
        "ListRoutingPoliciesResponse": list_of("routing_policies", "RoutingPolicy"),
        "ListIPsResponse": list_of("ips", "IP"),
    })
}

/// Every served path and method; the router serves exactly these (see the tests).
fn operations() -> Vec<Operation> {
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

/// The `{name}` parameters of a path template, in order.
fn path_params(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split('}').next())
        .collect()
}

fn error_response(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": schema_ref(schema) } },
    })
}

/// The tag an operation is listed under.
fn tag(o: &Operation, public: bool) -> &'static str {
    if o.path.starts_with(crate::vpc::PREFIX) {
        match o.success {
            Success::NotImplemented => vpc::NOT_SERVED_TAG,
            _ => vpc::TAG,
        }
    } else if o.path.starts_with(IPAM) {
        "IPAM v1"
    } else if o.path.starts_with("/lb/") {
        "Load Balancer v1"
    } else if public {
        "meta"
    } else {
        "InterLink v1beta1"
    }
}

fn operation_json(o: &Operation) -> Value {
    let mut parameters: Vec<Value> = path_params(&o.path)
        .into_iter()
        .map(|name| {
            let schema = match name {
                "region" => enumeration(REGIONS),
                "zone" => enumeration(ZONES),
                _ => uuid(),
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect();
    parameters.extend(o.query.iter().cloned());
    let mut responses = Map::new();
    match &o.success {
        Success::Json(schema) => {
            responses.insert(
                "200".into(),
                json!({ "description": "OK", "content": { "application/json": { "schema": schema } } }),
            );
        }
        Success::NoContent => {
            responses.insert("204".into(), json!({ "description": "Done" }));
        }
        Success::NotImplemented => {
            let body = json!({ "schema": schema_ref("UnimplementedError") });
            responses.insert(
                "501".into(),
                json!({ "description": "unimplemented endpoint", "content": { "application/json": body } }),
            );
            responses.insert(
                "401".into(),
                error_response(
                    "denied_authentication: missing or unknown X-Auth-Token",
                    "Error",
                ),
            );
        }
    }
    let public = o.path == DOCUMENT_PATH;
    let lb = o.path.starts_with("/lb/");
    // The Load Balancer's 404 is `{"message": "lbs not Found"}`, without `type`.
    let error_schema = if lb { "LbError" } else { "Error" };
    let served = !matches!(o.success, Success::NotImplemented);
    if !public && served {
        for (code, what) in [
            ("400", "invalid_arguments"),
            (
                "401",
                "denied_authentication: missing or unknown X-Auth-Token",
            ),
            ("403", "permissions_denied or quotas_exceeded"),
            ("404", "not_found"),
            (
                "409",
                "conflict, transient_state, already_exists or out_of_stock",
            ),
            ("410", "resource_expired"),
            ("412", "precondition_failed"),
            ("423", "locked"),
        ] {
            responses.insert(code.into(), error_response(what, error_schema));
        }
    }
    let mut v = json!({
        "operationId": o.id,
        "summary": o.summary,
        "tags": [tag(o, public)],
        "parameters": parameters,
        "responses": responses,
    });
    if public {
        v["security"] = json!([]);
    }
    if let Some(body) = &o.body {
        let mut media = json!({ "schema": body });
        if let Some(example) = &o.example {
            media["example"] = example.clone();
        }
        v["requestBody"] = json!({ "required": false, "content": { "application/json": media } });
    }
    v
}

/// The operations that create what `{param}` names, for the OpenAPI links from their answer.
const CREATORS: &[(&str, &str)] = &[
    ("CreateLink", "link_id"),
    ("CreateRoutingPolicy", "routing_policy_id"),
    ("BookIP", "ip_id"),
    ("CreateVPC", "vpc_id"),
    ("CreatePrivateNetwork", "private_network_id"),
    ("VpcCreateRoute", "route_id"),
];

/// OpenAPI links from each creating operation's answer to the operations taking its `id`.
fn add_links(ops: &[Operation], paths: &mut Map<String, Value>) {
    for (creator, param) in CREATORS {
        let Some(c) = ops.iter().find(|o| o.id == *creator) else {
            continue;
        };
        let mut links = Map::new();
        // Only operations of the same API, which take the region too (not the admin calls).
        let takes = |o: &&Operation| {
            let params = path_params(&o.path);
            params.contains(param) && params.contains(&"region")
        };
        for o in ops.iter().filter(takes) {
            links.insert(
                o.id.to_string(),
                json!({
                    "operationId": o.id,
                    "parameters": {
                        "region": "$request.path.region",
                        (*param): "$response.body#/id",
                    },
                }),
            );
        }
        paths[&c.path][c.method]["responses"]["200"]["links"] = Value::Object(links);
    }
}

/// The document.
pub fn document() -> Value {
    let ops = operations();
    let mut paths = Map::new();
    for o in &ops {
        let entry = paths.entry(o.path.clone()).or_insert_with(|| json!({}));
        entry[o.method] = operation_json(o);
    }
    add_links(&ops, &mut paths);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "peerlab: Scaleway InterLink v1beta1, IPAM v1, VPC v2 and Load Balancer v1",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "What `peerlab serve` answers: Scaleway's InterLink, IPAM, VPC and Load \
                Balancer calls, with the official SDK's paths, parameters, bodies and error bodies.",
        },
        "servers": [{ "url": "/" }],
        "security": [{ "XAuthToken": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "XAuthToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Auth-Token",
                    "description": "A project token of the catalogue (the demo: 5ca1e000-0000-4000-8000-e00000000001).",
                },
            },
            "schemas": schemas(),
        },
    })
}

/// The `(method, path)` pairs of the document, sorted.
#[cfg(test)]
fn served() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = operations()
        .into_iter()
        .map(|o| (o.method.to_string(), o.path))
        .collect();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::App;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use http_body_util::BodyExt;
    use std::collections::BTreeSet;
    use tower::ServiceExt;

    /// The `(method, path)` pairs of `routes.rs`, read from its source: every `.route("…",
    /// get(…).post(…))`, under the prefix of the `nest` its router goes into.
    fn routes_in_source() -> BTreeSet<(String, String)> {
        let src = include_str!("routes.rs");
        let start = src.find("pub fn router(").expect("router()");
        let body = &src[start..];
        let end = body.find("\n}\n").expect("end of router()");
        let body = &body[..end];
        let mut out = BTreeSet::new();
        let top = body.rfind("Router::new()").expect("the top router");
        let blocks = [
            (body.find("let interlink").expect("interlink"), INTERLINK),
            (body.find("let ipam").expect("ipam"), IPAM),
            (top, ""),
        ];
        let mut found: Vec<(&str, &str)> = blocks
            .into_iter()
            .map(|(from, prefix)| {
                let block = &body[from..];
                (&block[..block.find(';').unwrap_or(block.len())], prefix)
            })
            .collect();
        // The Load Balancer's router (lb/mod.rs): `shared` routes under both prefixes, then each
        // API's own.
        let lb = include_str!("lb/mod.rs");
        let lb = &lb[lb.find("pub(crate) fn router(").expect("lb router()")..];
        let (shared, zoned, regional) = (
            lb.find("let shared").expect("shared"),
            lb.find("let zoned").expect("zoned"),
            lb.find("let regional").expect("regional"),
        );
        let end = lb.find("Router::new().nest").expect("the nests");
        for prefix in [crate::lb::ZONED, crate::lb::REGIONAL] {
            found.push((&lb[shared..zoned], prefix));
        }
        found.push((&lb[zoned..regional], crate::lb::ZONED));
        found.push((&lb[regional..end], crate::lb::REGIONAL));
        // The VPC router (vpc.rs): its `served` and `unserved` blocks, under its prefix.
        let vpc = include_str!("vpc.rs");
        let vpc = &vpc[vpc.find("pub(crate) fn router(").expect("vpc router()")..];
        for name in ["let served", "let unserved"] {
            let block = &vpc[vpc.find(name).expect("a VPC block")..];
            found.push((
                &block[..block.find(';').unwrap_or(block.len())],
                crate::vpc::PREFIX,
            ));
        }
        for (block, prefix) in found {
            for call in block.split(".route(").skip(1) {
                let path = call.split('"').nth(1).expect("a path literal");
                let rest = &call[call.find(',').expect("a method router")..];
                for method in ["get", "post", "patch", "delete", "put"] {
                    let bare = rest.contains(&format!(" {method}("))
                        || rest.contains(&format!("({method}("));
                    let chained = rest.contains(&format!(".{method}("));
                    if bare || chained {
                        out.insert((method.to_string(), format!("{prefix}{path}")));
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_route_of_the_router_is_documented_and_nothing_else() {
        let source = routes_in_source();
        let documented: BTreeSet<(String, String)> = served().into_iter().collect();
        assert!(source.len() >= 30, "{source:?}");
        assert_eq!(source, documented);
        let doc = document();
        for (method, path) in &documented {
            let o = &doc["paths"][path][method];
            assert!(o.is_object(), "{method} {path} not in the document");
            let declared: BTreeSet<&str> = o["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(declared, path_params(path).into_iter().collect(), "{path}");
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        for piece in text.split("\"#/components/schemas/").skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(doc["components"]["schemas"][name].is_object(), "{name}");
        }
    }

    #[tokio::test]
    async fn the_examples_work_against_the_demo_and_links_name_real_operations() {
        let app = crate::router(App::demo());
        let ops = operations();
        let ids: BTreeSet<&str> = ops.iter().map(|o| o.id).collect();
        assert_eq!(ids.len(), ops.len(), "operation ids are unique");
        let mut examples = 0;
        for o in &ops {
            let Some(example) = &o.example else { continue };
            examples += 1;
            let req = Request::builder()
                .method(Method::from_bytes(o.method.to_uppercase().as_bytes()).unwrap())
                .uri(concrete(&o.path))
                .header("x-auth-token", "5ca1e000-0000-4000-8000-e00000000001")
                .header("content-type", "application/json")
                .body(Body::from(example.to_string()))
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            let status = res.status();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(
                status,
                StatusCode::OK,
                "{}: {}",
                o.id,
                String::from_utf8_lossy(&bytes)
            );
        }
        assert_eq!(examples, CREATORS.len());
        let doc = document();
        for (creator, _) in CREATORS {
            let o = ops.iter().find(|o| o.id == *creator).unwrap();
            let links = doc["paths"][&o.path][o.method]["responses"]["200"]["links"]
                .as_object()
                .unwrap();
            assert!(!links.is_empty(), "{creator}");
            for link in links.values() {
                assert!(ids.contains(link["operationId"].as_str().unwrap()));
            }
        }
    }

    /// Fills a path template with values that parse.
    fn concrete(path: &str) -> String {
        let mut s = path.replace("{region}", "fr-par");
        for name in path_params(path) {
            s = s.replace(
                &format!("{{{name}}}"),
                "5ca1e000-0000-4000-8000-ffffffffffff",
            );
        }
        s
    }

    #[tokio::test]
    async fn the_router_serves_every_documented_route_and_the_document_without_a_token() {
        let app = crate::router(App::demo());
        for (method, path) in served() {
            let req = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
                .uri(concrete(&path))
                .body(Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            let expected = if path == DOCUMENT_PATH {
                StatusCode::OK
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(res.status(), expected, "{method} {path}");
        }
        let req = Request::get(DOCUMENT_PATH).body(Body::empty()).unwrap();
        let res = app.oneshot(req).await.unwrap();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let served: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(served, document());
        assert_eq!(served["openapi"], "3.0.3");
    }
}
