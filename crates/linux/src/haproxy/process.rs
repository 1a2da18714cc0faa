//! [`Haproxy`]: the handle on one LB's running HAProxy.
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

use super::options::Options;
use super::stats::{StatRow, backend_stats, parse_show_stat};
use super::status::{Applied, Event, Shared, Status};
use super::supervisor::{Command, Supervisor};
use super::{Error, cli};

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
