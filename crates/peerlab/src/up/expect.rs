//! Checking `[[expect]]`: one look at the world ([`World::check`]) answers whether an
//! expectation holds now and why not; the runner repeats it on its clock until `within` ends.
//!
//! - `session`: the engine's session of the link (FSM state, or the API's up/down/disabled).
//! - `routes_at = { vpc }`: the routes the provider installs toward the VPC, over the links
//!   attached to it; `routes_at = { router }`: what the router learned from the provider.
//!   A prefix P is present when a route equal to P or more specific than P is there, absent
//!   when none is (the routing policies' own rule).
//! - `reach`: both ways between two hosts, walked hop by hop through the `dataplane` model of
//!   the running topology ([`super::model`]); a failure is the trace that stopped, in words.
//!   With real daemons the model is first rendered into the kernels ([`super::kernels`]) and a
//!   real `ping -c1 -W1` from the source host's namespace must agree with it: a disagreement
//!   is a failure of its own, whatever the expectation says.

use super::runner::World;
use engine::{Family, SessionStatus};
use ipnet::IpNet;
use std::collections::BTreeSet;
use topology::format::{Expect, SessionState};

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
    pub(crate) fn words(&self, from: &str) -> String {
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

impl World {
    /// Whether `e` holds now: `Ok(detail)` or `Err(why not)`.
    pub async fn check(&self, e: &Expect) -> Result<String, String> {
        // With real daemons, the kernels follow what runs now (`reach` renders the model it
        // traces itself).
        if e.reach.is_none() {
            self.render_linux().await?;
        }
        if let Some(s) = &e.session {
            let family = match s.family {
                topology::format::SessionFamily::Ipv4 => Family::Ipv4,
                topology::format::SessionFamily::Ipv6 => Family::Ipv6,
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
                _ => return Err("routes_at names nothing".to_string()),
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
                (false, _) => Err(format!(
                    "{place} has no route in {} (it has {have}){why}",
                    list(&missing)
                )),
                (true, false) => Err(format!(
                    "{place} still has a route in {} (it has {have})",
                    list(&extra)
                )),
            };
        }
        if let Some(r) = &e.reach {
            let (from, to) = (r.from.get_ref().as_str(), r.to.get_ref().as_str());
            let (verdict, ping) = match self.render_linux().await? {
                None => (super::model::reach(self, from, to).await, String::new()),
                Some(model) => {
                    let verdict = super::model::reach_in(&model, from, to);
                    let ping = self.ping(from, to).await?;
                    if ping.answered != verdict.is_ok() {
                        let model = match &verdict {
                            Ok(how) => format!("the model delivers both ways ({how})"),
                            Err(why) => format!("the model drops it ({why})"),
                        };
                        return Err(format!(
                            "the kernel and the model disagree: {}; but {model}",
                            ping.words(from)
                        ));
                    }
                    (verdict, format!("; {}", ping.words(from)))
                }
            };
            return match (verdict, r.reachable) {
                (Ok(how), true) => Ok(format!("{how}{ping}")),
                (Err(why), false) => Ok(format!("{why}{ping}")),
                (Ok(how), false) => Err(format!("reachable: {how}{ping}")),
                (Err(why), true) => Err(format!("{why}{ping}")),
            };
        }
        if let Some(ovh) = super::ovh::check(self, e).await {
            return ovh;
        }
        Err("empty expectation".to_string())
    }

    /// `ping -c1 -W1` from host `from` to host `to` (real daemons only).
    pub(crate) async fn ping(&self, from: &str, to: &str) -> Result<Ping, String> {
        let linux = self
            .linux
            .clone()
            .ok_or("no hosts in Linux: the topology runs in memory")?;
        let (from, to) = (from.to_string(), to.to_string());
        let (answered, address) = tokio::task::spawn_blocking(move || linux.ping(&from, &to))
            .await
            .map_err(|e| e.to_string())??;
        Ok(Ping { answered, address })
    }

    async fn check_session(
        &self,
        link: &str,
        family: Family,
        want: SessionState,
    ) -> Result<String, String> {
        let id = self.link_id(link)?;
        let snapshot = self
            .engine
            .snapshot(&id)
            .await
            .map_err(|e| format!("link {link}: {e}"))?;
        let Some(session) = snapshot.session(family) else {
            return if want == SessionState::Disabled {
                Ok(format!("{link} {} disabled", family.name()))
            } else {
                Err(format!(
                    "the {} session of {link} is disabled (no routing policy of that family)",
                    family.name()
                ))
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
                super::model::why_session_down(self, link, family).await
            };
            Err(format!("the session is {state}{last_down}{why}"))
        }
    }
}
