//! Graceful Restart, receiving side (RFC 4724 §4.2): the routes of a peer whose connection
//! dropped, kept and marked stale while it restarts.
//!
//! When the TCP connection of an Established session drops without a NOTIFICATION and the peer's
//! Graceful Restart capability listed the session's family, the FSM hands the session the
//! families to keep ([`bgp_session::StaleRoutes`]). The session then moves its Adj-RIB-In here
//! instead of deleting it: the routes stay accepted, and installed toward the VPC while route
//! propagation is on, so traffic keeps flowing through the restart. They go:
//! - one by one, as the restarted peer announces or withdraws each of them again;
//! - all at once, at the peer's End-of-RIB for the family;
//! - all at once, if the new OPEN has no Graceful Restart capability, or does not list the family
//!   with the Forwarding State bit set (the peer did not keep its forwarding state);
//! - all at once, when the restart time the peer advertised runs out before the session is back,
//!   or (our choice; RFC 4724 leaves the bound to the implementation) before End-of-RIB comes
//!   within as long again after it is back;
//! - all at once, if the session ends for any other reason (a NOTIFICATION, de-configuration).
//!
//! The engine is a Graceful Restart *helper* only: it advertises the capability with no family,
//! so its peers never keep peerlab's routes stale when peerlab itself goes away.

use bgp_wire::{Nlri, Update};
use rib::{AdjRibIn, Route};

/// The Forwarding State (F) bit of a family in the Graceful Restart capability.
pub(crate) const FORWARDING_STATE: u8 = 0x80;

/// The restart time peerlab advertises. As a helper only (no family listed) it promises nothing;
/// 120 s is what FRR and BIRD advertise by default.
pub(crate) const ADVERTISED_RESTART_TIME: u16 = 120;

/// The stale tables of one session, newest last (a peer that drops again before its End-of-RIB
/// leaves a second table; the routes it had sent again move from the first to the second).
#[derive(Debug, Default)]
pub(crate) struct Stale {
    tables: Vec<AdjRibIn>,
    /// Tells the current restart timer from earlier ones.
    pub epoch: u64,
}

impl Stale {
    /// Whether any route is stale.
    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(AdjRibIn::is_empty)
    }

    /// Keeps the table of a session that just dropped; returns the epoch of its restart timer.
    pub fn keep(&mut self, table: AdjRibIn) -> u64 {
        if !table.is_empty() {
            let newer: Vec<Nlri> = table.pre_policy().map(|r| r.nlri()).collect();
            for older in &mut self.tables {
                newer.iter().for_each(|n| older.remove(n));
            }
            self.tables.retain(|t| !t.is_empty());
            self.tables.push(table);
        }
        self.epoch += 1;
        self.epoch
    }

    /// A new timer (the session is back: the wait for End-of-RIB); returns its epoch.
    pub fn restart_timer(&mut self) -> u64 {
        self.epoch += 1;
        self.epoch
    }

    /// Forgets every route the peer announces or withdraws again in `update`: the fresh
    /// Adj-RIB-In holds what it says now.
    pub fn refresh(&mut self, update: &Update) {
        if self.is_empty() {
            return;
        }
        let mentioned = update
            .withdrawn
            .iter()
            .chain(&update.nlri)
            .chain(update.mp_reach().into_iter().flat_map(|m| &m.nlri))
            .chain(update.mp_unreach().into_iter().flat_map(|m| &m.withdrawn));
        for nlri in mentioned {
            self.tables.iter_mut().for_each(|t| t.remove(nlri));
        }
        self.tables.retain(|t| !t.is_empty());
    }

    /// Deletes every stale route; returns how many there were.
    pub fn clear(&mut self) -> usize {
        self.epoch += 1;
        let count = self.len_pre();
        self.tables.clear();
        count
    }

    /// Stale routes as received.
    pub fn pre_policy(&self) -> impl Iterator<Item = Route> + '_ {
        self.tables.iter().flat_map(AdjRibIn::pre_policy)
    }

    /// Stale routes `prefix_filter_in` admitted.
    pub fn post_policy(&self) -> impl Iterator<Item = Route> + '_ {
        self.tables.iter().flat_map(AdjRibIn::post_policy)
    }

    /// How many routes are stale.
    pub fn len_pre(&self) -> usize {
        self.tables.iter().map(AdjRibIn::len_pre).sum()
    }

    /// How many stale routes were admitted.
    pub fn len_post(&self) -> usize {
        self.tables.iter().map(AdjRibIn::len_post).sum()
    }

    /// Re-filters the stale routes after a policy change.
    pub fn reevaluate(&mut self, filter: &rib::PrefixFilter) {
        for table in &mut self.tables {
            table.reevaluate(filter);
        }
    }
}
