//! What an [`LbConfig`] may not contain: the rules both the model and the HAProxy renderer
//! rely on (names resolve, one frontend per port, HTTP-only features on HTTP backends, strings
//! that fit in a configuration line).
//!
//! The provider answers the API's 400/409 bodies before a configuration gets here; these are
//! the data plane's own guarantees, so a bad configuration is refused with a reason instead of
//! being rendered into something HAProxy reads differently.

use std::collections::BTreeSet;

use thiserror::Error;

use super::acl::{AclAction, AclHttpFilter, AclRule, REDIRECT_CODES, RedirectType};
use super::check::CheckConfig;
use super::config::{Backend, Frontend, LbConfig, Protocol, RouteMatch, StickySessions};

/// A configuration the LB data plane refuses.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// Two frontends, backends or certificates share a name.
    #[error("two {kind}s are named {name:?}")]
    DuplicateName {
        /// `frontend`, `backend` or `certificate`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// A name is empty.
    #[error("a {0} has an empty name")]
    EmptyName(&'static str),
    /// Two frontends listen on one port.
    #[error("frontends {first:?} and {second:?} both use inbound_port {port}")]
    PortInUse {
        /// The port.
        port: u16,
        /// The frontend that has it.
        first: String,
        /// The frontend that wants it too.
        second: String,
    },
    /// Port 0.
    #[error("{what} must be 1-65535")]
    PortZero {
        /// Which port.
        what: String,
    },
    /// A frontend but no address to listen on.
    #[error("the LB has frontends but no address to listen on")]
    NoAddress,
    /// A reference to a backend that does not exist.
    #[error("frontend {frontend:?} refers to backend {backend:?}, which does not exist")]
    UnknownBackend {
        /// The frontend.
        frontend: String,
        /// The missing backend.
        backend: String,
    },
    /// A route toward a backend of the other protocol.
    #[error("frontend {frontend:?} is {expected} but its route goes to {backend:?}, which is not")]
    RouteProtocol {
        /// The frontend.
        frontend: String,
        /// The route's backend.
        backend: String,
        /// The frontend's protocol.
        expected: &'static str,
    },
    /// An SNI route on an HTTP frontend, or a host/path route on a TCP one.
    #[error("frontend {frontend:?} is {protocol}: a {kind} route does not apply")]
    RouteKind {
        /// The frontend.
        frontend: String,
        /// Its protocol.
        protocol: &'static str,
        /// `sni`, `host_header` or `path_begin`.
        kind: &'static str,
    },
    /// An HTTP filter or a redirect on a frontend whose backend is TCP.
    #[error("ACL {acl:?} of frontend {frontend:?}: {what} needs an HTTP backend")]
    HttpOnly {
        /// The frontend.
        frontend: String,
        /// The ACL.
        acl: String,
        /// The HTTP-only feature.
        what: &'static str,
    },
    /// Cookie stickiness on a TCP backend.
    #[error("backend {0:?} is tcp: sticky_sessions cookie needs http (tcp allows only table)")]
    CookieOnTcp(String),
    /// A regex the model cannot compile.
    #[error("ACL {acl:?}: invalid regex: {reason}")]
    Regex {
        /// The ACL.
        acl: String,
        /// The compiler's reason.
        reason: String,
    },
    /// A field outside what the API accepts.
    #[error("{field}: {reason}")]
    Invalid {
        /// The field, with its owner (`backend "app": check_max_retries`).
        field: String,
        /// What is wrong.
        reason: &'static str,
    },
}

fn invalid(owner: &str, field: &str, reason: &'static str) -> ConfigError {
    ConfigError::Invalid {
        field: format!("{owner}: {field}"),
        reason,
    }
}

/// Whether `s` is a non-empty token (no space, quote, control or separator character).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"'\\(),;:<>=@[]{}/?#%".contains(&b))
}

/// Whether `s` fits in one configuration line (no control character).
fn is_line(s: &str) -> bool {
    !s.chars().any(char::is_control)
}

impl LbConfig {
    /// Checks the configuration; the first problem found is returned.
    pub fn validate(&self) -> Result<(), ConfigError> {
        unique("frontend", self.frontends.iter().map(|f| f.name.as_str()))?;
        unique("backend", self.backends.iter().map(|b| b.name.as_str()))?;
        unique(
            "certificate",
            self.frontends
                .iter()
                .flat_map(|f| f.certificates.iter().map(|c| c.name.as_str()))
                .collect::<BTreeSet<_>>()
                .into_iter(),
        )?;
        if !self.frontends.is_empty() && self.addresses.is_empty() {
            return Err(ConfigError::NoAddress);
        }
        for backend in &self.backends {
            validate_backend(backend)?;
        }
        let mut ports: Vec<(u16, &str)> = Vec::new();
        for frontend in &self.frontends {
            if let Some((_, first)) = ports.iter().find(|(p, _)| *p == frontend.inbound_port) {
                return Err(ConfigError::PortInUse {
                    port: frontend.inbound_port,
                    first: (*first).to_owned(),
                    second: frontend.name.clone(),
                });
            }
            ports.push((frontend.inbound_port, &frontend.name));
            self.validate_frontend(frontend)?;
        }
        Ok(())
    }

    fn protocol_of(&self, frontend: &str, backend: &str) -> Result<Protocol, ConfigError> {
        self.backend(backend)
            .map(|b| b.forward_protocol)
            .ok_or_else(|| ConfigError::UnknownBackend {
                frontend: frontend.to_owned(),
                backend: backend.to_owned(),
            })
    }

    fn validate_frontend(&self, frontend: &Frontend) -> Result<(), ConfigError> {
        let owner = format!("frontend {:?}", frontend.name);
        if frontend.inbound_port == 0 {
            return Err(ConfigError::PortZero {
                what: format!("{owner}: inbound_port"),
            });
        }
        if frontend.timeout_client.is_zero() {
            return Err(invalid(&owner, "timeout_client", "must be positive"));
        }
        if frontend.connection_rate_limit == Some(0) {
            return Err(invalid(&owner, "connection_rate_limit", "0 means none"));
        }
        if frontend
            .certificates
            .iter()
            .any(|c| c.pem.trim().is_empty())
        {
            return Err(invalid(&owner, "certificate", "empty PEM"));
        }
        let protocol = self.protocol_of(&frontend.name, &frontend.backend)?;
        for route in &frontend.routes {
            if self.protocol_of(&frontend.name, &route.backend)? != protocol {
                return Err(ConfigError::RouteProtocol {
                    frontend: frontend.name.clone(),
                    backend: route.backend.clone(),
                    expected: protocol.as_str(),
                });
            }
            let (kind, value) = match &route.r#match {
                RouteMatch::Sni { value, .. } => ("sni", value),
                RouteMatch::HostHeader { value, .. } => ("host_header", value),
                RouteMatch::PathBegin(value) => ("path_begin", value),
            };
            let fits = matches!(
                (&route.r#match, protocol),
                (RouteMatch::Sni { .. }, Protocol::Tcp)
                    | (RouteMatch::HostHeader { .. }, Protocol::Http)
                    | (RouteMatch::PathBegin(_), Protocol::Http)
            );
            if !fits {
                return Err(ConfigError::RouteKind {
                    frontend: frontend.name.clone(),
                    protocol: protocol.as_str(),
                    kind,
                });
            }
            if value.is_empty() || !is_line(value) {
                return Err(invalid(&owner, kind, "empty or not one line"));
            }
        }
        for acl in &frontend.acls {
            validate_acl(&frontend.name, protocol, acl)?;
        }
        Ok(())
    }
}

fn unique<'a>(kind: &'static str, names: impl Iterator<Item = &'a str>) -> Result<(), ConfigError> {
    let mut seen = BTreeSet::new();
    for name in names {
        if name.is_empty() {
            return Err(ConfigError::EmptyName(kind));
        }
        if !seen.insert(name) {
            return Err(ConfigError::DuplicateName {
                kind,
                name: name.to_owned(),
            });
        }
    }
    Ok(())
}

fn validate_acl(
    frontend: &str,
    protocol: Protocol,
    acl: &super::acl::Acl,
) -> Result<(), ConfigError> {
    let owner = format!("ACL {:?}", acl.name);
    let m = &acl.r#match;
    let http_only = |what| ConfigError::HttpOnly {
        frontend: frontend.to_owned(),
        acl: acl.name.clone(),
        what,
    };
    if protocol == Protocol::Tcp {
        if m.http_filter != AclHttpFilter::None {
            return Err(http_only("an http_filter"));
        }
        if matches!(acl.action, AclAction::Redirect(_)) {
            return Err(http_only("a redirect"));
        }
    }
    if m.http_filter != AclHttpFilter::None {
        if m.http_filter_value.is_empty() {
            return Err(invalid(
                &owner,
                "http_filter_value",
                "required with http_filter",
            ));
        }
        if m.http_filter_value
            .iter()
            .any(|v| v.is_empty() || !is_line(v))
        {
            return Err(invalid(
                &owner,
                "http_filter_value",
                "empty or not one line",
            ));
        }
    }
    if m.http_filter == AclHttpFilter::HttpHeaderMatch
        && !m.http_filter_option.as_deref().is_some_and(is_token)
    {
        return Err(invalid(
            &owner,
            "http_filter_option",
            "http_header_match needs a header name",
        ));
    }
    AclRule::new(acl).map_err(|e| ConfigError::Regex {
        acl: acl.name.clone(),
        reason: e.to_string(),
    })?;
    if let AclAction::Redirect(redirect) = &acl.action {
        if redirect.code.is_some_and(|c| !REDIRECT_CODES.contains(&c)) {
            return Err(invalid(
                &owner,
                "redirect.code",
                "301, 302, 303, 307 or 308",
            ));
        }
        let ok = match redirect.r#type {
            RedirectType::Scheme => {
                let mut chars = redirect.target.chars();
                chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                    && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            }
            RedirectType::Location => !redirect.target.is_empty() && is_line(&redirect.target),
        };
        if !ok {
            return Err(invalid(&owner, "redirect.target", "not a URL or scheme"));
        }
    }
    Ok(())
}

fn validate_backend(backend: &Backend) -> Result<(), ConfigError> {
    let owner = format!("backend {:?}", backend.name);
    if backend.forward_port == 0 {
        return Err(ConfigError::PortZero {
            what: format!("{owner}: forward_port"),
        });
    }
    if let StickySessions::Cookie { cookie_name } = &backend.sticky_sessions {
        if backend.forward_protocol == Protocol::Tcp {
            return Err(ConfigError::CookieOnTcp(backend.name.clone()));
        }
        if !is_token(cookie_name) {
            return Err(invalid(
                &owner,
                "sticky_sessions_cookie_name",
                "not a cookie name",
            ));
        }
    }
    let timeouts = [
        ("timeout_server", backend.timeout_server),
        ("timeout_connect", backend.timeout_connect),
        ("timeout_tunnel", backend.timeout_tunnel),
        ("timeout_queue", backend.timeout_queue),
    ];
    if let Some((field, _)) = timeouts.iter().find(|(_, t)| t.is_zero()) {
        return Err(invalid(&owner, field, "must be positive"));
    }
    if backend.max_connections == Some(0) {
        return Err(invalid(&owner, "max_connections", "0 means none"));
    }
    if backend
        .failover_host
        .as_deref()
        .is_some_and(|h| !is_token(h))
    {
        return Err(invalid(&owner, "failover_host", "not a host name"));
    }
    let check = &backend.health_check;
    if check.port == 0 {
        return Err(ConfigError::PortZero {
            what: format!("{owner}: health_check.port"),
        });
    }
    if check.check_max_retries == 0 {
        return Err(invalid(&owner, "check_max_retries", "must be 1 or more"));
    }
    if check.check_delay.is_zero() || check.check_timeout.is_zero() {
        return Err(invalid(
            &owner,
            "check_delay/check_timeout",
            "must be positive",
        ));
    }
    let http = match &check.config {
        CheckConfig::Http(http) => Some(http),
        CheckConfig::Https { http, sni } => {
            if sni.as_deref().is_some_and(|s| !is_token(s)) {
                return Err(invalid(&owner, "https_config.sni", "not a host name"));
            }
            Some(http)
        }
        CheckConfig::Mysql { user } | CheckConfig::Pgsql { user } if !is_token(user) => {
            return Err(invalid(&owner, "user", "not a user name"));
        }
        _ => None,
    };
    if let Some(http) = http {
        if !http.uri.starts_with('/') || !http.uri.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(&owner, "uri", "a path starting with /"));
        }
        if !is_token(&http.method) {
            return Err(invalid(&owner, "method", "not an HTTP method"));
        }
        if http.code.is_some_and(|c| !(100..=599).contains(&c)) {
            return Err(invalid(&owner, "code", "100-599"));
        }
        if http
            .host_header
            .as_deref()
            .is_some_and(|h| !is_token_host(h))
        {
            return Err(invalid(&owner, "host_header", "not a host"));
        }
    }
    Ok(())
}

/// A host header value: a token that may carry `:port`.
fn is_token_host(s: &str) -> bool {
    s.split(':').all(is_token) && !s.is_empty()
}
