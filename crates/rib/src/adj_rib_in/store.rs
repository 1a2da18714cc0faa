//! Compact storage of the Adj-RIB-In's paths: 4 octets per prefix in the table.
//!
//! A full table is one path per prefix without a path id, so the table holds a [`Slot`]: the
//! accepted bit and the index of the path's interned attribute set. The other prefixes (ADD-PATH
//! path ids, several paths) point into a side table of path lists instead. Attribute sets are
//! counted: a set goes when the last path using it does.

use crate::attributes::PathAttributes;
use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::Arc;

const ACCEPTED: u32 = 1 << 31;
const MULTI: u32 = 1 << 30;
const INDEX: u32 = MULTI - 1;

/// What the table holds for a prefix: whether `prefix_filter_in` admits it, and either one path
/// without a path id (an attribute set index) or an index into the path lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Slot(u32);

impl Slot {
    /// What a free table entry holds (never read as a slot).
    pub(super) const FREE: Slot = Slot(0);

    pub(super) fn accepted(self) -> bool {
        self.0 & ACCEPTED != 0
    }

    pub(super) fn set_accepted(&mut self, accepted: bool) {
        self.0 = (self.0 & !ACCEPTED) | if accepted { ACCEPTED } else { 0 };
    }

    fn new(accepted: bool, multi: bool, index: u32) -> Self {
        assert!(index <= INDEX, "Adj-RIB-In index overflow");
        let mut slot = Self(index | if multi { MULTI } else { 0 });
        slot.set_accepted(accepted);
        slot
    }

    fn multi(self) -> Option<usize> {
        (self.0 & MULTI != 0).then_some((self.0 & INDEX) as usize)
    }

    fn index(self) -> u32 {
        self.0 & INDEX
    }

    /// A slot of one path with this attribute set index, not accepted.
    #[cfg(test)]
    pub(super) fn for_test(index: u32) -> Self {
        Self::new(false, false, index)
    }
}

/// The paths of one prefix: (path id, attribute set index).
type PathList = SmallVec<[(Option<u32>, u32); 2]>;

/// The paths of a slot, as (path id, attribute set index).
pub(super) enum Paths<'a> {
    One(Option<(Option<u32>, u32)>),
    Many(std::slice::Iter<'a, (Option<u32>, u32)>),
}

impl Iterator for Paths<'_> {
    type Item = (Option<u32>, u32);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Paths::One(path) => path.take(),
            Paths::Many(paths) => paths.next().copied(),
        }
    }
}

/// What [`Store::upsert`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Upsert {
    /// The path was there with the same attributes.
    Unchanged,
    /// The path was there with other attributes.
    Replaced,
    /// The path is new.
    Added,
}

/// The attribute sets and path lists the slots point to.
#[derive(Clone, Debug, Default)]
pub(super) struct Store {
    /// Interned sets (None: a free index) and how many holders each has.
    sets: Vec<Option<Arc<PathAttributes>>>,
    holders: Vec<u32>,
    free_sets: Vec<u32>,
    by_value: HashMap<Arc<PathAttributes>, u32>,
    /// Path lists of the prefixes that are not one path without a path id.
    lists: Vec<PathList>,
    free_lists: Vec<u32>,
}

impl Store {
    /// The index of `attributes`' shared copy, held once more: [`Store::release`] it.
    pub(super) fn acquire(&mut self, attributes: PathAttributes) -> u32 {
        let index = match self.by_value.get(&attributes) {
            Some(&index) => index,
            None => {
                let shared = Arc::new(attributes);
                let index = match self.free_sets.pop() {
                    Some(index) => {
                        self.sets[index as usize] = Some(Arc::clone(&shared));
                        index
                    }
                    None => {
                        self.sets.push(Some(Arc::clone(&shared)));
                        self.holders.push(0);
                        u32::try_from(self.sets.len() - 1).expect("attribute set index")
                    }
                };
                self.by_value.insert(shared, index);
                index
            }
        };
        self.holders[index as usize] += 1;
        index
    }

    /// Drops one holder of a set; the set goes with its last holder.
    pub(super) fn release(&mut self, index: u32) {
        let holders = &mut self.holders[index as usize];
        *holders -= 1;
        if *holders == 0 {
            let shared = self.sets[index as usize]
                .take()
                .expect("live attribute set");
            self.by_value.remove(&*shared);
            self.free_sets.push(index);
        }
    }

    /// The attribute set at an index.
    pub(super) fn attributes(&self, index: u32) -> &Arc<PathAttributes> {
        self.sets[index as usize]
            .as_ref()
            .expect("live attribute set")
    }

    /// The slot of a new prefix with one path.
    pub(super) fn new_slot(&mut self, accepted: bool, path_id: Option<u32>, set: u32) -> Slot {
        self.holders[set as usize] += 1;
        match path_id {
            None => Slot::new(accepted, false, set),
            Some(_) => Slot::new(accepted, true, self.new_list((path_id, set))),
        }
    }

    /// The paths of a slot: (path id, attribute set index).
    pub(super) fn paths(&self, slot: Slot) -> Paths<'_> {
        match slot.multi() {
            Some(list) => Paths::Many(self.lists[list].iter()),
            None => Paths::One(Some((None, slot.index()))),
        }
    }

    /// The position and attribute set index of the path `path_id` of a slot.
    pub(super) fn find(&self, slot: Slot, path_id: Option<u32>) -> Option<(usize, u32)> {
        self.paths(slot)
            .enumerate()
            .find(|(_, (id, _))| *id == path_id)
            .map(|(i, (_, set))| (i, set))
    }

    /// Adds or replaces the path `path_id` of a slot.
    pub(super) fn upsert(&mut self, slot: &mut Slot, path_id: Option<u32>, set: u32) -> Upsert {
        let upsert = match self.find(*slot, path_id) {
            Some((_, old)) if old == set => return Upsert::Unchanged,
            Some((i, old)) => {
                self.release(old);
                match slot.multi() {
                    Some(list) => self.lists[list][i].1 = set,
                    None => *slot = Slot::new(slot.accepted(), false, set),
                }
                Upsert::Replaced
            }
            None => {
                let list = match slot.multi() {
                    Some(list) => list,
                    None => {
                        let list = self.new_list((None, slot.index()));
                        *slot = Slot::new(slot.accepted(), true, list);
                        list as usize
                    }
                };
                self.lists[list].push((path_id, set));
                Upsert::Added
            }
        };
        self.holders[set as usize] += 1;
        upsert
    }

    /// Removes the path `path_id` of a slot; None if it has no such path, else whether the
    /// slot is now empty (and must leave the table).
    pub(super) fn remove(&mut self, slot: Slot, path_id: Option<u32>) -> Option<bool> {
        let (i, _) = self.find(slot, path_id)?;
        let Some(list) = slot.multi() else {
            self.release(slot.index());
            return Some(true);
        };
        let (_, set) = self.lists[list].swap_remove(i);
        self.release(set);
        let empty = self.lists[list].is_empty();
        if empty {
            self.free_lists.push(list as u32);
        }
        Some(empty)
    }

    /// A new path list holding one path.
    fn new_list(&mut self, path: (Option<u32>, u32)) -> u32 {
        let paths: PathList = smallvec::smallvec![path];
        match self.free_lists.pop() {
            Some(list) => {
                self.lists[list as usize] = paths;
                list
            }
            None => {
                self.lists.push(paths);
                u32::try_from(self.lists.len() - 1).expect("path list index")
            }
        }
    }

    /// The number of live attribute sets.
    #[cfg(test)]
    pub(super) fn sets(&self) -> usize {
        self.by_value.len()
    }
}
