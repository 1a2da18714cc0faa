//! [`Haproxy`]: the handle on one LB's running HAProxy, and the types it reports with.
//!
//! The handle talks to a supervisor task (`supervisor.rs`) that owns the processes: one
//! current generation, and older ones finishing their connections after a reload. Stats and
//! runtime commands go straight to the stats socket.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dataplane::lb::{BackendStats, LbConfig};
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::stats::{StatRow, backend_stats, parse_show_stat};
use super::supervisor::{Command, Supervisor};
use super::{Error, HAPROXY, cli};
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
    /// Stopped by [`Haproxy::stop`].
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

/// Lines of HAProxy's stderr kept for [`Haproxy::log`].
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

/// One LB's HAProxy. Dropping the handle stops it (the processes are killed).
#[derive(Debug)]
pub struct Haproxy {
    commands: mpsc::Sender<Command>,
    shared: Arc<Shared>,
    socket: PathBuf,
}

impl Haproxy {
    /// A supervisor for an LB run as `options` say; HAProxy starts at the first
    /// [`Haproxy::apply`]. Needs a tokio runtime.
    pub fn new(options: Options) -> Result<Self, Error> {
        if !options.binary.is_file() {
            return Err(Error::Missing(options.binary));
        }
        std::fs::create_dir_all(&options.run_dir)
            .map_err(|e| Error::io(format!("creating {}", options.run_dir.display()), e))?;
        let (events, _) = broadcast::channel(64);
        let shared = Arc::new(Shared {
            status: watch::channel(Status::Idle).0,
            applied: Mutex::new(None),
            log: Mutex::new(VecDeque::new()),
            events,
        });
        let (commands, receiver) = mpsc::channel(8);
        let socket = options.stats_socket();
        tokio::spawn(Supervisor::new(options, Arc::clone(&shared)).run(receiver));
        Ok(Haproxy {
            commands,
            shared,
            socket,
        })
    }

    /// Renders, checks and makes `config` live: starts HAProxy, or reloads it keeping
    /// established connections. On [`Error::Refused`] the running HAProxy is untouched.
    pub async fn apply(&self, config: &LbConfig) -> Result<Applied, Error> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Command::Apply(Box::new(config.clone()), reply))
            .await
            .map_err(|_| Error::Stopped)?;
        answer.await.map_err(|_| Error::Stopped)?
    }

    /// Stops HAProxy (every generation) and the supervisor.
    pub async fn stop(self) {
        let (reply, done) = oneshot::channel();
        if self.commands.send(Command::Stop(reply)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// The current status.
    pub fn status(&self) -> Status {
        self.shared.status.borrow().clone()
    }

    /// Status changes, as they happen.
    pub fn watch_status(&self) -> watch::Receiver<Status> {
        self.shared.status.subscribe()
    }

    /// Events from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.shared.events.subscribe()
    }

    /// The last lines HAProxy wrote to stderr (its log: health checks, alerts), oldest
    /// first.
    pub fn log(&self) -> Vec<String> {
        self.shared
            .log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The configuration HAProxy runs.
    pub fn applied(&self) -> Option<Arc<LbConfig>> {
        self.shared.applied.lock().ok().and_then(|a| a.clone())
    }

    /// The stats socket.
    pub fn stats_socket(&self) -> &Path {
        &self.socket
    }

    /// A runtime API command on the stats socket.
    pub async fn cli(&self, command: &str) -> Result<String, Error> {
        cli(&self.socket, command).await
    }

    /// `show stat`, typed.
    pub async fn show_stat(&self) -> Result<Vec<StatRow>, Error> {
        parse_show_stat(&self.cli("show stat").await?)
    }

    /// The backends' statistics, on the caller's clock `now`.
    pub async fn stats(&self, now: Duration) -> Result<Vec<BackendStats>, Error> {
        let config = self.applied().ok_or(Error::Stopped)?;
        Ok(backend_stats(&self.show_stat().await?, &config, now))
    }
}
