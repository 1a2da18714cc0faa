//! Approximate memory per route while 1,000,000 IPv4 routes (60% /24) go into an Adj-RIB-In,
//! then a Loc-RIB, then an Adj-RIB-Out: the live heap (a counting global allocator: requested
//! bytes, without the allocator's own overhead) and the resident set size growth (Linux, from
//! /proc/self/statm; it also keeps memory freed by temporaries). Each configuration runs in its
//! own process. Prints a table, measures no time.
//!
//! Run: `cargo bench -p rib --bench rib_memory`.

use bgp_wire::attribute::{AsPath, AsSegment, Community, NextHop, Origin};
use bgp_wire::{AttributeValue, Nlri, PathAttribute, Update};
use ipnet::{IpNet, Ipv4Net};
use rib::{AdjRibIn, AdjRibOut, LocRib, PeerId, PrefixFilter, RibChanges};
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::HashSet;
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting live bytes.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

const ROUTES: usize = 1_000_000;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Resident set size in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: usize = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// 1,000,000 distinct prefixes: 60% /24, the rest /16–/23.
fn prefixes() -> Vec<IpNet> {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut seen = HashSet::with_capacity(ROUTES);
    let mut out = Vec::with_capacity(ROUTES);
    while out.len() < ROUTES {
        let r = rng.next();
        let len = if r % 10 < 6 { 24 } else { 16 + (r >> 8) % 8 } as u8;
        let addr = Ipv4Addr::from(((r >> 32) as u32 % (223 << 24)).max(1 << 24));
        let p = IpNet::V4(Ipv4Net::new(addr, len).unwrap().trunc());
        if seen.insert(p) {
            out.push(p);
        }
    }
    out
}

/// A typical path: four ASes, two communities; UPDATE `i` has path number `i % distinct`.
fn update(i: usize, distinct: usize, nlri: &[IpNet]) -> Update {
    let i = (i % distinct) as u32;
    Update {
        attributes: vec![
            PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
            PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
                vec![65000, 3356, 1299 + i % 1000, 4_200_000_000 + i],
            )]))),
            PathAttribute::new(AttributeValue::NextHop(Ipv4Addr::new(169, 254, 0, 1))),
            PathAttribute::new(AttributeValue::Communities(vec![
                Community(65000 << 16 | (i % 100)),
                Community(3356 << 16 | 2),
            ])),
        ],
        nlri: nlri.iter().map(|p| Nlri::new(*p)).collect(),
        ..Update::default()
    }
}

/// Live heap and RSS now.
fn sample() -> (usize, usize) {
    (live(), rss())
}

/// "live B (RSS B)" per route between two samples.
fn per_route(a: (usize, usize), b: (usize, usize)) -> String {
    let per = |x: usize, y: usize| y.saturating_sub(x) as f64 / ROUTES as f64;
    format!("{:.0} B ({:.0} B)", per(a.0, b.0), per(a.1, b.1))
}

fn measure(prefixes_per_update: usize, distinct: usize, prefixes: &[IpNet]) {
    let peer = PeerId {
        bgp_id: Ipv4Addr::new(192, 0, 2, 1),
        address: Ipv4Addr::new(169, 254, 0, 1).into(),
        asn: 65000,
        ebgp: true,
    };
    let all = PrefixFilter::new(false, ["0.0.0.0/0".parse().unwrap()]).unwrap();
    let start = sample();
    let mut adj_rib_in = AdjRibIn::new(peer);
    for (i, chunk) in prefixes.chunks(prefixes_per_update).enumerate() {
        adj_rib_in.apply(&update(i, distinct, chunk), None, &all);
    }
    let after_in = sample();
    let mut loc_rib = LocRib::new(12876);
    let mut routes = adj_rib_in.post_policy();
    loop {
        let mut changes = RibChanges::new(peer);
        changes.announced = routes.by_ref().take(10_000).collect();
        if changes.announced.is_empty() {
            break;
        }
        loc_rib.update(&changes);
    }
    let after_loc = sample();
    let mut customer = peer;
    customer.address = Ipv4Addr::new(169, 254, 0, 3).into();
    let next_hop = NextHop::Ipv4(Ipv4Addr::new(169, 254, 0, 2));
    let mut out = AdjRibOut::new(customer, 12876, next_hop);
    let sent = out.sync(loc_rib.iter(), &all, true).announced_len();
    let after_out = sample();
    assert_eq!(
        (adj_rib_in.len_pre(), loc_rib.len(), sent, out.len()),
        (ROUTES, ROUTES, ROUTES, ROUTES)
    );
    println!(
        "| {prefixes_per_update} | {distinct} | {} | {} | {} |",
        per_route(start, after_in),
        per_route(after_in, after_loc),
        per_route(after_loc, after_out),
    );
}

/// (prefixes per UPDATE, distinct attribute sets).
const CONFIGURATIONS: [(usize, usize); 4] = [
    (1, ROUTES),
    (1, 100_000),
    (4, ROUTES / 4),
    (1000, ROUTES / 1000),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args
        .iter()
        .find_map(|a| a.strip_prefix("--configuration="))
        .and_then(|i| i.parse::<usize>().ok())
    {
        if let Some(&(n, distinct)) = CONFIGURATIONS.get(i) {
            measure(n, distinct, &prefixes());
        }
        return;
    }
    // `cargo bench` passes --bench; `cargo test --benches` does not, and then this is skipped.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    println!("Memory per route for {ROUTES} IPv4 routes: live heap (RSS growth)");
    println!(
        "| prefixes/UPDATE | distinct attribute sets | Adj-RIB-In (with attributes) | Loc-RIB | Adj-RIB-Out (with exported attributes) |"
    );
    println!("|---|---|---|---|---|");
    // One process per configuration, so that memory freed by one does not hide the next one's.
    let exe = std::env::current_exe().expect("own path");
    for i in 0..CONFIGURATIONS.len() {
        let out = std::process::Command::new(&exe)
            .arg(format!("--configuration={i}"))
            .output()
            .expect("run measurement");
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    }
}
