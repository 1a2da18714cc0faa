//! [`Lb`]: one Load Balancer running in the model — its health checks on the caller's clock,
//! its balancers and stick tables, and what it does with each request.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::acl::{
    AclAction, AclActionRedirect, AclRule, DEFAULT_REDIRECT_CODE, RedirectType, Subject,
};
use super::balance::{Balancer, Pick};
use super::check::run_check;
use super::config::{LbConfig, Protocol, RouteMatch, StickySessions, server_name};
use super::health::{ServerHealth, first_checks};
use super::request::{AclHit, Choice, LbTrace, Outcome, Request, RouteHit, ServerHit};
use super::service::{Endpoint, Endpoints, Listener};
use super::stats::{BackendStats, HealthEvent, ServerStats, ServerStatus};
use super::sticky::StickTable;
use super::validate::ConfigError;

/// A Load Balancer in the model.
///
/// Built from a validated [`LbConfig`] at a time `now` (a start or a reload: every server
/// starts up, as in a fresh HAProxy). [`Lb::poll`] runs the health checks that are due;
/// [`Lb::handle`] answers a request. Time is the caller's: call `poll` at each
/// [`Lb::next_deadline`] (or at least before changing what the hosts answer), so each check
/// sees the hosts as they were when it started.
#[derive(Clone, Debug)]
pub struct Lb {
    config: LbConfig,
    /// Per frontend, its ACLs in evaluation order.
    rules: Vec<Vec<AclRule>>,
    backends: Vec<BackendState>,
    /// (backend, server) in HAProxy's check order.
    check_order: Vec<(usize, usize)>,
}

#[derive(Clone, Debug)]
struct BackendState {
    balancer: Balancer,
    health: Vec<ServerHealth>,
    table: StickTable,
}

impl Lb {
    /// Starts an LB at `now`.
    pub fn new(config: LbConfig, now: Duration) -> Result<Self, ConfigError> {
        config.validate()?;
        let mut rules = Vec::with_capacity(config.frontends.len());
        for frontend in &config.frontends {
            let compiled = frontend
                .acls_in_order()
                .into_iter()
                .map(|acl| {
                    AclRule::new(acl).map_err(|e| ConfigError::Regex {
                        acl: acl.name.clone(),
                        reason: e.to_string(),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(compiled);
        }
        let mut check_order = Vec::new();
        let mut intervals = Vec::new();
        for (b, backend) in config.backends.iter().enumerate() {
            let probe = ServerHealth::new(&backend.health_check, now, now);
            for s in 0..backend.servers.len() {
                check_order.push((b, s));
                intervals.push(probe.interval(&backend.health_check));
            }
        }
        let firsts = first_checks(now, &intervals);
        let mut backends: Vec<BackendState> = config
            .backends
            .iter()
            .map(|backend| BackendState {
                balancer: Balancer::new(
                    backend.forward_port_algorithm,
                    backend.servers.len(),
                    backend.failover_host.is_some(),
                ),
                health: Vec::with_capacity(backend.servers.len()),
                table: StickTable::new(),
            })
            .collect();
        for (&(b, _), first) in check_order.iter().zip(firsts) {
            if let (Some(state), Some(backend)) = (backends.get_mut(b), config.backends.get(b)) {
                state
                    .health
                    .push(ServerHealth::new(&backend.health_check, now, first));
            }
        }
        Ok(Lb {
            config,
            rules,
            backends,
            check_order,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &LbConfig {
        &self.config
    }

    /// When the next check starts or completes.
    pub fn next_deadline(&self) -> Option<Duration> {
        self.backends
            .iter()
            .flat_map(|b| b.health.iter().filter_map(ServerHealth::deadline))
            .min()
    }

    /// Runs, in time order, every check that starts or completes at or before `now`; each
    /// check meets what `hosts` answers now. Returns the status changes.
    pub fn poll(&mut self, now: Duration, hosts: &impl Endpoints) -> Vec<HealthEvent> {
        let mut events = Vec::new();
        loop {
            let due = self
                .check_order
                .iter()
                .filter_map(|&(b, s)| {
                    let at = self.backends.get(b)?.health.get(s)?.deadline()?;
                    (at <= now).then_some((at, b, s))
                })
                .min_by_key(|(at, _, _)| *at);
            let Some((at, b, s)) = due else {
                return events;
            };
            if let Some(event) = self.step(at, b, s, hosts) {
                events.push(event);
            }
        }
    }

    /// Starts or completes the check of server `s` of backend `b`, due at `at`.
    fn step(
        &mut self,
        at: Duration,
        b: usize,
        s: usize,
        hosts: &impl Endpoints,
    ) -> Option<HealthEvent> {
        let backend = self.config.backends.get(b)?;
        let address = *backend.servers.get(s)?;
        let state = self.backends.get_mut(b)?;
        let health = state.health.get_mut(s)?;
        if !health.checking() {
            let endpoint = match self.config.source_toward(address) {
                Some(from) => {
                    hosts.endpoint(from, SocketAddr::new(address, backend.health_check.port))
                }
                None => Endpoint::NoRoute,
            };
            let result = run_check(&backend.health_check, backend.timeout_connect, &endpoint);
            health.start(at, result);
            if !result.duration.is_zero() {
                return None;
            }
        }
        if !health.checking() {
            return None;
        }
        let change = health.complete(&backend.health_check);
        state.balancer.set_usable(s, health.is_up());
        let change = change?;
        Some(HealthEvent {
            at,
            backend: backend.name.clone(),
            server: address,
            from: change.from,
            to: change.to,
            check_status: health.last().status,
        })
    }

    /// What the LB does with `request` at `now`; the servers answer as `hosts` says.
    pub fn handle(&mut self, now: Duration, request: &Request, hosts: &impl Endpoints) -> LbTrace {
        let mut trace = LbTrace {
            lb: self.config.name.clone(),
            frontend: None,
            protocol: None,
            acl: None,
            route: None,
            backend: None,
            server: None,
            outcome: Outcome::NoListener,
        };
        let owned = self
            .config
            .addresses
            .iter()
            .any(|net| net.addr() == request.destination.ip());
        let found = self
            .config
            .frontends
            .iter()
            .position(|f| f.inbound_port == request.destination.port());
        let (Some(f), true) = (found, owned) else {
            return trace;
        };
        let Some(frontend) = self.config.frontends.get(f) else {
            return trace;
        };
        trace.frontend = Some(frontend.name.clone());
        let Some(protocol) = self
            .config
            .backend(&frontend.backend)
            .map(|b| b.forward_protocol)
        else {
            return trace;
        };
        trace.protocol = Some(protocol);
        let http = match (protocol, &request.http) {
            (Protocol::Http, None) => {
                trace.outcome = Outcome::BadRequest;
                return trace;
            }
            (Protocol::Http, Some(http)) => Some(http),
            (Protocol::Tcp, _) => None,
        };
        let subject = Subject {
            source: request.source,
            path: http.map(|h| h.path()),
            headers: http.map(|h| h.headers.as_slice()).unwrap_or(&[]),
        };
        let rules = self.rules.get(f).map(Vec::as_slice).unwrap_or(&[]);
        let hit = rules.iter().enumerate().find_map(|(position, rule)| {
            rule.check(&subject).map(|why| AclHit {
                position,
                index: rule.acl().index,
                name: rule.acl().name.clone(),
                action: rule.acl().action.clone(),
                why,
            })
        });
        if let Some(hit) = hit {
            let action = hit.action.clone();
            trace.acl = Some(hit);
            match action {
                AclAction::Allow => {}
                AclAction::Deny => {
                    trace.outcome = Outcome::Denied;
                    return trace;
                }
                AclAction::Redirect(redirect) => {
                    let tls = !frontend.certificates.is_empty();
                    trace.outcome = redirect_outcome(&redirect, http, tls);
                    return trace;
                }
            }
        }
        let route = frontend
            .routes
            .iter()
            .enumerate()
            .find(|(_, route)| route_matches(&route.r#match, request.sni.as_deref(), http));
        let backend_name = match route {
            Some((position, route)) => {
                trace.route = Some(RouteHit {
                    position,
                    r#match: route.r#match.clone(),
                });
                route.backend.clone()
            }
            None => frontend.backend.clone(),
        };
        trace.backend = Some(backend_name.clone());
        self.forward(now, request, &backend_name, hosts, &mut trace);
        trace
    }

    /// Picks a server of `backend_name`, connects (with retries) and relays.
    fn forward(
        &mut self,
        now: Duration,
        request: &Request,
        backend_name: &str,
        hosts: &impl Endpoints,
        trace: &mut LbTrace,
    ) {
        let Some(b) = self
            .config
            .backends
            .iter()
            .position(|b| b.name == backend_name)
        else {
            return;
        };
        let (Some(backend), Some(state)) = (self.config.backends.get(b), self.backends.get_mut(b))
        else {
            return;
        };
        let http = request.http.as_ref();
        let sticky = match &backend.sticky_sessions {
            StickySessions::Cookie { cookie_name } => http
                .and_then(|h| cookie_server(&h.headers, cookie_name))
                .filter(|i| state.balancer.is_usable(*i))
                .map(|i| (i, Choice::Cookie)),
            StickySessions::Table => state
                .table
                .get(request.source, now)
                .filter(|i| state.balancer.is_usable(*i))
                .map(|i| (i, Choice::Table)),
            StickySessions::None => None,
        };
        let (mut server, mut choice) = match sticky {
            Some(pick) => pick,
            None => match state.balancer.pick(None) {
                Some(Pick::Server(i)) => (i, Choice::Balanced),
                Some(Pick::Backup) => {
                    trace.outcome = Outcome::Failover {
                        host: backend.failover_host.clone().unwrap_or_default(),
                    };
                    return;
                }
                None => {
                    trace.outcome = Outcome::NoServer;
                    return;
                }
            },
        };
        let connect = |i: usize| -> Option<(SocketAddr, Endpoint)> {
            let ip: IpAddr = *backend.servers.get(i)?;
            let to = SocketAddr::new(ip, backend.forward_port);
            let endpoint = match self.config.source_toward(ip) {
                Some(from) => hosts.endpoint(from, to),
                None => Endpoint::NoRoute,
            };
            Some((to, endpoint))
        };
        let Some((mut address, mut endpoint)) = connect(server) else {
            return;
        };
        let mut retry = 0;
        while matches!(
            endpoint,
            Endpoint::Unreachable | Endpoint::Closed | Endpoint::NoRoute
        ) && retry < backend.max_retries
        {
            retry += 1;
            // HAProxy's `option redispatch N`: every Nth retry goes to another server (and,
            // when the server was not chosen by cookie, any retry while several are up).
            let redispatch = backend.redispatch_attempt_count.is_some_and(|n| {
                n > 0
                    && (retry % n == 0
                        || (choice != Choice::Cookie && state.balancer.usable_count() > 1))
            });
            if redispatch
                && let Some(Pick::Server(other)) = state.balancer.pick(Some(server))
                && other != server
            {
                server = other;
                choice = Choice::Redispatched;
            }
            let Some(next) = connect(server) else {
                return;
            };
            (address, endpoint) = next;
        }
        trace.server = Some(ServerHit {
            index: server,
            address,
            choice,
        });
        let listener = match endpoint {
            Endpoint::Unreachable | Endpoint::Closed | Endpoint::NoRoute => {
                trace.outcome = Outcome::ServerUnavailable;
                return;
            }
            Endpoint::Listening(listener) => listener,
        };
        // ssl_bridging: HAProxy speaks TLS to the server; peerlab's HTTP services speak plain
        // HTTP, so the handshake fails like a refused connection.
        if backend.ssl_bridging && matches!(listener, Listener::Http(_)) {
            trace.outcome = Outcome::ServerUnavailable;
            return;
        }
        if backend.sticky_sessions == StickySessions::Table {
            state.table.store(request.source, server, now);
        }
        trace.outcome = match (backend.forward_protocol, listener, http) {
            (Protocol::Tcp, _, _) => Outcome::Connected,
            (Protocol::Http, Listener::Hung, _) => Outcome::GatewayTimeout,
            (Protocol::Http, Listener::App(_), _) | (Protocol::Http, _, None) => {
                Outcome::BadGateway
            }
            (Protocol::Http, Listener::Http(service), Some(http)) => {
                let answer = service.answer(&http.target);
                let set_cookie = match &backend.sticky_sessions {
                    StickySessions::Cookie { cookie_name } if choice != Choice::Cookie => {
                        Some(format!("{cookie_name}={}", server_name(server)))
                    }
                    _ => None,
                };
                Outcome::Answered {
                    status: answer.status,
                    body: answer.body,
                    set_cookie,
                }
            }
        };
    }

    /// Every backend's statistics at this point.
    pub fn stats(&self) -> Vec<BackendStats> {
        self.config
            .backends
            .iter()
            .zip(&self.backends)
            .map(|(backend, state)| BackendStats {
                backend: backend.name.clone(),
                servers: backend
                    .servers
                    .iter()
                    .zip(&state.health)
                    .map(|(address, health)| ServerStats {
                        address: *address,
                        port: backend.forward_port,
                        status: health.status(),
                        check_status: health.last().status,
                        check_code: health.last().code,
                        failed_checks: health.failed_checks(),
                        down_transitions: health.down_transitions(),
                        last_change: health.last_change(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// One backend's statistics.
    pub fn backend_stats(&self, backend: &str) -> Option<BackendStats> {
        self.stats().into_iter().find(|s| s.backend == backend)
    }

    /// The status of server `address` in `backend`.
    pub fn server_status(&self, backend: &str, address: IpAddr) -> Option<ServerStatus> {
        let stats = self.backend_stats(backend)?;
        stats
            .servers
            .iter()
            .find(|s| s.address == address)
            .map(|s| s.status)
    }
}

/// Whether a route matches the request (`req.ssl_sni -i`, `req.hdr(host),field(1,:) -i`,
/// `path_beg`; subdomains: `-m end .value`).
fn route_matches(
    r#match: &RouteMatch,
    sni: Option<&str>,
    http: Option<&super::request::HttpRequest>,
) -> bool {
    let name_matches = |name: &str, value: &str, subdomains: bool| {
        let name = name.to_ascii_lowercase();
        let value = value.to_ascii_lowercase();
        name == value || (subdomains && name.ends_with(&format!(".{value}")))
    };
    match r#match {
        RouteMatch::Sni {
            value,
            match_subdomains,
        } => sni.is_some_and(|s| name_matches(s, value, *match_subdomains)),
        RouteMatch::HostHeader {
            value,
            match_subdomains,
        } => http.is_some_and(|h| {
            super::acl::header_values(&h.headers, "host").any(|host| {
                let host = host.split(':').next().unwrap_or("");
                name_matches(host, value, *match_subdomains)
            })
        }),
        RouteMatch::PathBegin(prefix) => {
            http.is_some_and(|h| h.path().starts_with(prefix.as_str()))
        }
    }
}

/// The server a stickiness cookie names (`NAME=sN` in a `Cookie` header).
fn cookie_server(headers: &[(String, String)], name: &str) -> Option<usize> {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
        .flat_map(|(_, v)| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| v.strip_prefix('s')?.parse().ok())
}

/// The redirect an ACL sends: `location` with `{{host}}`, `{{path}}`, `{{query}}` and
/// `{{scheme}}` filled in, or `scheme://host/target`.
fn redirect_outcome(
    redirect: &AclActionRedirect,
    http: Option<&super::request::HttpRequest>,
    tls: bool,
) -> Outcome {
    let host = http.and_then(|h| h.header("host")).unwrap_or("");
    let path = http.map(|h| h.path()).unwrap_or("/");
    let query = http.and_then(|h| h.query()).unwrap_or("");
    let scheme = if tls { "https" } else { "http" };
    let location = match redirect.r#type {
        RedirectType::Location => redirect
            .target
            .replace("{{host}}", host)
            .replace("{{path}}", path)
            .replace("{{query}}", query)
            .replace("{{scheme}}", scheme),
        RedirectType::Scheme => {
            let target = http.map(|h| h.target.as_str()).unwrap_or("/");
            format!("{}://{host}{target}", redirect.target)
        }
    };
    Outcome::Redirected {
        code: redirect.code.unwrap_or(DEFAULT_REDIRECT_CODE),
        location,
    }
}
