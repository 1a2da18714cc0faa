//! OVHcloud Connect sessions on the engine.
//!
//! Each session the model wants ([`OvhConnect::sessions`]) is an engine link with only its
//! IPv4 session configured, OVH's ASN as the local ASN, explicit addresses on the /30 (or the
//! datacenter subnet for a `bgp` extra) and everything learned accepted, except AS_PATH loops
//! (a route holding OVH's own AS). Each announces the model's prefixes plus what the sessions
//! it relays for learned ([`super::relay`]), re-read from the engine on every reconcile that
//! refreshes relays (writes, engine events, clock ticks).

use super::Applied;
use super::relay::{originated_elsewhere, relay};
use engine::{EngineHandle, LinkSpec, RoutingPolicy};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use provider::ovh_connect::{OvhConnect, OvhSession};
use rib::Route;
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv6Addr;

/// The engine link of an OVH session.
pub fn link_spec(session: &OvhSession) -> LinkSpec {
    let ipv4 = Ipv4Net::new(session.local, 30)
        .map(|n| n.trunc())
        .unwrap_or_default();
    // The IPv6 session is never configured (no IPv6 policy); its /127 is a placeholder.
    let ipv6 = Ipv6Net::new(Ipv6Addr::UNSPECIFIED, 127).unwrap_or_default();
    let mut spec = LinkSpec::new(session.id.clone(), session.peer_asn, ipv4, ipv6);
    spec.local_asn = session.local_asn;
    spec.bgp_identifier = session.local;
    spec.ipv4_addresses = Some((session.local, session.peer));
    let everything: IpNet = Ipv4Net::default().into();
    // OVH accepts what the customer announces and announces exactly its own prefixes.
    spec.policy_v4 = RoutingPolicy::new(false, [everything], [everything]).ok();
    spec.enable_route_propagation = true;
    // A peer that sends back what OVH relayed to it (FRR does: its neighbour detects the loop)
    // must not be believed: OVH's routers reject routes that crossed their own AS (the
    // engine's default, said again here because the relay depends on it).
    spec.as_path_loop_detection = true;
    spec.vpc_prefixes = session.announce.iter().map(|p| IpNet::V4(*p)).collect();
    spec
}

/// Whether two versions of a session are the same session (they may announce differently).
fn same_session(a: &OvhSession, b: &OvhSession) -> bool {
    (&a.id, a.local_asn, a.peer_asn, a.local, a.peer)
        == (&b.id, b.local_asn, b.peer_asn, b.local, b.peer)
}

/// Brings the engine in line with the model's sessions: starts, restarts and stops sessions;
/// with `relays`, also sets what each announces (its own prefixes and the routes it relays,
/// re-read from the engine). Returns what each session announces now.
pub async fn reconcile(
    engine: &EngineHandle,
    model: &OvhConnect,
    applied: &mut Applied,
    relays: bool,
) -> BTreeMap<String, BTreeSet<IpNet>> {
    let wanted: BTreeMap<String, OvhSession> = model
        .sessions()
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect();
    let gone: Vec<String> = applied
        .ovh
        .keys()
        .filter(|id| !wanted.contains_key(*id))
        .cloned()
        .collect();
    for id in gone {
        if let Err(e) = engine.remove_link(&id).await {
            tracing::warn!(session = %id, "engine could not stop an OVH session: {e}");
        }
        applied.ovh.remove(&id);
        applied.ovh_own.remove(&id);
        applied.ovh_relayed.remove(&id);
    }
    let mut fresh = Vec::new();
    for (id, session) in &wanted {
        let start = match applied.ovh.get(id) {
            Some(old) if same_session(old, session) => false,
            Some(_) => {
                let _ = engine.remove_link(id).await;
                true
            }
            None => true,
        };
        if start {
            applied.ovh_own.remove(id);
            applied.ovh_relayed.remove(id);
            match engine.add_link(link_spec(session)).await {
                Ok(()) => fresh.push(id.clone()),
                Err(e) => {
                    tracing::warn!(session = %id, "engine refused an OVH session: {e}");
                    continue;
                }
            }
        }
        applied.ovh.insert(id.clone(), session.clone());
    }
    if relays || !fresh.is_empty() {
        announce(engine, &wanted, applied).await;
    }
    wanted
        .keys()
        .map(|id| {
            let mut all = applied.ovh_own.get(id).cloned().unwrap_or_default();
            all.extend(
                applied
                    .ovh_relayed
                    .get(id)
                    .into_iter()
                    .flatten()
                    .map(|r| r.prefix),
            );
            (id.clone(), all)
        })
        .collect()
}

/// Sets what each session announces: its own prefixes and the routes it relays.
async fn announce(
    engine: &EngineHandle,
    wanted: &BTreeMap<String, OvhSession>,
    applied: &mut Applied,
) {
    // What each session learned, with its attributes, asked once per call.
    let sources: BTreeSet<&String> = wanted.values().flat_map(|s| &s.learned_from).collect();
    let mut learned: BTreeMap<&String, Vec<Route>> = BTreeMap::new();
    for source in sources {
        let accepted = engine
            .accepted_routes(source, engine::Family::Ipv4)
            .await
            .unwrap_or_default();
        learned.insert(source, accepted);
    }
    for (id, session) in wanted {
        if !applied.ovh.contains_key(id) {
            continue;
        }
        // Prefixes of another OVH instance first: they win over a learned route.
        let mut relayed: Vec<Route> = originated_elsewhere(session);
        let own: BTreeSet<IpNet> = session
            .announce
            .iter()
            .map(|p| IpNet::V4(*p))
            .filter(|p| relayed.iter().all(|r| r.prefix != *p))
            .collect();
        for source in &session.learned_from {
            let (Some(routes), Some(from)) = (learned.get(source), wanted.get(source)) else {
                continue;
            };
            relayed.extend(routes.iter().filter_map(|r| relay(r, from, session)));
        }
        // One route per prefix: the first source's (sources are in ID order).
        relayed.sort_by_key(|r| r.prefix);
        relayed.dedup_by_key(|r| r.prefix);
        if applied.ovh_relayed.get(id) == Some(&relayed) && applied.ovh_own.get(id) == Some(&own) {
            continue;
        }
        let result = match engine
            .set_vpc_prefixes(id, own.iter().copied().collect())
            .await
        {
            Ok(()) => engine.set_relayed_routes(id, relayed.clone()).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                applied.ovh_own.insert(id.clone(), own);
                applied.ovh_relayed.insert(id.clone(), relayed);
            }
            Err(e) => tracing::warn!(session = %id, "engine refused announcements: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn an_l3_pop_session_becomes_an_ipv4_only_engine_link() {
        let session = OvhSession {
            id: "ovh-pop-3".into(),
            local_asn: 65501,
            peer_asn: 65001,
            local: Ipv4Addr::new(192, 0, 2, 1),
            peer: Ipv4Addr::new(192, 0, 2, 2),
            announce: vec!["10.10.0.0/28".parse().unwrap()],
            announce_from: Vec::new(),
            learned_from: Vec::new(),
        };
        let spec = link_spec(&session);
        assert_eq!((spec.local_asn, spec.peer_asn), (65501, 65001));
        assert_eq!(
            spec.addresses(engine::Family::Ipv4),
            (
                Ipv4Addr::new(192, 0, 2, 1).into(),
                Ipv4Addr::new(192, 0, 2, 2).into()
            )
        );
        assert!(spec.policy_v4.is_some() && spec.policy_v6.is_none());
        assert!(spec.enable_route_propagation);
        assert_eq!(
            spec.vpc_prefixes,
            vec!["10.10.0.0/28".parse::<IpNet>().unwrap()]
        );
        assert_eq!(spec.ipv4, "192.0.2.0/30".parse::<Ipv4Net>().unwrap());
    }
}
