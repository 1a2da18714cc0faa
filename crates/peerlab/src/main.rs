//! `peerlab`: the command line of the peerlab BGP/L3 simulator.
//!
//! It offers the BGP codec tools `decode` and `encode`, the emulator `serve`, and the topology
//! runner `up` with `down` and `exec` for kept topologies, and `trace` through a topology's
//! data plane model.

mod binding;
mod codec;
mod ovh_binding;
mod serve;
mod tls;
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
    /// A packet's path through a topology's model, hop by hop, and why it stops.
    Trace(up::trace::TraceArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => codec::decode(&args),
        Command::Encode(args) => codec::encode(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Up(args) => up::up(&args),
        Command::Down(args) => up::rundir::down(&args.topology),
        Command::Exec(args) => up::rundir::exec(&args.node, &args.command),
        Command::Trace(args) => up::trace::trace(&args),
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
