//! Identifiers: UUIDs drawn from a seeded generator, so that the same scenario gives the same IDs
//! every run (the core is deterministic: no OS randomness), and stable UUIDs derived from names
//! for catalogue entries that the configuration does not number itself.

use uuid::{Builder, Uuid};

/// A seeded source of version-4-shaped UUIDs (SplitMix64 underneath).
///
/// ```
/// use provider::ids::IdGenerator;
/// let mut a = IdGenerator::new(7);
/// let mut b = IdGenerator::new(7);
/// assert_eq!(a.next_uuid(), b.next_uuid());
/// assert_eq!(a.next_uuid().get_version_num(), 4);
/// ```
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The next UUID (version 4, RFC 4122 variant).
    pub fn next_uuid(&mut self) -> Uuid {
        let hi = self.next_u64().to_be_bytes();
        let lo = self.next_u64().to_be_bytes();
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi);
        bytes[8..].copy_from_slice(&lo);
        Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// A UUID that depends only on `namespace` and `name` (FNV-1a based; version-4-shaped), for
/// catalogue entries declared without an `id`.
///
/// ```
/// use provider::ids::stable_uuid;
/// assert_eq!(stable_uuid("pop", "DC2"), stable_uuid("pop", "DC2"));
/// assert_ne!(stable_uuid("pop", "DC2"), stable_uuid("partner", "DC2"));
/// ```
pub fn stable_uuid(namespace: &str, name: &str) -> Uuid {
    fn fnv1a(seed: u64, parts: &[&[u8]]) -> u64 {
        let mut h = seed;
        for part in parts {
            for b in part.iter() {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0000_0100_0000_01B3);
            }
            h ^= 0xff;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        h
    }
    let parts: [&[u8]; 2] = [namespace.as_bytes(), name.as_bytes()];
    let hi = fnv1a(0xcbf2_9ce4_8422_2325, &parts).to_be_bytes();
    let lo = fnv1a(0x6c62_272e_07bb_0142, &parts).to_be_bytes();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi);
    bytes[8..].copy_from_slice(&lo);
    Builder::from_random_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn generated_ids_are_distinct_and_v4() {
        let mut g = IdGenerator::new(0);
        let ids: HashSet<Uuid> = (0..10_000).map(|_| g.next_uuid()).collect();
        assert_eq!(ids.len(), 10_000);
        assert!(ids.iter().all(|u| u.get_version_num() == 4));
    }

    #[test]
    fn seeds_differ() {
        assert_ne!(
            IdGenerator::new(1).next_uuid(),
            IdGenerator::new(2).next_uuid()
        );
    }
}
