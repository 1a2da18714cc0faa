//! `peerlab export containerlab TOPOLOGY -o DIR`: the same lab as a containerlab topology
//! (`DIR/<name>.clab.yml` and the files its nodes bind), by `topology::containerlab`, with the
//! provider's link address pools so the routers' configurations hold the addresses the links
//! will get. docs/containerlab.md says how to run it.

use anyhow::{Context, bail};
use std::path::PathBuf;
use topology::containerlab::{self, ExportOptions, Images};

/// `peerlab export` arguments.
#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub target: Target,
}

/// What to export to.
#[derive(clap::Subcommand)]
pub enum Target {
    /// A containerlab topology (also for clabernetes on Kubernetes).
    Containerlab(ContainerlabArgs),
}

/// `peerlab export containerlab` arguments.
#[derive(clap::Args)]
pub struct ContainerlabArgs {
    /// The topology file (e.g. topologies/quickstart.toml).
    pub topology: PathBuf,
    /// The directory to write the lab into (made if missing).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// A container image other than the default, for `frr`, `bird`, `gobgp`, `host` or
    /// `peerlab` nodes (repeatable).
    #[arg(long = "image", value_name = "KIND=IMAGE")]
    pub images: Vec<String>,
}

/// Runs `peerlab export`.
pub fn export(args: &ExportArgs) -> anyhow::Result<bool> {
    match &args.target {
        Target::Containerlab(args) => containerlab(args),
    }
}

fn containerlab(args: &ContainerlabArgs) -> anyhow::Result<bool> {
    let mut images = Images::default();
    for spec in &args.images {
        let Some((kind, image)) = spec.split_once('=').filter(|(_, i)| !i.is_empty()) else {
            bail!("--image {spec:?}: give KIND=IMAGE");
        };
        let slot = match kind {
            "frr" => &mut images.frr,
            "bird" => &mut images.bird,
            "gobgp" => &mut images.gobgp,
            "host" => &mut images.host,
            "peerlab" => &mut images.peerlab,
            _ => bail!("--image {spec:?}: the kinds are frr, bird, gobgp, host and peerlab"),
        };
        *slot = image.to_string();
    }
    let text = std::fs::read_to_string(&args.topology)
        .with_context(|| format!("{}: cannot read", args.topology.display()))?;
    let topology = topology::format::parse(&args.topology.display().to_string(), &text)?;
    let settings = provider::catalogue::Settings::default();
    let options = ExportOptions {
        link_ipv4_pool: settings.link_ipv4_pool,
        link_ipv6_pool: settings.link_ipv6_pool,
        images,
    };
    let lab = containerlab::export(&topology, &text, &options)?;
    let written = lab.write(&args.output)?;
    if let Some(main) = written.first() {
        println!("{} ({} files)", main.display(), written.len());
    }
    Ok(true)
}
