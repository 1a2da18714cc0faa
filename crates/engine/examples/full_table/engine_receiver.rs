//! The peerlab receiver (`full_table receiver`, run in the receiver namespace): the engine with
//! one InterLink link on 169.254.0.0/31 whose IPv4 policy has the 1,000 covering blocks as
//! `prefix_filter_in`, so every generated route ends up in the post-policy Adj-RIB-In.
//! Route propagation is off and there are no VPC prefixes: nothing is announced back.
//!
//! Control channel: it prints `ready` once the link is configured, then answers each `counts`
//! line on stdin with `STATUS RECEIVED ACCEPTED` (status `up`, `down` or `disabled`). It ends
//! when stdin closes.

use crate::routes;
use crate::testbed::{RECEIVER_ADDR, SOURCE_ASN};
use anyhow::{Context as _, Result};
use engine::{Engine, EngineHandle, Family, LinkSpec, SessionStatus, SessionTimers};
use ipnet::IpNet;
use rib::RoutingPolicy;
use std::io::{BufRead, Write};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::mpsc;

const LINK: &str = "full-table";

/// Serves the control channel until stdin closes. `threads` is the number of tokio worker
/// threads; 0 runs the engine on a current-thread runtime.
///
/// stdin is read on a thread of its own and the requests are answered by a task on the
/// runtime, so that the engine runs all the time whatever the runtime's flavor.
pub fn run(threads: usize) -> Result<()> {
    let runtime = runtime(threads)?;
    let (lines, requests) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lines.send(line).is_err() {
                break;
            }
        }
        // Dropping `lines` ends `serve`.
    });
    runtime.block_on(serve(requests))
}

/// Starts the engine, says `ready`, then answers each request line.
async fn serve(mut requests: mpsc::UnboundedReceiver<String>) -> Result<()> {
    let engine = start().await?;
    let mut out = std::io::stdout();
    writeln!(out, "ready")?;
    while let Some(line) = requests.recv().await {
        let answer = match line.trim() {
            "counts" => counts(&engine).await?,
            other => format!("error unknown request {other:?}"),
        };
        writeln!(out, "{answer}")?;
    }
    Ok(())
}

fn runtime(threads: usize) -> Result<Runtime> {
    let mut builder = if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(threads);
        b
    };
    builder
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")
}

/// Spawns the engine and adds the link.
async fn start() -> Result<EngineHandle> {
    let engine = Engine::spawn();
    let network = u32::from(RECEIVER_ADDR);
    let ipv4 = ipnet::Ipv4Net::new(network.into(), 31)?;
    let mut spec = LinkSpec::new(LINK, SOURCE_ASN, ipv4, "fd00:f7::/127".parse()?);
    spec.policy_v4 = Some(RoutingPolicy::new(
        false,
        routes::blocks().into_iter().map(IpNet::V4),
        [],
    )?);
    spec.timers = SessionTimers {
        hold_time: 90,
        connect_retry: Duration::from_secs(1),
        idle_hold: Duration::from_secs(1),
    };
    engine
        .add_link(spec)
        .await
        .context("the engine refused the link")?;
    Ok(engine)
}

/// One `STATUS RECEIVED ACCEPTED` line for the link's IPv4 session.
async fn counts(engine: &EngineHandle) -> Result<String> {
    let counts = engine
        .counts(LINK, Family::Ipv4)
        .await?
        .context("the IPv4 session is not configured")?;
    let status = match counts.status {
        SessionStatus::Up => "up",
        SessionStatus::Down => "down",
        SessionStatus::Disabled => "disabled",
    };
    Ok(format!("{status} {} {}", counts.received, counts.accepted))
}
