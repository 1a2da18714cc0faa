//! The sources of the table, in the source namespace (169.254.0.1, AS 64512):
//!
//! - BIRD: the generated routes as static blackhole routes, exported over eBGP. It runs for the
//!   whole series; its BGP protocol is enabled for a run and disabled after it. It packs 4096
//!   octet UPDATEs itself, all routes sharing one attribute set. BIRD 2.0.12 holds the last
//!   UPDATE and the End-of-RIB of an export until its main loop next wakes up (a timer, a CLI
//!   request, or its idle `poll()` timeout of 3 s): while connected, a [`Waker`] sends it
//!   `show status` on its control socket every 100 ms, so that this quirk costs at most the
//!   polling resolution.
//! - fast: this binary's `speaker` mode (see `speaker.rs`), started for a run and killed after
//!   it: precomputed UPDATEs written as fast as the receiver reads them, in the drawing order
//!   (scattered, like BIRD's hash-ordered export) or in prefix order (like a table walk of
//!   FRR, IOS or Junos).

use crate::receivers::{birdc, start_bird};
use crate::testbed::{RECEIVER_ADDR, RECEIVER_ASN, SOURCE_ADDR, SOURCE_ASN};
use crate::{poll, routes};
use anyhow::{Context as _, Result, bail};
use linux::Netns;
use linux::process::Daemon;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long BIRD may take to load a million static routes.
const LOAD_TIMEOUT: Duration = Duration::from_secs(180);
/// The BIRD source's BGP protocol name.
const PROTOCOL: &str = "customer";

/// A source that can be connected to the receiver for one run.
pub trait Source {
    /// The name in tables.
    fn name(&self) -> &'static str;
    /// How many routes it announces.
    fn routes(&self) -> usize;
    /// Lets the session come up (the receiver is already running).
    fn connect(&mut self) -> Result<()>;
    /// Ends the session.
    fn disconnect(&mut self) -> Result<()>;
}

/// BIRD with the routes as static routes.
pub struct BirdSource {
    // Field order: the waker stops and the daemon dies before their directory goes.
    waker: Option<Waker>,
    daemon: Daemon,
    dir: TempDir,
    routes: usize,
}

impl BirdSource {
    /// Starts BIRD with `n` routes, its BGP protocol disabled; returns once all are loaded.
    pub fn start(ns: &Netns, n: usize) -> Result<Self> {
        let started = Instant::now();
        let dir = tempfile::Builder::new()
            .prefix("full-table-bird-source-")
            .tempdir()
            .context("cannot create a temporary directory")?;
        let conf = dir.path().join("bird.conf");
        fs::write(&conf, config(&routes::generate(n)))
            .with_context(|| format!("cannot write {}", conf.display()))?;
        let mut daemon = start_bird(ns, dir.path(), &conf)?;
        let ctl = dir.path().join("bird.ctl");
        let loaded = format!("{n} of {n} routes");
        let every = Duration::from_millis(200);
        let ready = poll::until(
            "the BIRD source to load its routes",
            LOAD_TIMEOUT,
            every,
            || {
                daemon.check_running()?;
                let answer = birdc(&ctl, &["show", "route", "count"]).unwrap_or_default();
                Ok(answer.contains(&loaded).then_some(()))
            },
        );
        ready.with_context(|| format!("BIRD source log:\n{}", daemon.log_tail()))?;
        eprintln!(
            "BIRD source: {n} static routes loaded in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(Self {
            waker: None,
            daemon,
            dir,
            routes: n,
        })
    }

    fn birdc(&mut self, args: &[&str]) -> Result<String> {
        self.daemon.check_running()?;
        birdc(&self.dir.path().join("bird.ctl"), args)
    }
}

impl Source for BirdSource {
    fn name(&self) -> &'static str {
        "BIRD"
    }

    fn routes(&self) -> usize {
        self.routes
    }

    fn connect(&mut self) -> Result<()> {
        let out = self.birdc(&["enable", PROTOCOL])?;
        if !out.contains("enabled") {
            bail!("birdc enable {PROTOCOL}: {out}");
        }
        self.waker = Some(Waker::start(&self.dir.path().join("bird.ctl"))?);
        Ok(())
    }

    fn disconnect(&mut self) -> Result<()> {
        self.waker = None;
        self.birdc(&["disable", PROTOCOL]).map(drop)
    }
}

/// bird.conf: the routes as one static protocol, a disabled BGP protocol exporting them.
fn config(routes: &[ipnet::Ipv4Net]) -> String {
    let mut out = format!(
        "log stderr {{ warning, error, fatal }};\n\
         router id {SOURCE_ADDR};\n\
         protocol device {{ scan time 10; }}\n\
         protocol static generated {{\n  ipv4;\n"
    );
    for route in routes {
        let _ = writeln!(out, "  route {route} blackhole;");
    }
    let _ = write!(
        out,
        "}}\n\
         protocol bgp {PROTOCOL} {{\n  \
           disabled;\n  \
           local {SOURCE_ADDR} as {SOURCE_ASN};\n  \
           neighbor {RECEIVER_ADDR} as {RECEIVER_ASN};\n  \
           hold time 90;\n  \
           connect delay time 1;\n  \
           connect retry time 1;\n  \
           error wait time 1, 5;\n  \
           ipv4 {{ import none; export all; }};\n\
         }}\n"
    );
    out
}

/// A thread sending `show status` to a BIRD control socket every [`WAKE_EVERY`] until dropped.
struct Waker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How often the BIRD source is woken up.
const WAKE_EVERY: Duration = Duration::from_millis(100);

impl Waker {
    fn start(ctl: &Path) -> Result<Self> {
        let mut socket = UnixStream::connect(ctl)
            .with_context(|| format!("cannot connect to {}", ctl.display()))?;
        socket.set_read_timeout(Some(Duration::from_millis(20)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut sink = [0u8; 4096];
            while !stopped.load(Ordering::Relaxed) {
                if socket.write_all(b"show status\n").is_err() {
                    return;
                }
                // Drain the answer (and the greeting); a timeout just means nothing more yet.
                while let Ok(n) = socket.read(&mut sink) {
                    if n == 0 {
                        return;
                    }
                }
                std::thread::sleep(WAKE_EVERY);
            }
        });
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for Waker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The fast source's name in tables.
pub const FAST: &str = "fast";
/// The fast source's name in tables when it sends in prefix order.
pub const FAST_SORTED: &str = "fast, sorted";

/// This binary's `speaker` mode, one process per run.
pub struct FastSource {
    ns: Netns,
    routes: usize,
    sorted: bool,
    speaker: Option<Daemon>,
    log: PathBuf,
    _dir: TempDir,
}

impl FastSource {
    /// A source of `n` routes, in prefix order when `sorted`; the speaker starts on
    /// [`Source::connect`].
    pub fn new(ns: &Netns, n: usize, sorted: bool) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("full-table-speaker-")
            .tempdir()
            .context("cannot create a temporary directory")?;
        Ok(Self {
            ns: ns.clone(),
            routes: n,
            sorted,
            speaker: None,
            log: dir.path().join("speaker.log"),
            _dir: dir,
        })
    }
}

impl Source for FastSource {
    fn name(&self) -> &'static str {
        if self.sorted { FAST_SORTED } else { FAST }
    }

    fn routes(&self) -> usize {
        self.routes
    }

    fn connect(&mut self) -> Result<()> {
        let exe = std::env::current_exe().context("cannot find this binary's path")?;
        let mut cmd = self.ns.command(exe);
        cmd.args(["speaker", "--routes", &self.routes.to_string()]);
        if self.sorted {
            cmd.arg("--sorted");
        }
        self.speaker = Some(Daemon::spawn("speaker", cmd, &self.log)?);
        Ok(())
    }

    fn disconnect(&mut self) -> Result<()> {
        if let Some(mut speaker) = self.speaker.take() {
            let report = speaker.log_tail();
            speaker
                .check_running()
                .with_context(|| format!("speaker:\n{report}"))?;
            speaker.kill();
        }
        Ok(())
    }
}
