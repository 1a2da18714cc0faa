//! The receive path without sockets (`full_table replay --routes N`): the fast source's
//! UPDATEs, encoded once, then decoded with `bgp_wire::decode` and applied to an
//! [`rib::AdjRibIn`] with the peerlab receiver's 1,000-entry `prefix_filter_in`, as the engine
//! does for each frame.
//!
//! It needs neither root nor daemons, so it serves to compare changes of the receive path
//! quickly (it prints the wall and the CPU seconds of the loop), and under `valgrind --tool=callgrind`, whose instruction counts do not depend on
//! the other load of the machine.

use crate::routes;
use crate::speaker;
use anyhow::{Context as _, Result};
use bgp_wire::{Context, Message};
use ipnet::IpNet;
use rib::{AdjRibIn, PeerId, RoutingPolicy};
use std::net::Ipv4Addr;
use std::time::Instant;

/// Replays `n` routes (in prefix order when `sorted`) `rounds` times, each into a fresh
/// Adj-RIB-In.
pub fn run(n: usize, sorted: bool, rounds: usize) -> Result<()> {
    let mut table = routes::generate(n);
    if sorted {
        table.sort_unstable();
    }
    let cx = Context::default();
    let frames = speaker::pack(&table)?
        .into_iter()
        .map(|u| Message::Update(u).to_vec(&cx))
        .collect::<Result<Vec<_>, _>>()
        .context("cannot encode an UPDATE")?;
    let policy = RoutingPolicy::new(false, routes::blocks().into_iter().map(IpNet::V4), [])?;
    let peer = PeerId {
        bgp_id: Ipv4Addr::new(169, 254, 0, 1),
        address: Ipv4Addr::new(169, 254, 0, 1).into(),
        asn: crate::testbed::SOURCE_ASN,
        ebgp: true,
    };
    for round in 1..=rounds.max(1) {
        let started = Instant::now();
        let cpu_started = thread_cpu_seconds();
        let rib = receive(&frames, peer, &policy)?;
        let cpu = thread_cpu_seconds() - cpu_started;
        let elapsed = started.elapsed().as_secs_f64();
        anyhow::ensure!(
            rib.len_post() == n,
            "{} routes accepted, not {n}",
            rib.len_post()
        );
        println!(
            "round {round}: {n} routes in {} frames, {elapsed:.3} s, CPU {cpu:.3} s, \
             {:.0} CPU ns/route",
            frames.len(),
            cpu * 1e9 / n as f64
        );
    }
    Ok(())
}

/// The measured loop: every frame decoded and applied to a fresh Adj-RIB-In. Not inlined, so
/// that `valgrind --tool=callgrind --toggle-collect='*replay::receive*'` counts it alone.
#[inline(never)]
fn receive(frames: &[Vec<u8>], peer: PeerId, policy: &RoutingPolicy) -> Result<AdjRibIn> {
    let cx = Context::default();
    let mut rib = AdjRibIn::new(peer);
    for frame in frames {
        let decoded = bgp_wire::decode(frame, &cx)
            .map_err(|n| anyhow::anyhow!("cannot decode a frame: {n}"))?;
        if let Message::Update(update) = decoded.message {
            rib.apply_untracked(&update, decoded.rfc7606, policy.prefix_filter_in());
        }
    }
    Ok(rib)
}

/// This thread's CPU time: unlike the wall time, it does not count the time other processes
/// held the CPU.
fn thread_cpu_seconds() -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}
