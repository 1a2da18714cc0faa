//! The pre-policy table's index: each received prefix and its [`Slot`], in hash tables.
//!
//! A full table arrives in whatever order the peer walks its own table (BIRD: hash order), so
//! a trie pays several cache misses per new prefix, and moves values inside its nodes on each
//! insert. Here a prefix costs one hash and about one cache miss, which [`Table::prefetch`] lets
//! the caller start early for the prefixes it will handle next: the Adj-RIB-In only ever looks
//! prefixes up exactly (RFC 4271 §9.1: an UPDATE replaces or withdraws the route of the same
//! prefix). Longest- and shortest-match questions belong to the prefix filters, which stay on
//! `prefix-trie`. Walks in prefix order ([`Table::sorted`]) sort a copy of the keys; they serve
//! snapshots and policy changes, not the receive path.
//!
//! Each family is spread over [`SHARDS`] open-addressing tables (linear probing, 12 octets per
//! IPv4 entry), chosen by the key's hash. A table grows by doubling and holds both arrays while
//! it moves its entries; in shards only one shard's arrays are doubled at a time, so a full
//! table peaks at about its final size instead of one and a half times it. The hash is a folded
//! multiply with a per-table random seed, so a peer cannot choose prefixes that collide in every
//! process.
//!
//! Not here: what a slot means (see `store`), or filtering.

use super::store::Slot;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::hash::BuildHasher;
use std::net::{Ipv4Addr, Ipv6Addr};

/// How many tables a family's prefixes are spread over (a power of two).
const SHARDS: usize = 64;
/// A shard grows when it would be fuller than this (numerator, denominator).
const MAX_LOAD: (usize, usize) = (3, 4);
/// A shard's first size.
const MIN_CAPACITY: usize = 16;

/// A prefix as a key: its address bits and length. No prefix has the length `u8::MAX`, which
/// marks the free entries.
trait Key: Copy + Eq + Ord {
    /// A free entry.
    const FREE: Self;
    /// The key's hash under a seed.
    fn hash(&self, seed: u64) -> u64;
}

/// An IPv4 prefix: address and length (12 octets per entry with the slot).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct V4(u32, u8);

/// An IPv6 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct V6(u128, u8);

impl Key for V4 {
    const FREE: Self = V4(0, u8::MAX);

    fn hash(&self, seed: u64) -> u64 {
        mix(seed, u64::from(self.0) << 8 | u64::from(self.1))
    }
}

impl Key for V6 {
    const FREE: Self = V6(0, u8::MAX);

    fn hash(&self, seed: u64) -> u64 {
        // The length and the high half first: IPv6 prefixes rarely have low bits set.
        let high = mix(seed, ((self.0 >> 64) as u64) ^ u64::from(self.1));
        mix(high, self.0 as u64)
    }
}

const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;

/// Two folded multiplies: every output bit depends on every input bit, so the low bits (the
/// bucket) and the high ones (the shard) are both spread.
fn mix(seed: u64, word: u64) -> u64 {
    let folded = fold(seed ^ word, MULTIPLIER);
    fold(folded, folded.rotate_left(32) ^ MULTIPLIER)
}

/// The 128-bit product's halves xored.
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

fn v4(p: &Ipv4Net) -> V4 {
    V4(u32::from(p.network()), p.prefix_len())
}

fn v6(p: &Ipv6Net) -> V6 {
    V6(u128::from(p.network()), p.prefix_len())
}

/// The prefix of a key; keys come from valid prefixes, so the length is valid.
fn net4(k: V4) -> IpNet {
    IpNet::V4(Ipv4Net::new(Ipv4Addr::from(k.0), k.1).unwrap_or_default())
}

fn net6(k: V6) -> IpNet {
    IpNet::V6(Ipv6Net::new(Ipv6Addr::from(k.0), k.1).unwrap_or_default())
}

/// Asks the CPU to bring the cache line at `at` in, without waiting for it.
#[inline]
fn prefetch<T>(at: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults and changes no state the program sees;
    // SSE, which it needs, is part of the x86_64 baseline.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(at).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}

/// One open-addressing table with linear probing.
#[derive(Clone, Debug)]
struct Shard<K> {
    /// A power of two of entries (or none), `K::FREE` where free.
    entries: Vec<(K, Slot)>,
    len: usize,
}

impl<K> Default for Shard<K> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            len: 0,
        }
    }
}

impl<K: Key> Shard<K> {
    fn mask(&self) -> usize {
        self.entries.len().wrapping_sub(1)
    }

    /// Where `key` is (`Ok`), or the free entry where it would go (`Err`); `None` if the
    /// shard has no entries at all.
    fn find(&self, key: K, hash: u64) -> Option<Result<usize, usize>> {
        if self.entries.is_empty() {
            return None;
        }
        let mask = self.mask();
        let mut i = hash as usize & mask;
        // The shard is never full (MAX_LOAD < 1), so a free entry ends every probe.
        loop {
            let (k, _) = self.entries[i];
            if k == key {
                return Some(Ok(i));
            }
            if k == K::FREE {
                return Some(Err(i));
            }
            i = (i + 1) & mask;
        }
    }

    fn prefetch(&self, hash: u64) {
        if let Some(entry) = self.entries.get(hash as usize & self.mask()) {
            prefetch(entry);
        }
    }

    /// Makes room for one more entry.
    fn reserve_one(&mut self, seed: u64) {
        let capacity = self.entries.len();
        if (self.len + 1) * MAX_LOAD.1 <= capacity * MAX_LOAD.0 {
            return;
        }
        let bigger = (capacity * 2).max(MIN_CAPACITY);
        let old = std::mem::replace(&mut self.entries, vec![(K::FREE, Slot::FREE); bigger]);
        let mask = self.mask();
        for (key, slot) in old.into_iter().filter(|(k, _)| *k != K::FREE) {
            let mut i = key.hash(seed) as usize & mask;
            while self.entries[i].0 != K::FREE {
                i = (i + 1) & mask;
            }
            self.entries[i] = (key, slot);
        }
    }

    /// Frees entry `i`, moving back the entries after it whose probe passed through it, so
    /// that every probe still finds its key before a free entry.
    fn remove_at(&mut self, mut hole: usize, seed: u64) {
        let mask = self.mask();
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            let (key, slot) = self.entries[j];
            if key == K::FREE {
                break;
            }
            let home = key.hash(seed) as usize & mask;
            // The hole lies on the probe from `home` to `j`: the entry moves into it.
            if j.wrapping_sub(home) & mask >= j.wrapping_sub(hole) & mask {
                self.entries[hole] = (key, slot);
                hole = j;
            }
        }
        self.entries[hole] = (K::FREE, Slot::FREE);
        self.len -= 1;
    }
}

/// One family's prefixes, in [`SHARDS`] shards chosen by the top bits of the key's hash.
#[derive(Clone, Debug)]
struct Sharded<K> {
    shards: Vec<Shard<K>>,
    seed: u64,
}

impl<K> Default for Sharded<K> {
    fn default() -> Self {
        Self {
            shards: Vec::new(),
            seed: std::collections::hash_map::RandomState::new().hash_one(0x5ca1_ab1e_u64),
        }
    }
}

impl<K: Key> Sharded<K> {
    fn locate(&self, key: K) -> (u64, usize) {
        let hash = key.hash(self.seed);
        (hash, (hash >> 58) as usize % SHARDS)
    }

    fn get(&self, key: K) -> Option<Slot> {
        let (hash, shard) = self.locate(key);
        let shard = self.shards.get(shard)?;
        let i = shard.find(key, hash)?.ok()?;
        Some(shard.entries[i].1)
    }

    fn get_mut(&mut self, key: K) -> Option<&mut Slot> {
        let (hash, shard) = self.locate(key);
        let shard = self.shards.get_mut(shard)?;
        let i = shard.find(key, hash)?.ok()?;
        Some(&mut shard.entries[i].1)
    }

    fn prefetch(&self, key: K) {
        let (hash, shard) = self.locate(key);
        if let Some(shard) = self.shards.get(shard) {
            shard.prefetch(hash);
        }
    }

    fn entry(&mut self, key: K) -> ShardEntry<'_, K> {
        if self.shards.is_empty() {
            self.shards = (0..SHARDS).map(|_| Shard::default()).collect();
        }
        let (hash, index) = self.locate(key);
        let seed = self.seed;
        // `index` is below SHARDS, and there are SHARDS shards.
        let shard = &mut self.shards[index];
        shard.reserve_one(seed);
        // After `reserve_one` the shard has entries, so the probe gives an index.
        let i = match shard.find(key, hash) {
            Some(Ok(i)) => return ShardEntry::Occupied(&mut shard.entries[i].1),
            Some(Err(i)) => i,
            None => 0,
        };
        ShardEntry::Vacant((&mut shard.len, &mut shard.entries[i], key))
    }

    fn remove(&mut self, key: K) {
        let (hash, index) = self.locate(key);
        let seed = self.seed;
        if let Some(shard) = self.shards.get_mut(index)
            && let Some(Ok(i)) = shard.find(key, hash)
        {
            shard.remove_at(i, seed);
        }
    }

    /// Every key and slot, sorted by key.
    fn sorted(&self) -> Vec<(K, Slot)> {
        let mut all: Vec<(K, Slot)> = self
            .shards
            .iter()
            .flat_map(|shard| shard.entries.iter().filter(|(k, _)| *k != K::FREE))
            .copied()
            .collect();
        all.sort_unstable_by_key(|(k, _)| *k);
        all
    }
}

/// Each received prefix's slot.
#[derive(Clone, Debug, Default)]
pub(super) struct Table {
    v4: Sharded<V4>,
    v6: Sharded<V6>,
}

/// A prefix's place in the table, found with one probe.
pub(super) enum Entry<'a> {
    /// The prefix is held: its slot.
    Occupied(&'a mut Slot),
    /// It is not: where to put it.
    Vacant(Vacant<'a>),
}

/// Where a new prefix goes.
pub(super) struct Vacant<'a>(VacantOf<'a>);

/// A shard's free entry for a key: the shard's length, the entry, the key.
type Free<'a, K> = (&'a mut usize, &'a mut (K, Slot), K);

enum VacantOf<'a> {
    V4(Free<'a, V4>),
    V6(Free<'a, V6>),
}

/// [`Entry`] within one family.
enum ShardEntry<'a, K> {
    Occupied(&'a mut Slot),
    Vacant(Free<'a, K>),
}

impl Vacant<'_> {
    pub(super) fn insert(self, slot: Slot) {
        let len = match self.0 {
            VacantOf::V4((len, entry, key)) => {
                *entry = (key, slot);
                len
            }
            VacantOf::V6((len, entry, key)) => {
                *entry = (key, slot);
                len
            }
        };
        *len += 1;
    }
}

impl Table {
    /// The slot of `prefix` (host bits cleared), if held.
    pub(super) fn get(&self, prefix: &IpNet) -> Option<Slot> {
        match prefix {
            IpNet::V4(p) => self.v4.get(v4(p)),
            IpNet::V6(p) => self.v6.get(v6(p)),
        }
    }

    /// Starts bringing `prefix`'s entry into the cache: call it a few prefixes before
    /// [`Table::entry`] or [`Table::get`] of the same prefix.
    pub(super) fn prefetch(&self, prefix: &IpNet) {
        match prefix {
            IpNet::V4(p) => self.v4.prefetch(v4(p)),
            IpNet::V6(p) => self.v6.prefetch(v6(p)),
        }
    }

    /// The slot of `prefix` (host bits cleared), or where to insert it.
    pub(super) fn entry(&mut self, prefix: &IpNet) -> Entry<'_> {
        match prefix {
            IpNet::V4(p) => match self.v4.entry(v4(p)) {
                ShardEntry::Occupied(slot) => Entry::Occupied(slot),
                ShardEntry::Vacant(free) => Entry::Vacant(Vacant(VacantOf::V4(free))),
            },
            IpNet::V6(p) => match self.v6.entry(v6(p)) {
                ShardEntry::Occupied(slot) => Entry::Occupied(slot),
                ShardEntry::Vacant(free) => Entry::Vacant(Vacant(VacantOf::V6(free))),
            },
        }
    }

    /// Removes `prefix` (host bits cleared).
    pub(super) fn remove(&mut self, prefix: &IpNet) {
        match prefix {
            IpNet::V4(p) => self.v4.remove(v4(p)),
            IpNet::V6(p) => self.v6.remove(v6(p)),
        }
    }

    /// Every prefix and its slot, in prefix order (IPv4 first; a prefix before its more
    /// specifics). Takes a sorted copy of the table.
    pub(super) fn sorted(&self) -> impl Iterator<Item = (IpNet, Slot)> + use<> {
        let v4 = self.v4.sorted().into_iter().map(|(k, s)| (net4(k), s));
        let v6 = self.v6.sorted().into_iter().map(|(k, s)| (net6(k), s));
        v4.chain(v6)
    }

    /// Sets a held prefix's slot (a no-op for a prefix not held).
    pub(super) fn set(&mut self, prefix: &IpNet, slot: Slot) {
        let held = match prefix {
            IpNet::V4(p) => self.v4.get_mut(v4(p)),
            IpNet::V6(p) => self.v6.get_mut(v6(p)),
        };
        if let Some(held) = held {
            *held = slot;
        }
    }
}

#[cfg(test)]
mod tests;
