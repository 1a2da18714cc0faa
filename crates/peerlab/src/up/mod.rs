//! `peerlab up TOPOLOGY`: brings a topology up, checks its expectations, plays its steps,
//! prints a report and tears everything down.
//!
//! - [`runner`]: bring-up through the provider's API, steps and expectations;
//! - [`embedded`]: the embedded router; [`wiring`]: its in-memory cabling;
//! - [`provision`]: the in-process API client; [`expect`]: the checks; [`report`]: the report.
//!
//! With embedded routers everything runs in this process on tokio's paused clock: the whole
//! quickstart takes a fraction of a second of real time, whatever its `within`s say.
//!
//! Exit status: 0 when every expectation held and every step succeeded, 1 when one did not,
//! 2 (with a one-line reason on stderr) when the topology cannot be brought up.

pub mod daemon;
pub mod embedded;
pub mod expect;
pub mod provision;
pub mod report;
pub mod runner;
pub mod wiring;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;

/// `peerlab up` arguments.
#[derive(clap::Args)]
pub struct UpArgs {
    /// The topology file (e.g. topologies/quickstart.toml).
    pub topology: PathBuf,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Progress on stderr, only when it is a terminal.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    fn new(len: usize) -> Self {
        let bar = if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(
                Some(u64::try_from(len).unwrap_or(u64::MAX)),
                ProgressDrawTarget::stderr(),
            );
            if let Ok(style) = ProgressStyle::with_template("{pos}/{len} {wide_msg}") {
                bar.set_style(style);
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        Self { bar }
    }

    /// A new item starts.
    pub fn item(&self, what: &str) {
        self.bar.set_message(what.to_string());
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs `peerlab up`: `Ok(true)` when everything passed, `Ok(false)` when something failed,
/// `Err` for a topology that cannot be run.
pub fn up(args: &UpArgs) -> anyhow::Result<bool> {
    let topology = topology::format::load(&args.topology)?;
    let path = args.topology.display().to_string();
    let real = runner::Mode::needed(&topology).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let report = if real {
        run_real(topology, path)?
    } else {
        // Embedded routers only: the paused clock is virtual time.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .context("starting the runtime")?;
        let report = runtime.block_on(run(topology, path, runner::Mode::Virtual, "virtual"));
        // Dropping the runtime ends every session, router and relay task: the teardown.
        drop(runtime);
        report?
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    Ok(report.passed())
}

/// Real daemons: the provider side gets its own namespace, entered by a thread dedicated to
/// this run (its sockets, and the threads it starts, live there); real time.
fn run_real(topology: topology::format::Topology, path: String) -> anyhow::Result<report::Report> {
    let provider = topology::Netns::create("provider")
        .context("creating the provider's network namespace (real daemons need root)")?;
    let thread = std::thread::Builder::new()
        .name("peerlab-up".to_string())
        .spawn(move || {
            provider
                .enter_this_thread()
                .context("entering the provider's namespace")?;
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("starting the runtime")?;
            let mode = runner::Mode::Real {
                provider: provider.clone(),
            };
            let report = runtime.block_on(run(topology, path, mode, "real"));
            drop(runtime);
            report
        })
        .context("starting the runner's thread")?;
    thread
        .join()
        .map_err(|_| anyhow::anyhow!("the runner's thread panicked"))?
}

/// Brings the topology up, plays it, and tears it down (also on Ctrl-C).
async fn run(
    topology: topology::format::Topology,
    path: String,
    mode: runner::Mode,
    clock: &'static str,
) -> anyhow::Result<report::Report> {
    let name = topology.name.get_ref().clone();
    let items = topology.expect.len() + topology.steps.len();
    let world = tokio::select! {
        world = runner::bring_up(topology, &path, mode) => world?,
        _ = tokio::signal::ctrl_c() => anyhow::bail!("interrupted; topology {name} torn down"),
    };
    let progress = Progress::new(items);
    let mut report = report::Report::new(&name, clock);
    let interrupted = tokio::select! {
        () = runner::play(&world, &mut report, &progress) => false,
        _ = tokio::signal::ctrl_c() => true,
    };
    progress.finish();
    // The teardown: daemons killed, cables and namespaces deleted (blocking, off the runtime).
    let _ = tokio::task::spawn_blocking(move || drop(world)).await;
    if interrupted {
        anyhow::bail!("interrupted; topology {name} torn down");
    }
    Ok(report)
}
