//! The LB model's tests: ACL semantics, balancing, health-check timing, requests, validation.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::*;

mod acls;
mod balancing;
mod health;
mod requests;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The LB's address.
const VIP: &str = "172.16.4.100";

fn vip(port: u16) -> SocketAddr {
    SocketAddr::new(ip(VIP), port)
}

/// Server `i`'s address: 172.16.4.10, .11, …
fn server(i: usize) -> IpAddr {
    IpAddr::from([172, 16, 4, 10 + u8::try_from(i).unwrap()])
}

/// An HTTP LB "web" on port 80 with backend "apps" of `n` servers on 8080, checked by `GET
/// /health` every second, down after 2 failures.
fn web(n: usize) -> LbConfig {
    let mut backend = Backend::new("apps", Protocol::Http, 8080, (0..n).map(server).collect());
    backend.health_check.check_delay = ms(1000);
    backend.health_check.check_timeout = ms(500);
    backend.health_check.check_max_retries = 2;
    backend.health_check.config = CheckConfig::Http(HttpCheck::get("/health"));
    let mut config = LbConfig::new("web", vec![format!("{VIP}/22").parse().unwrap()]);
    config.backends.push(backend);
    config.frontends.push(Frontend::new("http", 80, "apps"));
    config
}

/// Hosts where server `i` answers `app{i+1}` on 8080.
fn apps(n: usize) -> EndpointTable {
    let mut hosts = EndpointTable::new();
    for i in 0..n {
        let body = format!("app{}", i + 1);
        hosts.listen(server(i), 8080, Listener::Http(HttpService::new(body)));
    }
    hosts
}

/// The body answered, or the outcome if it is not an answer.
fn body(trace: &LbTrace) -> String {
    match &trace.outcome {
        Outcome::Answered { body, .. } => body.clone(),
        other => format!("{other:?}"),
    }
}

fn get(lb: &mut Lb, now: Duration, hosts: &EndpointTable, target: &str) -> LbTrace {
    lb.handle(
        now,
        &Request::http_get(ip("10.1.0.5"), vip(80), target),
        hosts,
    )
}
