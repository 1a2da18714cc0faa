//! The Scaleway Load Balancer's data plane, in memory: what HAProxy would do.
//!
//! An [`LbConfig`] says what one LB is configured to do, in the API's words (frontends,
//! backends, health checks, ACLs, routes, the LB's addresses). An [`Lb`] runs it on a clock
//! that is handed in:
//!
//! - [`Lb::poll`] runs the health checks that are due, counting `fall`/`rise` exactly as
//!   HAProxy 2.6 does ([`health`]), against what the hosts answer ([`Endpoints`]: the caller's
//!   services and reachability from the LB's address);
//! - [`Lb::handle`] says what happens to a request: which frontend took it, which ACL index
//!   matched and why, which route and backend, which server — picked by HAProxy's own
//!   algorithms ([`balance`]) and stickiness — or why it failed ([`Outcome`]);
//! - [`Lb::stats`] gives the backend stats in HAProxy's words and the API's.
//!
//! The same [`LbConfig`] is rendered into a real HAProxy by `linux::haproxy`; in namespace
//! mode the two must agree.
//!
//! ```
//! use dataplane::lb::*;
//! use std::net::SocketAddr;
//! use std::time::Duration;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (app1, app2) = ("172.16.4.10".parse()?, "172.16.4.11".parse()?);
//! let mut backend = Backend::new("apps", Protocol::Http, 8080, vec![app1, app2]);
//! backend.health_check.check_delay = Duration::from_millis(1000);
//! backend.health_check.check_max_retries = 2;
//! backend.health_check.config = CheckConfig::Http(HttpCheck::get("/health"));
//! let mut frontend = Frontend::new("http", 80, "apps");
//! frontend.acls.push(Acl {
//!     name: "no-admin".into(),
//!     index: 0,
//!     action: AclAction::Deny,
//!     r#match: AclMatch {
//!         http_filter: AclHttpFilter::PathBegin,
//!         http_filter_value: vec!["/admin".into()],
//!         ..AclMatch::default()
//!     },
//! });
//! let mut config = LbConfig::new("web", vec!["172.16.4.100/22".parse()?]);
//! config.backends.push(backend);
//! config.frontends.push(frontend);
//!
//! let mut hosts = EndpointTable::new();
//! hosts.listen(app1, 8080, Listener::Http(HttpService::new("app1")));
//! hosts.listen(app2, 8080, Listener::Http(HttpService::new("app2")));
//! let mut lb = Lb::new(config, Duration::ZERO)?;
//! let vip: SocketAddr = "172.16.4.100:80".parse()?;
//! let laptop = "10.1.0.5".parse()?;
//!
//! let bodies: Vec<_> = (0..4)
//!     .map(|_| match lb.handle(Duration::ZERO, &Request::http_get(laptop, vip, "/"), &hosts).outcome {
//!         Outcome::Answered { body, .. } => body,
//!         other => panic!("{other:?}"),
//!     })
//!     .collect();
//! assert_eq!(bodies, ["app1", "app2", "app1", "app2"]);
//!
//! let admin = lb.handle(Duration::ZERO, &Request::http_get(laptop, vip, "/admin/users"), &hosts);
//! assert_eq!(admin.http_status(), Some(403));
//! assert_eq!(admin.acl.map(|a| a.index), Some(0));
//!
//! // app2 stops: two failed checks later it is down, and app1 takes everything.
//! hosts.close(app2, 8080);
//! let events = lb.poll(Duration::from_secs(5), &hosts);
//! assert!(events.iter().any(|e| e.server == app2 && e.went_down()));
//! assert_eq!(lb.backend_stats("apps").unwrap().down(), vec![app2]);
//! # Ok(())
//! # }
//! ```
//!
//! Not here: the provider's objects and API errors (`provider::lb`), packet paths to and from
//! the LB (the rest of `dataplane`), HAProxy itself (`linux::haproxy`).

pub mod acl;
pub mod balance;
pub mod check;
pub mod config;
pub mod health;
mod model;
pub mod request;
pub mod service;
pub mod stats;
pub mod sticky;
mod validate;

#[cfg(test)]
mod tests;

pub use acl::{Acl, AclAction, AclActionRedirect, AclHttpFilter, AclMatch, AclWhy, RedirectType};
pub use check::{CheckConfig, CheckStatus, HealthCheck, HttpCheck, RISE};
pub use config::{
    Backend, Certificate, ForwardPortAlgorithm, Frontend, LbConfig, OnMarkedDownAction, Protocol,
    ProxyProtocol, Route, RouteMatch, SslCompatibilityLevel, StickySessions, server_name,
};
pub use model::Lb;
pub use request::{AclHit, Choice, HttpRequest, LbTrace, Outcome, Request, RouteHit, ServerHit};
pub use service::{
    AppProtocol, Endpoint, EndpointTable, Endpoints, HttpAnswer, HttpService, Listener,
};
pub use stats::{BackendStats, HealthEvent, ServerState, ServerStats, ServerStatus};
pub use validate::ConfigError;
