//! Adj-RIB-Out (RFC 4271 §3.2, §9.1.3): what has been announced to one peer, and the
//! difference to send when the routes, the peer's `prefix_filter_out` or the link's
//! `enable_route_propagation` change.
//!
//! A route is announced to the peer when all of these hold:
//! - route propagation is enabled (while it is off, nothing is announced: turning it off
//!   withdraws everything, turning it on announces exactly what `prefix_filter_out` allows);
//! - `prefix_filter_out` admits the prefix;
//! - it was not learned from this peer, nor from an internal peer when this one is internal
//!   (no route reflection);
//! - it carries neither NO_ADVERTISE, nor NO_EXPORT toward an external peer (RFC 1997).
//!
//! The attributes are rewritten by [`PathAttributes::export`]. One route per prefix is
//! announced (no ADD-PATH send). Turning the difference into UPDATE messages is
//! [`crate::packing`]'s job.

use crate::attributes::{Export, PathAttributes};
use crate::intern::AttributeCache;
use crate::loc_rib::BestChange;
use crate::prefix_filter::PrefixFilter;
use crate::route::{PeerId, Route};
use bgp_wire::Nlri;
use bgp_wire::attribute::{Community, NextHop};
use ipnet::IpNet;
use prefix_trie::joint::JointPrefixMap;
use std::collections::HashMap;
use std::sync::Arc;

/// What to send to a peer: withdrawals, and announcements grouped by attributes.
///
/// No prefix appears twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OutDiff {
    /// Prefixes to withdraw.
    pub withdraw: Vec<Nlri>,
    /// Prefixes to announce (or re-announce with new attributes), grouped by their attributes.
    pub announce: Vec<(Arc<PathAttributes>, Vec<Nlri>)>,
}

impl OutDiff {
    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.withdraw.is_empty() && self.announce.is_empty()
    }

    /// The number of prefixes announced.
    pub fn announced_len(&self) -> usize {
        self.announce.iter().map(|(_, n)| n.len()).sum()
    }
}

/// The routes announced to one peer.
#[derive(Clone, Debug)]
pub struct AdjRibOut {
    peer: PeerId,
    export: Export,
    announced: JointPrefixMap<IpNet, Arc<PathAttributes>>,
    /// Equal exported attribute sets are stored once.
    cache: AttributeCache,
}

/// Exported attributes already computed in this call, by source attributes. The source `Arc` is
/// kept so that its address cannot be reused by another allocation while it is a key.
type ExportCache = HashMap<*const PathAttributes, (Arc<PathAttributes>, Arc<PathAttributes>)>;

impl AdjRibOut {
    /// An empty Adj-RIB-Out toward `peer`, for a speaker in `local_as` whose address on the
    /// session is `next_hop`.
    pub fn new(peer: PeerId, local_as: u32, next_hop: NextHop) -> Self {
        Self {
            peer,
            export: Export {
                local_as,
                next_hop,
                ebgp: peer.ebgp,
            },
            announced: JointPrefixMap::new(),
            cache: AttributeCache::default(),
        }
    }

    /// The peer.
    pub fn peer(&self) -> PeerId {
        self.peer
    }

    /// Whether `route` may be announced to this peer at all (filter and toggle aside).
    fn may_announce(&self, route: &Route) -> bool {
        let a = &route.attributes;
        let from_this_peer = route.peer == self.peer;
        let ibgp_to_ibgp = route.peer.learned_from() == Some(false) && !self.peer.ebgp;
        let no_export = self.peer.ebgp && a.has_community(Community::NO_EXPORT);
        let blocked =
            from_this_peer || ibgp_to_ibgp || no_export || a.has_community(Community::NO_ADVERTISE);
        !blocked
    }

    /// The attributes to announce `route` with, if it is announced.
    fn desired(
        &mut self,
        route: &Route,
        filter_out: &PrefixFilter,
        enable_route_propagation: bool,
        cache: &mut ExportCache,
    ) -> Option<Arc<PathAttributes>> {
        if !enable_route_propagation || !filter_out.admits(&route.prefix) {
            return None;
        }
        if !self.may_announce(route) {
            return None;
        }
        let key = Arc::as_ptr(&route.attributes);
        let (_, exported) = cache.entry(key).or_insert_with(|| {
            let exported = route
                .attributes
                .export(&self.export, route.peer.learned_from());
            (Arc::clone(&route.attributes), self.cache.intern(exported))
        });
        Some(Arc::clone(exported))
    }

    /// Recomputes the whole table from `routes` (one per prefix, such as the Loc-RIB's best
    /// routes) and returns the difference with what the peer has. Use it when the peer's
    /// session comes up, when `prefix_filter_out` changes and when route propagation is
    /// switched.
    pub fn sync(
        &mut self,
        routes: impl IntoIterator<Item = Route>,
        filter_out: &PrefixFilter,
        enable_route_propagation: bool,
    ) -> OutDiff {
        let mut cache = ExportCache::new();
        let mut desired = JointPrefixMap::new();
        for r in routes {
            if let Some(a) = self.desired(&r, filter_out, enable_route_propagation, &mut cache) {
                desired.insert(r.prefix.trunc(), a);
            }
        }
        let mut withdraw = Vec::new();
        let mut announce = Vec::new();
        for (prefix, a) in desired.iter() {
            if !self.announced.get(&prefix).is_some_and(|old| same(old, a)) {
                announce.push((prefix, Arc::clone(a)));
            }
        }
        for (prefix, _) in self.announced.iter() {
            if !desired.contains_key(&prefix) {
                withdraw.push(Nlri::new(prefix));
            }
        }
        self.announced = desired;
        OutDiff {
            withdraw,
            announce: group(announce),
        }
    }

    /// Applies the Loc-RIB's best-path changes and returns what to send.
    pub fn update(
        &mut self,
        changes: &[BestChange],
        filter_out: &PrefixFilter,
        enable_route_propagation: bool,
    ) -> OutDiff {
        let mut cache = ExportCache::new();
        // The state of each touched prefix before this call, in the order first touched.
        let mut before: HashMap<IpNet, Option<Arc<PathAttributes>>> = HashMap::new();
        let mut order = Vec::new();
        for change in changes {
            let prefix = change.prefix.trunc();
            before.entry(prefix).or_insert_with(|| {
                order.push(prefix);
                self.announced.get(&prefix).cloned()
            });
            let new = change
                .best
                .as_ref()
                .and_then(|r| self.desired(r, filter_out, enable_route_propagation, &mut cache));
            match new {
                Some(a) => {
                    self.announced.insert(prefix, a);
                }
                None => {
                    self.announced.remove(&prefix);
                }
            }
        }
        let mut withdraw = Vec::new();
        let mut announce = Vec::new();
        for prefix in order {
            let old = before.get(&prefix).and_then(Option::as_ref);
            match (old, self.announced.get(&prefix)) {
                (Some(_), None) => withdraw.push(Nlri::new(prefix)),
                (old, Some(new)) if !old.is_some_and(|o| same(o, new)) => {
                    announce.push((prefix, Arc::clone(new)))
                }
                _ => {}
            }
        }
        OutDiff {
            withdraw,
            announce: group(announce),
        }
    }

    /// Forgets everything announced (the session went down: the peer dropped it all).
    pub fn clear(&mut self) {
        self.announced = JointPrefixMap::new();
        self.cache.clear();
    }

    /// The attributes a prefix is announced with.
    pub fn get(&self, prefix: &IpNet) -> Option<&Arc<PathAttributes>> {
        self.announced.get(&prefix.trunc())
    }

    /// What the peer has been sent, in prefix order (IPv4 first).
    pub fn iter(&self) -> impl Iterator<Item = (IpNet, &Arc<PathAttributes>)> + '_ {
        self.announced.iter()
    }

    /// The number of prefixes announced.
    pub fn len(&self) -> usize {
        self.announced.len()
    }

    /// Whether nothing is announced.
    pub fn is_empty(&self) -> bool {
        self.announced.is_empty()
    }
}

fn same(a: &Arc<PathAttributes>, b: &Arc<PathAttributes>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Groups announcements by attributes: first by `Arc` (cheap), then by value.
fn group(announce: Vec<(IpNet, Arc<PathAttributes>)>) -> Vec<(Arc<PathAttributes>, Vec<Nlri>)> {
    let mut by_ptr: HashMap<*const PathAttributes, usize> = HashMap::new();
    let mut groups: Vec<(Arc<PathAttributes>, Vec<Nlri>)> = Vec::new();
    for (prefix, a) in announce {
        let i = *by_ptr.entry(Arc::as_ptr(&a)).or_insert_with(|| {
            groups.push((Arc::clone(&a), Vec::new()));
            groups.len() - 1
        });
        if let Some((_, nlri)) = groups.get_mut(i) {
            nlri.push(Nlri::new(prefix));
        }
    }
    let mut by_value: HashMap<Arc<PathAttributes>, usize> = HashMap::new();
    let mut merged: Vec<(Arc<PathAttributes>, Vec<Nlri>)> = Vec::new();
    for (a, nlri) in groups {
        match by_value.get(&a).and_then(|&i| merged.get_mut(i)) {
            Some((_, existing)) => existing.extend(nlri),
            None => {
                by_value.insert(Arc::clone(&a), merged.len());
                merged.push((a, nlri));
            }
        }
    }
    merged
}

#[cfg(test)]
mod tests;
