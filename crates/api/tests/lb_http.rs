//! The Load Balancer routes over in-memory HTTP: every endpoint of both APIs is served, and the
//! wire details the SDKs hide (nulls, 404 bodies, 204s, DELETE with a body, the zoned-only and
//! regional-only paths).

use api::App;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use provider::catalogue::demo;
use serde_json::{Value, json};
use tower::ServiceExt;

const DEMO: Option<&str> = Some(demo::DEMO_SECRET_KEY);
const OTHER: Option<&str> = Some(demo::OTHER_SECRET_KEY);
const Z: &str = "/lb/v1/zones/fr-par-1";
const R: &str = "/lb/v1/regions/fr-par";
const ID: &str = "5ca1e000-0000-4000-8000-ffffffffffff";

async fn call(
    app: &App,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        req = req.header("x-auth-token", t);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
    let res = api::router(app.clone())
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("JSON")
    };
    (status, json)
}

/// The (method, path) of every endpoint both APIs share (49), after the prefix.
const SHARED: [(&str, &str); 49] = [
    ("GET", "/lbs"),
    ("POST", "/lbs"),
    ("GET", "/lbs/{id}"),
    ("PUT", "/lbs/{id}"),
    ("DELETE", "/lbs/{id}"),
    ("POST", "/lbs/{id}/migrate"),
    ("GET", "/ips"),
    ("POST", "/ips"),
    ("GET", "/ips/{id}"),
    ("DELETE", "/ips/{id}"),
    ("PATCH", "/ips/{id}"),
    ("GET", "/lbs/{id}/backends"),
    ("POST", "/lbs/{id}/backends"),
    ("GET", "/backends/{id}"),
    ("PUT", "/backends/{id}"),
    ("DELETE", "/backends/{id}"),
    ("POST", "/backends/{id}/servers"),
    ("DELETE", "/backends/{id}/servers"),
    ("PUT", "/backends/{id}/servers"),
    ("PUT", "/backends/{id}/healthcheck"),
    ("GET", "/lbs/{id}/frontends"),
    ("POST", "/lbs/{id}/frontends"),
    ("GET", "/frontends/{id}"),
    ("PUT", "/frontends/{id}"),
    ("DELETE", "/frontends/{id}"),
    ("GET", "/routes"),
    ("POST", "/routes"),
    ("GET", "/routes/{id}"),
    ("PUT", "/routes/{id}"),
    ("DELETE", "/routes/{id}"),
    ("GET", "/lbs/{id}/stats"),
    ("GET", "/lbs/{id}/backend-stats"),
    ("GET", "/frontends/{id}/acls"),
    ("POST", "/frontends/{id}/acls"),
    ("GET", "/acls/{id}"),
    ("PUT", "/acls/{id}"),
    ("DELETE", "/acls/{id}"),
    ("POST", "/lbs/{id}/certificates"),
    ("GET", "/lbs/{id}/certificates"),
    ("GET", "/certificates/{id}"),
    ("PUT", "/certificates/{id}"),
    ("DELETE", "/certificates/{id}"),
    ("GET", "/lb-types"),
    ("POST", "/subscribers"),
    ("GET", "/subscribers/{id}"),
    ("GET", "/subscribers"),
    ("PUT", "/subscribers/{id}"),
    ("POST", "/lb/{id}/subscribe"),
    ("DELETE", "/lb/{id}/unsubscribe"),
];

/// The zoned API's own (5): 49 + 5 = 54 endpoints.
const ZONED_ONLY: [(&str, &str); 5] = [
    ("PUT", "/frontends/{id}/acls"),
    ("DELETE", "/lb/subscription/{id}"),
    ("GET", "/lbs/{id}/private-networks"),
    ("POST", "/lbs/{id}/attach-private-network"),
    ("POST", "/lbs/{id}/detach-private-network"),
];

/// The regional API's own (4): 49 + 4 = 53 endpoints.
const REGIONAL_ONLY: [(&str, &str); 4] = [
    ("DELETE", "/lb/subscriber/{id}"),
    ("GET", "/lbs/{id}/private-networks"),
    ("POST", "/lbs/{id}/private-networks/{id}/attach"),
    ("POST", "/lbs/{id}/private-networks/{id}/detach"),
];

#[tokio::test]
async fn every_endpoint_of_both_apis_is_served_and_needs_a_token() {
    let app = App::demo();
    let zoned = SHARED.iter().chain(ZONED_ONLY.iter()).map(|e| (Z, e));
    let regional = SHARED.iter().chain(REGIONAL_ONLY.iter()).map(|e| (R, e));
    let all: Vec<_> = zoned.chain(regional).collect();
    assert_eq!(all.len(), 54 + 53);
    for (prefix, (method, path)) in all {
        let path = format!("{prefix}{}", path.replace("{id}", ID));
        let (status, body) = call(&app, method, &path, None, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}: {body}");
    }
    // Not served: set_acls on the regional API, the other API's subscriber deletion.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("{R}/frontends/{ID}/acls"),
        DEMO,
        Some(json!({"acls": []})),
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("{R}/lb/subscription/{ID}"),
        DEMO,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_wire_keeps_the_recorded_nulls_units_and_bodies() {
    let app = App::demo();
    let (s, lb) = call(
        &app,
        "POST",
        &format!("{Z}/lbs"),
        DEMO,
        Some(json!({"type": "LB-S", "description": ""})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{lb}");
    assert_eq!(lb["status"], "to_create");
    assert_eq!(lb["subscriber"], Value::Null);
    let lb_id = lb["id"].as_str().unwrap().to_string();
    let backend = json!({
        "forward_protocol": "http", "forward_port": 80, "forward_port_algorithm": "roundrobin",
        "sticky_sessions": "none", "sticky_sessions_cookie_name": "",
        "health_check": {"port": 80, "check_max_retries": 2, "check_send_proxy": false,
                         "check_delay": 60000, "check_timeout": 30000, "transient_check_delay": "0.500000000s"},
        "server_ip": [], "timeout_queue": "0.000000000s", "timeout_server": 300000,
    });
    let (s, b) = call(
        &app,
        "POST",
        &format!("{Z}/lbs/{lb_id}/backends"),
        DEMO,
        Some(backend),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["health_check"]["transient_check_delay"], "0.500s");
    assert_eq!(b["health_check"]["tcp_config"], json!({}));
    assert_eq!(b["timeout_queue"], "0s");
    for null in [
        "max_connections",
        "redispatch_attempt_count",
        "ignore_ssl_server_verify",
        "failover_host",
    ] {
        assert_eq!(b[null], Value::Null, "{null}");
    }
    let backend_id = b["id"].as_str().unwrap().to_string();
    let front = json!({"inbound_port": 80, "backend_id": backend_id, "enable_http3": false,
                       "enable_access_logs": false, "connection_rate_limit": 0});
    let (s, f) = call(
        &app,
        "POST",
        &format!("{R}/lbs/{lb_id}/frontends"),
        DEMO,
        Some(front),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{f}");
    assert_eq!(f["connection_rate_limit"], Value::Null);
    assert_eq!(f["timeout_client"], Value::Null);
    assert_eq!(f["certificate"], Value::Null);
    // DELETE with a body.
    let (s, b) = call(
        &app,
        "POST",
        &format!("{Z}/backends/{backend_id}/servers"),
        DEMO,
        Some(json!({"server_ip": ["10.0.0.1", "10.0.0.2"]})),
    )
    .await;
    assert_eq!(
        (s, b["pool"].clone()),
        (StatusCode::OK, json!(["10.0.0.1", "10.0.0.2"]))
    );
    let (s, b) = call(
        &app,
        "DELETE",
        &format!("{Z}/backends/{backend_id}/servers"),
        DEMO,
        Some(json!({"server_ip": ["10.0.0.1"]})),
    )
    .await;
    assert_eq!(
        (s, b["pool"].clone()),
        (StatusCode::OK, json!(["10.0.0.2"]))
    );
    // Unknown enum values are invalid_arguments naming the field.
    let (s, e) = call(
        &app,
        "PUT",
        &format!("{Z}/backends/{backend_id}"),
        DEMO,
        Some(json!({"forward_protocol": "udp"})),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["type"], "invalid_arguments");
    assert_eq!(e["details"][0]["argument_name"], "forward_protocol");
    let (s, e) = call(
        &app,
        "GET",
        &format!("{Z}/lbs?order_by=sideways"),
        DEMO,
        None,
    )
    .await;
    assert_eq!(
        (s, e["details"][0]["argument_name"].clone()),
        (StatusCode::BAD_REQUEST, json!("order_by"))
    );
    // Another project: the service's own 404 body.
    let (s, e) = call(&app, "GET", &format!("{Z}/lbs/{lb_id}"), OTHER, None).await;
    assert_eq!(
        (s, e),
        (StatusCode::NOT_FOUND, json!({"message": "lbs not Found"}))
    );
    let (s, e) = call(
        &app,
        "GET",
        &format!("{R}/backends/{backend_id}"),
        OTHER,
        None,
    )
    .await;
    assert_eq!(
        (s, e),
        (
            StatusCode::NOT_FOUND,
            json!({"message": "backend not Found"})
        )
    );
    // Deletions answer 204 with no body.
    let (s, body) = call(
        &app,
        "DELETE",
        &format!("{Z}/lbs/{lb_id}?release_ip=true"),
        DEMO,
        None,
    )
    .await;
    assert_eq!((s, body), (StatusCode::NO_CONTENT, Value::Null));
}

#[tokio::test]
async fn private_networks_in_the_body_or_in_the_path() {
    let app = App::demo();
    let (_, lb) = call(
        &app,
        "POST",
        &format!("{Z}/lbs"),
        DEMO,
        Some(json!({"type": "lb-s", "description": "", "assign_flexible_ip": false})),
    )
    .await;
    let lb_id = lb["id"].as_str().unwrap().to_string();
    let pn = demo::PRIVATE_NETWORK_ID.to_string();
    let (s, e) = call(
        &app,
        "POST",
        &format!("{Z}/lbs/{lb_id}/attach-private-network"),
        DEMO,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (s, e["details"][0]["argument_name"].clone()),
        (StatusCode::BAD_REQUEST, json!("private_network_id"))
    );
    let (s, a) = call(
        &app,
        "POST",
        &format!("{Z}/lbs/{lb_id}/attach-private-network"),
        DEMO,
        Some(json!({"private_network_id": pn})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["dhcp_config"], json!({"ip_id": null}));
    let (s, _) = call(
        &app,
        "POST",
        &format!("{R}/lbs/{lb_id}/private-networks/{pn}/detach"),
        DEMO,
        Some(json!({})),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // The Go SDK's zoned form (terraform) is served too.
    let (s, a) = call(
        &app,
        "POST",
        &format!("{Z}/lbs/{lb_id}/private-networks/{pn}/attach"),
        DEMO,
        Some(json!({"static_config": {"ip_address": ["172.16.3.3"]}})),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "still detaching: {a}");
    let (s, ips) = call(
        &app,
        "GET",
        &format!("/ipam/v1/regions/fr-par/ips?resource_type=lb_server&resource_id={lb_id}"),
        DEMO,
        None,
    )
    .await;
    assert_eq!((s, ips["total_count"].clone()), (StatusCode::OK, json!(0)));
}
