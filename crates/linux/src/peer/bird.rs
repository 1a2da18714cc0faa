//! BIRD 2: one static protocol per family originates the announced prefixes
//! (blackhole routes), one BGP protocol per neighbour (`nbr0`, `nbr1` …)
//! with a single channel of the neighbour's family (both when the sessions
//! are multiprotocol), importing everything and exporting the static routes
//! only, tagged by an export filter when [`ExportTags`](super::ExportTags)
//! asks. BIRD listens on port 179 in its namespace and connects actively.

use super::config::{Family, PeerConfig, PeerKind};
use super::driver::{
    Peer, SessionState, kill, parse_prefix, remove_stale, temp_dir, version_of, wait_ready,
    write_file,
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

pub(super) const BIRD: &str = "/usr/sbin/bird";
pub(super) const BIRDC: &str = "/usr/sbin/birdc";

/// A running (or stopped) BIRD.
#[derive(Debug)]
pub struct Bird {
    // Field order matters: the process dies before its directory goes, and
    // the namespace handle is released last.
    process: Option<Daemon>,
    dir: tempfile::TempDir,
    config: PeerConfig,
    ns: Netns,
}

impl Bird {
    /// Starts BIRD in `ns`; returns once birdc gets answers.
    ///
    /// # Panics
    ///
    /// When BIRD is not installed, with the `apt-get install` line.
    pub fn start(ns: &Netns, config: &PeerConfig) -> Result<Bird> {
        require_binary(BIRD, "bird2");
        require_binary(BIRDC, "bird2");
        config.validate()?;
        let mut bird = Bird {
            process: None,
            dir: temp_dir(PeerKind::Bird)?,
            config: config.clone(),
            ns: ns.clone(),
        };
        bird.spawn()?;
        Ok(bird)
    }

    fn spawn(&mut self) -> Result<()> {
        let dir = self.dir.path();
        let conf = dir.join("bird.conf");
        write_file(&conf, &config(&self.config))?;
        remove_stale(&dir.join("bird.ctl"));
        let mut cmd = self.ns.command(BIRD);
        cmd.arg("-f")
            .arg("-c")
            .arg(&conf)
            .arg("-s")
            .arg(dir.join("bird.ctl"))
            .arg("-P")
            .arg(dir.join("bird.pid"));
        let mut daemon = Daemon::spawn(&format!("bird {}", self.config.name), cmd, &self.log())?;
        wait_ready(&mut daemon, "BIRD's control socket", || {
            birdc(dir, &["show", "status"])
        })?;
        self.process = Some(daemon);
        tracing::debug!(router = %self.config.name, netns = %self.ns.name(), "bird started");
        Ok(())
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("bird.log")
    }

    fn birdc(&self, args: &[&str]) -> Result<String> {
        if self.process.is_none() {
            return Err(Error::Stopped {
                daemon: format!("bird {}", self.config.name),
            });
        }
        birdc(self.dir.path(), args)
    }

    /// The BGP protocol talking to `neighbour`.
    fn protocol(&self, neighbour: IpAddr) -> Result<String> {
        self.config
            .neighbours
            .iter()
            .position(|n| n.address == neighbour)
            .map(protocol_name)
            .ok_or(Error::UnknownNeighbour(neighbour))
    }
}

fn protocol_name(index: usize) -> String {
    format!("nbr{index}")
}

impl Peer for Bird {
    fn kind(&self) -> PeerKind {
        PeerKind::Bird
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

    /// From `show protocols all nbrN`: the `BGP state:` line.
    fn session_state(&self, neighbour: IpAddr) -> Result<SessionState> {
        let protocol = self.protocol(neighbour)?;
        let what = format!("bird state of {neighbour}");
        let text = self.birdc(&["show", "protocols", "all", &protocol])?;
        let state = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("BGP state:"))
            .map(str::trim)
            .ok_or_else(|| Error::parse(&what, format!("no BGP state line: {text}")))?;
        SessionState::parse(state).ok_or_else(|| Error::parse(&what, state))
    }

    /// From `show route protocol nbrN`: every line that starts with a
    /// prefix (continuation lines start with blanks).
    fn received_routes(&self, family: Family) -> Result<BTreeSet<IpNet>> {
        let mut routes = BTreeSet::new();
        for (index, n) in self.config.neighbours.iter().enumerate() {
            if !self.config.carries(n, family) {
                continue;
            }
            let text = self.birdc(&["show", "route", "protocol", &protocol_name(index)])?;
            routes.extend(
                text.lines()
                    .filter_map(|l| l.split_whitespace().next())
                    .filter_map(|first| parse_prefix(first, family)),
            );
        }
        Ok(routes)
    }

    /// Rewrites the static protocols and `birdc configure`s.
    fn set_announced(&mut self, v4: &[Ipv4Net], v6: &[Ipv6Net]) -> Result<()> {
        self.config.announce_v4 = v4.to_vec();
        self.config.announce_v6 = v6.to_vec();
        write_file(&self.dir.path().join("bird.conf"), &config(&self.config))?;
        if self.process.is_none() {
            return Ok(());
        }
        let out = self.birdc(&["configure"])?;
        if out.contains("Reconfigured") || out.contains("Reconfiguration in progress") {
            Ok(())
        } else {
            Err(Error::CommandFailed {
                command: String::from("birdc configure"),
                status: String::from("exit status: 0"),
                output: out,
            })
        }
    }

    /// `birdc disable nbrN "MESSAGE"`.
    fn shutdown_session(&mut self, neighbour: IpAddr, message: &str) -> Result<()> {
        let protocol = self.protocol(neighbour)?;
        let quoted = format!("\"{}\"", message.replace(['"', '\\'], ""));
        self.birdc(&["disable", &protocol, &quoted]).map(drop)
    }

    /// From `bird --version`.
    fn version(&self) -> Result<String> {
        version_of(BIRD, &["--version"], "BIRD version")
    }

    fn cli(&self) -> Vec<String> {
        vec![
            BIRDC.to_string(),
            "-s".to_string(),
            self.dir.path().join("bird.ctl").display().to_string(),
        ]
    }

    fn log_tail(&self) -> String {
        log_tail(&self.log(), 30)
    }
}

/// Runs one birdc command against the BIRD whose socket is in `dir`.
fn birdc(dir: &Path, args: &[&str]) -> Result<String> {
    let mut cmd = Command::new(BIRDC);
    cmd.arg("-s").arg(dir.join("bird.ctl")).args(args);
    run(&mut cmd)
}

/// bird.conf. `error wait time 1, 5`: after a session drops BIRD waits 1 s
/// (not its default 60) before trying again.
pub(super) fn config(c: &PeerConfig) -> String {
    let mut out = format!(
        "log stderr all;\n\
         router id {rid};\n\
         protocol device {{ scan time 1; }}\n",
        rid = c.router_id
    );
    let statics = [
        (
            "static4",
            "ipv4",
            c.announce_v4
                .iter()
                .map(|&n| IpNet::from(n))
                .collect::<Vec<_>>(),
        ),
        (
            "static6",
            "ipv6",
            c.announce_v6.iter().map(|&n| IpNet::from(n)).collect(),
        ),
    ];
    for (name, channel, prefixes) in &statics {
        let _ = writeln!(out, "protocol static {name} {{\n  {channel};");
        for p in prefixes {
            let _ = writeln!(out, "  route {p} blackhole;");
        }
        out.push_str("}\n");
    }
    for (index, n) in c.neighbours.iter().enumerate() {
        let port = match c.neighbour_port {
            179 => String::new(),
            port => format!(" port {port}"),
        };
        let _ = write!(
            out,
            "protocol bgp {name} {{\n  \
               local as {asn};\n  \
               neighbor {address}{port} as {peer_as};\n  \
               hold time {hold};\n  \
               keepalive time {keepalive};\n  \
               connect retry time {retry};\n  \
               connect delay time 1;\n  \
               error wait time 1, 5;\n",
            name = protocol_name(index),
            asn = c.asn,
            address = n.address,
            peer_as = n.asn,
            hold = c.hold_time,
            keepalive = c.keepalive(),
            retry = c.connect_retry,
        );
        for (family, channel, statics) in [
            (Family::Ipv4, "ipv4", "static4"),
            (Family::Ipv6, "ipv6", "static6"),
        ] {
            if !c.carries(n, family) {
                continue;
            }
            if c.export_tags.is_empty() {
                let _ = writeln!(
                    out,
                    "  {channel} {{ import all; export where proto = \"{statics}\"; }};"
                );
            } else {
                let filter = c.export_tags.bird_filter(family, statics, c.asn);
                let _ = writeln!(
                    out,
                    "  {channel} {{ import all; export filter {{ {filter} }}; }};"
                );
            }
        }
        out.push_str("}\n");
    }
    super::driver::append_raw(&mut out, &c.raw_config);
    out
}
