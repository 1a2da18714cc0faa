//! The generated table: `n` distinct IPv4 prefixes with a full table's prefix-length mix, and
//! the 1,000 covering prefixes that are the peerlab receiver's `prefix_filter_in`.
//!
//! The space is cut into [`BLOCKS`] consecutive /11 blocks from 1.0.0.0 (up to
//! 125.255.255.255); every route lies inside one block, so the blocks admit every route and
//! nothing else. A route's length follows [`LENGTH_WEIGHTS`] (60% /24, the rest /16–/23), its
//! block and position are drawn with a seeded xorshift: the same `n` gives the same routes, in
//! the same order, in every process (the BIRD source's config, the fast source, the checks).
//! The order is the drawing order, scattered over the space like a hash-ordered table walk.

use ipnet::Ipv4Net;
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// How many covering blocks (and `prefix_filter_in` entries).
pub const BLOCKS: u32 = 1000;
/// The blocks' prefix length.
const BLOCK_LEN: u8 = 11;
/// The first block's address: 1.0.0.0.
const FIRST_BLOCK: u32 = 1 << 24;
/// Prefix lengths and their share in percent, after the public IPv4 table.
const LENGTH_WEIGHTS: [(u8, u32); 9] = [
    (16, 1),
    (17, 1),
    (18, 2),
    (19, 3),
    (20, 5),
    (21, 6),
    (22, 11),
    (23, 11),
    (24, 60),
];
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// The 1,000 covering prefixes, in address order.
pub fn blocks() -> Vec<Ipv4Net> {
    (0..BLOCKS)
        .map(|k| net(FIRST_BLOCK + (k << (32 - BLOCK_LEN)), BLOCK_LEN))
        .collect()
}

/// `n` distinct prefixes. At most a few million fit the blocks' /24s with this mix; `n` is
/// expected to stay at or below 1,000,000.
pub fn generate(n: usize) -> Vec<Ipv4Net> {
    let mut rng = XorShift(SEED);
    let mut seen = HashSet::with_capacity(n);
    let mut routes = Vec::with_capacity(n);
    while routes.len() < n {
        let route = draw(&mut rng);
        if seen.insert(route) {
            routes.push(route);
        }
    }
    routes
}

/// One prefix: a length after the weights, then a block, then a position inside it.
fn draw(rng: &mut XorShift) -> Ipv4Net {
    let len = length(rng.below(100));
    let block = FIRST_BLOCK + (rng.below(BLOCKS) << (32 - BLOCK_LEN));
    let slots = 1u32 << (len - BLOCK_LEN);
    net(block + (rng.below(slots) << (32 - len)), len)
}

/// The prefix length whose cumulative weight range holds `percent` (0–99).
fn length(percent: u32) -> u8 {
    let mut cumulative = 0;
    for (len, weight) in LENGTH_WEIGHTS {
        cumulative += weight;
        if percent < cumulative {
            return len;
        }
    }
    24
}

fn net(address: u32, len: u8) -> Ipv4Net {
    // Lengths here are 11 to 24: always valid.
    Ipv4Net::new(Ipv4Addr::from(address), len).unwrap_or_default()
}

/// xorshift64: small, fast and the same everywhere.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..bound` (the modulo bias is negligible for these bounds).
    fn below(&mut self, bound: u32) -> u32 {
        (self.next() % u64::from(bound)) as u32
    }
}
