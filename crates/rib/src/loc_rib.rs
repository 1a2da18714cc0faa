//! Loc-RIB (RFC 4271 §3.2, §9.1.2): for each destination, the routes of every peer's
//! post-policy Adj-RIB-In and the best of them.
//!
//! It is fed [`RibChanges`] and answers with the [`BestChange`]s they cause, so the Adj-RIBs-Out
//! and the data plane only see destinations whose best route changed. Routes this speaker
//! originates (a VPC's subnets) enter the same way, as the changes of [`PeerId::local`].
//!
//! What reaches the Loc-RIB is the caller's choice: with InterLink, a link whose
//! `enable_route_propagation` is false contributes nothing (feed it
//! [`crate::AdjRibIn::post_policy_changes`] when propagation is enabled and
//! [`LocRib::remove_peer`] when it is disabled).

use crate::decision::{Candidate, select};
use crate::route::{PeerId, RibChanges, Route};
use ipnet::IpNet;
use prefix_trie::joint::JointPrefixMap;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::Arc;

/// The routes to one destination; the best, if any, first.
type Candidates = SmallVec<[Candidate; 1]>;

/// A destination whose best route changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BestChange {
    /// The destination.
    pub prefix: IpNet,
    /// The new best route, or `None` when no route is left.
    pub best: Option<Route>,
}

/// Best paths over all peers.
#[derive(Clone, Debug)]
pub struct LocRib {
    local_as: u32,
    routes: JointPrefixMap<IpNet, Candidates>,
    len: usize,
}

impl LocRib {
    /// An empty Loc-RIB of a speaker in `local_as` (routes whose AS_PATH contains it are loops
    /// and are not considered, RFC 4271 §9.1.2).
    pub fn new(local_as: u32) -> Self {
        Self {
            local_as,
            routes: JointPrefixMap::new(),
            len: 0,
        }
    }

    /// Applies one peer's changes; returns each destination whose best route changed, once, in
    /// the order first touched.
    pub fn update(&mut self, changes: &RibChanges) -> Vec<BestChange> {
        let mut before: HashMap<IpNet, Option<Candidate>> = HashMap::new();
        let mut order = Vec::new();
        let peer = changes.peer;
        for w in &changes.withdrawn {
            self.touch(w.prefix, &mut before, &mut order);
            self.remove(w.prefix, peer, w.path_id);
        }
        for r in &changes.announced {
            self.touch(r.prefix, &mut before, &mut order);
            let looped = !r.peer.is_local() && r.attributes.as_path_contains(self.local_as);
            if looped {
                tracing::debug!(peer = %r.peer.address, prefix = %r.prefix, "AS_PATH loop");
                self.remove(r.prefix, peer, r.path_id);
            } else {
                self.insert(r.prefix, Candidate::from(r));
            }
        }
        self.decide(order, &before)
    }

    /// Removes every route of a peer (its session went down, or its routes must no longer
    /// propagate). Walks the whole table.
    pub fn remove_peer(&mut self, peer: PeerId) -> Vec<BestChange> {
        let mut before = HashMap::new();
        let mut order = Vec::new();
        for (prefix, candidates) in self.routes.iter_mut() {
            if candidates.iter().any(|c| c.peer == peer) {
                before.insert(prefix, candidates.first().cloned());
                order.push(prefix);
                candidates.retain(|c| c.peer != peer);
            }
        }
        self.decide(order, &before)
    }

    fn touch(
        &self,
        prefix: IpNet,
        before: &mut HashMap<IpNet, Option<Candidate>>,
        order: &mut Vec<IpNet>,
    ) {
        if let std::collections::hash_map::Entry::Vacant(e) = before.entry(prefix) {
            e.insert(self.routes.get(&prefix).and_then(|c| c.first().cloned()));
            order.push(prefix);
        }
    }

    fn remove(&mut self, prefix: IpNet, peer: PeerId, path_id: Option<u32>) {
        if let Some(candidates) = self.routes.get_mut(&prefix) {
            candidates.retain(|c| c.peer != peer || c.path_id != path_id);
        }
    }

    fn insert(&mut self, prefix: IpNet, candidate: Candidate) {
        match self.routes.get_mut(&prefix) {
            Some(candidates) => {
                let same =
                    |c: &&mut Candidate| c.peer == candidate.peer && c.path_id == candidate.path_id;
                match candidates.iter_mut().find(same) {
                    Some(c) => *c = candidate,
                    None => candidates.push(candidate),
                }
            }
            None => {
                let mut candidates = Candidates::new();
                candidates.push(candidate);
                self.routes.insert(prefix, candidates);
            }
        }
    }

    /// Re-runs the selection of the touched destinations, drops the empty ones, and reports
    /// those whose best changed.
    fn decide(
        &mut self,
        order: Vec<IpNet>,
        before: &HashMap<IpNet, Option<Candidate>>,
    ) -> Vec<BestChange> {
        let mut out = Vec::new();
        for prefix in order {
            let old = before.get(&prefix).and_then(Option::as_ref);
            let new = match self.routes.get_mut(&prefix) {
                Some(candidates) if candidates.is_empty() => {
                    self.routes.remove(&prefix);
                    None
                }
                Some(candidates) => {
                    if let Some(i) = select(candidates) {
                        candidates.swap(0, i);
                    }
                    candidates.first().cloned()
                }
                None => None,
            };
            self.len = self.len + usize::from(new.is_some()) - usize::from(old.is_some());
            if !same_route(old, new.as_ref()) {
                out.push(BestChange {
                    prefix,
                    best: new.map(|c| route(prefix, c)),
                });
            }
        }
        out
    }

    /// The best route to a destination.
    pub fn best(&self, prefix: &IpNet) -> Option<Route> {
        let c = self.routes.get(&prefix.trunc())?.first()?;
        Some(route(prefix.trunc(), c.clone()))
    }

    /// Every route to a destination, the best first.
    pub fn candidates(&self, prefix: &IpNet) -> Vec<Route> {
        self.routes
            .get(&prefix.trunc())
            .into_iter()
            .flatten()
            .map(|c| route(prefix.trunc(), c.clone()))
            .collect()
    }

    /// The best routes, in prefix order (IPv4 first).
    pub fn iter(&self) -> impl Iterator<Item = Route> + '_ {
        self.routes
            .iter()
            .filter_map(|(p, c)| c.first().map(|c| route(p, c.clone())))
    }

    /// The number of destinations with a route.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no route.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

fn route(prefix: IpNet, c: Candidate) -> Route {
    Route {
        prefix,
        path_id: c.path_id,
        attributes: c.attributes,
        peer: c.peer,
    }
}

/// Same peer, path and attributes (by pointer, else by value).
fn same_route(a: Option<&Candidate>, b: Option<&Candidate>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.peer == b.peer
                && a.path_id == b.path_id
                && (Arc::ptr_eq(&a.attributes, &b.attributes) || a.attributes == b.attributes)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{attrs, net, peer};
    use bgp_wire::Nlri;
    use bgp_wire::attribute::{AsPath, AsSegment};

    fn announce(n: u8, prefix: &str, f: impl FnOnce(&mut crate::PathAttributes)) -> RibChanges {
        let mut a = attrs();
        f(&mut a);
        let mut c = RibChanges::new(peer(n));
        c.announced.push(Route {
            prefix: net(prefix),
            path_id: None,
            attributes: Arc::new(a),
            peer: peer(n),
        });
        c
    }

    fn withdraw(n: u8, prefix: &str) -> RibChanges {
        let mut c = RibChanges::new(peer(n));
        c.withdrawn.push(Nlri::new(net(prefix)));
        c
    }

    #[test]
    fn best_follows_announcements_and_withdrawals() {
        let mut rib = LocRib::new(12876);
        let ch = rib.update(&announce(2, "10.0.0.0/8", |_| {}));
        assert_eq!(ch.len(), 1);
        assert_eq!(ch[0].best.as_ref().unwrap().peer, peer(2));
        // A better route (lower identifier) takes over.
        let ch = rib.update(&announce(1, "10.0.0.0/8", |_| {}));
        assert_eq!(ch[0].best.as_ref().unwrap().peer, peer(1));
        // A worse one changes nothing.
        let ch = rib.update(&announce(3, "10.0.0.0/8", |_| {}));
        assert!(ch.is_empty());
        assert_eq!(rib.candidates(&net("10.0.0.0/8")).len(), 3);
        // Withdrawing the best falls back to the next.
        let ch = rib.update(&withdraw(1, "10.0.0.0/8"));
        assert_eq!(ch[0].best.as_ref().unwrap().peer, peer(2));
        assert_eq!(rib.len(), 1);
        rib.update(&withdraw(2, "10.0.0.0/8"));
        let ch = rib.update(&withdraw(3, "10.0.0.0/8"));
        assert_eq!(
            ch,
            vec![BestChange {
                prefix: net("10.0.0.0/8"),
                best: None
            }]
        );
        assert!(rib.is_empty());
        assert!(rib.candidates(&net("10.0.0.0/8")).is_empty());
    }

    #[test]
    fn same_attributes_again_is_no_change() {
        let mut rib = LocRib::new(12876);
        rib.update(&announce(1, "10.0.0.0/8", |_| {}));
        assert!(rib.update(&announce(1, "10.0.0.0/8", |_| {})).is_empty());
        let ch = rib.update(&announce(1, "10.0.0.0/8", |a| a.med = Some(3)));
        assert_eq!(ch.len(), 1);
    }

    #[test]
    fn looped_routes_are_not_considered() {
        let mut rib = LocRib::new(12876);
        let looped = |a: &mut crate::PathAttributes| {
            a.as_path = AsPath(vec![AsSegment::Sequence(vec![65001, 12876])])
        };
        assert!(rib.update(&announce(1, "10.0.0.0/8", looped)).is_empty());
        assert!(rib.best(&net("10.0.0.0/8")).is_none());
        // A loop-free route replaced by a looped one is withdrawn.
        rib.update(&announce(1, "10.0.0.0/8", |_| {}));
        let ch = rib.update(&announce(1, "10.0.0.0/8", looped));
        assert_eq!(ch[0].best, None);
    }

    #[test]
    fn remove_peer_falls_back_and_reports_once() {
        let mut rib = LocRib::new(12876);
        rib.update(&announce(1, "10.0.0.0/8", |_| {}));
        rib.update(&announce(2, "10.0.0.0/8", |_| {}));
        rib.update(&announce(1, "10.1.0.0/16", |_| {}));
        let mut ch = rib.remove_peer(peer(1));
        ch.sort_by_key(|c| c.prefix);
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].best.as_ref().unwrap().peer, peer(2));
        assert_eq!(ch[1].best, None);
        assert_eq!(rib.len(), 1);
        assert!(rib.remove_peer(peer(1)).is_empty());
    }

    #[test]
    fn one_batch_reports_a_destination_once() {
        let mut rib = LocRib::new(12876);
        let mut c = announce(1, "10.0.0.0/8", |_| {});
        c.announced.push(c.announced[0].clone());
        c.announced.push(Route {
            path_id: Some(7),
            ..c.announced[0].clone()
        });
        let ch = rib.update(&c);
        assert_eq!(ch.len(), 1);
        assert_eq!(rib.candidates(&net("10.0.0.0/8")).len(), 2);
    }
}
