//! Adj-RIB-In (RFC 4271 §3.2, §9.1): the routes one peer announced, before and after the
//! routing policy's `prefix_filter_in`.
//!
//! The routes are stored once, in a hash table of prefixes (see `table`: the Adj-RIB-In only
//! looks prefixes up exactly; the prefix filters, which match covering prefixes, are tries); each
//! prefix carries whether the filter admits it, so the post-policy view is the pre-policy view
//! restricted to admitted prefixes and never drifts from it. A prefix holds 4 octets besides its
//! key (see `store`), so a full table costs little more than the table itself. [`AdjRibIn::reevaluate`] re-filters the stored routes after
//! a policy change (how `set-routing-policy` applies without a session reset or ROUTE-REFRESH).
//!
//! Only unicast routes are kept: MP_REACH/MP_UNREACH of another SAFI are ignored. Graceful
//! restart (keeping a dropped session's table as stale, [`AdjRibIn::remove`] for the routes the
//! peer sends again) and the max-prefix action itself (see [`AdjRibIn::len_pre`]) belong to the
//! session.

use crate::attributes::{MissingAttribute, PathAttributes};
use crate::prefix_filter::PrefixFilter;
use crate::route::{PeerId, RibChanges, Route};
use bgp_wire::attribute::NextHop;
use bgp_wire::rfc7606::Action;
use bgp_wire::{AttributeValue, Nlri, Rfc7606, Safi, Update};
use std::collections::HashSet;
use std::sync::Arc;
use store::{Store, Upsert};
use table::{Entry, Table};

mod store;
mod table;

/// The routes learned from one peer.
///
/// ```
/// use bgp_wire::attribute::{AsPath, Origin};
/// use bgp_wire::{AttributeValue, Nlri, PathAttribute, Update};
/// use rib::{AdjRibIn, PeerId, PrefixFilter};
/// use std::net::Ipv4Addr;
///
/// let peer = PeerId {
///     bgp_id: Ipv4Addr::new(192, 0, 2, 1),
///     address: "169.254.0.1".parse().unwrap(),
///     asn: 65000,
///     ebgp: true,
/// };
/// let filter = PrefixFilter::new(false, ["10.0.0.0/8".parse().unwrap()]).unwrap();
/// let update = Update {
///     attributes: vec![
///         PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
///         PathAttribute::new(AttributeValue::AsPath(AsPath::default())),
///         PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
///     ],
///     nlri: vec![
///         Nlri::new("10.1.0.0/16".parse().unwrap()),
///         Nlri::new("192.168.0.0/16".parse().unwrap()),
///     ],
///     ..Update::default()
/// };
/// let mut rib = AdjRibIn::new(peer);
/// let changes = rib.apply(&update, None, &filter);
/// assert_eq!(changes.announced.len(), 1); // 192.168.0.0/16 is filtered out
/// assert_eq!((rib.len_pre(), rib.len_post()), (2, 1));
/// ```
#[derive(Clone, Debug)]
pub struct AdjRibIn {
    peer: PeerId,
    routes: Table,
    len_pre: usize,
    len_post: usize,
    /// The paths' attribute sets (equal sets of different UPDATEs are stored once).
    store: Store,
}

impl AdjRibIn {
    /// An empty Adj-RIB-In for a peer.
    pub fn new(peer: PeerId) -> Self {
        Self {
            peer,
            routes: Table::default(),
            len_pre: 0,
            len_post: 0,
            store: Store::default(),
        }
    }

    /// The peer.
    pub fn peer(&self) -> PeerId {
        self.peer
    }

    /// Processes an UPDATE and its RFC 7606 outcome; returns the changes of the post-policy view.
    ///
    /// Withdrawn routes (the field and MP_UNREACH_NLRI) are removed, then the NLRI field and
    /// MP_REACH_NLRI are installed; a prefix both withdrawn and announced is announced
    /// (RFC 4271 §4.3). Under treat-as-withdraw every route of the UPDATE is withdrawn
    /// (RFC 7606 §2); under attribute-discard the malformed attribute is simply not used. An
    /// UPDATE announcing routes without ORIGIN, AS_PATH or next hop is treat-as-withdraw too.
    ///
    /// `filter` must be the one the last [`AdjRibIn::reevaluate`] got (or the only one ever used):
    /// prefixes already stored keep the decision made then.
    pub fn apply(
        &mut self,
        update: &Update,
        rfc7606: Option<Rfc7606>,
        filter: &PrefixFilter,
    ) -> RibChanges {
        let mut changes = RibChanges::new(self.peer);
        self.apply_into(update, rfc7606, filter, Some(&mut changes));
        changes
    }

    /// [`AdjRibIn::apply`] for a caller that does not need the changes (only the counts and the
    /// stored routes): the same table afterwards, without building the list of changes.
    pub fn apply_untracked(
        &mut self,
        update: &Update,
        rfc7606: Option<Rfc7606>,
        filter: &PrefixFilter,
    ) {
        self.apply_into(update, rfc7606, filter, None);
    }

    fn apply_into(
        &mut self,
        update: &Update,
        rfc7606: Option<Rfc7606>,
        filter: &PrefixFilter,
        mut changes: Option<&mut RibChanges>,
    ) {
        let withdraw_all = rfc7606.is_some_and(|r| r.action == Action::TreatAsWithdraw);
        if withdraw_all {
            tracing::debug!(peer = %self.peer.address, ?rfc7606, "RFC 7606 treat-as-withdraw");
        }
        let mp_reach = update.mp_reach().filter(|m| m.safi == Safi::UNICAST);
        let mp_unreach = update.mp_unreach().filter(|m| m.safi == Safi::UNICAST);

        // Each run of NLRI and the attributes to install it with (None: withdraw it).
        let mut runs: Vec<(&[Nlri], Option<u32>)> = Vec::with_capacity(2);
        if !update.nlri.is_empty() {
            let next_hop = update.attributes.iter().find_map(|a| match a.value {
                AttributeValue::NextHop(nh) => Some(NextHop::Ipv4(nh)),
                _ => None,
            });
            let attributes = (!withdraw_all)
                .then(|| {
                    next_hop
                        .ok_or(MissingAttribute("NEXT_HOP"))
                        .and_then(|nh| PathAttributes::from_wire(&update.attributes, nh))
                })
                .and_then(|r| self.usable(r));
            runs.push((&update.nlri, attributes));
        }
        if let Some(m) = mp_reach.filter(|m| !m.nlri.is_empty()) {
            let attributes = (!withdraw_all)
                .then(|| PathAttributes::from_wire(&update.attributes, m.next_hop))
                .and_then(|r| self.usable(r));
            runs.push((&m.nlri, attributes));
        }

        let withdrawn = update
            .withdrawn
            .iter()
            .chain(mp_unreach.iter().flat_map(|m| &m.withdrawn));
        let announced: HashSet<Nlri> = if update.withdrawn.is_empty() && mp_unreach.is_none() {
            HashSet::new()
        } else {
            runs.iter()
                .filter(|(_, a)| a.is_some())
                .flat_map(|(nlri, _)| nlri.iter().map(normal))
                .collect()
        };
        for key in withdrawn.map(normal).filter(|k| !announced.contains(k)) {
            self.withdraw(key, changes.as_deref_mut());
        }
        for (nlri, set) in &runs {
            for (i, n) in nlri.iter().enumerate() {
                // A full table is scattered over a table much bigger than the cache: start
                // loading the entry of a prefix a few prefixes ahead, so the misses overlap.
                if let Some(ahead) = nlri.get(i + PREFETCH_AHEAD) {
                    self.routes.prefetch(&ahead.prefix);
                }
                match *set {
                    Some(set) => self.announce(normal(n), set, filter, changes.as_deref_mut()),
                    None => self.withdraw(normal(n), changes.as_deref_mut()),
                }
            }
        }
        for set in runs.into_iter().filter_map(|(_, set)| set) {
            self.store.release(set);
        }
    }

    /// The attribute set index of a run of NLRI, held until the UPDATE is applied.
    fn usable(&mut self, r: Result<PathAttributes, MissingAttribute>) -> Option<u32> {
        match r {
            Ok(a) => Some(self.store.acquire(a)),
            Err(e) => {
                tracing::warn!(peer = %self.peer.address, error = %e, "routes treated as withdrawn");
                None
            }
        }
    }

    fn withdraw(&mut self, key: Nlri, changes: Option<&mut RibChanges>) {
        let Some(slot) = self.routes.get(&key.prefix) else {
            return;
        };
        let Some(empty) = self.store.remove(slot, key.path_id) else {
            return;
        };
        self.len_pre -= 1;
        if slot.accepted() {
            self.len_post -= 1;
            if let Some(changes) = changes {
                changes.withdrawn.push(key);
            }
        }
        if empty {
            self.routes.remove(&key.prefix);
        }
    }

    fn announce(
        &mut self,
        key: Nlri,
        set: u32,
        filter: &PrefixFilter,
        changes: Option<&mut RibChanges>,
    ) {
        // One lookup: the slot is either merged into or inserted.
        let (accepted, upsert) = match self.routes.entry(&key.prefix) {
            Entry::Occupied(slot) => (slot.accepted(), self.store.upsert(slot, key.path_id, set)),
            Entry::Vacant(vacant) => {
                let accepted = filter.admits(&key.prefix);
                vacant.insert(self.store.new_slot(accepted, key.path_id, set));
                (accepted, Upsert::Added)
            }
        };
        match upsert {
            // The same attributes again (a refresh, a repeat): no change.
            Upsert::Unchanged => return,
            Upsert::Replaced => {}
            Upsert::Added => {
                self.len_pre += 1;
                self.len_post += usize::from(accepted);
            }
        }
        if let Some(changes) = changes.filter(|_| accepted) {
            changes.announced.push(self.route(key, set));
        }
    }

    fn route(&self, key: Nlri, set: u32) -> Route {
        Route {
            prefix: key.prefix,
            path_id: key.path_id,
            attributes: Arc::clone(self.store.attributes(set)),
            peer: self.peer,
        }
    }

    /// Re-filters every stored route with a new `prefix_filter_in`; returns the post-policy
    /// changes: routes the new filter admits and the old one did not are announced, the reverse
    /// withdrawn, the rest untouched.
    pub fn reevaluate(&mut self, filter: &PrefixFilter) -> RibChanges {
        let mut changes = RibChanges::new(self.peer);
        let peer = self.peer;
        for (prefix, mut slot) in self.routes.sorted() {
            let accepted = filter.admits(&prefix);
            if accepted == slot.accepted() {
                continue;
            }
            slot.set_accepted(accepted);
            self.routes.set(&prefix, slot);
            for (path_id, set) in self.store.paths(slot) {
                if accepted {
                    self.len_post += 1;
                    changes.announced.push(Route {
                        prefix,
                        path_id,
                        attributes: Arc::clone(self.store.attributes(set)),
                        peer,
                    });
                } else {
                    self.len_post -= 1;
                    changes.withdrawn.push(Nlri { path_id, prefix });
                }
            }
        }
        tracing::debug!(
            peer = %peer.address,
            announced = changes.announced.len(),
            withdrawn = changes.withdrawn.len(),
            "prefix_filter_in re-evaluated"
        );
        changes
    }

    /// Removes one route (prefix and path id), admitted or not. A Graceful Restart helper does
    /// this to a stale route the restarted peer announces or withdraws again (RFC 4724 §4.2).
    pub fn remove(&mut self, nlri: &Nlri) {
        self.withdraw(normal(nlri), None);
    }

    /// Empties the table (the session went down); returns the withdrawal of every post-policy
    /// route.
    pub fn clear(&mut self) -> RibChanges {
        let mut changes = RibChanges::new(self.peer);
        changes.withdrawn = self.post_policy().map(|r| r.nlri()).collect();
        self.routes = Table::default();
        self.store = Store::default();
        self.len_pre = 0;
        self.len_post = 0;
        changes
    }

    /// Every post-policy route as an announcement: what a Loc-RIB that does not know this peer
    /// yet needs (route propagation just enabled).
    pub fn post_policy_changes(&self) -> RibChanges {
        let mut changes = RibChanges::new(self.peer);
        changes.announced = self.post_policy().collect();
        changes
    }

    /// Routes as received, in prefix order (IPv4 first).
    pub fn pre_policy(&self) -> impl Iterator<Item = Route> + '_ {
        self.iter(false)
    }

    /// Routes `prefix_filter_in` admits, in prefix order (IPv4 first).
    pub fn post_policy(&self) -> impl Iterator<Item = Route> + '_ {
        self.iter(true)
    }

    fn iter(&self, post: bool) -> impl Iterator<Item = Route> + '_ {
        self.routes
            .sorted()
            .filter(move |(_, slot)| slot.accepted() || !post)
            .flat_map(move |(prefix, slot)| {
                self.store
                    .paths(slot)
                    .map(move |(path_id, set)| self.route(Nlri { path_id, prefix }, set))
            })
    }

    /// The route received for a prefix and path id, admitted or not.
    pub fn get_pre(&self, nlri: &Nlri) -> Option<Route> {
        let key = normal(nlri);
        let slot = self.routes.get(&key.prefix)?;
        let (_, set) = self.store.find(slot, key.path_id)?;
        Some(self.route(key, set))
    }

    /// The route for a prefix and path id if `prefix_filter_in` admits it.
    pub fn get_post(&self, nlri: &Nlri) -> Option<Route> {
        let key = normal(nlri);
        self.routes
            .get(&key.prefix)
            .filter(|slot| slot.accepted())
            .and_then(|_| self.get_pre(&key))
    }

    /// The number of routes received (prefix and path id pairs): what a max-prefix limit counts.
    pub fn len_pre(&self) -> usize {
        self.len_pre
    }

    /// The number of routes `prefix_filter_in` admits.
    pub fn len_post(&self) -> usize {
        self.len_post
    }

    /// Whether no route is stored.
    pub fn is_empty(&self) -> bool {
        self.len_pre == 0
    }
}

/// How many prefixes ahead of the one being installed [`AdjRibIn::apply`] prefetches.
const PREFETCH_AHEAD: usize = 8;

/// The key of an NLRI: host bits cleared (bgp-wire keeps them as received).
fn normal(n: &Nlri) -> Nlri {
    Nlri {
        path_id: n.path_id,
        prefix: n.prefix.trunc(),
    }
}

#[cfg(test)]
mod tests;
