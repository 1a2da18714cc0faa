//! The fast source (`full_table speaker --routes N`, run in the source namespace): a
//! `bgp-session` driver on 169.254.0.1 that, each time the session is Established, sends the
//! whole table as UPDATEs precomputed before the session came up, then End-of-RIB.
//!
//! All routes share one attribute set (ORIGIN IGP, AS_PATH 64512, NEXT_HOP 169.254.0.1), like
//! the BIRD source's, and every UPDATE is filled up to 4096 octets (about 1,000 prefixes). The
//! driver writes them as fast as the receiver's TCP window lets it: the wall time it takes is
//! the receiver's, not the source's.

use crate::routes;
use crate::testbed::{RECEIVER_ADDR, RECEIVER_ASN, SOURCE_ADDR, SOURCE_ASN};
use anyhow::{Context as _, Result, bail};
use bgp_session::SessionConfig;
use bgp_session::driver::{self, Command, DriverConfig, Listener, PeerHandle, SessionEvent};
use bgp_wire::attribute::{AsPath, AsSegment, Origin};
use bgp_wire::header::{HEADER_LEN, MAX_LEN};
use bgp_wire::{AttributeValue, Context, Message, Nlri, PathAttribute, Update};
use ipnet::Ipv4Net;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

const PORT: u16 = 179;

/// Runs the speaker until its session task ends (the process is killed after a run). The
/// routes go in the drawing order (scattered), or in prefix order when `sorted`.
pub fn run(n: usize, sorted: bool) -> Result<()> {
    let started = Instant::now();
    let mut routes = routes::generate(n);
    if sorted {
        routes.sort_unstable();
    }
    let updates = pack(&routes)?;
    eprintln!(
        "speaker: {n} routes in {} UPDATEs, built in {:.2} s",
        updates.len(),
        started.elapsed().as_secs_f64()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?;
    runtime.block_on(serve(&updates))
}

/// Every route in UPDATEs of at most 4096 octets sharing one attribute list.
pub fn pack(routes: &[Ipv4Net]) -> Result<Vec<Update>> {
    let cx = Context::default();
    let attributes = vec![
        PathAttribute::new(AttributeValue::Origin(Origin::Igp)),
        PathAttribute::new(AttributeValue::AsPath(AsPath(vec![AsSegment::Sequence(
            vec![SOURCE_ASN],
        )]))),
        PathAttribute::new(AttributeValue::NextHop(SOURCE_ADDR)),
    ];
    // Header, withdrawn routes length, path attributes length, attributes.
    let fixed = HEADER_LEN + 4 + attributes.iter().map(|a| a.encoded_len(&cx)).sum::<usize>();
    let room = MAX_LEN - fixed;
    let mut updates = Vec::new();
    let mut nlri: Vec<Nlri> = Vec::new();
    let mut used = 0;
    for &route in routes {
        let next = Nlri::new(route.into());
        if used + next.encoded_len() > room {
            updates.push(update(&attributes, std::mem::take(&mut nlri)));
            used = 0;
        }
        used += next.encoded_len();
        nlri.push(next);
    }
    if !nlri.is_empty() {
        updates.push(update(&attributes, nlri));
    }
    for u in &updates {
        let len = Message::Update(u.clone()).encoded_len(&cx);
        if len > MAX_LEN {
            bail!("packed an UPDATE of {len} octets");
        }
    }
    Ok(updates)
}

fn update(attributes: &[PathAttribute], nlri: Vec<Nlri>) -> Update {
    Update {
        attributes: attributes.to_vec(),
        nlri,
        ..Update::default()
    }
}

/// Connects to the receiver (and accepts its connections); sends the table at each
/// Established.
async fn serve(updates: &[Update]) -> Result<()> {
    let mut config = SessionConfig::new(SOURCE_ASN, RECEIVER_ASN, SOURCE_ADDR);
    config.connect_retry_time = Duration::from_secs(1);
    config.idle_hold_time = Some(Duration::from_secs(1));
    let mut driver_config = DriverConfig::new(config, SocketAddr::new(RECEIVER_ADDR.into(), PORT));
    driver_config.local_addr = Some(SocketAddr::new(SOURCE_ADDR.into(), 0));
    let mut peer = driver::spawn(driver_config).context("invalid speaker configuration")?;
    let listener = Listener::bind(SocketAddr::new(SOURCE_ADDR.into(), PORT))
        .await
        .context("cannot listen on the source's address")?;
    listener.register(IpAddr::V4(RECEIVER_ADDR), &peer);
    peer.send(Command::Start)?;
    while let Some(event) = peer.next_event().await {
        match event {
            SessionEvent::Established(_) => send_table(&peer, updates)?,
            SessionEvent::Down { reason, .. } => eprintln!("speaker: session down: {reason}"),
            SessionEvent::CommandFailed(error) => eprintln!("speaker: command failed: {error}"),
            _ => {}
        }
    }
    Ok(())
}

/// Queues every UPDATE, then End-of-RIB.
fn send_table(peer: &PeerHandle, updates: &[Update]) -> Result<()> {
    let started = Instant::now();
    for u in updates {
        peer.send(Command::Announce(u.clone()))?;
    }
    peer.send(Command::Announce(Update::default()))?;
    eprintln!(
        "speaker: established, {} UPDATEs queued in {:.3} s",
        updates.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
