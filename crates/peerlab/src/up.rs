//! `peerlab up TOPOLOGY`: brings a topology up ([`topology::runner`]), checks its
//! expectations, plays its steps, prints a report and tears everything down; `--keep` serves
//! the API until `peerlab down`.
//!
//! Exit status: 0 when every expectation held and every step succeeded, 1 when one did not,
//! 2 (with a one-line reason on stderr) when the topology cannot be brought up.

use crate::rundir;
use anyhow::Context;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use topology::runner::lab::RouterHandle;
use topology::runner::report::Report;
use topology::runner::{Lab, Mode, bring_up, on_runtime, steps};

/// `peerlab up` arguments.
#[derive(clap::Args)]
pub struct UpArgs {
    /// The topology file (e.g. topologies/quickstart.toml).
    pub topology: PathBuf,
    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Leave the topology running after the report, with the API listening, until
    /// `peerlab down TOPOLOGY` (or Ctrl-C).
    #[arg(long)]
    pub keep: bool,
    /// Where the API listens with `--keep`.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Run a topology without routers in memory on the virtual clock even as root: no
    /// namespaces, and `reach` is the model's alone (no ping).
    #[arg(long)]
    pub model_only: bool,
}

/// `peerlab down` arguments.
#[derive(clap::Args)]
pub struct DownArgs {
    /// The topology file that `peerlab up --keep` runs.
    pub topology: PathBuf,
}

/// `peerlab exec` arguments.
#[derive(clap::Args)]
pub struct ExecArgs {
    /// A router of a kept topology (`TOPOLOGY/NODE` when several have one of that name), or
    /// `provider` for the provider side.
    pub node: String,
    /// The command and its arguments (after `--`).
    #[arg(last = true, required = true)]
    pub command: Vec<String>,
}

/// What to do once the report is out.
struct Output {
    json: bool,
    /// `--keep`: the API's listener (bound in the root namespace).
    keep: Option<std::net::TcpListener>,
}

impl Output {
    fn print(&self, report: &Report) {
        if self.json {
            println!("{}", report.to_json());
        } else {
            print!("{}", report.to_table());
        }
    }
}

/// Ctrl-C or SIGTERM (what `peerlab down` sends).
async fn stop_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
}

/// Progress on stderr, only when it is a terminal.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub(crate) fn new(len: usize) -> Self {
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

    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Runs `peerlab up`: `Ok(true)` when everything passed, `Ok(false)` when something failed,
/// `Err` for a topology that cannot be run.
pub fn up(args: &UpArgs) -> anyhow::Result<bool> {
    let topology = topology::format::load(&args.topology)?;
    let path = args.topology.display().to_string();
    let real =
        Mode::for_up(&topology, args.model_only).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let keep = match args.keep {
        true => {
            let listener = std::net::TcpListener::bind(args.listen)
                .with_context(|| format!("listening on {}", args.listen))?;
            listener.set_nonblocking(true)?;
            Some(listener)
        }
        false => None,
    };
    let output = Output {
        json: args.json,
        keep,
    };
    let clock = if real { "real" } else { "virtual" };
    let report = on_runtime(real, move |mode| run(topology, path, mode, clock, output))?;
    Ok(report.passed())
}

/// Brings the topology up, plays it, prints the report, keeps it running with `--keep`, and
/// tears it down (also on Ctrl-C and SIGTERM).
async fn run(
    topology: topology::format::Topology,
    path: String,
    mode: Mode,
    clock: &'static str,
    output: Output,
) -> anyhow::Result<Report> {
    let name = topology.name.get_ref().clone();
    let items = topology.expect.len() + topology.steps.len();
    let world = tokio::select! {
        world = bring_up(topology, &path, mode) => world?,
        () = stop_signal() => anyhow::bail!("interrupted; topology {name} torn down"),
    };
    let progress = Progress::new(items);
    let mut report = Report::new(&name, clock);
    let item = |what: &str| progress.item(what);
    let interrupted = tokio::select! {
        () = steps::play(&world, &mut report, &item) => false,
        () = stop_signal() => true,
    };
    progress.finish();
    let kept = match (&output.keep, interrupted) {
        (Some(listener), false) => {
            output.print(&report);
            Some(keep(&world, listener, &path).await)
        }
        _ => None,
    };
    // The teardown: daemons killed, cables and namespaces deleted (blocking, off the runtime).
    let _ = tokio::task::spawn_blocking(move || drop(world)).await;
    rundir::remove(&name);
    if interrupted {
        anyhow::bail!("interrupted; topology {name} torn down");
    }
    match kept {
        Some(result) => result.map(|()| report),
        None => {
            output.print(&report);
            Ok(report)
        }
    }
}

/// `--keep`: serves the API and records the run directory until Ctrl-C or SIGTERM.
async fn keep(
    world: &std::sync::Arc<Lab>,
    listener: &std::net::TcpListener,
    path: &str,
) -> anyhow::Result<()> {
    // From now on sessions run on the real clock, also embedded ones.
    if let Mode::Virtual = world.mode {
        tokio::time::resume();
    }
    let listener = tokio::net::TcpListener::from_std(listener.try_clone()?)?;
    let addr = listener.local_addr()?;
    let name = world.topology.name.get_ref().clone();
    let state = rundir::RunState {
        topology: name.clone(),
        pid: std::process::id(),
        api: format!("http://{addr}"),
        token: provider::catalogue::demo::DEMO_SECRET_KEY.to_string(),
        nodes: nodes(world),
    };
    rundir::write(&state)?;
    eprintln!(
        "topology {name} is up: API {} (token {}); `peerlab down {path}` tears it down",
        state.api, state.token
    );
    // With real daemons the kernels keep following the world (API calls, sessions), and the
    // run directory the nodes (OVH's VRRP routers come and go with their group).
    let render = world.kernels.is_some().then(|| {
        let weak = std::sync::Arc::downgrade(world);
        let mut state = state.clone();
        let mut changes = world.world.changes();
        tokio::spawn(async move {
            loop {
                let Some(world) = weak.upgrade() else { break };
                if let Err(e) = world.world.render().await {
                    tracing::warn!(error = %e, "rendering the model into the kernels");
                }
                let current = nodes(&world);
                if current != state.nodes {
                    state.nodes = current;
                    if let Err(e) = rundir::update(&state) {
                        tracing::warn!(error = %e, "updating the run directory");
                    }
                }
                drop(world);
                tokio::select! {
                    _ = changes.changed() => {}
                    () = tokio::time::sleep(KEPT_RENDER_EVERY) => {}
                }
            }
        })
    });
    let served = axum::serve(listener, world.api.router())
        .with_graceful_shutdown(stop_signal())
        .await
        .context("serving the API");
    if let Some(render) = render {
        render.abort();
        let _ = render.await;
    }
    served
}

/// Node name → network namespace: `provider`, each daemon router, each host and OVH's VRRP
/// routers running now (`--keep`, `exec`).
fn nodes(lab: &Lab) -> std::collections::BTreeMap<String, rundir::Node> {
    let mut nodes = std::collections::BTreeMap::new();
    if let Mode::Real { provider } = &lab.mode {
        let node = rundir::Node {
            netns: provider.name().to_string(),
            cli: Vec::new(),
        };
        nodes.insert("provider".to_string(), node);
    }
    for (name, router) in &lab.routers {
        if let RouterHandle::Daemon(d) = router {
            let node = rundir::Node {
                netns: d.netns().name().to_string(),
                cli: d.cli(),
            };
            nodes.insert(name.clone(), node);
        }
    }
    if let Some(kernels) = &lab.kernels {
        for (name, netns) in kernels.hosts() {
            let node = rundir::Node {
                netns: netns.name().to_string(),
                cli: Vec::new(),
            };
            nodes.insert(name, node);
        }
        // OVH's VRRP routers running now: `ovh-DC-a`, `ovh-DC-b`.
        for (name, netns) in kernels.vrrp().nodes() {
            let node = rundir::Node {
                netns,
                cli: Vec::new(),
            };
            nodes.entry(name).or_insert(node);
        }
    }
    nodes
}

/// How often a kept topology of real daemons renders the model into the kernels.
const KEPT_RENDER_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
