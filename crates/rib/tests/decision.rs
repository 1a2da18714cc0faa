//! The decision process against a transcription of RFC 4271 §9.1.2.2, and its independence of
//! the order routes arrive in.

mod common;

use common::*;
use proptest::prelude::*;
use rib::decision::{Candidate, select};
use rib::{BestChange, LocRib, PeerId, RibChanges, Route};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::sync::Arc;

/// Up to six candidates from distinct peers, with few distinct identifiers so that ties reach
/// the peer address.
fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
    proptest::collection::vec((attributes(), 1u8..4, any::<bool>()), 1..7).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (a, id, ebgp))| Candidate {
                peer: PeerId {
                    bgp_id: Ipv4Addr::new(192, 0, 2, id),
                    address: Ipv4Addr::new(169, 254, 0, 10 - i as u8).into(),
                    asn: 65000,
                    ebgp,
                },
                path_id: None,
                attributes: Arc::new(a),
            })
            .collect()
    })
}

/// RFC 4271 §9.1.2.2, step by step, on a set.
fn model(all: &[Candidate]) -> &Candidate {
    let degree = |c: &Candidate| {
        if c.peer.ebgp {
            100
        } else {
            c.attributes.local_pref.unwrap_or(100)
        }
    };
    let neighbour = |c: &Candidate| c.attributes.as_path.first_asn();
    let med = |c: &Candidate| c.attributes.med.unwrap_or(0);
    let mut set: Vec<&Candidate> = all.iter().collect();
    // (a) highest degree of preference
    let best = set.iter().map(|c| degree(c)).max().unwrap();
    set.retain(|c| degree(c) == best);
    // (a) shortest AS_PATH
    let best = set
        .iter()
        .map(|c| c.attributes.as_path.route_len())
        .min()
        .unwrap();
    set.retain(|c| c.attributes.as_path.route_len() == best);
    // (b) lowest origin
    let best = set.iter().map(|c| c.attributes.origin).min().unwrap();
    set.retain(|c| c.attributes.origin == best);
    // (c) lowest MED among routes with the same neighbouring AS
    let before = set.clone();
    set.retain(|c| {
        before
            .iter()
            .filter(|o| neighbour(o) == neighbour(c))
            .all(|o| med(o) >= med(c))
    });
    // (d) eBGP over iBGP
    if set.iter().any(|c| c.peer.ebgp) {
        set.retain(|c| c.peer.ebgp);
    }
    // (f) lowest BGP identifier, (g) lowest peer address
    let best = set.iter().map(|c| c.peer.bgp_id).min().unwrap();
    set.retain(|c| c.peer.bgp_id == best);
    set.into_iter().min_by_key(|c| c.peer.address).unwrap()
}

proptest! {
    #[test]
    fn select_picks_what_the_rfc_picks(all in candidates()) {
        let i = select(&all).unwrap();
        prop_assert_eq!(&all[i], model(&all));
    }

    #[test]
    fn select_does_not_depend_on_order(all in candidates(), seed in any::<u64>()) {
        let best = all[select(&all).unwrap()].clone();
        let mut shuffled = all.clone();
        // Fisher–Yates with a tiny LCG.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(&shuffled[select(&shuffled).unwrap()], &best);
        let mut reversed = all.clone();
        reversed.reverse();
        prop_assert_eq!(&reversed[select(&reversed).unwrap()], &best);
    }
}

/// One peer's announcement or withdrawal of a prefix (index into a small pool).
#[derive(Clone, Debug)]
enum Event {
    Announce {
        peer: u8,
        prefix: usize,
        attributes: Arc<rib::PathAttributes>,
    },
    Withdraw {
        peer: u8,
        prefix: usize,
    },
}

fn events() -> impl Strategy<Value = Vec<Event>> {
    let event = prop_oneof![
        3 => (1u8..5, 0usize..6, attributes()).prop_map(|(peer, prefix, attributes)| Event::Announce { peer, prefix, attributes: Arc::new(attributes) }),
        1 => (1u8..5, 0usize..6).prop_map(|(peer, prefix)| Event::Withdraw { peer, prefix }),
    ];
    proptest::collection::vec(event, 1..40)
}

const POOL: [&str; 6] = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.1.0/24",
    "192.168.0.0/16",
    "2001:db8::/32",
    "0.0.0.0/0",
];

fn changes_of(e: &Event) -> RibChanges {
    match e {
        Event::Announce {
            peer: n,
            prefix,
            attributes,
        } => {
            let mut c = RibChanges::new(peer(*n));
            c.announced.push(Route {
                prefix: POOL[*prefix].parse().unwrap(),
                path_id: None,
                attributes: Arc::clone(attributes),
                peer: peer(*n),
            });
            c
        }
        Event::Withdraw { peer: n, prefix } => {
            let mut c = RibChanges::new(peer(*n));
            c.withdrawn
                .push(bgp_wire::Nlri::new(POOL[*prefix].parse().unwrap()));
            c
        }
    }
}

proptest! {
    /// After any sequence of changes, the Loc-RIB's best route of each destination is the one
    /// the decision process picks among the routes the peers currently announce, and the
    /// stream of `BestChange`s replays to the same table.
    #[test]
    fn loc_rib_is_the_decision_over_current_routes(events in events()) {
        let mut rib = LocRib::new(12876);
        // (prefix, peer) -> attributes: what each peer currently announces.
        let mut current: BTreeMap<(usize, u8), rib::PathAttributes> = BTreeMap::new();
        let mut replayed: BTreeMap<ipnet::IpNet, Route> = BTreeMap::new();
        for e in &events {
            match e {
                Event::Announce { peer, prefix, attributes } => { current.insert((*prefix, *peer), (**attributes).clone()); }
                Event::Withdraw { peer, prefix } => { current.remove(&(*prefix, *peer)); }
            }
            for BestChange { prefix, best } in rib.update(&changes_of(e)) {
                match best {
                    Some(r) => {
                        let old = replayed.insert(prefix, r.clone());
                        prop_assert_ne!(old, Some(r), "no-op change reported");
                    }
                    None => { prop_assert!(replayed.remove(&prefix).is_some()); }
                }
            }
        }
        for (i, p) in POOL.iter().enumerate() {
            let prefix: ipnet::IpNet = p.parse().unwrap();
            let cands: Vec<Candidate> = current
                .iter()
                .filter(|((pi, _), _)| *pi == i)
                .map(|((_, n), a)| Candidate { peer: peer(*n), path_id: None, attributes: Arc::new(a.clone()) })
                .collect();
            let expected = (!cands.is_empty()).then(|| model(&cands).peer);
            prop_assert_eq!(rib.best(&prefix).map(|r| r.peer), expected, "{}", prefix);
            prop_assert_eq!(replayed.get(&prefix).map(|r| r.peer), expected);
        }
        prop_assert_eq!(rib.len(), replayed.len());
        let all: Vec<Route> = rib.iter().collect();
        prop_assert_eq!(all, replayed.into_values().collect::<Vec<_>>());
    }

    /// Feeding the same announcements in another order gives the same best routes.
    #[test]
    fn loc_rib_does_not_depend_on_arrival_order(events in events()) {
        let announcements: Vec<&Event> = events.iter().filter(|e| matches!(e, Event::Announce { .. })).collect();
        // Keep the last announcement of each (peer, prefix) so that both orders end in the same state.
        let mut last: BTreeMap<(u8, usize), &Event> = BTreeMap::new();
        for e in &announcements {
            if let Event::Announce { peer, prefix, .. } = e { last.insert((*peer, *prefix), e); }
        }
        let mut forward = LocRib::new(12876);
        let mut backward = LocRib::new(12876);
        for e in last.values() { forward.update(&changes_of(e)); }
        for e in last.values().rev() { backward.update(&changes_of(e)); }
        let f: Vec<(ipnet::IpNet, PeerId)> = forward.iter().map(|r| (r.prefix, r.peer)).collect();
        let b: Vec<(ipnet::IpNet, PeerId)> = backward.iter().map(|r| (r.prefix, r.peer)).collect();
        prop_assert_eq!(f, b);
    }
}
