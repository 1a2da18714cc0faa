//! The JSON of every resource against what the official Python SDK (`scaleway` 2.12) unmarshals:
//! the key sets are exactly the fields its `unmarshal_*` functions read, samples shaped like the
//! API's answers round-trip, and the bodies its `marshal_*` functions send deserialize into our
//! request types.

use chrono::{TimeZone, Utc};
use provider::catalogue::demo;
use provider::interlink::*;
use provider::ipam::types::*;
use provider::{Caller, Region};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Field lists copied from `scaleway/interlink/v1beta1/marshalling.py` and
/// `scaleway/ipam/v1/marshalling.py`.
const LINK: &[&str] = &[
    "id",
    "project_id",
    "organization_id",
    "name",
    "tags",
    "pop_id",
    "bandwidth_mbps",
    "status",
    "bgp_v4_status",
    "bgp_v6_status",
    "enable_route_propagation",
    "vlan",
    "region",
    "vpc_id",
    "routing_policy_id",
    "created_at",
    "updated_at",
    "partner",
    "self",
    "scw_bgp_config",
    "peer_bgp_config",
    "routing_policy_v4_id",
    "routing_policy_v6_id",
];
const BGP_CONFIG: &[&str] = &["asn", "ipv4", "ipv6"];
const PARTNER_HOST: &[&str] = &[
    "partner_id",
    "pairing_key",
    "l3_connectivity",
    "disapproved_reason",
];
const SELF_HOST: &[&str] = &["connection_id"];
const DEDICATED_CONNECTION: &[&str] = &[
    "id",
    "project_id",
    "organization_id",
    "status",
    "name",
    "tags",
    "pop_id",
    "bandwidth_mbps",
    "available_link_bandwidths",
    "region",
    "created_at",
    "updated_at",
    "demarcation_info",
    "vlan_range",
];
const RANGE: &[&str] = &["start", "end"];
const PARTNER: &[&str] = &[
    "id",
    "name",
    "contact_email",
    "logo_url",
    "portal_url",
    "l3_connectivity",
    "region",
    "created_at",
    "updated_at",
];
const POP: &[&str] = &[
    "id",
    "name",
    "hosting_provider_name",
    "address",
    "city",
    "logo_url",
    "available_link_bandwidths_mbps",
    "display_name",
    "region",
];
const ROUTING_POLICY: &[&str] = &[
    "id",
    "project_id",
    "organization_id",
    "name",
    "tags",
    "prefix_filter_in",
    "prefix_filter_out",
    "is_ipv6",
    "region",
    "created_at",
    "updated_at",
];
const IP: &[&str] = &[
    "id",
    "address",
    "project_id",
    "is_ipv6",
    "tags",
    "reverses",
    "region",
    "created_at",
    "updated_at",
    "source",
    "resource",
    "zone",
];
const RESOURCE: &[&str] = &["type", "id", "mac_address", "name"];
const SOURCE: &[&str] = &[
    "zonal",
    "private_network_id",
    "subnet_id",
    "vpc_id",
    "regional",
];

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(fields: &[&str]) -> BTreeSet<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

fn roundtrip<T: Serialize + DeserializeOwned>(sample: Value) -> Value {
    let parsed: T = serde_json::from_value(sample.clone()).expect("the SDK-shaped sample parses");
    let back = serde_json::to_value(&parsed).unwrap();
    assert_eq!(back, sample, "round trip changes nothing");
    back
}

fn me() -> Caller {
    Caller::new(demo::DEMO_PROJECT_ID, demo::DEMO_ORGANIZATION_ID)
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
}

#[test]
fn link_json_has_exactly_the_sdk_fields() {
    let mut s = InterLink::demo(now());
    let (self_hosted, _) = s
        .create_link(
            Region::FrPar,
            &me(),
            serde_json::from_value(json!({
                "name": "prod", "pop_id": demo::POP_DC2_ID, "bandwidth_mbps": 1000,
                "project_id": null, "tags": ["a"], "connection_id": demo::CONNECTION_DC2_ID,
                "peer_asn": 64512, "vlan": 2001,
            }))
            .unwrap(),
            now(),
        )
        .unwrap();
    let v = serde_json::to_value(&self_hosted).unwrap();
    assert_eq!(keys(&v), set(LINK));
    assert_eq!(keys(&v["scw_bgp_config"]), set(BGP_CONFIG));
    assert_eq!(keys(&v["self"]), set(SELF_HOST));
    assert_eq!(v["partner"], Value::Null);
    assert_eq!(v["status"], "ready");
    assert_eq!(v["bgp_v4_status"], "disabled");
    assert_eq!(v["region"], "fr-par");
    assert_eq!(v["created_at"], "2025-06-01T12:00:00Z");
    assert_eq!(
        v["scw_bgp_config"],
        json!({"asn": 12876, "ipv4": "169.254.0.0/31", "ipv6": "fd12:876::/127"})
    );

    let (hosted, _) = s
        .create_link(
            Region::FrPar,
            &me(),
            serde_json::from_value(json!({
                "name": "h", "pop_id": demo::POP_TH2_ID, "bandwidth_mbps": 100,
                "partner_id": demo::PARTNER_CARRIER_ID,
            }))
            .unwrap(),
            now(),
        )
        .unwrap();
    let v = serde_json::to_value(&hosted).unwrap();
    assert_eq!(keys(&v["partner"]), set(PARTNER_HOST));
    assert_eq!(v["self"], Value::Null);
    assert_eq!(v["status"], "requested");
}

#[test]
fn link_sample_round_trips() {
    let sample = json!({
        "id": "0f6a9a2e-1d1c-4a8f-9a53-6a0b7d1e2f30",
        "project_id": "5ca1e000-0000-4000-8000-000000000002",
        "organization_id": "5ca1e000-0000-4000-8000-000000000001",
        "name": "prod", "tags": ["a", "b"],
        "pop_id": "5ca1e000-0000-4000-8000-a00000000001",
        "bandwidth_mbps": 1000,
        "status": "limited_connectivity",
        "bgp_v4_status": "up", "bgp_v6_status": "down",
        "enable_route_propagation": true,
        "vlan": 2001,
        "region": "fr-par",
        "vpc_id": "5ca1e000-0000-4000-8000-d00000000001",
        "routing_policy_id": "6b1e1c5a-36a8-4b3e-8a77-1b2c3d4e5f60",
        "created_at": "2025-06-01T12:00:00Z",
        "updated_at": "2025-06-01T12:00:05.250Z",
        "partner": null,
        "self": {"connection_id": "5ca1e000-0000-4000-8000-c00000000001"},
        "scw_bgp_config": {"asn": 12876, "ipv4": "169.254.0.0/31", "ipv6": "fd12:876::/127"},
        "peer_bgp_config": {"asn": 64512, "ipv4": "169.254.0.1/31", "ipv6": "fd12:876::1/127"},
        "routing_policy_v4_id": "6b1e1c5a-36a8-4b3e-8a77-1b2c3d4e5f60",
        "routing_policy_v6_id": "7c2f2d6b-47b9-4c4f-9b88-2c3d4e5f6071",
    });
    roundtrip::<Link>(sample);
    let hosted = json!({
        "partner_id": "5ca1e000-0000-4000-8000-b00000000002",
        "pairing_key": "b4c0ffee-0000-4000-8000-000000000001",
        "l3_connectivity": true,
        "disapproved_reason": "no port left",
    });
    roundtrip::<PartnerHost>(hosted);
}

#[test]
fn catalogue_resources_have_exactly_the_sdk_fields() {
    let s = InterLink::demo(now());
    let r = Region::FrPar;
    let conns = serde_json::to_value(
        s.list_dedicated_connections(r, &me(), &Default::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(keys(&conns), set(&["connections", "total_count"]));
    assert_eq!(keys(&conns["connections"][0]), set(DEDICATED_CONNECTION));
    assert_eq!(keys(&conns["connections"][0]["vlan_range"]), set(RANGE));
    assert_eq!(conns["connections"][0]["status"], "active");
    let partners = serde_json::to_value(s.list_partners(r, &Default::default()).unwrap()).unwrap();
    assert_eq!(keys(&partners), set(&["partners", "total_count"]));
    assert_eq!(keys(&partners["partners"][0]), set(PARTNER));
    let pops = serde_json::to_value(s.list_pops(r, &me(), &Default::default()).unwrap()).unwrap();
    assert_eq!(keys(&pops), set(&["pops", "total_count"]));
    assert_eq!(keys(&pops["pops"][0]), set(POP));
    let links = serde_json::to_value(s.list_links(r, &me(), &Default::default()).unwrap()).unwrap();
    assert_eq!(keys(&links), set(&["links", "total_count"]));
    assert_eq!(links["total_count"], 0);
    roundtrip::<DedicatedConnection>(conns["connections"][0].clone());
    roundtrip::<Partner>(partners["partners"][0].clone());
    roundtrip::<Pop>(pops["pops"][0].clone());
}

#[test]
fn routing_policy_json_and_bodies() {
    let mut s = InterLink::demo(now());
    // What marshal_CreateRoutingPolicyRequest sends.
    let body = json!({
        "name": "v4", "is_ipv6": false, "project_id": demo::DEMO_PROJECT_ID,
        "tags": [], "prefix_filter_in": ["10.0.0.0/8"], "prefix_filter_out": [],
    });
    let p = s
        .create_routing_policy(
            Region::FrPar,
            &me(),
            serde_json::from_value(body).unwrap(),
            now(),
        )
        .unwrap();
    let v = serde_json::to_value(&p).unwrap();
    assert_eq!(keys(&v), set(ROUTING_POLICY));
    roundtrip::<RoutingPolicy>(v);
    let list = serde_json::to_value(
        s.list_routing_policies(Region::FrPar, &me(), &Default::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(keys(&list), set(&["routing_policies", "total_count"]));
    // marshal_UpdateRoutingPolicyRequest / marshal_UpdateLinkRequest send only what is set.
    let up: UpdateRoutingPolicyRequest =
        serde_json::from_value(json!({"prefix_filter_out": ["192.0.2.0/24"]})).unwrap();
    assert_eq!(up.name, None);
    let up: UpdateLinkRequest =
        serde_json::from_value(json!({"name": "n", "tags": ["x"], "peer_asn": 65000})).unwrap();
    assert_eq!(up.peer_asn, Some(65000));
    let attach: AttachRoutingPolicyRequest =
        serde_json::from_value(json!({"routing_policy_id": p.id})).unwrap();
    assert_eq!(attach.routing_policy_id, p.id);
    let vpc: AttachVpcRequest = serde_json::from_value(json!({"vpc_id": demo::VPC_ID})).unwrap();
    assert_eq!(vpc.vpc_id, demo::VPC_ID);
}

#[test]
fn list_queries_deserialize_from_sdk_values() {
    let q: ListLinksRequest = serde_json::from_value(json!({
        "order_by": "status_desc", "page": 2, "page_size": 10, "status": "all_down",
        "bgp_v4_status": "unknown_bgp_status", "kind": "l3_hosted", "tags": ["a", "b"],
    }))
    .unwrap();
    assert_eq!(q.order_by, Some(ListLinksOrderBy::StatusDesc));
    assert_eq!(q.kind, Some(LinkKind::L3Hosted));
    for (json, want) in [
        (
            "created_at_asc",
            ListDedicatedConnectionsOrderBy::CreatedAtAsc,
        ),
        (
            "updated_at_desc",
            ListDedicatedConnectionsOrderBy::UpdatedAtDesc,
        ),
        ("status_asc", ListDedicatedConnectionsOrderBy::StatusAsc),
    ] {
        assert_eq!(
            serde_json::from_value::<ListDedicatedConnectionsOrderBy>(json!(json)).unwrap(),
            want
        );
    }
    let ips: ListIpsRequest = serde_json::from_value(json!({
        "order_by": "mac_address_desc", "resource_type": "bgp_endpoint",
        "resource_types": ["custom", "instance_server"], "attached": true,
    }))
    .unwrap();
    assert_eq!(ips.order_by, Some(ListIpsOrderBy::MacAddressDesc));
    assert!(serde_json::from_value::<ListLinksRequest>(json!({"order_by": "bogus"})).is_err());
}

#[test]
fn every_enum_value_of_the_sdk_is_spelled_the_same() {
    let link_status = [
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
    for s in link_status {
        let v: LinkStatus = serde_json::from_value(json!(s)).unwrap();
        assert_eq!(v.as_str(), s);
    }
    for s in ["unknown_bgp_status", "up", "down", "disabled"] {
        assert_eq!(
            serde_json::to_value(serde_json::from_value::<BgpStatus>(json!(s)).unwrap()).unwrap(),
            s
        );
    }
    for s in [
        "unknown_status",
        "created",
        "configuring",
        "failed",
        "active",
        "disabled",
        "deleted",
        "locked",
    ] {
        serde_json::from_value::<DedicatedConnectionStatus>(json!(s)).unwrap();
    }
    for s in ["hosted", "self_hosted", "l2_hosted", "l3_hosted"] {
        serde_json::from_value::<LinkKind>(json!(s)).unwrap();
    }
    for s in [
        "created_at_asc",
        "created_at_desc",
        "name_asc",
        "name_desc",
        "status_asc",
        "status_desc",
    ] {
        serde_json::from_value::<ListLinksOrderBy>(json!(s)).unwrap();
    }
    for s in ["name_asc", "name_desc"] {
        serde_json::from_value::<ListPopsOrderBy>(json!(s)).unwrap();
        serde_json::from_value::<ListPartnersOrderBy>(json!(s)).unwrap();
    }
    for s in ["created_at_asc", "created_at_desc", "name_asc", "name_desc"] {
        serde_json::from_value::<ListRoutingPoliciesOrderBy>(json!(s)).unwrap();
    }
    for s in [
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
    ] {
        serde_json::from_value::<ListIpsOrderBy>(json!(s)).unwrap();
    }
    let resource_types = [
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
    for s in resource_types {
        let v: ResourceType = serde_json::from_value(json!(s)).unwrap();
        assert_eq!(serde_json::to_value(v).unwrap(), s);
    }
}

#[test]
fn ip_json_has_exactly_the_sdk_fields_and_book_bodies_parse() {
    let mut s = InterLink::demo(now());
    // What marshal_BookIPRequest sends.
    let body = json!({
        "source": {"private_network_id": demo::PRIVATE_NETWORK_ID},
        "is_ipv6": false, "project_id": demo::DEMO_PROJECT_ID, "tags": ["t"],
        "resource": {"mac_address": "02:00:00:00:00:01", "name": "vm"},
    });
    let ip = s
        .ipam_mut()
        .book_ip(
            Region::FrPar,
            &me(),
            serde_json::from_value(body).unwrap(),
            now(),
        )
        .unwrap();
    let v = serde_json::to_value(&ip).unwrap();
    assert_eq!(keys(&v), set(IP));
    assert_eq!(keys(&v["resource"]), set(RESOURCE));
    assert!(keys(&v["source"]).is_subset(&set(SOURCE)));
    assert_eq!(v["resource"]["type"], "custom");
    assert_eq!(v["address"], "172.16.0.2/22");
    assert_eq!(v["zone"], Value::Null);
    roundtrip::<Ip>(v);
    let list = serde_json::to_value(
        s.ipam()
            .list_ips(Region::FrPar, &me(), &Default::default())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(keys(&list), set(&["total_count", "ips"]));
    // The other bodies.
    let mv: MoveIpRequest = serde_json::from_value(json!({
        "from_resource": {"mac_address": "02:00:00:00:00:01"},
        "to_resource": {"mac_address": "02:00:00:00:00:02", "name": "vm2"},
    }))
    .unwrap();
    assert_eq!(mv.to_resource.unwrap().name.as_deref(), Some("vm2"));
    let up: UpdateIpRequest = serde_json::from_value(json!({
        "tags": [], "reverses": [{"hostname": "vm.example", "address": "172.16.0.2"}],
    }))
    .unwrap();
    assert_eq!(up.reverses.unwrap().len(), 1);
    let set_body: ReleaseIpSetRequest = serde_json::from_value(json!({"ip_ids": [ip.id]})).unwrap();
    assert_eq!(set_body.ip_ids, vec![ip.id]);
}
