//! The run directory of a kept topology (`peerlab up --keep`): `/run/peerlab/NAME/state.json`
//! (or under `$PEERLAB_RUN_DIR`) says which process keeps it, where its API listens and which
//! namespace each node lives in. `peerlab down` and `peerlab exec` read it.
//!
//! Not for: restoring a topology after its process died (the namespaces die with it).

use anyhow::{Context, anyhow, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What a kept topology writes down.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RunState {
    /// The topology's name.
    pub topology: String,
    /// The process keeping it.
    pub pid: u32,
    /// The API's base URL.
    pub api: String,
    /// The project token to call it with.
    pub token: String,
    /// Nodes by name (`provider` is the provider side).
    pub nodes: BTreeMap<String, Node>,
}

/// A node of a kept topology.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Node {
    /// Its network namespace.
    pub netns: String,
    /// Its daemon's CLI with the arguments reaching it (`exec NODE -- vtysh …` uses them).
    #[serde(default)]
    pub cli: Vec<String>,
}

/// Where run directories live.
pub fn base() -> PathBuf {
    std::env::var_os("PEERLAB_RUN_DIR").map_or_else(|| PathBuf::from("/run/peerlab"), PathBuf::from)
}

/// The run directory of topology `name`.
pub fn dir(name: &str) -> PathBuf {
    base().join(name)
}

fn state_path(name: &str) -> PathBuf {
    dir(name).join("state.json")
}

/// Whether process `pid` runs (exists and is not a zombie waiting for its parent).
fn alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `PID (COMM) STATE …`: COMM may hold anything, so the state follows the last ')'.
    let state = stat
        .rfind(')')
        .and_then(|i| stat.get(i + 1..))
        .and_then(|rest| rest.split_whitespace().next());
    !matches!(state, Some("Z" | "X") | None)
}

/// Reads the state of kept topology `name`; `None` when there is none (or its process died).
pub fn read(name: &str) -> anyhow::Result<Option<RunState>> {
    let path = state_path(name);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let state: RunState =
        serde_json::from_str(&text).with_context(|| format!("{} is corrupt", path.display()))?;
    Ok(alive(state.pid).then_some(state))
}

/// Writes `state` (refusing when the topology is already kept by a live process).
pub fn write(state: &RunState) -> anyhow::Result<()> {
    if let Some(other) = read(&state.topology)? {
        bail!(
            "topology {} is already up (pid {}); run `peerlab down` on it first",
            state.topology,
            other.pid
        );
    }
    update(state)
}

/// Writes `state` over the kept topology's own (its nodes changed: OVH's VRRP routers came or
/// went).
pub fn update(state: &RunState) -> anyhow::Result<()> {
    let dir = dir(&state.topology);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = state_path(&state.topology);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Removes the run directory of `name`.
pub fn remove(name: &str) {
    let _ = std::fs::remove_dir_all(dir(name));
}

/// `peerlab down TOPOLOGY`: asks the keeping process to tear down (SIGTERM) and waits for it.
pub fn down(topology: &Path) -> anyhow::Result<bool> {
    let name = topology::format::load(topology)?.name.into_inner();
    let Some(state) = read(&name)? else {
        remove(&name);
        bail!("topology {name} is not up");
    };
    let status = Command::new("kill")
        .args(["-TERM", &state.pid.to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("cannot signal process {}", state.pid);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while alive(state.pid) {
        if Instant::now() >= deadline {
            bail!("process {} did not stop within 60 s", state.pid);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("topology {name} is down");
    Ok(true)
}

/// `peerlab exec NODE -- CMD`: runs CMD in NODE's namespace, in whichever kept topology has a
/// node of that name (`TOPOLOGY/NODE` when several do). Returns CMD's success.
pub fn exec(node: &str, command: &[String]) -> anyhow::Result<bool> {
    let Some((program, args)) = command.split_first() else {
        bail!("no command given (peerlab exec NODE -- CMD …)");
    };
    let (wanted_topology, wanted_node) = match node.split_once('/') {
        Some((t, n)) => (Some(t), n),
        None => (None, node),
    };
    let mut found = Vec::new();
    let entries = match std::fs::read_dir(base()) {
        Ok(entries) => entries.flatten().collect::<Vec<_>>(),
        Err(_) => Vec::new(),
    };
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        if wanted_topology.is_some_and(|t| t != name) {
            continue;
        }
        if let Some(node) = read(&name)?.and_then(|s| s.nodes.get(wanted_node).cloned()) {
            found.push((name, node));
        }
    }
    let (topology, node) = match found.as_slice() {
        [one] => one.clone(),
        [] => bail!("no kept topology has a node {wanted_node:?} (embedded routers have none)"),
        _ => {
            let names: Vec<&str> = found.iter().map(|(t, _)| t.as_str()).collect();
            bail!(
                "node {wanted_node:?} is in several topologies ({}): write TOPOLOGY/{wanted_node}",
                names.join(", ")
            )
        }
    };
    // `vtysh`, `birdc`, `gobgp`: the router's own CLI, pointed at its control socket.
    let cli_name = node
        .cli
        .first()
        .and_then(|c| Path::new(c).file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let program: Vec<String> = match cli_name {
        Some(n) if &n == program => node.cli.clone(),
        _ => vec![program.clone()],
    };
    let status = Command::new("ip")
        .args(["netns", "exec", &node.netns])
        .args(&program)
        .args(args)
        .status()
        .map_err(|e| anyhow!("cannot run ip netns exec in {topology}/{wanted_node}: {e}"))?;
    Ok(status.success())
}
