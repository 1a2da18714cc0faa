//! What answers at a server's address and port: the LB model's view of the hosts.
//!
//! The caller (the world) knows which services hosts run (`services = [{ port, http = { body,
//! paths } }]` in a topology, stopped and started by steps) and whether the LB reaches a host
//! at all (the data-plane trace from the LB's address). It hands that in through
//! [`Endpoints`]; health checks and requests read it. [`HttpService`] is also what
//! `linux`'s host services serve for real, so both answer the same.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

/// An HTTP service on a host: every path answers 200 with `body`, except the paths listed in
/// `paths`, which answer their status (with the same body, except for the statuses HTTP gives
/// no body: 1xx, 204 and 304).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpService {
    /// The body of every answer.
    pub body: String,
    /// Exact paths (without the query) and the status they answer.
    pub paths: BTreeMap<String, u16>,
}

/// An HTTP answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: String,
}

impl HttpService {
    /// A service answering `body` on every path.
    pub fn new(body: impl Into<String>) -> Self {
        HttpService {
            body: body.into(),
            paths: BTreeMap::new(),
        }
    }

    /// This service, with `path` answering `status`.
    pub fn with_path(mut self, path: impl Into<String>, status: u16) -> Self {
        self.paths.insert(path.into(), status);
        self
    }

    /// The status for a request target (`/path?query`; the query is ignored).
    pub fn status(&self, target: &str) -> u16 {
        let path = target.split('?').next().unwrap_or(target);
        self.paths.get(path).copied().unwrap_or(200)
    }

    /// The answer to a request for `target`.
    pub fn answer(&self, target: &str) -> HttpAnswer {
        let status = self.status(target);
        let bodiless = status < 200 || status == 204 || status == 304;
        HttpAnswer {
            status,
            body: if bodiless {
                String::new()
            } else {
                self.body.clone()
            },
        }
    }
}

/// A non-HTTP application protocol a server speaks, for the database and directory checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppProtocol {
    /// MySQL (passes `mysql_config`).
    Mysql,
    /// PostgreSQL (passes `pgsql_config`).
    Pgsql,
    /// LDAP (passes `ldap_config`).
    Ldap,
    /// Redis (passes `redis_config`).
    Redis,
}

/// Something accepting connections on a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Listener {
    /// An HTTP service.
    Http(HttpService),
    /// A server of another application protocol.
    App(AppProtocol),
    /// Accepts and then says nothing (a hung process): HTTP requests time out.
    Hung,
}

/// What a connection from the LB to a server's port meets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// No answer at all (filtered, or a host that is not there on its segment): the
    /// connection times out.
    Unreachable,
    /// No route from the LB (or an ICMP unreachable comes back): the connection fails at
    /// once, as a refusal does.
    NoRoute,
    /// The host answers but nothing listens on the port: connection refused.
    Closed,
    /// Something listens.
    Listening(Listener),
}

/// The caller's knowledge of the hosts, as the LB sees them.
pub trait Endpoints {
    /// What a connection from `from` (the LB's address toward the server) to `to` meets.
    fn endpoint(&self, from: IpAddr, to: SocketAddr) -> Endpoint;
}

impl<F: Fn(IpAddr, SocketAddr) -> Endpoint> Endpoints for F {
    fn endpoint(&self, from: IpAddr, to: SocketAddr) -> Endpoint {
        self(from, to)
    }
}

/// A fixed table of endpoints, for tests and simple worlds: anything not listed is
/// [`Endpoint::Closed`] if its host is listed, else [`Endpoint::Unreachable`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointTable {
    hosts: BTreeMap<IpAddr, BTreeMap<u16, Listener>>,
}

impl EndpointTable {
    /// An empty table: every address unreachable.
    pub fn new() -> Self {
        EndpointTable::default()
    }

    /// Makes `host` reachable (with no port open).
    pub fn add_host(&mut self, host: IpAddr) {
        self.hosts.entry(host).or_default();
    }

    /// Makes `host` unreachable (its services are forgotten).
    pub fn remove_host(&mut self, host: IpAddr) {
        self.hosts.remove(&host);
    }

    /// Starts `listener` on `host:port` (the host becomes reachable).
    pub fn listen(&mut self, host: IpAddr, port: u16, listener: Listener) {
        self.hosts.entry(host).or_default().insert(port, listener);
    }

    /// Stops what listens on `host:port`.
    pub fn close(&mut self, host: IpAddr, port: u16) {
        if let Some(ports) = self.hosts.get_mut(&host) {
            ports.remove(&port);
        }
    }
}

impl Endpoints for EndpointTable {
    fn endpoint(&self, _from: IpAddr, to: SocketAddr) -> Endpoint {
        match self.hosts.get(&to.ip()) {
            None => Endpoint::Unreachable,
            Some(ports) => match ports.get(&to.port()) {
                None => Endpoint::Closed,
                Some(listener) => Endpoint::Listening(listener.clone()),
            },
        }
    }
}
