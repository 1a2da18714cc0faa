//! Shapes, defaults and the bad input of the issue: ports in use, HTTP ACLs on TCP backends,
//! unreachable servers.

use super::support::*;
use crate::lb::backend_types::{HealthCheckHttpConfig, HealthCheckWire, Protocol};
use crate::lb::frontend_types::{AclActionType, AclHttpFilter, RouteMatch};
use crate::lb::list::ListByNameRequest;
use crate::lb::requests::{
    AclActionInput, AclMatchInput, AclRedirectInput, AclRequest, CreateRouteRequest, SetAclsRequest,
};
use serde_json::json;

fn acl(index: u32, filter: AclHttpFilter, values: &[&str], action: AclActionType) -> AclRequest {
    AclRequest {
        name: Some(format!("acl{index}")),
        action: AclActionInput {
            type_: action,
            redirect: (action == AclActionType::Redirect).then(|| AclRedirectInput {
                target: Some("https://example.test".into()),
                ..Default::default()
            }),
        },
        match_: Some(AclMatchInput {
            http_filter: Some(filter),
            http_filter_value: Some(values.iter().map(|v| v.to_string()).collect()),
            ..Default::default()
        }),
        index,
        description: None,
    }
}

#[test]
fn a_backend_has_the_recorded_defaults_and_shape() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let b = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &["10.0.0.1"]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let v = serde_json::to_value(&b).unwrap();
    assert_eq!(v["timeout_server"], 300_000);
    assert_eq!(v["timeout_connect"], 5000);
    assert_eq!(v["timeout_tunnel"], 900_000);
    assert_eq!(v["timeout_queue"], "0s");
    assert_eq!(v["max_retries"], 3);
    assert_eq!(v["max_connections"], json!(null));
    assert_eq!(v["redispatch_attempt_count"], json!(null));
    assert_eq!(v["ignore_ssl_server_verify"], json!(null));
    assert_eq!(v["failover_host"], json!(null));
    assert_eq!(v["ssl_bridging"], false);
    assert_eq!(v["send_proxy_v2"], false);
    assert_eq!(v["host"], "");
    assert_eq!(v["proxy_protocol"], "proxy_protocol_none");
    assert_eq!(v["on_marked_down_action"], "on_marked_down_action_none");
    assert_eq!(
        v["health_check"],
        json!({"check_delay": 3000, "check_max_retries": 3, "check_send_proxy": false,
               "check_timeout": 1000, "port": 80, "tcp_config": {}, "transient_check_delay": "0.500s"})
    );
    assert_eq!(v["pool"], json!(["10.0.0.1"]));
    assert_eq!(v["lb"]["id"], json!(made.id));
    // The health check is its own call and answer; update_backend leaves it alone.
    let hc = lb
        .update_health_check(
            Z,
            &me(),
            b.config.id,
            HealthCheckWire {
                port: Some(8080),
                check_max_retries: Some(2),
                check_delay: Some(crate::lb::duration::Millis(1000)),
                http_config: Some(HealthCheckHttpConfig {
                    uri: "/health".into(),
                    method: "GET".into(),
                    code: Some(200),
                    host_header: String::new(),
                }),
                ..Default::default()
            },
            t(21_000),
        )
        .unwrap();
    let hv = serde_json::to_value(&hc).unwrap();
    assert_eq!(hv["http_config"]["uri"], "/health");
    assert!(
        hv.get("tcp_config").is_none(),
        "one-of: only the config set"
    );
    let mut update = backend_req(Protocol::Http, 81, &[]);
    update.health_check = None;
    let b2 = lb
        .update_backend(Z, &me(), b.config.id, update, t(22_000))
        .unwrap();
    assert_eq!(b2.config.forward_port, 81);
    assert_eq!(b2.config.health_check, hc);
    assert_eq!(
        b2.config.pool,
        vec!["10.0.0.1"],
        "update_backend leaves the servers alone"
    );
}

#[test]
fn a_port_already_used_on_the_lb_is_a_conflict() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let b = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &[]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let f = lb
        .create_frontend(Z, &me(), made.id, frontend_req(80, b.config.id), t(20_001))
        .unwrap();
    assert_eq!(f.config.timeout_client, None);
    assert_eq!(f.config.connection_rate_limit, None);
    let e = lb
        .create_frontend(Z, &me(), made.id, frontend_req(80, b.config.id), t(20_002))
        .unwrap_err();
    assert_eq!(e.http_status(), 409);
    assert_eq!(e.body()["type"], "conflict");
    assert!(e.body()["message"].as_str().unwrap().contains("port 80"));
    // Another LB may use it; the frontend itself may keep it on update.
    let other_lb = ready_lb(&mut lb, "other");
    let b2 = lb
        .create_backend(
            Z,
            &me(),
            other_lb.id,
            backend_req(Protocol::Http, 80, &[]),
            &ipam,
            t(20_003),
        )
        .unwrap();
    lb.create_frontend(
        Z,
        &me(),
        other_lb.id,
        frontend_req(80, b2.config.id),
        t(20_004),
    )
    .unwrap();
    lb.update_frontend(
        Z,
        &me(),
        f.config.id,
        frontend_req(80, b.config.id),
        t(20_005),
    )
    .unwrap();
    // A backend of another LB is not this LB's.
    let e = lb
        .create_frontend(Z, &me(), made.id, frontend_req(81, b2.config.id), t(20_006))
        .unwrap_err();
    assert_eq!(e.body(), json!({"message": "backend not Found"}));
}

#[test]
fn an_http_filter_on_a_tcp_backend_is_refused() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let tcp = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Tcp, 443, &[]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let f = lb
        .create_frontend(
            Z,
            &me(),
            made.id,
            frontend_req(443, tcp.config.id),
            t(20_001),
        )
        .unwrap();
    let e = lb
        .create_acl(
            Z,
            &me(),
            f.config.id,
            acl(
                0,
                AclHttpFilter::PathBegin,
                &["/admin"],
                AclActionType::Deny,
            ),
            t(20_002),
        )
        .unwrap_err();
    assert_eq!(e.http_status(), 400);
    assert_eq!(argument(&e), "match.http_filter");
    // An IP-only ACL is fine on TCP.
    let ok = lb
        .create_acl(
            Z,
            &me(),
            f.config.id,
            acl(
                0,
                AclHttpFilter::AclHttpFilterNone,
                &[],
                AclActionType::Allow,
            ),
            t(20_003),
        )
        .unwrap();
    let v = serde_json::to_value(&ok).unwrap();
    assert_eq!(v["match"]["ip_subnet"], json!(["0.0.0.0/0"]));
    assert_eq!(v["match"]["http_filter_value"], json!([]));
    assert_eq!(v["match"]["http_filter_option"], json!(null));
    assert_eq!(v["action"], json!({"type": "allow", "redirect": null}));
    assert_eq!(v["frontend"]["backend"]["lb"]["instances"], json!([]));
    // Switching the backend of an HTTP frontend with HTTP ACLs to TCP is refused too.
    let http = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &[]),
            &ipam,
            t(20_004),
        )
        .unwrap();
    let f80 = lb
        .create_frontend(
            Z,
            &me(),
            made.id,
            frontend_req(80, http.config.id),
            t(20_005),
        )
        .unwrap();
    lb.create_acl(
        Z,
        &me(),
        f80.config.id,
        acl(
            1,
            AclHttpFilter::PathBegin,
            &["/admin"],
            AclActionType::Deny,
        ),
        t(20_006),
    )
    .unwrap();
    let mut to_tcp = backend_req(Protocol::Tcp, 80, &[]);
    to_tcp.health_check = None;
    let e = lb
        .update_backend(Z, &me(), http.config.id, to_tcp, t(20_007))
        .unwrap_err();
    assert_eq!(argument(&e), "forward_protocol");
    let e = lb
        .update_frontend(
            Z,
            &me(),
            f80.config.id,
            frontend_req(80, tcp.config.id),
            t(20_008),
        )
        .unwrap_err();
    assert_eq!(argument(&e), "backend_id");
}

#[test]
fn acls_redirects_and_set_acls() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let b = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &[]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let f = lb
        .create_frontend(Z, &me(), made.id, frontend_req(80, b.config.id), t(20_001))
        .unwrap();
    let r = lb
        .create_acl(
            Z,
            &me(),
            f.config.id,
            acl(
                5,
                AclHttpFilter::PathBegin,
                &["/old"],
                AclActionType::Redirect,
            ),
            t(20_002),
        )
        .unwrap();
    let redirect = r.config.action.redirect.clone().unwrap();
    assert_eq!(redirect.code, 302, "302 by default");
    assert_eq!(r.config.index, 5, "kept as given");
    let mut bad = acl(
        1,
        AclHttpFilter::PathBegin,
        &["/x"],
        AclActionType::Redirect,
    );
    bad.action.redirect.as_mut().unwrap().code = Some(399);
    assert_eq!(
        argument(
            &lb.create_acl(Z, &me(), f.config.id, bad, t(20_003))
                .unwrap_err()
        ),
        "action.redirect.code"
    );
    let header = acl(
        2,
        AclHttpFilter::HttpHeaderMatch,
        &["x"],
        AclActionType::Deny,
    );
    assert_eq!(
        argument(
            &lb.create_acl(Z, &me(), f.config.id, header, t(20_004))
                .unwrap_err()
        ),
        "match.http_filter_option"
    );
    let set = lb
        .set_acls(
            Z,
            &me(),
            f.config.id,
            SetAclsRequest {
                acls: vec![
                    acl(2, AclHttpFilter::PathBegin, &["/b"], AclActionType::Deny),
                    acl(1, AclHttpFilter::PathEnd, &[".php"], AclActionType::Deny),
                ],
            },
            t(20_005),
        )
        .unwrap();
    assert_eq!(set.total_count, 2);
    let list = lb
        .list_acls(Z, &me(), f.config.id, &ListByNameRequest::default())
        .unwrap();
    assert_eq!(list.total_count, 2, "set_acls replaced the redirect");
    let bad_set = SetAclsRequest {
        acls: vec![acl(0, AclHttpFilter::PathBegin, &[], AclActionType::Deny)],
    };
    let e = lb
        .set_acls(Z, &me(), f.config.id, bad_set, t(20_006))
        .unwrap_err();
    assert_eq!(argument(&e), "acls.0.match.http_filter_value");
    assert_eq!(
        lb.list_acls(Z, &me(), f.config.id, &ListByNameRequest::default())
            .unwrap()
            .total_count,
        2,
        "nothing changed"
    );
}

#[test]
fn routes_follow_the_protocol_of_the_frontend() {
    let mut lb = state();
    let made = ready_lb(&mut lb, "web");
    let ipam = ipam();
    let http = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &[]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let api = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 81, &[]),
            &ipam,
            t(20_000),
        )
        .unwrap();
    let f = lb
        .create_frontend(
            Z,
            &me(),
            made.id,
            frontend_req(80, http.config.id),
            t(20_001),
        )
        .unwrap();
    let route = |m: RouteMatch| CreateRouteRequest {
        frontend_id: f.config.id,
        backend_id: api.config.id,
        match_: Some(m),
    };
    let r = lb
        .create_route(
            Z,
            &me(),
            route(RouteMatch {
                path_begin: Some("/api".into()),
                ..Default::default()
            }),
            t(20_002),
        )
        .unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap()["match"],
        json!({"path_begin": "/api", "match_subdomains": false})
    );
    let e = lb
        .create_route(
            Z,
            &me(),
            route(RouteMatch {
                sni: Some("a.test".into()),
                ..Default::default()
            }),
            t(20_003),
        )
        .unwrap_err();
    assert_eq!(argument(&e), "match.sni");
    let two = RouteMatch {
        sni: Some("a".into()),
        host_header: Some("b".into()),
        ..Default::default()
    };
    assert_eq!(
        argument(
            &lb.create_route(Z, &me(), route(two), t(20_004))
                .unwrap_err()
        ),
        "match"
    );
    assert_eq!(lb.get_lb(Z, &me(), made.id).unwrap().route_count, 1);
    // A backend a route targets cannot be deleted.
    let e = lb
        .delete_backend(Z, &me(), api.config.id, t(20_005))
        .unwrap_err();
    assert_eq!(e.http_status(), 412);
}

#[test]
fn servers_of_a_private_lb_must_be_on_its_private_networks() {
    let mut lb = state();
    let made = private_lb(&mut lb);
    assert!(made.ip.is_empty());
    let mut ipam = ipam();
    let e = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &["172.16.0.10"]),
            &ipam,
            t(20_000),
        )
        .unwrap_err();
    assert_eq!(argument(&e), "server_ip.0");
    lb.attach_private_network(
        Z,
        &me(),
        made.id,
        crate::catalogue::demo::PRIVATE_NETWORK_ID,
        Default::default(),
        &mut ipam,
        t(20_001),
    )
    .unwrap();
    let b = lb
        .create_backend(
            Z,
            &me(),
            made.id,
            backend_req(Protocol::Http, 80, &["172.16.0.10"]),
            &ipam,
            t(20_002),
        )
        .unwrap();
    let e = lb
        .add_backend_servers(
            Z,
            &me(),
            b.config.id,
            crate::lb::requests::BackendServersRequest {
                server_ip: vec!["192.0.2.1".into()],
            },
            &ipam,
            t(20_003),
        )
        .unwrap_err();
    assert!(e.to_string().contains("not reachable"), "{e}");
    let e = lb
        .set_backend_servers(
            Z,
            &me(),
            b.config.id,
            crate::lb::requests::BackendServersRequest {
                server_ip: vec!["nope".into()],
            },
            &ipam,
            t(20_004),
        )
        .unwrap_err();
    assert_eq!(argument(&e), "server_ip.0");
    // A public LB reaches anything.
    let public = ready_lb(&mut lb, "public");
    lb.create_backend(
        Z,
        &me(),
        public.id,
        backend_req(Protocol::Http, 80, &["192.0.2.1", "2001:db8::1"]),
        &ipam,
        t(20_005),
    )
    .unwrap();
}
