//! Adj-RIB-Out against a model of the peer: after sending each difference (as UPDATE messages,
//! encoded and decoded again), the peer holds exactly the routes the filter and the
//! route-propagation toggle allow.

mod common;

use bgp_wire::attribute::{Community, NextHop};
use bgp_wire::{Context, Message, Update, decode};
use common::*;
use ipnet::IpNet;
use proptest::prelude::*;
use rib::{
    AdjRibOut, BestChange, LocRib, OutDiff, PathAttributes, PeerId, RibChanges, Route, packing,
};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::sync::Arc;

const ME: NextHop = NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 0));
/// The peer the Adj-RIB-Out sends to.
const TARGET: u8 = 1;

/// A route to a prefix from a source (0: originated here, n: peer n), with a MED and maybe
/// NO_EXPORT.
fn routes() -> impl Strategy<Value = Vec<Route>> {
    proptest::collection::vec(
        (v4_prefix(), 0u8..3, 0u32..3, proptest::bool::weighted(0.1)),
        0..25,
    )
    .prop_map(|v| {
        // One route per prefix, as the Loc-RIB gives.
        let mut by_prefix = BTreeMap::new();
        for (prefix, source, med, no_export) in v {
            let peer = if source == 0 { local() } else { peer(source) };
            let mut a = PathAttributes::local(ME);
            a.med = Some(med);
            if no_export {
                a.communities.push(Community::NO_EXPORT);
            }
            by_prefix.insert(
                prefix,
                Route {
                    prefix,
                    path_id: None,
                    attributes: Arc::new(a),
                    peer,
                },
            );
        }
        by_prefix.into_values().collect()
    })
}

#[derive(Clone, Debug)]
enum Step {
    Routes(Vec<Route>),
    Filter(Vec<IpNet>),
    Propagation(bool),
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let step = prop_oneof![
        3 => routes().prop_map(Step::Routes),
        2 => proptest::collection::vec(v4_prefix(), 0..5).prop_map(Step::Filter),
        2 => any::<bool>().prop_map(Step::Propagation),
    ];
    proptest::collection::vec(step, 1..15)
}

/// What the peer should hold: prefix -> MED sent.
fn desired(routes: &[Route], filter: &[IpNet], enabled: bool) -> BTreeMap<IpNet, Option<u32>> {
    routes
        .iter()
        .filter(|r| enabled && linear_admits(filter, &r.prefix))
        .filter(|r| {
            r.peer != peer(TARGET) && !r.attributes.communities.contains(&Community::NO_EXPORT)
        })
        // Toward an external peer only our own routes keep their MED.
        .map(|r| {
            (
                r.prefix,
                if r.peer.is_local() {
                    r.attributes.med
                } else {
                    None
                },
            )
        })
        .collect()
}

/// The peer: applies decoded UPDATEs to its table; checks the attributes of each route.
fn receive(
    peer_view: &mut BTreeMap<IpNet, Option<u32>>,
    diff: &OutDiff,
) -> Result<(), TestCaseError> {
    let withdrawn: BTreeSet<IpNet> = diff.withdraw.iter().map(|n| n.prefix).collect();
    let announced: BTreeSet<IpNet> = diff
        .announce
        .iter()
        .flat_map(|(_, n)| n.iter().map(|n| n.prefix))
        .collect();
    prop_assert_eq!(withdrawn.len(), diff.withdraw.len(), "withdrawal repeated");
    prop_assert_eq!(
        announced.len(),
        diff.announced_len(),
        "announcement repeated"
    );
    prop_assert!(withdrawn.is_disjoint(&announced));
    let cx = Context::default();
    for u in packing::updates(diff, &cx).map_err(|e| TestCaseError::fail(e.to_string()))? {
        let bytes = Message::Update(u)
            .to_vec(&cx)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Message::Update(u): Message = decode(&bytes, &cx)
            .map_err(|e| TestCaseError::fail(format!("{e:?}")))?
            .message
        else {
            return Err(TestCaseError::fail("not an UPDATE"));
        };
        apply(peer_view, &u)?;
    }
    Ok(())
}

fn apply(peer_view: &mut BTreeMap<IpNet, Option<u32>>, u: &Update) -> Result<(), TestCaseError> {
    for w in &u.withdrawn {
        prop_assert!(
            peer_view.remove(&w.prefix).is_some(),
            "{} withdrawn but never announced",
            w.prefix
        );
    }
    if u.nlri.is_empty() {
        return Ok(());
    }
    let a = PathAttributes::from_wire(&u.attributes, ME)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(a.as_path.first_asn(), Some(12876), "our AS first on eBGP");
    prop_assert_eq!(a.local_pref, None, "no LOCAL_PREF on eBGP");
    for n in &u.nlri {
        let old = peer_view.insert(n.prefix, a.med);
        prop_assert_ne!(old, Some(a.med), "{} re-sent unchanged", n.prefix);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn peer_holds_exactly_what_filter_and_toggle_allow(steps in steps()) {
        let mut out = AdjRibOut::new(peer(TARGET), 12876, ME);
        let mut peer_view = BTreeMap::new();
        let (mut routes, mut filter, mut enabled) = (Vec::new(), Vec::new(), false);
        for step in steps {
            match step {
                Step::Routes(r) => routes = r,
                Step::Filter(f) => filter = f,
                Step::Propagation(on) => enabled = on,
            }
            let diff = out.sync(routes.clone(), &v4_filter(&filter), enabled);
            receive(&mut peer_view, &diff)?;
            let want = desired(&routes, &filter, enabled);
            prop_assert_eq!(&peer_view, &want);
            prop_assert_eq!(out.len(), want.len());
            if !enabled {
                prop_assert!(peer_view.is_empty());
            }
        }
    }

    /// Toggling propagation off withdraws everything; on again announces exactly what
    /// `prefix_filter_out` allows.
    #[test]
    fn toggle_off_then_on(routes in routes(), filter in proptest::collection::vec(v4_prefix(), 0..5)) {
        let f = v4_filter(&filter);
        let mut out = AdjRibOut::new(peer(TARGET), 12876, ME);
        let mut peer_view = BTreeMap::new();
        receive(&mut peer_view, &out.sync(routes.clone(), &f, true))?;
        let before = peer_view.clone();
        let off = out.sync(routes.clone(), &f, false);
        prop_assert!(off.announce.is_empty());
        prop_assert_eq!(off.withdraw.len(), before.len());
        receive(&mut peer_view, &off)?;
        prop_assert!(peer_view.is_empty());
        receive(&mut peer_view, &out.sync(routes.clone(), &f, true))?;
        prop_assert_eq!(&peer_view, &before);
        prop_assert_eq!(peer_view, desired(&routes, &filter, true));
    }

    /// Following the Loc-RIB incrementally (`update`) leaves the peer where a full `sync` would.
    #[test]
    fn incremental_update_matches_sync(batches in proptest::collection::vec(routes(), 1..6), filter in proptest::collection::vec(v4_prefix(), 0..5)) {
        let f = v4_filter(&filter);
        let mut loc_rib = LocRib::new(12876);
        let mut incremental = AdjRibOut::new(peer(TARGET), 12876, ME);
        let mut peer_view = BTreeMap::new();
        let mut previous: Vec<Route> = Vec::new();
        for batch in batches {
            // Each batch replaces the previous one: withdraw what is gone, announce the rest.
            let mut best: Vec<BestChange> = Vec::new();
            let sources: BTreeSet<PeerId> = previous.iter().chain(&batch).map(|r| r.peer).collect();
            for source in sources {
                let mut ch = RibChanges::new(source);
                ch.withdrawn = previous.iter().filter(|r| r.peer == source).map(|r| r.nlri()).collect();
                ch.announced = batch.iter().filter(|r| r.peer == source).cloned().collect();
                let new: BTreeSet<_> = ch.announced.iter().map(|r| r.nlri()).collect();
                ch.withdrawn.retain(|n| !new.contains(n));
                best.extend(loc_rib.update(&ch));
            }
            receive(&mut peer_view, &incremental.update(&best, &f, true))?;
            let mut full = AdjRibOut::new(peer(TARGET), 12876, ME);
            let mut full_view = BTreeMap::new();
            receive(&mut full_view, &full.sync(loc_rib.iter(), &f, true))?;
            prop_assert_eq!(&peer_view, &full_view);
            prop_assert_eq!(&peer_view, &desired(&loc_rib.iter().collect::<Vec<_>>(), &filter, true));
            previous = batch;
        }
    }
}
