//! Table stickiness: HAProxy's `stick-table type ipv6 size 1m expire 30m` with `stick on src`,
//! on the model's clock.
//!
//! An entry maps a client address to the server that last served it; it expires 30 minutes
//! after it was last written, and when the table is full the entry closest to expiry is
//! dropped (HAProxy purges the oldest entries). Memory is bounded by [`CAPACITY`].

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

/// Entries the table holds (`size 1m`: 2^20).
pub const CAPACITY: usize = 1 << 20;
/// How long an entry lives after its last write (`expire 30m`).
pub const EXPIRE: Duration = Duration::from_secs(30 * 60);

/// A stick table of client address → server index.
#[derive(Clone, Debug, Default)]
pub struct StickTable {
    entries: BTreeMap<IpAddr, (usize, Duration)>,
    by_expiry: BTreeSet<(Duration, IpAddr)>,
    capacity: usize,
}

impl StickTable {
    /// An empty table of [`CAPACITY`] entries.
    pub fn new() -> Self {
        StickTable::with_capacity(CAPACITY)
    }

    /// An empty table of `capacity` entries (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        StickTable {
            entries: BTreeMap::new(),
            by_expiry: BTreeSet::new(),
            capacity: capacity.max(1),
        }
    }

    /// The number of live entries at `now`.
    pub fn len(&mut self, now: Duration) -> usize {
        self.expire(now);
        self.entries.len()
    }

    /// Whether the table has no live entry at `now`.
    pub fn is_empty(&mut self, now: Duration) -> bool {
        self.len(now) == 0
    }

    /// The server stored for `source`, if its entry is live at `now`.
    pub fn get(&mut self, source: IpAddr, now: Duration) -> Option<usize> {
        self.expire(now);
        self.entries.get(&source).map(|(server, _)| *server)
    }

    /// Stores `server` for `source` at `now` (`stick store-request`: the server that served).
    pub fn store(&mut self, source: IpAddr, server: usize, now: Duration) {
        self.expire(now);
        let expiry = now + EXPIRE;
        if let Some((_, old)) = self.entries.insert(source, (server, expiry)) {
            self.by_expiry.remove(&(old, source));
        } else if self.entries.len() > self.capacity
            && let Some((_, oldest)) = self.by_expiry.pop_first()
        {
            self.entries.remove(&oldest);
        }
        self.by_expiry.insert((expiry, source));
    }

    fn expire(&mut self, now: Duration) {
        while let Some(&(expiry, source)) = self.by_expiry.first() {
            if expiry > now {
                break;
            }
            self.by_expiry.pop_first();
            self.entries.remove(&source);
        }
    }
}
