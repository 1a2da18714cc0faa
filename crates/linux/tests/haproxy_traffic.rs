//! Traffic through a real HAProxy to real host services, and the model beside it: round
//! robin, a dead server leaving rotation (timed by HAProxy's own log and counters), ACLs,
//! routes, and every HTTP check verdict. Any disagreement between the model and HAProxy fails.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use dataplane::lb::*;
use linux::haproxy::Haproxy;
use linux::service::HttpServer;
use support::*;

/// The bodies of `n` requests to `/`, from HAProxy and from the model.
fn bodies(
    lab: &WebLab,
    lb: &mut Lb,
    now: Duration,
    hosts: &EndpointTable,
    n: usize,
) -> (Vec<String>, Vec<String>) {
    let mut real = Vec::new();
    let mut model = Vec::new();
    for _ in 0..n {
        let answer = lab.get(80, "/", &[]);
        real.push(format!("{} {}", answer.status, answer.body));
        let trace = lb.handle(now, &model_get(80, "/", &[]), hosts);
        model.push(match &trace.outcome {
            Outcome::Answered { status, body, .. } => format!("{status} {body}"),
            other => format!("{:?} {other:?}", trace.http_status()),
        });
    }
    (real, model)
}

/// The statuses HAProxy shows for server `sv` of `be0`, polled until `until` is seen.
async fn watch_status(
    haproxy: &Haproxy,
    sv: &str,
    until: &str,
) -> (Vec<String>, linux::haproxy::stats::StatRow) {
    let mut seen: Vec<String> = Vec::new();
    eventually(Duration::from_secs(15), async || {
        let rows = haproxy.show_stat().await.ok()?;
        let row = rows
            .into_iter()
            .find(|r| r.pxname == "be0" && r.svname == sv)?;
        if seen.last() != Some(&row.status) {
            seen.push(row.status.clone());
        }
        (row.status == until).then(|| (seen.clone(), row))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_robin_a_dead_server_and_its_return_agree_with_the_model() {
    let lab = WebLab::new("rr", 2);
    let mut servers: Vec<Option<HttpServer>> = (0..2)
        .map(|i| Some(HttpServer::start(Some(&lab.apps[i]), 8080, app_service(i)).unwrap()))
        .collect();
    let mut hosts = EndpointTable::new();
    for i in 0..2 {
        hosts.listen(app(i), 8080, Listener::Http(app_service(i)));
    }
    let config = web_config(2);
    let check = config.backends[0].health_check.clone();
    let haproxy = Haproxy::new(lab.options()).unwrap();
    haproxy.apply(&config).await.unwrap();
    let mut now = Duration::ZERO;
    let mut lb = Lb::new(config.clone(), now).unwrap();

    // Both up after their first checks, in HAProxy and in the model.
    for sv in ["s0", "s1"] {
        watch_status(&haproxy, sv, "UP").await;
    }
    advance_until(&mut lb, &mut now, &hosts, |lb| {
        lb.backend_stats("apps")
            .unwrap()
            .servers
            .iter()
            .all(|s| s.status == ServerStatus::Up)
    });
    let real = haproxy.stats(now).await.unwrap();
    let model = lb.stats();
    for (r, m) in real[0].servers.iter().zip(&model[0].servers) {
        assert_eq!(
            (r.status, r.check_status, r.check_code),
            (m.status, m.check_status, m.check_code)
        );
    }
    let (real, model) = bodies(&lab, &mut lb, now, &hosts, 6);
    assert_eq!(
        real,
        [
            "200 app1", "200 app2", "200 app1", "200 app2", "200 app1", "200 app2"
        ]
    );
    assert_eq!(real, model);

    // app2 stops: HAProxy takes it out after fall = 2 failed checks; so does the model.
    if let Some(server) = servers[1].take() {
        server.stop();
    }
    hosts.close(app(1), 8080);
    let (seen, row) = watch_status(&haproxy, "s1", "DOWN").await;
    let events = advance_until(&mut lb, &mut now, &hosts, |lb| {
        lb.server_status("apps", app(1)) == Some(ServerStatus::Down)
    });
    let mut model_seen = vec!["UP".to_owned()];
    model_seen.extend(
        events
            .iter()
            .filter(|e| e.server == app(1))
            .map(|e| e.to.to_string()),
    );
    assert_eq!(seen, model_seen, "status transitions");
    assert_eq!(
        (row.chkfail, row.chkdown, row.check_status),
        (2, 1, Some(CheckStatus::L4Con))
    );
    let m = &lb.backend_stats("apps").unwrap().servers[1];
    assert_eq!(
        (m.failed_checks, m.down_transitions),
        (row.chkfail, row.chkdown)
    );

    // HAProxy's own timing, from its log: the first failed check and the DOWN transition.
    let log = haproxy.log();
    let logged = |what: &str| {
        log.iter()
            .filter(|l| l.contains(what))
            .find_map(|l| log_time(l))
            .unwrap_or_else(|| panic!("no {what:?} in {log:#?}"))
    };
    let first_fail = logged("server be0/s1 failed");
    let down = logged("Server be0/s1 is DOWN");
    let gap = Duration::from_micros(down - first_fail);
    // The service stopped after the last passing check, at most check_delay before the
    // first failing one; so it was out of rotation within check_delay + gap of the stop.
    let target = check.check_delay * check.check_max_retries + check.check_timeout;
    eprintln!(
        "HAProxy: first failure → DOWN in {gap:?}; bound {:?} ≤ target {target:?}",
        check.check_delay + gap
    );
    assert!(
        check.check_delay + gap <= target,
        "{:?} > {target:?}",
        check.check_delay + gap
    );
    let model_gap = check.fastinter() * (check.check_max_retries - 1);
    eprintln!("model: first failure → DOWN in {model_gap:?}");

    let (real, model) = bodies(&lab, &mut lb, now, &hosts, 4);
    assert_eq!(real, ["200 app1"; 4]);
    assert_eq!(real, model);

    // app2 is back: rise = 2 passing checks, then both serve again, in HAProxy's order.
    servers[1] = Some(HttpServer::start(Some(&lab.apps[1]), 8080, app_service(1)).unwrap());
    hosts.listen(app(1), 8080, Listener::Http(app_service(1)));
    let (seen, _) = watch_status(&haproxy, "s1", "UP").await;
    let events = advance_until(&mut lb, &mut now, &hosts, |lb| {
        lb.server_status("apps", app(1)) == Some(ServerStatus::Up)
    });
    let mut model_seen = vec!["DOWN".to_owned()];
    model_seen.extend(
        events
            .iter()
            .filter(|e| e.server == app(1))
            .map(|e| e.to.to_string()),
    );
    assert_eq!(seen, model_seen, "status transitions back up");
    let (real, model) = bodies(&lab, &mut lb, now, &hosts, 6);
    assert_eq!(real, model, "round robin after the return");
    assert_eq!(real.iter().filter(|b| b.ends_with("app2")).count(), 3);
    haproxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acls_redirects_and_routes_agree_with_the_model() {
    let lab = WebLab::new("acl", 2);
    let _apps: Vec<HttpServer> = (0..2)
        .map(|i| HttpServer::start(Some(&lab.apps[i]), 8080, app_service(i)).unwrap())
        .collect();
    let _api = HttpServer::start(Some(&lab.apps[1]), 9000, HttpService::new("api")).unwrap();
    let mut hosts = EndpointTable::new();
    for i in 0..2 {
        hosts.listen(app(i), 8080, Listener::Http(app_service(i)));
    }
    hosts.listen(app(1), 9000, Listener::Http(HttpService::new("api")));

    let mut config = web_config(2);
    let mut api = Backend::new("api", Protocol::Http, 9000, vec![app(1)]);
    api.health_check.config = CheckConfig::Http(HttpCheck::get("/"));
    config.backends.push(api);
    let acl = |name: &str, index, action, r#match| Acl {
        name: name.into(),
        index,
        action,
        r#match,
    };
    let path = |filter, v: &str| AclMatch {
        http_filter: filter,
        http_filter_value: vec![v.into()],
        ..AclMatch::default()
    };
    config.frontends[0].acls = vec![
        acl(
            "no-admin",
            0,
            AclAction::Deny,
            path(AclHttpFilter::PathBegin, "/admin"),
        ),
        acl(
            "moved",
            1,
            AclAction::Redirect(AclActionRedirect {
                r#type: RedirectType::Location,
                target: "https://new.example.test{{path}}?{{query}}".into(),
                code: Some(301),
            }),
            path(AclHttpFilter::PathBegin, "/old"),
        ),
        acl(
            "to-https",
            2,
            AclAction::Redirect(AclActionRedirect {
                r#type: RedirectType::Scheme,
                target: "https".into(),
                code: Some(308),
            }),
            path(AclHttpFilter::Regex, "^/pay/[0-9]+$"),
        ),
        acl(
            "lab-blocked",
            3,
            AclAction::Deny,
            AclMatch {
                ip_subnet: vec!["172.16.4.0/24".parse().unwrap()],
                http_filter: AclHttpFilter::HttpHeaderMatch,
                http_filter_value: vec!["yes".into()],
                http_filter_option: Some("X-Block".into()),
                invert: false,
            },
        ),
        acl(
            "php",
            4,
            AclAction::Deny,
            path(AclHttpFilter::PathEnd, ".php"),
        ),
        acl(
            "others",
            5,
            AclAction::Deny,
            AclMatch {
                ip_subnet: vec!["172.16.4.0/24".parse().unwrap()],
                invert: true,
                ..AclMatch::default()
            },
        ),
    ];
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
            r#match: RouteMatch::PathBegin("/v1/".into()),
        },
    ];
    let haproxy = Haproxy::new(lab.options()).unwrap();
    haproxy.apply(&config).await.unwrap();
    for sv in ["s0", "s1"] {
        watch_status(&haproxy, sv, "UP").await;
    }
    let mut now = Duration::ZERO;
    let mut lb = Lb::new(config, now).unwrap();
    advance_until(&mut lb, &mut now, &hosts, |lb| {
        lb.stats()
            .iter()
            .flat_map(|b| &b.servers)
            .all(|s| s.status == ServerStatus::Up)
    });

    let cases: &[(&str, &[(&str, &str)])] = &[
        ("/", &[]),
        ("/admin", &[]),
        ("/admin/users?id=1", &[]),
        ("/old/page?x=1", &[]),
        ("/pay/42", &[]),
        ("/pay/42/receipt", &[]),
        ("/", &[("X-Block", "no, yes")]),
        ("/index.php", &[]),
        ("/v1/users", &[]),
        ("/", &[("Host", "API.example.test:80")]),
        ("/", &[("Host", "eu.api.example.test")]),
        ("/", &[("Host", "notapi.example.test")]),
    ];
    let mut table = Vec::new();
    for (target, headers) in cases {
        // The client's request carries its own Host header; a case's Host replaces it.
        let host = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map(|(_, v)| *v);
        let extra: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case("host"))
            .copied()
            .collect();
        let real = match host {
            Some(host) => http_with_host(&lab, target, host, &extra),
            None => lab.get(80, target, &extra),
        };
        let mut request = model_get(80, target, &extra);
        if let (Some(host), Some(http)) = (host, request.http.as_mut()) {
            http.headers
                .retain(|(n, _)| !n.eq_ignore_ascii_case("host"));
            http.headers.push(("Host".into(), host.into()));
        }
        let trace = lb.handle(now, &request, &hosts);
        let model_location = match &trace.outcome {
            Outcome::Redirected { location, .. } => Some(location.clone()),
            _ => None,
        };
        let model_body = match &trace.outcome {
            Outcome::Answered { body, .. } => Some(body.clone()),
            _ => None,
        };
        table.push(format!("{target} {headers:?} → {} | {trace}", real.status));
        assert_eq!(
            Some(real.status),
            trace.http_status(),
            "{target} {headers:?}: {trace}"
        );
        assert_eq!(
            real.header("location").map(str::to_owned),
            model_location,
            "{target}"
        );
        if let Some(body) = model_body {
            assert_eq!(real.body, body, "{target} {headers:?}: {trace}");
        }
    }
    eprintln!("{}", table.join("\n"));
    haproxy.stop().await;
}

/// `GET target` with `Host: host` instead of the LB's address.
fn http_with_host(lab: &WebLab, target: &str, host: &str, extra: &[(&str, &str)]) -> Answer {
    let to = SocketAddr::new(addr(VIP), 80);
    let mut request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (n, v) in extra {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str("\r\n");
    in_netns(&lab.client, move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect_timeout(&to, Duration::from_secs(5))?;
        stream.write_all(request.as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        parse(&raw)
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_http_check_verdict_agrees_with_the_model() {
    let lab = WebLab::new("chk", 1);
    let svc = HttpService::new("app1")
        .with_path("/health", 200)
        .with_path("/broken", 500)
        .with_path("/moved", 302);
    let _app = HttpServer::start(Some(&lab.apps[0]), 8080, svc.clone()).unwrap();
    let absent: IpAddr = "172.16.4.99".parse().unwrap();
    let elsewhere: IpAddr = "10.99.0.1".parse().unwrap();
    let hosts = move |_from: IpAddr, to: SocketAddr| match (to.ip(), to.port()) {
        (ip, 8080) if ip == app(0) => Endpoint::Listening(Listener::Http(svc.clone())),
        (ip, _) if ip == app(0) => Endpoint::Closed,
        (ip, _) if ip == absent => Endpoint::Unreachable,
        _ => Endpoint::NoRoute,
    };
    let http = |uri: &str, code: Option<u16>| {
        CheckConfig::Http(HttpCheck {
            code,
            ..HttpCheck::get(uri)
        })
    };
    let scenarios: Vec<(&str, IpAddr, u16, CheckConfig, ProxyProtocol)> = vec![
        (
            "health 200",
            app(0),
            8080,
            http("/health", Some(200)),
            ProxyProtocol::None,
        ),
        (
            "broken 500",
            app(0),
            8080,
            http("/broken", Some(200)),
            ProxyProtocol::None,
        ),
        (
            "wants 204",
            app(0),
            8080,
            http("/", Some(204)),
            ProxyProtocol::None,
        ),
        (
            "any 3xx",
            app(0),
            8080,
            http("/moved", None),
            ProxyProtocol::None,
        ),
        (
            "closed port",
            app(0),
            8081,
            http("/health", None),
            ProxyProtocol::None,
        ),
        (
            "absent host",
            absent,
            8080,
            http("/health", None),
            ProxyProtocol::None,
        ),
        (
            "no route",
            elsewhere,
            8080,
            http("/health", None),
            ProxyProtocol::None,
        ),
        ("tcp", app(0), 8080, CheckConfig::Tcp, ProxyProtocol::None),
        (
            "PROXY v2 checks",
            app(0),
            8080,
            http("/health", Some(200)),
            ProxyProtocol::V2,
        ),
    ];
    let mut config = LbConfig::new("checks", vec![format!("{VIP}/24").parse().unwrap()]);
    for (name, ip, port, check, proxy) in &scenarios {
        let mut backend = Backend::new(*name, Protocol::Http, *port, vec![*ip]);
        backend.health_check.port = *port;
        backend.health_check.check_delay = Duration::from_millis(1000);
        backend.health_check.check_max_retries = 2;
        backend.health_check.config = check.clone();
        backend.proxy_protocol = *proxy;
        backend.health_check.check_send_proxy = *proxy != ProxyProtocol::None;
        config.backends.push(backend);
    }
    config
        .frontends
        .push(Frontend::new("http", 80, "health 200"));
    let haproxy = Haproxy::new(lab.options()).unwrap();
    haproxy.apply(&config).await.unwrap();
    let mut lb = Lb::new(config.clone(), Duration::ZERO).unwrap();
    lb.poll(Duration::from_secs(10), &hosts);

    // Settled: every server checked at least once (a first failure is final at once).
    let real = eventually(Duration::from_secs(15), async || {
        let stats = haproxy.stats(Duration::ZERO).await.ok()?;
        let settled = stats.iter().flat_map(|b| &b.servers).all(|s| {
            s.check_status != CheckStatus::Ini
                && matches!(s.status, ServerStatus::Up | ServerStatus::Down)
        });
        settled.then_some(stats)
    })
    .await;
    let model = lb.stats();
    let mut table = Vec::new();
    for (r, m) in real.iter().zip(&model) {
        let (r, m) = (&r.servers[0], &m.servers[0]);
        table.push(format!(
            "{:<16} HAProxy {:<5} {:<6} {:?} | model {:<5} {:<6} {:?}",
            m.address.to_string() + " " + &r.port.to_string(),
            r.status.to_string(),
            r.check_status.as_str(),
            r.check_code,
            m.status.to_string(),
            m.check_status.as_str(),
            m.check_code
        ));
    }
    eprintln!("{}", table.join("\n"));
    for ((name, ..), (r, m)) in scenarios.iter().zip(real.iter().zip(&model)) {
        let (r, m) = (&r.servers[0], &m.servers[0]);
        assert_eq!(
            (r.status, r.check_status, r.check_code),
            (m.status, m.check_status, m.check_code),
            "scenario {name:?}"
        );
    }
    haproxy.stop().await;
}
