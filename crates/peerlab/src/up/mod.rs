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
    // Embedded routers only (checked in bring_up): the paused clock is virtual time.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .context("starting the runtime")?;
    let name = topology.name.get_ref().clone();
    let items = topology.expect.len() + topology.steps.len();
    let report = runtime.block_on(async {
        let world = runner::bring_up(topology, &path).await?;
        let progress = Progress::new(items);
        let mut report = report::Report::new(&name, "virtual");
        tokio::select! {
            () = runner::play(&world, &mut report, &progress) => {}
            _ = tokio::signal::ctrl_c() => {
                progress.finish();
                anyhow::bail!("interrupted; topology {name} torn down");
            }
        }
        progress.finish();
        anyhow::Ok(report)
    });
    // Dropping the runtime ends every session, router and relay task: the teardown.
    drop(runtime);
    let report = report?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_table());
    }
    Ok(report.passed())
}
