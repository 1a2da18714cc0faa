//! `peerlab graph TOPOLOGY [--format svg|dot|mermaid] [-o FILE] [--after-run]`: a picture of
//! the topology, drawn by `topology::graph` from the file alone (sessions coloured by the state
//! its `[[expect]]` entries expect), or with `--after-run` by the states a run observed (the
//! topology brought up, its expectations waited for, the world let settle). SVG is laid out by Graphviz's `dot`
//! (Debian's `graphviz`).

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
    /// Colour the sessions by the states a run observed: the topology is brought up, its
    /// `[[expect]]`s waited for and the world let settle (nothing changing for 10 s), then
    /// torn down.
    #[arg(long)]
    pub after_run: bool,
}

/// Draws the topology.
pub fn graph(args: &GraphArgs) -> anyhow::Result<bool> {
    let topology = topology::format::load(&args.topology)?;
    let observed = match args.after_run {
        true => Some(observe(&topology, args.topology.display().to_string())?),
        false => None,
    };
    let graph = topology::graph::build(&topology, observed.as_ref());
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

/// Brings the topology up, lets its expectations settle it, and reads its sessions' states.
fn observe(
    topology: &topology::format::Topology,
    path: String,
) -> anyhow::Result<topology::graph::SessionStates> {
    use topology::runner::{Mode, bring_up, on_runtime, report::Report, steps};
    let real = Mode::needed(topology);
    let topology = topology.clone();
    on_runtime(real, move |mode| async move {
        let name = topology.name.get_ref().clone();
        let lab = bring_up(topology, &path, mode).await?;
        let mut report = Report::new(&name, "");
        steps::play_settle(&lab, &mut report, &|_| {}, false).await;
        // Then until nothing changes for a while (sessions coming up after their idle hold).
        let look = topology::plan::replay::settle(&lab)
            .await
            .map(|(look, _)| look);
        let _ = tokio::task::spawn_blocking(move || drop(lab)).await;
        let look = look.map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok::<_, anyhow::Error>(topology::graph::observed_states(&look))
    })
}
