//! The crate's error type: what went wrong, with the command, resource or
//! daemon it concerns and, for daemons, the end of their log.

use std::io;
use std::net::IpAddr;
use std::time::Duration;

/// Everything this crate can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A command could not be started at all.
    #[error("cannot run {command}: {source}")]
    Spawn {
        command: String,
        #[source]
        source: io::Error,
    },
    /// A command ran and exited with a failure status.
    #[error("{command} failed ({status}): {output}")]
    CommandFailed {
        command: String,
        status: String,
        output: String,
    },
    /// A command did not finish in time and was killed.
    #[error("{command} did not finish within {timeout:?}")]
    CommandTimeout { command: String, timeout: Duration },
    /// A condition was still false at its deadline.
    #[error("timed out after {timeout:?} waiting for {what}: {last}")]
    Timeout {
        what: String,
        timeout: Duration,
        last: String,
    },
    /// A daemon process exited while it was expected to run.
    #[error("{daemon} exited ({status}); end of its log:\n{log}")]
    DaemonExited {
        daemon: String,
        status: String,
        log: String,
    },
    /// A daemon was asked something while it is stopped.
    #[error("{daemon} is stopped")]
    Stopped { daemon: String },
    /// Output of a daemon's CLI that could not be understood.
    #[error("cannot parse {what}: {detail}")]
    Parse { what: String, detail: String },
    /// An argument this crate refuses (bad name, VLAN id out of range …).
    #[error("invalid {what}: {detail}")]
    Invalid { what: String, detail: String },
    /// A neighbour that is not in the router's configuration.
    #[error("{0} is not a neighbour of this router")]
    UnknownNeighbour(IpAddr),
    /// A system call or file operation failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: io::Error,
    },
}

impl Error {
    /// An [`Error::Io`] saying what was being done.
    pub(crate) fn io(what: impl Into<String>, source: io::Error) -> Self {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    pub(crate) fn parse(what: impl Into<String>, detail: impl ToString) -> Self {
        Error::Parse {
            what: what.into(),
            detail: detail.to_string(),
        }
    }

    pub(crate) fn invalid(what: impl Into<String>, detail: impl ToString) -> Self {
        Error::Invalid {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

/// This crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
