//! Named network namespaces (`ip netns`), one per customer router or host.
//!
//! A [`Netns`] is a cheap, clonable handle: the namespace is deleted when
//! the last handle goes, after the processes still running in it have been
//! killed. Links and daemons keep a handle to the namespace they live in,
//! so it cannot vanish under them.
//!
//! Entering a namespace from this process is for dedicated threads only:
//! the VLAN emulation's (see [`crate::link`]) and a topology runner's
//! provider side ([`Netns::enter_this_thread`]).

use crate::process::{self, run};
use crate::{Error, Result};
use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The `ip` binary of iproute2.
pub(crate) const IP: &str = "/usr/sbin/ip";

/// Where `ip netns` mounts named namespaces.
const NETNS_DIR: &str = "/run/netns";

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A named network namespace, deleted when the last clone is dropped.
#[derive(Clone)]
pub struct Netns {
    inner: Arc<Inner>,
}

struct Inner {
    /// Its name; empty for the namespace this process runs in ([`Netns::current`]).
    name: String,
}

impl Netns {
    /// Creates a namespace named `pl-PID-N-LABEL`, unique among the running
    /// processes, with its loopback up.
    ///
    /// `label` says what the namespace is for (`frr`, `customer` …): up to
    /// 24 characters among `a-z`, `0-9` and `-`. A namespace of the same
    /// name can only be the leftover of a dead process that had our pid; it
    /// is deleted first.
    pub fn create(label: &str) -> Result<Netns> {
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if label.is_empty() || label.len() > 24 || !label.chars().all(valid) {
            return Err(Error::invalid(
                "namespace label",
                format!("{label:?}: 1 to 24 characters among a-z, 0-9 and -"),
            ));
        }
        process::require_binary(IP, "iproute2");
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let name = format!("pl-{}-{n}-{label}", std::process::id());
        if PathBuf::from(NETNS_DIR).join(&name).exists() {
            tracing::warn!(netns = %name, "deleting a leftover namespace");
            remove(&name);
        }
        run(Command::new(IP).args(["netns", "add", &name]))?;
        // From here on Drop cleans up, also when bringing lo up fails.
        let netns = Netns {
            inner: Arc::new(Inner { name }),
        };
        netns.run("ip", ["link", "set", "lo", "up"])?;
        tracing::debug!(netns = %netns.name(), "created");
        Ok(netns)
    }

    /// The namespace this process runs in (`peerlab serve` with bindings renders into it):
    /// commands run here directly, and dropping it deletes nothing.
    pub fn current() -> Netns {
        Netns {
            inner: Arc::new(Inner {
                name: String::new(),
            }),
        }
    }

    /// Whether it is the namespace this process runs in.
    pub fn is_current(&self) -> bool {
        self.inner.name.is_empty()
    }

    /// `-n NAME` for `ip`, or nothing for the current namespace.
    pub(crate) fn ip_args(&self) -> Vec<&str> {
        match self.is_current() {
            true => Vec::new(),
            false => vec!["-n", self.name()],
        }
    }

    /// The namespace's name, as `ip netns` knows it.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The namespace's file, for `setns(2)`.
    pub fn path(&self) -> PathBuf {
        match self.is_current() {
            true => PathBuf::from(format!("/proc/{}/ns/net", std::process::id())),
            false => PathBuf::from(NETNS_DIR).join(self.name()),
        }
    }

    /// Moves the calling thread into this namespace: the sockets it opens from now on, and the
    /// threads it starts, live there. Meant for a thread dedicated to one topology's provider
    /// side (the topology runner), never for a thread shared with other work.
    pub fn enter_this_thread(&self) -> Result<()> {
        enter_netns(&self.path())
    }

    /// A command running `program` inside the namespace
    /// (`ip netns exec NAME program …`); add arguments as usual. `ip`
    /// execs the program, so the child's pid is the program's.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        if self.is_current() {
            return Command::new(program);
        }
        let mut cmd = Command::new(IP);
        cmd.args(["netns", "exec", self.name()]).arg(program);
        cmd
    }

    /// Runs `program args` inside the namespace within the command timeout
    /// and returns its output; a failure status is an error.
    pub fn run<I, S>(&self, program: &str, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(self.command(program).args(args))
    }

    /// The pids of the processes running in the namespace.
    pub fn pids(&self) -> Result<Vec<u32>> {
        match self.is_current() {
            true => Ok(Vec::new()),
            false => pids(self.name()),
        }
    }
}

impl fmt::Debug for Netns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Netns").field(&self.name()).finish()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.name.is_empty() {
            return;
        }
        remove(&self.name);
        tracing::debug!(netns = %self.name, "deleted");
    }
}

fn pids(name: &str) -> Result<Vec<u32>> {
    let out = run(Command::new(IP).args(["netns", "pids", name]))?;
    Ok(out
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect())
}

/// Kills what still runs in namespace `name`, then deletes it.
fn remove(name: &str) {
    if let Ok(pids) = pids(name) {
        // A pid that does not fit or is not positive would address a
        // process group: skip it.
        for pid in pids
            .into_iter()
            .filter_map(|p| libc::pid_t::try_from(p).ok())
        {
            if pid > 0 {
                // SAFETY: kill(2) has no memory-safety preconditions.
                let _ = unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
    if let Err(e) = run(Command::new(IP).args(["netns", "del", name])) {
        tracing::warn!(netns = %name, error = %e, "cannot delete the namespace");
    }
}

/// Moves the calling thread into the namespace mounted at `path`.
pub(crate) fn enter_netns(path: &Path) -> Result<()> {
    let file = File::open(path).map_err(|e| Error::io(format!("open {}", path.display()), e))?;
    // SAFETY: setns(2) on an open namespace descriptor; it only affects
    // this thread, which its caller dedicates to one namespace.
    if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        let e = io::Error::last_os_error();
        return Err(Error::io(format!("setns {}", path.display()), e));
    }
    Ok(())
}

/// A name fit for a namespace label: `a-z0-9-`, at most 20 characters.
pub fn sanitized(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .take(20)
        .collect()
}
