use super::*;
use crate::test_support::{announce, net, peer, wire_attributes, withdraw};
use bgp_wire::attribute::{MpReachNlri, MpUnreachNlri, type_code};
use bgp_wire::{Afi, PathAttribute};
use ipnet::IpNet;
use std::net::Ipv6Addr;

fn filter(entries: &[&str]) -> PrefixFilter {
    PrefixFilter::new(false, entries.iter().map(|e| net(e))).unwrap()
}

fn prefixes(routes: impl Iterator<Item = Route>) -> Vec<IpNet> {
    routes.map(|r| r.prefix).collect()
}

#[test]
fn announce_filters_and_shares_attributes() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    let ch = rib.apply(
        &announce(&["10.1.0.0/16", "10.2.0.0/16", "192.168.0.0/16"], 0),
        None,
        &f,
    );
    assert_eq!(
        prefixes(ch.announced.into_iter()),
        vec![net("10.1.0.0/16"), net("10.2.0.0/16")]
    );
    assert!(ch.withdrawn.is_empty());
    assert_eq!((rib.len_pre(), rib.len_post()), (3, 2));
    let pre: Vec<Route> = rib.pre_policy().collect();
    assert_eq!(pre.len(), 3);
    assert!(Arc::ptr_eq(&pre[0].attributes, &pre[2].attributes));
    assert!(rib.get_pre(&Nlri::new(net("192.168.0.0/16"))).is_some());
    assert!(rib.get_post(&Nlri::new(net("192.168.0.0/16"))).is_none());
    assert!(rib.get_post(&Nlri::new(net("10.1.0.0/16"))).is_some());
}

#[test]
fn withdraw_reports_only_post_policy_routes() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16", "192.168.0.0/16"], 0), None, &f);
    let ch = rib.apply(
        &withdraw(&["10.1.0.0/16", "192.168.0.0/16", "172.16.0.0/12"]),
        None,
        &f,
    );
    assert_eq!(ch.withdrawn, vec![Nlri::new(net("10.1.0.0/16"))]);
    assert!(rib.is_empty());
    assert_eq!(rib.len_post(), 0);
}

#[test]
fn replacement_is_reported_and_identical_resend_is_not() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16"], 0), None, &f);
    let ch = rib.apply(&announce(&["10.1.0.0/16"], 5), None, &f);
    assert_eq!(ch.announced.len(), 1);
    assert_eq!(ch.announced[0].attributes.med, Some(5));
    assert_eq!(rib.len_pre(), 1);
    // The same prefix twice in one UPDATE is one change.
    let ch = rib.apply(&announce(&["10.2.0.0/16", "10.2.0.0/16"], 0), None, &f);
    assert_eq!(ch.announced.len(), 1);
    assert_eq!(rib.len_pre(), 2);
}

#[test]
fn prefix_both_withdrawn_and_announced_is_announced() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16"], 0), None, &f);
    let mut u = announce(&["10.1.0.0/16"], 9);
    u.withdrawn = withdraw(&["10.1.0.0/16"]).withdrawn;
    let ch = rib.apply(&u, None, &f);
    assert!(ch.withdrawn.is_empty());
    assert_eq!(ch.announced.len(), 1);
    assert_eq!(rib.len_post(), 1);
}

#[test]
fn treat_as_withdraw_withdraws_the_announced_routes() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16"], 0), None, &f);
    let outcome = Rfc7606 {
        action: Action::TreatAsWithdraw,
        attribute: Some(type_code::MULTI_EXIT_DISC),
    };
    let ch = rib.apply(
        &announce(&["10.1.0.0/16", "10.2.0.0/16"], 3),
        Some(outcome),
        &f,
    );
    assert!(ch.announced.is_empty());
    assert_eq!(ch.withdrawn, vec![Nlri::new(net("10.1.0.0/16"))]);
    assert!(rib.is_empty());
}

#[test]
fn attribute_discard_installs_without_the_malformed_attribute() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    let mut u = announce(&["10.1.0.0/16"], 0);
    u.attributes
        .push(PathAttribute::new(AttributeValue::Malformed {
            type_code: type_code::AGGREGATOR,
            value: vec![1, 2, 3],
        }));
    let outcome = Rfc7606 {
        action: Action::AttributeDiscard,
        attribute: Some(type_code::AGGREGATOR),
    };
    let ch = rib.apply(&u, Some(outcome), &f);
    assert_eq!(ch.announced.len(), 1);
    assert_eq!(ch.announced[0].attributes.aggregator, None);
}

#[test]
fn missing_next_hop_is_treat_as_withdraw_even_without_an_outcome() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16"], 0), None, &f);
    let mut u = announce(&["10.1.0.0/16"], 0);
    u.attributes
        .retain(|a| a.value.type_code() != type_code::NEXT_HOP);
    let ch = rib.apply(&u, None, &f);
    assert_eq!(ch.withdrawn.len(), 1);
    assert!(rib.is_empty());
}

fn v6_update(reach: &[&str], unreach: &[&str]) -> Update {
    let mut attributes = wire_attributes(0);
    attributes.retain(|a| a.value.type_code() != type_code::NEXT_HOP);
    if !reach.is_empty() {
        attributes.push(PathAttribute::new(AttributeValue::MpReachNlri(
            MpReachNlri {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                next_hop: NextHop::Ipv6("fe80::1".parse::<Ipv6Addr>().unwrap()),
                reserved: 0,
                nlri: reach.iter().map(|p| Nlri::new(net(p))).collect(),
            },
        )));
    }
    if !unreach.is_empty() {
        attributes.push(PathAttribute::new(AttributeValue::MpUnreachNlri(
            MpUnreachNlri {
                afi: Afi::IPV6,
                safi: Safi::UNICAST,
                withdrawn: unreach.iter().map(|p| Nlri::new(net(p))).collect(),
            },
        )));
    }
    Update {
        attributes,
        ..Update::default()
    }
}

#[test]
fn mp_reach_and_mp_unreach_for_ipv6() {
    let f = PrefixFilter::new(true, [net("2001:db8::/32")]).unwrap();
    let mut rib = AdjRibIn::new(peer(1));
    let ch = rib.apply(
        &v6_update(&["2001:db8:1::/48", "2001:db9::/32"], &[]),
        None,
        &f,
    );
    assert_eq!(
        prefixes(ch.announced.iter().cloned()),
        vec![net("2001:db8:1::/48")]
    );
    assert_eq!(
        ch.announced[0].attributes.next_hop,
        NextHop::Ipv6("fe80::1".parse().unwrap())
    );
    let ch = rib.apply(&v6_update(&[], &["2001:db8:1::/48"]), None, &f);
    assert_eq!(ch.withdrawn, vec![Nlri::new(net("2001:db8:1::/48"))]);
    assert_eq!((rib.len_pre(), rib.len_post()), (1, 0));
}

#[test]
fn host_bits_from_the_wire_are_cleared() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    let ch = rib.apply(&announce(&["10.1.0.1/16"], 0), None, &f);
    assert_eq!(ch.announced[0].prefix, net("10.1.0.0/16"));
    let ch = rib.apply(&withdraw(&["10.1.0.0/16"]), None, &f);
    assert_eq!(ch.withdrawn.len(), 1);
}

#[test]
fn add_path_keeps_one_route_per_path_id() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    let mut u = announce(&[], 0);
    u.nlri = (1..=3)
        .map(|id| Nlri {
            path_id: Some(id),
            prefix: net("10.1.0.0/16"),
        })
        .collect();
    assert_eq!(rib.apply(&u, None, &f).announced.len(), 3);
    let mut w = withdraw(&[]);
    w.withdrawn = vec![Nlri {
        path_id: Some(2),
        prefix: net("10.1.0.0/16"),
    }];
    let ch = rib.apply(&w, None, &f);
    assert_eq!(ch.withdrawn, w.withdrawn);
    assert_eq!((rib.len_pre(), rib.len_post()), (2, 2));
}

#[test]
fn reevaluate_announces_newly_admitted_and_withdraws_newly_blocked() {
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(
        &announce(&["10.1.0.0/16", "192.168.1.0/24"], 0),
        None,
        &filter(&["10.0.0.0/8"]),
    );
    let ch = rib.reevaluate(&filter(&["192.168.0.0/16"]));
    assert_eq!(
        prefixes(ch.announced.into_iter()),
        vec![net("192.168.1.0/24")]
    );
    assert_eq!(ch.withdrawn, vec![Nlri::new(net("10.1.0.0/16"))]);
    assert_eq!(prefixes(rib.post_policy()), vec![net("192.168.1.0/24")]);
    // A policy that admits both keeps the route both allowed untouched.
    let ch = rib.reevaluate(&filter(&["10.0.0.0/8", "192.168.0.0/16"]));
    assert_eq!(prefixes(ch.announced.into_iter()), vec![net("10.1.0.0/16")]);
    assert!(ch.withdrawn.is_empty());
    assert_eq!(rib.len_post(), 2);
}

#[test]
fn clear_withdraws_every_post_policy_route() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16", "192.168.1.0/24"], 0), None, &f);
    assert_eq!(rib.post_policy_changes().announced.len(), 1);
    let ch = rib.clear();
    assert_eq!(ch.withdrawn, vec![Nlri::new(net("10.1.0.0/16"))]);
    assert!(rib.is_empty());
    assert_eq!(rib.len_post(), 0);
    assert_eq!(rib.pre_policy().count(), 0);
}

#[test]
fn equal_attributes_of_different_updates_are_shared() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16"], 4), None, &f);
    rib.apply(&announce(&["10.2.0.0/16"], 4), None, &f);
    rib.apply(&announce(&["10.3.0.0/16"], 5), None, &f);
    let routes: Vec<Route> = rib.pre_policy().collect();
    assert!(Arc::ptr_eq(&routes[0].attributes, &routes[1].attributes));
    assert!(!Arc::ptr_eq(&routes[0].attributes, &routes[2].attributes));
}

fn with_path_id(mut update: Update, path_id: Option<u32>) -> Update {
    update.nlri.iter_mut().for_each(|n| n.path_id = path_id);
    update
        .withdrawn
        .iter_mut()
        .for_each(|n| n.path_id = path_id);
    update
}

#[test]
fn paths_with_and_without_path_id_share_a_prefix() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16"], 1), None, &f);
    rib.apply(
        &with_path_id(announce(&["10.1.0.0/16"], 2), Some(7)),
        None,
        &f,
    );
    let ch = rib.apply(
        &with_path_id(announce(&["10.1.0.0/16"], 3), Some(7)),
        None,
        &f,
    );
    assert_eq!(ch.announced.len(), 1);
    let meds: Vec<_> = rib
        .pre_policy()
        .map(|r| (r.path_id, r.attributes.med))
        .collect();
    assert_eq!(meds, vec![(None, Some(1)), (Some(7), Some(3))]);
    assert_eq!((rib.len_pre(), rib.len_post()), (2, 2));
    let ch = rib.apply(&withdraw(&["10.1.0.0/16"]), None, &f);
    assert_eq!(ch.withdrawn, vec![Nlri::new(net("10.1.0.0/16"))]);
    assert!(rib.get_pre(&Nlri::new(net("10.1.0.0/16"))).is_none());
    let key = Nlri {
        path_id: Some(7),
        prefix: net("10.1.0.0/16"),
    };
    assert_eq!(rib.get_post(&key).unwrap().attributes.med, Some(3));
    rib.apply(&with_path_id(withdraw(&["10.1.0.0/16"]), Some(7)), None, &f);
    assert!(rib.is_empty());
    assert_eq!(rib.store.sets(), 0);
}

#[test]
fn attribute_sets_go_with_their_last_path() {
    let f = filter(&["10.0.0.0/8"]);
    let mut rib = AdjRibIn::new(peer(1));
    rib.apply(&announce(&["10.1.0.0/16", "10.2.0.0/16"], 1), None, &f);
    rib.apply(&announce(&["10.3.0.0/16"], 2), None, &f);
    assert_eq!(rib.store.sets(), 2);
    // Replaced, withdrawn, or announced again unchanged: the counts follow.
    rib.apply(&announce(&["10.1.0.0/16"], 2), None, &f);
    rib.apply(&announce(&["10.3.0.0/16"], 2), None, &f);
    assert_eq!(rib.store.sets(), 2);
    rib.apply(&withdraw(&["10.2.0.0/16"]), None, &f);
    assert_eq!(rib.store.sets(), 1);
    // Withdrawing the last paths frees every set.
    rib.apply(&withdraw(&["10.1.0.0/16", "10.3.0.0/16"]), None, &f);
    assert_eq!(rib.store.sets(), 0);
    rib.apply(&announce(&["10.1.0.0/16"], 4), None, &f);
    assert_eq!(rib.store.sets(), 1);
    assert_eq!(rib.pre_policy().next().unwrap().attributes.med, Some(4));
    rib.clear();
    assert_eq!(rib.store.sets(), 0);
}

#[test]
fn apply_untracked_stores_what_apply_stores() {
    let f = filter(&["10.0.0.0/8"]);
    let (mut tracked, mut untracked) = (AdjRibIn::new(peer(1)), AdjRibIn::new(peer(1)));
    for update in [
        announce(&["10.1.0.0/16", "192.168.0.0/16"], 1),
        with_path_id(announce(&["10.1.0.0/16"], 2), Some(1)),
        withdraw(&["10.1.0.0/16"]),
    ] {
        tracked.apply(&update, None, &f);
        untracked.apply_untracked(&update, None, &f);
    }
    let routes = |rib: &AdjRibIn| {
        rib.pre_policy()
            .map(|r| (r.nlri(), r.attributes))
            .collect::<Vec<_>>()
    };
    assert_eq!(routes(&untracked), routes(&tracked));
    assert_eq!(
        (untracked.len_pre(), untracked.len_post()),
        (tracked.len_pre(), tracked.len_post())
    );
}
