//! A `backend` section: balance, stickiness, timeouts, retries, the health check, servers.

use std::fmt::Write as _;

use dataplane::lb::{
    Backend, CheckConfig, HttpCheck, OnMarkedDownAction, Protocol, ProxyProtocol, RISE,
    StickySessions, server_name,
};

use super::syntax::{address, millis, quote};

/// The port the failover host is reached on (an Object Storage website: plain HTTP).
const FAILOVER_PORT: u16 = 80;

pub(super) fn render(out: &mut String, i: usize, be: &Backend) {
    let _ = write!(
        out,
        "\n# backend {:?}: {} to port {}, {} servers\nbackend be{i}\n    mode {}\n    balance {}\n",
        be.name,
        be.forward_protocol.as_str(),
        be.forward_port,
        be.servers.len(),
        be.forward_protocol.as_str(),
        be.forward_port_algorithm.as_str(),
    );
    // Server state changes (and, with log-health-checks, every check status change) go to
    // the global log: peerlab reads HAProxy's own timing there.
    out.push_str("    log global\n    option log-health-checks\n");
    if be.forward_protocol == Protocol::Http {
        out.push_str("    option forwardfor\n");
    }
    match &be.sticky_sessions {
        StickySessions::None => {}
        StickySessions::Cookie { cookie_name } => {
            let _ = writeln!(
                out,
                "    cookie {} insert indirect nocache",
                quote(cookie_name)
            );
        }
        StickySessions::Table => {
            out.push_str("    stick-table type ipv6 size 1m expire 30m\n    stick on src\n");
        }
    }
    let check = &be.health_check;
    let _ = write!(
        out,
        "    timeout server {}\n    timeout connect {}\n    timeout tunnel {}\n    \
         timeout queue {}\n    timeout check {}\n    retries {}\n",
        millis(be.timeout_server),
        millis(be.timeout_connect),
        millis(be.timeout_tunnel),
        millis(be.timeout_queue),
        millis(check.check_timeout),
        be.max_retries,
    );
    if let Some(n) = be.redispatch_attempt_count.filter(|n| *n > 0) {
        let _ = writeln!(out, "    option redispatch {n}");
    }
    let _ = writeln!(out, "    # health_check: {}", check.config.key());
    match &check.config {
        CheckConfig::Tcp => {}
        CheckConfig::Http(http) | CheckConfig::Https { http, .. } => httpchk(out, http),
        CheckConfig::Mysql { user } => {
            let _ = writeln!(out, "    option mysql-check user {}", quote(user));
        }
        CheckConfig::Pgsql { user } => {
            let _ = writeln!(out, "    option pgsql-check user {}", quote(user));
        }
        CheckConfig::Ldap => out.push_str("    option ldap-check\n"),
        CheckConfig::Redis => out.push_str("    option redis-check\n"),
    }
    let options = server_options(be);
    for (j, ip) in be.servers.iter().enumerate() {
        let name = server_name(j);
        let cookie = match be.sticky_sessions {
            StickySessions::Cookie { .. } => format!(" cookie {name}"),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "    server {name} {}{options}{cookie}",
            address(*ip, be.forward_port)
        );
    }
    if let Some(host) = &be.failover_host {
        // failover_host has no HAProxy equivalent (facts file): a backup server, used only
        // when every server is down, unchecked, and left in maintenance if its name does not
        // resolve (peerlab has no route to Object Storage).
        let _ = writeln!(
            out,
            "    server failover {}:{FAILOVER_PORT} backup init-addr last,libc,none",
            quote(host)
        );
    }
}

/// `option httpchk` with `http-check send` and, if a code is set, `http-check expect`.
fn httpchk(out: &mut String, http: &HttpCheck) {
    let host = http
        .host_header
        .as_deref()
        .map(|h| format!(" hdr Host {}", quote(h)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "    option httpchk\n    http-check send meth {} uri {}{host}",
        quote(&http.method),
        quote(&http.uri)
    );
    if let Some(code) = http.code {
        let _ = writeln!(out, "    http-check expect status {code}");
    }
}

/// The keywords every server line carries: check timing, port, limits, PROXY, TLS.
fn server_options(be: &Backend) -> String {
    let check = &be.health_check;
    let mut o = format!(
        " check inter {} fall {} rise {RISE} port {}",
        millis(check.check_delay),
        check.check_max_retries,
        check.port
    );
    if !check.transient_check_delay.is_zero() {
        let _ = write!(o, " fastinter {}", millis(check.transient_check_delay));
    }
    if let Some(max) = be.max_connections {
        let _ = write!(o, " maxconn {max}");
    }
    if be.on_marked_down_action == OnMarkedDownAction::ShutdownSessions {
        o.push_str(" on-marked-down shutdown-sessions");
    }
    let proxy = match be.proxy_protocol {
        ProxyProtocol::None => None,
        ProxyProtocol::V1 => Some("send-proxy"),
        ProxyProtocol::V2 => Some("send-proxy-v2"),
        ProxyProtocol::V2Ssl => Some("send-proxy-v2-ssl"),
        ProxyProtocol::V2SslCn => Some("send-proxy-v2-ssl-cn"),
    };
    if let Some(proxy) = proxy {
        let _ = write!(o, " {proxy}");
        if check.check_send_proxy {
            o.push_str(" check-send-proxy");
        }
    }
    // HAProxy 2.6 verifies server certificates by default and wants a CA then.
    let verify = if be.ignore_ssl_server_verify {
        " verify none"
    } else {
        " verify required ca-file @system-ca"
    };
    if be.ssl_bridging {
        let _ = write!(o, " ssl{verify}");
    }
    if let CheckConfig::Https { sni, .. } = &check.config {
        o.push_str(" check-ssl");
        if !be.ssl_bridging {
            o.push_str(verify);
        }
        if let Some(sni) = sni {
            let _ = write!(o, " check-sni {}", quote(sni));
        }
    }
    o
}
