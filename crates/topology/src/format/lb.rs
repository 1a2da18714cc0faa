//! `[lb]`: Scaleway Load Balancers of a topology (DESIGN.md, "Scaleway Load Balancer — contract"),
//! with the API's field names (`scaleway.lb.v1`) and references by name, and the `services` a
//! host answers on.
//!
//! ```toml
//! [lb]
//! zone = "fr-par-1"
//!
//! [[lb.lbs]]
//! name = "web"
//! type = "LB-S"
//! assign_flexible_ip = false
//! private_networks = [{ vpc = "prod", private_network = "app", static_config = { ip_address = ["172.16.4.100"] } }]
//!
//! [[lb.backends]]
//! name = "apps"
//! lb = "web"
//! forward_protocol = "http"
//! forward_port = 8080
//! servers = ["app1", "app2"]
//! health_check = { port = 8080, check_delay = 1000, check_timeout = 500, check_max_retries = 2, http_config = { uri = "/health", method = "GET", code = 200 } }
//!
//! [[lb.frontends]]
//! name = "http"
//! lb = "web"
//! backend = "apps"
//! inbound_port = 80
//!
//! [[lb.acls]]
//! name = "no-admin"
//! frontend = "http"
//! index = 0
//! action = { type = "deny" }
//! match = { http_filter = "path_begin", http_filter_value = ["/admin"] }
//! ```
//!
//! Only names are checked here (an unknown `lb`, `backend`, `frontend`, VPC or private network,
//! a server that is neither a host nor an IP address); what the API itself refuses (a port out
//! of range, an HTTP filter on a TCP backend, more than 8 private networks) is its answer,
//! reported when the runner makes the call. Where DESIGN.md is silent, optional keys follow the
//! SDK's names (`description`, `tags`, `tcp_config`, `redirect`).

use super::{FormatError, Location, Name, Topology, host_address, line_of};
use serde::Deserialize;
use std::collections::HashSet;

/// `[lb]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancing {
    /// The zone of the LBs (`fr-par-1`).
    #[serde(default = "default_zone")]
    pub zone: String,
    /// `[[lb.lbs]]`: the load balancers (`create_lb`).
    #[serde(default)]
    pub lbs: Vec<Lb>,
    /// `[[lb.backends]]` (`create_backend`).
    #[serde(default)]
    pub backends: Vec<Backend>,
    /// `[[lb.frontends]]` (`create_frontend`).
    #[serde(default)]
    pub frontends: Vec<Frontend>,
    /// `[[lb.acls]]` (`create_acl`).
    #[serde(default)]
    pub acls: Vec<Acl>,
}

fn default_zone() -> String {
    "fr-par-1".to_string()
}

/// `[[lb.lbs]]`: one load balancer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lb {
    /// Its name.
    pub name: Name,
    /// The offer (`LB-S`, `LB-GP-M` …).
    #[serde(rename = "type")]
    pub lb_type: String,
    /// Whether it gets a flexible (public) IP; `false` makes a private LB, reachable through
    /// its private networks only.
    #[serde(default)]
    pub assign_flexible_ip: bool,
    /// The private networks it is attached to (`attach_private_network`).
    #[serde(default)]
    pub private_networks: Vec<LbPrivateNetwork>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// An LB's leg on a VPC private network.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LbPrivateNetwork {
    /// The VPC, by name.
    pub vpc: Name,
    /// Its private network, by name.
    pub private_network: Name,
    /// Static addresses (`static_config.ip_address`); without one IPAM picks.
    #[serde(default)]
    pub static_config: Option<StaticConfig>,
}

/// `static_config = { ip_address = [...] }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticConfig {
    /// The LB's addresses on the private network.
    pub ip_address: Vec<String>,
}

/// `[[lb.backends]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Backend {
    /// Its name.
    pub name: Name,
    /// The LB, by name.
    pub lb: Name,
    /// `http` or `tcp`.
    pub forward_protocol: String,
    /// The servers' port.
    pub forward_port: u16,
    /// `roundrobin` (default), `leastconn` or `first`.
    #[serde(default = "default_algorithm")]
    pub forward_port_algorithm: String,
    /// `none` (default), `cookie` or `table`.
    #[serde(default = "default_sticky")]
    pub sticky_sessions: String,
    /// Host names or IP addresses.
    #[serde(default)]
    pub servers: Vec<Name>,
    /// The health check.
    #[serde(default)]
    pub health_check: Option<HealthCheck>,
}

fn default_algorithm() -> String {
    "roundrobin".to_string()
}

fn default_sticky() -> String {
    "none".to_string()
}

/// `health_check = { … }`: durations in milliseconds, as on the wire.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// The port checked.
    #[serde(default)]
    pub port: Option<u16>,
    /// Between two checks, in ms.
    #[serde(default)]
    pub check_delay: Option<u64>,
    /// A check's timeout, in ms.
    #[serde(default)]
    pub check_timeout: Option<u64>,
    /// Failures before a server is down.
    #[serde(default)]
    pub check_max_retries: Option<u32>,
    /// An HTTP check.
    #[serde(default)]
    pub http_config: Option<HttpCheck>,
    /// A TCP check (the default when no other is given): `tcp_config = {}`.
    #[serde(default)]
    pub tcp_config: Option<toml::Table>,
}

/// `http_config = { uri, method, code }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpCheck {
    /// The path asked for.
    pub uri: String,
    /// The method (`GET` by default).
    #[serde(default)]
    pub method: Option<String>,
    /// The status expected.
    #[serde(default)]
    pub code: Option<u16>,
}

/// `[[lb.frontends]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Frontend {
    /// Its name.
    pub name: Name,
    /// The LB, by name.
    pub lb: Name,
    /// Its backend, by name.
    pub backend: Name,
    /// The port it listens on.
    pub inbound_port: u16,
}

/// `[[lb.acls]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Acl {
    /// Its name.
    pub name: Name,
    /// Its frontend, by name.
    pub frontend: Name,
    /// Its rank (ascending; the first match is final).
    pub index: i32,
    /// What a match does.
    pub action: AclAction,
    /// What matches.
    #[serde(default, rename = "match")]
    pub matches: Option<AclMatch>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// `action = { type = "allow" | "deny" | "redirect", redirect = { … } }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AclAction {
    /// `allow`, `deny` or `redirect`.
    #[serde(rename = "type")]
    pub action_type: String,
    /// With `redirect`: `{ type = "location" | "scheme", target, code }`.
    #[serde(default)]
    pub redirect: Option<AclRedirect>,
}

/// `redirect = { type, target, code }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AclRedirect {
    /// `location` or `scheme`.
    #[serde(rename = "type")]
    pub redirect_type: String,
    /// Where to.
    pub target: String,
    /// 301, 302 (default), 303, 307 or 308.
    #[serde(default)]
    pub code: Option<u16>,
}

/// `match = { http_filter, http_filter_value, ip_subnet, invert }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AclMatch {
    /// `path_begin`, `path_end`, `regex`, `http_header_match` or none.
    #[serde(default)]
    pub http_filter: Option<String>,
    /// The values the filter compares with.
    #[serde(default)]
    pub http_filter_value: Vec<String>,
    /// The header's name with `http_header_match`.
    #[serde(default)]
    pub http_filter_option: Option<String>,
    /// Source subnets.
    #[serde(default)]
    pub ip_subnet: Vec<String>,
    /// Matches what does not match.
    #[serde(default)]
    pub invert: bool,
}

/// A host's service: `{ port = 8080, http = { body = "app1", paths = { "/health" = 200 } } }`
/// answers HTTP on that port: every path 200 with `body`, except the statuses in `paths`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The TCP port.
    pub port: u16,
    /// What it answers over HTTP.
    #[serde(default)]
    pub http: Option<HttpService>,
}

/// `http = { body, paths }`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpService {
    /// The body of every 200 answer.
    #[serde(default)]
    pub body: String,
    /// Paths answered with another status.
    #[serde(default)]
    pub paths: std::collections::BTreeMap<String, u16>,
}

/// Checks the names `[lb]` refers to.
pub(super) fn check(topology: &Topology, path: &str, text: &str) -> Result<(), FormatError> {
    let Some(lb) = &topology.lb else {
        return Ok(());
    };
    let at = |span: std::ops::Range<usize>, message: String| {
        FormatError::new(
            Location::new(path, Some(line_of(text, span.start))),
            message,
        )
    };
    let names = |table: &str, names: &mut dyn Iterator<Item = &Name>| {
        let mut seen = HashSet::new();
        for name in names {
            if name.get_ref().is_empty() || !seen.insert(name.get_ref().clone()) {
                let what = if name.get_ref().is_empty() {
                    "empty name"
                } else {
                    "name used twice"
                };
                return Err(at(
                    name.span(),
                    format!("{table} {:?}: {what}", name.get_ref()),
                ));
            }
        }
        Ok(seen)
    };
    let lbs = names("[[lb.lbs]]", &mut lb.lbs.iter().map(|l| &l.name))?;
    let backends = names("[[lb.backends]]", &mut lb.backends.iter().map(|b| &b.name))?;
    let frontends = names(
        "[[lb.frontends]]",
        &mut lb.frontends.iter().map(|f| &f.name),
    )?;
    names("[[lb.acls]]", &mut lb.acls.iter().map(|a| &a.name))?;
    let known = |entry: &str, key: &str, name: &Name, set: &HashSet<String>| {
        if set.contains(name.get_ref()) {
            Ok(())
        } else {
            Err(at(
                name.span(),
                format!("{entry}: unknown {key} {:?}", name.get_ref()),
            ))
        }
    };
    for l in &lb.lbs {
        let entry = format!("[[lb.lbs]] {:?}", l.name.get_ref());
        for pn in &l.private_networks {
            let Some(vpc) = topology
                .vpcs
                .iter()
                .find(|v| v.name.get_ref() == pn.vpc.get_ref())
            else {
                return Err(at(
                    pn.vpc.span(),
                    format!("{entry}: unknown vpc {:?}", pn.vpc.get_ref()),
                ));
            };
            let networks: HashSet<String> = vpc
                .private_networks
                .iter()
                .map(|p| p.name.clone())
                .collect();
            known(&entry, "private_network", &pn.private_network, &networks)?;
        }
    }
    let hosts: HashSet<&str> = topology
        .hosts
        .iter()
        .map(|h| h.name.get_ref().as_str())
        .collect();
    for b in &lb.backends {
        let entry = format!("[[lb.backends]] {:?}", b.name.get_ref());
        known(&entry, "lb", &b.lb, &lbs)?;
        for server in &b.servers {
            let text = server.get_ref().as_str();
            if !hosts.contains(text) && host_address(text).is_none() {
                return Err(at(
                    server.span(),
                    format!("{entry}: server {text:?} is neither a host nor an IP address"),
                ));
            }
        }
    }
    for f in &lb.frontends {
        let entry = format!("[[lb.frontends]] {:?}", f.name.get_ref());
        known(&entry, "lb", &f.lb, &lbs)?;
        known(&entry, "backend", &f.backend, &backends)?;
    }
    for a in &lb.acls {
        let entry = format!("[[lb.acls]] {:?}", a.name.get_ref());
        known(&entry, "frontend", &a.frontend, &frontends)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::format::parse;

    const LB: &str = r#"
name = "lb"
[[vpcs]]
name = "prod"
private_networks = [{ name = "app", subnet = "172.16.4.0/22" }]

[lb]
zone = "fr-par-1"

[[lb.lbs]]
name = "web"
type = "LB-S"
assign_flexible_ip = false
private_networks = [{ vpc = "prod", private_network = "app", static_config = { ip_address = ["172.16.4.100"] } }]

[[lb.backends]]
name = "apps"
lb = "web"
forward_protocol = "http"
forward_port = 8080
forward_port_algorithm = "roundrobin"
sticky_sessions = "none"
servers = ["app1", "172.16.4.11"]
health_check = { port = 8080, check_delay = 1000, check_timeout = 500, check_max_retries = 2, http_config = { uri = "/health", method = "GET", code = 200 } }

[[lb.frontends]]
name = "http"
lb = "web"
backend = "apps"
inbound_port = 80

[[lb.acls]]
name = "no-admin"
frontend = "http"
index = 0
action = { type = "deny" }
match = { http_filter = "path_begin", http_filter_value = ["/admin"], ip_subnet = [], invert = false }

[[hosts]]
name = "app1"
vpc = "prod"
private_network = "app"
address = "172.16.4.10"
services = [{ port = 8080, http = { body = "app1", paths = { "/health" = 200 } } }]
"#;

    #[test]
    fn the_design_example_parses() {
        let t = parse("lb.toml", LB).unwrap();
        let lb = t.lb.as_ref().unwrap();
        assert_eq!(lb.zone, "fr-par-1");
        assert_eq!(lb.lbs[0].lb_type, "LB-S");
        assert_eq!(lb.backends[0].servers.len(), 2);
        let check = lb.backends[0].health_check.as_ref().unwrap();
        assert_eq!(check.http_config.as_ref().unwrap().code, Some(200));
        assert_eq!(lb.acls[0].action.action_type, "deny");
        let service = &t.hosts[0].services[0];
        assert_eq!(service.port, 8080);
        assert_eq!(
            service.http.as_ref().unwrap().paths.get("/health"),
            Some(&200)
        );
    }

    #[test]
    fn unknown_names_are_one_line_with_the_line() {
        for (from, to, message) in [
            (
                r#"lb = "web"
forward"#,
                r#"lb = "weeb"
forward"#,
                r#"[[lb.backends]] "apps": unknown lb "weeb""#,
            ),
            (
                r#"backend = "apps""#,
                r#"backend = "ap""#,
                r#"[[lb.frontends]] "http": unknown backend "ap""#,
            ),
            (
                r#"frontend = "http""#,
                r#"frontend = "https""#,
                r#"[[lb.acls]] "no-admin": unknown frontend "https""#,
            ),
            (
                r#"private_network = "app", static"#,
                r#"private_network = "db", static"#,
                r#"[[lb.lbs]] "web": unknown private_network "db""#,
            ),
            (
                r#""172.16.4.11"]"#,
                r#""app9"]"#,
                r#"[[lb.backends]] "apps": server "app9" is neither a host nor an IP address"#,
            ),
        ] {
            let text = LB.replacen(from, to, 1);
            assert_ne!(text, LB, "{from}");
            let e = parse("lb.toml", &text).unwrap_err();
            // The line of the wrong name (the key's value, where it was written).
            let wrong = to.split('"').nth(1).unwrap();
            let at = text.find(&format!("\"{wrong}\"")).unwrap();
            let line = text[..at].matches('\n').count() + 1;
            assert_eq!(e.to_string(), format!("lb.toml:{line}: {message}"));
        }
    }
}
