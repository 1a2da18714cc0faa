//! The task that owns one LB's HAProxy processes.
//!
//! Each applied configuration is a *generation*: a directory `gen-N` under the run directory
//! with `haproxy.cfg` and its certificates. A generation starts as `haproxy -db -f
//! gen-N/haproxy.cfg` (in the LB's namespace); a reload starts the new generation with `-x
//! admin.sock -sf OLD`: it takes the listening sockets from the old process and, only once it
//! has started, tells the old one to stop accepting and finish its connections. The new
//! process is live when `show info` on the stats socket answers with its pid. If it exits
//! first, its `[ALERT]` lines are the reason and the old process never heard of it.
//!
//! The current process is watched: an exit nobody asked for is a crash, answered by starting
//! the last good generation again (a few times, backing off).

use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use dataplane::lb::LbConfig;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::check::{check, haproxy_reason};
use super::options::Options;
use super::render::{Layout, render};
use super::status::{Applied, Event, Shared, Status};
use super::{Error, Stage, cli};

/// What the handle asks.
pub(super) enum Command {
    Apply(Box<LbConfig>, oneshot::Sender<Result<Applied, Error>>),
    Stop(oneshot::Sender<()>),
}

/// One running HAProxy process.
struct Generation {
    child: Child,
    applied: Applied,
    dir: PathBuf,
}

/// A started process whose stderr is being read.
struct Spawned {
    child: Child,
    pid: u32,
    stderr: Arc<Mutex<Vec<String>>>,
    reader: JoinHandle<()>,
}

/// Lines of one process's stderr kept for its start-up reason.
const START_LINES: usize = 200;
/// Pauses before each restart attempt after a crash.
const RESTART_BACKOFF: [Duration; 4] = [
    Duration::ZERO,
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
];
/// How often processes finishing their connections are reaped.
const REAP_EVERY: Duration = Duration::from_millis(250);

pub(super) struct Supervisor {
    options: Options,
    shared: Arc<Shared>,
    current: Option<Generation>,
    draining: Vec<Child>,
    next_generation: u64,
}

impl Supervisor {
    pub(super) fn new(options: Options, shared: Arc<Shared>) -> Self {
        Supervisor {
            options,
            shared,
            current: None,
            draining: Vec::new(),
            next_generation: 1,
        }
    }

    pub(super) async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        loop {
            let draining = !self.draining.is_empty();
            tokio::select! {
                command = commands.recv() => match command {
                    Some(Command::Apply(config, reply)) => {
                        let result = self.apply(*config).await;
                        let _ = reply.send(result);
                    }
                    Some(Command::Stop(reply)) => {
                        self.shutdown().await;
                        let _ = reply.send(());
                        return;
                    }
                    None => {
                        self.shutdown().await;
                        return;
                    }
                },
                exit = wait(self.current.as_mut()) => self.crashed(exit).await,
                () = tokio::time::sleep(REAP_EVERY), if draining => {
                    self.draining.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
                }
            }
        }
    }

    /// Renders, checks, starts or reloads.
    async fn apply(&mut self, config: LbConfig) -> Result<Applied, Error> {
        // A current process that died unnoticed cannot hand its sockets over: restart first.
        if let Some(current) = self.current.as_mut()
            && let Ok(Some(exit)) = current.child.try_wait()
        {
            self.crashed(Ok(exit)).await;
        }
        let generation = self.next_generation;
        self.next_generation += 1;
        let dir = self.options.run_dir.join(format!("gen-{generation}"));
        let result = self.start(&config, &dir, generation).await;
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }

    async fn start(
        &mut self,
        config: &LbConfig,
        dir: &std::path::Path,
        generation: u64,
    ) -> Result<Applied, Error> {
        let layout = Layout {
            dir: dir.to_path_buf(),
            stats_socket: self.options.stats_socket(),
        };
        let rendered = render(config, &layout)?;
        write_generation(dir, &rendered)?;
        check(&self.options.binary, &dir.join("haproxy.cfg")).await?;
        let old_pid = self.current.as_ref().map(|g| g.applied.pid);
        let spawned = match self.launch(dir, old_pid).await {
            Ok(spawned) => spawned,
            Err(e) => {
                if self.current.is_none() {
                    self.shared.set_status(Status::Failed {
                        reason: e.to_string(),
                    });
                }
                return Err(e);
            }
        };
        let applied = Applied {
            pid: spawned.pid,
            generation,
        };
        let new = Generation {
            child: spawned.child,
            applied,
            dir: dir.to_path_buf(),
        };
        if let Ok(mut slot) = self.shared.applied.lock() {
            *slot = Some(Arc::new(config.clone()));
        }
        match self.current.replace(new) {
            Some(old) => {
                let _ = std::fs::remove_dir_all(&old.dir);
                self.draining.push(old.child);
                self.shared.emit(Event::Reloaded {
                    applied,
                    old_pid: old.applied.pid,
                });
            }
            None => self.shared.emit(Event::Started(applied)),
        }
        self.shared.set_status(Status::Running(applied));
        Ok(applied)
    }

    /// Starts HAProxy on `dir`'s configuration, taking over from `old_pid` if given, and
    /// waits until it answers on the stats socket.
    async fn launch(&self, dir: &std::path::Path, old_pid: Option<u32>) -> Result<Spawned, Error> {
        let socket = self.options.stats_socket();
        // `ip netns exec` execs HAProxy: the child's pid is HAProxy's.
        let mut cmd = match &self.options.netns {
            Some(netns) => {
                let mut cmd = tokio::process::Command::new(crate::netns::IP);
                cmd.args(["netns", "exec", netns.name()])
                    .arg(&self.options.binary);
                cmd
            }
            None => tokio::process::Command::new(&self.options.binary),
        };
        cmd.arg("-db").arg("-f").arg(dir.join("haproxy.cfg"));
        if let Some(old) = old_pid {
            cmd.arg("-x").arg(&socket).arg("-sf").arg(old.to_string());
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| Error::io("starting haproxy", e))?;
        let pid = child
            .id()
            .ok_or_else(|| Error::io("starting haproxy", std::io::ErrorKind::NotFound.into()))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let reader = match child.stderr.take() {
            Some(pipe) => tokio::spawn(read_stderr(
                pipe,
                pid,
                Arc::clone(&self.shared),
                Arc::clone(&stderr),
            )),
            None => tokio::spawn(async {}),
        };
        let mut spawned = Spawned {
            child,
            pid,
            stderr,
            reader,
        };
        let deadline = tokio::time::Instant::now() + self.options.ready_timeout;
        loop {
            if let Ok(Some(exit)) = spawned.child.try_wait() {
                // Let the reader take the last lines in.
                let _ = tokio::time::timeout(Duration::from_secs(1), &mut spawned.reader).await;
                let text = spawned
                    .stderr
                    .lock()
                    .map(|l| l.join("\n"))
                    .unwrap_or_default();
                return Err(Error::Refused {
                    stage: Stage::Start,
                    reason: format!("{} ({exit})", haproxy_reason(&text)),
                });
            }
            if let Ok(info) = cli(&socket, "show info").await
                && info.lines().any(|l| l.trim() == format!("Pid: {pid}"))
            {
                return Ok(spawned);
            }
            if tokio::time::Instant::now() >= deadline {
                let _ = spawned.child.kill().await;
                return Err(Error::NotReady(self.options.ready_timeout));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// The current process exited: report it and start the last good generation again.
    async fn crashed(&mut self, exit: std::io::Result<ExitStatus>) {
        let Some(dead) = self.current.take() else {
            return;
        };
        let exit = match exit {
            Ok(status) => status.to_string(),
            Err(e) => e.to_string(),
        };
        self.shared.emit(Event::Crashed {
            pid: dead.applied.pid,
            exit: exit.clone(),
        });
        self.shared.set_status(Status::Restarting { exit });
        let mut reason = String::new();
        for pause in RESTART_BACKOFF {
            tokio::time::sleep(pause).await;
            match self.launch(&dead.dir, None).await {
                Ok(spawned) => {
                    let applied = Applied {
                        pid: spawned.pid,
                        generation: dead.applied.generation,
                    };
                    self.current = Some(Generation {
                        child: spawned.child,
                        applied,
                        dir: dead.dir,
                    });
                    self.shared.emit(Event::Restarted(applied));
                    self.shared.set_status(Status::Running(applied));
                    return;
                }
                Err(e) => reason = e.to_string(),
            }
        }
        self.shared.emit(Event::RestartFailed {
            reason: reason.clone(),
        });
        self.shared.set_status(Status::Failed { reason });
    }

    async fn shutdown(&mut self) {
        if let Some(mut current) = self.current.take() {
            let _ = current.child.kill().await;
            let _ = std::fs::remove_dir_all(&current.dir);
        }
        for mut child in self.draining.drain(..) {
            let _ = child.kill().await;
        }
        let _ = std::fs::remove_file(self.options.stats_socket());
        self.shared.set_status(Status::Stopped);
    }
}

/// Waits for the current process to exit; never returns if there is none.
async fn wait(current: Option<&mut Generation>) -> std::io::Result<ExitStatus> {
    match current {
        Some(generation) => generation.child.wait().await,
        None => std::future::pending().await,
    }
}

/// Writes a generation's directory: `haproxy.cfg` and its certificates (mode 600).
fn write_generation(dir: &std::path::Path, rendered: &super::Rendered) -> Result<(), Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let write = |path: &std::path::Path, text: &str| {
        use std::io::Write;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))
    };
    write(&dir.join("haproxy.cfg"), &rendered.config)?;
    for (path, text) in &rendered.files {
        write(path, text)?;
    }
    Ok(())
}

/// Reads one process's stderr into the shared log and its own start-up buffer.
async fn read_stderr(
    pipe: tokio::process::ChildStderr,
    pid: u32,
    shared: Arc<Shared>,
    own: Arc<Mutex<Vec<String>>>,
) {
    let mut lines = BufReader::new(pipe).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(pid, %line, "haproxy");
        if let Ok(mut own) = own.lock()
            && own.len() < START_LINES
        {
            own.push(line.clone());
        }
        shared.push_log(line);
    }
}
