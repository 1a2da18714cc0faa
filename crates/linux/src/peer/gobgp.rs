//! GoBGP: gobgpd with a TOML config (one neighbour per session, each with
//! the one AFI-SAFI of its address or both when multiprotocol, default
//! policies accepting everything, an export policy when routes are tagged),
//! its gRPC API on a unix socket in a temporary directory, and the announced
//! prefixes added to the global RIB with `gobgp global rib add`. gobgpd
//! listens on port 179 in its namespace and connects actively.

use super::config::{Family, PeerConfig, PeerKind};
use super::driver::{
    Peer, SessionState, kill, parse_json, parse_prefix, remove_stale, temp_dir, version_of,
    wait_ready, write_file,
};
use crate::netns::Netns;
use crate::process::{Daemon, log_tail, require_binary, run};
use crate::{Error, Result};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(super) const GOBGPD: &str = "/usr/bin/gobgpd";
pub(super) const GOBGP: &str = "/usr/bin/gobgp";

/// A running (or stopped) gobgpd.
#[derive(Debug)]
pub struct Gobgp {
    // Field order matters: the process dies before its directory goes, and
    // the namespace handle is released last.
    process: Option<Daemon>,
    dir: tempfile::TempDir,
    config: PeerConfig,
    ns: Netns,
}

impl Gobgp {
    /// Starts gobgpd in `ns` and adds the announced prefixes; returns once
    /// they are in its RIB.
    ///
    /// # Panics
    ///
    /// When GoBGP is not installed, with the `apt-get install` line.
    pub fn start(ns: &Netns, config: &PeerConfig) -> Result<Gobgp> {
        require_binary(GOBGPD, "gobgpd");
        require_binary(GOBGP, "gobgpd");
        config.validate()?;
        let mut gobgp = Gobgp {
            process: None,
            dir: temp_dir(PeerKind::Gobgp)?,
            config: config.clone(),
            ns: ns.clone(),
        };
        gobgp.spawn()?;
        Ok(gobgp)
    }

    fn spawn(&mut self) -> Result<()> {
        let dir = self.dir.path();
        let conf = dir.join("gobgpd.toml");
        write_file(&conf, &config(&self.config))?;
        // gobgpd will not bind its API over a stale socket.
        remove_stale(&dir.join("api.sock"));
        let mut cmd = self.ns.command(GOBGPD);
        cmd.arg("-f")
            .arg(&conf)
            .arg(format!(
                "--api-hosts=unix://{}",
                dir.join("api.sock").display()
            ))
            .args(["--pprof-disable", "--log-plain", "--log-level=debug"]);
        let mut daemon = Daemon::spawn(&format!("gobgpd {}", self.config.name), cmd, &self.log())?;
        wait_ready(&mut daemon, "gobgpd's API", || gobgp(dir, &["global"]))?;
        self.process = Some(daemon);
        let routes = nets(&self.config.announce_v4, &self.config.announce_v6);
        for prefix in &routes {
            self.gobgp(&rib("add", prefix))?;
        }
        tracing::debug!(router = %self.config.name, netns = %self.ns.name(), "gobgp started");
        Ok(())
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("gobgpd.log")
    }

    fn gobgp(&self, args: &[impl AsRef<str>]) -> Result<String> {
        if self.process.is_none() {
            return Err(Error::Stopped {
                daemon: format!("gobgpd {}", self.config.name),
            });
        }
        gobgp(self.dir.path(), args)
    }
}

impl Peer for Gobgp {
    fn kind(&self) -> PeerKind {
        PeerKind::Gobgp
    }

    fn config(&self) -> &PeerConfig {
        &self.config
    }

    fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| p.check_running().is_ok())
    }

    fn stop(&mut self) -> Result<()> {
        kill(&mut self.process);
        Ok(())
    }

    fn restart(&mut self) -> Result<()> {
        kill(&mut self.process);
        self.spawn()
    }

    /// From `gobgp neighbor ADDR -j`: `state.session_state`, a number of
    /// the API's enum (1 idle … 6 established) or its name.
    fn session_state(&self, neighbour: IpAddr) -> Result<SessionState> {
        self.config.neighbour(neighbour)?;
        let what = format!("gobgp state of {neighbour}");
        let text = self.gobgp(&["neighbor", &neighbour.to_string(), "-j"])?;
        let json = parse_json(&what, &text)?;
        let state = json.get("state").and_then(|s| s.get("session_state"));
        let parsed = match state {
            Some(serde_json::Value::Number(n)) => match n.as_u64() {
                Some(1) => Some(SessionState::Idle),
                Some(2) => Some(SessionState::Connect),
                Some(3) => Some(SessionState::Active),
                Some(4) => Some(SessionState::OpenSent),
                Some(5) => Some(SessionState::OpenConfirm),
                Some(6) => Some(SessionState::Established),
                _ => None,
            },
            Some(serde_json::Value::String(s)) => SessionState::parse(s),
            // Before the first state change the field is left out (zero).
            None => Some(SessionState::Idle),
            Some(_) => None,
        };
        parsed.ok_or_else(|| Error::parse(&what, format!("session_state {state:?}")))
    }

    /// From `gobgp global rib -a FAMILY -j`: the prefixes with a path whose
    /// `neighbor-ip` is one of the neighbours (local routes have none).
    fn received_routes(&self, family: Family) -> Result<BTreeSet<IpNet>> {
        let what = "gobgp global rib";
        let text = self.gobgp(&["global", "rib", "-a", afi(family), "-j"])?;
        let json = parse_json(what, &text)?;
        let mut routes = BTreeSet::new();
        let Some(table) = json.as_object() else {
            // An empty RIB prints `null` or nothing useful.
            return Ok(routes);
        };
        for (prefix, paths) in table {
            let from_neighbour = paths.as_array().is_some_and(|paths| {
                paths.iter().any(|path| {
                    path.get("neighbor-ip")
                        .and_then(|a| a.as_str())
                        .and_then(|a| a.parse::<IpAddr>().ok())
                        .is_some_and(|a| self.config.neighbour(a).is_ok())
                })
            });
            if from_neighbour {
                let net = parse_prefix(prefix, family)
                    .ok_or_else(|| Error::parse(what, format!("prefix {prefix:?}")))?;
                routes.insert(net);
            }
        }
        Ok(routes)
    }

    /// `gobgp global rib del` what goes, `add` what comes.
    fn set_announced(&mut self, v4: &[Ipv4Net], v6: &[Ipv6Net]) -> Result<()> {
        let before = nets(&self.config.announce_v4, &self.config.announce_v6);
        let after = nets(v4, v6);
        self.config.announce_v4 = v4.to_vec();
        self.config.announce_v6 = v6.to_vec();
        if self.process.is_none() {
            return Ok(());
        }
        for prefix in before.difference(&after) {
            self.gobgp(&rib("del", prefix))?;
        }
        for prefix in after.difference(&before) {
            self.gobgp(&rib("add", prefix))?;
        }
        Ok(())
    }

    /// `gobgp neighbor ADDR shutdown --reason MESSAGE`: `shutdown` rather than `disable`, as
    /// only it passes the reason on as the shutdown communication (it warns that it is
    /// deprecated).
    fn shutdown_session(&mut self, neighbour: IpAddr, message: &str) -> Result<()> {
        self.config.neighbour(neighbour)?;
        let address = neighbour.to_string();
        self.gobgp(&["neighbor", &address, "shutdown", "--reason", message])
            .map(drop)
    }

    /// From `gobgpd --version`.
    fn version(&self) -> Result<String> {
        version_of(GOBGPD, &["--version"], "gobgpd version")
    }

    fn cli(&self) -> Vec<String> {
        vec![
            GOBGP.to_string(),
            format!(
                "--target=unix://{}",
                self.dir.path().join("api.sock").display()
            ),
        ]
    }

    fn log_tail(&self) -> String {
        log_tail(&self.log(), 30)
    }
}

fn nets(v4: &[Ipv4Net], v6: &[Ipv6Net]) -> BTreeSet<IpNet> {
    let v4 = v4.iter().map(|&n| IpNet::from(n));
    v4.chain(v6.iter().map(|&n| IpNet::from(n))).collect()
}

fn afi(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ipv4",
        Family::Ipv6 => "ipv6",
    }
}

/// `global rib add|del PREFIX -a FAMILY`.
pub(super) fn rib(verb: &str, prefix: &IpNet) -> Vec<String> {
    let family = match prefix {
        IpNet::V4(_) => Family::Ipv4,
        IpNet::V6(_) => Family::Ipv6,
    };
    [
        "global",
        "rib",
        verb,
        &prefix.to_string(),
        "-a",
        afi(family),
    ]
    .map(String::from)
    .to_vec()
}

/// Runs one gobgp command against the gobgpd whose API socket is in `dir`.
fn gobgp(dir: &Path, args: &[impl AsRef<str>]) -> Result<String> {
    let mut cmd = Command::new(GOBGP);
    cmd.arg(format!(
        "--target=unix://{}",
        dir.join("api.sock").display()
    ))
    .args(args.iter().map(AsRef::as_ref));
    run(&mut cmd)
}

/// gobgpd.toml. `idle-hold-time-after-reset = 1`: after an administrative
/// reset gobgpd waits 1 s (not its default 30) before taking connections
/// again. After a session *drops* it always waits a fixed 5 s, and its first
/// active connection comes 5–10 s after it starts (it raises any
/// ConnectRetry under 5 s to 5 s): a peer that connects to it is faster.
pub(super) fn config(c: &PeerConfig) -> String {
    let mut out = format!(
        "[global.config]\n  \
           as = {asn}\n  \
           router-id = \"{rid}\"\n  \
           port = 179\n",
        asn = c.asn,
        rid = c.router_id,
    );
    out.push_str(&c.export_tags.gobgp(c.asn));
    for n in &c.neighbours {
        let _ = write!(
            out,
            "\n[[neighbors]]\n  \
               [neighbors.config]\n    \
                 neighbor-address = \"{address}\"\n    \
                 peer-as = {peer_as}\n  \
               [neighbors.timers.config]\n    \
                 connect-retry = {retry}\n    \
                 hold-time = {hold}\n    \
                 keepalive-interval = {keepalive}\n    \
                 idle-hold-time-after-reset = 1\n",
            address = n.address,
            peer_as = n.asn,
            retry = c.connect_retry,
            hold = c.hold_time,
            keepalive = c.keepalive(),
        );
        if c.neighbour_port != 179 {
            let _ = writeln!(
                out,
                "  [neighbors.transport.config]\n    remote-port = {}",
                c.neighbour_port
            );
        }
        if c.graceful_restart {
            out.push_str(
                "  [neighbors.graceful-restart.config]\n    \
                   enabled = true\n    \
                   restart-time = 120\n",
            );
        }
        for (family, afi_safi) in [
            (Family::Ipv4, "ipv4-unicast"),
            (Family::Ipv6, "ipv6-unicast"),
        ] {
            if !c.carries(n, family) {
                continue;
            }
            let _ = writeln!(
                out,
                "  [[neighbors.afi-safis]]\n    \
                   [neighbors.afi-safis.config]\n      \
                     afi-safi-name = \"{afi_safi}\""
            );
            if c.graceful_restart {
                out.push_str(
                    "    [neighbors.afi-safis.mp-graceful-restart.config]\n      enabled = true\n",
                );
            }
        }
    }
    super::driver::append_raw(&mut out, &c.raw_config);
    out
}
