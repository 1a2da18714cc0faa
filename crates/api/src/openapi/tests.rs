//! The document against the router, both ways, and its examples against the demo.

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
    let src = include_str!("../routes.rs");
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
    let lb = include_str!("../lb/mod.rs");
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
    let vpc = include_str!("../vpc.rs");
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
                let bare =
                    rest.contains(&format!(" {method}(")) || rest.contains(&format!("({method}("));
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

/// The `(method, path)` pairs of the document, sorted.
fn served() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = operations()
        .into_iter()
        .map(|o| (o.method.to_string(), o.path))
        .collect();
    v.sort();
    v
}
