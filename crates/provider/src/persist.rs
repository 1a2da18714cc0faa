//! A model as rows, for a store that writes only what changed (`world::store`, SQLite).
//!
//! A model keeps its resources in [`Table`]s, which remember the keys a write touched. Through
//! [`Persisted::drain_changes`] it hands the store:
//! - one [`RowChange`] per changed resource: its *kind* (`"interlink.links"`: the model's name
//!   and the field's), its key (the table key as text, [`RowKey`]) and its JSON (the resource's
//!   serde form), or `None` when it is gone;
//! - its *meta* row: the small scalar state that is not a resource (ID generators, counters, the
//!   OVH task clock, settings), as one JSON object under the model's name. It is handed over at
//!   every drain (a few dozen bytes); the store writes it only when it differs.
//!
//! So the work of a write is the number of rows it changed, whatever the number stored.
//! Back from the store, [`Rows`] rebuilds a model (`InterLink::restore`, `OvhConnect::restore`).
//!
//! A new model (the Load Balancer, say) joins in four steps:
//! 1. its maps of resources become [`Table`]s (keys: IDs, strings, or pairs led by an ID); loops
//!    that change a few values of a table go through [`Table::iter_mut_where`] (a loop through
//!    `iter_mut` on every clock tick would write the whole table at the next commit);
//! 2. it implements [`Persisted`]: one [`Changes::table`] per table, one [`Changes::meta`] for
//!    its other fields (see `interlink/persisted.rs`);
//! 3. a `restore` takes the same kinds and meta row back from [`Rows`];
//! 4. the store (`world::store::Models`, `Store::load`) hands it over and restores it.
//!
//! ```
//! use provider::persist::{Changes, PersistError, Persisted, Rows};
//! use provider::table::Table;
//!
//! struct Notes {
//!     notes: Table<u64, String>,
//!     next: u64,
//! }
//!
//! impl Persisted for Notes {
//!     fn drain_changes(&mut self, all: bool, out: &mut Changes) -> Result<(), PersistError> {
//!         out.table("notes.notes", &mut self.notes, all)?;
//!         out.meta("notes", &self.next)
//!     }
//! }
//!
//! let mut n = Notes { notes: Table::new(), next: 1 };
//! n.notes.insert(1, "hello".into());
//! let mut out = Changes::default();
//! n.drain_changes(false, &mut out).unwrap();
//! assert_eq!(out.rows()[0].value.as_deref(), Some("\"hello\""));
//! let mut rows = Rows::default();
//! for r in out.rows() {
//!     rows.push_row(r.kind.to_string(), r.key.clone(), r.value.clone().unwrap());
//! }
//! let back: Table<u64, String> = rows.take_table("notes.notes").unwrap();
//! assert_eq!(back, n.notes);
//! ```

use crate::table::Table;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Why a model cannot be written as rows or rebuilt from them (one line).
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// A resource or meta row does not serialize.
    #[error("cannot write {kind} {key}: {error}")]
    Encode {
        /// Its kind (or the model's name for a meta row).
        kind: String,
        /// Its key (empty for a meta row).
        key: String,
        /// What failed.
        error: serde_json::Error,
    },
    /// A stored row is not what this build reads.
    #[error("bad row {kind} {key:?}: {reason}")]
    Decode {
        /// Its kind (or the model's name for a meta row).
        kind: String,
        /// Its key (empty for a meta row).
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// A model's meta row is missing.
    #[error("no meta row {0:?}")]
    MissingMeta(String),
}

/// A changed resource: its new JSON, or `None` when it is gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowChange {
    /// The kind: `model.field`.
    pub kind: &'static str,
    /// The key, as text.
    pub key: String,
    /// The resource's JSON, `None` when deleted.
    pub value: Option<String>,
}

/// What models hand a store at a commit.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    rows: Vec<RowChange>,
    meta: Vec<(&'static str, String)>,
    discard: bool,
}

impl Changes {
    /// A sink that keeps nothing: draining into it only makes the models forget their changes
    /// (without serializing anything). A model that no store keeps is drained into it after
    /// each write, so that the keys it recorded do not pile up.
    pub fn discarding() -> Self {
        Self {
            discard: true,
            ..Self::default()
        }
    }

    /// Adds the changed entries of `table` as rows of `kind` (every entry when `all`), and
    /// forgets the table's changes.
    pub fn table<K, V>(
        &mut self,
        kind: &'static str,
        table: &mut Table<K, V>,
        all: bool,
    ) -> Result<(), PersistError>
    where
        K: Ord + Clone + RowKey,
        V: Serialize,
    {
        let encode = |key: &K, value: &V| {
            serde_json::to_string(value).map_err(|error| PersistError::Encode {
                kind: kind.to_string(),
                key: key.to_row_key(),
                error,
            })
        };
        if self.discard {
            table.forget_changes();
            return Ok(());
        }
        if all {
            table.forget_changes();
            for (key, value) in table.iter() {
                let value = Some(encode(key, value)?);
                self.rows.push(RowChange {
                    kind,
                    key: key.to_row_key(),
                    value,
                });
            }
            return Ok(());
        }
        let changed: Vec<K> = table.take_changed().collect();
        for key in changed {
            let value = table.get(&key).map(|v| encode(&key, v)).transpose()?;
            self.rows.push(RowChange {
                kind,
                key: key.to_row_key(),
                value,
            });
        }
        Ok(())
    }

    /// Sets the meta row of the model `name` (its scalar state).
    pub fn meta<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), PersistError> {
        if self.discard {
            return Ok(());
        }
        let json = serde_json::to_string(value).map_err(|error| PersistError::Encode {
            kind: name.to_string(),
            key: String::new(),
            error,
        })?;
        self.meta.push((name, json));
        Ok(())
    }

    /// The changed resources, in the order they were added.
    pub fn rows(&self) -> &[RowChange] {
        &self.rows
    }

    /// The meta rows: (model name, JSON).
    pub fn meta_rows(&self) -> &[(&'static str, String)] {
        &self.meta
    }

    /// Empties it, for the next commit.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.meta.clear();
    }
}

/// A table key as the text of a row's key.
pub trait RowKey: Sized {
    /// The key as text.
    fn to_row_key(&self) -> String;
    /// The key of a text, `None` if it is not one.
    fn from_row_key(text: &str) -> Option<Self>;
}

/// A key whose text never holds a space (an ID), so that it can lead a pair key.
pub trait IdKey: RowKey {}

impl RowKey for Uuid {
    fn to_row_key(&self) -> String {
        self.to_string()
    }
    fn from_row_key(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl IdKey for Uuid {}

impl RowKey for u64 {
    fn to_row_key(&self) -> String {
        self.to_string()
    }
    fn from_row_key(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl IdKey for u64 {}

impl RowKey for String {
    fn to_row_key(&self) -> String {
        self.clone()
    }
    fn from_row_key(text: &str) -> Option<Self> {
        Some(text.to_string())
    }
}

/// A pair (say, an LB and a private network): `"{a} {b}"`.
impl<A: IdKey, B: RowKey> RowKey for (A, B) {
    fn to_row_key(&self) -> String {
        format!("{} {}", self.0.to_row_key(), self.1.to_row_key())
    }
    fn from_row_key(text: &str) -> Option<Self> {
        let (a, b) = text.split_once(' ')?;
        Some((A::from_row_key(a)?, B::from_row_key(b)?))
    }
}

/// A model a store keeps as rows (see the [module](self)).
pub trait Persisted {
    /// Adds to `out` the rows changed since the last call (every row when `all`) and the
    /// model's meta row, and forgets the changes.
    fn drain_changes(&mut self, all: bool, out: &mut Changes) -> Result<(), PersistError>;
}

/// Stored rows, by kind, for a model to take back.
#[derive(Clone, Debug, Default)]
pub struct Rows {
    tables: BTreeMap<String, Vec<(String, String)>>,
    meta: BTreeMap<String, String>,
}

impl Rows {
    /// Adds a stored resource.
    pub fn push_row(&mut self, kind: String, key: String, value: String) {
        self.tables.entry(kind).or_default().push((key, value));
    }

    /// Adds a stored meta row.
    pub fn push_meta(&mut self, name: String, value: String) {
        self.meta.insert(name, value);
    }

    /// Takes the rows of `kind` out as a table (none: an empty table). The table has no
    /// changes: it is as stored.
    pub fn take_table<K, V>(&mut self, kind: &str) -> Result<Table<K, V>, PersistError>
    where
        K: Ord + Clone + RowKey,
        V: DeserializeOwned,
    {
        let mut table = Table::new();
        for (key, value) in self.tables.remove(kind).unwrap_or_default() {
            let bad = |reason: String| PersistError::Decode {
                kind: kind.to_string(),
                key: key.clone(),
                reason,
            };
            let k =
                K::from_row_key(&key).ok_or_else(|| bad("not a key of this kind".to_string()))?;
            let v = serde_json::from_str(&value).map_err(|e| bad(e.to_string()))?;
            table.insert(k, v);
        }
        table.forget_changes();
        Ok(table)
    }

    /// Takes the meta row of the model `name` out.
    pub fn take_meta<T: DeserializeOwned>(&mut self, name: &str) -> Result<T, PersistError> {
        let json = self
            .meta
            .remove(name)
            .ok_or_else(|| PersistError::MissingMeta(name.to_string()))?;
        serde_json::from_str(&json).map_err(|e| PersistError::Decode {
            kind: name.to_string(),
            key: String::new(),
            reason: e.to_string(),
        })
    }

    /// The kinds and meta rows no model took (a state this build does not know all of).
    pub fn left_over(&self) -> Vec<String> {
        self.tables
            .keys()
            .chain(self.meta.keys())
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_back_from_their_text() {
        let id = Uuid::from_u128(0x5ca1e000_0000_4000_8000_000000000001);
        let pair = (id, "a b".to_string());
        assert_eq!(pair.to_row_key(), format!("{id} a b"));
        assert_eq!(
            <(Uuid, String)>::from_row_key(&pair.to_row_key()),
            Some(pair)
        );
        assert_eq!(u64::from_row_key(&7u64.to_row_key()), Some(7));
        assert_eq!(<(u64, Uuid)>::from_row_key("7"), None);
        assert_eq!(Uuid::from_row_key("x"), None);
    }

    #[test]
    fn a_discarding_sink_forgets_the_changes_and_keeps_nothing() {
        let mut t: Table<u64, u64> = (0..5).map(|i| (i, i)).collect();
        let mut out = Changes::discarding();
        out.table("t.t", &mut t, false).unwrap();
        out.meta("t", &1).unwrap();
        assert!(out.rows().is_empty() && out.meta_rows().is_empty());
        assert_eq!(t.take_changed().count(), 0);
        assert_eq!(t.len(), 5);
    }
}
