//! FRR: zebra and bgpd in the namespace, their vty sockets and zserv socket
//! in a temporary directory for vtysh, no TCP vty (`-P 0`). bgpd listens on
//! port 179 and connects actively; it installs nothing in the kernel (`-n`).
//!
//! zebra is what tells bgpd about interfaces: without it bgpd withdraws
//! every IPv6 route whose next hop includes a link-local address (BIRD
//! sends one on a directly connected session). zebra insists on dropping to
//! a user of the `frrvty` group, so it runs as the package's `frr` user, who
//! owns the temporary directory; bgpd stays root (`-S`).

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
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

pub(super) const ZEBRA: &str = "/usr/lib/frr/zebra";
pub(super) const BGPD: &str = "/usr/lib/frr/bgpd";
pub(super) const VTYSH: &str = "/usr/bin/vtysh";
/// The user the frr package creates, member of `frrvty`.
const FRR_USER: &str = "frr";

/// A running (or stopped) FRR: zebra and bgpd.
#[derive(Debug)]
pub struct Frr {
    // Field order matters: the processes die before their directory goes,
    // and the namespace handle is released last.
    bgpd: Option<Daemon>,
    zebra: Option<Daemon>,
    dir: tempfile::TempDir,
    config: PeerConfig,
    ns: Netns,
}

impl Frr {
    /// Starts zebra and bgpd in `ns`; returns once vtysh gets answers.
    ///
    /// # Panics
    ///
    /// When FRR is not installed, with the `apt-get install` line.
    pub fn start(ns: &Netns, config: &PeerConfig) -> Result<Frr> {
        require_binary(ZEBRA, "frr");
        require_binary(BGPD, "frr");
        require_binary(VTYSH, "frr");
        config.validate()?;
        let dir = temp_dir(PeerKind::Frr)?;
        let (uid, gid) = user_ids(FRR_USER)?;
        std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
            .map_err(|e| Error::io(format!("cannot chown {}", dir.path().display()), e))?;
        let mut frr = Frr {
            bgpd: None,
            zebra: None,
            dir,
            config: config.clone(),
            ns: ns.clone(),
        };
        frr.spawn()?;
        Ok(frr)
    }

    fn spawn(&mut self) -> Result<()> {
        let dir = self.dir.path();
        let name = &self.config.name;
        write_file(&dir.join("zebra.conf"), &format!("hostname {name}\n"))?;
        write_file(&dir.join("bgpd.conf"), &config(&self.config))?;
        for stale in ["zebra.vty", "zserv.api", "bgpd.vty"] {
            remove_stale(&dir.join(stale));
        }
        let zserv = dir.join("zserv.api");
        let mut cmd = self.ns.command(ZEBRA);
        cmd.arg("-f")
            .arg(dir.join("zebra.conf"))
            .arg("-i")
            .arg(dir.join("zebra.pid"))
            .arg("-z")
            .arg(&zserv)
            .arg("--vty_socket")
            .arg(dir)
            .args(["-u", FRR_USER, "-g", FRR_USER, "-A", "127.0.0.1", "-P", "0"])
            .args(["--log", "stdout"]);
        let mut zebra = Daemon::spawn(&format!("frr zebra {name}"), cmd, &dir.join("zebra.log"))?;
        wait_ready(&mut zebra, "zebra's vty socket", || {
            vtysh(dir, "zebra", &["show version"])
        })?;
        self.zebra = Some(zebra);

        let mut cmd = self.ns.command(BGPD);
        cmd.arg("-f")
            .arg(dir.join("bgpd.conf"))
            .arg("-i")
            .arg(dir.join("bgpd.pid"))
            .arg("-z")
            .arg(&zserv)
            .arg("--vty_socket")
            .arg(dir)
            .args(["-n", "-p", "179", "-A", "127.0.0.1", "-P", "0"])
            // -S: stay root, without FRR's user and group checks.
            .args(["-S", "--log", "stdout", "--log-level", "debugging"]);
        let mut bgpd = Daemon::spawn(&format!("frr bgpd {name}"), cmd, &self.log())?;
        // The vty socket shows up once the config has been read.
        wait_ready(&mut bgpd, "bgpd's vty socket", || {
            vtysh(dir, "bgpd", &["show bgp summary"])
        })?;
        self.bgpd = Some(bgpd);
        tracing::debug!(router = %name, netns = %self.ns.name(), "frr started");
        Ok(())
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("bgpd.log")
    }

    fn vtysh(&self, commands: &[&str]) -> Result<String> {
        if self.bgpd.is_none() {
            return Err(Error::Stopped {
                daemon: format!("frr {}", self.config.name),
            });
        }
        vtysh(self.dir.path(), "bgpd", commands)
    }

    fn kill(&mut self) {
        kill(&mut self.bgpd);
        kill(&mut self.zebra);
    }
}

/// The uid and gid of `user`, from /etc/passwd.
fn user_ids(user: &str) -> Result<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").map_err(|e| Error::io("/etc/passwd", e))?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&user))
        .and_then(|f| Some((f.get(2)?.parse().ok()?, f.get(3)?.parse().ok()?)))
        .ok_or_else(|| {
            Error::invalid(
                "FRR installation",
                format!("no user {user:?} (reinstall with `apt-get install --reinstall frr`)"),
            )
        })
}

impl Peer for Frr {
    fn kind(&self) -> PeerKind {
        PeerKind::Frr
    }

    fn config(&self) -> &PeerConfig {
        &self.config
    }

    fn is_running(&mut self) -> bool {
        [&mut self.zebra, &mut self.bgpd]
            .into_iter()
            .all(|d| d.as_mut().is_some_and(|d| d.check_running().is_ok()))
    }

    /// Kills bgpd and zebra: the whole router crashes.
    fn stop(&mut self) -> Result<()> {
        self.kill();
        Ok(())
    }

    fn restart(&mut self) -> Result<()> {
        self.kill();
        self.spawn()
    }

    fn session_state(&self, neighbour: IpAddr) -> Result<SessionState> {
        self.config.neighbour(neighbour)?;
        let what = format!("frr state of {neighbour}");
        let text = self.vtysh(&[&format!("show bgp neighbors {neighbour} json")])?;
        let json = parse_json(&what, &text)?;
        let state = json
            .get(neighbour.to_string())
            .and_then(|n| n.get("bgpState"))
            .and_then(|s| s.as_str())
            .ok_or_else(|| Error::parse(&what, format!("no bgpState: {text}")))?;
        SessionState::parse(state).ok_or_else(|| Error::parse(&what, state))
    }

    fn received_routes(&self, family: Family) -> Result<BTreeSet<IpNet>> {
        let afi = afi(family);
        let mut routes = BTreeSet::new();
        for n in self.config.neighbours_of(family) {
            let what = format!("frr routes from {}", n.address);
            let command = format!("show bgp {afi} unicast neighbors {} routes json", n.address);
            let json = parse_json(&what, &self.vtysh(&[&command])?)?;
            let table = json
                .get("routes")
                .and_then(|r| r.as_object())
                .ok_or_else(|| Error::parse(&what, "no routes object"))?;
            for prefix in table.keys() {
                let net = parse_prefix(prefix, family)
                    .ok_or_else(|| Error::parse(&what, format!("prefix {prefix:?}")))?;
                routes.insert(net);
            }
        }
        Ok(routes)
    }

    fn set_announced(&mut self, v4: &[Ipv4Net], v6: &[Ipv6Net]) -> Result<()> {
        let old = (
            self.config.announce_v4.clone(),
            self.config.announce_v6.clone(),
        );
        self.config.announce_v4 = v4.to_vec();
        self.config.announce_v6 = v6.to_vec();
        // The config file too, for the next restart.
        write_file(&self.dir.path().join("bgpd.conf"), &config(&self.config))?;
        if self.bgpd.is_none() {
            return Ok(());
        }
        let mut commands = vec![
            String::from("configure terminal"),
            format!("router bgp {}", self.config.asn),
        ];
        let changes = [
            (Family::Ipv4, nets(&old.0), nets(v4)),
            (Family::Ipv6, nets(&old.1), nets(v6)),
        ];
        for (family, before, after) in changes {
            commands.push(format!("address-family {} unicast", afi(family)));
            commands.extend(before.difference(&after).map(|p| format!("no network {p}")));
            commands.extend(after.difference(&before).map(|p| format!("network {p}")));
            commands.push(String::from("exit-address-family"));
        }
        let commands: Vec<&str> = commands.iter().map(String::as_str).collect();
        self.vtysh(&commands).map(drop)
    }

    fn shutdown_session(&mut self, neighbour: IpAddr, message: &str) -> Result<()> {
        self.config.neighbour(neighbour)?;
        let router = format!("router bgp {}", self.config.asn);
        let shutdown = format!("neighbor {neighbour} shutdown message {message}");
        self.vtysh(&["configure terminal", &router, &shutdown])
            .map(drop)
    }

    /// From `bgpd --version`.
    fn version(&self) -> Result<String> {
        version_of(BGPD, &["--version"], "bgpd version")
    }

    /// The end of bgpd's log, then of zebra's.
    fn cli(&self) -> Vec<String> {
        vec![
            VTYSH.to_string(),
            "--vty_socket".to_string(),
            self.dir.path().display().to_string(),
        ]
    }

    fn log_tail(&self) -> String {
        let zebra = log_tail(&self.dir.path().join("zebra.log"), 5);
        format!("{}\n(zebra)\n{zebra}", log_tail(&self.log(), 30))
    }
}

fn nets<N: Into<IpNet> + Copy>(list: &[N]) -> BTreeSet<IpNet> {
    list.iter().map(|&n| n.into()).collect()
}

fn afi(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ipv4",
        Family::Ipv6 => "ipv6",
    }
}

/// Runs vtysh commands against `daemon` whose vty socket is in `dir` only.
/// vtysh exits 0 on most command errors, so its output is checked for them.
fn vtysh(dir: &Path, daemon: &str, commands: &[&str]) -> Result<String> {
    let mut cmd = Command::new(VTYSH);
    cmd.arg("--vty_socket").arg(dir).args(["-d", daemon]);
    for c in commands {
        cmd.args(["-c", c]);
    }
    let output = run(&mut cmd)?;
    let failed = [
        "% Unknown command",
        "% Command incomplete",
        "% Invalid",
        "% Ambiguous",
    ];
    if failed.iter().any(|f| output.contains(f)) {
        return Err(Error::CommandFailed {
            command: format!("vtysh -c {}", commands.join(" -c ")),
            status: String::from("exit status: 0"),
            output,
        });
    }
    Ok(output)
}

/// bgpd.conf: one session per neighbour carrying its address's family,
/// `network` statements announced without a route behind them
/// (`no bgp network import-check`), no policy required.
pub(super) fn config(c: &PeerConfig) -> String {
    let mut out = format!(
        "hostname {name}\n\
         debug bgp neighbor-events\n\
         {export}\
         router bgp {asn}\n \
         bgp router-id {rid}\n \
         no bgp ebgp-requires-policy\n \
         no bgp network import-check\n \
         no bgp default ipv4-unicast\n \
         timers bgp {keepalive} {hold}\n",
        name = c.name,
        export = c.export_tags.frr(c.asn),
        asn = c.asn,
        rid = c.router_id,
        keepalive = c.keepalive(),
        hold = c.hold_time,
    );
    for n in &c.neighbours {
        let a = n.address;
        let _ = write!(
            out,
            " neighbor {a} remote-as {asn}\n \
             neighbor {a} timers connect {retry}\n \
             neighbor {a} advertisement-interval 0\n",
            asn = n.asn,
            retry = c.connect_retry,
        );
        if c.neighbour_port != 179 {
            let _ = writeln!(out, " neighbor {a} port {}", c.neighbour_port);
        }
    }
    let families = [
        (Family::Ipv4, nets(&c.announce_v4)),
        (Family::Ipv6, nets(&c.announce_v6)),
    ];
    for (family, networks) in families {
        let _ = writeln!(out, " address-family {} unicast", afi(family));
        for p in networks {
            let _ = writeln!(out, "  network {p}");
        }
        for n in c.neighbours_of(family) {
            let _ = writeln!(out, "  neighbor {} activate", n.address);
            if !c.export_tags.is_empty() {
                let n4or6 = if family == Family::Ipv4 { 4 } else { 6 };
                let _ = writeln!(out, "  neighbor {} route-map EXPORT{n4or6} out", n.address);
            }
        }
        out.push_str(" exit-address-family\n");
    }
    super::driver::append_raw(&mut out, &c.raw_config);
    out
}
