//! A `frontend` section: binds, timeouts, ACLs in index order, routes.

use std::fmt::Write as _;
use std::path::PathBuf;

use dataplane::lb::{
    Acl, AclAction, AclHttpFilter, Frontend, LbConfig, Protocol, RedirectType, RouteMatch,
};

use super::syntax::{address, millis, quote};

/// How long a TCP frontend with SNI routes waits for the ClientHello (the sample rendering's
/// value; Scaleway documents none).
const INSPECT_DELAY: &str = "5s";

pub(super) fn render(
    out: &mut String,
    config: &LbConfig,
    i: usize,
    fe: &Frontend,
    certs: &[PathBuf],
) {
    let backend = |name: &str| config.backends.iter().position(|b| b.name == name);
    let protocol = config
        .backend(&fe.backend)
        .map(|b| b.forward_protocol)
        .unwrap_or(Protocol::Tcp);
    let _ = write!(
        out,
        "\n# frontend {:?}: inbound_port {}, backend {:?} ({})\nfrontend fe{i}\n    mode {}\n",
        fe.name,
        fe.inbound_port,
        fe.backend,
        protocol.as_str(),
        protocol.as_str()
    );
    let tls: String = certs
        .iter()
        .map(|c| format!(" crt {}", quote(&c.to_string_lossy())))
        .collect();
    let tls = if tls.is_empty() {
        tls
    } else {
        format!(" ssl{tls}")
    };
    for net in &config.addresses {
        let _ = writeln!(
            out,
            "    bind {}{tls}",
            address(net.addr(), fe.inbound_port)
        );
    }
    let _ = writeln!(out, "    timeout client {}", millis(fe.timeout_client));
    if let Some(rate) = fe.connection_rate_limit {
        let _ = writeln!(out, "    rate-limit sessions {rate}");
    }
    if fe.enable_access_logs {
        let format = match protocol {
            Protocol::Http => "httplog",
            Protocol::Tcp => "tcplog",
        };
        let _ = writeln!(out, "    log global\n    option {format}");
    }
    if fe.enable_http3 {
        out.push_str("    # enable_http3: not rendered, this HAProxy is built without QUIC\n");
    }
    let has_sni = fe
        .routes
        .iter()
        .any(|r| matches!(r.r#match, RouteMatch::Sni { .. }));
    if protocol == Protocol::Tcp && has_sni {
        // Wait for the ClientHello before any ACL decides, so that an `accept` does not cut
        // the SNI routes off from the data they read. The rule changes nothing else.
        let _ = write!(
            out,
            "    tcp-request inspect-delay {INSPECT_DELAY}\n    \
             tcp-request content set-var(txn.peerlab_hello) int(1) if {{ req.ssl_hello_type 1 }}\n"
        );
    }
    for (position, acl) in fe.acls_in_order().into_iter().enumerate() {
        render_acl(out, protocol, position, acl);
    }
    for (r, route) in fe.routes.iter().enumerate() {
        let (fetch, value, subdomains) = match &route.r#match {
            RouteMatch::Sni {
                value,
                match_subdomains,
            } => ("req.ssl_sni -i", value, *match_subdomains),
            RouteMatch::HostHeader {
                value,
                match_subdomains,
            } => ("req.hdr(host),field(1,:) -i", value, *match_subdomains),
            RouteMatch::PathBegin(value) => ("path_beg", value, false),
        };
        let _ = writeln!(
            out,
            "    # route #{r}: {:?} → backend {:?}",
            route.r#match, route.backend
        );
        let _ = writeln!(out, "    acl route{r} {fetch} -- {}", quote(value));
        if subdomains {
            // match_subdomains: any name ending in ".value" (facts file: `-m end`, a guess).
            let _ = writeln!(
                out,
                "    acl route{r} {fetch} -m end -- {}",
                quote(&format!(".{value}"))
            );
        }
        if let Some(k) = backend(&route.backend) {
            let _ = writeln!(out, "    use_backend be{k} if route{r}");
        }
    }
    if let Some(k) = backend(&fe.backend) {
        let _ = writeln!(out, "    default_backend be{k}");
    }
}

/// One ACL at `position` in evaluation order. TCP ACLs all go to the `tcp-request content`
/// stage: `tcp-request connection` rules would run before them whatever their order.
fn render_acl(out: &mut String, protocol: Protocol, position: usize, acl: &Acl) {
    let m = &acl.r#match;
    let _ = writeln!(
        out,
        "    # ACL #{position} {:?} (index {}): {}, ip_subnet {:?}, {} {:?}{}",
        acl.name,
        acl.index,
        acl.action.as_str(),
        m.ip_subnet
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        m.http_filter.as_str(),
        m.http_filter_value,
        if m.invert { ", invert" } else { "" }
    );
    let mut terms = Vec::new();
    if !m.ip_subnet.is_empty() {
        let nets: Vec<String> = m.ip_subnet.iter().map(ToString::to_string).collect();
        let _ = writeln!(out, "    acl acl{position}_ip src -- {}", nets.join(" "));
        terms.push(format!("acl{position}_ip"));
    }
    let fetch = match m.http_filter {
        AclHttpFilter::None => None,
        AclHttpFilter::PathBegin => Some("path_beg".to_owned()),
        AclHttpFilter::PathEnd => Some("path_end".to_owned()),
        AclHttpFilter::Regex => Some("path_reg".to_owned()),
        AclHttpFilter::HttpHeaderMatch => Some(format!(
            "req.hdr({}) -m str",
            m.http_filter_option.as_deref().unwrap_or("")
        )),
    };
    if let Some(fetch) = fetch {
        let values: Vec<String> = m.http_filter_value.iter().map(|v| quote(v)).collect();
        let _ = writeln!(
            out,
            "    acl acl{position}_http {fetch} -- {}",
            values.join(" ")
        );
        terms.push(format!("acl{position}_http"));
    }
    // invert = "neither": every term negated (facts file §2).
    let condition = if terms.is_empty() {
        String::new()
    } else {
        let bang = if m.invert { "!" } else { "" };
        let terms: Vec<String> = terms.iter().map(|t| format!("{bang}{t}")).collect();
        format!(" if {}", terms.join(" "))
    };
    let action = match (protocol, &acl.action) {
        (Protocol::Tcp, AclAction::Allow) => "tcp-request content accept".to_owned(),
        (Protocol::Tcp, _) => "tcp-request content reject".to_owned(),
        (Protocol::Http, AclAction::Allow) => "http-request allow".to_owned(),
        (Protocol::Http, AclAction::Deny) => "http-request deny deny_status 403".to_owned(),
        (Protocol::Http, AclAction::Redirect(redirect)) => {
            let code = redirect
                .code
                .unwrap_or(dataplane::lb::acl::DEFAULT_REDIRECT_CODE);
            match redirect.r#type {
                RedirectType::Location => format!(
                    "http-request redirect location {} code {code}",
                    quote(&log_format(&redirect.target))
                ),
                RedirectType::Scheme => format!(
                    "http-request redirect scheme {} code {code}",
                    quote(&redirect.target)
                ),
            }
        }
    };
    let _ = writeln!(out, "    {action}{condition}");
}

/// A redirect target as an HAProxy log-format string: `%` doubled, the API's placeholders as
/// sample fetches.
fn log_format(target: &str) -> String {
    const PLACEHOLDERS: [(&str, &str); 4] = [
        ("{{host}}", "%[req.hdr(host)]"),
        ("{{path}}", "%[path]"),
        ("{{query}}", "%[query]"),
        ("{{scheme}}", "%[ssl_fc,iif(https,http)]"),
    ];
    let mut out = String::with_capacity(target.len());
    let mut rest = target;
    'outer: while !rest.is_empty() {
        for (placeholder, fetch) in PLACEHOLDERS {
            if let Some(after) = rest.strip_prefix(placeholder) {
                out.push_str(fetch);
                rest = after;
                continue 'outer;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            if c == '%' {
                out.push('%');
            }
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::log_format;

    #[test]
    fn placeholders_become_fetches_and_percent_is_doubled() {
        assert_eq!(
            log_format("https://{{host}}{{path}}?{{query}}&p=100%"),
            "https://%[req.hdr(host)]%[path]?%[query]&p=100%%"
        );
        assert_eq!(
            log_format("{{scheme}}://x{{nope}}"),
            "%[ssl_fc,iif(https,http)]://x{{nope}}"
        );
    }
}
