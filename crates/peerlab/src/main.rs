//! `peerlab`: the command line of the peerlab BGP/L3 simulator.
//!
//! It offers the BGP codec tools `decode` and `encode`, the emulator `serve`, and the topology
//! runner `up`; the other commands of the design (`down`, `exec`, `trace`) come with their
//! issues.

mod binding;
mod codec;
mod serve;
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
    /// The emulator: the Scaleway-compatible API and the BGP engine, until Ctrl-C.
    Serve(serve::ServeArgs),
    /// Brings a topology up, checks its expectations, plays its steps and prints a report.
    Up(up::UpArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(args) => codec::decode(&args),
        Command::Encode(args) => codec::encode(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Up(args) => up::up(&args),
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
