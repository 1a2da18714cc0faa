//! What the engine's sessions would hold after a change of the InterLink state, predicted
//! without running it.
//!
//! Predicted, link by link (the rules of [`crate::engine_sync::interlink`]):
//! - a session keeps its state and its Adj-RIB-In (what the peer announced): a peer does not
//!   change what it announces because the provider changed a policy;
//! - the link's routing policies apply to that Adj-RIB-In again (`set-routing-policy` and
//!   `update_routing_policy` are applied in place, no reset): accepted = what
//!   `prefix_filter_in` admits; installed toward the VPC = accepted while route propagation is
//!   enabled;
//! - announced = the VPC's prefixes that `prefix_filter_out` admits, while the session is
//!   Established and propagation is enabled;
//! - a session whose policy is detached stops (`disabled`); a session whose policy is attached,
//!   or a link coming into service, starts down (whether the peer then connects is the
//!   peer's business);
//! - a new peer ASN resets the link: its sessions come back only when the router plugged into
//!   it has that AS (otherwise its OPEN is refused: down, nothing learned);
//! - a link no longer in service (deleted) stops, and its routes are withdrawn;
//! - each router learns what the provider would announce on the link it is plugged into.
//!
//! Not predicted: OVHcloud Connect sessions (unchanged by InterLink calls) and timing (the
//! forecast is the world once the change has settled).

use crate::attachment::Attachments;
use crate::engine_sync::interlink::{desired, link_spec};
use crate::landing::router_link;
use crate::model::{Inputs, Observed};
use engine::{Family, LinkSnapshot, LinkSpec, SessionSnapshot, SessionStatus};
use ipnet::IpNet;
use provider::interlink::{InterLink, LinkConfig};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// What every forecast assumes.
pub const ASSUMED: &str = "predicted: sessions keep their state and each link's Adj-RIB-In (what its peer announced); the new routing policies, route propagation and VPC attachments are applied to it as the engine does, and each router learns what the provider would announce to it";

/// `inputs` with the InterLink part (VPCs, private networks, links, policy names) taken from
/// `interlink`.
pub fn with_interlink(inputs: &Inputs, interlink: &InterLink) -> Inputs {
    let ipam = interlink.ipam();
    let links = interlink.link_views();
    let mut policy_names = BTreeMap::new();
    for v in &links {
        for id in [v.link.routing_policy_v4_id, v.link.routing_policy_v6_id]
            .into_iter()
            .flatten()
        {
            if let Some(p) = interlink.any_routing_policy(id) {
                policy_names.insert(id, p.name.clone());
            }
        }
    }
    Inputs {
        vpcs: ipam.vpcs().cloned().collect(),
        private_networks: ipam
            .vpcs()
            .flat_map(|v| v.private_network_ids.iter())
            .filter_map(|id| ipam.private_network(*id).cloned())
            .collect(),
        links,
        policy_names,
        ..inputs.clone()
    }
}

/// The routes a session announces, both families.
fn announced(snapshot: Option<&LinkSnapshot>) -> BTreeSet<IpNet> {
    snapshot
        .into_iter()
        .flat_map(|s| Family::ALL.into_iter().filter_map(|f| s.session(f)))
        .flat_map(|s| s.announced.iter().copied())
        .collect()
}

/// The ASN of the router plugged into link `id`, if one is.
fn router_asn(attachments: &Attachments, inputs: &Inputs, id: Uuid) -> Option<u32> {
    attachments.plugged.iter().find_map(|a| {
        let router = a.router.as_ref()?;
        let l = router_link(&inputs.links, &a.plug)?;
        (l.link_id == id && l.vlan == l.tag).then_some(router.asn)
    })
}

fn of_family(prefix: &IpNet, family: Family) -> bool {
    matches!(
        (prefix, family),
        (IpNet::V4(_), Family::Ipv4) | (IpNet::V6(_), Family::Ipv6)
    )
}

/// A session that starts: down, nothing exchanged yet.
fn starting(count: u32) -> SessionSnapshot {
    SessionSnapshot {
        status: SessionStatus::Down,
        state: bgp_session::State::Idle,
        established_count: count,
        last_down: None,
        received: BTreeSet::new(),
        accepted: BTreeSet::new(),
        installed: BTreeSet::new(),
        announced: BTreeSet::new(),
    }
}

/// One session after the change, with the note it needs, if any.
fn session(
    now: Option<&SessionSnapshot>,
    spec: &LinkSpec,
    family: Family,
    name: &str,
    reset: Option<bool>,
) -> (Option<SessionSnapshot>, Option<String>) {
    let family_name = family.name();
    let (Some(policy), Some(s)) = (spec.policy(family), now) else {
        return match (spec.policy(family), now) {
            (None, Some(_)) => (
                None,
                Some(format!(
                    "the {family_name} session of link {name:?} stops: no {family_name} routing policy (disabled)"
                )),
            ),
            (Some(_), None) => (
                Some(starting(0)),
                Some(format!(
                    "the {family_name} session of link {name:?} starts: predicted down until its peer connects"
                )),
            ),
            _ => (None, None),
        };
    };
    let mut s = s.clone();
    let mut note = None;
    match reset {
        Some(false) => {
            let mut down = starting(s.established_count);
            down.last_down = Some(format!(
                "predicted: the peer's OPEN is refused (its AS is not the link's new peer_asn {})",
                spec.peer_asn
            ));
            let note = format!(
                "the {family_name} session of link {name:?} resets and stays down: the router plugged into it is not AS {}",
                spec.peer_asn
            );
            return (Some(down), Some(note));
        }
        Some(true) => {
            s.established_count += u32::from(s.status == SessionStatus::Up);
            note = Some(format!(
                "the {family_name} session of link {name:?} resets (new peer_asn {}) and comes back with the same routes",
                spec.peer_asn
            ));
        }
        None => {}
    }
    let filter_in = policy.prefix_filter_in();
    s.accepted = s
        .received
        .iter()
        .filter(|p| filter_in.admits(p))
        .copied()
        .collect();
    s.installed = match spec.enable_route_propagation {
        true => s.accepted.clone(),
        false => BTreeSet::new(),
    };
    let filter_out = policy.prefix_filter_out();
    s.announced = match spec.enable_route_propagation && s.status == SessionStatus::Up {
        true => spec
            .vpc_prefixes
            .iter()
            .filter(|p| of_family(p, family))
            .map(IpNet::trunc)
            .filter(|p| filter_out.admits(p))
            .collect(),
        false => BTreeSet::new(),
    };
    (Some(s), note)
}

/// The link's name in `inputs`.
fn link_name(inputs: &Inputs, id: Uuid) -> String {
    inputs
        .links
        .iter()
        .find(|v| v.link.id == id)
        .map_or_else(|| id.to_string(), |v| v.link.name.clone())
}

/// Whether a change of configuration resets the link, and if so whether it comes back: the
/// router plugged into it (if any) has the new peer AS.
fn resets(before: &LinkConfig, after: &LinkConfig, router: Option<u32>) -> Option<bool> {
    let reset = before.peer_asn != after.peer_asn
        || before.vlan != after.vlan
        || before.ipv4 != after.ipv4
        || before.ipv6 != after.ipv6;
    reset.then_some(router.is_none_or(|asn| asn == after.peer_asn))
}

/// What runs after the change (`before` and `after`: the inputs and InterLink state on either
/// side), with the notes of what was predicted.
pub fn observed(
    observed: &Observed,
    (before_inputs, before): (&Inputs, &InterLink),
    (after_inputs, after): (&Inputs, &InterLink),
) -> (Observed, Vec<String>) {
    let mut out = observed.clone();
    let mut notes = vec![ASSUMED.to_string()];
    let (was, will) = (desired(before), desired(after));
    for id in was.keys().filter(|id| !will.contains_key(id)) {
        if out.sessions.remove(&id.to_string()).is_some() {
            let name = link_name(before_inputs, *id);
            notes.push(format!(
                "link {name:?} stops: its sessions end (Cease, Peer De-configured) and its routes are withdrawn"
            ));
        }
    }
    for (id, config) in &will {
        let key = id.to_string();
        let name = link_name(after_inputs, *id);
        let spec = link_spec(config);
        let now = observed.sessions.get(&key);
        let reset = match (was.get(id), now) {
            (Some(b), Some(_)) => resets(
                b,
                config,
                router_asn(&after_inputs.attachments, after_inputs, *id),
            ),
            _ => None,
        };
        let mut next = LinkSnapshot {
            ipv4: None,
            ipv6: None,
        };
        for family in Family::ALL {
            let (s, note) = session(
                now.and_then(|n| n.session(family)),
                &spec,
                family,
                &name,
                reset,
            );
            notes.extend(note);
            match family {
                Family::Ipv4 => next.ipv4 = s,
                Family::Ipv6 => next.ipv6 = s,
            }
        }
        out.sessions.insert(key, next);
    }
    // Each router learns what the provider announces on its link now, instead of before.
    for a in &after_inputs.attachments.plugged {
        if a.router.is_none() {
            continue;
        }
        let on = |inputs: &Inputs| {
            router_link(&inputs.links, &a.plug)
                .filter(|l| l.vlan == l.tag)
                .map(|l| l.link_id.to_string())
        };
        let (Some(b), a_link) = (on(before_inputs), on(after_inputs)) else {
            continue;
        };
        let Some(learned) = out.learned.get_mut(&a.name) else {
            continue;
        };
        for p in announced(observed.sessions.get(&b)) {
            learned.remove(&p);
        }
        if let Some(l) = a_link {
            learned.extend(announced(out.sessions.get(&l)));
        }
    }
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(received: &[&str]) -> SessionSnapshot {
        let set = |p: &[&str]| p.iter().map(|p| p.parse().unwrap()).collect();
        SessionSnapshot {
            status: SessionStatus::Up,
            state: bgp_session::State::Established,
            established_count: 1,
            last_down: None,
            received: set(received),
            accepted: set(received),
            installed: set(received),
            announced: set(&["172.16.4.0/22"]),
        }
    }

    fn spec(filter_in: &[&str], propagation: bool) -> LinkSpec {
        let mut spec = LinkSpec::new(
            "l",
            64512,
            "169.254.0.0/31".parse().unwrap(),
            "fd00::/127".parse().unwrap(),
        );
        spec.policy_v4 = Some(
            engine::RoutingPolicy::new(
                false,
                filter_in.iter().map(|p| p.parse().unwrap()),
                ["172.16.0.0/16".parse().unwrap()],
            )
            .unwrap(),
        );
        spec.vpc_prefixes = vec!["172.16.4.0/22".parse().unwrap()];
        spec.enable_route_propagation = propagation;
        spec
    }

    #[test]
    fn a_narrower_policy_keeps_what_it_admits_and_installs_nothing_else() {
        let now = snapshot(&["10.1.0.0/16", "10.2.0.0/16"]);
        let (s, note) = session(
            Some(&now),
            &spec(&["10.2.0.0/16"], true),
            Family::Ipv4,
            "prod",
            None,
        );
        let s = s.unwrap();
        assert_eq!(note, None);
        assert_eq!(s.received.len(), 2);
        assert_eq!(
            s.installed
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            ["10.2.0.0/16"]
        );
        assert_eq!(s.status, SessionStatus::Up);
        assert_eq!(s.established_count, 1);
    }

    #[test]
    fn propagation_off_installs_and_announces_nothing() {
        let now = snapshot(&["10.1.0.0/16"]);
        let (s, _) = session(
            Some(&now),
            &spec(&["10.1.0.0/16"], false),
            Family::Ipv4,
            "prod",
            None,
        );
        let s = s.unwrap();
        assert_eq!(s.accepted.len(), 1);
        assert!(s.installed.is_empty());
        assert!(s.announced.is_empty());
    }

    #[test]
    fn a_detached_policy_disables_the_session_and_says_so() {
        let now = snapshot(&["10.1.0.0/16"]);
        let mut spec = spec(&[], true);
        spec.policy_v4 = None;
        let (s, note) = session(Some(&now), &spec, Family::Ipv4, "prod", None);
        assert!(s.is_none());
        assert!(note.unwrap().contains("stops"));
    }

    #[test]
    fn a_new_peer_asn_the_router_does_not_have_keeps_the_session_down() {
        let now = snapshot(&["10.1.0.0/16"]);
        let (s, note) = session(
            Some(&now),
            &spec(&["10.1.0.0/16"], true),
            Family::Ipv4,
            "prod",
            Some(false),
        );
        let s = s.unwrap();
        assert_eq!(s.status, SessionStatus::Down);
        assert!(s.installed.is_empty());
        assert!(note.unwrap().contains("stays down"));
    }
}
