//! One Debian HAProxy (2.6) per Load Balancer, in the LB's network namespace.
//!
//! - [`render()`]: `haproxy.cfg` from a [`LbConfig`](dataplane::lb::LbConfig) (the facts
//!   file's table: frontends and binds, backends with balance, stickiness, every health check,
//!   timeouts, retries, PROXY protocol, `on-marked-down`; ACLs in index order; routes by SNI,
//!   host or path; the admin stats socket).
//! - [`check()`]: `haproxy -c -f`, with HAProxy's own reason when it refuses.
//! - [`Haproxy`]: the running LB. [`Haproxy::apply`] renders into a fresh generation
//!   directory, checks, then starts HAProxy or reloads it seamlessly — the new process takes
//!   the listening sockets over the stats socket (`-x`, `expose-fd listeners`) and tells the
//!   old one to finish its established connections (`-sf`) only once it is up. A refused
//!   configuration is a typed [`Error::Refused`] and leaves the running HAProxy untouched. A
//!   crashed HAProxy is noticed ([`Event::Crashed`], [`Status`]) and restarted from the last
//!   good configuration.
//! - [`stats`]: `show stat` from the stats socket, typed, and mapped onto the model's
//!   [`BackendStats`](dataplane::lb::BackendStats) (HAProxy's statuses, the API's states).
//!
//! ```no_run
//! # async fn f(config: dataplane::lb::LbConfig) -> Result<(), linux::haproxy::Error> {
//! use linux::haproxy::{Haproxy, Options};
//! let netns = linux::Netns::create("lb-web").expect("root");
//! let lb = Haproxy::new(Options::new("/run/peerlab/lb-web").netns(&netns))?;
//! lb.apply(&config).await?;               // start
//! lb.apply(&config).await?;               // reload, established connections kept
//! let stats = lb.stats(std::time::Duration::ZERO).await?;
//! # Ok(()) }
//! ```
//!
//! Not here: creating the namespace and its legs on the private networks (the caller's), the
//! provider's LB status (the world maps [`Status`] onto it).

mod check;
mod options;
mod process;
mod render;
mod socket;
pub mod stats;
mod status;
mod supervisor;

use std::io;
use std::path::PathBuf;

use thiserror::Error;

pub use check::{check, haproxy_reason};
pub use options::Options;
pub use process::Haproxy;
pub use render::{Layout, Rendered, quote, render};
pub use socket::cli;
pub use status::{Applied, Event, Status};

/// Debian's HAProxy binary.
pub const HAPROXY: &str = "/usr/sbin/haproxy";

/// Where a configuration was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// `haproxy -c` refused it.
    Check,
    /// It passed `-c` but HAProxy did not start with it (an address it cannot bind …).
    Start,
}

/// What running HAProxy can fail with.
#[derive(Debug, Error)]
pub enum Error {
    /// The data-plane model refused the configuration before HAProxy saw it.
    #[error(transparent)]
    Config(#[from] dataplane::lb::ConfigError),
    /// HAProxy refused the configuration; the running HAProxy, if any, is untouched.
    #[error("HAProxy refused the configuration ({stage:?}): {reason}")]
    Refused {
        /// `-c` or start-up.
        stage: Stage,
        /// HAProxy's `[ALERT]` lines.
        reason: String,
    },
    /// The HAProxy binary is not installed.
    #[error("{} is missing: install it with `apt-get install -y haproxy`", .0.display())]
    Missing(PathBuf),
    /// A file, process or socket operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// HAProxy did not become ready in time.
    #[error("HAProxy did not become ready within {0:?}")]
    NotReady(std::time::Duration),
    /// The stats socket answered something that is not `show stat`.
    #[error("unexpected `show stat` output: {0}")]
    Stats(String),
    /// The supervisor has stopped.
    #[error("this HAProxy has been stopped")]
    Stopped,
}

impl Error {
    pub(crate) fn io(what: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }
}
