//! `peerlab up TOPOLOGY`: brings a topology up, checks its expectations, plays its steps,
//! prints a report and tears everything down.
//!
//! - [`runner`]: bring-up through the provider's API, steps and expectations;
//! - [`ovh`], [`ovh_model`]: OVHcloud Connect resources, plugs, expectations and model;
//!   [`ovh_l2`]: an l2 PoP's vRack, in the model and in Linux;
//! - [`embedded`]: the embedded router; [`wiring`]: its in-memory cabling; [`embedded_tcp`]:
//!   the same router over real TCP in its own namespace, when a topology mixes it with daemons;
//! - [`provision`]: the in-process API client; [`expect`]: the checks; [`report`]: the report;
//! - [`linux`]: with real daemons, the hosts as namespaces and the model rendered into the
//!   kernels, so `reach` is checked by `ping` too.
//!
//! With embedded routers everything runs in this process on tokio's paused clock: the whole
//! quickstart takes a fraction of a second of real time, whatever its `within`s say.
//!
//! Exit status: 0 when every expectation held and every step succeeded, 1 when one did not,
//! 2 (with a one-line reason on stderr) when the topology cannot be brought up.

pub mod daemon;
pub mod embedded;
pub mod embedded_tcp;
pub mod expect;
pub mod kernels;
pub mod model;
pub mod ovh;
pub mod ovh_l2;
pub mod ovh_model;
pub mod ovh_vrrp;
pub mod provision;
pub mod report;
pub mod resources;
pub mod rundir;
pub mod runner;
pub mod steps;
pub mod trace;
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
    fn print(&self, report: &report::Report) {
        if self.json {
            println!("{}", report.to_json());
        } else {
            print!("{}", report.to_table());
        }
    }
}

/// `GET /peerlab/v1/trace?from=…&to=…` of a kept topology (what `peerlab trace` asks).
async fn trace_endpoint(
    axum::extract::State(world): axum::extract::State<std::sync::Arc<runner::World>>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (Some(from), Some(to)) = (query.get("from"), query.get("to")) else {
        let body = serde_json::json!({"message": "from and to are required"});
        return (axum::http::StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    };
    match trace::answer(&world, from, to).await {
        Ok(answer) => axum::Json(answer).into_response(),
        Err(message) => {
            let body = serde_json::json!({ "message": message });
            (axum::http::StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
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
    let real = runner::Mode::for_up(&topology, args.model_only)
        .map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
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

/// Runs `job` on the runtime the topology needs: embedded routers on a paused (virtual) clock
/// on this thread; real daemons on a thread dedicated to this run that has entered a fresh
/// provider namespace (its sockets, and the threads it starts, live there), on the real clock.
/// Dropping the runtime at the end ends every session, router and relay task.
pub(crate) fn on_runtime<T, F>(
    real: bool,
    job: impl FnOnce(runner::Mode) -> F + Send + 'static,
) -> anyhow::Result<T>
where
    T: Send + 'static,
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    if !real {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .context("starting the runtime")?;
        let result = runtime.block_on(job(runner::Mode::Virtual));
        drop(runtime);
        return result;
    }
    let provider = linux::Netns::create("provider")
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
            let result = runtime.block_on(job(mode));
            drop(runtime);
            result
        })
        .context("starting the runner's thread")?;
    thread
        .join()
        .map_err(|_| anyhow::anyhow!("the runner's thread panicked"))?
}

/// Brings the topology up, plays it, prints the report, keeps it running with `--keep`, and
/// tears it down (also on Ctrl-C and SIGTERM).
async fn run(
    topology: topology::format::Topology,
    path: String,
    mode: runner::Mode,
    clock: &'static str,
    output: Output,
) -> anyhow::Result<report::Report> {
    let name = topology.name.get_ref().clone();
    let items = topology.expect.len() + topology.steps.len();
    let world = tokio::select! {
        world = runner::bring_up(topology, &path, mode) => std::sync::Arc::new(world?),
        () = stop_signal() => anyhow::bail!("interrupted; topology {name} torn down"),
    };
    let progress = Progress::new(items);
    let mut report = report::Report::new(&name, clock);
    let interrupted = tokio::select! {
        () = steps::play(&world, &mut report, &progress) => false,
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
    world: &std::sync::Arc<runner::World>,
    listener: &std::net::TcpListener,
    path: &str,
) -> anyhow::Result<()> {
    // From now on sessions run on the real clock, also embedded ones.
    if let runner::Mode::Virtual = world.mode {
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
        nodes: world.nodes(),
    };
    rundir::write(&state)?;
    eprintln!(
        "topology {name} is up: API {} (token {}); `peerlab down {path}` tears it down",
        state.api, state.token
    );
    let trace = axum::Router::new()
        .route("/peerlab/v1/trace", axum::routing::get(trace_endpoint))
        .with_state(std::sync::Arc::clone(world));
    // With real daemons the kernels keep following the engine (API calls, sessions), and the
    // run directory the nodes (OVH's VRRP routers come and go with their group).
    let render = world.linux.is_some().then(|| {
        let world = std::sync::Arc::clone(world);
        let mut state = state.clone();
        tokio::spawn(async move {
            loop {
                if let Err(e) = world.render_linux().await {
                    tracing::warn!(error = %e, "rendering the model into the kernels");
                }
                let nodes = world.nodes();
                if nodes != state.nodes {
                    state.nodes = nodes;
                    if let Err(e) = rundir::update(&state) {
                        tracing::warn!(error = %e, "updating the run directory");
                    }
                }
                tokio::time::sleep(KEPT_RENDER_EVERY).await;
            }
        })
    });
    let served = axum::serve(listener, world.api.router().merge(trace))
        .with_graceful_shutdown(stop_signal())
        .await
        .context("serving the API");
    if let Some(render) = render {
        render.abort();
        let _ = render.await;
    }
    served
}

/// How often a kept topology of real daemons renders the model into the kernels.
const KEPT_RENDER_EVERY: std::time::Duration = std::time::Duration::from_millis(500);
