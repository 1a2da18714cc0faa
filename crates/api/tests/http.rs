//! The router answered over in-memory HTTP requests, as the SDK sends them.

use api::App;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use provider::catalogue::demo;
use serde_json::{Value, json};
use tower::ServiceExt;

const BASE: &str = "/interlink/v1beta1/regions/fr-par";

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

const DEMO: Option<&str> = Some(demo::DEMO_SECRET_KEY);

#[tokio::test]
async fn auth_is_required() {
    let app = App::demo();
    let (s, b) = call(&app, "GET", &format!("{BASE}/pops"), None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b["type"], "denied_authentication");
    let (s, _) = call(&app, "GET", &format!("{BASE}/pops"), Some("nope"), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, b) = call(&app, "GET", &format!("{BASE}/pops"), DEMO, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["total_count"], 2);
}

#[tokio::test]
async fn malformed_requests_are_invalid_arguments() {
    let app = App::demo();
    for (method, path, body) in [
        ("GET", format!("{BASE}/links/not-a-uuid"), None),
        ("GET", format!("{BASE}/links?pop_id=zz"), None),
        ("GET", format!("{BASE}/links?page=-1"), None),
        (
            "GET",
            "/interlink/v1beta1/regions/xx-yyy/pops".to_string(),
            None,
        ),
        (
            "POST",
            format!("{BASE}/routing-policies"),
            Some(json!({"name": "p", "prefix_filter_in": ["not a cidr"]})),
        ),
        (
            "POST",
            format!("{BASE}/links"),
            Some(json!("just a string")),
        ),
    ] {
        let (s, b) = call(&app, method, &path, DEMO, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}: {b}");
        assert_eq!(b["type"], "invalid_arguments", "{path}: {b}");
        assert!(b["details"][0]["argument_name"].is_string(), "{path}: {b}");
    }
    let (s, b) = call(&app, "GET", "/nowhere", DEMO, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["type"], "not_found");
    let (s, b) = call(&app, "PUT", &format!("{BASE}/pops"), DEMO, None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert!(b["message"].is_string());
}

#[tokio::test]
async fn link_lifecycle_and_isolation() {
    let app = App::demo();
    let (s, link) = call(
        &app,
        "POST",
        &format!("{BASE}/links"),
        DEMO,
        Some(json!({
            "name": "l1",
            "pop_id": demo::POP_DC2_ID,
            "bandwidth_mbps": 1000,
            "connection_id": demo::CONNECTION_DC2_ID,
            "vlan": 2001,
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    let id = link["id"].as_str().unwrap().to_string();
    let path = format!("{BASE}/links/{id}");
    let (s, _) = call(&app, "GET", &path, Some(demo::OTHER_SECRET_KEY), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, b) = call(&app, "DELETE", &path, DEMO, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "deleted");
    let (s, b) = call(&app, "GET", &path, DEMO, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(b["resource"], "link");
    assert_eq!(b["resource_id"], id);
}

#[tokio::test]
async fn writes_reach_the_engine_before_they_are_answered() {
    let app = App::demo();
    let engine = app.world().engine().clone();
    let (s, policy) = call(
        &app,
        "POST",
        &format!("{BASE}/routing-policies"),
        DEMO,
        Some(json!({"name": "v4", "is_ipv6": false, "prefix_filter_in": ["10.0.0.0/8"]})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{policy}");
    let (s, link) = call(
        &app,
        "POST",
        &format!("{BASE}/links"),
        DEMO,
        Some(json!({
            "name": "l1",
            "pop_id": demo::POP_DC2_ID,
            "bandwidth_mbps": 1000,
            "connection_id": demo::CONNECTION_DC2_ID,
            "vlan": 2002,
            "routing_policy_v4_id": policy["id"],
        })),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{link}");
    let id = link["id"].as_str().unwrap().to_string();
    let snapshot = engine.snapshot(&id).await;
    assert!(snapshot.is_ok(), "{snapshot:?}");
    let (s, _) = call(&app, "DELETE", &format!("{BASE}/links/{id}"), DEMO, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(engine.snapshot(&id).await.is_err());
}
