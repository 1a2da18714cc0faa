//! Checking `[[expect]]`: one look at the world ([`Lab::check`]) answers whether an
//! expectation holds now and why not; the runner repeats it on its clock until `within` ends.
//!
//! - `session`: the engine's session of the link (FSM state, or the API's up/down/disabled).
//! - `routes_at = { vpc }`: the routes the provider installs toward the VPC, over the links
//!   attached to it; `routes_at = { router }`: what the router learned from the provider.
//!   A prefix P is present when a route equal to P or more specific than P is there, absent
//!   when none is (the routing policies' own rule).
//! - `reach`: both ways between two hosts, walked hop by hop through the world's `dataplane`
//!   model ([`world::model`]); a failure is the trace that stopped, in words. With real
//!   daemons the model is first rendered into the kernels and a real `ping -c1 -W1` from the
//!   source host's namespace must agree with it: a disagreement is a failure of its own,
//!   whatever the expectation says.

use super::error::{Verdict, Why};
use super::lab::Lab;
use crate::format::{Expect, SessionState};
use engine::{Family, SessionStatus};
use ipnet::IpNet;
use std::collections::BTreeSet;

/// The default `within`: how long an expectation may take to hold.
pub const DEFAULT_WITHIN: std::time::Duration = std::time::Duration::from_secs(30);

/// A one-line description of an expectation, for the report.
pub fn describe(e: &Expect) -> String {
    if let Some(ovh) = super::ovh::describe(e) {
        return ovh;
    }
    if let Some(s) = &e.session {
        let state = e.state.unwrap_or(SessionState::Established);
        return format!(
            "session {} {} is {}",
            s.link.get_ref(),
            s.family.name(),
            state.name()
        );
    }
    if let Some(at) = &e.routes_at {
        let place = match (&at.vpc, &at.router) {
            (Some(v), _) => format!("vpc {}", v.get_ref()),
            (_, Some(r)) => format!("router {}", r.get_ref()),
            _ => "nowhere".to_string(),
        };
        let mut parts = Vec::new();
        if !e.present.is_empty() {
            parts.push(format!("has {}", list(&e.present)));
        }
        if !e.absent.is_empty() {
            parts.push(format!("lacks {}", list(&e.absent)));
        }
        return format!("routes at {place}: {}", parts.join(", "));
    }
    if let Some(r) = &e.reach {
        let verb = if r.reachable {
            "reaches"
        } else {
            "does not reach"
        };
        return format!("{} {verb} {}", r.from.get_ref(), r.to.get_ref());
    }
    "nothing".to_string()
}

/// What one `ping -c1 -W1` did.
pub struct Ping {
    /// Whether an echo reply came back.
    pub answered: bool,
    /// The address pinged.
    pub address: std::net::IpAddr,
}

impl Ping {
    /// `ping from laptop to 172.16.4.10 answered` (or `got no answer`).
    pub fn words(&self, from: &str) -> String {
        let what = if self.answered {
            "answered"
        } else {
            "got no answer"
        };
        format!("ping from {from} to {} {what}", self.address)
    }
}

fn list(prefixes: &[IpNet]) -> String {
    prefixes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `routes` has a route equal to `p` or more specific.
fn covered(routes: &BTreeSet<IpNet>, p: &IpNet) -> bool {
    routes.iter().any(|r| p.contains(r))
}

impl Lab {
    /// Whether `e` holds now: the detail, or why not.
    pub async fn check(&self, e: &Expect) -> Verdict {
        // With real daemons, the kernels follow what runs now.
        if e.reach.is_none() {
            self.model().await?;
        }
        if let Some(s) = &e.session {
            let family = match s.family {
                crate::format::SessionFamily::Ipv4 => Family::Ipv4,
                crate::format::SessionFamily::Ipv6 => Family::Ipv6,
            };
            let want = e.state.unwrap_or(SessionState::Established);
            return self.check_session(s.link.get_ref(), family, want).await;
        }
        if let Some(at) = &e.routes_at {
            let (place, routes) = match (&at.vpc, &at.router) {
                (Some(vpc), _) => (
                    format!("vpc {}", vpc.get_ref()),
                    self.vpc_routes(vpc.get_ref()).await?,
                ),
                (_, Some(router)) => (
                    format!("router {}", router.get_ref()),
                    self.router_routes(router.get_ref()).await?,
                ),
                _ => return Err(Why("routes_at names nothing".to_string())),
            };
            let missing: Vec<IpNet> = e
                .present
                .iter()
                .filter(|p| !covered(&routes, p))
                .copied()
                .collect();
            let extra: Vec<IpNet> = e
                .absent
                .iter()
                .filter(|p| covered(&routes, p))
                .copied()
                .collect();
            let have = if routes.is_empty() {
                "no routes".to_string()
            } else {
                list(&routes.iter().copied().collect::<Vec<_>>())
            };
            let why = match (&at.vpc, missing.first()) {
                (Some(vpc), Some(p)) => {
                    format!(
                        "; {}",
                        self.why_not_installed(vpc.get_ref(), p.addr()).await
                    )
                }
                _ => String::new(),
            };
            return match (missing.is_empty(), extra.is_empty()) {
                (true, true) => Ok(format!("{place} has {have}")),
                (false, _) => Err(Why(format!(
                    "{place} has no route in {} (it has {have}){why}",
                    list(&missing)
                ))),
                (true, false) => Err(Why(format!(
                    "{place} still has a route in {} (it has {have})",
                    list(&extra)
                ))),
            };
        }
        if let Some(r) = &e.reach {
            let (from, to) = (r.from.get_ref().as_str(), r.to.get_ref().as_str());
            let model = self.model().await?;
            let verdict = reach_in(&model, from, to);
            let ping = match &self.kernels {
                None => String::new(),
                Some(_) => {
                    let ping = self.ping(from, to).await?;
                    if ping.answered != verdict.is_ok() {
                        let model = match &verdict {
                            Ok(how) => format!("the model delivers both ways ({how})"),
                            Err(why) => format!("the model drops it ({why})"),
                        };
                        return Err(Why(format!(
                            "the kernel and the model disagree: {}; but {model}",
                            ping.words(from)
                        )));
                    }
                    format!("; {}", ping.words(from))
                }
            };
            return match (verdict, r.reachable) {
                (Ok(how), true) => Ok(format!("{how}{ping}")),
                (Err(why), false) => Ok(format!("{why}{ping}")),
                (Ok(how), false) => Err(Why(format!("reachable: {how}{ping}"))),
                (Err(why), true) => Err(Why(format!("{why}{ping}"))),
            };
        }
        if let Some(ovh) = super::ovh::check(self, e).await {
            return ovh;
        }
        Err(Why("empty expectation".to_string()))
    }

    /// `ping -c1 -W1` from host `from` to host `to` (real daemons only).
    pub async fn ping(&self, from: &str, to: &str) -> Result<Ping, Why> {
        let kernels = self
            .kernels
            .clone()
            .ok_or("no hosts in Linux: the topology runs in memory")?;
        let (from, to) = (from.to_string(), to.to_string());
        let (answered, address) =
            tokio::task::spawn_blocking(move || kernels.ping_hosts(&from, &to))
                .await
                .map_err(|e| Why(e.to_string()))??;
        Ok(Ping { answered, address })
    }

    /// The links attached to VPC `vpc` now: (name, ID, route propagation, policy IDs).
    async fn links_of_vpc(&self, vpc: &str) -> Result<Vec<provider::interlink::LinkView>, Why> {
        let vpc_id = *self
            .vpcs
            .get(vpc)
            .ok_or_else(|| Why(format!("no vpc {vpc}")))?;
        let mut links = self
            .world
            .read(move |s| {
                s.interlink
                    .link_views()
                    .into_iter()
                    .filter(|v| v.link.vpc_id == Some(vpc_id))
                    .collect::<Vec<_>>()
            })
            .await?;
        links.sort_by(|a, b| a.link.name.cmp(&b.link.name));
        Ok(links)
    }

    /// The routes installed toward VPC `vpc`, over the links attached to it.
    pub async fn vpc_routes(&self, vpc: &str) -> Result<BTreeSet<IpNet>, Why> {
        let mut routes = BTreeSet::new();
        for view in self.links_of_vpc(vpc).await? {
            if let Ok(snapshot) = self
                .world
                .engine()
                .snapshot(&view.link.id.to_string())
                .await
            {
                for family in Family::ALL {
                    if let Some(s) = snapshot.session(family) {
                        routes.extend(s.installed.iter().copied());
                    }
                }
            }
        }
        Ok(routes)
    }

    /// Why no route to `address` is installed toward `vpc`, in a network engineer's words.
    pub async fn why_not_installed(&self, vpc: &str, address: std::net::IpAddr) -> String {
        let links = match self.links_of_vpc(vpc).await {
            Ok(links) if !links.is_empty() => links,
            Ok(_) => return format!("no link is attached to vpc {vpc}"),
            Err(e) => return e.0,
        };
        let family = if address.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        };
        let mut reasons = Vec::new();
        for view in links {
            let name = &view.link.name;
            let Ok(snapshot) = self
                .world
                .engine()
                .snapshot(&view.link.id.to_string())
                .await
            else {
                reasons.push(format!("link {name} is not running"));
                continue;
            };
            let Some(s) = snapshot.session(family) else {
                reasons.push(format!(
                    "link {name} has no {} routing policy, so its {} session is disabled",
                    family.name(),
                    family.name()
                ));
                continue;
            };
            let reason = if s.status != SessionStatus::Up {
                let down = s.last_down.as_deref().unwrap_or("it never came up");
                format!(
                    "the {} session of link {name} is down ({down})",
                    family.name()
                )
            } else if let Some(r) = route_to(&s.accepted, address) {
                if !view.link.enable_route_propagation {
                    format!("{r} is accepted on link {name} but route propagation is disabled")
                } else {
                    format!("{r} is accepted on link {name} but not installed")
                }
            } else if let Some(r) = route_to(&s.received, address) {
                format!(
                    "{r} is received on link {name} but its routing policy's prefix_filter_in does not admit it"
                )
            } else {
                format!("nothing covering {address} is announced on link {name}")
            };
            reasons.push(reason);
        }
        reasons.join("; ")
    }

    /// Why the `family` session of `link` may be down, seen from the data plane: the trace from
    /// each router plugged into it to Scaleway's address (`; ` and the trace, or nothing when
    /// the packet gets there).
    async fn why_session_down(&self, link: uuid::Uuid, family: Family) -> String {
        let Ok(model) = self.model().await else {
            return String::new();
        };
        let Ok(attachments) = self.world.attachments().await else {
            return String::new();
        };
        let Ok(links) = self.world.read(|s| s.interlink.link_views()).await else {
            return String::new();
        };
        let mut why = String::new();
        for a in attachments.plugged.iter().filter(|a| a.router.is_some()) {
            let Some(l) = world::landing::router_link(&links, &a.plug) else {
                continue;
            };
            if l.link_id != link {
                continue;
            }
            let scw = match family {
                Family::Ipv4 => l.scw[0].addr(),
                Family::Ipv6 => l.scw[1].addr(),
            };
            if let Some(node) = model.node(&a.name)
                && let Ok(trace) = model.net.trace(node, scw)
                && !trace.is_delivered()
            {
                why.push_str(&format!("; {trace}"));
            }
        }
        why
    }

    async fn check_session(&self, link: &str, family: Family, want: SessionState) -> Verdict {
        let id = self.link_id(link).await?;
        let snapshot = self
            .world
            .engine()
            .snapshot(&id.to_string())
            .await
            .map_err(|e| Why(format!("link {link}: {e}")))?;
        let Some(session) = snapshot.session(family) else {
            return if want == SessionState::Disabled {
                Ok(format!("{link} {} disabled", family.name()))
            } else {
                Err(Why(format!(
                    "the {} session of {link} is disabled (no routing policy of that family)",
                    family.name()
                )))
            };
        };
        let state = format!("{:?}", session.state);
        let holds = match want {
            SessionState::Established => session.status == SessionStatus::Up,
            SessionState::Down => session.status == SessionStatus::Down,
            SessionState::Disabled => false,
            SessionState::Idle => state == "Idle",
            SessionState::Connect => state == "Connect",
            SessionState::Active => state == "Active",
            SessionState::OpenSent => state == "OpenSent",
            SessionState::OpenConfirm => state == "OpenConfirm",
        };
        let last_down = session
            .last_down
            .as_deref()
            .map(|d| format!("; last down: {d}"))
            .unwrap_or_default();
        if holds {
            Ok(format!(
                "{state}, established {} time(s)",
                session.established_count
            ))
        } else {
            let why = if session.status == SessionStatus::Up {
                String::new()
            } else {
                self.why_session_down(id, family).await
            };
            Err(Why(format!("the session is {state}{last_down}{why}")))
        }
    }
}

fn route_to(routes: &BTreeSet<IpNet>, address: std::net::IpAddr) -> Option<IpNet> {
    routes
        .iter()
        .filter(|r| r.contains(&address))
        .max_by_key(|r| r.prefix_len())
        .copied()
}

/// Whether `from` reaches `to` (both ways) in `model`, with the traces in words.
pub fn reach_in(model: &world::model::Model, from: &str, to: &str) -> Verdict {
    let node = |name: &str| {
        model
            .node(name)
            .ok_or_else(|| Why(format!("{name} is not in the model")))
    };
    let reach = model
        .net
        .reach(node(from)?, node(to)?)
        .map_err(|e| Why(e.to_string()))?;
    if reach.is_reachable() {
        Ok(format!("{}; {}", reach.forward, reach.reverse))
    } else if !reach.forward.is_delivered() {
        Err(Why(reach.forward.to_string()))
    } else {
        Err(Why(reach.reverse.to_string()))
    }
}
