//! Prefix filtering throughput: `PrefixFilter::admits` (prefix-trie) against a linear scan of
//! the same entries, for policies of 10, 1,000 and 100,000 entries over 1,000,000 IPv4 routes
//! with the prefix-length mix of the real IPv4 table (about 60% /24, the rest /8–/23).
//!
//! The linear scan is measured on a prefix of the route list sized so that one iteration stays
//! under ~10^8 comparisons (all 1,000,000 routes for 10 entries, 100,000 for 1,000, 1,000 for
//! 100,000); throughput is reported per route either way.
//!
//! Run: `cargo bench -p rib --bench prefix_filter`.

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use ipnet::{IpNet, Ipv4Net};
use rib::PrefixFilter;
use std::hint::black_box;
use std::net::Ipv4Addr;
use std::time::Duration;

const ROUTES: usize = 1_000_000;
const POLICY_SIZES: [usize; 3] = [10, 1_000, 100_000];

/// xorshift64*: a tiny deterministic PRNG.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Prefix lengths of the IPv4 table (per mille, roughly the 2024 DFZ): /24 dominates.
const LENGTH_MIX: [(u8, u64); 17] = [
    (8, 1),
    (9, 1),
    (10, 2),
    (11, 4),
    (12, 8),
    (13, 10),
    (14, 15),
    (15, 18),
    (16, 20),
    (17, 12),
    (18, 16),
    (19, 25),
    (20, 40),
    (21, 45),
    (22, 100),
    (23, 83),
    (24, 600),
];

fn length(rng: &mut XorShift) -> u8 {
    let mut pick = rng.below(LENGTH_MIX.iter().map(|(_, w)| w).sum());
    for (len, w) in LENGTH_MIX {
        if pick < w {
            return len;
        }
        pick -= w;
    }
    24
}

/// Unicast space: first octet 1–223, not 10/127.
fn address(rng: &mut XorShift) -> Ipv4Addr {
    loop {
        let a = rng.next() as u32;
        let first = a >> 24;
        if (1..=223).contains(&first) && first != 10 && first != 127 {
            return Ipv4Addr::from(a);
        }
    }
}

fn routes(rng: &mut XorShift) -> Vec<IpNet> {
    (0..ROUTES)
        .map(|_| {
            let len = length(rng);
            IpNet::V4(Ipv4Net::new(address(rng), len).unwrap().trunc())
        })
        .collect()
}

/// Policy entries the way customers write them: their own prefixes or aggregates of them (a
/// table prefix shortened by 0–4 bits, never shorter than /12), so that a share of the routes
/// is admitted and the rest must be looked up in vain.
fn entries(rng: &mut XorShift, routes: &[IpNet], n: usize) -> Vec<IpNet> {
    (0..n)
        .map(|_| {
            let IpNet::V4(r) = routes[rng.below(routes.len() as u64) as usize] else {
                unreachable!("IPv4 bench")
            };
            let len = r.prefix_len().saturating_sub(rng.below(5) as u8).max(12);
            IpNet::V4(Ipv4Net::new(r.addr(), len).unwrap().trunc())
        })
        .collect()
}

/// The baseline: every entry as (network, mask), scanned in order until one contains the route.
struct LinearScan(Vec<(u32, u32)>);

impl LinearScan {
    fn new(entries: &[IpNet]) -> Self {
        Self(
            entries
                .iter()
                .map(|e| match e {
                    IpNet::V4(e) => (u32::from(e.network()), u32::from(e.netmask())),
                    IpNet::V6(_) => unreachable!("IPv4 bench"),
                })
                .collect(),
        )
    }

    fn admits(&self, route: &IpNet) -> bool {
        let IpNet::V4(r) = route else { return false };
        let (addr, mask) = (u32::from(r.network()), u32::from(r.netmask()));
        // Entry contains route: entry no longer than route, and same bits under the entry mask.
        self.0
            .iter()
            .any(|&(net, m)| m & mask == m && addr & m == net)
    }
}

fn bench(c: &mut Criterion) {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let routes = routes(&mut rng);
    let mut group = c.benchmark_group("prefix_filter");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for size in POLICY_SIZES {
        let entries = entries(&mut rng, &routes, size);
        let trie = PrefixFilter::new(false, entries.iter().copied()).unwrap();
        let linear = LinearScan::new(&entries);
        let sample = (100_000_000 / size).min(ROUTES);
        // Both agree, and report the share admitted once.
        let admitted = routes[..sample].iter().filter(|r| trie.admits(r)).count();
        assert_eq!(
            admitted,
            routes[..sample].iter().filter(|r| linear.admits(r)).count()
        );
        let all = routes.iter().filter(|r| trie.admits(r)).count();
        eprintln!(
            "policy of {size} entries ({} distinct): admits {all} of {ROUTES} routes",
            trie.len()
        );

        group.throughput(Throughput::Elements(ROUTES as u64));
        group.bench_with_input(BenchmarkId::new("trie", size), &routes, |b, routes| {
            b.iter(|| routes.iter().filter(|r| trie.admits(black_box(r))).count())
        });
        group.throughput(Throughput::Elements(sample as u64));
        group.bench_with_input(
            BenchmarkId::new(format!("linear_scan_{sample}_routes"), size),
            &routes[..sample],
            |b, routes| {
                b.iter(|| {
                    routes
                        .iter()
                        .filter(|r| linear.admits(black_box(r)))
                        .count()
                })
            },
        );
    }
    group.finish();

    // Building a filter (what `set-routing-policy` costs before re-evaluation).
    let mut group = c.benchmark_group("prefix_filter_build");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(2));
    let entries = entries(&mut rng, &routes, 100_000);
    group.throughput(Throughput::Elements(entries.len() as u64));
    group.bench_function("100000_entries", |b| {
        b.iter(|| PrefixFilter::new(false, black_box(&entries).iter().copied()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
