//! Starting real BGP daemons (FRR bgpd, BIRD, GoBGP) for the recorder.
//!
//! Each daemon runs in the foreground in its own temporary directory (config,
//! control socket, log), never listens on port 179, and actively connects to
//! the recorder's port on 127.0.0.1. Everything it leaves behind goes away on
//! Drop: the process is killed and the directory deleted, also when a test
//! panics.
//!
//! The per-daemon files hold the config templates and the commands that
//! trigger the scenario's withdrawal and administrative shutdown.

mod bird;
mod frr;
mod gobgp;

use std::fs;
use std::io::Read;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a control command (vtysh, birdc, gobgp) may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The daemons the recorder knows how to drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Frr,
    Bird,
    Gobgp,
}

impl Kind {
    /// Short name used in golden file names and comments.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Frr => "frr",
            Kind::Bird => "bird",
            Kind::Gobgp => "gobgp",
        }
    }
}

/// One route the daemon originates. `tagged` routes go through the export
/// policy that adds communities, MED and an AS-path prepend; `withdrawn`
/// routes are removed in the middle of the scenario.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    pub prefix: &'static str,
    pub tagged: bool,
    pub withdrawn: bool,
}

impl Route {
    pub fn is_ipv6(&self) -> bool {
        self.prefix.contains(':')
    }
}

/// What a daemon is told about the session it must open.
#[derive(Clone, Debug)]
pub struct Setup {
    pub local_as: u32,
    pub router_id: Ipv4Addr,
    pub peer_as: u32,
    pub peer_addr: Ipv4Addr,
    pub peer_port: u16,
    pub routes: Vec<Route>,
}

impl Setup {
    /// Routes of one family, optionally only those still announced.
    pub fn routes(&self, ipv6: bool, include_withdrawn: bool) -> impl Iterator<Item = &Route> {
        self.routes
            .iter()
            .filter(move |r| r.is_ipv6() == ipv6 && (include_withdrawn || !r.withdrawn))
    }
}

/// A daemon running one scenario, controlled through its own CLI.
pub trait Daemon {
    /// The daemon's version as it reports it, e.g. "8.4.4".
    fn version(&self) -> &str;
    /// Fails with the end of the daemon's log if the process has exited.
    fn check_running(&mut self) -> Result<(), String>;
    /// The last lines of the daemon's log, for error messages.
    fn log_tail(&self) -> String;
    /// Removes the routes marked `withdrawn` from the daemon's RIB.
    fn withdraw(&mut self) -> Result<(), String>;
    /// Administratively shuts the session down (a Cease NOTIFICATION).
    fn shutdown_session(&mut self) -> Result<(), String>;
}

/// Starts a daemon of `kind`; panics with the `apt-get install` line to use
/// if its binaries are missing.
pub fn start(kind: Kind, setup: &Setup) -> Result<Box<dyn Daemon>, String> {
    Ok(match kind {
        Kind::Frr => Box::new(frr::Frr::start(setup)?),
        Kind::Bird => Box::new(bird::Bird::start(setup)?),
        Kind::Gobgp => Box::new(gobgp::Gobgp::start(setup)?),
    })
}

/// Returns `path` if it is an existing file, else panics naming the package.
pub fn require_binary(path: &str, package: &str) -> PathBuf {
    let path = PathBuf::from(path);
    assert!(
        path.is_file(),
        "{} is missing: these tests drive real BGP daemons; install them with \
         `apt-get install -y {package}` (as root)",
        path.display()
    );
    path
}

/// A fresh temporary directory, deleted on Drop.
pub fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| format!("cannot create a temp dir: {e}"))
}

/// A TCP port on 127.0.0.1 that was free a moment ago, for the daemons that
/// cannot be told "any port" (control APIs).
pub fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

pub fn write_file(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A daemon process that is killed (and reaped) on Drop.
pub struct Process {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Process {
    /// Spawns `cmd` with stdout and stderr going to `log`.
    pub fn spawn(name: &'static str, mut cmd: Command, log: &Path) -> Result<Self, String> {
        let out = fs::File::create(log).map_err(|e| format!("cannot create {log:?}: {e}"))?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({cmd:?}): {e}"))?;
        Ok(Process {
            name,
            child,
            log: log.to_owned(),
        })
    }

    /// Fails, quoting the end of the log, if the process is gone.
    pub fn check_running(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!(
                "{} exited ({status}); end of its log {}:\n{}",
                self.name,
                self.log.display(),
                log_tail(&self.log)
            )),
            Err(e) => Err(format!("cannot poll {}: {e}", self.name)),
        }
    }
}

impl Process {
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last lines of a log file, for error messages.
pub fn log_tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| format!("(unreadable: {e})"));
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Runs a command to completion within [`COMMAND_TIMEOUT`] and returns its
/// stdout and stderr; a non-zero exit or a timeout is an error. Meant for
/// short outputs (it reads them once the command exited).
pub fn run(cmd: &mut Command) -> Result<String, String> {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    let deadline = Instant::now() + COMMAND_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what} did not finish within {COMMAND_TIMEOUT:?}"));
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut stderr);
    }
    stdout.push_str(&stderr);
    if status.success() {
        Ok(stdout)
    } else {
        Err(format!("{what} failed ({status}): {stdout}"))
    }
}

/// Polls `probe` until it succeeds, e.g. until a control socket answers.
/// Fails at once if `process` exits, else with the last error at `timeout`.
pub fn wait_ready<T>(
    process: &mut Process,
    timeout: Duration,
    mut probe: impl FnMut() -> Result<T, String>,
) -> Result<T, String> {
    let deadline = Instant::now() + timeout;
    loop {
        process.check_running()?;
        match probe() {
            Ok(v) => return Ok(v),
            Err(e) if Instant::now() >= deadline => {
                return Err(format!("{} not ready after {timeout:?}: {e}", process.name));
            }
            Err(_) => thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// The first line of `binary args` output starting with `prefix`, with the
/// prefix cut, e.g. "8.4.4" from "bgpd version 8.4.4".
pub fn version_of(binary: &Path, args: &[&str], prefix: &str) -> Result<String, String> {
    let text = run(Command::new(binary).args(args))?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| {
            format!(
                "no {prefix:?} line in {} {args:?}: {text}",
                binary.display()
            )
        })
}
