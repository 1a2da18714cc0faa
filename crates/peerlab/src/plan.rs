//! `peerlab plan TOPOLOGY [--json]`: what each step of a topology will change before it runs
//! ([`topology::plan`]: the world replayed in memory on the virtual clock, each step applied
//! to it and compared).
//!
//! `peerlab plan --server URL --call 'set_routing_policy link=prod routing_policy=narrow'`:
//! what one SDK call would change in a running `serve` or kept topology, without changing
//! anything (`POST /peerlab/v1/plan`, admin token). `peerlab plan TOPOLOGY --call '…'` asks the
//! kept topology when it runs, else brings the topology up in memory, lets its expectations
//! settle it, and asks that.
//!
//! Exit status: 0 when every step can be played and every expectation would hold (with
//! `--call`: when the call would be accepted); 1 when not; 2 with a one-line reason for bad
//! input (an unknown SDK method or argument, a topology that cannot be brought up).

use crate::rundir;
use crate::up::Progress;
use anyhow::{Context, anyhow};
use serde_json::Value;
use std::path::PathBuf;
use topology::plan::call::{self, CallPlan};
use topology::runner::report::Report;
use topology::runner::{Mode, bring_up, on_runtime, steps};

/// `peerlab plan` arguments.
#[derive(clap::Args)]
pub struct PlanArgs {
    /// The topology file (not with `--server`).
    pub topology: Option<PathBuf>,
    /// One SDK call to plan on a running world: `'METHOD name=value …'`, resources by name
    /// or ID (e.g. `'set_routing_policy link=prod routing_policy=narrow'`).
    #[arg(long, value_name = "CALL")]
    pub call: Option<String>,
    /// The running `serve` or kept topology to ask (with `--call`).
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The admin token `--server` is asked with (default: the demo catalogue's).
    #[arg(long)]
    pub token: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `peerlab plan`.
pub fn plan(args: &PlanArgs) -> anyhow::Result<bool> {
    let token = args
        .token
        .clone()
        .unwrap_or_else(|| provider::catalogue::demo::ADMIN_SECRET_KEY.to_string());
    match (&args.server, &args.call, &args.topology) {
        (Some(_), None, _) => anyhow::bail!("--server needs --call 'METHOD name=value …'"),
        (Some(_), Some(_), Some(_)) => {
            anyhow::bail!("with --server, give --call and no topology file")
        }
        (Some(url), Some(text), None) => {
            let call = call::parse(text)?;
            let (status, body) = post(url, &token, "/peerlab/v1/plan", &call.body())?;
            print_call(CallPlan::from_answer(status, &body)?, args.json)
        }
        (None, _, None) => anyhow::bail!("give a TOPOLOGY, or --server URL --call '…'"),
        (None, Some(text), Some(file)) => {
            let call = call::parse(text)?;
            let topology = topology::format::load(file)?;
            let (status, body) = match rundir::read(topology.name.get_ref())? {
                Some(state) => post(&state.api, &token, "/peerlab/v1/plan", &call.body())?,
                None => in_memory(topology, file.display().to_string(), call.body())?,
            };
            print_call(CallPlan::from_answer(status, &body)?, args.json)
        }
        (None, None, Some(file)) => {
            let topology = topology::format::load(file)?;
            let path = file.display().to_string();
            let progress = Progress::new(topology.steps.len());
            let item = |what: &str| progress.item(what);
            let plan = topology::plan::replay::plan(&topology, &path, &item);
            progress.finish();
            let plan = plan.map_err(|e| anyhow!("{e}"))?;
            match args.json {
                true => println!("{}", serde_json::to_string(&plan)?),
                false => print!("{}", plan.text()),
            }
            Ok(plan.passes())
        }
    }
}

fn print_call(plan: CallPlan, json: bool) -> anyhow::Result<bool> {
    match json {
        true => println!("{}", serde_json::to_string(&plan)?),
        false => print!("{}", plan.text()),
    }
    Ok(true)
}

/// Brings the topology up in memory (daemons predicted by embedded routers), lets its
/// expectations settle it, and asks its own plan endpoint.
fn in_memory(
    topology: topology::format::Topology,
    path: String,
    body: Value,
) -> anyhow::Result<(u16, Value)> {
    let (topology, _) = topology::plan::embedded(&topology);
    on_runtime(false, move |mode: Mode| async move {
        let name = topology.name.get_ref().clone();
        let lab = bring_up(topology, &path, mode).await?;
        let mut report = Report::new(&name, "virtual");
        steps::play_settle(&lab, &mut report, &|_| {}, false).await;
        lab.api.plan(body).await.map_err(|e| anyhow!("{e}"))
    })
}

/// `POST path` with a JSON body to a running server (plain HTTP): the status and JSON answer.
fn post(url: &str, token: &str, path: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
    use std::io::{Read, Write};
    if url.starts_with("https://") {
        anyhow::bail!("{url}: peerlab plan speaks plain HTTP to the server");
    }
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream =
        std::net::TcpStream::connect(&addr).with_context(|| format!("connecting to {url}"))?;
    let body = body.to_string();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nX-Auth-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("a malformed answer from {url}"))?;
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("a malformed answer from {url}"))?;
    let value = serde_json::from_str(body).unwrap_or(Value::String(body.to_string()));
    Ok((status, value))
}
