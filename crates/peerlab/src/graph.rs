//! `peerlab graph TOPOLOGY [--format svg|dot|mermaid] [-o FILE]`: a picture of the topology,
//! drawn by `topology::graph` from the file alone (sessions coloured by the state its
//! `[[expect]]` entries expect). SVG is laid out by Graphviz's `dot` (Debian's `graphviz`).

use anyhow::Context;
use std::path::PathBuf;

/// What to write.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// SVG, laid out by Graphviz's `dot`.
    Svg,
    /// Graphviz's DOT text.
    Dot,
    /// A Mermaid flowchart (GitHub and GitLab render it in Markdown).
    Mermaid,
}

/// `peerlab graph` arguments.
#[derive(clap::Args)]
pub struct GraphArgs {
    /// The topology file (e.g. topologies/quickstart.toml).
    pub topology: PathBuf,
    /// The picture's format.
    #[arg(long, value_enum, default_value = "svg")]
    pub format: Format,
    /// Write it to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Draws the topology.
pub fn graph(args: &GraphArgs) -> anyhow::Result<bool> {
    let topology = topology::format::load(&args.topology)?;
    let graph = topology::graph::build(&topology, None);
    let text = match args.format {
        Format::Dot => graph.to_dot(),
        Format::Mermaid => graph.to_mermaid(),
        Format::Svg => topology::graph::svg(&graph.to_dot())?,
    };
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(true)
}
