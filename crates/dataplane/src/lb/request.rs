//! A request arriving at an LB, and the LB's account of what it did with it: which frontend
//! took it, which ACL matched and why, which route and backend, which server — or why it
//! failed.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use super::acl::{AclAction, AclWhy};
use super::config::{Protocol, RouteMatch};

/// A connection (and, for HTTP frontends, its request) arriving at an LB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The client's address.
    pub source: IpAddr,
    /// Where it was sent: one of the LB's addresses and a frontend's port.
    pub destination: SocketAddr,
    /// The TLS ClientHello's server name, if the client sends one.
    pub sni: Option<String>,
    /// The HTTP request; `None` for a client that speaks no HTTP.
    pub http: Option<HttpRequest>,
}

/// An HTTP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: String,
    /// The request target: `/path?query`.
    pub target: String,
    /// The headers, in order (`Host` among them).
    pub headers: Vec<(String, String)>,
}

impl HttpRequest {
    /// `GET target` with a `Host` header.
    pub fn get(target: impl Into<String>, host: impl Into<String>) -> Self {
        HttpRequest {
            method: "GET".into(),
            target: target.into(),
            headers: vec![("Host".into(), host.into())],
        }
    }

    /// The path: the target up to `?` (HAProxy's `path`).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The query: after `?`, if any (HAProxy's `query`).
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The first header named `name` (case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Request {
    /// An HTTP `GET target` from `source` to `destination`, with `Host` set to the
    /// destination.
    pub fn http_get(source: IpAddr, destination: SocketAddr, target: &str) -> Self {
        Request {
            source,
            destination,
            sni: None,
            http: Some(HttpRequest::get(target, destination.to_string())),
        }
    }
}

/// The ACL that decided, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AclHit {
    /// Its position in evaluation order (0 is the first evaluated).
    pub position: usize,
    /// Its `index`.
    pub index: i32,
    /// Its name.
    pub name: String,
    /// Its action.
    pub action: AclAction,
    /// Why it matched.
    pub why: AclWhy,
}

/// The route that picked the backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteHit {
    /// Its position among the frontend's routes.
    pub position: usize,
    /// What it matched.
    pub r#match: RouteMatch,
}

/// How the server was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    /// By the balancing algorithm.
    Balanced,
    /// By the stickiness cookie.
    Cookie,
    /// By the stick table (the client's address).
    Table,
    /// Another server after connection failures (`redispatch_attempt_count`).
    Redispatched,
}

/// The server that got the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHit {
    /// Its index in the backend.
    pub index: usize,
    /// Its address and `forward_port`.
    pub address: SocketAddr,
    /// How it was chosen.
    pub choice: Choice,
}

/// How it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing listens on the destination (not an LB address, or no frontend on the port).
    NoListener,
    /// An HTTP frontend got bytes that are not HTTP: 400.
    BadRequest,
    /// An ACL denied it: 403 (HTTP) or the connection closed (TCP).
    Denied,
    /// An ACL redirected it.
    Redirected {
        /// 301, 302, 303, 307 or 308.
        code: u16,
        /// The `Location`.
        location: String,
    },
    /// The server answered (HTTP).
    Answered {
        /// Its status.
        status: u16,
        /// Its body.
        body: String,
        /// The stickiness cookie the LB set (`name=value`), if any.
        set_cookie: Option<String>,
    },
    /// The connection is relayed to the server (TCP).
    Connected,
    /// No server is up and there is no failover host: 503.
    NoServer,
    /// Every server is down: relayed to the failover host.
    Failover {
        /// `failover_host`.
        host: String,
    },
    /// The server could not be reached or refused, also on every retry: 503 (HTTP) or
    /// closed (TCP).
    ServerUnavailable,
    /// The server accepted and did not answer within `timeout_server`: 504.
    GatewayTimeout,
    /// The server answered something that is not HTTP: 502.
    BadGateway,
}

impl Outcome {
    /// The HTTP status a client of an HTTP frontend gets (`None` for the TCP-only outcomes,
    /// and for what the failover host would answer).
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Outcome::NoListener | Outcome::Connected | Outcome::Failover { .. } => None,
            Outcome::BadRequest => Some(400),
            Outcome::Denied => Some(403),
            Outcome::Redirected { code, .. } => Some(*code),
            Outcome::Answered { status, .. } => Some(*status),
            Outcome::NoServer | Outcome::ServerUnavailable => Some(503),
            Outcome::GatewayTimeout => Some(504),
            Outcome::BadGateway => Some(502),
        }
    }
}

/// What an LB did with a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LbTrace {
    /// The LB's name.
    pub lb: String,
    /// The frontend that took it.
    pub frontend: Option<String>,
    /// The frontend's protocol (its default backend's `forward_protocol`).
    pub protocol: Option<Protocol>,
    /// The ACL that decided, if one matched.
    pub acl: Option<AclHit>,
    /// The route that picked the backend, if one matched.
    pub route: Option<RouteHit>,
    /// The backend.
    pub backend: Option<String>,
    /// The server (the last one tried, if it failed).
    pub server: Option<ServerHit>,
    /// How it ended.
    pub outcome: Outcome,
}

impl LbTrace {
    /// The HTTP status the client gets; `None` unless an HTTP frontend took the request.
    pub fn http_status(&self) -> Option<u16> {
        match self.protocol {
            Some(Protocol::Http) => self.outcome.http_status(),
            _ => None,
        }
    }
}

impl fmt::Display for LbTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LB {:?}", self.lb)?;
        let Some(frontend) = &self.frontend else {
            return f.write_str(": no frontend listens there");
        };
        write!(f, ": frontend {frontend:?}")?;
        if let Some(acl) = &self.acl {
            write!(
                f,
                ", ACL #{} {:?} (index {}) {}: {}",
                acl.position,
                acl.name,
                acl.index,
                acl.action.as_str(),
                acl.why
            )?;
        }
        if let Some(route) = &self.route {
            let what = match &route.r#match {
                RouteMatch::Sni { value, .. } => format!("sni {value}"),
                RouteMatch::HostHeader { value, .. } => format!("host {value}"),
                RouteMatch::PathBegin(value) => format!("path_begin {value}"),
            };
            write!(f, ", route #{} ({what})", route.position)?;
        }
        if let Some(backend) = &self.backend {
            write!(f, ", backend {backend:?}")?;
        }
        if let Some(server) = &self.server {
            let how = match server.choice {
                Choice::Balanced => "balanced",
                Choice::Cookie => "sticky cookie",
                Choice::Table => "stick table",
                Choice::Redispatched => "redispatched",
            };
            write!(f, ", server {} ({how})", server.address)?;
        }
        match &self.outcome {
            Outcome::NoListener => f.write_str(": no listener"),
            Outcome::BadRequest => f.write_str(": 400, not HTTP"),
            Outcome::Denied if self.http_status().is_some() => f.write_str(": 403 denied"),
            Outcome::Denied => f.write_str(": denied, connection closed"),
            Outcome::Redirected { code, location } => write!(f, ": {code} to {location}"),
            Outcome::Answered { status, .. } => write!(f, ": {status}"),
            Outcome::Connected => f.write_str(": connected"),
            Outcome::NoServer if self.http_status().is_some() => {
                f.write_str(": 503, every server is down")
            }
            Outcome::NoServer => f.write_str(": every server is down, closed"),
            Outcome::Failover { host } => write!(f, ": every server is down, failover to {host}"),
            Outcome::ServerUnavailable if self.http_status().is_some() => {
                f.write_str(": 503, the server does not answer")
            }
            Outcome::ServerUnavailable => f.write_str(": the server does not answer, closed"),
            Outcome::GatewayTimeout => f.write_str(": 504, timeout_server expired"),
            Outcome::BadGateway => f.write_str(": 502, the server's answer is not HTTP"),
        }
    }
}
