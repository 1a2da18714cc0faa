//! Drivers for the customer's router: a real BGP daemon (FRR bgpd, BIRD 2,
//! GoBGP) started in a [`Netns`] with a generated config.
//!
//! Every driver does the same things through the daemon's own CLI: start,
//! crash (`stop`, SIGKILL) and `restart`, report a session's state and the
//! routes learned from a neighbour, change what is announced at run time,
//! and show the end of its log. The daemons listen on port 179 inside their
//! namespace and connect actively too; timers are short (keepalive a third
//! of the hold time, ConnectRetry 1 s by default) so tests are quick; no
//! policy gets in the way: everything learned is accepted, exactly the
//! configured prefixes are announced.
//!
//! Each neighbour carries the family of its address: an InterLink link has
//! an IPv4 session for IPv4 unicast and an IPv6 session for IPv6 unicast.
//!
//! Not for: installing learned routes in the namespace's kernel (the
//! daemons run without zebra / kernel protocol), or policies.

mod bird;
mod frr;
mod gobgp;

pub use bird::Bird;
pub use frr::Frr;
pub use gobgp::Gobgp;

use crate::addressing::LinkAddressing;
use crate::netns::Netns;
use crate::process::Daemon;
use crate::{Error, Result};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

/// Scaleway's AS number on every InterLink session.
pub const SCALEWAY_ASN: u32 = 12876;

/// The daemons there is a driver for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerKind {
    /// FRR's bgpd, standalone (no zebra).
    Frr,
    /// BIRD 2.
    Bird,
    /// GoBGP's gobgpd.
    Gobgp,
}

impl PeerKind {
    /// All of them.
    pub const ALL: [PeerKind; 3] = [PeerKind::Frr, PeerKind::Bird, PeerKind::Gobgp];

    /// The name used in topology files: `frr`, `bird`, `gobgp`.
    pub fn name(self) -> &'static str {
        match self {
            PeerKind::Frr => "frr",
            PeerKind::Bird => "bird",
            PeerKind::Gobgp => "gobgp",
        }
    }
}

impl fmt::Display for PeerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An address family, here always with the unicast SAFI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    /// The family an address belongs to.
    pub fn of(address: IpAddr) -> Family {
        if address.is_ipv4() {
            Family::Ipv4
        } else {
            Family::Ipv6
        }
    }
}

/// A BGP session's state, in RFC 4271 §8.2.2's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionState {
    Idle,
    Connect,
    Active,
    OpenSent,
    OpenConfirm,
    Established,
}

impl SessionState {
    /// Parses a state as the daemons spell it (`Established`, `OpenSent`,
    /// `ESTABLISHED`, `open_sent` …); BIRD's `Close` is `Idle`.
    pub fn parse(text: &str) -> Option<SessionState> {
        let key: String = text
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match key.as_str() {
            "idle" | "close" | "clearing" | "deleted" => SessionState::Idle,
            "connect" => SessionState::Connect,
            "active" => SessionState::Active,
            "opensent" => SessionState::OpenSent,
            "openconfirm" => SessionState::OpenConfirm,
            "established" => SessionState::Established,
            _ => return None,
        })
    }
}

/// One BGP neighbour of the router. The session carries the unicast family
/// of `address` only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Neighbour {
    pub address: IpAddr,
    pub asn: u32,
}

/// What a driver configures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerConfig {
    /// A name for logs and the daemon's hostname setting.
    pub name: String,
    /// The router's own AS.
    pub asn: u32,
    pub router_id: Ipv4Addr,
    pub neighbours: Vec<Neighbour>,
    /// Originated IPv4 prefixes, announced to the IPv4 neighbours.
    pub announce_v4: Vec<Ipv4Net>,
    /// Originated IPv6 prefixes, announced to the IPv6 neighbours.
    pub announce_v6: Vec<Ipv6Net>,
    /// Hold time in seconds (3 or more); the keepalive interval is a third.
    pub hold_time: u16,
    /// ConnectRetry in seconds.
    pub connect_retry: u16,
    /// A raw snippet in the daemon's own configuration language, appended to the generated
    /// configuration (a topology's `config = "…"`); empty for none.
    pub raw_config: String,
}

impl PeerConfig {
    /// The customer side of an InterLink link: AS `asn` on the odd (peer)
    /// addresses, Scaleway (AS 12876) as the IPv4 and the IPv6 neighbour,
    /// nothing announced yet, hold time 9 s.
    pub fn interlink(asn: u32, addressing: &LinkAddressing) -> Self {
        PeerConfig {
            name: String::from("customer"),
            asn,
            router_id: addressing.peer_ipv4.addr(),
            neighbours: vec![
                Neighbour {
                    address: addressing.scw_ipv4.addr().into(),
                    asn: SCALEWAY_ASN,
                },
                Neighbour {
                    address: addressing.scw_ipv6.addr().into(),
                    asn: SCALEWAY_ASN,
                },
            ],
            announce_v4: Vec::new(),
            announce_v6: Vec::new(),
            hold_time: 9,
            connect_retry: 1,
            raw_config: String::new(),
        }
    }

    /// The Scaleway side of a link played by a real daemon, for testing the
    /// drivers against each other: AS 12876 on the even addresses, the
    /// customer (`peer_asn`) as neighbours.
    pub fn scaleway(peer_asn: u32, addressing: &LinkAddressing) -> Self {
        PeerConfig {
            name: String::from("scaleway"),
            asn: SCALEWAY_ASN,
            router_id: addressing.scw_ipv4.addr(),
            neighbours: vec![
                Neighbour {
                    address: addressing.peer_ipv4.addr().into(),
                    asn: peer_asn,
                },
                Neighbour {
                    address: addressing.peer_ipv6.addr().into(),
                    asn: peer_asn,
                },
            ],
            ..PeerConfig::interlink(SCALEWAY_ASN, addressing)
        }
    }

    /// The keepalive interval: a third of the hold time, at least 1 s.
    pub fn keepalive(&self) -> u16 {
        (self.hold_time / 3).max(1)
    }

    /// The neighbours of one family.
    pub fn neighbours_of(&self, family: Family) -> impl Iterator<Item = &Neighbour> {
        self.neighbours
            .iter()
            .filter(move |n| Family::of(n.address) == family)
    }

    /// The configured neighbour at `address`, or [`Error::UnknownNeighbour`].
    pub fn neighbour(&self, address: IpAddr) -> Result<&Neighbour> {
        self.neighbours
            .iter()
            .find(|n| n.address == address)
            .ok_or(Error::UnknownNeighbour(address))
    }

    /// Refuses what no daemon would take.
    fn validate(&self) -> Result<()> {
        if self.hold_time < 3 {
            return Err(Error::invalid(
                "hold time",
                format!("{} s; BGP needs 3 s or more", self.hold_time),
            ));
        }
        if self.connect_retry == 0 {
            return Err(Error::invalid("ConnectRetry time", "0 s"));
        }
        let valid = |c: char| c.is_ascii_alphanumeric() || c == '-';
        if self.name.is_empty() || !self.name.chars().all(valid) {
            return Err(Error::invalid(
                "router name",
                format!("{:?}: letters, digits and -", self.name),
            ));
        }
        Ok(())
    }
}

/// A customer router in a namespace, driven through its CLI.
pub trait Peer: fmt::Debug + Send {
    /// Which daemon this is.
    fn kind(&self) -> PeerKind;

    /// The configuration, announcements included as last set.
    fn config(&self) -> &PeerConfig;

    /// Whether the daemon is running.
    fn is_running(&mut self) -> bool;

    /// Kills the daemon with SIGKILL: a crash, its sessions drop without a
    /// NOTIFICATION.
    fn stop(&mut self) -> Result<()>;

    /// Starts the daemon again (after [`Peer::stop`], or kills and starts
    /// it), with the current configuration and announcements.
    fn restart(&mut self) -> Result<()>;

    /// The state of the session with `neighbour`.
    fn session_state(&self, neighbour: IpAddr) -> Result<SessionState>;

    /// The routes of `family` the router learned (and accepted) from its
    /// neighbours, its own announcements left out.
    fn received_routes(&self, family: Family) -> Result<BTreeSet<IpNet>>;

    /// Replaces what the router announces, at run time (no restart).
    fn set_announced(&mut self, v4: &[Ipv4Net], v6: &[Ipv6Net]) -> Result<()>;

    /// The end of the daemon's log, for error messages.
    fn log_tail(&self) -> String;

    /// The daemon's CLI with the arguments that reach this instance (its control socket), to
    /// which a user's arguments are appended: `vtysh --vty_socket DIR`, `birdc -s SOCKET`,
    /// `gobgp --target=unix://SOCKET`. Run it inside the router's namespace.
    fn cli(&self) -> Vec<String>;
}

/// Starts a `kind` router in `ns`; returns once its control socket answers
/// (the sessions come up later).
///
/// # Panics
///
/// When the daemon is not installed, with the `apt-get install` line.
pub fn start(kind: PeerKind, ns: &Netns, config: &PeerConfig) -> Result<Box<dyn Peer>> {
    Ok(match kind {
        PeerKind::Frr => Box::new(Frr::start(ns, config)?),
        PeerKind::Bird => Box::new(Bird::start(ns, config)?),
        PeerKind::Gobgp => Box::new(Gobgp::start(ns, config)?),
    })
}

/// The configuration file a `kind` daemon is started with for `config` (FRR's `bgpd.conf`,
/// BIRD's `bird.conf`, GoBGP's `gobgpd.toml`), for running it elsewhere, e.g. in a containerlab
/// export. GoBGP's announcements are not in its file: [`gobgp_announce`] gives the commands.
pub fn config_file(kind: PeerKind, config: &PeerConfig) -> String {
    match kind {
        PeerKind::Frr => frr::config(config),
        PeerKind::Bird => bird::config(config),
        PeerKind::Gobgp => gobgp::config(config),
    }
}

/// The `gobgp` arguments that add `prefix` to gobgpd's global RIB: how GoBGP announces.
pub fn gobgp_announce(prefix: &IpNet) -> Vec<String> {
    gobgp::rib("add", prefix)
}

/// Appends a topology's raw configuration snippet, on lines of its own.
fn append_raw(out: &mut String, raw: &str) {
    if raw.trim().is_empty() {
        return;
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(raw);
    if !raw.ends_with('\n') {
        out.push('\n');
    }
}

/// Whether `kind`'s programs are installed: `Err` names the missing program and the Debian
/// package to install (unlike [`start`], which panics).
pub fn check_installed(kind: PeerKind) -> Result<()> {
    let needed: &[(&str, &str)] = match kind {
        PeerKind::Frr => &[(frr::ZEBRA, "frr"), (frr::BGPD, "frr"), (frr::VTYSH, "frr")],
        PeerKind::Bird => &[(bird::BIRD, "bird2"), (bird::BIRDC, "bird2")],
        PeerKind::Gobgp => &[(gobgp::GOBGPD, "gobgpd"), (gobgp::GOBGP, "gobgpd")],
    };
    for (path, package) in needed {
        if !Path::new(path).is_file() {
            return Err(Error::invalid(
                "installation",
                format!("{path} is missing: install it with `apt-get install -y {package}`"),
            ));
        }
    }
    Ok(())
}

/// A temporary directory for a daemon's config, sockets and log.
fn temp_dir(kind: PeerKind) -> Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix(&format!("peerlab-{kind}-"))
        .tempdir()
        .map_err(|e| Error::io("cannot create a temporary directory", e))
}

fn write_file(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| Error::io(format!("cannot write {}", path.display()), e))
}

/// Removes a stale control socket before a restart (some daemons refuse to
/// bind over one).
fn remove_stale(path: &Path) {
    let _ = fs::remove_file(path);
}

/// A JSON document from a daemon's CLI.
fn parse_json(what: &str, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| Error::parse(what, format!("{e}: {text}")))
}

/// `text` as a prefix of `family`.
fn parse_prefix(text: &str, family: Family) -> Option<IpNet> {
    let net: IpNet = text.parse().ok()?;
    let matches = match net {
        IpNet::V4(_) => family == Family::Ipv4,
        IpNet::V6(_) => family == Family::Ipv6,
    };
    matches.then_some(net)
}

/// How long a daemon may take to answer on its control socket.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// Polls `probe` (a CLI command) until it succeeds; fails at once, with
/// the end of the log, if the daemon exits meanwhile.
fn wait_ready<T>(
    daemon: &mut Daemon,
    what: &str,
    mut probe: impl FnMut() -> Result<T>,
) -> Result<T> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        daemon.check_running()?;
        match probe() {
            Ok(value) => return Ok(value),
            Err(e) if Instant::now() >= deadline => {
                return Err(Error::Timeout {
                    what: what.to_owned(),
                    timeout: READY_TIMEOUT,
                    last: e.to_string(),
                });
            }
            Err(_) => thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// Stops a daemon if it runs.
fn kill(process: &mut Option<Daemon>) {
    if let Some(mut daemon) = process.take() {
        daemon.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_as_the_daemons_spell_them() {
        assert_eq!(
            SessionState::parse("Established"),
            Some(SessionState::Established)
        );
        assert_eq!(
            SessionState::parse("ESTABLISHED"),
            Some(SessionState::Established)
        );
        assert_eq!(
            SessionState::parse("OpenSent"),
            Some(SessionState::OpenSent)
        );
        assert_eq!(
            SessionState::parse("open_confirm"),
            Some(SessionState::OpenConfirm)
        );
        assert_eq!(SessionState::parse("Close"), Some(SessionState::Idle));
        assert_eq!(SessionState::parse("Passive?"), None);
    }

    #[test]
    fn interlink_config_has_both_scaleway_sessions() {
        let a = LinkAddressing::slot(0);
        let c = PeerConfig::interlink(64512, &a);
        assert_eq!(c.neighbours_of(Family::Ipv4).count(), 1);
        assert_eq!(c.neighbours_of(Family::Ipv6).count(), 1);
        assert!(c.neighbours.iter().all(|n| n.asn == SCALEWAY_ASN));
        assert_eq!(c.router_id, a.peer_ipv4.addr());
        let s = PeerConfig::scaleway(64512, &a);
        assert_eq!(s.asn, SCALEWAY_ASN);
        assert_eq!(
            s.neighbour(a.peer_ipv6.addr().into()).map(|n| n.asn).ok(),
            Some(64512)
        );
    }

    #[test]
    fn every_generated_config_ends_with_the_raw_snippet() {
        let a = LinkAddressing::slot(0);
        let mut c = PeerConfig::interlink(64512, &a);
        assert!(!frr::config(&c).contains("RAW"));
        c.raw_config = "# RAW snippet".to_string();
        for text in [frr::config(&c), bird::config(&c), gobgp::config(&c)] {
            assert!(text.ends_with("\n# RAW snippet\n"), "{text}");
        }
    }

    #[test]
    fn appending_keeps_lines_apart() {
        let mut out = "a".to_string();
        append_raw(&mut out, "b");
        assert_eq!(out, "a\nb\n");
        append_raw(&mut out, "  \n");
        assert_eq!(out, "a\nb\n");
    }

    #[test]
    fn installed_daemons_are_checked_without_panicking() {
        // Each answer is Ok or an error naming the package; never a panic.
        for kind in [PeerKind::Frr, PeerKind::Bird, PeerKind::Gobgp] {
            if let Err(e) = check_installed(kind) {
                assert!(e.to_string().contains("apt-get install -y"), "{e}");
            }
        }
    }
}
