//! Requests end to end: listeners, routes, server failures, validation.

use super::*;

#[test]
fn round_robin_bodies_and_the_trace() {
    let mut lb = Lb::new(web(2), Duration::ZERO).unwrap();
    let hosts = apps(2);
    let bodies: Vec<String> = (0..4)
        .map(|_| body(&get(&mut lb, Duration::ZERO, &hosts, "/")))
        .collect();
    assert_eq!(bodies, ["app1", "app2", "app1", "app2"]);
    let trace = get(&mut lb, Duration::ZERO, &hosts, "/");
    assert_eq!(
        trace.to_string(),
        "LB \"web\": frontend \"http\", backend \"apps\", server 172.16.4.10:8080 (balanced): 200"
    );
}

#[test]
fn no_listener_on_another_port_or_address() {
    let mut lb = Lb::new(web(1), Duration::ZERO).unwrap();
    let hosts = apps(1);
    let on = |dest: SocketAddr| Request::http_get(ip("10.1.0.5"), dest, "/");
    let trace = lb.handle(Duration::ZERO, &on(vip(81)), &hosts);
    assert_eq!(
        (trace.outcome.clone(), trace.frontend.clone()),
        (Outcome::NoListener, None)
    );
    assert_eq!(trace.to_string(), "LB \"web\": no frontend listens there");
    let other: SocketAddr = "172.16.4.101:80".parse().unwrap();
    assert_eq!(
        lb.handle(Duration::ZERO, &on(other), &hosts).outcome,
        Outcome::NoListener
    );
    let mut raw = on(vip(80));
    raw.http = None;
    assert_eq!(
        lb.handle(Duration::ZERO, &raw, &hosts).http_status(),
        Some(400)
    );
}

#[test]
fn routes_by_host_path_and_sni() {
    let mut config = web(2);
    let mut api = Backend::new("api", Protocol::Http, 9000, vec![server(5)]);
    api.health_check.config = CheckConfig::Http(HttpCheck::get("/"));
    config.backends.push(api);
    config.frontends[0].routes = vec![
        Route {
            backend: "api".into(),
            r#match: RouteMatch::HostHeader {
                value: "api.example.test".into(),
                match_subdomains: true,
            },
        },
        Route {
            backend: "api".into(),
            r#match: RouteMatch::PathBegin("/api".into()),
        },
    ];
    let mut tls = Backend::new("tls", Protocol::Tcp, 443, vec![server(6)]);
    tls.health_check.port = 443;
    config.backends.push(tls);
    let mut fe = Frontend::new("tls", 443, "tls");
    fe.routes.push(Route {
        backend: "tls".into(),
        r#match: RouteMatch::Sni {
            value: "sni.example.test".into(),
            match_subdomains: false,
        },
    });
    config.frontends.push(fe);
    let mut lb = Lb::new(config, Duration::ZERO).unwrap();
    let mut hosts = apps(2);
    hosts.listen(server(5), 9000, Listener::Http(HttpService::new("api")));
    hosts.listen(server(6), 443, Listener::Hung);
    let with_host = |host: &str, target: &str| Request {
        source: ip("10.1.0.5"),
        destination: vip(80),
        sni: None,
        http: Some(HttpRequest::get(target, host)),
    };
    let route_of = |trace: &LbTrace| trace.route.as_ref().map(|r| r.position);
    let t = lb.handle(
        Duration::ZERO,
        &with_host("API.example.test:80", "/"),
        &hosts,
    );
    assert_eq!((body(&t), route_of(&t)), ("api".into(), Some(0)));
    let t = lb.handle(
        Duration::ZERO,
        &with_host("v2.api.example.test", "/"),
        &hosts,
    );
    assert_eq!((body(&t), route_of(&t)), ("api".into(), Some(0)));
    let t = lb.handle(
        Duration::ZERO,
        &with_host("www.example.test", "/api/users"),
        &hosts,
    );
    assert_eq!((body(&t), route_of(&t)), ("api".into(), Some(1)));
    let t = lb.handle(Duration::ZERO, &with_host("xapi.example.test", "/"), &hosts);
    assert_eq!((body(&t), route_of(&t)), ("app1".into(), None));

    let tcp = |sni: Option<&str>| Request {
        source: ip("10.1.0.5"),
        destination: vip(443),
        sni: sni.map(str::to_owned),
        http: None,
    };
    let t = lb.handle(Duration::ZERO, &tcp(Some("SNI.example.test")), &hosts);
    assert_eq!(
        (t.outcome.clone(), route_of(&t), t.http_status()),
        (Outcome::Connected, Some(0), None)
    );
    assert_eq!(lb.handle(Duration::ZERO, &tcp(None), &hosts).route, None);
}

#[test]
fn server_failures_before_the_checks_notice() {
    let mut config = web(2);
    config.backends[0].max_retries = 2;
    let mut lb = Lb::new(config.clone(), Duration::ZERO).unwrap();
    let mut hosts = apps(2);
    hosts.close(server(0), 8080);
    // Still marked up: the request goes to s0, is refused three times: 503.
    let t = get(&mut lb, Duration::ZERO, &hosts, "/");
    assert_eq!(
        (t.outcome.clone(), t.http_status()),
        (Outcome::ServerUnavailable, Some(503))
    );
    assert_eq!(t.server.map(|s| s.index), Some(0));
    // With redispatch, the retry goes to s1.
    config.backends[0].redispatch_attempt_count = Some(1);
    let mut lb = Lb::new(config, Duration::ZERO).unwrap();
    let t = get(&mut lb, Duration::ZERO, &hosts, "/");
    assert_eq!(body(&t), "app2");
    assert_eq!(t.server.map(|s| s.choice), Some(Choice::Redispatched));
    // A server that accepts and never answers: 504; one that speaks no HTTP: 502.
    hosts.listen(server(0), 8080, Listener::Hung);
    hosts.listen(server(1), 8080, Listener::App(AppProtocol::Redis));
    let mut lb = Lb::new(web(2), Duration::ZERO).unwrap();
    assert_eq!(
        get(&mut lb, Duration::ZERO, &hosts, "/").http_status(),
        Some(504)
    );
    assert_eq!(
        get(&mut lb, Duration::ZERO, &hosts, "/").http_status(),
        Some(502)
    );
}

#[test]
fn services_answer_their_paths() {
    let svc = HttpService::new("app1").with_path("/health", 503);
    assert_eq!(svc.status("/health?full=1"), 503);
    assert_eq!(svc.answer("/x").status, 200);
    assert_eq!(svc.answer("/health").body, "app1");
}

#[test]
fn validation_refuses_what_the_data_plane_cannot_carry() {
    let refused = |f: &dyn Fn(&mut LbConfig)| {
        let mut config = web(2);
        f(&mut config);
        Lb::new(config, Duration::ZERO).unwrap_err()
    };
    assert!(matches!(
        refused(&|c| c.frontends.push(Frontend::new("again", 80, "apps"))),
        ConfigError::PortInUse { port: 80, .. }
    ));
    assert!(matches!(
        refused(&|c| c.frontends[0].backend = "nope".into()),
        ConfigError::UnknownBackend { .. }
    ));
    assert!(matches!(
        refused(&|c| {
            c.backends[0].forward_protocol = Protocol::Tcp;
            c.backends[0].health_check.config = CheckConfig::Tcp;
            c.frontends[0].acls.push(Acl {
                name: "a".into(),
                index: 0,
                action: AclAction::Deny,
                r#match: AclMatch {
                    http_filter: AclHttpFilter::PathBegin,
                    http_filter_value: vec!["/admin".into()],
                    ..AclMatch::default()
                },
            });
        }),
        ConfigError::HttpOnly { .. }
    ));
    assert!(matches!(
        refused(&|c| {
            c.backends[0].forward_protocol = Protocol::Tcp;
            c.backends[0].sticky_sessions = StickySessions::Cookie {
                cookie_name: "x".into(),
            };
        }),
        ConfigError::CookieOnTcp(_)
    ));
    assert!(matches!(
        refused(&|c| c.frontends[0].acls.push(Acl {
            name: "r".into(),
            index: 0,
            action: AclAction::Deny,
            r#match: AclMatch {
                http_filter: AclHttpFilter::Regex,
                http_filter_value: vec!["(?<=a)b".into()],
                ..AclMatch::default()
            },
        })),
        ConfigError::Regex { .. }
    ));
    assert!(matches!(
        refused(&|c| c.backends[0].health_check.check_max_retries = 0),
        ConfigError::Invalid { .. }
    ));
    assert!(matches!(
        refused(&|c| c.addresses.clear()),
        ConfigError::NoAddress
    ));
    let e = refused(&|c| {
        c.frontends[0].routes.push(Route {
            backend: "apps".into(),
            r#match: RouteMatch::Sni {
                value: "a".into(),
                match_subdomains: false,
            },
        })
    });
    assert_eq!(
        e.to_string(),
        "frontend \"http\" is http: a sni route does not apply"
    );
}

#[test]
fn stats_speak_haproxy_and_the_api() {
    for (text, status, state) in [
        ("UP", ServerStatus::Up, "running"),
        (
            "UP 1/3",
            ServerStatus::UpGoingDown { health: 1, fall: 3 },
            "stopping",
        ),
        ("DOWN", ServerStatus::Down, "stopped"),
        (
            "DOWN 1/2",
            ServerStatus::DownGoingUp { health: 1, rise: 2 },
            "starting",
        ),
        ("no check", ServerStatus::NoCheck, "running"),
        ("MAINT", ServerStatus::Maint, "stopped"),
    ] {
        assert_eq!(ServerStatus::parse(text), Some(status));
        assert_eq!(status.to_string(), text);
        assert_eq!(status.server_state().as_str(), state);
    }
    assert_eq!(
        ServerStatus::parse("MAINT (resolution)"),
        Some(ServerStatus::Maint)
    );
    assert_eq!(ServerStatus::parse("UP x/3"), None);
    assert_eq!(CheckStatus::parse("* L7OK"), Some(CheckStatus::L7Ok));
}
