//! The receivers under test, each its own process in the receiver namespace, on Scaleway's
//! side of the session (169.254.0.0, AS 12876), announcing nothing back:
//!
//! - peerlab: this binary's `receiver` mode (the engine, one link whose IPv4 policy has the
//!   1,000 covering `prefix_filter_in` entries), asked for its counts over stdin/stdout; on a
//!   multi-thread tokio runtime with 2 workers (the machine's cores), or on a current-thread
//!   one;
//! - BIRD 2: one BGP protocol importing everything into `master4`, no kernel protocol, asked
//!   with `birdc show protocols all`;
//! - FRR: zebra and bgpd, bgpd with `-n` (`--no_kernel`, what `bgp no-rib` sets: nothing goes
//!   to zebra or the kernel) and an outbound route-map that denies everything, asked with
//!   `vtysh -c 'show bgp ipv4 unicast summary json'` (`pfxRcd`). bgpd is the measured process.

use crate::poll;
use crate::testbed::{RECEIVER_ADDR, RECEIVER_ASN, SOURCE_ADDR, SOURCE_ASN};
use anyhow::{Context as _, Result, bail};
use linux::Netns;
use linux::process::{Daemon, log_tail, run};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

const BIRD: &str = "/usr/sbin/bird";
const BIRDC: &str = "/usr/sbin/birdc";
const ZEBRA: &str = "/usr/lib/frr/zebra";
const BGPD: &str = "/usr/lib/frr/bgpd";
const VTYSH: &str = "/usr/bin/vtysh";
/// How long a daemon may take to answer its CLI after starting.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// The peerlab receiver's tokio worker threads (the machine's 2 cores).
const PEERLAB_WORKERS: usize = 2;
/// How often a starting daemon is asked whether it is ready.
const POLL: Duration = Duration::from_millis(50);

/// The receiver implementations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ReceiverKind {
    /// peerlab's engine on a multi-thread tokio runtime with 2 workers.
    Peerlab,
    /// peerlab's engine on a current-thread tokio runtime.
    PeerlabCt,
    /// `peerlab` from another build of this benchmark, named by the environment variable
    /// `FULL_TABLE_BEFORE` (for before/after rows in one run).
    PeerlabBefore,
    /// `peerlab-ct` from the build `FULL_TABLE_BEFORE` names.
    PeerlabCtBefore,
    /// BIRD 2.
    Bird,
    /// FRR bgpd (with zebra).
    Frr,
}

impl ReceiverKind {
    /// The name in tables.
    pub fn name(self) -> &'static str {
        match self {
            ReceiverKind::Peerlab => "peerlab (2 workers)",
            ReceiverKind::PeerlabCt => "peerlab (current-thread)",
            ReceiverKind::PeerlabBefore => "peerlab before (2 workers)",
            ReceiverKind::PeerlabCtBefore => "peerlab before (current-thread)",
            ReceiverKind::Bird => "BIRD 2.0.12",
            ReceiverKind::Frr => "FRR 8.4 bgpd",
        }
    }

    /// Starts the receiver in `ns`; returns once it answers queries.
    pub fn start(self, ns: &Netns) -> Result<Box<dyn Receiver>> {
        Ok(match self {
            ReceiverKind::Peerlab => Box::new(Peerlab::start(ns, this()?, PEERLAB_WORKERS)?),
            ReceiverKind::PeerlabCt => Box::new(Peerlab::start(ns, this()?, 0)?),
            ReceiverKind::PeerlabBefore => {
                Box::new(Peerlab::start(ns, before()?, PEERLAB_WORKERS)?)
            }
            ReceiverKind::PeerlabCtBefore => Box::new(Peerlab::start(ns, before()?, 0)?),
            ReceiverKind::Bird => Box::new(Bird::start(ns)?),
            ReceiverKind::Frr => Box::new(Frr::start(ns)?),
        })
    }
}

/// Where a receiver's session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// The session is Established.
    pub established: bool,
    /// Routes the receiver holds from the peer (peerlab: after `prefix_filter_in`).
    pub routes: u64,
}

/// A running receiver, killed on Drop.
pub trait Receiver {
    /// The process whose CPU time and memory are measured.
    fn pid(&self) -> u32;
    /// Asks the receiver for its session state and route count.
    fn progress(&mut self) -> Result<Progress>;
    /// The end of its log, for error messages.
    fn log_tail(&self) -> String;
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

fn temp_dir(label: &str) -> Result<TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("full-table-{label}-"))
        .tempdir()
        .context("cannot create a temporary directory")
}

/// Polls `probe` until it answers, failing early when the daemon dies.
fn wait_answer(
    daemon: &mut Daemon,
    what: &str,
    mut probe: impl FnMut() -> Result<()>,
) -> Result<()> {
    let answered = poll::until(what, START_TIMEOUT, POLL, || {
        daemon.check_running()?;
        Ok(probe().ok())
    });
    answered.with_context(|| format!("{what} never answered; log:\n{}", daemon.log_tail()))
}

// ---------------------------------------------------------------------------------------------
// peerlab

/// This binary in `receiver` mode, talking over its stdin and stdout.
/// This binary: its `receiver` mode is the peerlab receiver.
fn this() -> Result<PathBuf> {
    std::env::current_exe().context("cannot find this binary's path")
}

/// The other build of this benchmark whose `receiver` mode the `*-before` receivers run.
fn before() -> Result<PathBuf> {
    let exe = std::env::var_os("FULL_TABLE_BEFORE")
        .context("the *-before receivers need FULL_TABLE_BEFORE (another full_table binary)")?;
    Ok(PathBuf::from(exe))
}

struct Peerlab {
    child: Child,
    requests: ChildStdin,
    answers: BufReader<ChildStdout>,
    _dir: TempDir,
    log: std::path::PathBuf,
}

impl Peerlab {
    fn start(ns: &Netns, exe: PathBuf, threads: usize) -> Result<Self> {
        let dir = temp_dir("peerlab")?;
        let log = dir.path().join("receiver.log");
        let mut cmd = ns.command(exe);
        cmd.args(["receiver", "--threads", &threads.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(fs::File::create(&log).context("cannot create the receiver's log")?);
        let mut child = cmd.spawn().context("cannot start the peerlab receiver")?;
        let (Some(requests), Some(answers)) = (child.stdin.take(), child.stdout.take()) else {
            bail!("the peerlab receiver has no pipes");
        };
        let mut receiver = Peerlab {
            child,
            requests,
            answers: BufReader::new(answers),
            _dir: dir,
            log,
        };
        let first = receiver.read_line()?;
        if first != "ready" {
            bail!(
                "the peerlab receiver said {first:?}; log:\n{}",
                receiver.log_tail()
            );
        }
        Ok(receiver)
    }

    fn read_line(&mut self) -> Result<String> {
        let mut line = String::new();
        if self.answers.read_line(&mut line)? == 0 {
            bail!("the peerlab receiver has exited; log:\n{}", self.log_tail());
        }
        Ok(line.trim().to_string())
    }
}

impl Receiver for Peerlab {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `counts`, reads `STATUS RECEIVED ACCEPTED`.
    fn progress(&mut self) -> Result<Progress> {
        writeln!(self.requests, "counts").context("the peerlab receiver is gone")?;
        let line = self.read_line()?;
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [status, _received, accepted] => Ok(Progress {
                established: *status == "up",
                routes: accepted.parse().context("bad count")?,
            }),
            _ => bail!("unexpected answer {line:?} from the peerlab receiver"),
        }
    }

    fn log_tail(&self) -> String {
        log_tail(&self.log, 20)
    }
}

impl Drop for Peerlab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// BIRD

/// BIRD 2 importing everything into its table; nothing exported, no kernel protocol.
struct Bird {
    daemon: Daemon,
    dir: TempDir,
}

/// The receiver's BGP protocol name.
const BIRD_PROTOCOL: &str = "peer";

impl Bird {
    fn start(ns: &Netns) -> Result<Self> {
        let dir = temp_dir("bird-receiver")?;
        let conf = dir.path().join("bird.conf");
        write_file(&conf, &bird_receiver_config())?;
        let mut daemon = start_bird(ns, dir.path(), &conf)?;
        let ctl = dir.path().join("bird.ctl");
        wait_answer(&mut daemon, "BIRD receiver", || {
            birdc(&ctl, &["show", "status"]).map(drop)
        })?;
        Ok(Bird { daemon, dir })
    }
}

/// Starts `bird -f` with `conf`, its control socket and pid file in `dir`.
pub fn start_bird(ns: &Netns, dir: &Path, conf: &Path) -> Result<Daemon> {
    let mut cmd = ns.command(BIRD);
    cmd.arg("-f")
        .arg("-c")
        .arg(conf)
        .arg("-s")
        .arg(dir.join("bird.ctl"))
        .arg("-P")
        .arg(dir.join("bird.pid"));
    Ok(Daemon::spawn("bird", cmd, &dir.join("bird.log"))?)
}

/// Runs `birdc -s CTL ARGS…`.
pub fn birdc(ctl: &Path, args: &[&str]) -> Result<String> {
    let mut cmd = Command::new(BIRDC);
    cmd.arg("-s").arg(ctl).args(args);
    Ok(run(&mut cmd)?)
}

fn bird_receiver_config() -> String {
    format!(
        "log stderr {{ warning, error, fatal }};\n\
         router id {RECEIVER_ADDR};\n\
         protocol device {{ scan time 10; }}\n\
         protocol bgp {BIRD_PROTOCOL} {{\n  \
           local {RECEIVER_ADDR} as {RECEIVER_ASN};\n  \
           neighbor {SOURCE_ADDR} as {SOURCE_ASN};\n  \
           hold time 90;\n  \
           connect delay time 1;\n  \
           connect retry time 1;\n  \
           error wait time 1, 5;\n  \
           ipv4 {{ import all; export none; }};\n\
         }}\n"
    )
}

impl Receiver for Bird {
    fn pid(&self) -> u32 {
        self.daemon.pid()
    }

    /// From `show protocols all peer`: `BGP state:` and `Routes: N imported`.
    fn progress(&mut self) -> Result<Progress> {
        self.daemon.check_running()?;
        let text = birdc(
            &self.dir.path().join("bird.ctl"),
            &["show", "protocols", "all", BIRD_PROTOCOL],
        )?;
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .map(str::trim)
        };
        let established = field("BGP state:") == Some("Established");
        let routes = field("Routes:")
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        Ok(Progress {
            established,
            routes,
        })
    }

    fn log_tail(&self) -> String {
        self.daemon.log_tail()
    }
}

// ---------------------------------------------------------------------------------------------
// FRR

/// zebra and bgpd; bgpd installs nothing (`-n`) and announces nothing (route-map `NONE out`).
struct Frr {
    // Field order: the daemons die before their directory goes.
    bgpd: Daemon,
    _zebra: Daemon,
    dir: TempDir,
}

impl Frr {
    fn start(ns: &Netns) -> Result<Self> {
        let dir = temp_dir("frr-receiver")?;
        let path = dir.path();
        // zebra drops to the frr user, who must own its sockets' directory.
        run(Command::new("chown").arg("frr:frr").arg(path))?;
        write_file(&path.join("zebra.conf"), "hostname receiver\n")?;
        write_file(&path.join("bgpd.conf"), &frr_config())?;
        let zserv = path.join("zserv.api");
        let mut cmd = ns.command(ZEBRA);
        cmd.arg("-f")
            .arg(path.join("zebra.conf"))
            .arg("-i")
            .arg(path.join("zebra.pid"))
            .arg("-z")
            .arg(&zserv)
            .arg("--vty_socket")
            .arg(path)
            .args(["-u", "frr", "-g", "frr", "-A", "127.0.0.1", "-P", "0"])
            .args(["--log", "stdout", "--log-level", "warnings"]);
        let mut zebra = Daemon::spawn("zebra", cmd, &path.join("zebra.log"))?;
        wait_answer(&mut zebra, "zebra", || {
            vtysh(path, "zebra", "show version").map(drop)
        })?;

        let mut cmd = ns.command(BGPD);
        cmd.arg("-f")
            .arg(path.join("bgpd.conf"))
            .arg("-i")
            .arg(path.join("bgpd.pid"))
            .arg("-z")
            .arg(&zserv)
            .arg("--vty_socket")
            .arg(path)
            // -n: no FIB (bgp no-rib); -S: stay root.
            .args(["-n", "-S", "-p", "179", "-A", "127.0.0.1", "-P", "0"])
            .args(["--log", "stdout", "--log-level", "warnings"]);
        let mut bgpd = Daemon::spawn("bgpd", cmd, &path.join("bgpd.log"))?;
        wait_answer(&mut bgpd, "bgpd", || {
            vtysh(path, "bgpd", "show bgp summary").map(drop)
        })?;
        Ok(Frr {
            bgpd,
            _zebra: zebra,
            dir,
        })
    }
}

fn frr_config() -> String {
    format!(
        "hostname receiver\n\
         router bgp {RECEIVER_ASN}\n \
         bgp router-id {RECEIVER_ADDR}\n \
         no bgp ebgp-requires-policy\n \
         no bgp default ipv4-unicast\n \
         neighbor {SOURCE_ADDR} remote-as {SOURCE_ASN}\n \
         neighbor {SOURCE_ADDR} timers connect 1\n \
         address-family ipv4 unicast\n  \
         neighbor {SOURCE_ADDR} activate\n  \
         neighbor {SOURCE_ADDR} route-map NONE out\n \
         exit-address-family\n\
         route-map NONE deny 10\n"
    )
}

/// Runs one vtysh command against `daemon`, whose vty socket is in `dir`.
fn vtysh(dir: &Path, daemon: &str, command: &str) -> Result<String> {
    let mut cmd = Command::new(VTYSH);
    cmd.arg("--vty_socket")
        .arg(dir)
        .args(["-d", daemon, "-c", command]);
    let out = run(&mut cmd)?;
    if out.starts_with('%') {
        bail!("vtysh -c {command:?}: {}", out.trim());
    }
    Ok(out)
}

impl Receiver for Frr {
    fn pid(&self) -> u32 {
        self.bgpd.pid()
    }

    /// `state` and `pfxRcd` of the neighbour in the IPv4 unicast summary.
    fn progress(&mut self) -> Result<Progress> {
        self.bgpd.check_running()?;
        let text = vtysh(
            self.dir.path(),
            "bgpd",
            "show bgp ipv4 unicast summary json",
        )?;
        let json: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("bgpd said {text:?}"))?;
        // `{"peers": …}`, or `{"ipv4Unicast": {"peers": …}}` depending on the version.
        let peers = json
            .get("peers")
            .or_else(|| json.get("ipv4Unicast").and_then(|j| j.get("peers")));
        let Some(peer) = peers.and_then(|p| p.get(SOURCE_ADDR.to_string())) else {
            // No peer entry before the neighbour is known: not established.
            return Ok(Progress {
                established: false,
                routes: 0,
            });
        };
        Ok(Progress {
            established: peer.get("state").and_then(|s| s.as_str()) == Some("Established"),
            routes: peer.get("pfxRcd").and_then(|n| n.as_u64()).unwrap_or(0),
        })
    }

    fn log_tail(&self) -> String {
        self.bgpd.log_tail()
    }
}
