//! Durable state (`peerlab serve --state FILE`): every acknowledged write is saved before its
//! answer goes out, so `kill -9` loses nothing that was acknowledged.
//!
//! [`Persistence`] is what the world asks of a store: load what was saved, and commit a write.
//! [`StateFile`] keeps the state in SQLite ([`crate::store`]): a commit writes the rows the
//! write changed, in one transaction, fsynced (WAL, `synchronous = FULL`). A JSON state file of
//! the previous version is migrated on load; a corrupt or foreign file is refused in one line.
//!
//! Reads and clock ticks are not saved on their own: what they change (a hosted link going into
//! service at its time, a session's status) is derived from the clock and the engine again
//! after a restart, and is written with the next write. A world without persistence makes its
//! models forget what they recorded ([`forget_changes`]), so that it does not pile up.

use crate::State;
use crate::store::{Store, StoreError};
use provider::catalogue::Catalogue;
use provider::interlink::InterLink;
use provider::ovh_connect::OvhConnect;
use provider::persist::{Changes, Persisted};
use std::path::PathBuf;

/// Why the state cannot be loaded or saved (one line, naming the file).
pub type PersistenceError = StoreError;

/// A store of the provider state.
pub trait Persistence: Send + 'static {
    /// The saved models (with `catalogue`'s projects), `None` if nothing was saved yet.
    fn load(
        &mut self,
        catalogue: &Catalogue,
    ) -> Result<Option<(InterLink, OvhConnect)>, PersistenceError>;

    /// Makes what changed in `state` durable (after a successful write, before it is
    /// answered); the models forget the changes written.
    fn commit(&mut self, state: &mut State) -> Result<(), PersistenceError>;
}

/// The state in a SQLite file (see [`crate::store`]).
pub struct StateFile {
    path: PathBuf,
    store: Option<Store>,
}

impl StateFile {
    /// The state kept at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            store: None,
        }
    }
}

impl Persistence for StateFile {
    fn load(
        &mut self,
        catalogue: &Catalogue,
    ) -> Result<Option<(InterLink, OvhConnect)>, PersistenceError> {
        Ok(Store::load(&self.path, catalogue)?.map(|(store, models)| {
            self.store = Some(store);
            (models.interlink, models.ovh_connect)
        }))
    }

    fn commit(&mut self, state: &mut State) -> Result<(), PersistenceError> {
        let mut models: [&mut dyn Persisted; 2] = [&mut state.interlink, &mut state.ovh];
        match &mut self.store {
            Some(store) => {
                let commit = store.commit(&mut models)?;
                tracing::debug!(rows = commit.rows, took = ?commit.took, "state committed");
            }
            // Nothing saved yet: the whole state, in one step.
            None => self.store = Some(Store::create(&self.path, &mut models)?),
        }
        Ok(())
    }
}

/// Makes the models forget what they recorded, for a world that keeps no state (the keys their
/// tables record would otherwise pile up).
pub(crate) fn forget_changes(state: &mut State) {
    let mut discard = Changes::discarding();
    // A discarding sink serializes nothing and cannot fail.
    let _ = state.interlink.drain_changes(false, &mut discard);
    let _ = state.ovh.drain_changes(false, &mut discard);
}
