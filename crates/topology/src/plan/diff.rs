//! What changed between two looks at the world ([`world::forecast::Look`]): sessions that
//! went up, down, appeared, stopped or reset; prefixes that appeared or vanished at each VPC,
//! provider table and router; OVH VRRP gateways that changed hands; host pairs whose
//! reachability changed, with the trace's reason.
//! Pure: [`diff`] compares, [`Changes::lines`] says it in words.
//!
//! Sessions are compared by status (`up`, `down`, `disabled`) and by how many times they were
//! established, not by FSM state: a session retrying in the background goes Idle → Connect →
//! Active without anything changing for a reviewer.

use ipnet::IpNet;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use world::forecast::{Look, ReachLook, SessionLook};

/// A session whose status changed, or that was reset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SessionChange {
    /// `prod ipv4`, or an OVH configuration's name.
    pub session: String,
    /// Its status before (`none` when it did not exist).
    pub before: String,
    /// Its status after (`none` when it no longer exists).
    pub after: String,
    /// How many more times it was established after than before (a reset that came back).
    pub resets: u32,
    /// Why it went down, when it did and it is known.
    pub why: Option<String>,
}

/// The prefixes that appeared and vanished at one place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RouteChange {
    /// `VPC "prod"`, `router "onprem"`, `provider "ovh"`.
    pub place: String,
    /// New prefixes.
    pub appear: Vec<IpNet>,
    /// Prefixes gone.
    pub vanish: Vec<IpNet>,
}

/// A host pair whose reachability changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReachChange {
    /// The host the ping starts from.
    pub from: String,
    /// The host pinged.
    pub to: String,
    /// `delivered`, or where and why it stopped, before.
    pub before: String,
    /// The same, after.
    pub after: String,
}

/// An OVH VRRP gateway that changed hands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GatewayChange {
    /// The datacenter configuration.
    pub datacenter: String,
    /// Its master before (`A`, `B`, `none`, `off`; `absent` when there was no gateway).
    pub before: String,
    /// Its master after.
    pub after: String,
}

/// Everything that changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Sessions.
    pub sessions: Vec<SessionChange>,
    /// Routes.
    pub routes: Vec<RouteChange>,
    /// Reachability.
    pub reach: Vec<ReachChange>,
    /// VRRP gateways.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<GatewayChange>,
}

const NONE: &str = "none";

fn sessions(before: &[SessionLook], after: &[SessionLook]) -> Vec<SessionChange> {
    let key = |s: &SessionLook| s.session.to_string();
    let was: BTreeMap<String, &SessionLook> = before.iter().map(|s| (key(s), s)).collect();
    let is: BTreeMap<String, &SessionLook> = after.iter().map(|s| (key(s), s)).collect();
    let names: BTreeSet<&String> = was.keys().chain(is.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (b, a) = (was.get(name), is.get(name));
        let status = |s: Option<&&SessionLook>| s.map_or(NONE.to_string(), |s| s.status.clone());
        let count = |s: Option<&&SessionLook>| s.map_or(0, |s| s.established);
        let resets = count(a).saturating_sub(count(b));
        let (before, after) = (status(b), status(a));
        if before == after && resets == 0 {
            continue;
        }
        let why = a
            .filter(|a| a.status == "down")
            .and_then(|a| a.last_down.clone());
        out.push(SessionChange {
            session: name.clone(),
            before,
            after,
            resets,
            why,
        });
    }
    out
}

fn routes(before: &Look, after: &Look) -> Vec<RouteChange> {
    let map = |l: &Look| -> BTreeMap<String, BTreeSet<IpNet>> {
        l.routes
            .iter()
            .map(|r| (r.place.clone(), r.prefixes.clone()))
            .collect()
    };
    let (was, is) = (map(before), map(after));
    let places: BTreeSet<&String> = was.keys().chain(is.keys()).collect();
    let empty = BTreeSet::new();
    places
        .into_iter()
        .filter_map(|place| {
            let (b, a) = (
                was.get(place).unwrap_or(&empty),
                is.get(place).unwrap_or(&empty),
            );
            let appear: Vec<IpNet> = a.difference(b).copied().collect();
            let vanish: Vec<IpNet> = b.difference(a).copied().collect();
            (!appear.is_empty() || !vanish.is_empty()).then(|| RouteChange {
                place: place.clone(),
                appear,
                vanish,
            })
        })
        .collect()
}

fn reach(before: &[ReachLook], after: &[ReachLook]) -> Vec<ReachChange> {
    let key = |r: &ReachLook| (r.from.clone(), r.to.clone());
    let was: BTreeMap<(String, String), &ReachLook> = before.iter().map(|r| (key(r), r)).collect();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    // In the after look's order (customer-side hosts first), then pairs that went away.
    for a in after {
        seen.insert(key(a));
        let b = was.get(&key(a));
        let before = b.map_or(NONE.to_string(), |b| b.verdict.clone());
        if b.is_some_and(|b| b.delivered == a.delivered && b.verdict == a.verdict) {
            continue;
        }
        out.push(ReachChange {
            from: a.from.clone(),
            to: a.to.clone(),
            before,
            after: a.verdict.clone(),
        });
    }
    for b in before.iter().filter(|b| !seen.contains(&key(b))) {
        out.push(ReachChange {
            from: b.from.clone(),
            to: b.to.clone(),
            before: b.verdict.clone(),
            after: NONE.to_string(),
        });
    }
    out
}

fn gateways(before: &Look, after: &Look) -> Vec<GatewayChange> {
    let map = |l: &Look| -> BTreeMap<String, String> {
        l.gateways
            .iter()
            .map(|g| (g.datacenter.clone(), g.master.clone()))
            .collect()
    };
    let (was, is) = (map(before), map(after));
    let names: BTreeSet<&String> = was.keys().chain(is.keys()).collect();
    let absent = "absent".to_string();
    names
        .into_iter()
        .filter_map(|name| {
            let (b, a) = (
                was.get(name).unwrap_or(&absent),
                is.get(name).unwrap_or(&absent),
            );
            (b != a).then(|| GatewayChange {
                datacenter: name.clone(),
                before: b.clone(),
                after: a.clone(),
            })
        })
        .collect()
}

/// What changed from `before` to `after`.
pub fn diff(before: &Look, after: &Look) -> Changes {
    Changes {
        sessions: sessions(&before.sessions, &after.sessions),
        routes: routes(before, after),
        reach: reach(&before.reach, &after.reach),
        gateways: gateways(before, after),
    }
}

fn prefixes(sign: char, list: &[IpNet]) -> Option<String> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(|p| format!("{sign} {p}"))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

impl Changes {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
            && self.routes.is_empty()
            && self.reach.is_empty()
            && self.gateways.is_empty()
    }

    /// One line per change: sessions, then routes, then reachability.
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.sessions {
            let mut line = format!("session {}: {} → {}", s.session, s.before, s.after);
            match s.resets {
                0 => {}
                1 if s.before == s.after => line.push_str(" (reset once)"),
                n => line.push_str(&format!(" (established {n} more time(s))")),
            }
            if let Some(why) = &s.why {
                line.push_str(&format!(": {why}"));
            }
            out.push(line);
        }
        for r in &self.routes {
            let parts: Vec<String> = [prefixes('+', &r.appear), prefixes('−', &r.vanish)]
                .into_iter()
                .flatten()
                .collect();
            out.push(format!("routes at {}: {}", r.place, parts.join(", ")));
        }
        for g in &self.gateways {
            out.push(format!(
                "VRRP gateway of {}: master {} → {}",
                g.datacenter, g.before, g.after
            ));
        }
        for r in &self.reach {
            out.push(format!("{} → {}: {} → {}", r.from, r.to, r.before, r.after));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use world::forecast::{RoutesLook, SessionName};

    fn session(link: &str, status: &str, established: u32) -> SessionLook {
        SessionLook {
            session: SessionName::Link {
                link: link.to_string(),
                family: "ipv4".to_string(),
            },
            status: status.to_string(),
            state: "Idle".to_string(),
            established,
            last_down: (status == "down").then(|| "Cease: administrative shutdown".to_string()),
        }
    }

    fn routes(place: &str, p: &[&str]) -> RoutesLook {
        RoutesLook {
            place: place.to_string(),
            prefixes: p.iter().map(|p| p.parse().unwrap()).collect(),
        }
    }

    fn reach(delivered: bool, verdict: &str) -> ReachLook {
        ReachLook {
            from: "laptop".to_string(),
            to: "app1".to_string(),
            delivered,
            verdict: verdict.to_string(),
        }
    }

    const DROPPED: &str = "dropped at provider \"scaleway\" VRF \"prod\": no route to 10.1.0.10; \
        10.1.0.0/16 was received from link \"prod\" but rejected by prefix_filter_in of routing policy \"narrow\"";

    fn before() -> Look {
        Look {
            sessions: vec![session("prod", "up", 1), session("dr", "up", 1)],
            routes: vec![
                routes("VPC \"prod\"", &["10.1.0.0/16", "10.3.0.0/16"]),
                routes("router \"onprem\"", &["172.16.4.0/22"]),
            ],
            reach: vec![reach(true, "delivered")],
            gateways: Vec::new(),
        }
    }

    #[test]
    fn the_same_look_changes_nothing() {
        let c = diff(&before(), &before());
        assert!(c.is_empty());
        assert!(c.lines().is_empty());
    }

    #[test]
    fn a_policy_change_says_what_vanished_and_why_a_host_is_cut_off() {
        let mut after = before();
        after.routes[0] = routes("VPC \"prod\"", &["10.3.0.0/16", "10.9.0.0/16"]);
        after.reach = vec![reach(false, DROPPED)];
        let c = diff(&before(), &after);
        assert!(c.sessions.is_empty());
        assert_eq!(
            c.lines(),
            [
                "routes at VPC \"prod\": + 10.9.0.0/16, − 10.1.0.0/16".to_string(),
                format!("laptop → app1: delivered → {DROPPED}"),
            ]
        );
    }

    #[test]
    fn sessions_going_down_resetting_appearing_and_stopping() {
        let mut after = before();
        after.sessions = vec![
            session("prod", "down", 1),
            session("dr", "up", 2),
            session("new", "down", 0),
        ];
        after.sessions[2].last_down = None;
        let c = diff(&before(), &after);
        assert_eq!(
            c.lines(),
            [
                "session dr ipv4: up → up (reset once)",
                "session new ipv4: none → down",
                "session prod ipv4: up → down: Cease: administrative shutdown",
            ]
        );
        let c = diff(&after, &before());
        assert_eq!(c.sessions.len(), 2);
        assert_eq!(c.lines()[0], "session new ipv4: down → none");
    }

    #[test]
    fn a_gateway_changing_hands_is_a_change() {
        use world::forecast::GatewayLook;
        let gateway = |master: &str| GatewayLook {
            datacenter: "rbx".to_string(),
            master: master.to_string(),
        };
        let mut was = before();
        was.gateways = vec![gateway("A")];
        let mut is = before();
        is.gateways = vec![gateway("B")];
        assert_eq!(
            diff(&was, &is).lines(),
            ["VRRP gateway of rbx: master A → B"]
        );
        assert_eq!(
            diff(&before(), &is).lines(),
            ["VRRP gateway of rbx: master absent → B"]
        );
    }

    #[test]
    fn a_session_retrying_in_the_background_is_no_change() {
        let mut after = before();
        after.sessions[0].state = "Active".to_string();
        assert!(diff(&before(), &after).is_empty());
    }

    #[test]
    fn a_place_that_loses_every_route_or_appears_is_a_change() {
        let mut after = before();
        after.routes.remove(1);
        after
            .routes
            .push(routes("router \"dr\"", &["172.16.4.0/22"]));
        let lines = diff(&before(), &after).lines();
        assert_eq!(
            lines,
            [
                "routes at router \"dr\": + 172.16.4.0/22",
                "routes at router \"onprem\": − 172.16.4.0/22",
            ]
        );
    }

    #[test]
    fn a_pair_that_comes_back_and_a_pair_that_goes() {
        let mut was = before();
        was.reach = vec![reach(false, DROPPED)];
        let c = diff(&was, &before());
        assert_eq!(c.lines(), [format!("laptop → app1: {DROPPED} → delivered")]);
        let mut gone = before();
        gone.reach.clear();
        assert_eq!(
            diff(&before(), &gone).lines(),
            ["laptop → app1: delivered → none"]
        );
    }
}
