//! Adj-RIB-In against a model: after any sequence of UPDATEs (with RFC 7606 outcomes), policy
//! changes and session resets, the post-policy view is the filter applied to the pre-policy
//! view, and the reported changes replay to the post-policy view.

mod common;

use bgp_wire::attribute::{AsPath, AsSegment, Origin, type_code};
use bgp_wire::rfc7606::Action;
use bgp_wire::{AttributeValue, Nlri, PathAttribute, Rfc7606, Update};
use common::*;
use ipnet::IpNet;
use proptest::prelude::*;
use rib::{AdjRibIn, PrefixFilter, RibChanges};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

#[derive(Clone, Debug)]
enum Op {
    /// An UPDATE: withdrawn routes, then NLRI with this MED, under an RFC 7606 outcome.
    Update {
        withdrawn: Vec<(IpNet, u8)>,
        nlri: Vec<(IpNet, u8)>,
        med: u32,
        outcome: Option<Action>,
    },
    /// `set-routing-policy`: a new `prefix_filter_in`.
    Reevaluate(Vec<IpNet>),
    /// Session down.
    Clear,
}

/// A key: prefix and (with ADD-PATH) a path id among a few; 3 is no path id.
fn key() -> impl Strategy<Value = (IpNet, u8)> {
    (v4_prefix(), 0u8..4)
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (
            proptest::collection::vec(key(), 0..4),
            proptest::collection::vec(key(), 0..6),
            0u32..3,
            prop_oneof![4 => Just(None), 1 => Just(Some(Action::TreatAsWithdraw)), 1 => Just(Some(Action::AttributeDiscard))],
        ).prop_map(|(withdrawn, nlri, med, outcome)| Op::Update { withdrawn, nlri, med, outcome }),
        2 => proptest::collection::vec(v4_prefix(), 0..5).prop_map(Op::Reevaluate),
        1 => Just(Op::Clear),
    ]
}

fn nlri(keys: &[(IpNet, u8)]) -> Vec<Nlri> {
    keys.iter()
        .map(|(p, id)| Nlri {
            path_id: (*id < 3).then_some(u32::from(*id)),
            prefix: *p,
        })
        .collect()
}

fn update(withdrawn: &[(IpNet, u8)], announced: &[(IpNet, u8)], med: u32) -> Update {
    Update {
        withdrawn: nlri(withdrawn),
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![65001],
            )]))),
            PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
            PathAttribute::new(AttributeValue::MultiExitDisc(med)),
        ],
        nlri: nlri(announced),
        ..Update::default()
    }
}

type View = BTreeMap<Nlri, Option<u32>>;

fn view(routes: impl Iterator<Item = rib::Route>) -> View {
    routes.map(|r| (r.nlri(), r.attributes.med)).collect()
}

/// Applies reported changes to a replica of the post-policy view, checking they are well formed.
fn replay(replica: &mut View, changes: &RibChanges) -> Result<(), TestCaseError> {
    let mut seen = BTreeSet::new();
    for w in &changes.withdrawn {
        prop_assert!(seen.insert(*w), "{:?} reported twice", w);
        prop_assert!(
            replica.remove(w).is_some(),
            "withdrawal of {:?} that was not announced",
            w
        );
    }
    for r in &changes.announced {
        prop_assert!(seen.insert(r.nlri()), "{:?} reported twice", r.nlri());
        let old = replica.insert(r.nlri(), r.attributes.med);
        prop_assert_ne!(
            old,
            Some(r.attributes.med),
            "no-op announcement of {:?}",
            r.nlri()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn post_policy_is_filter_of_pre_policy(
        initial_filter in proptest::collection::vec(v4_prefix(), 0..5),
        ops in proptest::collection::vec(op(), 1..30),
    ) {
        let mut entries = initial_filter;
        let mut filter = v4_filter(&entries);
        let mut rib = AdjRibIn::new(peer(1));
        // The same operations, updates through `apply_untracked`: must hold the same routes.
        let mut untracked = AdjRibIn::new(peer(1));
        let mut model: View = BTreeMap::new(); // pre-policy
        let mut replica: View = BTreeMap::new(); // post-policy, from the reported changes
        for op in &ops {
            let changes = match op {
                Op::Update { withdrawn, nlri: announced, med, outcome } => {
                    let announced_keys: BTreeSet<Nlri> = nlri(announced).into_iter().collect();
                    let withdraw_all = *outcome == Some(Action::TreatAsWithdraw);
                    for k in nlri(withdrawn) {
                        // RFC 4271 §4.3: a prefix both withdrawn and announced is announced.
                        if withdraw_all || !announced_keys.contains(&k) {
                            model.remove(&k);
                        }
                    }
                    for k in announced_keys {
                        if withdraw_all { model.remove(&k); } else { model.insert(k, Some(*med)); }
                    }
                    let mut u = update(withdrawn, announced, *med);
                    if *outcome == Some(Action::AttributeDiscard) {
                        u.attributes.push(PathAttribute::new(AttributeValue::Malformed { type_code: type_code::AGGREGATOR, value: vec![0] }));
                    }
                    let rfc7606 = outcome.map(|action| Rfc7606 { action, attribute: Some(type_code::AGGREGATOR) });
                    untracked.apply_untracked(&u, rfc7606, &filter);
                    rib.apply(&u, rfc7606, &filter)
                }
                Op::Reevaluate(new) => {
                    entries = new.clone();
                    filter = v4_filter(&entries);
                    untracked.reevaluate(&filter);
                    rib.reevaluate(&filter)
                }
                Op::Clear => {
                    model.clear();
                    untracked.clear();
                    rib.clear()
                }
            };
            prop_assert!(changes.announced.iter().all(|r| r.peer == peer(1)));
            replay(&mut replica, &changes)?;
            let pre = view(rib.pre_policy());
            let post = view(rib.post_policy());
            let filtered: View = model
                .iter()
                .filter(|(k, _)| linear_admits(&entries, &k.prefix))
                .map(|(k, v)| (*k, *v))
                .collect();
            prop_assert_eq!(&pre, &model);
            prop_assert_eq!(&post, &filtered);
            prop_assert_eq!(&replica, &post);
            prop_assert_eq!(rib.len_pre(), pre.len());
            prop_assert_eq!(rib.len_post(), post.len());
            prop_assert_eq!(&view(untracked.pre_policy()), &pre);
            prop_assert_eq!(&view(untracked.post_policy()), &post);
            prop_assert_eq!((untracked.len_pre(), untracked.len_post()), (pre.len(), post.len()));
            for k in model.keys() {
                prop_assert!(rib.get_pre(k).is_some());
                prop_assert_eq!(rib.get_post(k).is_some(), filtered.contains_key(k));
            }
        }
    }

    /// Re-evaluating with the filter already in force changes nothing.
    #[test]
    fn reevaluate_with_the_same_filter_is_a_no_op(
        entries in proptest::collection::vec(v4_prefix(), 0..5),
        announced in proptest::collection::vec(v4_prefix(), 0..20),
    ) {
        let filter = v4_filter(&entries);
        let mut rib = AdjRibIn::new(peer(1));
        let keys: Vec<(IpNet, u8)> = announced.iter().map(|p| (*p, 0)).collect();
        rib.apply(&update(&[], &keys, 0), None, &filter);
        prop_assert!(rib.reevaluate(&filter).is_empty());
        // Detaching the policy withdraws exactly what was admitted.
        let admitted = rib.len_post();
        let ch = rib.reevaluate(&PrefixFilter::block_all(false));
        prop_assert!(ch.announced.is_empty());
        prop_assert_eq!(ch.withdrawn.len(), admitted);
        prop_assert_eq!(rib.len_post(), 0);
    }
}
