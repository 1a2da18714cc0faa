//! The VPC API over in-memory HTTP requests: statuses and bodies as the live API sends them,
//! the `501 unimplemented endpoint` of the calls not served, and a VPC made here being one the
//! InterLink and IPAM APIs use.

use api::App;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use provider::catalogue::demo;
use serde_json::{Value, json};
use tower::ServiceExt;

const VPC: &str = "/vpc/v2/regions/fr-par";
const DEMO: Option<&str> = Some(demo::DEMO_SECRET_KEY);
const OTHER: Option<&str> = Some(demo::OTHER_SECRET_KEY);

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
        serde_json::from_slice(&bytes).expect("every answer is JSON")
    };
    (status, json)
}

#[tokio::test]
async fn a_vpc_made_here_is_one_links_and_ipam_use() {
    let app = App::demo();
    let (s, vpc) = call(
        &app,
        "POST",
        &format!("{VPC}/vpcs"),
        DEMO,
        Some(json!({"name": "tf-test-interlink-vpc", "enable_routing": false, "tags": []})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{vpc}");
    assert_eq!(vpc["routing_enabled"], true);
    let vpc_id = vpc["id"].as_str().unwrap().to_string();
    let (s, pn) = call(
        &app,
        "POST",
        &format!("{VPC}/private-networks"),
        DEMO,
        Some(json!({"name": "app", "vpc_id": vpc_id, "subnets": ["10.42.0.0/24"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{pn}");
    let pn_id = pn["id"].as_str().unwrap().to_string();
    // A link attaches to it.
    let (s, link) = call(
        &app,
        "POST",
        "/interlink/v1beta1/regions/fr-par/links",
        DEMO,
        Some(json!({
            "name": "l", "pop_id": demo::POP_DC2_ID, "bandwidth_mbps": 1000,
            "connection_id": demo::CONNECTION_DC2_ID, "vlan": 1800,
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    let link_id = link["id"].as_str().unwrap();
    let attach = format!("/interlink/v1beta1/regions/fr-par/links/{link_id}/attach-vpc");
    let (s, link) = call(&app, "POST", &attach, DEMO, Some(json!({"vpc_id": vpc_id}))).await;
    assert_eq!(
        (s, link["vpc_id"].as_str()),
        (StatusCode::OK, Some(vpc_id.as_str()))
    );
    // IPAM hands out its addresses.
    let (s, ip) = call(
        &app,
        "POST",
        "/ipam/v1/regions/fr-par/ips",
        DEMO,
        Some(json!({"source": {"private_network_id": pn_id}})),
    )
    .await;
    assert_eq!(
        (s, ip["address"].as_str()),
        (StatusCode::OK, Some("10.42.0.2/24"))
    );
    // Neither may go while in use: 412 with the live API's words.
    let (s, b) = call(
        &app,
        "DELETE",
        &format!("{VPC}/private-networks/{pn_id}"),
        DEMO,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        b["help_message"],
        "Private Network must be empty to be deleted"
    );
    assert_eq!(b["precondition"], "resource_still_in_use");
    let (s, b) = call(&app, "DELETE", &format!("{VPC}/vpcs/{vpc_id}"), DEMO, None).await;
    assert_eq!(
        (s, b["type"].as_str()),
        (StatusCode::PRECONDITION_FAILED, Some("precondition_failed"))
    );
    // Emptied, they go with 204, and are 404 after.
    let ip_id = ip["id"].as_str().unwrap();
    let (s, _) = call(
        &app,
        "DELETE",
        &format!("/ipam/v1/regions/fr-par/ips/{ip_id}"),
        DEMO,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = call(
        &app,
        "DELETE",
        &format!("{VPC}/private-networks/{pn_id}"),
        DEMO,
        None,
    )
    .await;
    assert_eq!((s, b), (StatusCode::NO_CONTENT, Value::Null));
    let detach = format!("/interlink/v1beta1/regions/fr-par/links/{link_id}/detach-vpc");
    assert_eq!(
        call(&app, "POST", &detach, DEMO, None).await.0,
        StatusCode::OK
    );
    let (s, _) = call(&app, "DELETE", &format!("{VPC}/vpcs/{vpc_id}"), DEMO, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = call(&app, "GET", &format!("{VPC}/vpcs/{vpc_id}"), DEMO, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        b,
        json!({"message": "resource is not found", "resource": "vpc", "resource_id": vpc_id, "type": "not_found"})
    );
}

#[tokio::test]
async fn calls_not_served_answer_the_live_apis_501() {
    let app = App::demo();
    let pn = demo::PRIVATE_NETWORK_ID;
    for (method, path) in [
        ("POST", format!("{VPC}/private-networks/{pn}/subnets")),
        ("DELETE", format!("{VPC}/private-networks/{pn}/subnets")),
        ("PUT", format!("{VPC}/vpcs/{}/acl-rules", demo::VPC_ID)),
        ("GET", format!("{VPC}/vpc-connectors")),
        ("POST", format!("{VPC}/ingress-rules")),
        (
            "POST",
            format!(
                "{VPC}/object-storage-private-access/{}/enable",
                demo::VPC_ID
            ),
        ),
        (
            "POST",
            format!("{VPC}/s3-integration/{}/enable", demo::VPC_ID),
        ),
    ] {
        let body = Some(json!({"subnets": ["10.9.0.0/24"]}));
        let (s, b) = call(&app, method, &path, DEMO, body.clone()).await;
        assert_eq!(s, StatusCode::NOT_IMPLEMENTED, "{method} {path}");
        assert_eq!(
            b,
            json!({"message": "unimplemented endpoint"}),
            "{method} {path}"
        );
        let (s, _) = call(&app, method, &path, None, body).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    // An unknown VPC path is still the router's 404.
    let (s, _) = call(&app, "GET", &format!("{VPC}/nothing-here"), DEMO, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn routes_and_their_404() {
    let app = App::demo();
    let (s, r) = call(
        &app,
        "POST",
        &format!("{VPC}/routes"),
        DEMO,
        Some(json!({
            "description": "", "tags": ["t"], "vpc_id": demo::VPC_ID,
            "destination": "192.168.42.0/24", "nexthop_private_network_id": demo::PRIVATE_NETWORK_ID,
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        (r["description"].as_str(), r["type"].as_str()),
        (Some("Custom route"), Some("custom"))
    );
    let id = r["id"].as_str().unwrap();
    let (s, list) = call(
        &app,
        "GET",
        &format!("{VPC}/routes-with-nexthop?vpc_id={}&nexthop_resource_type=unknown_type&order_by=created_at_asc", demo::VPC_ID),
        DEMO,
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    // Two managed subnet routes of the demo network, then the custom one.
    assert_eq!(list["total_count"], 3);
    assert_eq!(list["routes"][0]["route"]["id"], "");
    assert_eq!(list["routes"][2]["route"]["id"], id);
    let (s, b) = call(&app, "GET", &format!("{VPC}/routes/{id}"), OTHER, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        b,
        json!({"message": "resource is not found", "resource": "unknown", "resource_id": "", "type": "not_found"})
    );
    let (s, _) = call(&app, "DELETE", &format!("{VPC}/routes/{id}"), DEMO, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = call(&app, "GET", &format!("{VPC}/routes/{id}"), DEMO, None).await;
    assert_eq!(
        (s, b["resource"].as_str()),
        (StatusCode::NOT_FOUND, Some("unknown"))
    );
    let (s, b) = call(&app, "GET", &format!("{VPC}/routes/not-a-uuid"), DEMO, None).await;
    assert_eq!(
        (s, b["details"][0]["argument_name"].as_str()),
        (StatusCode::BAD_REQUEST, Some("route_id"))
    );
}
