//! [`Table`]: the resources of one kind by ID, remembering which IDs changed.
//!
//! A `Table` is a [`BTreeMap`] that records the keys every mutation touches (`insert`,
//! `get_mut`, `remove`, `retain`, `iter_mut` …) until [`Table::take_changed`] hands them over.
//! That is how a store (`world::store`, through [`crate::persist`]) writes only what a write
//! changed, without serializing or comparing the whole model: the cost of finding the changes is
//! the number of changes.
//!
//! Every way to get a `&mut V` marks its key, whether or not the caller then changes the value (a
//! marked key that did not change is written again: harmless). [`Table::iter_mut`] marks every
//! key, so loops that change a few values of a big table use [`Table::iter_mut_where`], which
//! marks only the keys it yields.
//!
//! Its serde form is the map's, so a model's JSON does not change when a `BTreeMap` becomes a
//! `Table`; deserializing gives a table with no changes. Equality compares the maps only.
//!
//! ```
//! use provider::table::Table;
//!
//! let mut t: Table<u64, &str> = Table::new();
//! t.insert(1, "a");
//! t.insert(2, "b");
//! assert_eq!(t.take_changed().collect::<Vec<_>>(), vec![1, 2]);
//! if let Some(v) = t.get_mut(&2) {
//!     *v = "B";
//! }
//! t.remove(&1);
//! assert_eq!(t.get(&1), None);
//! assert_eq!(t.take_changed().collect::<Vec<_>>(), vec![1, 2]);
//! assert_eq!(t.take_changed().count(), 0);
//! assert_eq!(serde_json::to_string(&t).unwrap(), r#"{"2":"B"}"#);
//! ```

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet, btree_map};
use std::fmt;

/// A map of resources by key that records the keys changed since [`Table::take_changed`].
#[derive(Clone)]
pub struct Table<K, V> {
    map: BTreeMap<K, V>,
    changed: BTreeSet<K>,
}

impl<K, V> Default for Table<K, V> {
    fn default() -> Self {
        Self {
            map: BTreeMap::new(),
            changed: BTreeSet::new(),
        }
    }
}

impl<K: Ord + Clone, V> Table<K, V> {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value at `key`.
    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key)
    }

    /// Whether `key` is present.
    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.map.contains_key(key)
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The entries, in key order.
    pub fn iter(&self) -> btree_map::Iter<'_, K, V> {
        self.map.iter()
    }

    /// The keys, in order.
    pub fn keys(&self) -> btree_map::Keys<'_, K, V> {
        self.map.keys()
    }

    /// The values, in key order.
    pub fn values(&self) -> btree_map::Values<'_, K, V> {
        self.map.values()
    }

    /// The value at `key`, to change (marks `key` when present).
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let value = self.map.get_mut(key)?;
        self.changed.insert(key.clone());
        Some(value)
    }

    /// Puts `value` at `key` (marks it); gives back the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.changed.insert(key.clone());
        self.map.insert(key, value)
    }

    /// Takes the value at `key` out (marks `key` when it was present).
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let value = self.map.remove(key)?;
        self.changed.insert(key.clone());
        Some(value)
    }

    /// Keeps the entries `keep` says yes to (marks the others, which go).
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let gone: Vec<K> = self
            .map
            .iter()
            .filter(|(k, v)| !keep(k, v))
            .map(|(k, _)| k.clone())
            .collect();
        for key in gone {
            self.remove(&key);
        }
    }

    /// Every entry, to change: marks every key. Prefer [`Table::iter_mut_where`].
    pub fn iter_mut(&mut self) -> btree_map::IterMut<'_, K, V> {
        self.changed.extend(self.map.keys().cloned());
        self.map.iter_mut()
    }

    /// The entries `select` says yes to, to change: marks their keys only.
    pub fn iter_mut_where<'a>(
        &'a mut self,
        mut select: impl FnMut(&K, &V) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a K, &'a mut V)> + 'a {
        let changed = &mut self.changed;
        self.map
            .iter_mut()
            .filter(move |(k, v)| select(k, v))
            .inspect(move |(k, _)| {
                changed.insert((*k).clone());
            })
    }

    /// The keys changed since the last call (in order), forgetting them. A key whose entry is
    /// gone was removed.
    pub fn take_changed(&mut self) -> std::collections::btree_set::IntoIter<K> {
        std::mem::take(&mut self.changed).into_iter()
    }

    /// Forgets the changes (every entry is as stored).
    pub fn forget_changes(&mut self) {
        self.changed.clear();
    }
}

impl<K: Ord + Clone, V> Extend<(K, V)> for Table<K, V> {
    /// Inserts every pair (marks their keys).
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, pairs: I) {
        for (k, v) in pairs {
            self.insert(k, v);
        }
    }
}

impl<K: Ord + Clone, V> FromIterator<(K, V)> for Table<K, V> {
    /// A table of the pairs, every key marked (nothing of it is stored yet).
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        let mut table = Self::new();
        table.extend(pairs);
        table
    }
}

impl<K: Ord + Clone, V> From<BTreeMap<K, V>> for Table<K, V> {
    /// A table of the map, every key marked (nothing of it is stored yet).
    fn from(map: BTreeMap<K, V>) -> Self {
        Self {
            changed: map.keys().cloned().collect(),
            map,
        }
    }
}

impl<'a, K, V> IntoIterator for &'a Table<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = btree_map::Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for Table<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<K: Eq, V: Eq> Eq for Table<K, V> {}

impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for Table<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.map.fmt(f)
    }
}

impl<K: Serialize, V: Serialize> Serialize for Table<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de, K: Deserialize<'de> + Ord, V: Deserialize<'de>> Deserialize<'de> for Table<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Self {
            map: BTreeMap::deserialize(deserializer)?,
            changed: BTreeSet::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changed(t: &mut Table<u32, u32>) -> Vec<u32> {
        t.take_changed().collect()
    }

    #[test]
    fn every_mutation_marks_what_it_touches_and_nothing_else() {
        let mut t: Table<u32, u32> = (0..10).map(|i| (i, i)).collect();
        assert_eq!(changed(&mut t), (0..10).collect::<Vec<_>>());
        assert_eq!(t.get(&3), Some(&3));
        assert!(t.contains_key(&4) && t.iter().count() == 10 && t.values().sum::<u32>() == 45);
        assert!(changed(&mut t).is_empty(), "reads mark nothing");
        assert!(t.get_mut(&42).is_none() && t.remove(&42).is_none());
        assert!(changed(&mut t).is_empty(), "absent keys mark nothing");
        t.retain(|k, _| k % 3 != 0);
        assert_eq!(changed(&mut t), vec![0, 3, 6, 9]);
        for (_, v) in t.iter_mut_where(|k, _| *k > 6) {
            *v += 100;
        }
        assert_eq!(changed(&mut t), vec![7, 8]);
        assert_eq!(t.get(&8), Some(&108));
        t.iter_mut().for_each(|_| ());
        assert_eq!(changed(&mut t), vec![1, 2, 4, 5, 7, 8]);
        t.extend([(20, 0)]);
        t.forget_changes();
        assert!(changed(&mut t).is_empty());
    }

    #[test]
    fn serde_is_the_map_and_deserializing_marks_nothing() {
        let t: Table<u32, String> = [(2, "b".to_string()), (1, "a".to_string())]
            .into_iter()
            .collect();
        let json = serde_json::to_string(&t).unwrap();
        let map: BTreeMap<u32, String> = serde_json::from_str(&json).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        let mut back: Table<u32, String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.take_changed().count(), 0);
    }
}
