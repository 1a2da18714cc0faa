use super::*;
use crate::test_support::{attrs, net, peer};
use std::net::Ipv4Addr;

const ME: NextHop = NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 0));

fn route(prefix: &str, from: PeerId, a: &Arc<PathAttributes>) -> Route {
    Route {
        prefix: net(prefix),
        path_id: None,
        attributes: Arc::clone(a),
        peer: from,
    }
}

fn local() -> PeerId {
    PeerId::local(Ipv4Addr::new(192, 0, 2, 254), 12876)
}

fn filter(entries: &[&str]) -> PrefixFilter {
    PrefixFilter::new(false, entries.iter().map(|e| net(e))).unwrap()
}

fn announced(diff: &OutDiff) -> Vec<IpNet> {
    let mut v: Vec<IpNet> = diff
        .announce
        .iter()
        .flat_map(|(_, n)| n.iter().map(|n| n.prefix))
        .collect();
    v.sort();
    v
}

#[test]
fn sync_announces_what_the_filter_admits_grouped_and_exported() {
    let a = Arc::new(PathAttributes::local(ME));
    let routes = vec![
        route("172.16.0.0/24", local(), &a),
        route("172.16.1.0/24", local(), &a),
        route("10.0.0.0/8", local(), &a),
    ];
    let mut out = AdjRibOut::new(peer(1), 12876, ME);
    let diff = out.sync(routes.clone(), &filter(&["172.16.0.0/12"]), true);
    assert!(diff.withdraw.is_empty());
    assert_eq!(diff.announce.len(), 1, "one group for shared attributes");
    assert_eq!(
        announced(&diff),
        vec![net("172.16.0.0/24"), net("172.16.1.0/24")]
    );
    let sent = &diff.announce[0].0;
    assert_eq!(sent.as_path.first_asn(), Some(12876));
    assert_eq!(sent.next_hop, ME);
    assert_eq!(out.len(), 2);
    // The same input again sends nothing.
    assert!(
        out.sync(routes, &filter(&["172.16.0.0/12"]), true)
            .is_empty()
    );
}

#[test]
fn toggle_off_withdraws_everything_and_on_restores_it() {
    let a = Arc::new(PathAttributes::local(ME));
    let routes = vec![route("172.16.0.0/24", local(), &a)];
    let f = filter(&["172.16.0.0/12"]);
    let mut out = AdjRibOut::new(peer(1), 12876, ME);
    out.sync(routes.clone(), &f, true);
    let diff = out.sync(routes.clone(), &f, false);
    assert_eq!(diff.withdraw, vec![Nlri::new(net("172.16.0.0/24"))]);
    assert!(diff.announce.is_empty());
    assert!(out.is_empty());
    let diff = out.sync(routes, &f, true);
    assert_eq!(announced(&diff), vec![net("172.16.0.0/24")]);
}

#[test]
fn filter_change_withdraws_and_announces_the_difference() {
    let a = Arc::new(PathAttributes::local(ME));
    let routes = vec![
        route("172.16.0.0/24", local(), &a),
        route("192.168.0.0/24", local(), &a),
    ];
    let mut out = AdjRibOut::new(peer(1), 12876, ME);
    out.sync(routes.clone(), &filter(&["172.16.0.0/12"]), true);
    let diff = out.sync(routes, &filter(&["192.168.0.0/16"]), true);
    assert_eq!(diff.withdraw, vec![Nlri::new(net("172.16.0.0/24"))]);
    assert_eq!(announced(&diff), vec![net("192.168.0.0/24")]);
}

#[test]
fn not_sent_back_to_its_peer_nor_with_no_export() {
    let a = Arc::new(attrs());
    let mut no_export = attrs();
    no_export.communities.push(Community::NO_EXPORT);
    let no_export = Arc::new(no_export);
    let routes = vec![
        route("10.1.0.0/16", peer(1), &a),
        route("10.2.0.0/16", peer(2), &a),
        route("10.3.0.0/16", peer(2), &no_export),
    ];
    let mut out = AdjRibOut::new(peer(1), 12876, ME);
    let diff = out.sync(routes, &filter(&["10.0.0.0/8"]), true);
    assert_eq!(announced(&diff), vec![net("10.2.0.0/16")]);
    // Learned over eBGP and sent over eBGP: no MED, our AS first.
    let sent = &diff.announce[0].0;
    assert_eq!(sent.as_path.first_asn(), Some(12876));
}

#[test]
fn ibgp_routes_are_not_sent_to_ibgp_peers() {
    let a = Arc::new(attrs());
    let mut internal = peer(2);
    internal.ebgp = false;
    let mut target = peer(3);
    target.ebgp = false;
    let mut out = AdjRibOut::new(target, 12876, ME);
    let diff = out.sync(
        vec![
            route("10.1.0.0/16", internal, &a),
            route("10.2.0.0/16", peer(1), &a),
        ],
        &filter(&["10.0.0.0/8"]),
        true,
    );
    assert_eq!(announced(&diff), vec![net("10.2.0.0/16")]);
    assert_eq!(diff.announce[0].0.local_pref, Some(100));
}

#[test]
fn update_follows_best_changes() {
    let a = Arc::new(PathAttributes::local(ME));
    let mut b = PathAttributes::local(ME);
    b.med = Some(7);
    let b = Arc::new(b);
    let f = filter(&["172.16.0.0/12"]);
    let mut out = AdjRibOut::new(peer(1), 12876, ME);
    let best = |p: &str, a: Option<&Arc<PathAttributes>>| BestChange {
        prefix: net(p),
        best: a.map(|a| route(p, local(), a)),
    };
    let diff = out.update(
        &[
            best("172.16.0.0/24", Some(&a)),
            best("10.0.0.0/8", Some(&a)),
        ],
        &f,
        true,
    );
    assert_eq!(announced(&diff), vec![net("172.16.0.0/24")]);
    let diff = out.update(&[best("172.16.0.0/24", Some(&b))], &f, true);
    assert_eq!(diff.announce[0].0.med, Some(7));
    assert!(diff.withdraw.is_empty());
    // Announced then gone within one batch: nothing was sent, nothing to send.
    let diff = out.update(
        &[best("172.16.9.0/24", Some(&a)), best("172.16.9.0/24", None)],
        &f,
        true,
    );
    assert!(diff.is_empty());
    let diff = out.update(&[best("172.16.0.0/24", None)], &f, true);
    assert_eq!(diff.withdraw, vec![Nlri::new(net("172.16.0.0/24"))]);
    assert!(out.is_empty());
}
