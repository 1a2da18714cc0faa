//! [`Options`]: how HAProxy is run for one LB (its directory, namespace, binary, start-up
//! timeout), which the handle hands to the supervisor.

use std::path::PathBuf;
use std::time::Duration;

use super::HAPROXY;
use crate::Netns;

/// How HAProxy is run for one LB.
#[derive(Clone, Debug)]
pub struct Options {
    /// The LB's directory: generations of configuration and the stats socket. Keep it short:
    /// a Unix socket path has at most 107 bytes.
    pub run_dir: PathBuf,
    /// The network namespace to run in (`ip netns exec`), or the caller's. The handle keeps
    /// it alive while HAProxy runs.
    pub netns: Option<Netns>,
    /// The HAProxy binary ([`HAPROXY`]).
    pub binary: PathBuf,
    /// How long a starting HAProxy may take to answer on its stats socket.
    pub ready_timeout: Duration,
}

impl Options {
    /// HAProxy in `run_dir`, in the caller's namespace.
    pub fn new(run_dir: impl Into<PathBuf>) -> Self {
        Options {
            run_dir: run_dir.into(),
            netns: None,
            binary: PathBuf::from(HAPROXY),
            ready_timeout: Duration::from_secs(10),
        }
    }

    /// In network namespace `netns`.
    pub fn netns(mut self, netns: &Netns) -> Self {
        self.netns = Some(netns.clone());
        self
    }

    /// The stats socket's path.
    pub fn stats_socket(&self) -> PathBuf {
        self.run_dir.join("admin.sock")
    }
}
