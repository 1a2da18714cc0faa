use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn insert(table: &mut Table, prefix: &IpNet, slot: Slot) {
    match table.entry(prefix) {
        Entry::Occupied(held) => *held = slot,
        Entry::Vacant(v) => v.insert(slot),
    }
}

#[test]
fn sorted_is_prefix_order_ipv4_first() {
    let mut table = Table::default();
    let prefixes = [
        "2001:db8::/32",
        "10.1.0.0/16",
        "10.0.0.0/16",
        "10.0.0.0/8",
        "2001:db8::/48",
        "9.0.0.0/8",
        "0.0.0.0/0",
    ];
    for (i, p) in prefixes.iter().enumerate() {
        insert(&mut table, &net(p), Slot::for_test(i as u32));
    }
    let order: Vec<String> = table.sorted().map(|(p, _)| p.to_string()).collect();
    assert_eq!(
        order,
        [
            "0.0.0.0/0",
            "9.0.0.0/8",
            "10.0.0.0/8",
            "10.0.0.0/16",
            "10.1.0.0/16",
            "2001:db8::/32",
            "2001:db8::/48"
        ]
    );
    assert_eq!(table.get(&net("10.0.0.0/8")), Some(Slot::for_test(3)));
    assert_eq!(table.get(&net("0.0.0.0/0")), Some(Slot::for_test(6)));
    table.remove(&net("10.0.0.0/8"));
    assert_eq!(table.get(&net("10.0.0.0/8")), None);
    assert!(matches!(
        table.entry(&net("10.1.0.0/16")),
        Entry::Occupied(_)
    ));
    table.set(&net("2001:db8::/48"), Slot::for_test(9));
    assert_eq!(table.get(&net("2001:db8::/48")), Some(Slot::for_test(9)));
}

#[test]
fn an_empty_table_finds_nothing_and_removes_nothing() {
    let mut table = Table::default();
    assert_eq!(table.get(&net("10.0.0.0/8")), None);
    table.prefetch(&net("10.0.0.0/8"));
    table.remove(&net("10.0.0.0/8"));
    table.set(&net("10.0.0.0/8"), Slot::for_test(1));
    assert_eq!(table.sorted().count(), 0);
}

#[test]
fn the_hash_spreads_prefixes_differing_in_one_bit() {
    let a = V4(0x0a00_0000, 24).hash(1);
    let b = V4(0x0a00_0100, 24).hash(1);
    let c = V4(0x0a00_0000, 23).hash(1);
    assert_ne!(a & 0xffff, b & 0xffff);
    assert_ne!(a & 0xffff, c & 0xffff);
    assert_ne!(a >> 58, b >> 58);
}

#[test]
fn a_hundred_thousand_prefixes_grow_every_shard_and_stay_findable() {
    let mut table = Table::default();
    let prefix = |i: u32| IpNet::V4(Ipv4Net::new(Ipv4Addr::from(i << 8), 24).unwrap());
    for i in 0..100_000 {
        insert(&mut table, &prefix(i), Slot::for_test(i));
    }
    for i in (0..100_000).step_by(2) {
        table.remove(&prefix(i));
    }
    for i in 0..100_000 {
        let expected = (i % 2 == 1).then(|| Slot::for_test(i));
        assert_eq!(table.get(&prefix(i)), expected, "{}", prefix(i));
    }
    assert_eq!(table.sorted().count(), 50_000);
}

/// A few addresses and lengths, so that operations hit the same keys often.
fn prefix() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (0u32..64, 0u8..=32).prop_map(|(a, len)| {
            IpNet::V4(
                Ipv4Net::new(Ipv4Addr::from(a.rotate_right(6)), len)
                    .unwrap()
                    .trunc(),
            )
        }),
        (0u128..16, 0u8..=128).prop_map(|(a, len)| {
            IpNet::V6(
                Ipv6Net::new(Ipv6Addr::from(a.rotate_right(4)), len)
                    .unwrap()
                    .trunc(),
            )
        }),
    ]
}

proptest! {
    /// Inserts, replacements and removals give the same contents as a sorted map, in the same
    /// order; a small seed space makes collisions and backward shifts frequent.
    #[test]
    fn behaves_like_a_sorted_map(ops in proptest::collection::vec((prefix(), 0u32..4), 1..400)) {
        let mut table = Table::default();
        let mut model: BTreeMap<IpNet, Slot> = BTreeMap::new();
        for (i, (prefix, op)) in ops.iter().enumerate() {
            let slot = Slot::for_test(i as u32);
            if *op == 0 {
                table.remove(prefix);
                model.remove(prefix);
            } else {
                insert(&mut table, prefix, slot);
                model.insert(*prefix, slot);
            }
            prop_assert_eq!(table.get(prefix), model.get(prefix).copied());
        }
        let held: Vec<(IpNet, Slot)> = table.sorted().collect();
        let expected: Vec<(IpNet, Slot)> = model.into_iter().collect();
        prop_assert_eq!(held, expected);
    }
}

/// One shard on its own: inserts through `reserve_one` and `find`, removals through
/// `remove_at`, like `Sharded` does.
fn shard_insert(shard: &mut Shard<V4>, key: V4, slot: Slot, seed: u64) {
    shard.reserve_one(seed);
    match shard.find(key, key.hash(seed)) {
        Some(Ok(i)) => shard.entries[i].1 = slot,
        Some(Err(i)) => {
            shard.entries[i] = (key, slot);
            shard.len += 1;
        }
        None => unreachable!("reserve_one allocates"),
    }
}

fn shard_get(shard: &Shard<V4>, key: V4, seed: u64) -> Option<Slot> {
    let i = shard.find(key, key.hash(seed))?.ok()?;
    Some(shard.entries[i].1)
}

proptest! {
    /// Many keys in one small shard: long probe runs that wrap around the end, and removals
    /// that shift entries back, still find exactly the keys of a model.
    #[test]
    fn one_shard_behaves_like_a_map(
        seed in any::<u64>(),
        ops in proptest::collection::vec((0u32..40, any::<bool>()), 1..300),
    ) {
        let mut shard: Shard<V4> = Shard::default();
        let mut model: BTreeMap<V4, Slot> = BTreeMap::new();
        for (i, (k, insert)) in ops.iter().enumerate() {
            let key = V4(*k, 24);
            if *insert {
                let slot = Slot::for_test(i as u32);
                shard_insert(&mut shard, key, slot, seed);
                model.insert(key, slot);
            } else if let Some(Ok(at)) = shard.find(key, key.hash(seed)) {
                shard.remove_at(at, seed);
                prop_assert!(model.remove(&key).is_some());
            } else {
                prop_assert!(!model.contains_key(&key));
            }
            prop_assert_eq!(shard.len, model.len());
            for k in 0u32..40 {
                let key = V4(k, 24);
                prop_assert_eq!(shard_get(&shard, key, seed), model.get(&key).copied());
            }
        }
    }
}
