//! The OpenAPI 3 document of what the router serves, at `GET /openapi.json` (no token needed).
//!
//! Written by hand: [`operations`] is the one list of served paths and methods, each with its
//! parameters, body and answer; the tests check it against the router (`routes.rs`) both ways.
//! The schemas are the JSON shapes the provider types serialize to.

use axum::Json;
use serde_json::{Map, Value, json};

mod operations;
mod schemas;
#[cfg(test)]
mod tests;
mod vpc;

use operations::operations;
use schemas::schemas;

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
