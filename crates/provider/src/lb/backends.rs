//! Backend calls: create, get, list, update, delete, the servers (add, remove, set) and the
//! health check.
//!
//! Defaults, from the recorded answers and Scaleway's backend documentation: `timeout_server`
//! 300 s, `timeout_connect` 5 s, `timeout_tunnel` 900 s, `max_retries` 3, `timeout_queue` `0s`,
//! health check every 3 s, timeout 1 s, transient 0.5 s, TCP when no protocol is given.
//!
//! Servers must be reachable. What peerlab calls reachable: for a public LB (one with a
//! flexible IP) any address, as Scaleway accepts any; for a private LB, an address inside a
//! subnet of one of its attached private networks (the only networks a private LB has a leg
//! on). An unreachable server is `invalid_arguments` on `server_ip`.

use super::backend_types::{
    Backend, BackendConfig, DEFAULT_CHECK_DELAY_MS, DEFAULT_CHECK_TIMEOUT_MS,
    DEFAULT_TRANSIENT_CHECK_DELAY_MS, HealthCheck, HealthCheckConfig, HealthCheckWire, Protocol,
    ProxyProtocol, StickySessionsType,
};
use super::duration::{Millis, ProtoDuration};
use super::list::{ListBackendsResponse, ListByNameRequest, SortKey};
use super::records::{BackendRecord, still_in_use};
use super::requests::{BackendRequest, BackendServersRequest};
use super::{LoadBalancers, Locality};
use crate::error::{ArgumentError, ArgumentReason, ProviderError, merge_invalid};
use crate::ipam::Ipam;
use crate::list::{check_page, name_matches, paginate};
use crate::scope::Caller;
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use std::net::IpAddr;
use uuid::Uuid;

fn required(name: &str) -> ProviderError {
    ProviderError::invalid(name, ArgumentReason::Required, "is required")
}

fn check_port(name: &str, port: u32) -> Result<u32, ProviderError> {
    if (1..=65535).contains(&port) {
        Ok(port)
    } else {
        Err(ProviderError::constraint(
            name,
            "must be between 1 and 65535",
        ))
    }
}

/// A health check from its wire form; `prefix` names the arguments (`health_check.`).
pub(crate) fn resolve_health_check(
    w: HealthCheckWire,
    prefix: &str,
) -> Result<HealthCheck, ProviderError> {
    let config = w.config().map_err(|names| {
        ProviderError::constraint(
            format!("{prefix}{}", names.join(", {prefix}")),
            "only one health check config may be set",
        )
    })?;
    let port = w.port.ok_or_else(|| required(&format!("{prefix}port")))?;
    let check_max_retries = w
        .check_max_retries
        .ok_or_else(|| required(&format!("{prefix}check_max_retries")))?;
    let config = match config {
        None => HealthCheckConfig::Tcp,
        // The SDKs require uri and method; an empty one would make an invalid HAProxy check, so
        // it gets HAProxy's own default (our choice). The Python SDK sends `code: 0` when none
        // is given: no expected code (any 2xx or 3xx).
        Some(HealthCheckConfig::Http(mut c)) => {
            fill_http(&mut c.uri, &mut c.method);
            c.code = c.code.filter(|code| *code != 0);
            HealthCheckConfig::Http(c)
        }
        Some(HealthCheckConfig::Https(mut c)) => {
            fill_http(&mut c.uri, &mut c.method);
            c.code = c.code.filter(|code| *code != 0);
            HealthCheckConfig::Https(c)
        }
        Some(other) => other,
    };
    Ok(HealthCheck {
        port: check_port(&format!("{prefix}port"), port)?,
        check_delay: w.check_delay.unwrap_or(Millis(DEFAULT_CHECK_DELAY_MS)),
        check_timeout: w.check_timeout.unwrap_or(Millis(DEFAULT_CHECK_TIMEOUT_MS)),
        check_max_retries,
        check_send_proxy: w.check_send_proxy.unwrap_or(false),
        transient_check_delay: w
            .transient_check_delay
            .unwrap_or(ProtoDuration(DEFAULT_TRANSIENT_CHECK_DELAY_MS)),
        config,
    })
}

fn fill_http(uri: &mut String, method: &mut String) {
    if uri.is_empty() {
        *uri = "/".into();
    }
    if method.is_empty() {
        *method = "GET".into();
    }
}

fn backend_key(b: &BackendRecord) -> SortKey<'_> {
    SortKey {
        seq: b.seq,
        created_at: b.config.created_at,
        name: &b.config.name,
    }
}

impl LoadBalancers {
    /// Parses the addresses and checks that the LB reaches them (see the module documentation);
    /// gives them back normalized, without duplicates, in order.
    pub(crate) fn check_servers(
        &self,
        lb_id: Uuid,
        servers: &[String],
        ipam: &Ipam,
    ) -> Result<Vec<String>, ProviderError> {
        let public = self.ips.values().any(|i| i.lb_id == Some(lb_id));
        let subnets: Vec<IpNet> = self
            .attachments
            .values()
            .filter(|a| a.lb_id == lb_id && !a.detaching)
            .filter_map(|a| ipam.private_network(a.private_network_id))
            .flat_map(|pn| pn.subnets.iter().map(|s| s.subnet))
            .collect();
        let mut out: Vec<String> = Vec::new();
        let mut details = Vec::new();
        for (i, text) in servers.iter().enumerate() {
            let Ok(addr) = text.trim().parse::<IpAddr>() else {
                details.push(ArgumentError::new(
                    format!("server_ip.{i}"),
                    ArgumentReason::Format,
                    "must be an IPv4 or IPv6 address",
                ));
                continue;
            };
            if !public && !subnets.iter().any(|n| n.contains(&addr)) {
                let list: Vec<String> = subnets.iter().map(ToString::to_string).collect();
                details.push(ArgumentError::new(
                    format!("server_ip.{i}"),
                    ArgumentReason::Constraint,
                    format!(
                        "{addr} is not reachable: a private Load Balancer reaches only the subnets of its attached private networks ({})",
                        if list.is_empty() { "none attached".to_string() } else { list.join(", ") }
                    ),
                ));
                continue;
            }
            let normal = addr.to_string();
            if !out.contains(&normal) {
                out.push(normal);
            }
        }
        if details.is_empty() {
            Ok(out)
        } else {
            Err(ProviderError::InvalidArguments { details })
        }
    }

    /// Refuses a TCP backend behind a frontend whose ACLs filter on HTTP.
    pub(crate) fn check_no_http_acls_on(
        &self,
        backend_id: Uuid,
        protocol: Protocol,
    ) -> Result<(), ProviderError> {
        if protocol == Protocol::Http {
            return Ok(());
        }
        let http_acl = self.frontends.values().any(|f| {
            f.backend_id == backend_id
                && self.acls.values().any(|a| {
                    a.frontend_id == f.config.id
                        && a.config.match_.http_filter != Default::default()
                })
        });
        if http_acl {
            return Err(ProviderError::constraint(
                "forward_protocol",
                "a frontend of this backend has ACLs with HTTP filters, which need an HTTP backend",
            ));
        }
        Ok(())
    }

    /// `POST /lbs/{id}/backends`.
    pub fn create_backend(
        &mut self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: BackendRequest,
        ipam: &Ipam,
        now: DateTime<Utc>,
    ) -> Result<Backend, ProviderError> {
        self.changeable_lb(loc, caller, lb_id)?;
        let mut errors = Vec::new();
        let protocol = req
            .forward_protocol
            .ok_or_else(|| required("forward_protocol"));
        let port = req
            .forward_port
            .ok_or_else(|| required("forward_port"))
            .and_then(|p| check_port("forward_port", p));
        let algorithm = req
            .forward_port_algorithm
            .ok_or_else(|| required("forward_port_algorithm"));
        let sticky = req
            .sticky_sessions
            .ok_or_else(|| required("sticky_sessions"));
        let health = req
            .health_check
            .clone()
            .ok_or_else(|| required("health_check"))
            .and_then(|w| resolve_health_check(w, "health_check."));
        let servers = self.check_servers(lb_id, req.server_ip.as_deref().unwrap_or_default(), ipam);
        for e in [
            protocol.clone().err(),
            port.clone().err(),
            algorithm.clone().err(),
            sticky.clone().err(),
            health.clone().err(),
            servers.clone().err(),
        ]
        .into_iter()
        .flatten()
        {
            errors.push(e);
        }
        merge_invalid(errors)?;
        let (Ok(protocol), Ok(port), Ok(algorithm), Ok(sticky), Ok(health), Ok(pool)) =
            (protocol, port, algorithm, sticky, health, servers)
        else {
            return Err(required("body"));
        };
        let id = self.ids.next_uuid();
        let mut config = BackendConfig {
            id,
            name: super::lbs::default_name("lbb", id),
            forward_protocol: protocol,
            forward_port: port,
            forward_port_algorithm: algorithm,
            sticky_sessions: sticky,
            sticky_sessions_cookie_name: String::new(),
            health_check: health,
            pool,
            timeout_server: Millis(300_000),
            timeout_connect: Millis(5000),
            timeout_tunnel: Millis(900_000),
            on_marked_down_action: Default::default(),
            proxy_protocol: ProxyProtocol::ProxyProtocolNone,
            created_at: now,
            updated_at: now,
            failover_host: None,
            ssl_bridging: false,
            ignore_ssl_server_verify: None,
            redispatch_attempt_count: None,
            max_retries: 3,
            max_connections: None,
            timeout_queue: ProtoDuration(0),
            host: String::new(),
            send_proxy_v2: false,
        };
        apply_fields(&mut config, &req)?;
        let seq = self.next_seq();
        self.backends
            .insert(id, BackendRecord { seq, lb_id, config });
        self.config_changed(lb_id, now);
        self.answer_backend(loc, caller, id)
    }

    fn answer_backend(
        &self,
        loc: Locality,
        caller: &Caller,
        id: Uuid,
    ) -> Result<Backend, ProviderError> {
        let b = self.visible_backend(loc, caller, id)?;
        self.backend_view(b, true)
            .ok_or_else(|| super::missing(super::not_found::BACKEND))
    }

    /// `GET /backends/{id}`.
    pub fn get_backend(
        &self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
    ) -> Result<Backend, ProviderError> {
        self.answer_backend(loc, caller, backend_id)
    }

    /// `GET /lbs/{id}/backends`.
    pub fn list_backends(
        &self,
        loc: Locality,
        caller: &Caller,
        lb_id: Uuid,
        req: &ListByNameRequest,
    ) -> Result<ListBackendsResponse, ProviderError> {
        let (page, size) = check_page(req.page, req.page_size)?;
        self.visible_lb(loc, caller, lb_id)?;
        let mut found: Vec<&BackendRecord> = self
            .backends
            .values()
            .filter(|b| b.lb_id == lb_id && name_matches(req.name.as_deref(), &b.config.name))
            .collect();
        let order = req.order_by.unwrap_or_default();
        found.sort_by(|a, b| order.compare(&backend_key(a), &backend_key(b)));
        let (page_items, total_count) = paginate(found, page, size);
        Ok(ListBackendsResponse {
            backends: page_items
                .into_iter()
                .filter_map(|b| self.backend_view(b, true))
                .collect(),
            total_count,
        })
    }

    /// `PUT /backends/{id}`: every field but the health check and the servers.
    pub fn update_backend(
        &mut self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
        req: BackendRequest,
        now: DateTime<Utc>,
    ) -> Result<Backend, ProviderError> {
        let b = self.visible_backend(loc, caller, backend_id)?;
        let lb_id = b.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        let mut config = b.config.clone();
        if let Some(p) = req.forward_protocol {
            config.forward_protocol = p;
        }
        if let Some(p) = req.forward_port {
            config.forward_port = check_port("forward_port", p)?;
        }
        if let Some(a) = req.forward_port_algorithm {
            config.forward_port_algorithm = a;
        }
        if let Some(s) = req.sticky_sessions {
            config.sticky_sessions = s;
        }
        apply_fields(&mut config, &req)?;
        self.check_no_http_acls_on(backend_id, config.forward_protocol)?;
        config.updated_at = now;
        if let Some(b) = self.backends.get_mut(&backend_id) {
            b.config = config;
        }
        self.config_changed(lb_id, now);
        self.answer_backend(loc, caller, backend_id)
    }

    /// `DELETE /backends/{id}`: refused while a frontend or a route uses it.
    pub fn delete_backend(
        &mut self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(), ProviderError> {
        let lb_id = self.visible_backend(loc, caller, backend_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        if let Some(f) = self.frontends.values().find(|f| f.backend_id == backend_id) {
            return Err(still_in_use(format!(
                "the backend is the default backend of frontend {}",
                f.config.id
            )));
        }
        if let Some(r) = self
            .routes
            .values()
            .find(|r| r.route.backend_id == backend_id)
        {
            return Err(still_in_use(format!(
                "the backend is the target of route {}",
                r.route.id
            )));
        }
        self.backends.remove(&backend_id);
        self.config_changed(lb_id, now);
        Ok(())
    }

    fn change_servers(
        &mut self,
        (loc, caller, backend_id): (Locality, &Caller, Uuid),
        given: &[String],
        change: impl FnOnce(&mut Vec<String>, Vec<String>),
        ipam: &Ipam,
        now: DateTime<Utc>,
    ) -> Result<Backend, ProviderError> {
        let lb_id = self.visible_backend(loc, caller, backend_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        let servers = self.check_servers(lb_id, given, ipam)?;
        if let Some(b) = self.backends.get_mut(&backend_id) {
            change(&mut b.config.pool, servers);
            b.config.updated_at = now;
        }
        self.config_changed(lb_id, now);
        self.answer_backend(loc, caller, backend_id)
    }

    /// `POST /backends/{id}/servers`: adds servers (those already there stay once).
    pub fn add_backend_servers(
        &mut self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
        req: BackendServersRequest,
        ipam: &Ipam,
        now: DateTime<Utc>,
    ) -> Result<Backend, ProviderError> {
        let change = |pool: &mut Vec<String>, new: Vec<String>| {
            for s in new {
                if !pool.contains(&s) {
                    pool.push(s);
                }
            }
        };
        self.change_servers((loc, caller, backend_id), &req.server_ip, change, ipam, now)
    }

    /// `DELETE /backends/{id}/servers` (with a body): removes servers (absent ones are ignored;
    /// removal needs no reachability, only well-formed addresses).
    pub fn remove_backend_servers(
        &mut self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
        req: BackendServersRequest,
        now: DateTime<Utc>,
    ) -> Result<Backend, ProviderError> {
        let lb_id = self.visible_backend(loc, caller, backend_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        let mut gone = Vec::new();
        for (i, text) in req.server_ip.iter().enumerate() {
            let addr: IpAddr = text.trim().parse().map_err(|_| {
                ProviderError::invalid(
                    format!("server_ip.{i}"),
                    ArgumentReason::Format,
                    "must be an IP address",
                )
            })?;
            gone.push(addr.to_string());
        }
        if let Some(b) = self.backends.get_mut(&backend_id) {
            b.config.pool.retain(|s| !gone.contains(s));
            b.config.updated_at = now;
        }
        self.config_changed(lb_id, now);
        self.answer_backend(loc, caller, backend_id)
    }

    /// `PUT /backends/{id}/servers`: the whole list.
    pub fn set_backend_servers(
        &mut self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
        req: BackendServersRequest,
        ipam: &Ipam,
        now: DateTime<Utc>,
    ) -> Result<Backend, ProviderError> {
        let change = |pool: &mut Vec<String>, new: Vec<String>| *pool = new;
        self.change_servers((loc, caller, backend_id), &req.server_ip, change, ipam, now)
    }

    /// `PUT /backends/{id}/healthcheck`: answers the health check alone.
    pub fn update_health_check(
        &mut self,
        loc: Locality,
        caller: &Caller,
        backend_id: Uuid,
        req: HealthCheckWire,
        now: DateTime<Utc>,
    ) -> Result<HealthCheck, ProviderError> {
        let lb_id = self.visible_backend(loc, caller, backend_id)?.lb_id;
        self.changeable_lb(loc, caller, lb_id)?;
        let health = resolve_health_check(req, "")?;
        if let Some(b) = self.backends.get_mut(&backend_id) {
            b.config.health_check = health.clone();
            b.config.updated_at = now;
        }
        self.config_changed(lb_id, now);
        Ok(health)
    }
}

/// Applies the optional fields of a create or update to a backend, and checks the whole.
fn apply_fields(c: &mut BackendConfig, req: &BackendRequest) -> Result<(), ProviderError> {
    if let Some(name) = req.name.clone().filter(|n| !n.is_empty()) {
        c.name = name;
    }
    if let Some(n) = req.sticky_sessions_cookie_name.clone() {
        c.sticky_sessions_cookie_name = n;
    }
    if let Some(t) = req.timeout_server {
        c.timeout_server = t;
    }
    if let Some(t) = req.timeout_connect {
        c.timeout_connect = t;
    }
    if let Some(t) = req.timeout_tunnel {
        c.timeout_tunnel = t;
    }
    if let Some(a) = req.on_marked_down_action {
        c.on_marked_down_action = a;
    }
    match req.proxy_protocol {
        Some(p) if p != ProxyProtocol::ProxyProtocolUnknown => c.proxy_protocol = p,
        _ => match req.send_proxy_v2 {
            Some(true) => c.proxy_protocol = ProxyProtocol::ProxyProtocolV2,
            Some(false) if c.proxy_protocol == ProxyProtocol::ProxyProtocolV2 => {
                c.proxy_protocol = ProxyProtocol::ProxyProtocolNone
            }
            _ => {}
        },
    }
    c.send_proxy_v2 = c.proxy_protocol == ProxyProtocol::ProxyProtocolV2;
    if let Some(h) = req.failover_host.clone() {
        c.failover_host = Some(h).filter(|h| !h.is_empty());
    }
    if let Some(b) = req.ssl_bridging {
        c.ssl_bridging = b;
    }
    if let Some(b) = req.ignore_ssl_server_verify {
        c.ignore_ssl_server_verify = Some(b);
    }
    if let Some(n) = req.redispatch_attempt_count {
        c.redispatch_attempt_count = Some(n);
    }
    if let Some(n) = req.max_retries {
        c.max_retries = n;
    }
    if let Some(n) = req.max_connections {
        c.max_connections = Some(n);
    }
    if let Some(t) = req.timeout_queue {
        c.timeout_queue = t;
    }
    if let Some(h) = req.host.clone() {
        c.host = h;
    }
    match c.sticky_sessions {
        StickySessionsType::Cookie if c.forward_protocol == Protocol::Tcp => {
            Err(ProviderError::constraint(
                "sticky_sessions",
                "cookie stickiness needs an HTTP backend; a TCP backend allows table stickiness only",
            ))
        }
        StickySessionsType::Cookie if c.sticky_sessions_cookie_name.is_empty() => {
            Err(ProviderError::invalid(
                "sticky_sessions_cookie_name",
                ArgumentReason::Required,
                "is required with cookie stickiness",
            ))
        }
        _ => Ok(()),
    }
}
