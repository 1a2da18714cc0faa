//! Running commands with deadlines, waiting for conditions, and daemon
//! processes that die with their owner.
//!
//! Everything here is synchronous and polls: the commands involved (`ip`,
//! `vtysh`, `birdc`, `gobgp`) are short, and the daemons are children that
//! are killed on Drop.

use crate::{Error, Result};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long one control command (`ip`, `vtysh`, `birdc`, `gobgp`) may take.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// How often [`wait_until`] polls.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Returns `path` if it is an existing file.
///
/// # Panics
///
/// When the file is missing, with the `apt-get install -y PACKAGE` line that
/// provides it: the interoperability tests drive real daemons and must fail,
/// never skip, when one is not installed.
pub fn require_binary(path: &str, package: &str) -> PathBuf {
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{} is missing: install it with `apt-get install -y {package}` (as root)",
        path.display()
    );
    path
}

/// Runs `cmd` to completion within [`COMMAND_TIMEOUT`] and returns its
/// stdout followed by its stderr. A failure status or a timeout is an error
/// quoting the output. Meant for short outputs.
pub fn run(cmd: &mut Command) -> Result<String> {
    let command = describe(cmd);
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| Error::Spawn {
            command: command.clone(),
            source,
        })?;
    // Read both pipes on threads so that a chatty command cannot block on a
    // full pipe while we wait for it to exit.
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::CommandTimeout {
                    command,
                    timeout: COMMAND_TIMEOUT,
                });
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(Error::io(format!("waiting for {command}"), e)),
        }
    };
    let mut output = stdout.map(join_drain).unwrap_or_default();
    output.push_str(&stderr.map(join_drain).unwrap_or_default());
    if status.success() {
        Ok(output)
    } else {
        Err(Error::CommandFailed {
            command,
            status: status.to_string(),
            output: output.trim().to_owned(),
        })
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join_drain(handle: thread::JoinHandle<String>) -> String {
    handle.join().unwrap_or_default()
}

/// `program arg arg …` for error messages.
pub(crate) fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Polls `probe` every 100 ms until it returns `Ok(Some(value))`.
///
/// `Ok(None)` means "not yet"; an `Err` is remembered as the reason and
/// polling goes on. At `timeout` the result is an [`Error::Timeout`] naming
/// `what` and the last reason. A probe that must stop at once (a daemon that
/// died) should be checked by the caller between calls, or return a value.
pub fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<Option<T>>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let last = match probe() {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => String::from("not yet"),
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                what: what.to_owned(),
                timeout,
                last,
            });
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// The last `lines` lines of a log file, for error messages.
pub fn log_tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("({} unreadable: {e})", path.display()),
    }
}

/// A daemon running in the foreground, its output appended to a log file.
/// It is killed with SIGKILL and reaped on Drop.
#[derive(Debug)]
pub struct Daemon {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Daemon {
    /// Spawns `cmd` with stdout and stderr appended to `log`.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> Result<Self> {
        let out = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|e| Error::io(format!("cannot open {}", log.display()), e))?;
        let err = out
            .try_clone()
            .map_err(|e| Error::io(format!("cannot open {}", log.display()), e))?;
        let command = describe(&cmd);
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|source| Error::Spawn { command, source })?;
        tracing::debug!(daemon = name, pid = child.id(), "started");
        Ok(Daemon {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Fails with [`Error::DaemonExited`], quoting the log, if the process is
    /// gone.
    pub fn check_running(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(Error::DaemonExited {
                daemon: self.name.clone(),
                status: status.to_string(),
                log: self.log_tail(),
            }),
            Err(e) => Err(Error::io(format!("cannot poll {}", self.name), e)),
        }
    }

    /// The last 30 lines of the log.
    pub fn log_tail(&self) -> String {
        log_tail(&self.log, 30)
    }

    /// Kills the process with SIGKILL (a crash, no goodbye to its peers) and
    /// reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        tracing::debug!(daemon = %self.name, pid = self.child.id(), "killed");
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}
