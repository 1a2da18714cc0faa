//! Rendering every API option into `haproxy.cfg`, checked by Debian's `haproxy -c`.

mod support;

use std::time::Duration;

use dataplane::lb::*;
use linux::haproxy::{Error, Layout, Stage, check, render};

const CERT: &str = include_str!("fixtures/selfsigned.pem");

fn acl(name: &str, index: i32, action: AclAction, r#match: AclMatch) -> Acl {
    Acl {
        name: name.into(),
        index,
        action,
        r#match,
    }
}

fn values(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// An LB using every option the API has.
fn everything() -> LbConfig {
    let ip = |s: &str| s.parse().unwrap();
    let mut config = LbConfig::new(
        "every option",
        vec![
            "172.16.4.100/22".parse().unwrap(),
            "2001:db8::100/64".parse().unwrap(),
        ],
    );
    config.ssl_compatibility_level = SslCompatibilityLevel::Modern;

    let mut app = Backend::new(
        "app",
        Protocol::Http,
        80,
        vec![ip("172.16.4.10"), ip("172.16.4.11"), ip("2001:db8::12")],
    );
    app.sticky_sessions = StickySessions::Cookie {
        cookie_name: "SRVID".into(),
    };
    app.health_check.config = CheckConfig::Http(HttpCheck {
        uri: "/health?full=1".into(),
        method: "GET".into(),
        code: Some(200),
        host_header: Some("app.example.test".into()),
    });
    app.max_connections = Some(20);
    app.on_marked_down_action = OnMarkedDownAction::ShutdownSessions;
    app.redispatch_attempt_count = Some(1);
    app.failover_host = Some("failover-website.s3-website.fr-par.scw.cloud".into());

    let mut api = Backend::new("api", Protocol::Http, 8443, vec![ip("172.16.4.12")]);
    api.forward_port_algorithm = ForwardPortAlgorithm::Leastconn;
    api.sticky_sessions = StickySessions::Table;
    api.ssl_bridging = true;
    api.ignore_ssl_server_verify = true;
    api.proxy_protocol = ProxyProtocol::V2SslCn;
    api.health_check.check_send_proxy = true;
    api.health_check.transient_check_delay = Duration::ZERO;
    api.health_check.config = CheckConfig::Https {
        http: HttpCheck {
            uri: "/ready".into(),
            method: "POST".into(),
            code: Some(204),
            host_header: Some("api.example.test".into()),
        },
        sni: Some("api.example.test".into()),
    };

    let mut mysql = Backend::new(
        "mysql",
        Protocol::Tcp,
        3306,
        vec![ip("172.16.4.20"), ip("172.16.4.21")],
    );
    mysql.forward_port_algorithm = ForwardPortAlgorithm::First;
    mysql.proxy_protocol = ProxyProtocol::V1;
    mysql.max_connections = Some(10);
    mysql.health_check.config = CheckConfig::Mysql {
        user: "haproxy".into(),
    };
    let mut pg = Backend::new("pg", Protocol::Tcp, 5432, vec![ip("172.16.4.30")]);
    pg.health_check.config = CheckConfig::Pgsql {
        user: "postgres".into(),
    };
    pg.proxy_protocol = ProxyProtocol::V2;
    let mut ldap = Backend::new("ldap", Protocol::Tcp, 389, vec![ip("172.16.4.31")]);
    ldap.health_check.config = CheckConfig::Ldap;
    let mut redis = Backend::new("redis", Protocol::Tcp, 6379, vec![ip("172.16.4.32")]);
    redis.health_check.config = CheckConfig::Redis;
    redis.proxy_protocol = ProxyProtocol::V2Ssl;
    redis.sticky_sessions = StickySessions::Table;
    let mut tls = Backend::new("tls", Protocol::Tcp, 443, vec![ip("172.16.4.33")]);
    tls.ssl_bridging = true;
    tls.timeout_tunnel = Duration::from_secs(60);
    config.backends = vec![app, api, mysql, pg, ldap, redis, tls];

    let mut web = Frontend::new("web", 80, "app");
    web.connection_rate_limit = Some(100);
    web.enable_access_logs = true;
    web.acls = vec![
        acl(
            "admin",
            0,
            AclAction::Deny,
            AclMatch {
                http_filter: AclHttpFilter::PathBegin,
                http_filter_value: values(&["/admin", "/private area"]),
                ..AclMatch::default()
            },
        ),
        acl(
            "office",
            1,
            AclAction::Allow,
            AclMatch {
                ip_subnet: vec![
                    "10.1.0.0/16".parse().unwrap(),
                    "2001:db8:1::/48".parse().unwrap(),
                ],
                http_filter: AclHttpFilter::HttpHeaderMatch,
                http_filter_value: values(&["prod"]),
                http_filter_option: Some("X-Env".into()),
                invert: true,
            },
        ),
        acl(
            "blog",
            2,
            AclAction::Redirect(AclActionRedirect {
                r#type: RedirectType::Location,
                target:
                    "https://www.myblog.test{{path}}?{{query}}&h={{host}}&s={{scheme}}&pct=100%"
                        .into(),
                code: Some(301),
            }),
            AclMatch {
                http_filter: AclHttpFilter::PathEnd,
                http_filter_value: values(&["/blog", "$HOME\"quoted\\"]),
                ..AclMatch::default()
            },
        ),
        acl(
            "secure",
            3,
            AclAction::Redirect(AclActionRedirect {
                r#type: RedirectType::Scheme,
                target: "https".into(),
                code: None,
            }),
            AclMatch {
                http_filter: AclHttpFilter::Regex,
                http_filter_value: values(&["^/secure/.*", "-i"]),
                ..AclMatch::default()
            },
        ),
        acl("rest", 4, AclAction::Deny, AclMatch::default()),
    ];
    web.routes = vec![
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
    let mut tcp = Frontend::new("tls", 443, "mysql");
    tcp.acls = vec![
        acl(
            "blocked",
            0,
            AclAction::Deny,
            AclMatch {
                ip_subnet: vec!["192.0.2.0/24".parse().unwrap()],
                ..AclMatch::default()
            },
        ),
        acl(
            "others",
            1,
            AclAction::Allow,
            AclMatch {
                ip_subnet: vec!["198.51.100.0/24".parse().unwrap()],
                invert: true,
                ..AclMatch::default()
            },
        ),
    ];
    tcp.routes = vec![Route {
        backend: "tls".into(),
        r#match: RouteMatch::Sni {
            value: "sni.example.test".into(),
            match_subdomains: false,
        },
    }];
    tcp.enable_access_logs = true;
    let mut https = Frontend::new("https", 8443, "app");
    https.certificates = vec![Certificate {
        name: "lb".into(),
        pem: CERT.into(),
    }];
    https.enable_http3 = true;
    https.timeout_client = Duration::from_millis(12_345);
    config.frontends = vec![web, tcp, https];
    for (port, backend) in [(3307, "pg"), (389, "ldap"), (6379, "redis")] {
        config.frontends.push(Frontend::new(backend, port, backend));
    }
    config
}

async fn render_and_check(config: &LbConfig, dir: &std::path::Path) -> Result<String, Error> {
    let layout = Layout {
        dir: dir.to_path_buf(),
        stats_socket: dir.join("admin.sock"),
    };
    let rendered = render(config, &layout)?;
    std::fs::write(dir.join("haproxy.cfg"), &rendered.config).unwrap();
    for (path, text) in &rendered.files {
        std::fs::write(path, text).unwrap();
    }
    check(
        std::path::Path::new(linux::haproxy::HAPROXY),
        &dir.join("haproxy.cfg"),
    )
    .await?;
    Ok(rendered.config)
}

#[tokio::test]
async fn every_option_renders_and_haproxy_accepts_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = everything();
    let cfg = render_and_check(&config, dir.path())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{e}\n{}",
                render(
                    &config,
                    &Layout {
                        dir: dir.path().into(),
                        stats_socket: dir.path().join("s")
                    }
                )
                .unwrap()
                .config
            )
        });
    for line in [
        "    bind [2001:db8::100]:80",
        "    rate-limit sessions 100",
        "    acl acl0_http path_beg -- /admin \"/private area\"",
        "    http-request deny deny_status 403 if acl0_http",
        "    acl acl1_ip src -- 10.1.0.0/16 2001:db8:1::/48",
        "    acl acl1_http req.hdr(X-Env) -m str -- prod",
        "    http-request allow if !acl1_ip !acl1_http",
        "    acl acl2_http path_end -- /blog \"\\$HOME\\\"quoted\\\\\"",
        "    http-request redirect location \"https://www.myblog.test%[path]?%[query]&h=%[req.hdr(host)]&s=%[ssl_fc,iif(https,http)]&pct=100%%\" code 301 if acl2_http",
        "    acl acl3_http path_reg -- ^/secure/.* -i",
        "    http-request redirect scheme https code 302 if acl3_http",
        "    http-request deny deny_status 403",
        "    acl route0 req.hdr(host),field(1,:) -i -m end -- .api.example.test",
        "    use_backend be1 if route1",
        "    default_backend be0",
        "    tcp-request content set-var(txn.peerlab_hello) int(1) if { req.ssl_hello_type 1 }",
        "    tcp-request content reject if acl0_ip",
        "    tcp-request content accept if !acl1_ip",
        "    acl route0 req.ssl_sni -i -- sni.example.test",
        "    timeout client 12345ms",
        "    cookie SRVID insert indirect nocache",
        "    http-check send meth GET uri \"/health?full=1\" hdr Host app.example.test",
        "    http-check expect status 200",
        "    option redispatch 1",
        "    server s2 [2001:db8::12]:80 check inter 3000ms fall 3 rise 2 port 80 fastinter 500ms maxconn 20 on-marked-down shutdown-sessions cookie s2",
        "    server failover failover-website.s3-website.fr-par.scw.cloud:80 backup init-addr last,libc,none",
        "    stick-table type ipv6 size 1m expire 30m",
        "    server s0 172.16.4.12:8443 check inter 3000ms fall 3 rise 2 port 8443 send-proxy-v2-ssl-cn check-send-proxy ssl verify none check-ssl check-sni api.example.test",
        "    option mysql-check user haproxy",
        "    balance first",
        "    server s1 172.16.4.21:3306 check inter 3000ms fall 3 rise 2 port 3306 fastinter 500ms maxconn 10 send-proxy",
        "    option pgsql-check user postgres",
        "    option ldap-check",
        "    option redis-check",
        "    server s0 172.16.4.33:443 check inter 3000ms fall 3 rise 2 port 443 fastinter 500ms ssl verify required ca-file @system-ca",
        "    ssl-default-bind-options ssl-min-ver TLSv1.3",
    ] {
        assert!(
            cfg.lines().any(|l| l == line),
            "missing line {line:?} in\n{cfg}"
        );
    }
    assert!(cfg.contains(" ssl crt "), "{cfg}");
    assert_eq!(cfg.matches("\nfrontend ").count(), 6);
    assert_eq!(cfg.matches("\nbackend ").count(), 7);
}

#[tokio::test]
async fn a_configuration_haproxy_refuses_is_a_typed_error_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = everything();
    config.frontends[2].certificates[0].pem =
        "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".into();
    match render_and_check(&config, dir.path()).await {
        Err(Error::Refused {
            stage: Stage::Check,
            reason,
        }) => {
            assert!(reason.contains("cert-0.pem"), "{reason}");
            assert!(!reason.contains("[ALERT]"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // What the model refuses never reaches HAProxy.
    config.frontends[0].inbound_port = 443;
    assert!(matches!(
        render_and_check(&config, dir.path()).await,
        Err(Error::Config(ConfigError::PortInUse { port: 443, .. }))
    ));
}
