//! What one Load Balancer is configured to do, in the API's own words: frontends, backends,
//! health checks, ACLs and routes, plus the addresses the LB holds.
//!
//! These are plain data with the real service's defaults ([`Backend::new`],
//! [`HealthCheck::new`]); [`LbConfig::validate`] says what a configuration may not contain.
//! The `world` maps the provider's objects (IDs, timestamps, JSON shapes) onto these types; the
//! model ([`crate::lb::Lb`]) and the HAProxy renderer (`linux::haproxy`) both read them.

use std::net::IpAddr;
use std::time::Duration;

use ipnet::IpNet;

use super::acl::Acl;
use super::check::HealthCheck;

/// `forward_protocol`: how a backend talks to its servers (and so the mode of the frontends
/// that use it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// `tcp`: bytes are relayed; only IP filters and SNI routes apply.
    Tcp,
    /// `http`: requests are parsed; HTTP filters, host and path routes apply.
    Http,
}

impl Protocol {
    /// The API's value.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Http => "http",
        }
    }
}

/// `forward_port_algorithm`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ForwardPortAlgorithm {
    /// `roundrobin`: HAProxy's weighted round robin (all servers weigh the same).
    Roundrobin,
    /// `leastconn`: the server with the fewest connections in flight.
    Leastconn,
    /// `first`: the first server (in declaration order) with a free slot.
    First,
}

impl ForwardPortAlgorithm {
    /// The API's value (also HAProxy's `balance` keyword).
    pub fn as_str(self) -> &'static str {
        match self {
            ForwardPortAlgorithm::Roundrobin => "roundrobin",
            ForwardPortAlgorithm::Leastconn => "leastconn",
            ForwardPortAlgorithm::First => "first",
        }
    }
}

/// `sticky_sessions` (with `sticky_sessions_cookie_name` for cookies).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum StickySessions {
    /// `none`.
    None,
    /// `cookie`: the LB inserts a cookie naming the server (HTTP backends only).
    Cookie {
        /// `sticky_sessions_cookie_name`.
        cookie_name: String,
    },
    /// `table`: the client's source address is remembered with the server that served it.
    Table,
}

/// `on_marked_down_action`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OnMarkedDownAction {
    /// `on_marked_down_action_none`: established sessions go on.
    None,
    /// `shutdown_sessions`: a server marked down has its sessions closed.
    ShutdownSessions,
}

/// `proxy_protocol` toward the servers (`proxy_protocol_unknown` is taken as none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProxyProtocol {
    /// `proxy_protocol_none`.
    None,
    /// `proxy_protocol_v1`: the text header.
    V1,
    /// `proxy_protocol_v2`: the binary header.
    V2,
    /// `proxy_protocol_v2_ssl`: v2 with the SSL TLVs.
    V2Ssl,
    /// `proxy_protocol_v2_ssl_cn`: v2 with the SSL TLVs and the client certificate's CN.
    V2SslCn,
}

/// `ssl_compatibility_level` of the LB: the oldest TLS version its TLS frontends accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SslCompatibilityLevel {
    /// `ssl_compatibility_level_intermediate` (the default): TLS 1.2 and later.
    Intermediate,
    /// `ssl_compatibility_level_modern`: TLS 1.3 only.
    Modern,
    /// `ssl_compatibility_level_old`: TLS 1.0 and later.
    Old,
}

/// A certificate bound on a frontend: the PEM the API was given (`certificate_chain`: the
/// certificate, its chain and the private key), or the self-signed stand-in for Let's Encrypt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    /// The certificate's name (unique within the LB; also its file name when rendered).
    pub name: String,
    /// Certificate chain and private key, PEM.
    pub pem: String,
}

/// A frontend: a port the LB listens on, on every one of its addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frontend {
    /// The frontend's name (unique within the LB).
    pub name: String,
    /// `inbound_port`.
    pub inbound_port: u16,
    /// The default backend's name (`backend_id`).
    pub backend: String,
    /// `timeout_client`.
    pub timeout_client: Duration,
    /// Certificates (`certificate_ids`): if any, the frontend terminates TLS.
    pub certificates: Vec<Certificate>,
    /// `connection_rate_limit` in new connections per second; `None` (or the API's 0) is no
    /// limit.
    pub connection_rate_limit: Option<u32>,
    /// `enable_http3`. Kept but not rendered: Debian's HAProxy is built without QUIC.
    pub enable_http3: bool,
    /// `enable_access_logs`.
    pub enable_access_logs: bool,
    /// The frontend's ACLs in any order; they apply by ascending `index`
    /// ([`Frontend::acls_in_order`]).
    pub acls: Vec<Acl>,
    /// The routes in the order they were created: the first match picks the backend.
    pub routes: Vec<Route>,
}

/// The default `timeout_client` (HAProxy's sample rendering; the API documents none).
pub const DEFAULT_TIMEOUT_CLIENT: Duration = Duration::from_secs(30);

impl Frontend {
    /// A frontend on `inbound_port` toward `backend`, without ACLs, routes or certificates.
    pub fn new(name: impl Into<String>, inbound_port: u16, backend: impl Into<String>) -> Self {
        Frontend {
            name: name.into(),
            inbound_port,
            backend: backend.into(),
            timeout_client: DEFAULT_TIMEOUT_CLIENT,
            certificates: Vec::new(),
            connection_rate_limit: None,
            enable_http3: false,
            enable_access_logs: false,
            acls: Vec::new(),
            routes: Vec::new(),
        }
    }

    /// The ACLs by ascending `index`; ACLs with the same index keep their order in
    /// [`Frontend::acls`]. The model and the renderer both use this order.
    pub fn acls_in_order(&self) -> Vec<&Acl> {
        let mut acls: Vec<&Acl> = self.acls.iter().collect();
        acls.sort_by_key(|acl| acl.index);
        acls
    }
}

/// What a route matches (`RouteMatch`, a one-of).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteMatch {
    /// `sni`: the TLS ClientHello's server name (TCP frontends).
    Sni {
        /// The name.
        value: String,
        /// `match_subdomains`: also every name ending in `.value`.
        match_subdomains: bool,
    },
    /// `host_header`: the HTTP `Host` header, without its port (HTTP frontends).
    HostHeader {
        /// The host.
        value: String,
        /// `match_subdomains`: also every host ending in `.value`.
        match_subdomains: bool,
    },
    /// `path_begin`: the request path starts with this (HTTP frontends).
    PathBegin(String),
}

/// A route: traffic of the frontend that matches goes to `backend` instead of the default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The target backend's name (`backend_id`).
    pub backend: String,
    /// `match`.
    pub r#match: RouteMatch,
}

/// A backend: servers, how to pick one, how to check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    /// The backend's name (unique within the LB).
    pub name: String,
    /// `forward_protocol`.
    pub forward_protocol: Protocol,
    /// `forward_port`.
    pub forward_port: u16,
    /// `forward_port_algorithm`.
    pub forward_port_algorithm: ForwardPortAlgorithm,
    /// `sticky_sessions` (+ `sticky_sessions_cookie_name`).
    pub sticky_sessions: StickySessions,
    /// The servers' addresses (`pool`, set by `server_ip`), in order.
    pub servers: Vec<IpAddr>,
    /// `health_check`.
    pub health_check: HealthCheck,
    /// `timeout_server`.
    pub timeout_server: Duration,
    /// `timeout_connect`.
    pub timeout_connect: Duration,
    /// `timeout_tunnel`.
    pub timeout_tunnel: Duration,
    /// `timeout_queue`.
    pub timeout_queue: Duration,
    /// `on_marked_down_action`.
    pub on_marked_down_action: OnMarkedDownAction,
    /// `proxy_protocol`.
    pub proxy_protocol: ProxyProtocol,
    /// `failover_host`: served when every server is down (rendered as a backup server).
    pub failover_host: Option<String>,
    /// `ssl_bridging`: TLS toward the servers.
    pub ssl_bridging: bool,
    /// `ignore_ssl_server_verify`.
    pub ignore_ssl_server_verify: bool,
    /// `redispatch_attempt_count`: retry on another server every this many retries.
    pub redispatch_attempt_count: Option<u32>,
    /// `max_retries`: connection attempts after the first one fails.
    pub max_retries: u32,
    /// `max_connections` per server.
    pub max_connections: Option<u32>,
}

/// `timeout_server` default: 300 s.
pub const DEFAULT_TIMEOUT_SERVER: Duration = Duration::from_secs(300);
/// `timeout_connect` default: 5 s.
pub const DEFAULT_TIMEOUT_CONNECT: Duration = Duration::from_secs(5);
/// `timeout_tunnel` default: 900 s.
pub const DEFAULT_TIMEOUT_TUNNEL: Duration = Duration::from_secs(900);
/// `timeout_queue` default: 5 s.
pub const DEFAULT_TIMEOUT_QUEUE: Duration = Duration::from_secs(5);
/// `max_retries` default: 3.
pub const DEFAULT_MAX_RETRIES: u32 = 3;

impl Backend {
    /// A backend with the real service's defaults (configuring-backends.mdx): round robin, no
    /// stickiness, a TCP health check on `forward_port`, timeouts server 300 s, connect 5 s,
    /// tunnel 900 s, queue 5 s, 3 retries, no PROXY protocol.
    pub fn new(
        name: impl Into<String>,
        forward_protocol: Protocol,
        forward_port: u16,
        servers: Vec<IpAddr>,
    ) -> Self {
        Backend {
            name: name.into(),
            forward_protocol,
            forward_port,
            forward_port_algorithm: ForwardPortAlgorithm::Roundrobin,
            sticky_sessions: StickySessions::None,
            servers,
            health_check: HealthCheck::new(forward_port),
            timeout_server: DEFAULT_TIMEOUT_SERVER,
            timeout_connect: DEFAULT_TIMEOUT_CONNECT,
            timeout_tunnel: DEFAULT_TIMEOUT_TUNNEL,
            timeout_queue: DEFAULT_TIMEOUT_QUEUE,
            on_marked_down_action: OnMarkedDownAction::None,
            proxy_protocol: ProxyProtocol::None,
            failover_host: None,
            ssl_bridging: false,
            ignore_ssl_server_verify: false,
            redispatch_attempt_count: None,
            max_retries: DEFAULT_MAX_RETRIES,
            max_connections: None,
        }
    }
}

/// One Load Balancer's data-plane configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LbConfig {
    /// The LB's name or ID (labels, file names): 1 to 64 characters among `a-z A-Z 0-9 - _ .`.
    pub name: String,
    /// The LB's addresses with their prefix: one per attached private network (its IPAM
    /// address) and its flexible IPs. Every frontend listens on each of them.
    pub addresses: Vec<IpNet>,
    /// `ssl_compatibility_level`.
    pub ssl_compatibility_level: SslCompatibilityLevel,
    /// The frontends.
    pub frontends: Vec<Frontend>,
    /// The backends.
    pub backends: Vec<Backend>,
}

impl LbConfig {
    /// An LB named `name` holding `addresses`, with no frontend or backend yet.
    pub fn new(name: impl Into<String>, addresses: Vec<IpNet>) -> Self {
        LbConfig {
            name: name.into(),
            addresses,
            ssl_compatibility_level: SslCompatibilityLevel::Intermediate,
            frontends: Vec::new(),
            backends: Vec::new(),
        }
    }

    /// The backend named `name`.
    pub fn backend(&self, name: &str) -> Option<&Backend> {
        self.backends.iter().find(|b| b.name == name)
    }

    /// The frontend named `name`.
    pub fn frontend(&self, name: &str) -> Option<&Frontend> {
        self.frontends.iter().find(|f| f.name == name)
    }

    /// The address the LB sends from toward `server`: its address on the server's network,
    /// else its first address of the server's family (routed through a gateway).
    pub fn source_toward(&self, server: IpAddr) -> Option<IpAddr> {
        self.addresses
            .iter()
            .find(|net| net.contains(&server))
            .or_else(|| {
                self.addresses
                    .iter()
                    .find(|net| net.addr().is_ipv4() == server.is_ipv4())
            })
            .map(IpNet::addr)
    }
}

/// The name the LB gives server `index` of a backend (`s0`, `s1`, …): HAProxy's server name
/// and the value of the stickiness cookie.
pub fn server_name(index: usize) -> String {
    format!("s{index}")
}
