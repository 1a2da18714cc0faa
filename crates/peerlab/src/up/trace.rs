//! `peerlab trace TOPOLOGY FROM TO`: a packet's path through the model of a topology, hop by
//! hop, and why it stops, in a network engineer's words.
//!
//! If the topology is kept (`peerlab up --keep`), the running process is asked
//! (`GET /peerlab/v1/trace?from=…&to=…` on its API). Otherwise the topology is brought up, its
//! `[[expect]]`s are waited for (they let it settle; `--after-steps` plays the steps too), the
//! packet is traced and everything is torn down.
//!
//! FROM is a host, a router or `scaleway`; TO is a host (both directions are traced, as a ping
//! needs) or an address. Exit status: 0 when the packet (and its answer) gets there, 1 when it
//! does not, 2 for bad input.

use super::runner::{self, World};
use super::{Progress, model, on_runtime, report, rundir};
use anyhow::{Context, anyhow};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::PathBuf;

/// `peerlab trace` arguments.
#[derive(clap::Args)]
pub struct TraceArgs {
    /// The topology file.
    pub topology: PathBuf,
    /// Where the packet starts: a host, a router, or `scaleway`.
    pub from: String,
    /// Where it goes: a host (both ways are traced) or an address.
    pub to: String,
    /// Play the topology's steps before tracing (by default only its expectations are waited
    /// for).
    #[arg(long)]
    pub after_steps: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One traced direction.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TracedPacket {
    /// Its source address.
    pub source: IpAddr,
    /// Its destination address.
    pub destination: IpAddr,
    /// Whether it got there.
    pub delivered: bool,
    /// Why not (`no_route`, `filtered_by_policy`, `vlan_mismatch` …).
    pub reason: Option<String>,
    /// Its hops and verdict, as text.
    pub text: String,
}

/// The answer to "why can't FROM reach TO".
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceAnswer {
    /// The source node.
    pub from: String,
    /// The destination, as given.
    pub to: String,
    /// Whether every traced direction got there.
    pub reachable: bool,
    /// The directions traced.
    pub packets: Vec<TracedPacket>,
}

impl TraceAnswer {
    fn print(&self, json: bool) {
        if json {
            println!("{}", serde_json::to_string(self).unwrap_or_default());
            return;
        }
        for packet in &self.packets {
            println!("{}", packet.text);
        }
    }
}

fn packet(trace: &dataplane::Trace) -> TracedPacket {
    TracedPacket {
        source: trace.source,
        destination: trace.destination,
        delivered: trace.is_delivered(),
        reason: trace.drop_reason().map(|r| r.kind().to_string()),
        text: format!("{trace:#}"),
    }
}

/// Traces from node `from` to host `to` (both ways) or address `to`, in the running world.
pub async fn answer(world: &World, from: &str, to: &str) -> Result<TraceAnswer, String> {
    let model = model::build(world).await?;
    let names = || {
        let mut names: Vec<&str> = model.nodes.keys().map(String::as_str).collect();
        names.sort_unstable();
        names.join(", ")
    };
    let &source = model
        .nodes
        .get(from)
        .ok_or_else(|| format!("no node {from:?} (the nodes are {})", names()))?;
    let packets = if let Ok(address) = to.parse::<IpAddr>() {
        vec![packet(
            &model
                .net
                .trace(source, address)
                .map_err(|e| e.to_string())?,
        )]
    } else {
        let &target = model
            .nodes
            .get(to)
            .ok_or_else(|| format!("{to:?} is neither an address nor a node ({})", names()))?;
        let reach = model.net.reach(source, target).map_err(|e| e.to_string())?;
        vec![packet(&reach.forward), packet(&reach.reverse)]
    };
    Ok(TraceAnswer {
        from: from.to_string(),
        to: to.to_string(),
        reachable: packets.iter().all(|p| p.delivered),
        packets,
    })
}

/// Runs `peerlab trace`.
pub fn trace(args: &TraceArgs) -> anyhow::Result<bool> {
    let topology = topology::format::load(&args.topology)?;
    let name = topology.name.get_ref().clone();
    let answer = match rundir::read(&name)? {
        Some(state) => ask_kept(&state, &args.from, &args.to)?,
        None => {
            let path = args.topology.display().to_string();
            let real = runner::Mode::needed(&topology).map_err(|e| anyhow!("{path}: {e}"))?;
            let (from, to, after_steps) = (args.from.clone(), args.to.clone(), args.after_steps);
            on_runtime(real, move |mode| async move {
                let world = runner::bring_up(topology, &path, mode).await?;
                let mut report = report::Report::new(&name, "");
                let progress = Progress::new(0);
                super::steps::play_settle(&world, &mut report, &progress, after_steps).await;
                progress.finish();
                let answer = answer(&world, &from, &to).await;
                let _ = tokio::task::spawn_blocking(move || drop(world)).await;
                answer.map_err(|e| anyhow!(e))
            })?
        }
    };
    answer.print(args.json);
    Ok(answer.reachable)
}

/// Asks a kept topology's process.
fn ask_kept(state: &rundir::RunState, from: &str, to: &str) -> anyhow::Result<TraceAnswer> {
    use std::io::{Read, Write};
    let addr = state.api.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr)
        .with_context(|| format!("connecting to the kept topology at {}", state.api))?;
    let query = format!("from={}&to={}", encode(from), encode(to));
    write!(
        stream,
        "GET /peerlab/v1/trace?{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("a malformed answer from {}", state.api))?;
    if !head.starts_with("HTTP/1.1 200") {
        let message: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let text = message
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or(body);
        anyhow::bail!("{text}");
    }
    serde_json::from_str(body).context("the kept topology's answer")
}

/// Percent-encodes a query value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
