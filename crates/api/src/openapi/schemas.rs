//! The schemas: the JSON shapes the provider types serialize to.

use super::*;

pub(super) fn schemas() -> Value {
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
