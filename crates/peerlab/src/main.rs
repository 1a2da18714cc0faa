//! `peerlab`: the command line of the peerlab BGP/L3 simulator.
//!
//! It offers the BGP codec tools `decode` and `encode`, the emulator `serve`, and the topology
//! runner `up` with `down` and `exec` for kept topologies, `trace` through a topology's
//! data plane model, and `plan`: what each step will change before it runs.

mod codec;
mod export;
mod graph;
mod plan;
mod rundir;
mod serve;
mod trace;
mod up;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// peerlab: the provider side of Scaleway InterLink and OVHcloud Connect, for real routers.
#[derive(Parser)]
#[command(name = "peerlab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Hex BGP messages, one per line (stdin by default) → JSON, one object per line.
    Decode(codec::DecodeArgs),
    /// JSON messages as `decode` writes them, one per line → hex, one message per line.
    Encode(codec::EncodeArgs),
    /// The emulator: the Scaleway-compatible API (InterLink, IPAM), the OVH-compatible API
    /// (`/1.0`: OVHcloud Connect, vRack) and the BGP engine, until Ctrl-C or SIGTERM.
    Serve(serve::ServeArgs),
    /// Brings a topology up, checks its expectations, plays its steps and prints a report.
    Up(up::UpArgs),
    /// Tears down what `peerlab up --keep` left running.
    Down(up::DownArgs),
    /// Runs a command inside a node of a kept topology (e.g. vtysh, birdc, ping).
    Exec(up::ExecArgs),
    /// A packet's path through a topology's (or a running server's) model, hop by hop, and why
    /// it stops.
    Trace(trace::TraceArgs),
    /// What each step of a topology (or one SDK call on a running world) will change, before
    /// it runs: sessions, routes, reachability.
    Plan(plan::PlanArgs),
    /// A picture of a topology: routers, hosts, PoPs, VRFs, LBs, cables and sessions.
    Graph(graph::GraphArgs),
    /// The same lab for another tool: `peerlab export containerlab TOPOLOGY -o DIR`.
    Export(export::ExportArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => codec::decode(&args),
        Command::Encode(args) => codec::encode(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Up(args) => up::up(&args),
        Command::Down(args) => rundir::down(&args.topology),
        Command::Exec(args) => rundir::exec(&args.node, &args.command),
        Command::Trace(args) => trace::trace(&args),
        Command::Plan(args) => plan::plan(&args),
        Command::Graph(args) => graph::graph(&args),
        Command::Export(args) => export::export(&args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("peerlab: {e:#}");
            ExitCode::from(2)
        }
    }
}
