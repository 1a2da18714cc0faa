//! What the handle ([`Haproxy`](super::Haproxy)) and the supervisor task both know: the
//! configuration running ([`Applied`]), where HAProxy stands ([`Status`]), what happened to it
//! ([`Event`]), and the state they share (status, applied configuration, log, events).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use dataplane::lb::LbConfig;
use tokio::sync::{broadcast, watch};

/// A configuration HAProxy now runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The HAProxy process serving it.
    pub pid: u32,
    /// Its generation (1 for the first configuration, +1 per apply).
    pub generation: u64,
}

/// Where the LB's HAProxy stands (the world maps it onto the LB's status).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// No configuration applied yet.
    Idle,
    /// Serving `generation`.
    Running(Applied),
    /// It died and is being restarted.
    Restarting {
        /// How it ended.
        exit: String,
    },
    /// It could not be (re)started; the next apply tries again.
    Failed {
        /// HAProxy's reason.
        reason: String,
    },
    /// Stopped by [`Haproxy::stop`](super::Haproxy::stop).
    Stopped,
}

/// Something that happened to the LB's HAProxy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The first configuration is live.
    Started(Applied),
    /// A new configuration is live; `old_pid` finishes its connections and exits.
    Reloaded {
        /// The new process and generation.
        applied: Applied,
        /// The previous process.
        old_pid: u32,
    },
    /// The current HAProxy exited without being asked to.
    Crashed {
        /// Its pid.
        pid: u32,
        /// Its exit status.
        exit: String,
    },
    /// It was restarted with the last good configuration.
    Restarted(Applied),
    /// Restarting failed.
    RestartFailed {
        /// HAProxy's reason.
        reason: String,
    },
}

/// What the handle and the supervisor share.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) status: watch::Sender<Status>,
    pub(super) applied: Mutex<Option<Arc<LbConfig>>>,
    pub(super) log: Mutex<VecDeque<String>>,
    pub(super) events: broadcast::Sender<Event>,
}

/// Lines of HAProxy's stderr kept for [`Haproxy::log`](super::Haproxy::log).
pub(super) const LOG_LINES: usize = 2000;

impl Shared {
    pub(super) fn push_log(&self, line: String) {
        if let Ok(mut log) = self.log.lock() {
            if log.len() >= LOG_LINES {
                log.pop_front();
            }
            log.push_back(line);
        }
    }

    pub(super) fn set_status(&self, status: Status) {
        self.status.send_replace(status);
    }

    pub(super) fn emit(&self, event: Event) {
        tracing::info!(?event, "haproxy");
        // Nobody listening is fine.
        let _ = self.events.send(event);
    }
}
